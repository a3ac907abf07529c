// The playground (post 3): choose data and a network, train it, watch the regions form.
// Python (demos/widgets/playground.py) trains and evaluates; this module draws and listens.
// The menus, sliders and their limits come from the options the model declares (model.spec).
//
// The settings live in one plain object that round-trips through the URL hash, so a reader
// can share a configuration: #pg.hidden=8,8&pg.lr=0.03... Only the keys below are read,
// each checked against what the controls can show (a menu's choices, a slider's steps);
// anything else is ignored. The reader's own points go in the link too (pg.own), while they
// are few enough for a link (LINK_POINTS).
//
// Beyond the data and the network: two to four classes, points placed by hand on the plane
// (points.js), extra inputs, the network drawn with every neuron's picture and weight
// (network.js: a neuron pointed at shows large on the plane, a hidden one clicked is switched
// off), and a replay slider that goes back through the snapshots the model keeps.

import {
  el, slider, select, button, buttonRow, latest as newest, trainingControls, inOrder, LineChart, COLOURS, css,
  divergingTable, drawHeatmap, drawScaled, figureCanvas, sharpCanvas, context2d, formatNumber, newId,
  choicesOf, percent, seedInput, linkedSettings, numberMenu, hashFromSettings,
} from "./ui.js";
import { CLASSES, CLASS_NAMES, REGION_STRENGTH } from "./palette.js";
import { PlacedPoints, placingHelp, RADIUS } from "./points.js";
import { NetworkDiagram } from "./network.js";

const PLANE = 400; // CSS pixels of the decision-region picture (it shrinks to fit a narrow screen)
const LENS = 176; // CSS pixels of its copy beside the network, where the plane is out of sight
// Epochs a second at the speeds one can follow; "fast" trains as fast as the browser can.
export const SPEEDS = { slow: 5, normal: 30 };
const LINK_POINTS = 60; // the reader's own points a shared link holds (each about 13 characters)

// What the browser trains smoothly. An epoch costs about one pass through every hidden
// neuron per weight update (Python's overhead per update outweighs the arithmetic at these
// sizes), so the budget is hidden neurons x weight updates per epoch: 4 + 4 neurons with
// batches of 10 use 117, all 64 neurons with batches of 1 on 90 % of the points 14,400.
// A network past it is narrowed, widest layers first, until it fits.
export const WORK_BUDGET = 2000;

// How many of the points train the network, as the model splits them (the reader's own too).
const trainingPoints = ({ n_samples: n, split, points = [] }) =>
  (n ? Math.min(n - 1, Math.max(1, Math.round(split * n))) : 0) + Math.ceil(split * points.length);
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
  dataset: "pg.dataset", classes: "pg.classes", noise: "pg.noise", n_samples: "pg.n", features: "pg.inputs",
  hidden: "pg.hidden", activation: "pg.activation", learning_rate: "pg.lr", batch_size: "pg.batch",
  optimizer: "pg.optimizer", l2: "pg.l2", split: "pg.split", seed: "pg.seed", data_seed: "pg.data",
};
const OWN_KEY = "pg.own";

// The reader's points in a link: x, y and class of each, one after another, "0.12,-0.5,1,...".
function ownPointsFromHash(hash, classes) {
  const text = new URLSearchParams(hash.replace(/^#/, "")).get(OWN_KEY);
  if (!text) return undefined;
  const values = text.split(",").map(Number);
  if (values.length % 3 || values.length / 3 > LINK_POINTS || !values.every(Number.isFinite)) return undefined;
  const points = [];
  for (let i = 0; i < values.length; i += 3) points.push([values[i], values[i + 1], values[i + 2]]);
  return points.every(([, , c]) => Number.isInteger(c) && c >= 0 && c < classes) ? points : undefined;
}

function linkOf(settings) {
  const params = new URLSearchParams(hashFromSettings(settings, location.hash, HASH_KEYS).slice(1));
  if (settings.points.length && settings.points.length <= LINK_POINTS) params.set(OWN_KEY, settings.points.join(","));
  else params.delete(OWN_KEY);
  return "#" + params.toString().replaceAll("%2C", ",");
}

const round2 = (v) => Math.round(v * 100) / 100;

export async function mount(container, api) {
  const spec = api.model.spec;
  const { settings, linked } = linkedSettings(api, "playground", HASH_KEYS);
  const own = linked ? ownPointsFromHash(location.hash, settings.classes) : undefined;
  if (own) settings.points = own;
  const capped = capNetwork(settings);
  const model = JSON.stringify(settings) === JSON.stringify(api.model.settings)
    ? api.model : { ...api.model, ...(await api.call("configure", settings)) };
  let latest = model; // the model's answers so far, merged

  // --- Controls.
  const dataset = select({
    label: "Data", choices: choicesOf(spec.dataset), value: settings.dataset,
    onChange: (v) => change({ dataset: v }),
  });
  const classes = numberMenu("Classes", spec.classes, settings.classes, (v) => changeClasses(v));
  const noise = slider({
    label: "Noise", min: spec.noise.number[0], max: spec.noise.number[1], step: spec.noise.step, value: settings.noise,
    onInput: (v) => change({ noise: v }),
  });
  const count = slider({
    label: "Points", min: spec.n_samples.number[0], max: spec.n_samples.number[1], step: spec.n_samples.step,
    value: settings.n_samples, format: String, onInput: (v) => change({ n_samples: v }),
  });
  const split = slider({
    label: "Training share", min: spec.split.number[0], max: spec.split.number[1], step: spec.split.step,
    value: settings.split,
    format: percent, onInput: (v) => change({ split: v }),
  });
  const regenerate = button("Regenerate", () => change({ data_seed: settings.data_seed + 1 }),
    { title: "New points from the next data seed; the network's start stays" });
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
  const featureBoxes = spec.features.flags.map((name) => {
    const input = el("input", { type: "checkbox", id: newId("feature"), value: name });
    input.checked = settings.features.includes(name);
    input.addEventListener("change", () =>
      change({ features: featureBoxes.filter((box) => box.checked).map((box) => box.value) }));
    return input;
  });
  const inputs = el("fieldset", { class: "nn-controls nn-pg-inputs" },
    el("legend", { text: "Inputs besides x and y" }),
    ...featureBoxes.map((input) => el("label", { class: "nn-check" }, input, spec.features.labels[input.value])));

  // --- Talking to Python: one call at a time, in order.
  const enqueue = inOrder();
  let replaying = null; // the snapshot shown, while going back through the run
  const training = trainingControls({
    api, enqueue, show,
    resetSays: () => `Reset: the same starting weights again (seed ${settings.seed}).`,
    paused: () => `Paused at epoch ${latest.epoch}.`,
    failed: (error) => {
      if (error.type === "ValueError") return api.status(error.message); // no points to train on, say
      if (error.type !== "TrainingDiverged") return api.fail(error);
      api.status(`Training stopped: ${error.message}`);
      training.resetButton.classList.add("nn-attention");
    },
    // Training goes on from the latest weights: a replay ends first.
    step: async (epochs) => {
      if (replaying !== null) show(await api.call("replay", { index: latest.replay_epochs.length }));
      show(await api.call("step", { epochs }));
      return true;
    },
    maxPerCall: 100,
    speeds: SPEEDS,
  });
  const showTest = el("input", { type: "checkbox", id: newId("test") });
  showTest.addEventListener("change", () => drawPlane());

  // --- Pictures.
  const plane = figureCanvas(PLANE, PLANE, "", "nn-plane", { sharp: true });
  let chosenClass = 0;
  const placed = new PlacedPoints(plane, {
    size: PLANE, extent: model.extent, classes: () => settings.classes, chosen: () => chosenClass,
    max: model.max_own_points, edited: () => pointsEdited(),
    selected: (i) => {
      removeButton.disabled = i < 0;
      drawPlane();
    },
    full: () => api.status(`At most ${model.max_own_points} points of your own.`),
  });
  const helpId = newId("help");
  plane.setAttribute("aria-describedby", helpId);
  const removeButton = button("Remove the selected point", () => placed.removeSelected(),
    { disabled: true, class: "nn-button nn-small" });
  const clearButton = button("Clear your points", () => placed.clear(), { class: "nn-button nn-small" });
  const classChoice = el("fieldset", { class: "nn-buttons nn-pg-classes" });
  const chart = new LineChart({
    width: 360, height: 170, yLabel: "loss", logX: true,
    series: [
      { key: "train", name: "train", colour: COLOURS.text },
      { key: "test", name: "test", colour: COLOURS.neutral, dashed: true },
    ],
  });
  const replay = slider({
    label: "Go back to", min: 0, max: 0, step: 1, value: 0,
    format: (i) => (i >= latest.replay_epochs.length ? "now" : `epoch ${latest.replay_epochs[i]}`),
    onInput: (i) => goBack(i),
  });
  replay.element.classList.add("nn-pg-replay");
  const readout = el("p", { class: "nn-readout" });
  let focusedNeuron = null;
  // The plane again, smaller, beside the network: a neuron pointed at there is seen large
  // without scrolling back up.
  const lens = figureCanvas(LENS, LENS, "", "nn-pg-lens", { sharp: true });
  const lensWords = el("figcaption", { class: "nn-pg-lens-words" });
  const diagram = new NetworkDiagram({
    onFocus: (neuron) => {
      focusedNeuron = neuron;
      describePlane();
      drawPlane();
    },
    onToggle: (neuron) => toggle(neuron),
    aside: el("figure", { class: "nn-pg-lens-figure" }, lens, lensWords),
  });

  // The plane, the buttons, the main settings and the loss sit together in one screen: side by
  // side on a wide screen; on a narrow one the plane stays on screen (sticky) above the
  // controls that change it. Everything else follows in sections (`more`) that can grow.
  container.append(
    el("div", { class: "nn-playground" },
      el("div", { class: "nn-pg-main" },
        el("figure", { class: "nn-pg-plane" }, plane,
          el("figcaption", {},
            "Shaded: the class the network answers there, paler where less sure. Test points ringed, yours square. ",
            el("label", { class: "nn-check" }, showTest, "Show the test points"))),
        el("div", { class: "nn-pg-side" },
          buttonRow("Training", [training.trainButton, training.stepButton, training.resetButton]),
          readout,
          el("div", { class: "nn-controls nn-pg-settings" }, training.speed.element,
            dataset.element, classes.element, layers.element, widthBox, activation.element, rate.element),
          el("div", { class: "nn-pg-own" }, classChoice,
            el("p", { id: helpId, class: "nn-pg-help", text: placingHelp() }),
            el("span", { class: "nn-buttons" }, removeButton, clearButton))),
        el("figure", { class: "nn-pg-chart" }, chart.canvas, replay.element,
          el("figcaption", { text: "Loss per epoch: training points solid, test points dashed" }))),
      el("div", { class: "nn-pg-more" },
        el("fieldset", { class: "nn-controls" }, el("legend", { text: "Data" }),
          count.element, noise.element, split.element, regenerate, seed),
        inputs,
        el("fieldset", { class: "nn-controls" }, el("legend", { text: "Training" }),
          batch.element, optimizer.element, l2.element),
        diagram.element)));

  const outputTable = divergingTable(0.35);
  let widthSliders = [];
  let shape = ""; // the diagram's layout, as built

  // An answer is taken in as it arrives: the words (readout, the picture's description) at once,
  // the pictures in a task of their own just after. By then the training loop has sent its next
  // call, so Python computes while the page draws instead of waiting for it.
  let losses = { train: [], test: [] }; // arrived, not yet in the chart
  let run = { train: [], test: [] }; // every loss of the run so far: going back shows the first ones
  let chartFrom = null; // losses that replace the chart's (a new run, or a replay), or null
  let drawing = 0; // the pending drawing task

  function show(answer, fresh = false) {
    latest = { ...latest, ...answer };
    if (fresh) {
      rebuildDiagram();
      buildClasses();
      placed.extent = latest.extent;
      setOwnPoints();
      run = { train: [], test: [] };
    }
    const going = "replaying" in answer;
    // A set without points has no loss (null): its curve stays empty.
    const arrived = {};
    for (const key of ["train", "test"]) {
      arrived[key] = answer[`${key}_loss`].filter((v) => v !== null);
      run[key].push(...arrived[key]);
    }
    if (fresh || going) {
      // A new run starts an empty chart; going back shows the losses up to that moment, or all of them.
      replaying = going ? answer.replaying : null;
      const upTo = replaying === null ? run.train.length : answer.epoch;
      chartFrom = { train: run.train.slice(0, upTo), test: run.test.slice(0, upTo) };
      losses = { train: [], test: [] };
    } else {
      replaying = null;
      losses.train.push(...arrived.train);
      losses.test.push(...arrived.test);
    }
    const last = (values) => (values.length ? formatNumber(values[values.length - 1]) : "–");
    const shown = replaying === null ? run : chartFrom;
    const lastLoss = { train: last(shown.train), test: last(shown.test) };
    const score = (v) => (v === null ? "–" : percent(v));
    const back = replaying === null ? "" : ` (going back: the run is at epoch ${latest.now})`;
    if (replaying === null) latest.now = latest.epoch;
    readout.textContent = `Epoch ${latest.epoch}${back} · loss: train ${lastLoss.train}, test ${lastLoss.test} · ` +
      `accuracy: train ${score(latest.train_accuracy)}, test ${score(latest.test_accuracy)}`;
    const n = latest.replay_epochs.length;
    replay.input.max = n;
    replay.value = replaying === null ? n : replaying;
    describePlane();
    if (!drawing) drawing = setTimeout(draw);
  }

  // The neuron whose picture the plane shows: the one pointed at, unless it is switched off (its
  // picture is blank); then the plane shows what the network answers without it.
  function shownNeuron() {
    const off = focusedNeuron?.kind === "hidden" && latest.silenced.includes(diagram.unit(focusedNeuron));
    return off ? null : focusedNeuron;
  }

  function describePlane() {
    const k = latest.settings.classes;
    const neuron = shownNeuron();
    const named = CLASS_NAMES.slice(0, k).map((colour, c) => `${colour} where it answers class ${c}`);
    const regions = neuron ? `The picture of ${diagram.name(neuron)} after ${latest.epoch} epochs ` +
      `on the ${latest.settings.dataset} data (regions hidden while it is pointed at).`
      : `Decision regions of the network after ${latest.epoch} epochs on the ${latest.settings.dataset} data in ${k} ` +
        `classes: ${named.slice(0, -1).join(", ")} and ${named[k - 1]}, paler where it is less sure.`;
    const score = (v) => (v === null ? "no" : percent(v));
    plane.setAttribute("aria-label", `${regions} It classifies ${score(latest.train_accuracy)} of the ` +
      `${latest.train_labels.length} training points and ${score(latest.test_accuracy)} of the ` +
      `${latest.test_labels.length} test points correctly` +
      (placed.points.length ? `; ${placed.points.length} of the points are yours.` : "."));
    const name = focusedNeuron && diagram.name(focusedNeuron);
    const words = neuron ? `${name}, as the plane shows it` : focusedNeuron
      ? `${name} is off: the network's answer without it` : "the network's answer, as the plane shows it";
    lensWords.textContent = words[0].toUpperCase() + words.slice(1);
    lens.setAttribute("aria-label", `The plane again, beside the network: ${words}.`);
  }

  function draw() {
    drawing = 0;
    if (chartFrom) chart.replace(chartFrom);
    chartFrom = null;
    chart.extend(losses);
    losses = { train: [], test: [] };
    diagram.draw(latest); // first: the plane may show one of its neurons
    drawPlane();
  }

  // Each grid cell in the colour of the class that wins there, paler as its lead shrinks (as the
  // figures draw more than two classes: scripts/assets/draw_regions.py, class_shading).
  function drawClassRegions(output, grid, k) {
    const image = new ImageData(grid, grid);
    const pixels = image.data;
    for (let i = 0; i < grid * grid; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (output[i * k + c] > output[i * k + best]) best = c;
      const strength = (REGION_STRENGTH * (output[i * k + best] - 1 / k)) / (1 - 1 / k);
      for (let c = 0; c < 3; c++) {
        pixels[i * 4 + c] = COLOURS.card[c] + strength * (CLASSES[best][c] - COLOURS.card[c]);
      }
      pixels[i * 4 + 3] = 255;
    }
    drawScaled(plane, image);
  }

  // The points stay put while the network trains: they are drawn once onto a canvas of their
  // own, which each new picture of the regions then only copies.
  let dots = { canvas: null, points: null, test: null, own: null, selected: -1 };

  function drawPlane() {
    const neuron = shownNeuron();
    if (neuron && diagram.answer) {
      const picture = diagram.picture(neuron);
      drawHeatmap(plane, picture.values, picture.side, picture.side, picture.table, picture.low, picture.high);
    } else if (latest.settings.classes === 2) {
      drawHeatmap(plane, latest.output, latest.grid, latest.grid, outputTable);
    } else {
      drawClassRegions(latest.output, latest.grid, latest.settings.classes);
    }
    const now = { points: latest.train_points, test: showTest.checked, own: placed.points, selected: placed.selected };
    if (["points", "test", "own", "selected"].some((key) => dots[key] !== now[key]) || dotsStale) {
      dots = { canvas: dots.canvas || sharpCanvas(PLANE, PLANE), ...now };
      dotsStale = false;
      drawDots(dots.canvas);
    }
    const ctx = plane.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(dots.canvas, 0, 0, plane.width, plane.height);
    lens.getContext("2d").drawImage(plane, 0, 0, lens.width, lens.height);
  }
  let dotsStale = false; // the reader's points moved (the same list, changed in place)

  function drawDots(canvas) {
    const ctx = context2d(canvas);
    ctx.clearRect(0, 0, PLANE, PLANE);
    const dot = (x, y, label, test) => {
      const [cx, cy] = placed.toCanvas(x, y);
      ctx.beginPath();
      ctx.arc(cx, cy, 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = css(CLASSES[label]);
      ctx.fill();
      ctx.lineWidth = test ? 2 : 1;
      ctx.strokeStyle = test ? css(COLOURS.text) : "white";
      ctx.stroke();
    };
    // The data's own points come first in each set; the reader's follow (n_own of them).
    const draw = (points, labels, generated, test) => {
      for (let i = 0; i < generated; i++) dot(points[2 * i], points[2 * i + 1], labels[i], test);
    };
    const [ownTrain, ownTest] = latest.n_own;
    draw(latest.train_points, latest.train_labels, latest.train_labels.length - ownTrain, false);
    if (showTest.checked) draw(latest.test_points, latest.test_labels, latest.test_labels.length - ownTest, true);
    // The reader's points: squares, ringed when they test (always shown: they were just placed).
    // The model says which test; a point placed since its last answer is drawn as training.
    const tests = latest.own_test;
    placed.points.forEach((p, i) => {
      const [cx, cy] = placed.toCanvas(p.x, p.y);
      const half = RADIUS - 0.5;
      ctx.fillStyle = css(CLASSES[p.label]);
      ctx.fillRect(cx - half, cy - half, 2 * half, 2 * half);
      ctx.lineWidth = i === placed.selected ? 3 : tests[i] ? 2 : 1.5;
      ctx.strokeStyle = i === placed.selected || tests[i] ? css(COLOURS.text) : "white";
      ctx.strokeRect(cx - half, cy - half, 2 * half, 2 * half);
    });
  }

  function setOwnPoints() {
    const current = placed.points.map((p) => [round2(p.x), round2(p.y), p.label]);
    if (JSON.stringify(current) === JSON.stringify(settings.points)) return;
    placed.set(settings.points.map(([x, y, label]) => ({ x, y, label })));
  }

  // The reader placed, moved or removed a point: the data changes, and the run starts over.
  function pointsEdited() {
    dotsStale = true;
    drawPlane();
    change({ points: placed.points.map((p) => [round2(p.x), round2(p.y), p.label]) });
  }

  // The radio buttons that choose the class of a new point are also the key to the colours.
  // What is drawn follows the answer's own settings (latest.settings), which a change may have
  // left behind for a moment.
  function buildClasses() {
    const k = latest.settings.classes;
    if (classChoice.childElementCount === k + 1) return;
    chosenClass = Math.min(chosenClass, k - 1);
    const group = newId("class");
    classChoice.replaceChildren(el("legend", { text: "Your points: click the plane to add one of" }));
    for (let c = 0; c < k; c++) {
      const input = el("input", { type: "radio", name: group, value: String(c) });
      input.checked = c === chosenClass;
      input.addEventListener("change", () => (chosenClass = c));
      const key = el("span", { class: "nn-key", "aria-hidden": "true" });
      key.style.setProperty("background", css(CLASSES[c]));
      classChoice.append(el("label", { class: "nn-radio" }, input, key, ` class ${c} (${CLASS_NAMES[c]})`));
    }
  }

  function rebuildDiagram() {
    // From the answer's own settings: the page's may already have moved on to the next change.
    const { hidden, classes: k } = latest.settings;
    const layout = { inputs: latest.input_names, hidden, outputs: k === 2 ? 1 : k };
    if (JSON.stringify(layout) === shape) return;
    shape = JSON.stringify(layout);
    focusedNeuron = null;
    diagram.build(layout);
  }

  // Switch a hidden neuron off, or back on: the regions and the scores change at once, training
  // or not; going back through the run, the moment shown is redrawn without it.
  function toggle(neuron) {
    const unit = diagram.unit(neuron);
    const off = !latest.silenced.includes(unit);
    const list = off ? [...latest.silenced, unit] : latest.silenced.filter((u) => u !== unit);
    training.attempt(async () => {
      const answer = await api.call("silence", { units: list });
      show(replaying === null ? answer : await api.call("replay", { index: replaying }));
      api.status(`Layer ${neuron.layer + 1}, neuron ${neuron.index + 1} ${off ? "switched off" : "switched back on"}.`);
    });
  }

  // Go back through the run (training pauses), or forward again to now.
  const goBack = newest((index) => {
    if (training.loop.running) {
      training.loop.stop();
      training.setRunning(false);
    }
    return training.attempt(async () => show(await api.call("replay", { index })));
  });

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

  // Three or four classes come with the data sets that have them; the others wait in the menu.
  function changeClasses(k) {
    const update = { classes: k };
    const allowed = spec.dataset.multiclass;
    if (k > 2 && !allowed.includes(settings.dataset)) {
      update.dataset = allowed[allowed.length - 1];
      api.status(`${k} classes come with ${allowed.join(" or ")}: the data is now ${update.dataset}.`);
    }
    const kept = settings.points.filter(([, , c]) => c < k);
    if (kept.length < settings.points.length) update.points = kept;
    change(update);
  }

  function offerDatasets() {
    for (const option of dataset.input.options) {
      option.disabled = settings.classes > 2 && !spec.dataset.multiclass.includes(option.value);
    }
    dataset.value = settings.dataset;
  }

  // A setting changed: new data or a new network, from the start (the seed replays it).
  // While one change is being applied, further ones (a dragged slider) collapse into one.
  function change(update) {
    Object.assign(settings, update);
    const note = capNetwork(settings);
    if (linked) {
      history.replaceState(history.state, "", linkOf(settings));
      if ("points" in update && settings.points.length > LINK_POINTS) {
        api.status(`Your ${settings.points.length} points are more than a link holds (${LINK_POINTS}): ` +
          "a shared link has the rest of the settings without them.");
      }
    }
    if ("hidden" in update || note) {
      if (settings.hidden.length !== widthSliders.length) buildWidths();
      else settings.hidden.forEach((width, i) => (widthSliders[i].value = width));
    }
    if ("classes" in update) offerDatasets();
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
  offerDatasets();
  show(model, true);
  return {
    status: capped, // shown once the widget is ready
    unmount() {
      training.loop.stop();
      clearTimeout(drawing);
      diagram.unmount();
    },
  };
}
