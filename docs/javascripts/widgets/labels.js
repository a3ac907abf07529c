// Real labels against shuffled ones (post 1). Two copies of one network train side by side
// on the digits (demos/widgets/labels.py): one with the true labels, one with the labels
// shuffled. Both learn their training digits; only the first learns anything that holds
// for digits it has never seen.

import { el, buttonRow, trainingControls, inOrder, LineChart, COLOURS, percent } from "./ui.js";

export async function mount(container, api) {
  const model = api.model;
  let latest = model;

  // The colours mean what they mean in the figure above the widget: blue the training digits,
  // orange new digits; the line style tells the real labels (solid) from the shuffled (dashed).
  const chart = new LineChart({
    width: 480, height: 240, yLabel: "accuracy", yMin: 0, yMax: 1, firstX: 0, format: percent,
    guides: [{ value: 1 / model.n_classes, name: `guessing: ${percent(1 / model.n_classes)}` }],
    series: [
      { key: "real_train", name: "real labels, training digits", colour: COLOURS.blue },
      { key: "real_test", name: "real labels, new digits", colour: COLOURS.orange },
      { key: "shuffled_train", name: "shuffled, training digits", colour: COLOURS.blue, dashed: true },
      { key: "shuffled_test", name: "shuffled, new digits", colour: COLOURS.orange, dashed: true },
    ],
  });

  // --- Talking to Python: one call at a time, in order.
  const enqueue = inOrder();
  const training = trainingControls({
    api, enqueue,
    step: async (batches) => {
      const answer = await api.call("step", { batches });
      show(answer);
      return !answer.done;
    },
    stepOnce: async () => {
      const batches = Math.max(1, Math.round((1 - latest.progress) * model.batches_per_epoch));
      show(await api.call("step", { batches }));
    },
    reset: async () => {
      show(await api.call("reset", {}), true);
      api.status("Reset: both networks back to the same starting weights.");
    },
    paused: () => `Paused at epoch ${latest.epoch}.`,
    failed: (error) => api.fail(error),
    stopped: () => {
      if (latest.done) api.status(`Done: ${model.epochs} epochs.`);
    },
    maxPerCall: 50,
    names: { step: "Step one epoch" },
    // Batches a second: slow shows the real labels being learnt epoch by epoch (an epoch is a
    // few dozen batches); memorising the shuffled ones takes the whole run, best watched fast.
    speeds: { slow: 20, normal: 100 },
    unit: "batches",
  });
  const readout = el("p", { class: "nn-readout" });
  const table = el("table", { class: "nn-accuracy-table" });

  container.append(
    el("div", { class: "nn-labels" },
      buttonRow("Training", [training.trainButton, training.stepButton, training.resetButton, training.speed.element]),
      readout,
      el("figure", {}, chart.canvas, el("figcaption", {
        text: `Accuracy per epoch of a network with ${model.hidden} hidden neurons: on the ${model.n_train} ` +
          `training digits (blue) and ${model.n_test} new digits it never trains on (orange), with the real labels ` +
          `(solid) and with shuffled ones (dashed). Guessing gets ${percent(1 / model.n_classes)} right.`,
      })),
      table));

  function show(answer, fresh = false) {
    latest = answer;
    if (fresh) chart.clear();
    chart.extend({
      real_train: answer.real.train_accuracy,
      real_test: answer.real.test_accuracy,
      shuffled_train: answer.shuffled.train_accuracy,
      shuffled_test: answer.shuffled.test_accuracy,
    });
    const into = answer.done || answer.progress === 0 ? "" : ` (${percent(answer.progress)} into the next)`;
    readout.textContent = `Epoch ${answer.epoch} of ${model.epochs}${into}`;
    const last = (key) => {
      const values = chart.series.find((s) => s.key === key).values;
      return values.length ? percent(values[values.length - 1]) : "–";
    };
    table.replaceChildren(
      el("caption", { text: "Accuracy now" }),
      el("tr", {}, el("th", { scope: "col", text: "labels" }), el("th", { scope: "col", text: "training digits" }),
        el("th", { scope: "col", text: "test digits" })),
      ...["real", "shuffled"].map((run) => el("tr", {}, el("th", { scope: "row", text: run }),
        el("td", { text: last(`${run}_train`) }), el("td", { text: last(`${run}_test`) }))));
    training.stepButton.disabled = training.trainButton.disabled = answer.done;
  }

  show(model, true);
  return { unmount: () => training.loop.stop() };
}
