// One neuron draws a line (post 2). The reader places points of two classes on a plane;
// the neuron (demos/widgets/line.py) learns weights w1, w2 and a bias b, and answers
// "class 1" where w1 x + w2 y + b > 0: one side of a straight line.
//
// Mouse or pen: click to add a point of the chosen class (shift-click: the other class), drag a
// point to move it, alt-click a point to remove it. Finger: the plane scrolls the page like the
// text around it; a tap adds a point or selects the one under it (Remove takes it away).
// Keyboard, with the plane focused: A adds a point, [ and ] select the previous or next point,
// the arrow keys move it (Shift: further), C changes its class, Delete removes it.
// The help under the plane speaks of the reader's own pointer.

import {
  el, button, buttonRow, latest as newest, trainingControls, inOrder, LineChart, COLOURS, css,
  divergingTable, drawHeatmap, figureCanvas, context2d, formatNumber, newId, signedSum, percent,
} from "./ui.js";

const PLANE = 400;
const RADIUS = 6;
const KEY_STEP = 0.02;

export async function mount(container, api) {
  const model = api.model;
  const extent = model.extent;
  let points = []; // {x, y, label}
  let selected = -1;
  let latest = model;
  let newClass = 1;

  const plane = figureCanvas(PLANE, PLANE, "", "nn-plane nn-editable", { sharp: true });
  // It takes keys of its own (arrows move a point), so screen readers must pass them on.
  plane.setAttribute("role", "application");
  plane.tabIndex = 0;
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
  const removeButton = button("Remove the selected point", () => removeSelected(), { disabled: true });

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
      if (!points.length) api.status("Add some points first.");
      return points.length > 0;
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
        el("figure", {}, plane, el("figcaption", { id: helpId, text: helpText() })),
        el("div", { class: "nn-side" },
          classChoice,
          removeButton,
          el("figure", {}, chart.canvas, el("figcaption", { text: "Loss on all the points, per step" }))))));

  const table = divergingTable(0.55);

  function setPointsFrom(answer) {
    points = [];
    for (let i = 0; i < answer.labels.length; i++) {
      points.push({ x: answer.points[2 * i], y: answer.points[2 * i + 1], label: answer.labels[i] });
    }
    select(-1);
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
  const toCanvas = (x, y) => [((x + extent) / (2 * extent)) * PLANE, ((extent - y) / (2 * extent)) * PLANE];
  const toPlane = (px, py) => [(px / PLANE) * 2 * extent - extent, extent - (py / PLANE) * 2 * extent];

  function draw() {
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

  function select(i) {
    selected = i;
    removeButton.disabled = i < 0;
  }

  // --- Editing the points. Python hears of every change; a drag collapses into few calls.
  const sendPoints = newest(() => training.attempt(async () => {
    const xy = new Float32Array(points.flatMap((p) => [p.x, p.y]));
    const labels = new Uint8Array(points.map((p) => p.label));
    show(await api.call("set_points", { points: xy, labels }));
  }));

  function edited() {
    draw();
    sendPoints();
  }

  const clamp = (v) => Math.max(-extent, Math.min(extent, v));

  function add(x, y, label) {
    if (points.length >= model.max_points) {
      api.status(`At most ${model.max_points} points.`);
      return;
    }
    points.push({ x: clamp(x), y: clamp(y), label });
    select(points.length - 1);
    edited();
  }

  function removeSelected() {
    if (selected < 0) return;
    points.splice(selected, 1);
    select(Math.min(selected, points.length - 1));
    edited();
  }

  function pointerPosition(event) {
    const box = plane.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * PLANE, ((event.clientY - box.top) / box.height) * PLANE];
  }

  function hit(px, py) {
    let best = -1;
    let bestDistance = (RADIUS + 4) ** 2;
    points.forEach((p, i) => {
      const [cx, cy] = toCanvas(p.x, p.y);
      const d = (cx - px) ** 2 + (cy - py) ** 2;
      if (d <= bestDistance) {
        best = i;
        bestDistance = d;
      }
    });
    return best;
  }

  let dragging = false;
  plane.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "touch") return; // a finger scrolls; its tap arrives as a click
    const [px, py] = pointerPosition(event);
    const i = hit(px, py);
    if (i >= 0 && event.altKey) {
      select(i);
      removeSelected();
    } else if (i >= 0) {
      select(i);
      dragging = true;
      plane.setPointerCapture(event.pointerId);
      draw();
    } else {
      add(...toPlane(px, py), event.shiftKey ? 1 - newClass : newClass);
    }
    event.preventDefault();
  });
  plane.addEventListener("pointermove", (event) => {
    if (!dragging || selected < 0) return;
    const [x, y] = toPlane(...pointerPosition(event));
    points[selected].x = clamp(x);
    points[selected].y = clamp(y);
    edited();
  });
  plane.addEventListener("click", (event) => {
    if (event.pointerType !== "touch") return;
    const [px, py] = pointerPosition(event);
    const i = hit(px, py);
    if (i >= 0) {
      select(i);
      draw();
    } else {
      add(...toPlane(px, py), newClass);
    }
  });
  const endDrag = () => (dragging = false);
  plane.addEventListener("pointerup", endDrag);
  plane.addEventListener("pointercancel", endDrag);

  plane.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 5 * KEY_STEP : KEY_STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key in moves && selected >= 0) {
      const [dx, dy] = moves[event.key];
      points[selected].x = clamp(points[selected].x + dx);
      points[selected].y = clamp(points[selected].y + dy);
      edited();
    } else if (event.key === "a" || event.key === "A") {
      add(0, 0, newClass);
    } else if ((event.key === "[" || event.key === "]") && points.length) {
      const n = points.length;
      select(event.key === "]" ? (selected + 1) % n : selected <= 0 ? n - 1 : selected - 1);
      draw();
    } else if ((event.key === "c" || event.key === "C") && selected >= 0) {
      points[selected].label = 1 - points[selected].label;
      edited();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      removeSelected();
    } else {
      return;
    }
    event.preventDefault();
  });

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

// Help in the words of the reader's pointer: a touch screen has no shift-click.
function helpText() {
  const keys = "Keys: A adds a point, [ and ] select one, arrows move it, C changes its class, Delete removes it.";
  if (matchMedia("(pointer: coarse)").matches) {
    return "Tap to add a point of the chosen class, tap a point to select it; Remove takes it away. " +
      `Swiping scrolls the page as usual. With a keyboard: ${keys.slice(6)}`;
  }
  return "Click to add a point, shift-click for the other class, drag to move, alt-click to remove. " + keys;
}
