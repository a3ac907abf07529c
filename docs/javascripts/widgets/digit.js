// Draw a digit (post 5). The reader draws with a mouse, a finger or a pen; the drawing goes
// through the same preprocessing as the training digits and the trained network reads it
// (demos/widgets/digit.py). Shown: the 8x8 picture the network saw, its ten
// probabilities, and how strongly each hidden neuron responds.

import {
  el, button, latest, activityTable, activityKey, drawHeatmap, drawCells, CELL, freehand, figureCanvas, formatNumber, Bars, inkOf,
  percent,
} from "./ui.js";

const SIDE = 280; // drawing canvas pixels
const PEN = 20; // pen width in canvas pixels: strokes as thick, relative to the digit, as the data's
const SEEN = 8;

export async function mount(container, api) {
  const model = api.model;
  const nHidden = model.sizes.slice(1, -1).reduce((a, b) => a + b, 0);

  const drawing = figureCanvas(SIDE, SIDE, "Drawing area, empty", "nn-drawing nn-drawable");
  const seen = figureCanvas(SEEN, SEEN, "The 8 by 8 picture the network sees: nothing yet", "nn-seen");
  const hiddenCanvas = figureCanvas(8 * CELL, Math.ceil(nHidden / 8) * CELL, "Hidden neurons: nothing yet",
    "nn-hidden-grid", { sharp: true });
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
            el("figure", {}, hiddenCanvas, el("figcaption", {}, `Its ${nHidden} hidden neurons: `, activityKey()))))),
      firstOfEach.length
        ? el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Or start from a test digit" }), ...firstOfEach)
        : null));

  const table = activityTable();
  const ctx = freehand(drawing, { pen: () => ({ colour: "black", width: PEN }), drawn: () => classify() });

  // --- Reading the drawing: as often as Python keeps up, the newest drawing first.
  const classify = latest(async () => {
    try {
      show(await api.call("classify", { ink: inkOf(ctx, SIDE, SIDE), width: SIDE, height: SIDE }));
    } catch (error) {
      api.fail(error);
    }
  });

  function show(answer) {
    if (answer.empty) {
      readout.textContent = "Draw a digit first.";
      drawing.setAttribute("aria-label", "Drawing area, empty");
      bars.clear();
      seen.getContext("2d").clearRect(0, 0, SEEN, SEEN);
      hiddenCanvas.getContext("2d").clearRect(0, 0, hiddenCanvas.width, hiddenCanvas.height);
      return;
    }
    const probability = percent(answer.probability);
    readout.textContent = `Read as ${answer.digit}, with ${probability} probability.`;
    drawing.setAttribute("aria-label", `Your drawing, read as ${answer.digit} with ${probability} probability`);
    bars.show(answer.probabilities, [answer.digit]);
    // The 8x8 input: 16 (full ink) drawn black, 0 (paper) white, like the drawing.
    drawHeatmap(seen, answer.pixels, SEEN, SEEN, greyTable, 16, 0);
    seen.setAttribute("aria-label", `The 8 by 8 picture the network sees, read as ${answer.digit}`);
    drawHidden(answer.hidden);
  }

  const greyTable = Uint8ClampedArray.from({ length: 256 * 4 }, (_, i) => (i % 4 === 3 ? 255 : i >> 2));

  function drawHidden(values) {
    drawCells(hiddenCanvas, values, table, model.hidden_low);
    let strongest = 0;
    values.forEach((v, i) => v > values[strongest] && (strongest = i));
    hiddenCanvas.setAttribute("aria-label", `${values.length} hidden neurons, the more purple the stronger it fires; ` +
      `the strongest is number ${strongest + 1} at ${formatNumber(values[strongest])}`);
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

  return { unmount() {} };
}
