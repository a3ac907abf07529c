// One neuron draws a line (post 2). The reader places points of two classes on a plane;
// the neuron (demos/widgets/line.py) learns weights w1, w2 and a bias b, and answers
// "class 1" where w1 x + w2 y + b > 0: one side of a straight line.
//
// Mouse or pen (points.js): click to add a point of the chosen class (shift-click: the other class), drag a
// point to move it, alt-click a point to remove it. Finger: the plane scrolls the page like the
// text around it; a tap adds a point or selects the one under it (Remove takes it away).
// Keyboard, with the plane focused: A adds a point, [ and ] select the previous or next point,
// the arrow keys move it (Shift: further), C changes its class, Delete removes it.
// The help under the plane speaks of the reader's own pointer.

import {
  el, button, buttonRow, latest as newest, trainingControls, inOrder, LineChart, COLOURS, css,
  divergingTable, drawHeatmap, figureCanvas, context2d, formatNumber, newId, signedSum, percent,
} from "./ui.js";
import { PlacedPoints, placingHelp, RADIUS } from "./points.js";

const PLANE = 400;

export async function mount(container, api) {
  const model = api.model;
  const extent = model.extent;
  let latest = model;
  let newClass = 1;

  const plane = figureCanvas(PLANE, PLANE, "", "nn-plane", { sharp: true });
  // It takes keys of its own (arrows move a point), so screen readers must pass them on: an application.
  const placed = new PlacedPoints(plane, {
    size: PLANE, extent, classes: () => 2, chosen: () => newClass, max: model.max_points,
    edited: () => edited(),
    selected: (i) => {
      removeButton.disabled = i < 0;
      draw();
    },
    full: () => api.status(`At most ${model.max_points} points.`),
  });
  const helpId = newId("help");
  plane.setAttribute("aria-describedby", helpId);
  const chart = new LineChart({
    width: 360, height: 170, yLabel: "loss", xLabel: "step", logX: true,
    series: [{ key: "loss", name: "loss", colour: COLOURS.text }],
  });
  const readout = el("p", { class: "nn-readout" });
  const classChoice = el("fieldset", { class: "nn-buttons" }, el("legend", { text: "New points are" }));
  const groupName = newId("class");
  for (const [label, text] of [[0, "class 0 (orange)"], [1, "class 1 (blue)"]]) {
    const input = el("input", { type: "radio", name: groupName, value: String(label) });
    input.checked = label === newClass;
    input.addEventListener("change", () => (newClass = label));
    classChoice.append(el("label", { class: "nn-radio" }, input, ` ${text}`));
  }
  const removeButton = button("Remove the selected point", () => placed.removeSelected(), { disabled: true });

  // --- Talking to Python: one call at a time, in order.
  const enqueue = inOrder();
  const failed = (error) => {
    if (error.type === "TrainingDiverged" || error.type === "ValueError") api.status(error.message);
    else api.fail(error);
  };
  const training = trainingControls({
    api, enqueue, failed, show,
    resetSays: () => "The starting weights again; the points stay.",
    paused: () => `Paused at step ${latest.epoch}.`,
    canTrain: () => {
      if (!placed.points.length) api.status("Add some points first.");
      return placed.points.length > 0;
    },
    // Gradient steps are quick: only a few per call, so the line's glide can be watched.
    maxPerCall: 4,
    speeds: { slow: 3, normal: 15 },
    unit: "steps",
    names: { reset: "Reset the weights" },
  });

  container.append(
    el("div", { class: "nn-line" },
      buttonRow("Training", [
        training.trainButton,
        training.stepButton,
        training.resetButton,
        button("Restore the points", () => restore()),
        training.speed.element,
      ]),
      readout,
      el("div", { class: "nn-panels" },
        el("figure", {}, plane, el("figcaption", { id: helpId, text: placingHelp() })),
        el("div", { class: "nn-side" },
          classChoice,
          removeButton,
          el("figure", {}, chart.canvas, el("figcaption", { text: "Loss on all the points, per step" }))))));

  const table = divergingTable(0.55);

  function setPointsFrom(answer) {
    placed.set(Array.from(answer.labels, (label, i) => ({ x: answer.points[2 * i], y: answer.points[2 * i + 1], label })));
  }

  function show(answer, fresh = false) {
    latest = { ...latest, ...answer };
    if (fresh) chart.clear();
    chart.extend({ loss: answer.losses });
    draw();
    const [w1, w2] = latest.weights;
    const line = `${signedSum([[w1, "x"], [w2, "y"], [latest.bias]], 2, "·")} = 0`;
    readout.textContent = latest.loss === null
      ? "No points: add some to train on."
      : `Step ${latest.epoch} · loss ${formatNumber(latest.loss)} · ` +
        `accuracy ${percent(latest.accuracy)} · line ${line}`;
  }

  // --- Drawing.
  const toCanvas = (x, y) => placed.toCanvas(x, y);

  function draw() {
    if (!latest.output) return; // not yet shown once
    drawHeatmap(plane, latest.output, latest.grid, latest.grid, table);
    const ctx = context2d(plane);
    // The boundary: where w1 x + w2 y + b = 0, drawn across the whole plane.
    const [w1, w2] = latest.weights;
    const b = latest.bias;
    ctx.strokeStyle = css(COLOURS.text);
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    if (Math.abs(w2) > Math.abs(w1)) {
      const y = (x) => -(w1 * x + b) / w2;
      ctx.moveTo(...toCanvas(-extent, y(-extent)));
      ctx.lineTo(...toCanvas(extent, y(extent)));
    } else if (w1 !== 0) {
      const x = (y) => -(w2 * y + b) / w1;
      ctx.moveTo(...toCanvas(x(-extent), -extent));
      ctx.lineTo(...toCanvas(x(extent), extent));
    }
    ctx.stroke();
    const { points, selected } = placed;
    points.forEach((p, i) => {
      const [cx, cy] = toCanvas(p.x, p.y);
      ctx.beginPath();
      ctx.arc(cx, cy, RADIUS, 0, 2 * Math.PI);
      ctx.fillStyle = css(p.label ? COLOURS.blue : COLOURS.orange);
      ctx.fill();
      ctx.lineWidth = i === selected ? 3 : 1.5;
      ctx.strokeStyle = i === selected ? css(COLOURS.text) : "white";
      ctx.stroke();
    });
    const counts = [0, 1].map((c) => points.filter((p) => p.label === c).length);
    const chosen = points[selected];
    plane.setAttribute("aria-label",
      `A plane with ${counts[0]} orange and ${counts[1]} blue points. ` +
      (latest.accuracy === null ? "" :
        `The neuron's line puts ${percent(latest.accuracy)} of them on their own side. `) +
      (chosen ? `Selected: ${chosen.label ? "a blue" : "an orange"} point ` +
        `at x ${chosen.x.toFixed(2)}, y ${chosen.y.toFixed(2)}.` : ""));
  }

  const sendPoints = newest(() => training.attempt(async () => {
    const xy = new Float32Array(placed.points.flatMap((p) => [p.x, p.y]));
    const labels = new Uint8Array(placed.points.map((p) => p.label));
    show(await api.call("set_points", { points: xy, labels }));
  }));

  function edited() {
    draw();
    sendPoints();
  }

  function restore() {
    training.attempt(async () => {
      const answer = await api.call("restore_points", {});
      setPointsFrom(answer);
      show(answer);
    });
  }

  setPointsFrom(model);
  show(model, true);
  return { unmount: () => training.loop.stop() };
}

