"""Post 1, "Introduction to Neural Networks": a neuron, a network, and why learning works.

Every figure comes from a network trained here with ``demos``: a three-input
neuron learning which colours are purple-ish (the opening video), a digits
network whose hidden units turn out to be strokes, a small network trained on
two rings of points (the network diagram), and one network trained twice on
the same digits, once with the real labels and once with shuffled ones.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from demos import datasets
from demos.nn import Network, Trainer, activation, make_optimizer
from demos.widgets.labels import (ACTIVATION, BATCH_SIZE, LEARNING_RATE, MAX_BATCHES_PER_CALL,
                                  OPTIMIZER, LabelsModel)
from demos.widgets.labels import WIDGET as LABELS  # noqa: N811
from scripts.assets import palette, plotting
from scripts.assets.recipe import recipe
from scripts.assets.frames import frame_steps, freeze_static

sigmoid = activation("sigmoid").function  # the network's own
PURPLE = palette.ACTIVE  # the colour the neuron of the opening video learns to spot, and its output
CHANNELS = ("red", "green", "blue")


def blend(colour, amount, base=plotting.CARD):
    """``colour`` mixed into ``base``: 0 gives ``base``, 1 gives ``colour``. Returns RGB."""
    amount = float(np.clip(amount, 0.0, 1.0))
    return tuple((1 - amount) * np.array(to_rgb(base)) + amount * np.array(to_rgb(colour)))


def weight_colour(w, scale):
    """Blue for a positive weight, orange for a negative one, stronger the larger |w| / scale.
    (The square root lets small weights show some colour too.)"""
    strength = np.sqrt(min(abs(float(w)) / scale, 1.0))
    return plotting.DIVERGING_CMAP(0.5 + 0.5 * np.sign(w) * strength)


def signed(value, digits=1):
    """``value`` with its sign, and a real minus sign rather than a hyphen: "+6.3", "−10.5"."""
    return f"{value:+.{digits}f}".replace("-", "\u2212")


def weight_width(w, scale, thinnest=0.8, thickest=9.0):
    """Line width (points) of a connection of weight ``w``; ``scale`` gets the thickest."""
    return thinnest + (thickest - thinnest) * min(abs(float(w)) / scale, 1.0)


# --- The colour neuron of the opening video.


def train_colour_neuron(X, y, learning_rate, steps, seed, X_test, y_test):
    """Train a 3-input sigmoid neuron one colour at a time, recording it before the
    first and after every step.

    Each step takes the next colour of a shuffled pass over ``X`` ``(n, 3)``, computes
    the gradient of the loss on that one colour, and moves the weights against it.
    Returns a dict indexed by step (length ``steps + 1``): ``"w"`` ``(steps + 1, 3)``,
    ``"b"``, ``"next"`` (index into ``X`` of the colour the next step learns from) and
    ``"test_accuracy"`` (on ``X_test``), plus the trained ``"network"``.
    """
    net = Network([3, 1], ["sigmoid"], seed=seed)
    optimizer = make_optimizer("sgd", learning_rate)
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(len(X)) for _ in range(steps // len(X) + 1)])
    Y = y[:, None].astype(float)
    ws, bs, accuracies = [], [], []
    for step in range(steps + 1):
        if step:
            i = order[step - 1 : step]
            _, grads = net.gradients(X[i], Y[i], "binary_cross_entropy")
            optimizer.update(net.layers, grads)
        ws.append(net.layers[0]["W"][:, 0].copy())
        bs.append(float(net.layers[0]["b"][0]))
        accuracies.append(net.accuracy(X_test, y_test))
    return {"w": np.array(ws), "b": np.array(bs), "next": order[: steps + 1],
            "test_accuracy": np.array(accuracies), "network": net}


def neuron_output(w, b, rgb):
    """The neuron's weighted sum ``z`` and output ``sigmoid(z)`` for one colour ``(3,)``."""
    z = float(np.dot(w, rgb) + b)
    return z, float(sigmoid(z))


class NeuronDiagram:
    """The neuron of the opening video, drawn on ``ax`` (data coordinates 0..16 x 0..9)."""

    INPUTS_X, NEURON, OUTPUT = 4.6, (9.6, 4.7), (13.6, 4.7)
    INPUT_Y = (7.3, 4.7, 2.1)
    NODE_RADIUS, NEURON_RADIUS = 0.8, 1.05

    def __init__(self, ax, weight_scale):
        self.ax, self.scale = ax, weight_scale
        ax.set_xlim(0, 16)
        ax.set_ylim(0, 9)
        ax.set_aspect("equal")
        ax.set_axis_off()
        # Input colour swatch, split into its three channels.
        self.swatch = Rectangle((0.35, 3.45), 2.5, 2.5, ec=plotting.AXES, lw=1.0)
        ax.add_patch(self.swatch)
        ax.text(1.6, 6.25, "input", ha="center", va="bottom", fontsize=12)
        self.edges, self.weight_labels, self.nodes, self.values = [], [], [], []
        for y, name, colour in zip(self.INPUT_Y, CHANNELS, plotting.CHANNEL_COLOURS):
            ax.plot([2.85, self.INPUTS_X - self.NODE_RADIUS], [4.7, y], color=plotting.NEUTRAL,
                    lw=1.0, zorder=1)
            (edge,) = ax.plot([self.INPUTS_X, self.NEURON[0]], [y, self.NEURON[1]],
                              solid_capstyle="butt", zorder=1)
            self.edges.append(edge)
            node = Circle((self.INPUTS_X, y), self.NODE_RADIUS, ec=colour, lw=2.0, zorder=3)
            ax.add_patch(node)
            self.nodes.append((node, colour))
            ax.text(self.INPUTS_X, y, name[0], ha="center", va="center", fontsize=13,
                    fontweight="bold", color=plotting.TEXT, zorder=4)
            self.values.append(ax.text(self.INPUTS_X, y - self.NODE_RADIUS - 0.12, "",
                                       ha="center", va="top", fontsize=11, zorder=4))
            # Weight labels sit on the edge, 40 % of the way to the neuron.
            at = (self.INPUTS_X + 0.42 * (self.NEURON[0] - self.INPUTS_X),
                  y + 0.42 * (self.NEURON[1] - y))
            self.weight_labels.append(ax.text(*at, "", ha="center", va="center", fontsize=11,
                                              zorder=4, bbox={"boxstyle": "round,pad=0.2",
                                                              "fc": plotting.CARD, "ec": "none"}))
        ax.add_patch(Circle(self.NEURON, self.NEURON_RADIUS, fc="white", ec=plotting.TEXT,
                            lw=2.0, zorder=3))
        ax.text(*self.NEURON, "Σ", ha="center", va="center", fontsize=18, zorder=4)
        self.bias_label = ax.text(self.NEURON[0], self.NEURON[1] - self.NEURON_RADIUS - 0.15, "",
                                  ha="center", va="top", fontsize=11)
        self.sum_label = ax.text(self.NEURON[0], self.NEURON[1] + self.NEURON_RADIUS + 0.15, "",
                                 ha="center", va="bottom", fontsize=12)
        ax.add_patch(FancyArrowPatch((self.NEURON[0] + self.NEURON_RADIUS, self.NEURON[1]),
                                     (self.OUTPUT[0] - self.NODE_RADIUS - 0.05, self.OUTPUT[1]),
                                     arrowstyle="-|>,head_width=4,head_length=7", lw=1.8,
                                     color=plotting.TEXT, zorder=2))
        ax.text((self.NEURON[0] + self.OUTPUT[0]) / 2 + 0.1, self.NEURON[1] + 0.25, "σ",
                ha="center", va="bottom", fontsize=15)
        self.output = Circle(self.OUTPUT, self.NODE_RADIUS, ec=PURPLE, lw=2.0, zorder=3)
        ax.add_patch(self.output)
        self.output_value = ax.text(self.OUTPUT[0], self.OUTPUT[1] + self.NODE_RADIUS + 0.15, "",
                                    ha="center", va="bottom", fontsize=13, fontweight="bold")
        ax.text(self.OUTPUT[0], self.OUTPUT[1] - self.NODE_RADIUS - 0.15, "purple-ish?",
                ha="center", va="top", fontsize=11)
        self.target = ax.text(self.OUTPUT[0], self.OUTPUT[1] - self.NODE_RADIUS - 0.75, "",
                              ha="center", va="top", fontsize=11, color=plotting.AXES)
        self.equation = ax.text(8.0, 0.25, "", ha="center", va="bottom", fontsize=12)
        self.step = ax.text(0.2, 8.85, "", ha="left", va="top", fontsize=12)
        self.accuracy = ax.text(15.8, 8.85, "", ha="right", va="top", fontsize=12)

    def moving(self):
        """Every artist that changes between frames."""
        return [self.swatch, *self.edges, *self.weight_labels, *(n for n, _ in self.nodes),
                *self.values, self.bias_label, self.sum_label, self.output, self.output_value,
                self.target, self.equation, self.step, self.accuracy]

    def show(self, w, b, rgb, label, step_text, accuracy_text):
        z, a = neuron_output(w, b, rgb)
        self.swatch.set_facecolor(tuple(rgb))
        for i in range(3):
            self.edges[i].set_color(weight_colour(w[i], self.scale))
            self.edges[i].set_linewidth(weight_width(w[i], self.scale))
            self.weight_labels[i].set_text(signed(w[i]))
            node, colour = self.nodes[i]
            node.set_facecolor(blend(colour, rgb[i]))
            self.values[i].set_text(f"{rgb[i]:.2f}")
        self.bias_label.set_text(f"bias {signed(b)}")
        self.sum_label.set_text(f"z = {signed(z)}")
        self.output.set_facecolor(blend(PURPLE, a))
        self.output_value.set_text(f"{a:.2f}")
        self.target.set_text("" if label is None else f"right answer: {'yes' if label else 'no'}")
        terms = " ".join(f"{'+' if wi >= 0 else '−'} {abs(wi):.1f}×{xi:.2f}" for wi, xi in zip(w, rgb))
        self.equation.set_text(f"z = {terms.lstrip('+ ')} {'+' if b >= 0 else '−'} {abs(b):.1f}"
                               f" = {signed(z)}")
        self.step.set_text(step_text)
        self.accuracy.set_text(accuracy_text)


NEURON_PARAMS = {
    "seed": 0,
    "colours": 400,
    "test_colours": 400,
    "learning_rate": 1.0,
    "steps": 800,
    "frames": 200,
    "fps": 20,
    # After training: the trained neuron looks at a few new colours, the last one the poster.
    "showcase": [[0.35, 0.75, 0.3], [0.95, 0.55, 0.15], [0.62, 0.18, 0.78]],
    "showcase_frames": 20,
    "thumb_green": 0.15,
    "response_greens": [0.1, 0.4],
    # A colour the rule calls not purple-ish (too little blue) that sits on the yes side of
    # the trained neuron's one straight cut: the bottom-right tile of the response figure.
    "false_positive": [1.0, 0.1, 0.0],
}


@recipe(outputs=["post1/neuron.mp4", "post1/neuron-poster.webp", "post1/neuron-response.svg",
                 "thumbs/post1.webp", "cards/post1.png"],
        params=NEURON_PARAMS)
def neuron_video(out, params):
    X, y = datasets.colours(params["colours"], params["seed"])
    X_test, y_test = datasets.colours(params["test_colours"], params["seed"] + 1)
    started = time.perf_counter()
    run = train_colour_neuron(X, y, params["learning_rate"], params["steps"], params["seed"],
                              X_test, y_test)
    train_seconds = time.perf_counter() - started
    net = run["network"]

    fig = plt.figure(layout="none")
    ax = fig.add_axes([0, 0, 1, 1])
    diagram = NeuronDiagram(ax, weight_scale=float(np.abs(run["w"]).max()))
    freeze_static(fig, moving=diagram.moving())

    # Slow at first, the untrained neuron held for several frames, then faster and faster.
    schedule = frame_steps(params["steps"], params["frames"], power=2.5, hold_start=True)
    showcase = np.array(params["showcase"], dtype=float)
    per_colour = params["showcase_frames"]
    w_end, b_end = run["w"][-1], run["b"][-1]
    final_accuracy = f"accuracy on new colours: {run['test_accuracy'][-1]:.0%}"

    def draw_frame(i):
        if i < len(schedule):
            step = int(schedule[i])
            colour = run["next"][step]
            diagram.show(run["w"][step], run["b"][step], X[colour], y[colour],
                         f"training step {step}" if step else "before training",
                         f"accuracy on new colours: {run['test_accuracy'][step]:.0%}")
        else:
            rgb = showcase[(i - len(schedule)) // per_colour]
            diagram.show(w_end, b_end, rgb, None, f"trained ({params['steps']} steps)", final_accuracy)

    n_frames = len(schedule) + per_colour * len(showcase)
    plotting.write_video(fig, draw_frame, n_frames, out["post1/neuron.mp4"], fps=params["fps"],
                         poster_path=out["post1/neuron-poster.webp"])
    plt.close(fig)
    colour_thumb(out["thumbs/post1.webp"], out["cards/post1.png"], w_end, b_end, params["thumb_green"])
    response_figure(out["post1/neuron-response.svg"], w_end, b_end, params["response_greens"])
    showcase_outputs = [round(neuron_output(w_end, b_end, rgb)[1], 3) for rgb in showcase]
    false_positive = np.array(params["false_positive"])
    return {
        "test_accuracy": float(run["test_accuracy"][-1]),
        "train_accuracy": net.accuracy(X, y),
        "start_test_accuracy": float(run["test_accuracy"][0]),
        "final_loss": round(net.loss(X, y[:, None].astype(float), "binary_cross_entropy"), 4),
        "steps": params["steps"],
        "n_train": len(X),
        "n_test": len(X_test),
        "epochs": round(params["steps"] / len(X), 2),
        "n_parameters": net.n_parameters,
        "w_red": round(float(w_end[0]), 2),
        "w_green": round(float(w_end[1]), 2),
        "w_blue": round(float(w_end[2]), 2),
        "bias": round(float(b_end), 2),
        "showcase_outputs": showcase_outputs,
        "purple_showcase_output": showcase_outputs[-1],
        "false_positive_red": false_positive[0],
        "false_positive_green": false_positive[1],
        "false_positive_blue": false_positive[2],
        "false_positive_is_purple": bool(datasets.is_purple(false_positive[None, :])[0]),
        "false_positive_output": round(neuron_output(w_end, b_end, false_positive)[1], 2),
        "seconds_training": round(train_seconds, 2),
        "video_seconds": round(n_frames / params["fps"], 2),
    }


def colour_tiles(ax, w, b, green, columns, rows, gap=0.08):
    """Tiles of colours on ``ax`` (red across, blue up, ``green`` fixed), each as strong as
    the neuron's response to it: the colours it calls purple-ish stand out, the rest fade.
    Tile ``(i, j)`` covers ``[i, i + 1] x [j, j + 1]``. Returns the responses ``(rows, columns)``."""
    red, blue = np.meshgrid(np.linspace(0, 1, columns), np.linspace(0, 1, rows))
    rgb = np.stack([red, np.full_like(red, green), blue], axis=-1)
    response = sigmoid(rgb.reshape(-1, 3) @ w + b).reshape(rows, columns)
    for row in range(rows):
        for column in range(columns):
            strength = 0.12 + 0.88 * response[row, column]
            ax.add_patch(Rectangle((column + gap, row + gap), 1 - 2 * gap, 1 - 2 * gap, lw=0,
                                   fc=blend(rgb[row, column], strength)))
    ax.set_xlim(0, columns)
    ax.set_ylim(0, rows)
    ax.set_aspect("equal")
    return response


def colour_thumb(path, card_path, w, b, green):
    """The thumbnail for the series home and the social card: the colour tiles, nothing else."""
    fig = plt.figure(figsize=(3.2, 2.4), layout="none")
    ax = fig.add_axes([0, 0, 1, 1])
    colour_tiles(ax, w, b, green, columns=8, rows=6)
    ax.set_axis_off()
    plotting.save_thumbnail(fig, path, card_path)


def response_figure(path, w, b, greens, n=9):
    """What the trained neuron says across colours: a square of tiles per amount of green."""
    fig, axes = plt.subplots(1, len(greens), figsize=(6.0, 3.3))
    for ax, green in zip(axes, greens):
        response = colour_tiles(ax, w, b, green, columns=n, rows=n)
        if response.min() < 0.5 < response.max():
            centres = np.arange(n) + 0.5
            ax.contour(centres, centres, response, levels=[0.5], colors=[plotting.TEXT], linewidths=1.5)
        ax.set_xticks([0.5, n - 0.5], ["0", "1"])
        ax.set_yticks([0.5, n - 0.5], ["0", "1"])
        ax.set_xlabel("red")
        ax.set_ylabel("blue", labelpad=-4)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(f"green = {green:g}", fontsize=12)
    fig.suptitle("strong colours: the neuron says purple-ish (black line: output 0.5)", fontsize=11,
                 color=plotting.AXES)
    plotting.save_figure(fig, path)


# --- Nodes that stand for something: colour channels, and the strokes of a 6.


def train_digits(hidden, epochs, learning_rate, l2, seed):
    """A ``64 -> hidden (ReLU) -> 10 (softmax)`` network trained with Adam on the training
    digits (pixels scaled to 0..1). Returns ``(net, X_test, y_test)``, test pixels scaled too."""
    X_train, X_test, y_train, y_test = datasets.digits_split()
    net = Network([64, hidden, 10], ["relu", "softmax"], seed=seed)
    trainer = Trainer(net, X_train / datasets.PIXEL_MAX, datasets.one_hot(y_train, 10),
                      loss="categorical_cross_entropy",
                      optimizer=make_optimizer("adam", learning_rate), batch_size=32, l2=l2, seed=seed)
    trainer.run(epochs)
    return net, X_test / datasets.PIXEL_MAX, y_test


def unit_contributions(net, image, digit):
    """How much each hidden unit adds to ``digit``'s output score for ``image`` ``(64,)``:
    its activation times its weight to that output. Returns ``(n_hidden,)``; with the
    output bias they sum to the score itself (the softmax's input)."""
    _, activations = net.forward_all(image[None, :])
    return activations[1][0] * net.layers[1]["W"][:, digit]


def combined_weights(net, units, digit):
    """The first-layer weight images of ``units`` added up, each times that unit's weight
    to ``digit``'s output: the pattern those units together look for. Returns ``(64,)``."""
    return net.layers[0]["W"][:, units] @ net.layers[1]["W"][units, digit]


NODES_PARAMS = {"seed": 0, "hidden": 16, "epochs": 60, "learning_rate": 0.01, "l2": 0.01,
                "digit": 6, "example": 5, "units_shown": 3}


@recipe(outputs=["post1/simple-nodes.svg"], params=NODES_PARAMS)
def simple_nodes(out, params):
    started = time.perf_counter()
    net, X_test, y_test = train_digits(params["hidden"], params["epochs"], params["learning_rate"],
                                       params["l2"], params["seed"])
    train_seconds = time.perf_counter() - started
    digit = params["digit"]
    image = X_test[np.flatnonzero(y_test == digit)[params["example"]]]
    contributions = unit_contributions(net, image, digit)
    units = [int(u) for u in np.argsort(-contributions)[: params["units_shown"]]]
    score = float(contributions.sum() + net.layers[1]["b"][digit])
    probability = float(net.forward(image[None, :])[0, digit])

    fig = plt.figure(figsize=(6.0, 4.7))
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 2.0])

    # (a) Two colour nodes, mixed half and half, make purple.
    ax = top.add_subplot()
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 2.8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("(a) colours: half red plus half blue is purple", fontsize=12)
    swatches = [(1.6, (1, 0, 0), "red"), (6.0, (0, 0, 1), "blue"), (10.2, (0.5, 0, 0.5), "purple")]
    for x, rgb, name in swatches:
        ax.add_patch(Rectangle((x - 0.7, 0.95), 1.4, 1.4, fc=rgb, ec=plotting.AXES, lw=0.8))
        ax.text(x, 0.8, f"{name} ({', '.join(f'{c:g}' for c in rgb)})", ha="center", va="top",
                fontsize=11)
    for x, text in [(0.75, "0.5 ×"), (5.15, "0.5 ×")]:
        ax.text(x, 1.65, text, ha="right", va="center", fontsize=12)
    ax.text(3.5, 1.65, "+", ha="center", va="center", fontsize=16)
    ax.text(8.2, 1.65, "=", ha="center", va="center", fontsize=16)

    # (b) What the hidden units that vote most for the digit look for, and find.
    W = net.layers[0]["W"]
    panels = bottom.subplots(2, len(units) + 2, gridspec_kw={"wspace": 0.3, "hspace": 0.1})
    bottom.suptitle(f"(b) digits: the hidden units that vote most for “{digit}”", fontsize=12,
                    x=0.02, ha="left")
    show_image(panels[0, 0], image, "Greys", 0, 1)
    panels[0, 0].set_title(f"a test {digit}", fontsize=11)
    panels[1, 0].set_axis_off()
    panels[1, 0].text(0.5, 0.5, f"network:\n{probability:.0%} sure\nit is a {digit}",
                      ha="center", va="center", fontsize=11, transform=panels[1, 0].transAxes)
    columns = [(W[:, u] * net.layers[1]["W"][u, digit], f"unit {u}\n+{contributions[u]:.1f}")
               for u in units]
    columns.append((combined_weights(net, units, digit),
                    f"together\n+{contributions[units].sum():.1f}"))
    for column, (pattern, label) in enumerate(columns, start=1):
        limit = np.abs(pattern).max()
        show_image(panels[0, column], pattern, plotting.DIVERGING_CMAP, -limit, limit)
        panels[0, column].set_title(label, fontsize=11)
        # The ink picks out the part of the pattern this 6 has (its own colour scale).
        found = pattern * image
        limit = np.abs(found).max()
        show_image(panels[1, column], found, plotting.DIVERGING_CMAP, -limit, limit)
    panels[0, 1].set_ylabel("looks for", fontsize=11)
    panels[1, 1].set_ylabel("finds", fontsize=11)
    bottom.supxlabel("blue: ink there adds to the vote   orange: ink there takes away",
                     fontsize=11, color=plotting.AXES)
    plotting.save_figure(fig, out["post1/simple-nodes.svg"])
    return {
        "test_accuracy": net.accuracy(X_test, y_test),
        "hidden": params["hidden"],
        "epochs": params["epochs"],
        "n_parameters": net.n_parameters,
        "units": units,
        "unit_contributions": [round(float(contributions[u]), 3) for u in units],
        "shown_total": round(float(contributions[units].sum()), 3),
        "score": round(score, 3),
        "probability": round(probability, 4),
        "seconds_training": round(train_seconds, 2),
    }


def show_image(ax, values, cmap, low, high):
    """An 8 x 8 image ``(64,)`` with a thin frame and no ticks."""
    ax.imshow(values.reshape(8, 8), cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(plotting.AXES)
        spine.set_linewidth(0.8)


# --- A whole (small) network: layers of nodes, every connection a trained weight.


def node_maps(net, extent=1.25, n=48):
    """What every node of ``net`` (2 inputs) outputs over the square ``[-extent, extent]^2``.
    Returns a list per layer (inputs first) of arrays ``(n_units, n, n)``, bottom row first."""
    ticks = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(ticks, ticks)
    _, activations = net.forward_all(np.column_stack([gx.ravel(), gy.ravel()]))
    return [a.T.reshape(-1, n, n) for a in activations]


DIAGRAM_PARAMS = {"seed": 0, "dataset": "circles", "points": 200, "noise": 0.1,
                  "sizes": [2, 4, 4, 1], "learning_rate": 0.01, "epochs": 200, "batch_size": 10}


@recipe(outputs=["post1/network-diagram.svg"], params=DIAGRAM_PARAMS)
def network_diagram(out, params):
    X, y = datasets.toy(params["dataset"], params["points"], params["noise"], params["seed"])
    sizes = params["sizes"]
    net = Network(sizes, ["tanh"] * (len(sizes) - 2) + ["sigmoid"], seed=params["seed"])
    trainer = Trainer(net, X, y[:, None].astype(float), loss="binary_cross_entropy",
                      optimizer=make_optimizer("adam", params["learning_rate"]),
                      batch_size=params["batch_size"], seed=params["seed"])
    started = time.perf_counter()
    trainer.run(params["epochs"])
    train_seconds = time.perf_counter() - started

    fig, ax = plt.subplots(figsize=(6.0, 3.9))
    ax.set_axis_off()
    ax.set_aspect("equal")
    gap, box, out_box = 3.2, 1.05, 1.7
    centres = [[(gap * layer, 1.45 * ((n - 1) / 2 - k)) for k in range(n)]  # first unit on top
               for layer, n in enumerate(sizes)]
    half = [box / 2] * (len(sizes) - 1) + [out_box / 2]
    scale = max(np.abs(layer["W"]).max() for layer in net.layers)
    for layer, weights in enumerate(net.layers):
        for i, (x0, y0) in enumerate(centres[layer]):
            for j, (x1, y1) in enumerate(centres[layer + 1]):
                w = weights["W"][i, j]
                ax.plot([x0 + half[layer], x1 - half[layer + 1]], [y0, y1], zorder=1,
                        color=weight_colour(w, scale), lw=weight_width(w, scale, 0.5, 6.0),
                        solid_capstyle="butt")
    maps = node_maps(net)
    for layer, layer_centres in enumerate(centres):
        # Inputs are coordinates in [-1.25, 1.25], hidden units tanh in [-1, 1], the output in [0, 1].
        low, high = (-1.25, 1.25) if layer == 0 else (-1, 1) if layer < len(sizes) - 1 else (0, 1)
        is_output = layer == len(sizes) - 1
        for k, (x, y_) in enumerate(layer_centres):
            h = half[layer]
            # The output is paler, so the points drawn on it stay visible.
            ax.imshow(maps[layer][k], origin="lower", extent=(x - h, x + h, y_ - h, y_ + h),
                      cmap=plotting.DIVERGING_CMAP, vmin=low, vmax=high, zorder=2,
                      interpolation="bilinear", alpha=0.55 if is_output else 1.0)
            ax.add_patch(Rectangle((x - h, y_ - h), 2 * h, 2 * h, fill=False, ec=plotting.AXES,
                                   lw=0.8, zorder=3))
    for k, name in enumerate(["$x_1$", "$x_2$"]):
        x, y_ = centres[0][k]
        ax.text(x - half[0] - 0.12, y_, name, ha="right", va="center", fontsize=13)
    # The data on the output node: what the network separates.
    x, y_ = centres[-1][0]
    h = half[-1]
    for label, colour in enumerate(plotting.CLASS_COLOURS):
        mine = y == label
        ax.scatter(x + X[mine, 0] / 1.25 * h, y_ + X[mine, 1] / 1.25 * h, s=3, color=colour,
                   zorder=4, linewidths=0)
    top = max(c[1] for layer in centres for c in layer) + box / 2 + 0.25
    names = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    for layer, name in enumerate(names):
        ax.text(gap * layer, top, name, ha="center", va="bottom", fontsize=12)
    ax.set_xlim(-1.2, gap * (len(sizes) - 1) + out_box / 2 + 0.1)
    ax.set_ylim(-top - 0.2, top + 0.6)
    legend_weights = [-scale, -scale / 4, scale / 4, scale]
    handles = [plt.Line2D([], [], color=weight_colour(w, scale), lw=weight_width(w, scale, 0.5, 6.0))
               for w in legend_weights]
    ax.legend(handles, [f"{signed(w)}" for w in legend_weights], title="weight (line colour and width)", ncol=4,
              loc="lower center", bbox_to_anchor=(0.5, -0.12), fontsize=11, title_fontsize=11,
              handlelength=1.8, columnspacing=1.0)
    plotting.save_figure(fig, out["post1/network-diagram.svg"])
    return {
        "accuracy": net.accuracy(X, y),
        "final_loss": round(float(trainer.history[-1]), 4),
        "epochs": params["epochs"],
        "n_parameters": net.n_parameters,
        "sizes": sizes,
        "largest_weight": round(float(scale), 2),
        "seconds_training": round(train_seconds, 2),
    }


# --- Why learning works: real labels have a rule to find, shuffled labels do not.


def train_both(epochs, hidden, seed):
    """Train the labels widget's two networks (``64 -> hidden -> 10``, same start, one on the
    real labels, one on shuffled ones) for ``epochs`` epochs, exactly as the reader's browser
    does. Returns ``(model, curves)``: ``curves[run]["train_accuracy"]`` and
    ``["test_accuracy"]`` are ``(epochs + 1,)`` arrays, epoch 0 first, for run "real" and
    "shuffled"; training accuracy is against that run's own labels."""
    model = LabelsModel(epochs=epochs, hidden=hidden, seed=seed)
    start = model.describe()
    curves = {run: {key: list(start[run][key]) for key in ("train_accuracy", "test_accuracy")}
              for run in LabelsModel.RUNS}
    done = False
    while not done:
        answer = model.step(MAX_BATCHES_PER_CALL)
        for run in LabelsModel.RUNS:
            for key in curves[run]:
                curves[run][key] += answer[run][key]
        done = answer["done"]
    return model, {run: {key: np.array(values) for key, values in c.items()} for run, c in curves.items()}


def first_epoch_reaching(curve, level):
    """The first epoch at which ``curve`` reaches ``level``, or None if it never does."""
    reached = np.flatnonzero(np.asarray(curve) >= level)
    return int(reached[0]) if reached.size else None


# The live widget's own defaults: the figure shows the run a reader's browser repeats.
LABELS_PARAMS = {"seed": 0, **{name: LABELS.options[name]["default"] for name in ("hidden", "epochs")}}


@recipe(outputs=["post1/real-vs-random.svg"], params=LABELS_PARAMS)
def real_vs_random(out, params):
    started = time.perf_counter()
    model, curves = train_both(params["epochs"], params["hidden"], params["seed"])
    train_seconds = time.perf_counter() - started
    runs = {run: (model.networks[run], c["train_accuracy"], c["test_accuracy"])
            for run, c in curves.items()}
    net = runs["real"][0]

    fig, axes = plt.subplots(1, 2, figsize=(6.0, 3.4), sharey=True)
    epochs = np.arange(params["epochs"] + 1)
    for ax, (name, title) in zip(axes, [("real", "real labels"), ("shuffled", "shuffled labels")]):
        _, train, test = runs[name]
        ax.axhline(0.1, color=plotting.NEUTRAL, lw=1, ls=(0, (3, 2)))
        ax.plot(epochs, train, color=plotting.BLUE, label="training digits")
        ax.plot(epochs, test, color=plotting.ORANGE, label="new digits (test)")
        # Final values at the right end: above the curve, or below it where the other
        # curve lies just above.
        for curve, other, colour in ((train, test, plotting.BLUE), (test, train, plotting.ORANGE)):
            below = other[-1] > curve[-1] and other[-1] - curve[-1] < 0.15
            ax.text(epochs[-1], curve[-1] + (-0.03 if below else 0.03), f"{curve[-1]:.0%}",
                    ha="right", va="top" if below else "bottom", fontsize=11, color=colour)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("epochs")
        ax.set_xlim(0, epochs[-1])
        ax.set_ylim(0, 1.06)
    axes[0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    axes[0].set_ylabel("accuracy")
    axes[0].text(epochs[-1] * 0.97, 0.1 + 0.02, "guessing: 10%", fontsize=11, color=plotting.AXES,
                 ha="right", va="bottom")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncol=2, fontsize=11)
    plotting.save_figure(fig, out["post1/real-vs-random.svg"])
    real_train, real_test = runs["real"][1], runs["real"][2]
    shuffled_train, shuffled_test = runs["shuffled"][1], runs["shuffled"][2]
    return {
        "real_train_accuracy": float(real_train[-1]),
        "real_test_accuracy": float(real_test[-1]),
        "shuffled_train_accuracy": float(shuffled_train[-1]),
        "shuffled_test_accuracy": float(shuffled_test[-1]),
        "real_epochs_to_99_train": first_epoch_reaching(real_train, 0.99),
        "shuffled_train_accuracy_at_epoch_10": float(shuffled_train[10]),
        "real_test_accuracy_at_epoch_10": float(real_test[10]),
        "epochs": params["epochs"],
        "hidden": params["hidden"],
        "activation": ACTIVATION,
        "optimizer": OPTIMIZER,
        "learning_rate": LEARNING_RATE,
        "batch_size": BATCH_SIZE,
        "n_parameters": net.n_parameters,
        "n_train": len(model.X_train),
        "n_test": len(model.X_test),
        "seconds_training": round(train_seconds, 2),
    }
