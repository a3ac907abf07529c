// The colour neuron (post 1): sliders for the weights of the red, green and blue inputs and
// the bias; for each sample colour, the neuron's output, computed by demos/widgets/neuron.py.

import { el, slider, select, button, latest, hex, formatNumber, signedSum, choicesOf, labelOf } from "./ui.js";

const CHANNELS = ["red", "green", "blue"];

export async function mount(container, api) {
  const model = api.model;
  const names = model.names;
  const colours = model.colours; // Float32Array, 3 per sample
  const colourOf = (i) => colours.subarray(3 * i, 3 * i + 3);
  const range = model.weight_range;
  let selected = Math.max(0, names.indexOf(model.preset));
  let answer = model;

  // The controls: three weights and a bias, the activation, and the presets.
  const weightSliders = CHANNELS.map((channel, i) =>
    slider({
      label: `Weight on ${channel}`,
      min: -range,
      max: range,
      step: 0.1,
      value: model.presets[model.preset].weights[i],
      format: (v) => v.toFixed(1),
      onInput: () => update(),
    }),
  );
  const biasSlider = slider({
    label: "Bias",
    min: -range,
    max: range,
    step: 0.1,
    value: model.presets[model.preset].bias,
    format: (v) => v.toFixed(1),
    onInput: () => update(),
  });
  const activation = select({
    label: "Activation",
    choices: choicesOf(model.spec.activation),
    value: model.activation,
    onChange: () => update(),
  });
  const presets = Object.entries(model.presets).map(([name, preset]) =>
    button(`Looks for ${name}`, () => {
      preset.weights.forEach((w, i) => (weightSliders[i].value = w));
      biasSlider.value = preset.bias;
      const index = names.indexOf(name);
      if (index >= 0) choose(index);
      update();
    }),
  );

  // The sample colours: a radio group, so arrow keys move between them.
  const groupName = `${api.root.dataset.widget}-${Math.random().toString(36).slice(2)}`;
  const swatches = names.map((name, i) => {
    const input = el("input", { type: "radio", name: groupName, value: String(i), class: "nn-visually-hidden" });
    input.checked = i === selected;
    input.addEventListener("change", () => choose(i));
    const lamp = el("span", { class: "nn-lamp-fill" });
    const label = el(
      "label",
      { class: "nn-swatch" },
      input,
      swatchOf(colourOf(i)),
      el("span", { class: "nn-lamp", "aria-hidden": "true" }, lamp),
      el("span", { class: "nn-swatch-name", text: name }),
    );
    return { input, lamp, label };
  });

  const inputSwatch = el("span", { class: "nn-big-swatch", "aria-hidden": "true" });
  const sumText = el("p", { class: "nn-formula" });
  const activationText = el("p", { class: "nn-formula" });
  // The output as a purple that fills the circle from the bottom as it grows, as in the video.
  const outputLamp = el("span", { class: "nn-lamp-fill" });
  const outputText = el("p", { class: "nn-output-text" });

  // The colours and the neuron's answers beside the sliders that change them; on a narrow
  // screen the colours stay on screen above the sliders (widgets.css).
  container.append(
    el(
      "div",
      { class: "nn-neuron" },
      el(
        "fieldset",
        { class: "nn-swatches" },
        el("legend", {}, "Input colours; under each, the neuron's output: ", outputKey()),
        ...swatches.map((s) => s.label),
      ),
      el(
        "div",
        { class: "nn-neuron-view" },
        el(
          "div",
          { class: "nn-neuron-sum" },
          el("div", { class: "nn-swatch-pair" }, el("span", { text: "input" }), inputSwatch),
          el("div", {}, sumText, activationText),
          el("div", { class: "nn-swatch-pair" }, el("span", { text: "output" }),
            el("span", { class: "nn-big-swatch nn-output-lamp", "aria-hidden": "true" }, outputLamp)),
        ),
        outputText,
      ),
      el(
        "div",
        { class: "nn-neuron-controls" },
        el("div", { class: "nn-controls" }, ...weightSliders.map((s) => s.element), biasSlider.element,
          activation.element),
        el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Presets" }), ...presets),
      ),
    ),
  );

  function choose(i) {
    selected = i;
    swatches[i].input.checked = true;
    draw();
  }

  function draw() {
    const weights = weightSliders.map((s) => s.value);
    const bias = biasSlider.value;
    const rgb = colourOf(selected);
    const sum = signedSum([...weights.map((w, i) => [w, rgb[i].toFixed(2)]), [bias]]);
    const z = answer.z[selected];
    const a = answer.a[selected];
    const act = labelOf(model.spec.activation, activation.value);
    sumText.textContent = `z = ${sum} = ${formatNumber(z)}`;
    activationText.textContent = `a = ${act}(z) = ${formatNumber(a)}`;
    inputSwatch.style.background = hex(rgb);
    fill(outputLamp, answer.shade[selected], "height");
    outputText.textContent =
      `For ${names[selected]}, the neuron's output is ${formatNumber(a)} (${describe(answer.shade[selected])}).`;
    swatches.forEach((s, i) => {
      fill(s.lamp, answer.shade[i], "width");
      s.label.title = `${names[i]}: output ${formatNumber(answer.a[i])}`;
      s.input.setAttribute("aria-label", `${names[i]}, neuron output ${formatNumber(answer.a[i])}`);
    });
  }

  const update = latest(async () => {
    try {
      answer = await api.call("evaluate", {
        weights: weightSliders.map((s) => s.value),
        bias: biasSlider.value,
        activation: activation.value,
      });
      draw();
    } catch (error) {
      api.fail(error);
    }
  });

  draw();
  return { unmount() {} };
}

// A square of colour (set through the style object: the site's policy forbids style attributes).
function swatchOf(rgb) {
  const swatch = el("span", { class: "nn-swatch-colour", "aria-hidden": "true" });
  swatch.style.background = hex(rgb);
  return swatch;
}

// A lamp filled to `shade` (0 off, 1 fully on) along `side` ("width" or "height").
function fill(lamp, shade, side) {
  lamp.style[side] = `${(Math.min(1, Math.max(0, shade)) * 100).toFixed(1)}%`;
}

// The key to the lamps: an empty one (off) and a full one (fully on).
function outputKey() {
  const lamp = (shade) => {
    const inside = el("span", { class: "nn-lamp-fill" });
    fill(inside, shade, "width");
    return el("span", { class: "nn-lamp nn-lamp-key", "aria-hidden": "true" }, inside);
  };
  return el("span", { class: "nn-activity" }, lamp(0), "off, ", lamp(1), "fully on");
}

function describe(shade) {
  if (shade > 0.9) return "fully on";
  if (shade > 0.6) return "mostly on";
  if (shade > 0.4) return "undecided";
  if (shade > 0.1) return "mostly off";
  return "off";
}
