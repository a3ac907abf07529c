// Colour and shape (post 6). The reader makes a picture, by picking a shape, its colour,
// place and size, or by drawing, and the trained network (demos/widgets/shapes.py) says
// which shape and which colour it sees, and which hidden neurons fire.

import {
  el, slider, select, button, latest, activityTable, activityKey, drawCells, CELL, freehand, figureCanvas, formatNumber, newId,
  Bars, percent,
} from "./ui.js";

const SIDE = 256; // drawing canvas pixels: 16 x 16 cells of 16 pixels
const PEN = 28;
const PRESETS = { red: [0.9, 0.15, 0.1], green: [0.1, 0.8, 0.2], blue: [0.15, 0.25, 0.95] };
const toHex = (rgb) => "#" + rgb.map((c) => Math.round(c * 255).toString(16).padStart(2, "0")).join("");
const fromHex = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);

export async function mount(container, api) {
  const model = api.model;
  const size = model.size;
  const background = Math.round(model.background * 255);
  let mode = "pick";
  let inked = false; // anything drawn since the canvas was last cleared

  // --- Controls: the mode, then the shape's own settings, then the colour.
  const modeName = newId("mode");
  const modeChoice = el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Make the picture by" }));
  for (const [value, text] of [["pick", "picking a shape"], ["draw", "drawing"]]) {
    const input = el("input", { type: "radio", name: modeName, value });
    input.checked = value === mode;
    input.addEventListener("change", () => setMode(value));
    modeChoice.append(el("label", { class: "nn-radio" }, input, ` ${text}`));
  }
  const shape = select({
    label: "Shape", choices: model.shapes.map((s) => [s, s]), value: model.shapes[0], onChange: () => update(),
  });
  const x = slider({ label: "Across", min: 0.1, max: 0.9, step: 0.05, value: 0.5, onInput: () => update() });
  const y = slider({ label: "Down", min: 0.1, max: 0.9, step: 0.05, value: 0.5, onInput: () => update() });
  const extent = slider({
    label: "Size", min: 0.2, max: 1, step: 0.05, value: 0.6,
    format: percent, onInput: () => update(),
  });
  const colourId = newId("colour");
  const colour = el("input", { type: "color", id: colourId, value: toHex(PRESETS.red) });
  colour.addEventListener("input", () => update());
  const presets = Object.entries(PRESETS).map(([name, rgb]) =>
    button(name, () => {
      colour.value = toHex(rgb);
      update();
    }, { class: "nn-button nn-small", "aria-label": `Colour: ${name}` }));
  const shapeControls = el("div", { class: "nn-controls" }, shape.element, x.element, y.element, extent.element);

  // --- Pictures and answers.
  const picture = figureCanvas(SIDE, SIDE, "", "nn-shape-picture");
  const seen = figureCanvas(size, size, "", "nn-seen");
  const nHidden = model.sizes.slice(1, -1).reduce((a, b) => a + b, 0);
  const hiddenCanvas = figureCanvas(8 * CELL, Math.ceil(nHidden / 8) * CELL, "", "nn-hidden-grid", { sharp: true });
  const readout = el("p", { class: "nn-readout nn-prediction" });
  const outputs = new Bars("The network's six outputs");
  outputs.label([...model.shapes, ...model.colours]);
  const clearButton = button("Clear the drawing", () => clearDrawing());
  clearButton.hidden = true;

  container.append(
    el("div", { class: "nn-shapes" },
      modeChoice,
      el("div", { class: "nn-panels" },
        el("figure", {}, picture, el("figcaption", { text: "The picture" }), clearButton),
        el("div", { class: "nn-side" },
          readout,
          outputs.element,
          el("div", { class: "nn-panels" },
            el("figure", {}, seen, el("figcaption", { text: `What the network sees (${size}x${size})` })),
            el("figure", {}, hiddenCanvas, el("figcaption", {}, "Its hidden neurons: ", activityKey()))))),
      shapeControls,
      el("div", { class: "nn-buttons" }, el("label", { for: colourId, text: "Colour " }), colour, ...presets)));

  const table = activityTable();
  const ctx = freehand(picture, {
    pen: () => (mode === "draw" ? { colour: colour.value, width: PEN } : null),
    drawn: () => {
      inked = true;
      update();
    },
  });

  function paintBackground() {
    ctx.fillStyle = `rgb(${background}, ${background}, ${background})`;
    ctx.fillRect(0, 0, SIDE, SIDE);
  }

  // --- Asking Python: the newest picture only.
  const update = latest(async () => {
    try {
      if (mode === "pick") {
        show(await api.call("classify_shape", {
          shape: shape.value, colour: fromHex(colour.value), x: x.value, y: y.value, size: extent.value,
        }), true);
      } else if (!inked) {
        showBlank();
      } else {
        const pixels = new Uint8Array(ctx.getImageData(0, 0, SIDE, SIDE).data.buffer.slice(0));
        show(await api.call("classify_drawing", { pixels, width: SIDE, height: SIDE }), false);
      }
    } catch (error) {
      api.fail(error);
    }
  });

  function show(answer, repaint) {
    // The 16x16 picture, from the same numbers the network got.
    const image = new ImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      for (let c = 0; c < 3; c++) image.data[4 * i + c] = Math.round(answer.image[3 * i + c] * 255);
      image.data[4 * i + 3] = 255;
    }
    seen.getContext("2d").putImageData(image, 0, 0);
    if (repaint) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(seen, 0, 0, SIDE, SIDE);
    }
    const shapeName = model.shapes[answer.shape];
    const colourName = model.colours[answer.colour];
    readout.textContent = `The network sees a ${colourName} ${shapeName}.`;
    const description = `a ${colourName} ${shapeName} (shape output ${formatNumber(answer.outputs[answer.shape])}, ` +
      `colour output ${formatNumber(answer.outputs[model.shapes.length + answer.colour])})`;
    picture.setAttribute("aria-label", `The picture; the network sees ${description}`);
    seen.setAttribute("aria-label", `The ${size} by ${size} picture the network sees: ${description}`);
    outputs.show(answer.outputs, [answer.shape, model.shapes.length + answer.colour], formatNumber);
    drawHidden(answer.hidden);
  }

  // A blank canvas is no picture: the network is not asked, and says so.
  function showBlank() {
    readout.textContent = "Draw a shape first.";
    outputs.clear();
    picture.setAttribute("aria-label", "The drawing canvas, empty: draw a shape on it");
    seen.getContext("2d").clearRect(0, 0, size, size);
    seen.setAttribute("aria-label", "Nothing drawn yet");
    drawCells(hiddenCanvas, [], table, model.hidden_low);
    hiddenCanvas.setAttribute("aria-label", "Hidden neurons: nothing drawn yet");
  }

  function drawHidden(values) {
    drawCells(hiddenCanvas, values, table, model.hidden_low);
    const on = Array.from(values).flatMap((v, i) => (v > 0.5 ? [i + 1] : []));
    hiddenCanvas.setAttribute("aria-label", `${values.length} hidden neurons, the more purple the stronger it fires; ` +
      `firing strongly: ${on.length ? on.join(", ") : "none"}`);
  }

  function clearDrawing() {
    paintBackground();
    inked = false;
    update();
  }

  function setMode(value) {
    mode = value;
    const drawing = mode === "draw";
    picture.classList.toggle("nn-drawable", drawing);
    shapeControls.hidden = drawing;
    clearButton.hidden = !drawing;
    if (drawing) {
      paintBackground();
      inked = false;
    }
    update();
  }

  update();
  return { unmount() {} };
}
