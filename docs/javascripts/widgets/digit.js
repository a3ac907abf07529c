// Draw a digit (post 5). The reader draws with a mouse, a finger or a pen; the drawing goes
// through the same preprocessing as the training digits and the trained network reads it
// (demos/widgets/digit.py). Shown: the 8x8 picture the network saw, its ten
// probabilities, and how strongly each hidden neuron responds. Each hidden neuron is a
// button that switches it off (and on again): the drawing and the test digits are read again
// without the neurons that are off.

import {
  el, button, latest, activityTable, activityKey, activityColour, drawHeatmap, freehand, figureCanvas, formatNumber,
  Bars, inkOf, percent,
} from "./ui.js";

const SIDE = 280; // drawing canvas pixels
const PEN = 20; // pen width in canvas pixels: strokes as thick, relative to the digit, as the data's
const SEEN = 8;
const COLUMNS = 8; // hidden neurons to a row

export async function mount(container, api) {
  const model = api.model;
  const nHidden = model.sizes.slice(1, -1).reduce((a, b) => a + b, 0);

  const drawing = figureCanvas(SIDE, SIDE, "Drawing area, empty", "nn-drawing nn-drawable");
  const seen = figureCanvas(SEEN, SEEN, "The 8 by 8 picture the network sees: nothing yet", "nn-seen");
  const units = new Units(nHidden, model.hidden_low, () => reread());
  // Said when neurons are switched: what that did to the test digits, and to the drawing (words
  // dropped once the drawing changes; the reading above keeps the comparison up to date).
  const accuracyWords = el("span");
  const drawingWords = el("span");
  const silencedLine = el("p", { class: "nn-readout nn-silenced", "aria-live": "polite" }, accuracyWords, drawingWords);
  const readout = el("p", { class: "nn-readout nn-prediction", text: "Draw a digit first." });
  const bars = new Bars("Probability of each digit");
  bars.label(Array.from({ length: 10 }, (_, d) => String(d)));
  const examples = model.samples.labels.map((label, i) =>
    button(`Example ${label}`, () => showExample(i), { class: "nn-button nn-small" }));
  // One example per digit is plenty of buttons.
  const firstOfEach = examples.filter((_, i) => model.samples.labels.indexOf(model.samples.labels[i]) === i);

  container.append(
    el("div", { class: "nn-digit" },
      el("div", { class: "nn-panels" },
        el("figure", {}, drawing, el("figcaption", { text: "Draw one digit, 0 to 9, as large as the box." }),
          el("div", { class: "nn-buttons" }, button("Clear", () => clear()))),
        el("div", { class: "nn-side" },
          readout,
          bars.element,
          el("div", { class: "nn-panels" },
            el("figure", {}, seen, el("figcaption", { text: "What the network sees (8x8)" })),
            el("figure", {}, units.element,
              el("figcaption", {}, `Its ${nHidden} hidden neurons: `, activityKey(),
                ". Press one to switch it off."),
              el("div", { class: "nn-buttons" }, units.allOn))),
          silencedLine)),
      firstOfEach.length
        ? el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Or start from a test digit" }), ...firstOfEach)
        : null));

  const ctx = freehand(drawing, { pen: () => ({ colour: "black", width: PEN }), drawn: () => classify() });

  // --- Reading the drawing: as often as Python keeps up, the newest drawing first.
  const read = () => api.call("classify", { ink: inkOf(ctx, SIDE, SIDE), width: SIDE, height: SIDE,
    silenced: units.silenced() });
  let reading = { empty: true };
  const classify = latest(async () => {
    try {
      show(await read());
      drawingWords.textContent = "";
    } catch (error) {
      api.fail(error);
    }
  });

  // --- Neurons switched off or on: the drawing and the test digits read again, and said in words.
  let allOn = null; // the test digits read with every neuron on, once known
  const reread = latest(async () => {
    try {
      const silenced = units.silenced();
      const [answer, tested] = await Promise.all([read(), api.call("test_accuracy", { silenced })]);
      if (!silenced.length) allOn = tested;
      show(answer);
      sayWhatChanged(tested);
    } catch (error) {
      api.fail(error);
    }
  });

  function show(answer) {
    reading = answer;
    if (answer.empty) {
      readout.textContent = "Draw a digit first.";
      drawing.setAttribute("aria-label", "Drawing area, empty");
      bars.clear();
      seen.getContext("2d").clearRect(0, 0, SEEN, SEEN);
      units.show(null);
      return;
    }
    const probability = percent(answer.probability);
    const whole = answer.all_on && ` (all on: ${answer.all_on.digit}, with ${percent(answer.all_on.probability)})`;
    readout.textContent = `Read as ${answer.digit}, with ${probability} probability${whole || ""}.`;
    drawing.setAttribute("aria-label", `The drawing, read as ${answer.digit} with ${probability} probability`);
    bars.show(answer.probabilities, [answer.digit]);
    // The 8x8 input: 16 (full ink) drawn black, 0 (paper) white, like the drawing.
    drawHeatmap(seen, answer.pixels, SEEN, SEEN, greyTable, 16, 0);
    seen.setAttribute("aria-label", `The 8 by 8 picture the network sees, read as ${answer.digit}`);
    units.show(answer.hidden);
  }

  const greyTable = Uint8ClampedArray.from({ length: 256 * 4 }, (_, i) => (i % 4 === 3 ? 255 : i >> 2));

  // What switching neurons off did, in words: to the test digits (against all on, and the
  // digit that suffers most) and to the reading of the drawing.
  function sayWhatChanged(tested) {
    const read = `${percent(tested.accuracy)} of the ${tested.total} test digits read right`;
    drawingWords.textContent = "";
    if (!tested.silenced.length) {
      accuracyWords.textContent = `All ${nHidden} hidden neurons on: ${read}.`;
      return;
    }
    const numbers = tested.silenced.map((i) => String(i + 1));
    const which = numbers.length === 1 ? `Neuron ${numbers[0]} is` :
      `Neurons ${numbers.slice(0, -1).join(", ")} and ${numbers[numbers.length - 1]} are`;
    let text = `${which} off: ${read}`;
    if (allOn) {
      text += ` (all on: ${percent(allOn.accuracy)})`;
      let worst = 0;
      const drop = (d) => allOn.by_digit[d] - tested.by_digit[d];
      for (let d = 1; d < 10; d++) if (drop(d) > drop(worst)) worst = d;
      if (drop(worst) > 0) {
        text += `; the ${worst}s suffer most, ${percent(allOn.by_digit[worst])} → ${percent(tested.by_digit[worst])}`;
      }
    }
    accuracyWords.textContent = text + ".";
    if (!reading.empty && reading.all_on) {
      const now = `${reading.digit} with ${percent(reading.probability)}`;
      drawingWords.textContent =
        ` The drawing: read as ${now} (all on: ${reading.all_on.digit} with ${percent(reading.all_on.probability)}).`;
    }
  }

  function clear() {
    ctx.clearRect(0, 0, SIDE, SIDE);
    classify();
  }

  // A test digit, painted as its 8x8 blocks of ink: it goes through the same reading.
  function showExample(i) {
    ctx.clearRect(0, 0, SIDE, SIDE);
    const image = model.samples.images.subarray(64 * i, 64 * (i + 1));
    const cell = SIDE / 10; // the digit fills the middle 8 of 10 cells, like a drawing with a margin
    for (let k = 0; k < 64; k++) {
      ctx.fillStyle = `rgba(0, 0, 0, ${image[k] / 16})`;
      ctx.fillRect((1 + (k % 8)) * cell, (1 + Math.floor(k / 8)) * cell, cell, cell);
    }
    classify();
  }

  reread(); // the test digits read with every neuron on: the accuracy to compare against
  return { unmount() {} };
}

// The hidden neurons as a grid of toggle buttons, each coloured by how strongly it fires (low:
// the activation's least value) and pressed while switched off; onChange() follows every
// switch. One stop in the tab order: the arrow keys, Home and End move between the neurons,
// Enter and Space switch the focused one.
class Units {
  constructor(n, low, onChange) {
    this.low = low;
    this.table = activityTable();
    this.buttons = Array.from({ length: n }, (_, i) => el("button", {
      type: "button", class: "nn-digit-unit", "aria-pressed": "false", "aria-label": `Switch neuron ${i + 1} off`,
      tabindex: i ? "-1" : "0", onclick: () => this.toggle(i),
    }));
    this.element = el("div", { class: "nn-digit-units", role: "group", onkeydown: (event) => this.move(event) },
      ...this.buttons);
    this.element.style.setProperty("--nn-columns", String(Math.min(COLUMNS, n)));
    this.allOn = el("button", { type: "button", class: "nn-button nn-small", disabled: true, text: "All on",
      onclick: () => this.switchAllOn() });
    this.onChange = onChange;
    this.show(null);
  }

  silenced() {
    return this.buttons.flatMap((b, i) => (b.getAttribute("aria-pressed") === "true" ? [i] : []));
  }

  toggle(i) {
    const off = this.buttons[i].getAttribute("aria-pressed") !== "true";
    this.buttons[i].setAttribute("aria-pressed", String(off));
    this.changed();
  }

  switchAllOn() {
    for (const b of this.buttons) b.setAttribute("aria-pressed", "false");
    this.changed();
    this.buttons.find((b) => b.tabIndex === 0).focus(); // the button pressed is disabled now
  }

  changed() {
    this.allOn.disabled = !this.silenced().length;
    this.show(this.values);
    this.onChange();
  }

  move(event) {
    const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLUMNS, ArrowDown: COLUMNS };
    const from = this.buttons.indexOf(document.activeElement);
    if (from < 0) return;
    let to;
    if (event.key in steps) to = from + steps[event.key];
    else if (event.key === "Home") to = 0;
    else if (event.key === "End") to = this.buttons.length - 1;
    else return;
    event.preventDefault();
    to = Math.max(0, Math.min(this.buttons.length - 1, to));
    this.buttons[from].tabIndex = -1;
    this.buttons[to].tabIndex = 0;
    this.buttons[to].focus();
  }

  // Colour each neuron by its activation (null: nothing drawn yet) and say it on hover.
  show(values) {
    this.values = values;
    const n = this.buttons.length;
    const keys = "arrow keys move between them, Enter or Space switches one off or on";
    let strongest = -1;
    values?.forEach((v, i) => this.buttons[i].getAttribute("aria-pressed") !== "true" &&
      (strongest < 0 || v > values[strongest]) && (strongest = i));
    this.element.setAttribute("aria-label", strongest < 0 ? `${n} hidden neurons: ${keys}` :
      `${n} hidden neurons, the more purple the stronger it fires; the strongest is number ${strongest + 1} at ` +
      `${formatNumber(values[strongest])}; ${keys}`);
    this.buttons.forEach((b, i) => {
      const off = b.getAttribute("aria-pressed") === "true";
      if (!values || off) {
        b.style.removeProperty("background-color");
        b.title = `Neuron ${i + 1}${off ? ": off" : ""}`;
        return;
      }
      b.style.backgroundColor = activityColour(this.table, values[i], this.low);
      b.title = `Neuron ${i + 1}: ${formatNumber(values[i])}`;
    });
  }
}
