// Small pieces the widget modules share: labelled controls and menus built from a model's
// declared options, calls into Python in order or newest-first, a training loop that sizes
// each call's work to the time it takes and the Train / Pause / Step / Reset buttons that
// drive it, the series' colours, heatmaps drawn through ImageData, a line chart, bars of
// probabilities, free-hand drawing and the ink read back from it.
// No HTML strings: every text goes in as text.

import { COLOURS, DIVERGING } from "./palette.js";

export { COLOURS };

// --- Building the DOM.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    // The site's Content-Security-Policy refuses style attributes: set node.style instead.
    else if (name === "style") throw new Error("el(): use node.style, not a style attribute");
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

let uid = 0;
export const newId = (prefix) => `nn-${prefix}-${++uid}`;

// A labelled range input with its value written beside it.
export function slider({ label, min, max, step, value, format = (v) => v.toFixed(2), onInput }) {
  const id = newId("slider");
  const input = el("input", { type: "range", id, min, max, step, value });
  const output = el("output", { for: id, class: "nn-value" });
  const show = () => (output.textContent = format(Number(input.value)));
  input.addEventListener("input", () => {
    show();
    onInput?.(Number(input.value));
  });
  show();
  const element = el("div", { class: "nn-control nn-slider" }, el("label", { for: id, text: label }), input, output);
  return {
    element,
    input,
    get value() {
      return Number(input.value);
    },
    set value(v) {
      input.value = v;
      show();
    },
  };
}

// An option the model declares as a choice (see demos/widgets/options.py): how a value of it
// reads, and a menu's [value, text] pairs.
export const labelOf = (spec, value) => spec.labels?.[value] ?? value;
export const choicesOf = (spec) => spec.choice.map((value) => [value, labelOf(spec, value)]);

// A labelled <select>; choices are [value, text] pairs.
export function select({ label, choices, value, onChange }) {
  const id = newId("select");
  const input = el("select", { id });
  for (const [v, text] of choices) input.append(el("option", { value: v, text }));
  input.value = String(value);
  input.addEventListener("change", () => onChange?.(input.value));
  const element = el("div", { class: "nn-control nn-select" }, el("label", { for: id, text: label }), input);
  return {
    element,
    input,
    get value() {
      return input.value;
    },
    set value(v) {
      input.value = String(v);
    },
  };
}

export function button(text, onClick, attributes = {}) {
  return el("button", { type: "button", class: "nn-button", onclick: onClick, ...attributes, text });
}

// A group of buttons, fieldset-labelled, e.g. Train / Pause / Step / Reset.
export function buttonRow(legend, buttons) {
  return el("fieldset", { class: "nn-buttons" },
    el("legend", { class: "nn-visually-hidden", text: legend }), ...buttons);
}

// --- Settings <-> URL hash, so a reader can share a run: `keys` maps each option a widget
// keeps in the link to its key there ({seed: "pg.seed", ...}). Only those keys are read, each
// checked against what the controls can show (a menu's choices, a slider's steps); anything
// else is ignored.
const number = (low, high, whole = false) => (text) => {
  const v = Number(text);
  if (text === "" || !Number.isFinite(v) || v < low || v > high || (whole && !Number.isInteger(v))) return undefined;
  return v;
};

// How an option's value is read from a link (undefined: not one the controls offer), from its
// declaration: a menu's own choices only (a link cannot add one), a slider's value in range and
// on one of its steps, a list of layer widths within the limits, flags each named once.
export function parser(spec) {
  if (spec.choice) return (text) => (spec.choice.includes(text) ? text : undefined);
  if (spec.widths) {
    const [maxLayers, maxWidth] = spec.widths;
    const width = number(1, maxWidth, true);
    return (text) => {
      if (text === "") return [];
      const widths = text.split(",").map(width);
      return widths.length <= maxLayers && widths.every((w) => w !== undefined) ? widths : undefined;
    };
  }
  if (spec.flags) {
    return (text) => {
      const names = text === "" ? [] : text.split(",");
      return names.every((name) => spec.flags.includes(name)) && new Set(names).size === names.length
        ? names : undefined;
    };
  }
  if (spec.menu) return (text) => (text !== "" && spec.menu.includes(Number(text)) ? Number(text) : undefined);
  const inRange = number(...spec.number, spec.whole);
  if (!spec.step) return inRange;
  return (text) => {
    const v = inRange(text);
    return v !== undefined && Math.abs(v / spec.step - Math.round(v / spec.step)) < 1e-9 ? v : undefined;
  };
}

export function settingsFromHash(hash, spec, keys) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const settings = {};
  for (const [name, key] of Object.entries(keys)) {
    if (params.has(key)) {
      const value = parser(spec[name])(params.get(key));
      if (value !== undefined) settings[name] = value;
    }
  }
  return settings;
}

export function hashFromSettings(settings, hash, keys) {
  // Keep whatever else the hash holds (a heading's anchor has no "=", and stays as it is).
  const params = new URLSearchParams(hash.includes("=") ? hash.replace(/^#/, "") : "");
  for (const [name, key] of Object.entries(keys)) {
    const value = settings[name];
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return "#" + params.toString().replaceAll("%2C", ",");
}

// The settings a widget of `kind` starts from: the block's options (its model starts from
// them), then whatever a shared link says (`keys`, as settingsFromHash takes them). Only the
// first widget of its kind on a page follows the link, so two on one page do not fight over it.
export function linkedSettings(api, kind, keys) {
  const linked = !document.querySelector(`.nn-widget[data-widget='${kind}'][data-nn-hash]`);
  if (linked) api.root.dataset.nnHash = "";
  const settings = { ...api.model.settings, ...(linked ? settingsFromHash(location.hash, api.model.spec, keys) : {}) };
  return { settings, linked };
}

// A menu of the numbers an option offers (its declaration's "menu"); a value from the block
// (the author's choice) that is not among them is added to them. onChange gets a number.
export function numberMenu(label, spec, value, onChange) {
  const values = spec.menu.includes(value) ? spec.menu : [...spec.menu, value].sort((a, b) => a - b);
  return select({ label, choices: values.map((v) => [v, String(v)]), value, onChange: (v) => onChange(Number(v)) });
}

// A number input for a seed (its declaration `spec` gives the range): a value it cannot take
// puts back the current one (`current()`); a good one goes to onChange(value).
export function seedInput(spec, current, onChange) {
  const id = newId("seed");
  const input = el("input", { type: "number", id, min: spec.number[0], max: spec.number[1], step: 1, value: current() });
  input.addEventListener("change", () => {
    const v = parser(spec)(input.value);
    if (v === undefined) input.value = current();
    else onChange(v);
  });
  const element = el("div", { class: "nn-control" }, el("label", { for: id, text: "Seed" }), input);
  element.input = input;
  return element;
}

// --- Calls into Python, one after another in the order asked: enqueue(async () => ...).

export function inOrder() {
  let queue = Promise.resolve();
  return (work) => (queue = queue.then(work, work));
}

// --- Calls into Python that follow the reader: while one is running, only the newest
// request waits, so dragging a slider never builds a queue.

export function latest(run) {
  let busy = false;
  let waiting = null;
  return async function request(...args) {
    if (busy) {
      waiting = args;
      return;
    }
    busy = true;
    try {
      await run(...args);
      while (waiting) {
        const next = waiting;
        waiting = null;
        await run(...next);
      }
    } finally {
      busy = false;
      waiting = null;
    }
  };
}

// --- Training in the worker, a few steps per call, while the page draws the last answer.

// ms of Python work per call: long enough to spend little on messages, short enough that
// Pause and Reset answer at once and the pictures move smoothly.
const CALL_BUDGET = 30;

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

export class TrainingLoop {
  // step(n) trains n units (epochs, batches) and shows the answer; it resolves to false to
  // stop the loop. onStop(error) is called when the loop ends by itself or fails. `rate` caps
  // the units trained per second (Infinity: as fast as the worker goes).
  constructor(step, { maxPerCall = 200, onStop, rate = Infinity } = {}) {
    this.step = step;
    this.perCall = 1;
    this.maxPerCall = maxPerCall;
    this.running = false;
    this.onStop = onStop;
    this.run = 0; // a stop and a quick start must not leave two loops running
    this.rate = rate;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop(++this.run);
  }

  // A new speed counts from now: the units allowed so far at the old one are not carried over.
  setRate(rate) {
    this.rate = rate;
    this.since = performance.now();
    this.done = 0;
  }

  // How many units the next call may train: perCall, or fewer to keep to the rate. A call
  // that ran late (a slow frame) may catch up on at most a quarter of a second's worth.
  allowed() {
    if (this.rate === Infinity) return this.perCall;
    const due = (this.rate * (performance.now() - this.since)) / 1000;
    this.done = Math.max(this.done, due - this.rate / 4);
    return Math.min(this.perCall, Math.floor(due - this.done));
  }

  stop() {
    this.running = false;
    this.run++;
  }

  async loop(run) {
    // The next call is sent as soon as the last answer is in, so the worker never waits for
    // the page to draw; but never more than one call ahead of the screen, so a hidden tab
    // (no animation frames) stops training instead of burning the reader's battery.
    let drawn = Promise.resolve();
    this.setRate(this.rate);
    while (run === this.run) {
      const n = this.allowed();
      if (n < 1) {
        await nextFrame();
        continue;
      }
      this.done += n;
      const started = performance.now();
      let more;
      try {
        const answer = this.step(n);
        answer.catch(() => {}); // handled below, once the frame is drawn
        await drawn;
        more = await answer;
      } catch (error) {
        if (run === this.run) {
          this.stop();
          this.onStop?.(error);
        }
        return;
      }
      // Grow or shrink the work per call towards the budget, gently.
      const took = ((performance.now() - started) * this.perCall) / n;
      const scale = Math.min(2, Math.max(0.5, CALL_BUDGET / Math.max(took, 1)));
      this.perCall = Math.max(1, Math.min(this.maxPerCall, Math.round(this.perCall * scale)));
      if (run !== this.run) return;
      if (more === false) {
        this.stop();
        this.onStop?.();
        return;
      }
      drawn = nextFrame();
    }
  }
}

// Train (Pause while training), Step and Reset, driving a TrainingLoop. Every call goes through
// `enqueue`, in order with the widget's other calls into Python:
//   step(n)      trains n units (epochs, batches) and shows the answer; resolves to false when
//                training is over
//   stepOnce()   trains one unit and shows it; reset() starts over and shows it. By default they
//                call the model's step({epochs}) and reset(), hand the answer to show(answer, fresh)
//                and, once reset, put resetSays() on the status line
//   paused()     the status line's words once a pause has landed
//   failed(e)    hears of a call that failed; canTrain() may refuse to start (and say why)
//   stopped()    is told when training ends by itself
// `names` renames the buttons, e.g. {step: "Step one epoch"}. `speeds` gives the units per
// second of "slow" and "normal" (the default: the first moments of training can be followed);
// "fast" trains as fast as the worker goes. `unit` names what is counted, e.g. "epochs".
export function trainingControls({ api, enqueue, show, resetSays, paused, failed, canTrain = () => true,
  stopped, maxPerCall, names = {}, speeds, unit = "epochs",
  step = async (epochs) => {
    show(await api.call("step", { epochs }));
    return true;
  },
  stepOnce = () => step(1),
  reset = async () => {
    show(await api.call("reset", {}), true);
    api.status(resetSays());
  } }) {
  const trainButton = button("Train", () => (loop.running ? pause() : train()), { "aria-pressed": "false" });
  const stepButton = button(names.step || "Step", () => once());
  const resetButton = button(names.reset || "Reset", () => restart());
  const rates = { ...speeds, fast: Infinity };
  const speed = select({
    label: "Speed",
    choices: Object.entries(rates).map(([name, rate]) => [name, rate === Infinity ? name : `${name} (${rate}/s)`]),
    value: "normal",
    onChange: (name) => loop.setRate(rates[name]),
  });
  speed.element.classList.add("nn-speed");
  speed.input.title = Object.entries(rates).map(([name, rate]) =>
    `${name}: ${rate === Infinity ? "as fast as the browser can" : `${rate} ${unit} a second`}`).join("; ");
  const loop = new TrainingLoop((n) => enqueue(() => step(n)), {
    maxPerCall,
    rate: rates.normal,
    onStop: (error) => {
      setRunning(false);
      if (error) failed(error);
      else stopped?.();
    },
  });
  // Run `work` (a call into Python and its showing) in turn; `failed` hears if it fails.
  const attempt = (work) => enqueue(async () => {
    try {
      await work();
    } catch (error) {
      if (!loop.running) setRunning(false);
      failed(error);
    }
  });

  function setRunning(running) {
    trainButton.textContent = running ? "Pause" : "Train";
    trainButton.setAttribute("aria-pressed", String(running));
  }

  function train() {
    if (!canTrain()) return;
    resetButton.classList.remove("nn-attention"); // set by a widget whose training failed
    setRunning(true);
    api.status("Training…");
    loop.start();
  }

  function pause() {
    loop.stop();
    setRunning(false);
    enqueue(() => api.status(paused())); // after the step still running, so the words match the picture
  }

  function once() {
    if (loop.running) pause();
    attempt(stepOnce);
  }

  // Start over; training that was running goes on from the new start.
  function restart() {
    const wasRunning = loop.running;
    resetButton.classList.remove("nn-attention");
    loop.stop();
    attempt(async () => {
      await reset();
      if (wasRunning) train();
      else setRunning(loop.running); // Train pressed while the reset was on its way: it trains on from the start
    });
  }

  return { trainButton, stepButton, resetButton, speed, loop, train, setRunning, attempt };
}

// --- Colours: the figures' own (palette.js is written from scripts/assets/palette.py by the build).

export const css = ([r, g, b], alpha = 1) => `rgba(${r}, ${g}, ${b}, ${alpha})`;
export const hex = (rgb01) =>
  "#" + Array.from(rgb01, (c) => Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, "0")).join("");

// 256 RGBA entries running dark orange -> orange -> light grey -> blue -> dark blue,
// like the figures' diverging map. `wash` blends it towards the card so points stay visible.
export function divergingTable(wash = 0) {
  const stops = DIVERGING;
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) {
      const v = stops[k][c] * (1 - f) + stops[k + 1][c] * f;
      table[i * 4 + c] = v * (1 - wash) + COLOURS.card[c] * wash;
    }
    table[i * 4 + 3] = 255;
  }
  return table;
}

// 256 RGBA entries from the card's light grey (a neuron that is silent) to the series' purple
// (one that fires at full strength): how strongly neurons fire, never a class or a sign.
export function activityTable() {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    for (let c = 0; c < 3; c++) table[i * 4 + c] = COLOURS.zero[c] + ((COLOURS.active[c] - COLOURS.zero[c]) * i) / 255;
    table[i * 4 + 3] = 255;
  }
  return table;
}

// The key to activityTable's colours, for a figure's caption: "silent [ramp] fires strongly".
export function activityKey() {
  return el("span", { class: "nn-activity" }, "silent",
    el("span", { class: "nn-activity-ramp", "aria-hidden": "true" }), "fires strongly");
}

// Draw values (Float32Array, rows top to bottom) of a `width` x `height` grid onto the whole
// of `canvas`, each value in [low, high] looked up in `table`.
export function drawHeatmap(canvas, values, width, height, table, low = 0, high = 1) {
  const image = new ImageData(width, height);
  const pixels = image.data;
  const scale = 255 / (high - low);
  for (let i = 0; i < values.length; i++) {
    const j = Math.max(0, Math.min(255, Math.round((values[i] - low) * scale))) * 4;
    pixels[i * 4] = table[j];
    pixels[i * 4 + 1] = table[j + 1];
    pixels[i * 4 + 2] = table[j + 2];
    pixels[i * 4 + 3] = 255;
  }
  drawScaled(canvas, image);
}

// Draw `image` (an ImageData, one pixel per grid cell) onto the whole of `canvas`, smoothed.
export function drawScaled(canvas, image) {
  const scratch = drawScaled.scratch || (drawScaled.scratch = document.createElement("canvas"));
  scratch.width = image.width;
  scratch.height = image.height;
  scratch.getContext("2d").putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0); // every device pixel of the canvas, however it is scaled
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

// The colour of `table` (256 RGBA entries) for a value v in [low, high], as CSS.
export function activityColour(table, v, low, high = 1) {
  const j = Math.max(0, Math.min(255, Math.round(((v - low) / (high - low)) * 255))) * 4;
  return `rgb(${table[j]}, ${table[j + 1]}, ${table[j + 2]})`;
}

// One small square per value (a hidden layer's activations), `columns` to a row, each
// coloured from `table` by where the value lies in [low, high].
export const CELL = 12;

export function drawCells(canvas, values, table, low, high = 1, columns = 8) {
  const ctx = context2d(canvas);
  ctx.fillStyle = css(COLOURS.card);
  const { width, height } = canvas.size ?? canvas;
  ctx.fillRect(0, 0, width, height);
  values.forEach((v, i) => {
    ctx.fillStyle = activityColour(table, v, low, high);
    ctx.fillRect((i % columns) * CELL + 1, Math.floor(i / columns) * CELL + 1, CELL - 2, CELL - 2);
  });
}

// Free-hand drawing on `canvas` with a mouse, a finger or a pen (pointer events; the CSS
// class nn-drawable stops a finger from scrolling the page instead). At each stroke's start
// pen() gives its {colour, width} in canvas pixels, or null to ignore the pointer;
// drawn() follows every piece of stroke. Returns the canvas's 2-D context.
export function freehand(canvas, { pen, drawn }) {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let last = null;
  const position = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * canvas.width,
      ((event.clientY - box.top) / box.height) * canvas.height];
  };
  const stroke = (from, to) => {
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  };
  canvas.addEventListener("pointerdown", (event) => {
    const style = pen();
    if (!style) return;
    Object.assign(ctx, { strokeStyle: style.colour, lineWidth: style.width, lineCap: "round", lineJoin: "round" });
    canvas.setPointerCapture(event.pointerId);
    last = position(event);
    stroke(last, last);
    drawn();
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    // A fast pen reports several positions per event: draw through all of them.
    for (const e of event.getCoalescedEvents?.() || [event]) {
      const next = position(e);
      stroke(last, next);
      last = next;
    }
    drawn();
  });
  const end = () => (last = null);
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  return ctx;
}

// The ink of a drawing on `ctx` (drawn by freehand in black on a clear canvas): (width * height,)
// 0 (paper) to 255 (ink), row by row, read from the alpha channel.
export function inkOf(ctx, width, height) {
  const image = ctx.getImageData(0, 0, width, height).data;
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = image[4 * i + 3];
  return ink;
}

// Put one colour per cell, [r, g, b] = colour(i) for cell i row by row, on a canvas of
// `width` x `height` pixels (the page scales it up without smoothing).
export function paintPixels(canvas, width, height, colour) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const image = new ImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = colour(i);
    image.data.set([r, g, b, 255], 4 * i);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

// A canvas of `width` x `height` CSS pixels with as many device pixels as the screen has (a
// phone's 3 per CSS pixel keep text and lines sharp). Drawing goes through context2d(canvas),
// in CSS pixels; canvas.size holds {width, height, scale}.
export function sharpCanvas(width, height, attributes = {}) {
  const scale = Math.min(3, Math.max(1, globalThis.devicePixelRatio || 1));
  const canvas = el("canvas", { width: Math.round(width * scale), height: Math.round(height * scale), ...attributes });
  canvas.size = { width, height, scale };
  canvas.style.setProperty("--nn-width", `${width}px`); // its size on the page, unless a class sets one
  return canvas;
}

// The 2-D context of a canvas, set to draw in its CSS pixels (see sharpCanvas).
export function context2d(canvas) {
  const ctx = canvas.getContext("2d");
  const scale = canvas.size?.scale ?? 1;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  return ctx;
}

// A canvas with a text alternative: role="img" and an aria-label kept up to date. A picture
// whose pixels are the data (a drawing read back, a 16 x 16 input) keeps one pixel per pixel;
// charts, planes and anything with text or lines are drawn sharp (sharp: true, see sharpCanvas).
export function figureCanvas(width, height, label, className = "", { sharp = false } = {}) {
  const attributes = { role: "img", "aria-label": label, class: `nn-canvas ${className}` };
  return sharp ? sharpCanvas(width, height, attributes) : el("canvas", { width, height, ...attributes });
}

// --- A line chart of one or more series (e.g. train and test loss per epoch).

export class LineChart {
  // firstX: the x of each series' first value (0 when it starts before any training). logX:
  // the x-axis runs on a log scale (firstX 1 or more), so the first epochs, where most happens,
  // keep their room after thousands; the axis spans at least `span` epochs.
  // `guides` are horizontal lines with a name, e.g. [{value: 0.1, name: "chance"}].
  constructor({ width = 320, height = 180, yLabel = "loss", xLabel = "epoch", series, yMin = null, yMax = null,
                firstX = 1, xStep = 1, format = formatNumber, logX = false, span = 10, guides = [] }) {
    this.canvas = figureCanvas(width, height, `${yLabel} per ${xLabel}: no data yet`, "nn-chart", { sharp: true });
    // A narrow screen gets a narrower chart, not a smaller one: its text keeps its size.
    this.widest = width;
    if ("ResizeObserver" in globalThis) {
      this.resizing = new ResizeObserver(() => this.fit());
      queueMicrotask(() => this.canvas.parentElement && this.resizing.observe(this.canvas.parentElement));
    }
    this.xStep = xStep;
    this.logX = logX;
    this.span = span;
    this.guides = guides;
    this.yLabel = yLabel;
    this.xLabel = xLabel;
    this.series = series.map((s) => ({ ...s, values: [] }));
    this.yMin = yMin;
    this.yMax = yMax;
    this.firstX = firstX;
    this.xStep = xStep;
    this.format = format;
    this.draw();
  }

  clear() {
    for (const s of this.series) s.values = [];
    this.draw();
  }

  // Put these values in place of each series' own: replace({train: [..], test: [..]}).
  replace(points) {
    for (const s of this.series) s.values = Array.from(points[s.key] || []);
    this.draw();
  }

  // Take the width the page gives the chart (up to the width it was made with), in as many
  // device pixels, and draw again.
  fit() {
    const { canvas } = this;
    if (!canvas.isConnected) return this.resizing.disconnect();
    const width = Math.max(200, Math.min(this.widest, Math.floor(canvas.parentElement.clientWidth)));
    if (width === canvas.size.width) return;
    canvas.size.width = width;
    canvas.width = Math.round(width * canvas.size.scale);
    canvas.style.setProperty("--nn-width", `${width}px`);
    this.draw();
  }

  // Append the new points of each series: extend({train: [..], test: [..]}).
  extend(points) {
    for (const s of this.series) if (points[s.key]) s.values.push(...points[s.key]);
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ctx = context2d(canvas);
    const { width: w, height: h } = canvas.size;
    ctx.font = "11px sans-serif";
    // The legend, above the plot, wraps onto as many rows as the names need.
    const legend = [];
    let legendX = 52;
    let row = 0;
    for (const s of this.series) {
      const width = 22 + ctx.measureText(s.name).width;
      if (legendX > 52 && legendX + width > w - 4) {
        legendX = 52;
        row += 1;
      }
      legend.push({ s, x: legendX, y: 10 + 15 * row });
      legendX += width + 16;
    }
    const pad = { left: 44, right: 10, top: 24 + 15 * row, bottom: this.logX ? 36 : 30 };
    ctx.fillStyle = css(COLOURS.card);
    ctx.fillRect(0, 0, w, h);
    const n = Math.max(2, ...this.series.map((s) => s.values.length));
    // A loop, not Math.min(...values): a long run has more values than a call takes arguments.
    let lowest = Infinity;
    let highest = -Infinity;
    for (const s of this.series) {
      for (const v of s.values) {
        if (!Number.isFinite(v)) continue;
        lowest = Math.min(lowest, v);
        highest = Math.max(highest, v);
      }
    }
    const any = lowest <= highest;
    let low = this.yMin ?? (any ? lowest : 0);
    let high = this.yMax ?? (any ? highest : 1);
    if (this.yMin === null) low = Math.min(0, low);
    if (high - low < 1e-9) high = low + 1;
    const count = Math.max(0, ...this.series.map((s) => s.values.length));
    const lastX = count ? this.firstX + count - 1 : 0;
    const plotWidth = w - pad.left - pad.right;
    const lowX = Math.log10(this.firstX || 1);
    const highX = Math.log10(Math.max(this.firstX + this.span, lastX));
    const x = this.logX
      ? (i) => pad.left + ((Math.log10(this.firstX + i) - lowX) / (highX - lowX)) * plotWidth
      : (i) => pad.left + (i / (n - 1)) * plotWidth;
    this.xAt = (epoch) => x(epoch - this.firstX); // where an epoch is drawn, in CSS pixels
    const y = (v) => h - pad.bottom - ((v - low) / (high - low)) * (h - pad.top - pad.bottom);
    ctx.strokeStyle = css(COLOURS.axes);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad.left, pad.top);
    ctx.lineTo(pad.left, h - pad.bottom);
    ctx.lineTo(w - pad.right, h - pad.bottom);
    ctx.stroke();
    ctx.fillStyle = css(COLOURS.axes);
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of [low, (low + high) / 2, high]) ctx.fillText(this.format(v), pad.left - 4, y(v));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    if (this.logX) {
      // A tick at each power of ten, labelled: 1, 10, 100, 1,000...
      for (let e = 10 ** Math.ceil(lowX); Math.log10(e) <= highX + 1e-9; e *= 10) {
        const at = x(e - this.firstX);
        ctx.beginPath();
        ctx.moveTo(at, h - pad.bottom);
        ctx.lineTo(at, h - pad.bottom + 3);
        ctx.stroke();
        ctx.fillText(e.toLocaleString("en"), at, h - pad.bottom + 3);
      }
    }
    const scale = this.logX ? ", log scale" : "";
    const end = lastX * this.xStep;
    const lastLabel = Number.isInteger(end) ? end : end.toFixed(1);
    ctx.fillText(`${this.xLabel} (${lastLabel}${scale})`, (pad.left + w - pad.right) / 2, h - pad.bottom + (this.logX ? 20 : 14));
    for (const guide of this.guides) {
      ctx.strokeStyle = css(COLOURS.axes);
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(pad.left, y(guide.value));
      ctx.lineTo(w - pad.right, y(guide.value));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = css(COLOURS.axes);
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText(guide.name, w - pad.right - 2, y(guide.value) - 1);
    }
    for (const s of this.series) {
      ctx.strokeStyle = css(s.colour);
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      tracePath(ctx, s.values, x, y, plotWidth);
      ctx.stroke();
      ctx.setLineDash([]);
      // The legend, above the plot: a short stroke in the series' style, then its name.
      ctx.strokeStyle = css(s.colour);
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      const key = legend.find((k) => k.s === s);
      ctx.moveTo(key.x, key.y);
      ctx.lineTo(key.x + 18, key.y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = css(COLOURS.text);
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(s.name, key.x + 22, key.y);
    }
    const last = this.series
      .filter((s) => s.values.length)
      .map((s) => `${s.name} ${this.format(s.values[s.values.length - 1])}`);
    this.canvas.setAttribute(
      "aria-label",
      (count ? `${this.yLabel} over ${lastLabel} ${this.xLabel}s; now ${last.join("; ")}`
        : `${this.yLabel} per ${this.xLabel}: no data yet`) +
        this.guides.map((guide) => `; dotted line: ${guide.name}`).join(""),
    );
  }
}

// The path through values[i] at (x(i), y(values[i])). Where values outnumber the canvas's pixel
// columns, each column gets a stroke from its lowest to its highest value instead of every
// point: the line keeps its spikes, and drawing costs the same however long training runs.
function tracePath(ctx, values, x, y, columns) {
  if (values.length <= columns) {
    values.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    return;
  }
  ctx.moveTo(x(0), y(values[0]));
  let column = Math.round(x(0));
  let low = values[0];
  let high = values[0];
  for (let i = 1; i <= values.length; i++) {
    const here = i < values.length ? Math.round(x(i)) : null;
    if (here === column) {
      low = Math.min(low, values[i]);
      high = Math.max(high, values[i]);
      continue;
    }
    ctx.lineTo(column, y(low));
    ctx.lineTo(column, y(high));
    if (here !== null) {
      column = here;
      low = high = values[i];
    }
  }
}

// --- Bars, one per name, each a value in [0, 1] drawn as a width and written beside it.

export class Bars {
  constructor(label) {
    this.element = el("ol", { class: "nn-bars", "aria-label": label });
    this.parts = [];
    this.names = null;
  }

  // Set the names (a bar each), keeping the bars when they are the same.
  label(names, label) {
    if (label) this.element.setAttribute("aria-label", label);
    if (this.names && this.names.join("\n") === names.join("\n")) return;
    this.names = names.slice();
    this.element.replaceChildren();
    this.parts = names.map((name) => {
      const bar = el("span", { class: "nn-bar" });
      const value = el("span", { class: "nn-value", text: "–" });
      this.element.append(el("li", {}, el("span", { text: name }), el("span", { class: "nn-bar-track" }, bar), value));
      return { bar, value };
    });
  }

  // `chosen` lists the indices to mark as the answer; `format` writes each value.
  show(values, chosen, format = percent) {
    values.forEach((v, i) => {
      this.parts[i].bar.style.width = `${(v * 100).toFixed(1)}%`;
      this.parts[i].bar.classList.toggle("nn-bar-best", chosen.includes(i));
      this.parts[i].value.textContent = format(v);
    });
  }

  clear() {
    for (const part of this.parts) {
      part.bar.style.width = "0%";
      part.value.textContent = "–";
    }
  }
}

// A sum written with each term's own sign: [[6, "0.50"], [-10, "0"], [-5]] gives
// "6.0 × 0.50 − 10.0 × 0 − 5.0" (with times = " × "). A term without a factor is a bias.
export function signedSum(terms, digits = 1, times = " × ") {
  return terms
    .map(([weight, factor], i) => {
      const size = Math.abs(weight).toFixed(digits);
      // A weight that rounds to zero is written without a sign: "0.0", never "−0.0".
      const negative = weight < 0 && Number(size) !== 0;
      const sign = negative ? (i ? " − " : "−") : i ? " + " : "";
      return sign + size + (factor === undefined ? "" : times + factor);
    })
    .join("");
}

// A number as a reader writes it: plain decimals ("0.005", not "5.0e-3"), two decimals from
// 0.01 to 10, fewer above; never a minus zero.
export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  let text;
  if (a >= 100) text = v.toFixed(0);
  else if (a >= 10) text = v.toFixed(1);
  else if (a >= 0.01 || a === 0) text = v.toFixed(2);
  else {
    // Two significant digits, written out in full, without the zeros that follow them.
    text = v.toFixed(Math.min(20, 1 - Math.floor(Math.log10(a)))).replace(/0+$/, "");
  }
  return /^-[0.]*$/.test(text) ? text.slice(1) : text;
}

// A share as a percentage, its sign held to the number by a no-break space: "100 %".
export const percent = (share) => `${Math.round(share * 100)}\u00a0%`;
