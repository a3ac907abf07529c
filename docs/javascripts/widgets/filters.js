// Filters (post 7). The reader draws a picture or picks a test picture, and chooses a 3x3
// filter: a hand-made one or nine weights of their own. Shown: the feature map the filter
// makes of the picture, and, below, what a trained convolutional network's own first-layer
// filters make of it and which class the network reads. The numbers come from
// demos/widgets/filters.py; this module draws them and handles the controls.
//
// The feature map canvas carries its numbers in data-values (row by row, rounded), for
// tests and for anyone inspecting the page; its text alternative says where they are large.

import {
  el, button, select, latest, divergingTable, figureCanvas, freehand, newId, formatNumber, Bars, inkOf, paintPixels,
} from "./ui.js";

const SIDE = 280; // drawing canvas pixels: the model averages them into its grid of cells
const PEN = 20; // pen width in canvas pixels: two cells of a 28-cell grid
const CUSTOM = "custom";

export async function mount(container, api) {
  const model = api.model;
  const table = divergingTable(0);
  let showing = 0; // the test picture shown (an index into model.samples), or "drawing"
  let pending = 0; // what the next call must send: "drawing", a sample index, or null (the filter only)
  let lastKernel = model.kernels[model.kernel];

  // --- The picture: a drawing canvas that also shows the test pictures.
  const drawing = figureCanvas(SIDE, SIDE, "The picture", "nn-drawing nn-drawable nn-filters-picture");
  const clearButton = button("Clear", () => clear());

  // --- The filter: a preset and its nine weights, editable.
  const preset = select({
    label: "Filter",
    choices: [...Object.keys(model.kernels).map((name) => [name, model.kernel_names[name]]), [CUSTOM, "your own"]],
    value: model.kernel,
    onChange: (name) => {
      if (name === CUSTOM) return;
      setWeights(model.kernels[name]);
      refresh();
    },
  });
  const weightInputs = [];
  const weightGrid = el("div", { class: "nn-kernel-grid" });
  for (let row = 0; row < 3; row++) {
    for (let column = 0; column < 3; column++) {
      const id = newId("weight");
      const input = el("input", { type: "number", id, step: "any", inputmode: "decimal", class: "nn-kernel-weight" });
      input.addEventListener("input", () => refresh());
      weightInputs.push(input);
      weightGrid.append(el("span", { class: "nn-kernel-cell" },
        el("label", { for: id, class: "nn-visually-hidden", text: `Weight, row ${row + 1}, column ${column + 1}` }),
        input));
    }
  }
  const sumText = el("p", { class: "nn-readout" });
  const kernelMessage = el("p", { class: "nn-readout nn-kernel-message", role: "alert" });

  // --- The feature map.
  const mapCanvas = figureCanvas(1, 1, "Feature map", "nn-filters-map");
  const mapCaption = el("figcaption");

  // --- The trained network.
  const prediction = el("p", { class: "nn-readout nn-prediction" });
  const bars = new Bars("The network's probabilities");
  const seen = figureCanvas(1, 1, "", "nn-seen");
  const seenCaption = el("figcaption");
  const tiles = el("div", { class: "nn-filter-tiles" });
  let tileParts = [];
  const learnedTitle = el("p", { class: "nn-filters-title" });

  const samples = model.samples.map((sample, i) =>
    button(sample.name, () => pick(i), { class: "nn-button nn-small", "aria-label": `Test picture: ${sample.name}` }));

  container.append(
    el("div", { class: "nn-filters" },
      el("div", { class: "nn-panels" },
        el("figure", {}, drawing,
          el("figcaption", { text: "The picture: draw on it, or pick a test picture below." }),
          el("div", { class: "nn-buttons" }, clearButton)),
        el("figure", {}, mapCanvas, mapCaption),
        el("div", { class: "nn-side" },
          preset.element,
          el("fieldset", { class: "nn-kernel" },
            el("legend", { text: "Its nine weights (3 rows of 3)" }), weightGrid),
          sumText,
          kernelMessage)),
      el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Test pictures" }), ...samples),
      el("div", { class: "nn-filters-learned" },
        learnedTitle,
        el("div", { class: "nn-panels" },
          el("figure", {}, seen, seenCaption),
          el("div", { class: "nn-side" }, prediction, bars.element)),
        tiles)));

  const ctx = freehand(drawing, {
    pen: () => {
      if (showing !== "drawing") {
        // A test picture is shown: drawing starts a new picture.
        ctx.clearRect(0, 0, SIDE, SIDE);
        showing = "drawing";
      }
      return { colour: "black", width: PEN };
    },
    drawn: () => {
      pending = "drawing";
      refresh();
    },
  });

  // --- Asking Python: the newest state only, one call at a time.
  const refresh = latest(async () => {
    const kernel = readKernel();
    const picture = pending;
    pending = null;
    try {
      if (picture === "drawing") {
        showAll(await api.call("draw", { ink: inkOf(ctx, SIDE, SIDE), width: SIDE, height: SIDE, kernel }));
      } else if (picture !== null) {
        showAll(await api.call("pick", { sample: picture, kernel }));
      } else {
        showFilter(await api.call("apply", { kernel }));
      }
    } catch (error) {
      api.fail(error);
    }
  });

  // The nine weights as numbers; an empty or unreadable one keeps the last good filter, and says so.
  function readKernel() {
    const values = weightInputs.map((input) => (input.value.trim() === "" ? NaN : Number(input.value)));
    let bad = -1;
    values.forEach((v, i) => {
      const wrong = !Number.isFinite(v);
      weightInputs[i].setAttribute("aria-invalid", String(wrong));
      if (wrong && bad < 0) bad = i;
    });
    if (bad >= 0) {
      kernelMessage.textContent = `The weight in row ${Math.floor(bad / 3) + 1}, column ${(bad % 3) + 1} ` +
        "is not a number; the map shows the last complete filter.";
      return lastKernel;
    }
    kernelMessage.textContent = "";
    const sum = values.reduce((a, b) => a + b, 0);
    sumText.textContent = Math.abs(sum) < 1e-9
      ? "The weights add up to 0: flat areas of the picture give 0."
      : `The weights add up to ${formatNumber(sum)}: a flat area comes out ${formatNumber(sum)} times as bright.`;
    lastKernel = values;
    return values;
  }

  function setWeights(weights) {
    weights.forEach((w, i) => (weightInputs[i].value = String(w)));
  }

  function showAll(answer) {
    const { picture } = answer;
    if (showing !== "drawing") paintPicture(picture);
    drawing.setAttribute("aria-label", answer.empty
      ? "The picture: empty. Draw a digit here."
      : showing === "drawing"
        ? `The picture: your drawing, which the filter reads as ${picture.width} by ${picture.height} cells`
        : `The picture: test picture ${model.samples[showing].name}, ${picture.width} by ${picture.height} pixels`);
    showFilter(answer.filter);
    showNetwork(answer.network);
  }

  // A test picture, painted cell by cell over the whole canvas.
  function paintPicture(picture) {
    const small = document.createElement("canvas");
    paintPixels(small, picture.width, picture.height, (i) =>
      [0, 1, 2].map((c) => Math.round(picture.rgb[3 * i + c] * 255)));
    ctx.clearRect(0, 0, SIDE, SIDE);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, SIDE, SIDE);
  }

  function showFilter(answer) {
    const values = answer.map;
    const limit = Math.max(Math.abs(answer.low), Math.abs(answer.high), 1e-9);
    paintPixels(mapCanvas, answer.width, answer.height, (i) => {
      const j = Math.max(0, Math.min(255, Math.round(((values[i] / limit) + 1) * 127.5))) * 4;
      return [table[j], table[j + 1], table[j + 2]];
    });
    mapCanvas.setAttribute("aria-label", answer.description);
    mapCanvas.dataset.width = String(answer.width);
    mapCanvas.dataset.height = String(answer.height);
    mapCanvas.dataset.values = Array.from(values, (v) => String(Math.round(v * 1000) / 1000)).join(" ");
    mapCaption.textContent = answer.high - answer.low < 1e-9
      ? "Feature map: 0 everywhere."
      : `Feature map: orange below 0, blue above, from ${formatNumber(answer.low)} to ${formatNumber(answer.high)}.`;
    preset.value = answer.name || CUSTOM;
  }

  function showNetwork(answer) {
    if (answer.empty) {
      learnedTitle.textContent = "The trained network's own filters";
      prediction.textContent = "Draw a digit first.";
      bars.clear();
      seen.getContext("2d").clearRect(0, 0, seen.width, seen.height);
      seen.setAttribute("aria-label", "What the network reads: nothing yet");
      for (const part of tileParts) {
        part.map.getContext("2d").clearRect(0, 0, part.map.width, part.map.height);
        part.map.setAttribute("aria-label", `Feature map of learned filter ${part.number}: nothing yet`);
      }
      return;
    }
    const digits = answer.network === "digits";
    const size = answer.size;
    const nFilters = answer.maps.length / (size * size);
    const channels = answer.weights.length / (nFilters * 9);
    learnedTitle.textContent = `The trained ${digits ? "digits" : "shapes"} network: its ${nFilters} ` +
      `first-layer filters and the feature maps they make of the picture (after ReLU)`;
    const best = answer.classes[answer.answer];
    const percent = Math.round(answer.probability * 100);
    prediction.textContent = digits ? `The network reads it as ${best}, with ${percent} % probability.`
      : `The network sees a ${best}, with ${percent} % probability.`;
    bars.label(answer.classes,
      `The network's probability of each ${answer.classes.length === 10 ? "digit" : "shape"}`);
    bars.show(answer.probabilities, [answer.answer]);
    paintPixels(seen, size, size, (i) => [0, 1, 2].map((c) => Math.round(answer.seen[3 * i + c] * 255)));
    seen.setAttribute("aria-label", `The ${size} by ${size} picture the network reads, as ${best}`);
    seenCaption.textContent = `What the network reads (${size}x${size})`;

    makeTiles(nFilters, channels, size);
    const weightLimit = Math.max(...answer.weights.map(Math.abs), 1e-9);
    const top = Math.max(...answer.maps, 1e-9); // one scale for every map: the strongest filter stands out
    tileParts.forEach((part, f) => {
      const weights = answer.weights.subarray(f * channels * 9, (f + 1) * channels * 9);
      paintPixels(part.weights, 3, 3, (i) => channels === 1
        ? colourAt(weights[i] / weightLimit)
        : [0, 1, 2].map((c) => Math.round((0.5 + weights[c * 9 + i] / (2 * weightLimit)) * 255)));
      part.weights.setAttribute("aria-label", describeWeights(part.number, weights, channels));
      const map = answer.maps.subarray(f * size * size, (f + 1) * size * size);
      paintPixels(part.map, size, size, (i) => colourAt(Math.max(0, map[i]) / top));
      part.map.setAttribute("aria-label", `Feature map of learned filter ${part.number}: ${answer.descriptions[f]}`);
    });
  }

  // t in [-1, 1]: orange for negative, light grey for 0, blue for positive.
  function colourAt(t) {
    const j = Math.max(0, Math.min(255, Math.round((t + 1) * 127.5))) * 4;
    return [table[j], table[j + 1], table[j + 2]];
  }

  function makeTiles(nFilters, channels, size) {
    const key = `${nFilters}-${channels}-${size}`;
    if (tiles.dataset.key === key) return;
    tiles.dataset.key = key;
    tiles.replaceChildren();
    tileParts = Array.from({ length: nFilters }, (_, f) => {
      const part = {
        number: f + 1,
        weights: figureCanvas(3, 3, "", "nn-filter-weights"),
        map: figureCanvas(size, size, "", "nn-filter-map"),
      };
      tiles.append(el("figure", { class: "nn-filter-tile" }, part.weights, part.map,
        el("figcaption", { text: `filter ${f + 1}` })));
      return part;
    });
  }

  function describeWeights(number, weights, channels) {
    if (channels === 1) {
      const rows = [0, 1, 2].map((r) => Array.from(weights.subarray(3 * r, 3 * r + 3), formatNumber).join(", "));
      return `Learned filter ${number}, its weights row by row: ${rows.join("; ")}`;
    }
    const sums = ["red", "green", "blue"].map((name, c) =>
      [name, weights.subarray(9 * c, 9 * c + 9).reduce((a, b) => a + b, 0)]);
    const [name] = sums.reduce((a, b) => (Math.abs(b[1]) > Math.abs(a[1]) ? b : a));
    return `Learned filter ${number}, 3 by 3 in colour; its weights on ${name} weigh most. Sums per colour: ` +
      sums.map(([n, s]) => `${n} ${formatNumber(s)}`).join(", ");
  }

  function clear() {
    ctx.clearRect(0, 0, SIDE, SIDE);
    showing = "drawing";
    pending = "drawing";
    refresh();
  }

  function pick(i) {
    showing = i;
    pending = i;
    return refresh();
  }

  // Ready once the first test picture and its maps are shown, every canvas described.
  setWeights(model.kernels[model.kernel]);
  await pick(0);
  return { unmount() {} };
}
