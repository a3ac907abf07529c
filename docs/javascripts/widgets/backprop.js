// Backpropagation, one step at a time (post 4): a 2-2-1 network and one example. Forward,
// Backward and Update show every number of a training step, computed by
// demos/widgets/backprop.py; Nudge raises one weight by ε and sets the loss's real change
// beside gradient × ε. The steps follow the chain rule, so each button needs the one before.

import { el, button, buttonRow, select, inOrder } from "./ui.js";

const fmt = (v) => (v < 0 ? "−" : "") + Math.abs(v).toFixed(4);
const signed = (v) => (v < 0 ? " − " : " + ") + Math.abs(v).toFixed(4);

export async function mount(container, api) {
  const model = api.model;
  const names = model.parameters;
  const x = model.x;
  const y = model.y;
  const enqueue = inOrder();
  const [hidden] = model.activations; // the hidden layer's activation, as the model names it
  let weights = model.weights;
  let pass = null; // the last forward pass
  let grads = null; // the last backward pass, for the same weights

  const status = el("p", { class: "nn-output-text", role: "status" });
  const forwardList = el("div");
  const backwardList = el("div");
  const table = el("table", { class: "nn-backprop-table" });
  const nudgeText = el("p", { class: "nn-output-text", role: "status" });

  const forwardButton = button("Forward", () => enqueue(() => run(doForward)));
  const backwardButton = button("Backward", () => enqueue(() => run(doBackward)));
  const updateButton = button("Update", () => enqueue(() => run(doUpdate)));
  const resetButton = button("Reset", () => enqueue(() => run(doReset)));
  const parameter = select({ label: "Weight to nudge", choices: names.map((n) => [n, n]), value: names[0] });
  const epsilon = select({
    label: "By ε",
    choices: model.epsilons.map((e) => [String(e), String(e)]),
    value: String(model.epsilons[1]),
  });
  const nudgeButton = button("Nudge", () => enqueue(() => run(doNudge)));

  container.append(
    el(
      "div",
      { class: "nn-backprop" },
      el("p", {
        class: "nn-formula",
        text: `Example: x1 = ${fmt(x[0])}, x2 = ${fmt(x[1])}, target y = ${y}. ` +
          `Learning rate ${model.learning_rate}.`,
      }),
      buttonRow("One training step", [forwardButton, backwardButton, updateButton, resetButton]),
      status,
      el("div", { class: "nn-backprop-passes" },
        el("div", { role: "group", "aria-label": "Forward pass" },
          el("p", { class: "nn-backprop-title", text: "Forward" }), forwardList),
        el("div", { role: "group", "aria-label": "Backward pass" },
          el("p", { class: "nn-backprop-title", text: "Backward" }), backwardList)),
      table,
      el("div", { class: "nn-controls" }, parameter.element, epsilon.element, nudgeButton),
      nudgeText,
    ),
  );

  async function run(step) {
    try {
      await step();
    } catch (error) {
      api.fail(error);
    }
    draw();
  }

  async function doForward() {
    pass = await api.call("forward", {});
    weights = pass.weights;
    grads = null;
    status.textContent = `Forward pass done: the loss is ${fmt(pass.loss)}. Next, Backward.`;
  }

  async function doBackward() {
    grads = await api.call("backward", {});
    status.textContent = "Backward pass done: every weight has its gradient. Next, Update.";
  }

  async function doUpdate() {
    const answer = await api.call("update", {});
    pass = answer;
    weights = answer.weights;
    grads = null;
    status.textContent = `Update ${answer.updates}: every weight moved against its gradient; ` +
      `the loss went from ${fmt(answer.loss_before)} to ${fmt(answer.loss)}. Next, Backward again.`;
  }

  async function doReset() {
    const answer = await api.call("reset", {});
    weights = answer.weights;
    pass = null;
    grads = null;
    nudgeText.textContent = "";
    status.textContent = "Back to the random start. Press Forward.";
  }

  async function doNudge() {
    const answer = await api.call("nudge", { parameter: parameter.value, epsilon: Number(epsilon.value) });
    nudgeText.textContent =
      `Raising ${answer.parameter} by ${answer.epsilon} changed the loss from ${fmt(answer.loss_before)} ` +
      `to ${fmt(answer.loss_after)}, by ${fmt(answer.change)}. Its gradient × ε is ` +
      `${fmt(answer.gradient)} × ${answer.epsilon} = ${fmt(answer.predicted)}.`;
  }

  function draw() {
    forwardButton.disabled = false;
    backwardButton.disabled = pass === null;
    updateButton.disabled = grads === null;
    const w = (name) => weights[names.indexOf(name)];
    forwardList.replaceChildren(pass ? forwardSteps(w) : el("p", { text: "Press Forward." }));
    backwardList.replaceChildren(grads ? backwardSteps(w) : el("p", {
      text: pass ? "Press Backward." : "After the forward pass.",
    }));
    drawTable(w);
  }

  function forwardSteps(w) {
    const rows = [];
    for (const j of [1, 2]) {
      rows.push([`z1[${j}] = x1·W1[1][${j}] + x2·W1[2][${j}] + b1[${j}]`,
        `${fmt(x[0])}·${fmt(w(`W1[1][${j}]`))}${signed(x[1] * w(`W1[2][${j}]`))}${signed(w(`b1[${j}]`))}` +
        ` = ${fmt(pass.z1[j - 1])}`]);
      rows.push([`h[${j}] = ${hidden}(z1[${j}])`, fmt(pass.h[j - 1])]);
    }
    rows.push(["z2 = h[1]·W2[1] + h[2]·W2[2] + b2",
      `${fmt(pass.h[0] * w("W2[1]"))}${signed(pass.h[1] * w("W2[2]"))}${signed(w("b2"))} = ${fmt(pass.z2)}`]);
    rows.push([`p = ${model.activations[1]}(z2)`, fmt(pass.p)]);
    rows.push([y === 1 ? "loss = −log p" : "loss = −log(1 − p)", fmt(pass.loss)]);
    return definitions(rows);
  }

  function backwardSteps(w) {
    const rows = [["dL/dz2 = p − y", `${fmt(pass.p)} − ${y} = ${fmt(grads.error_out)}`]];
    for (const j of [1, 2]) {
      rows.push([`dL/dh[${j}] = W2[${j}] × dL/dz2`,
        `${fmt(w(`W2[${j}]`))} × ${fmt(grads.error_out)} = ${fmt(grads.error_hidden[j - 1])}`]);
      rows.push([`dL/dz1[${j}] = dL/dh[${j}] × ${hidden}′ (= 1 − h[${j}]²)`,
        `${fmt(grads.error_hidden[j - 1])} × ${fmt(grads.slope[j - 1])} = ${fmt(grads.error_z1[j - 1])}`]);
    }
    return definitions(rows);
  }

  // Each parameter's value and, after Backward, its gradient as the chain rule's product.
  function drawTable(w) {
    const head = el("tr", {}, ...["weight", "value", "gradient dL/dw", "= input × error"].map(
      (text) => el("th", { scope: "col", text })));
    const rows = names.map((name, k) => {
      const gradient = grads ? fmt(grads.gradients[k]) : "–";
      return el("tr", {}, el("th", { scope: "row", text: name }), el("td", { text: fmt(weights[k]) }),
        el("td", { text: gradient }), el("td", { text: grads ? factors(name) : "–" }));
    });
    table.replaceChildren(el("caption", { text: "The network's nine parameters" }), el("thead", {}, head),
      el("tbody", {}, ...rows));
  }

  function factors(name) {
    const [i, j] = (name.match(/\d/g) ?? []).slice(1).map(Number); // W1[i][j], b1[i], W2[i]
    if (name === "b2") return `1 × dL/dz2 = ${fmt(grads.error_out)}`;
    if (name.startsWith("W2")) return `h[${i}] × dL/dz2 = ${fmt(pass.h[i - 1])} × ${fmt(grads.error_out)}`;
    if (name.startsWith("b1")) return `1 × dL/dz1[${i}] = ${fmt(grads.error_z1[i - 1])}`;
    return `x${i} × dL/dz1[${j}] = ${fmt(x[i - 1])} × ${fmt(grads.error_z1[j - 1])}`;
  }

  draw();
  status.textContent = "Press Forward to run the example through the network.";
  return { unmount() {} };
}

function definitions(rows) {
  return el("dl", { class: "nn-backprop-steps" },
    ...rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", { text: value })]));
}
