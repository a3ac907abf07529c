// Training live (post 7): the convolutional network learns its filters while the reader watches.
// Python (demos/widgets/convnet.py) trains a few mini-batches per call in the worker and answers
// with the filters, the feature maps of one picture, the probabilities and the curves; this
// module draws them and handles the controls.
//
// The seed, learning rate, batch size and L2 round-trip through the URL hash (#cn.seed=3...),
// as the playground's settings do, so a shared link replays the same run.
//
// Each filter's canvas carries its weights in data-values (row by row, rounded), and each
// canvas a text alternative that says what it shows: for tests and for readers who cannot see it.

import {
  el, button, buttonRow, inOrder, latest, trainingControls, LineChart, COLOURS, Bars, divergingTable,
  figureCanvas, freehand, inkOf, paintPixels, formatNumber, percent, seedInput, linkedSettings, numberMenu, hashFromSettings,
} from "./ui.js";

const SIDE = 168; // drawing canvas pixels
const PEN = 14; // pen width in canvas pixels
const HASH_KEYS = { seed: "cn.seed", learning_rate: "cn.lr", batch_size: "cn.batch", l2: "cn.l2" };
// Mini-batches a second at the speeds one can follow; "fast" trains as fast as the browser can.
export const SPEEDS = { slow: 5, normal: 20 };
const WORDS_EVERY = 250; // ms between two writings of the words while training runs

const batches = (n) => `${n} mini-batch${n === 1 ? "" : "es"}`;

export async function mount(container, api) {
  const spec = api.model.spec;
  const { settings, linked } = linkedSettings(api, "convnet", HASH_KEYS);
  let model = JSON.stringify(settings) === JSON.stringify(api.model.settings)
    ? api.model : { ...api.model, ...(await api.call("configure", settings)) };
  const table = divergingTable(0);
  let showing = "sample"; // what the picture canvas shows: a test digit, or the reader's "drawing"

  // --- Talking to Python: one call at a time, in order.
  const enqueue = inOrder();
  const training = trainingControls({
    api, enqueue, show,
    names: { step: "Step one mini-batch" },
    speeds: SPEEDS,
    unit: "mini-batches",
    maxPerCall: 200,
    step: async (n) => {
      show(await api.call("step", { batches: n }));
      return true;
    },
    resetSays: () => `Reset: the same starting weights again (seed ${settings.seed}).`,
    paused: () => {
      writeWords(); // the last answer's, as the pause lands
      return `Paused after ${batches(state.steps)} (epoch ${state.epoch.toFixed(2)}).`;
    },
    failed: (error) => {
      if (error.type !== "TrainingDiverged") return api.fail(error);
      api.status(`Training stopped: ${error.message}`);
      training.resetButton.classList.add("nn-attention");
    },
  });

  // --- Pictures.
  const tiles = el("div", { class: "nn-filter-tiles" });
  const parts = [];
  const drawing = figureCanvas(SIDE, SIDE, "", "nn-drawing nn-drawable nn-convnet-picture");
  const seen = figureCanvas(8, 8, "", "nn-seen");
  const prediction = el("p", { class: "nn-readout nn-prediction" });
  const bars = new Bars("The network's probability of each digit");
  bars.label(model.samples);
  const readout = el("p", { class: "nn-readout" });
  const filtersText = el("p", { class: "nn-readout" });
  const lossChart = new LineChart({
    width: 320, height: 160, yLabel: "training loss",
    series: [{ key: "loss", name: "training loss", colour: COLOURS.text }],
  });
  const accuracyChart = new LineChart({
    width: 320, height: 160, yLabel: "accuracy", yMin: 0, yMax: 1, firstX: 0, format: percent,
    series: [
      { key: "train", name: "training digits", colour: COLOURS.text },
      { key: "test", name: "test digits", colour: COLOURS.blue, dashed: true },
    ],
  });
  const samples = model.samples.map((name, i) =>
    button(name, () => pick(i), { class: "nn-button nn-small", "aria-label": `Test digit ${name}` }));
  const clearButton = button("Clear", () => clearDrawing());

  // --- Settings: each change starts a new run from its seed.
  const numbers = (label, name) => numberMenu(label, spec[name], settings[name], (v) => change({ [name]: v }));
  const rate = numbers("Learning rate", "learning_rate");
  const batch = numbers("Batch size", "batch_size");
  const l2 = numbers("L2", "l2");
  const seed = seedInput(spec.seed, () => settings.seed, (v) => change({ seed: v }));

  container.append(
    el("div", { class: "nn-convnet" },
      buttonRow("Training", [training.trainButton, training.stepButton, training.resetButton]),
      training.speed.element,
      readout,
      el("div", { class: "nn-panels" },
        el("figure", { class: "nn-convnet-filters" }, tiles,
          el("figcaption", {
            text: "Each filter's 3×3 weights (orange negative, blue positive, each filter to its own scale) " +
              "above the feature map it makes of the picture (after ReLU; dark blue is the strongest answer).",
          }),
          filtersText),
        el("div", { class: "nn-side" },
          el("figure", {}, drawing,
            el("figcaption", { text: "The picture: draw a digit on it, or pick a test digit." }),
            el("div", { class: "nn-buttons" }, clearButton)),
          el("fieldset", { class: "nn-buttons" }, el("legend", { text: "Test digits" }), ...samples))),
      el("div", { class: "nn-panels" },
        el("figure", {}, seen, el("figcaption", { text: "What the network reads (8×8)" })),
        el("div", { class: "nn-side" }, prediction, bars.element)),
      el("div", { class: "nn-panels" },
        el("figure", {}, lossChart.canvas,
          el("figcaption", { text: "Training loss, the mean over the mini-batches between two points" })),
        el("figure", {}, accuracyChart.canvas,
          el("figcaption", { text: `Accuracy on ${model.n_check_train} training digits and on the ` +
            `${model.n_test} test digits, three times an epoch` }))),
      el("fieldset", { class: "nn-controls" }, el("legend", { text: "Training settings" }),
        rate.element, batch.element, l2.element, seed)));

  const ctx = freehand(drawing, {
    pen: () => {
      if (showing !== "drawing") {
        ctx.clearRect(0, 0, SIDE, SIDE); // a test digit is shown: drawing starts a new picture
        showing = "drawing";
        paintedPicture = null;
      }
      return { colour: "black", width: PEN };
    },
    drawn: () => readDrawing(),
  });

  // The newest drawing only, in turn with the training calls.
  const readDrawing = latest(() => enqueue(async () => {
    try {
      const answer = await api.call("draw", { ink: inkOf(ctx, SIDE, SIDE), width: SIDE, height: SIDE });
      if (answer.empty) {
        prediction.textContent = "Draw a digit on the picture; the network reads it as it stands.";
        bars.clear();
      } else showPicture(answer);
    } catch (error) {
      api.fail(error);
    }
  }));

  function pick(i) {
    showing = "sample";
    return enqueue(async () => {
      try {
        showPicture(await api.call("pick", { sample: i }));
      } catch (error) {
        api.fail(error);
      }
    });
  }

  function clearDrawing() {
    ctx.clearRect(0, 0, SIDE, SIDE);
    showing = "drawing";
    paintedPicture = null;
    prediction.textContent = "Draw a digit on the picture; the network reads it as it stands.";
    bars.clear();
    drawing.setAttribute("aria-label", "The picture: empty. Draw a digit here.");
  }

  // --- Showing an answer: the words at once, the pictures in the next animation frame.
  let state = model;
  let frame = 0;
  let drawnCurves = ""; // what the charts show, as draw() tells it
  let paintedPicture = null; // the test digit painted on the picture canvas

  let wordsAt = -Infinity; // when the words were last written

  function show(answer, fresh = false) {
    state = { ...state, ...answer };
    if (fresh) drawnCurves = ""; // a new run: its curves, even if as long as the last one's
    if (!frame) frame = requestAnimationFrame(draw);
  }

  // The words (readout, prediction, bars): every new text lays out the whole page again, which
  // costs more than drawing every canvas, so while training runs they follow a few times a
  // second; the canvases follow every answer.
  function writeWords() {
    wordsAt = performance.now();
    readout.textContent = `${batches(state.steps)}, epoch ${state.epoch.toFixed(2)} · ` +
      `filters moved ${percent(state.moved)} from their start · ` + accuracyWords();
    filtersText.textContent = `${state.edge_like} of the ${state.filters.length / 9} filters look like an edge ` +
      "filter now.";
    const picture = state.picture;
    prediction.textContent = `The network as it stands reads ${picture.name} as ${model.samples[picture.answer]}, ` +
      `with ${percent(picture.probability)} probability.`;
    bars.show(picture.probabilities, [picture.answer]);
  }

  function accuracyWords() {
    const { train_accuracy: train, test_accuracy: test, loss } = state;
    const last = (values) => values[values.length - 1];
    return (loss.length ? `training loss ${formatNumber(last(loss))} · ` : "") +
      `accuracy: training ${percent(last(train))}, test ${percent(last(test))}`;
  }

  function draw() {
    frame = 0;
    const words = !training.loop.running || performance.now() - wordsAt >= WORDS_EVERY;
    drawFilters(state, words);
    showPicture(state.picture, words);
    // The curves change a few times an epoch: redrawn only then.
    const curves = `${state.every} ${state.batches_per_epoch} ${state.test_accuracy.length}`;
    if (curves === drawnCurves) return;
    drawnCurves = curves;
    const step = state.every / state.batches_per_epoch; // epochs between two points
    lossChart.xStep = step;
    accuracyChart.xStep = step;
    lossChart.replace({ loss: state.loss });
    accuracyChart.replace({ train: state.train_accuracy, test: state.test_accuracy });
  }

  function makeTiles(n) {
    if (parts.length === n) return;
    tiles.replaceChildren();
    parts.length = 0;
    for (let f = 0; f < n; f++) {
      const part = {
        weights: figureCanvas(3, 3, "", "nn-filter-weights"),
        map: figureCanvas(8, 8, "", "nn-filter-map"),
      };
      tiles.append(el("figure", { class: "nn-filter-tile" }, part.weights, part.map,
        el("figcaption", { text: `filter ${f + 1}` })));
      parts.push(part);
    }
  }

  const colourAt = (t) => {
    const j = Math.max(0, Math.min(255, Math.round((t + 1) * 127.5))) * 4;
    return [table[j], table[j + 1], table[j + 2]];
  };

  // The filters; `words` their text alternatives too.
  function drawFilters(now, words = true) {
    const n = now.filters.length / 9;
    makeTiles(n);
    parts.forEach((part, f) => {
      const weights = now.filters.subarray(9 * f, 9 * f + 9);
      const limit = Math.max(...weights.map(Math.abs), 1e-9);
      paintPixels(part.weights, 3, 3, (i) => colourAt(weights[i] / limit));
      part.weights.dataset.values = Array.from(weights, (v) => String(Math.round(v * 1e4) / 1e4)).join(" ");
      if (!words) return;
      const rows = [0, 1, 2].map((r) => Array.from(weights.subarray(3 * r, 3 * r + 3), formatNumber).join(", "));
      part.weights.setAttribute("aria-label",
        `Filter ${f + 1}: ${now.filter_descriptions[f]}; its weights row by row: ${rows.join("; ")}`);
    });
  }

  // The picture's maps; `words` their text alternatives and the words too.
  function showPicture(picture, words = true) {
    state.picture = picture;
    const n = picture.maps.length / 64;
    makeTiles(n);
    const top = Math.max(...picture.maps, 1e-9); // one scale for every map: the strongest filter stands out
    parts.forEach((part, f) => {
      const map = picture.maps.subarray(64 * f, 64 * f + 64);
      paintPixels(part.map, 8, 8, (i) => colourAt(Math.max(0, map[i]) / top));
      if (words) {
        part.map.setAttribute("aria-label",
          `Feature map of filter ${f + 1} over ${picture.name}: ${picture.map_descriptions[f]}`);
      }
    });
    const ink = (i) => Array(3).fill(Math.round((1 - picture.pixels[i]) * 255));
    paintPixels(seen, 8, 8, ink);
    if (showing !== "drawing" && paintedPicture !== picture.name) {
      paintedPicture = picture.name;
      const small = document.createElement("canvas");
      paintPixels(small, 8, 8, ink);
      ctx.clearRect(0, 0, SIDE, SIDE);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(small, 0, 0, SIDE, SIDE);
    }
    if (!words) return;
    const best = model.samples[picture.answer];
    drawing.setAttribute("aria-label", `The picture: ${picture.name}, which the network reads as ${best}`);
    seen.setAttribute("aria-label", `The 8 by 8 picture the network reads: ${picture.name}`);
    writeWords();
  }

  // A setting changed: a new run from its seed; training that was running goes on.
  function change(update) {
    Object.assign(settings, update);
    if (linked) history.replaceState(history.state, "", hashFromSettings(settings, location.hash, HASH_KEYS));
    apply();
  }

  const apply = latest(async () => {
    const wasRunning = training.loop.running;
    training.loop.stop();
    await training.attempt(async () => {
      model = { ...model, ...(await api.call("configure", settings)) };
      show(model, true);
      api.status(`New settings: a new run from seed ${settings.seed}.`);
      if (wasRunning) training.train();
    });
  });

  show(model, true);
  draw();
  return {
    unmount() {
      training.loop.stop();
      cancelAnimationFrame(frame);
    },
  };
}
