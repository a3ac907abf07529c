// The playground (post 3): choose data and a network, train it, watch the regions form.
// Python (demos/widgets/playground.py) trains and evaluates; this module draws and listens.
// The menus, sliders and their limits come from the options the model declares (model.spec).
//
// The settings live in one plain object that round-trips through the URL hash, so a reader
// can share a configuration: #pg.hidden=8,8&pg.lr=0.03... Only the keys below are read,
// each checked against what the controls can show (a menu's choices, a slider's steps);
// anything else is ignored.

import {
  el, slider, select, buttonRow, latest as newest, trainingControls, inOrder, LineChart, COLOURS, css,
  divergingTable, activityTable, activityKey, drawHeatmap, figureCanvas, sharpCanvas, context2d, formatNumber, newId,
  choicesOf, percent, seedInput, linkedSettings, numberMenu, hashFromSettings,
} from "./ui.js";

const PLANE = 400; // CSS pixels of the decision-region picture (it shrinks to fit a narrow screen)
const UNIT = 28; // CSS pixels of one hidden unit's picture
// Epochs a second at the speeds one can follow; "fast" trains as fast as the browser can.
export const SPEEDS = { slow: 5, normal: 30 };

// What the browser trains smoothly. An epoch costs about one pass through every hidden
// neuron per weight update (Python's overhead per update outweighs the arithmetic at these
// sizes), so the budget is hidden neurons x weight updates per epoch: 4 + 4 neurons with
// batches of 10 use 117, all 64 neurons with batches of 1 on 90 % of the points 14,400.
// A network past it is narrowed, widest layers first, until it fits.
export const WORK_BUDGET = 2000;

// How many of the points train the network, as the model splits them.
const trainingPoints = ({ n_samples: n, split }) => Math.min(n - 1, Math.max(1, Math.round(split * n)));
const sum = (list) => list.reduce((a, b) => a + b, 0);

// Narrow settings.hidden to the budget; returns a sentence saying what was capped, or "".
export function capNetwork(settings) {
  const updates = Math.ceil(trainingPoints(settings) / settings.batch_size);
  const asked = sum(settings.hidden);
  const hidden = settings.hidden.slice();
  while ((sum(hidden) + 1) * updates > WORK_BUDGET && Math.max(...hidden) > 1) {
    hidden[hidden.lastIndexOf(Math.max(...hidden))] -= 1;
  }
  if (sum(hidden) === asked) return "";
  settings.hidden = hidden;
  return `Network capped at ${sum(hidden)} hidden neurons (${hidden.join(", ")}) instead of ${asked}: ` +
    `with ${updates} weight updates per epoch (batch size ${settings.batch_size}), ` +
    "a larger one would train too slowly in the browser.";
}

// --- Settings <-> URL hash: each option's key in a link.
const HASH_KEYS = {
  dataset: "pg.dataset", noise: "pg.noise", hidden: "pg.hidden", activation: "pg.activation", learning_rate: "pg.lr",
  batch_size: "pg.batch", optimizer: "pg.optimizer", l2: "pg.l2", split: "pg.split", seed: "pg.seed",
};


export async function mount(container, api) {
  const spec = api.model.spec;
  const { settings, linked } = linkedSettings(api, "playground", HASH_KEYS);
  const capped = capNetwork(settings);
  const model = JSON.stringify(settings) === JSON.stringify(api.model.settings)
    ? api.model : { ...api.model, ...(await api.call("configure", settings)) };

  // --- Controls.
  const rows = [];
  const dataset = select({
    label: "Data", choices: choicesOf(spec.dataset), value: settings.dataset,
    onChange: (v) => change({ dataset: v }),
  });
  const noise = slider({
    label: "Noise", min: spec.noise.number[0], max: spec.noise.number[1], step: spec.noise.step, value: settings.noise,
    onInput: (v) => change({ noise: v }),
  });
  const split = slider({
    label: "Training share", min: spec.split.number[0], max: spec.split.number[1], step: spec.split.step,
    value: settings.split,
    format: percent, onInput: (v) => change({ split: v }),
  });
  const layers = select({
    label: "Hidden layers",
    choices: Array.from({ length: spec.hidden.widths[0] + 1 }, (_, n) => [n, String(n)]),
    value: settings.hidden.length,
    onChange: (v) => {
      const hidden = settings.hidden.slice(0, Number(v));
      while (hidden.length < Number(v)) hidden.push(hidden[hidden.length - 1] || 4);
      change({ hidden });
    },
  });
  const widthBox = el("div", { class: "nn-widths" });
  const activation = select({
    label: "Activation", choices: choicesOf(spec.activation),
    value: settings.activation, onChange: (v) => change({ activation: v }),
  });
  // A number from the block (the author's choice) that is not among the usual ones is added
  // to them; a link can only pick one of them (see HASH_KEYS).
  const numbers = (label, name) => numberMenu(label, spec[name], settings[name], (v) => change({ [name]: v }));
  const rate = numbers("Learning rate", "learning_rate");
  const batch = numbers("Batch size", "batch_size");
  const l2 = numbers("L2", "l2");
  const optimizer = select({
    label: "Optimiser", choices: choicesOf(spec.optimizer),
    value: settings.optimizer, onChange: (v) => change({ optimizer: v }),
  });
  const seed = seedInput(spec.seed, () => settings.seed, (v) => change({ seed: v }));

  // --- Talking to Python: one call at a time, in order.
  const enqueue = inOrder();
  const training = trainingControls({
    api, enqueue, show,
    resetSays: () => `Reset: the same starting weights again (seed ${settings.seed}).`,
    paused: () => `Paused at epoch ${latest.epoch}.`,
    failed: (error) => {
      if (error.type !== "TrainingDiverged") return api.fail(error);
      api.status(`Training stopped: ${error.message}`);
      training.resetButton.classList.add("nn-attention");
    },
    maxPerCall: 100,
    speeds: SPEEDS,
  });
  const showTest = el("input", { type: "checkbox", id: newId("test") });
  showTest.addEventListener("change", () => drawPlane());

  // --- Pictures.
  const plane = figureCanvas(PLANE, PLANE, "", "nn-plane", { sharp: true });
  const chart = new LineChart({
    width: 360, height: 170, yLabel: "loss", logX: true,
    series: [
      { key: "train", name: "train", colour: COLOURS.text },
      { key: "test", name: "test", colour: COLOURS.neutral, dashed: true },
    ],
  });
  const units = el("div", { class: "nn-units" });
  const readout = el("p", { class: "nn-readout" });
  const legend = el("span", {},
    el("span", { class: "nn-key nn-key-0", "aria-hidden": "true" }), " class 0,",
    el("span", { class: "nn-key nn-key-1", "aria-hidden": "true" }), " class 1; shaded behind them, the class the network answers there. Test points are ringed. ");

  // The plane, the buttons, the main settings and the loss sit together in one screen: side by
  // side on a wide screen; on a narrow one the plane stays on screen (sticky) above the
  // controls that change it. Everything else follows in sections (`more`) that can grow.
  container.append(
    el("div", { class: "nn-playground" },
      el("div", { class: "nn-pg-main" },
        el("figure", { class: "nn-pg-plane" }, plane,
          el("figcaption", {}, legend, el("label", { class: "nn-check" }, showTest, "Show the test points"))),
        el("div", { class: "nn-pg-side" },
          buttonRow("Training", [training.trainButton, training.stepButton, training.resetButton]),
          readout,
          el("div", { class: "nn-controls nn-pg-settings" }, training.speed.element,
            dataset.element, layers.element, widthBox, activation.element, rate.element)),
        el("figure", { class: "nn-pg-chart" }, chart.canvas,
          el("figcaption", { text: "Loss per epoch on the training points (solid) and the test points (dashed)" }))),
      el("div", { class: "nn-pg-more" },
        el("fieldset", { class: "nn-controls" }, el("legend", { text: "Data" }),
          noise.element, split.element, seed),
        el("fieldset", { class: "nn-controls" }, el("legend", { text: "Training" }),
          batch.element, optimizer.element, l2.element),
        el("figure", { class: "nn-pg-units" }, units,
          el("figcaption", {}, "What each hidden neuron responds to, over the same plane: ", activityKey())))));

  const outputTable = divergingTable(0.35);
  const unitTable = activityTable();
  let latest = model;
  let unitCanvases = [];
  let widthSliders = [];

  // An answer is taken in as it arrives: the words (readout, the picture's description) at once,
  // the pictures in a task of their own just after. By then the training loop has sent its next
  // call, so Python computes while the page draws instead of waiting for it.
  let losses = { train: [], test: [] }; // arrived, not yet in the chart
  let clearChart = false;
  let lastLoss = { train: "–", test: "–" };
  let drawing = 0; // the pending drawing task

  function show(answer, fresh = false) {
    latest = { ...latest, ...answer };
    if (fresh) {
      losses = { train: [], test: [] };
      clearChart = true;
      lastLoss = { train: "–", test: "–" };
    }
    for (const key of ["train", "test"]) {
      const values = answer[`${key}_loss`];
      losses[key].push(...values);
      if (values.length) lastLoss[key] = formatNumber(values[values.length - 1]);
    }
    readout.textContent = `Epoch ${latest.epoch} · loss: train ${lastLoss.train}, test ${lastLoss.test} · ` +
      `accuracy: train ${percent(latest.train_accuracy)}, test ${percent(latest.test_accuracy)}`;
    plane.setAttribute("aria-label",
      `Decision regions of the network after ${latest.epoch} epochs on the ${settings.dataset} data: ` +
      `orange where it answers class 0, blue where class 1. It classifies ` +
      `${percent(latest.train_accuracy)} of the ${latest.train_labels.length} training points ` +
      `and ${percent(latest.test_accuracy)} of the ${latest.test_labels.length} test points correctly.`);
    if (!drawing) drawing = setTimeout(draw);
  }

  function draw() {
    drawing = 0;
    if (clearChart) chart.clear();
    clearChart = false;
    chart.extend(losses);
    losses = { train: [], test: [] };
    drawPlane();
    drawUnits();
  }

  // The points stay put while the network trains: they are drawn once onto a canvas of their
  // own, which each new picture of the regions then only copies.
  let dots = { canvas: null, points: null, test: null };

  function drawPlane() {
    drawHeatmap(plane, latest.output, latest.grid, latest.grid, outputTable);
    if (dots.points !== latest.train_points || dots.test !== showTest.checked) {
      dots = { canvas: dots.canvas || sharpCanvas(PLANE, PLANE), points: latest.train_points,
        test: showTest.checked };
      drawDots(dots.canvas);
    }
    const ctx = plane.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(dots.canvas, 0, 0, plane.width, plane.height);
  }

  function drawDots(canvas) {
    const ctx = context2d(canvas);
    ctx.clearRect(0, 0, PLANE, PLANE);
    const scale = PLANE / (2 * latest.extent);
    const dot = (x, y, label, test) => {
      ctx.beginPath();
      ctx.arc((x + latest.extent) * scale, (latest.extent - y) * scale, 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = css(label ? COLOURS.blue : COLOURS.orange);
      ctx.fill();
      ctx.lineWidth = test ? 2 : 1;
      ctx.strokeStyle = test ? css(COLOURS.text) : "white";
      ctx.stroke();
    };
    const draw = (points, labels, test) => {
      for (let i = 0; i < labels.length; i++) dot(points[2 * i], points[2 * i + 1], labels[i], test);
    };
    draw(latest.train_points, latest.train_labels, false);
    if (showTest.checked) draw(latest.test_points, latest.test_labels, true);
  }

  function buildUnits() {
    units.replaceChildren();
    unitCanvases = [];
    if (!settings.hidden.length) {
      units.append(el("p", {
        text: "No hidden layers: the output neuron sees the inputs directly, so its boundary is a straight line.",
      }));
      return;
    }
    settings.hidden.forEach((width, layer) => {
      const row = el("div", { class: "nn-unit-row" },
        el("span", { class: "nn-unit-label", text: `Layer ${layer + 1}` }));
      for (let j = 0; j < width; j++) {
        const canvas = figureCanvas(UNIT, UNIT, `Layer ${layer + 1}, neuron ${j + 1}`, "nn-unit", { sharp: true });
        unitCanvases.push(canvas);
        row.append(canvas);
      }
      units.append(row);
    });
  }

  function drawUnits() {
    const n = latest.unit_grid * latest.unit_grid;
    unitCanvases.forEach((canvas, k) => {
      const values = latest.units.subarray(k * n, (k + 1) * n);
      // The activation's range; one without an upper end is shaded up to the largest value shown.
      const [low, high] = latest.unit_bounds;
      drawHeatmap(canvas, values, latest.unit_grid, latest.unit_grid, unitTable, low, high ?? Math.max(1e-6, ...values));
    });
  }

  function buildWidths() {
    widthBox.replaceChildren();
    widthSliders = [];
    settings.hidden.forEach((width, i) => {
      const control = slider({
        label: `Neurons in layer ${i + 1}`, min: 1, max: spec.hidden.widths[1], step: 1, value: width,
        format: (v) => String(v),
        onInput: (v) => {
          const hidden = settings.hidden.slice();
          hidden[i] = v;
          change({ hidden });
        },
      });
      widthSliders.push(control);
      widthBox.append(control.element);
    });
  }

  // A setting changed: new data or a new network, from the start (the seed replays it).
  // While one change is being applied, further ones (a dragged slider) collapse into one.
  function change(update) {
    Object.assign(settings, update);
    const note = capNetwork(settings);
    if (linked) history.replaceState(history.state, "", hashFromSettings(settings, location.hash, HASH_KEYS));
    if ("hidden" in update || note) {
      if (settings.hidden.length !== widthSliders.length) buildWidths();
      else settings.hidden.forEach((width, i) => (widthSliders[i].value = width));
      buildUnits();
    }
    if (note) api.status(note);
    apply();
  }

  const apply = newest(async () => {
    const wasRunning = training.loop.running;
    training.loop.stop();
    await training.attempt(async () => {
      show(await api.call("configure", settings), true);
      if (wasRunning) training.train();
    });
  });

  buildWidths();
  buildUnits();
  show(model, true);
  return {
    status: capped, // shown once the widget is ready
    unmount() {
      training.loop.stop();
      clearTimeout(drawing);
    },
  };
}
