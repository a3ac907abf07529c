// The playground's network drawn as a diagram: a column of neurons per layer, inputs first, each
// neuron a live picture of what it answers over the plane, and a line for every weight, blue where
// it is positive and orange where negative, thicker the larger it is. Hovering or focusing a neuron
// says its bias and weights in words and asks the widget to show its picture large (onFocus); a
// hidden neuron is a toggle that switches it off (onToggle). The diagram is one stop of the tab
// order: the arrow keys move between its neurons, Enter or Space switches a hidden one.
// It draws only while it is on screen: the pictures of a diagram nobody sees cost the training.

import {
  el, css, COLOURS, divergingTable, activityTable, activityKey, drawHeatmap, figureCanvas, context2d, formatNumber, newId,
} from "./ui.js";
import { CLASSES } from "./palette.js";

const UNIT = 28; // CSS pixels of a neuron's picture

// 256 RGBA entries from the card (no chance) to a class's colour (sure): one output neuron's picture.
function classTable(k) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    for (let c = 0; c < 3; c++) table[i * 4 + c] = COLOURS.card[c] + ((CLASSES[k][c] - COLOURS.card[c]) * i) / 255;
    table[i * 4 + 3] = 255;
  }
  return table;
}

const INPUT_TABLE = divergingTable(0.2);
const UNIT_TABLE = activityTable();
const OUTPUT_TABLE = divergingTable(0.35);

export class NetworkDiagram {
  // onFocus(neuron or null): a neuron ({kind: "input" | "hidden" | "output", layer, index}) is
  // hovered or focused, or none is any more. onToggle(neuron): a hidden neuron was clicked.
  // `aside` sits beside the neurons (the widget's large picture of the one pointed at).
  constructor({ onFocus, onToggle, aside = null }) {
    this.onFocus = onFocus;
    this.onToggle = onToggle;
    this.lines = el("canvas", {
      class: "nn-net-lines", role: "img",
      "aria-label": "Lines between the neurons, one per weight: blue positive, orange negative, thicker the larger.",
    });
    this.columns = el("div", { class: "nn-net-columns" });
    this.net = el("div", { class: "nn-net", role: "group" }, this.lines, this.columns);
    // What a neuron in focus says of itself (its weights), and how the keys move between them.
    this.wordsId = newId("weights");
    this.helpId = newId("help");
    this.words = el("p", { class: "nn-net-words", id: this.wordsId, "aria-live": "polite" });
    this.note = el("p", { class: "nn-net-note" });
    this.element = el("figure", { class: "nn-pg-network" },
      el("div", { class: "nn-net-body" }, this.net, ...(aside ? [aside] : [])), this.note, this.words,
      el("figcaption", { id: this.helpId },
        "The network: inputs on the left, then each layer of neurons, then the output. Every neuron shows what it " +
        "answers over the plane (the hidden ones: ", activityKey(), "); every line is a weight, blue positive " +
        "and orange negative, thicker the larger. Point at a neuron, or move to it with the arrow keys, to see it " +
        "large and read its weights; click a hidden neuron, or press Enter, to switch it off, and " +
        "again to switch it back on."));
    this.neurons = []; // per column: [{element, canvas, neuron}]
    this.focused = null;
    this.visible = true;
    this.answer = null;
    if ("IntersectionObserver" in globalThis) {
      this.watch = new IntersectionObserver(([entry]) => {
        this.visible = entry.isIntersecting;
        if (this.visible && this.answer) this.draw(this.answer);
      });
      this.watch.observe(this.net);
    }
    if ("ResizeObserver" in globalThis) {
      this.resizing = new ResizeObserver(() => {
        this.layout = null;
        if (this.answer) this.drawLines(this.answer);
      });
      this.resizing.observe(this.net);
    }
    this.net.addEventListener("keydown", (event) => this.key(event));
    this.net.addEventListener("mouseleave", () => this.focus(null));
    this.net.addEventListener("focusout", (event) => {
      if (!this.net.contains(event.relatedTarget)) this.focus(null);
    });
  }

  // Lay out the neurons: `inputs` their names, `hidden` the widths of the hidden layers,
  // `outputs` the number of output neurons (one for two classes).
  build({ inputs, hidden, outputs }) {
    this.shape = { inputs, hidden, outputs };
    this.answer = null; // until an answer of this network arrives (see draw)
    this.layout = null;
    this.columns.replaceChildren();
    this.neurons = [];
    this.focused = null;
    const column = (title, list) => {
      const box = el("div", { class: "nn-net-column" }, el("span", { class: "nn-net-title", text: title }));
      this.neurons.push(list.map((item) => {
        box.append(item.element);
        return item;
      }));
      this.columns.append(box);
    };
    const neuron = (tag, neuron, label, attributes = {}) => {
      const canvas = figureCanvas(UNIT, UNIT, `The picture of ${this.name(neuron)}`, "nn-neuron-picture", { sharp: true });
      const element = el(tag, {
        class: "nn-neuron", tabindex: "-1", "aria-label": label, "aria-describedby": `${this.wordsId} ${this.helpId}`,
        ...attributes,
      }, canvas);
      element.addEventListener("mouseenter", () => this.focus(neuron));
      element.addEventListener("focus", () => this.focus(neuron));
      return { element, canvas, neuron };
    };
    column("Inputs", inputs.map((name, index) =>
      neuron("div", { kind: "input", index }, `Input ${name}`, { role: "img" })));
    hidden.forEach((width, layer) => column(`Layer ${layer + 1}`, Array.from({ length: width }, (_, index) => {
      const item = neuron("button", { kind: "hidden", layer, index },
        `Switch off layer ${layer + 1}, neuron ${index + 1}`, { type: "button", "aria-pressed": "false" });
      item.element.addEventListener("click", () => this.onToggle(item.neuron));
      return item;
    })));
    column("Output", Array.from({ length: outputs }, (_, index) => neuron("div", { kind: "output", index },
      outputs === 1 ? "Output: the probability of class 1" : `Output ${index}: the probability of class ${index}`,
      { role: "img" })));
    this.neurons[0][0].element.tabIndex = 0; // the diagram's one stop in the tab order
    this.note.textContent = hidden.length ? "" : "No hidden layers: the output neuron sees the inputs directly, " +
      "so its boundary is a straight line in them (on the plane too, unless extra inputs bend it).";
    this.net.setAttribute("aria-label",
      `The network: ${inputs.length} inputs (${inputs.join(", ")}), ` +
      (hidden.length ? `then layers of ${hidden.join(", ")} neurons, ` : "no layer between, ") +
      `${outputs} output neuron${outputs > 1 ? "s" : ""}.`);
  }

  // Draw an answer of the model: the pictures of the neurons (`inputs`, `units`, `output`) and
  // the weights (`weights`, `biases`), and which hidden neurons are off (`silenced`, numbered as unit()).
  draw(answer) {
    const fits = answer.weights.length === this.neurons.length - 1 &&
      answer.weights.every((W, l) => W.length === this.neurons[l].length * this.neurons[l + 1].length);
    if (!fits) return; // an answer of the network before the last change, still on its way
    this.answer = answer;
    const off = new Set(answer.silenced);
    this.neurons.slice(1, -1).forEach((column, layer) => column.forEach(({ element, neuron }) => {
      const silenced = off.has(this.unit(neuron));
      element.setAttribute("aria-pressed", String(silenced));
      element.classList.toggle("nn-off", silenced);
    }));
    if (this.focused) this.say(this.focused);
    if (!this.visible) return;
    this.neurons.forEach((column) => column.forEach(({ canvas, neuron }) => {
      const picture = this.picture(neuron);
      drawHeatmap(canvas, picture.values, picture.side, picture.side, picture.table, picture.low, picture.high);
    }));
    this.drawLines(answer);
  }

  // A hidden neuron's number across the hidden layers, from 0 (as demos.nn's Network.silencing counts).
  unit(neuron) {
    return this.shape.hidden.slice(0, neuron.layer).reduce((s, w) => s + w, 0) + neuron.index;
  }

  // What a neuron answers over the plane: {values, side, table, low, high}, for drawHeatmap.
  picture(neuron) {
    const a = this.answer;
    const side = a.unit_grid;
    const n = side * side;
    if (neuron.kind === "input") {
      const values = a.inputs.subarray(neuron.index * n, (neuron.index + 1) * n);
      const top = Math.max(1e-6, ...values.map(Math.abs));
      return { values, side, table: INPUT_TABLE, low: -top, high: top };
    }
    if (neuron.kind === "hidden") {
      const k = this.unit(neuron);
      const values = a.units.subarray(k * n, (k + 1) * n);
      const [low, high] = a.unit_bounds;
      return { values, side, table: UNIT_TABLE, low, high: high ?? Math.max(1e-6, ...values) };
    }
    const outputs = this.shape.outputs;
    if (outputs === 1) return { values: a.output, side: a.grid, table: OUTPUT_TABLE, low: 0, high: 1 };
    const values = new Float32Array(a.grid * a.grid);
    for (let i = 0; i < values.length; i++) values[i] = a.output[i * outputs + neuron.index];
    return { values, side: a.grid, table: classTable(neuron.index), low: 0, high: 1 };
  }

  name(neuron) {
    if (neuron.kind === "input") return `input ${this.shape.inputs[neuron.index]}`;
    if (neuron.kind === "hidden") return `layer ${neuron.layer + 1}, neuron ${neuron.index + 1}`;
    return this.shape.outputs === 1 ? "the output" : `output ${neuron.index} (class ${neuron.index})`;
  }

  // The neurons of column `c`, by name, for the words.
  names(c) {
    return this.neurons[c].map(({ neuron }) => this.name(neuron));
  }

  // A neuron's weights in words: its bias, the weights coming in and going out.
  say(neuron) {
    const a = this.answer;
    const c = neuron.kind === "input" ? 0 : neuron.kind === "hidden" ? neuron.layer + 1 : this.neurons.length - 1;
    const weight = (l, i, j) => a.weights[l][i * a.weights[l].length / this.neurons[l].length + j];
    const list = (names, value) => names.map((name, i) => `${name} ${formatNumber(value(i))}`).join(", ");
    const parts = [this.name(neuron).replace(/^./, (s) => s.toUpperCase())];
    if (this.neurons[c][neuron.index].element.classList.contains("nn-off")) parts[0] += " (switched off)";
    if (c > 0) {
      parts.push(`bias ${formatNumber(a.biases[c - 1][neuron.index])}`);
      parts.push(`weights in: ${list(this.names(c - 1), (i) => weight(c - 1, i, neuron.index))}`);
    }
    if (c < this.neurons.length - 1) parts.push(`weights out: ${list(this.names(c + 1), (j) => weight(c, neuron.index, j))}`);
    this.words.textContent = parts.join("; ") + ".";
  }

  focus(neuron) {
    const same = (a, b) => a === b || (a && b && a.kind === b.kind && a.layer === b.layer && a.index === b.index);
    if (same(neuron, this.focused)) return;
    this.focused = neuron;
    if (neuron && this.answer) this.say(neuron);
    if (!neuron) this.words.textContent = "";
    this.onFocus(neuron);
    if (this.answer && this.visible) this.drawLines(this.answer);
  }

  // The arrow keys move between neurons: up and down within a layer, left and right across layers.
  key(event) {
    const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    if (!(event.key in moves)) return;
    const here = this.neurons.findIndex((column) => column.some(({ element }) => element === document.activeElement));
    if (here < 0) return;
    const row = this.neurons[here].findIndex(({ element }) => element === document.activeElement);
    const [dc, dr] = moves[event.key];
    const c = Math.max(0, Math.min(this.neurons.length - 1, here + dc));
    const target = this.neurons[c];
    // Across layers, to the neuron at about the same height.
    const r = dc ? Math.round((row / Math.max(1, this.neurons[here].length - 1)) * (target.length - 1))
      : Math.max(0, Math.min(target.length - 1, row + dr));
    for (const column of this.neurons) for (const { element } of column) element.tabIndex = -1;
    target[r].element.tabIndex = 0;
    target[r].element.focus();
    event.preventDefault();
  }

  // Where the neurons sit: {width, height, centres[column][row] = [x, y, radius]} in the diagram's
  // CSS pixels. Measured once per layout (build, resize), not per answer: reading the layout
  // after each answer's changes would make the browser lay the page out again every time.
  measure() {
    const box = this.net.getBoundingClientRect();
    if (!box.width) return null;
    const centres = this.neurons.map((column) => column.map(({ element }) => {
      const b = element.getBoundingClientRect();
      return [b.left - box.left + b.width / 2, b.top - box.top + b.height / 2, b.width / 2];
    }));
    return { width: box.width, height: box.height, centres };
  }

  drawLines(answer) {
    this.layout ||= this.measure();
    if (!this.layout) return;
    const { lines } = this;
    const { width: boxWidth, height: boxHeight, centres } = this.layout;
    const scale = devicePixelRatio || 1;
    const width = Math.round(boxWidth * scale);
    const height = Math.round(boxHeight * scale);
    if (lines.width !== width || lines.height !== height) {
      lines.width = width;
      lines.height = height;
    }
    const ctx = context2d(lines);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, boxWidth, boxHeight);
    const focused = this.focused;
    const touches = (c, i) => focused && centres[c] && this.neurons[c][i].neuron === focused;
    for (let l = 0; l < answer.weights.length; l++) {
      const W = answer.weights[l];
      const nOut = centres[l + 1].length;
      for (let i = 0; i < centres[l].length; i++) {
        for (let j = 0; j < nOut; j++) {
          const w = W[i * nOut + j];
          const lit = !focused || touches(l, i) || touches(l + 1, j);
          const [x0, y0, r0] = centres[l][i];
          const [x1, y1, r1] = centres[l + 1][j];
          ctx.strokeStyle = css(w > 0 ? COLOURS.blue : COLOURS.orange, lit ? 0.75 : 0.12);
          ctx.lineWidth = Math.min(5, 0.4 + 1.6 * Math.abs(w));
          ctx.beginPath();
          ctx.moveTo(x0 + r0, y0);
          ctx.lineTo(x1 - r1, y1);
          ctx.stroke();
        }
      }
    }
  }

  unmount() {
    this.watch?.disconnect();
    this.resizing?.disconnect();
  }
}
