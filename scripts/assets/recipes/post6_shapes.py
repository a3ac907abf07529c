"""Post 6, "Colour and Shape": one network answers two questions about a picture.

The pictures are 16x16 RGB images of one filled shape (circle, square or
triangle) in one colour (red, green or blue) on a dark grey background, from
``demos.datasets.coloured_shapes``. Flattened, an image is 16 * 16 * 3 = 768
numbers in [0, 1], read row by row and, within a pixel, red, green, blue.

The network is 768-24-6: one hidden layer of 24 tanh units and six sigmoid
outputs. Outputs 0-2 answer "is it a circle / square / triangle?" and outputs
3-5 "is it red / green / blue?"; the answer to each question is the larger
output of its group. Trained once, the same hidden layer serves both questions,
so the recipes can watch which is learned first and which units serve which.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from demos.datasets import BACKGROUND, COLOURS, SHAPES, coloured_shapes, one_hot
from demos.datasets import SHAPE_SIZE as SIZE  # images are SIZE x SIZE x 3
from demos.nn import Network, Trainer, make_optimizer
from demos.widgets import widget
from scripts.assets import plotting
from scripts.assets.recipe import recipe
from scripts.assets.shared import SHAPE_INPUTS as N_INPUTS
from scripts.assets.shared import as_colours, draw_shift_axes, flatten, ink_centre_x
OUTPUTS = [*SHAPES, *COLOURS]  # what each of the six output units answers
LOSS = "binary_cross_entropy"
LINE = {"shape": plotting.BLUE, "colour": plotting.ORANGE}  # one colour per question, in every figure
SWATCH = dict(zip(COLOURS, (plotting.RED, plotting.GREEN, plotting.BLUE)))

TRAINING = {
    "n_train": 5400,
    "n_test": 900,
    "train_seed": 0,  # seed of the training images
    "test_seed": 1,  # seed of the test images: pictures the network never saw
    "hidden": 24,
    "activation": "tanh",
    "learning_rate": 0.002,
    "batch_size": 32,
    "l2": 0.0003,
    "epochs": 30,
    "seed": 0,
}


# --- The computation behind the figures.


def targets(shape_labels, colour_labels):
    """The six targets of each image ``(n, 6)``: one-hot shape, then one-hot colour."""
    return np.concatenate([one_hot(shape_labels, len(SHAPES)), one_hot(colour_labels, len(COLOURS))],
                          axis=1)


def read_answers(outputs):
    """The network's answers from its outputs ``(n, 6)``: shape and colour indices ``(n,)`` each."""
    outputs = np.asarray(outputs)
    return outputs[:, : len(SHAPES)].argmax(axis=1), outputs[:, len(SHAPES):].argmax(axis=1)


def accuracies(net, X, shape_labels, colour_labels):
    """Fraction of right shapes and of right colours: ``(shape_accuracy, colour_accuracy)``."""
    shapes, colours = read_answers(net.forward(X))
    return float(np.mean(shapes == shape_labels)), float(np.mean(colours == colour_labels))


def make_network(training):
    return Network([N_INPUTS, training["hidden"], len(OUTPUTS)], [training["activation"], "sigmoid"],
                   seed=training["seed"])


def shapes_data(training):
    """Training and test sets: ``(X, shape_labels, colour_labels)`` each, X ``(n, 768)``."""
    train = coloured_shapes(training["n_train"], seed=training["train_seed"], size=SIZE)
    test = coloured_shapes(training["n_test"], seed=training["test_seed"], size=SIZE)
    return (flatten(train[0]), *train[1:]), (flatten(test[0]), *test[1:])


def measure_steps(total_steps, n):
    """About ``n`` steps from 0 to ``total_steps`` at which to measure accuracy,
    evenly spaced on a log scale (so the first few steps are all there): a sorted
    int array starting with 0 and ending with ``total_steps``."""
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, total_steps, n)).astype(int)]))


def train_shapes(training, train, test=None, measure_at=()):
    """Train the network on ``train`` = ``(X, shapes, colours)``.

    Measures both accuracies on ``test`` at each step number in ``measure_at``
    (0 = before training). Returns ``(net, trainer, curve)``; ``curve`` is
    ``{"step", "shape", "colour"}``, arrays of equal length.
    """
    X, shape_labels, colour_labels = train
    net = make_network(training)
    trainer = Trainer(net, X, targets(shape_labels, colour_labels), loss=LOSS,
                      optimizer=make_optimizer("adam", training["learning_rate"]),
                      batch_size=training["batch_size"], l2=training["l2"], seed=training["seed"])
    curve = {"step": [], "shape": [], "colour": []}
    measure_at = set(int(k) for k in measure_at)

    def measure(trainer):
        if trainer.steps in measure_at:
            shape_accuracy, colour_accuracy = accuracies(net, *test)
            curve["step"].append(trainer.steps)
            curve["shape"].append(shape_accuracy)
            curve["colour"].append(colour_accuracy)

    measure(trainer)  # step 0: before training
    trainer.run(training["epochs"], on_step=measure)
    return net, trainer, {key: np.array(values) for key, values in curve.items()}


def first_step_reaching(curve, key, level):
    """The first measured step at which ``curve[key]`` reaches ``level``, or None."""
    reached = np.flatnonzero(curve[key] >= level)
    return int(curve["step"][reached[0]]) if len(reached) else None


def unit_roles(net):
    """What the output layer uses each hidden unit for, read from its outgoing weights.

    Returns ``(lean, shape_votes, colour_votes)``. ``lean`` ``(n_hidden,)`` runs from
    -1 (the unit's weights go only to the colour outputs) to +1 (only to the shape
    outputs): ``(s - c) / (s + c)`` with ``s`` and ``c`` the sums of the absolute
    weights to each group. ``shape_votes`` and ``colour_votes`` are ``(n_hidden, 2)``:
    the class whose output the unit pushes up most when it fires (positive
    activation) and the one it pushes down most.
    """
    W = net.layers[1]["W"]  # (n_hidden, 6)
    to_shape, to_colour = W[:, : len(SHAPES)], W[:, len(SHAPES):]
    s, c = np.abs(to_shape).sum(axis=1), np.abs(to_colour).sum(axis=1)
    lean = (s - c) / (s + c)

    def votes(w):
        return np.stack([w.argmax(axis=1), w.argmin(axis=1)], axis=1)

    return lean, votes(to_shape), votes(to_colour)


def pick_units(lean, shape_favourite, colour_favourite, k):
    """``k`` colour units and ``k`` shape units to show: among the ``2k`` that lean
    furthest each way, units favouring a class not yet shown come first (so the
    picks cover several colours and shapes), then the rest by lean. Returns two
    index arrays (colour units, shape units) of up to ``k`` each."""
    lean = np.asarray(lean)
    order = np.argsort(lean, kind="stable")

    def varied(ranked, favourite):
        picks, seen = [], set()
        for unit in ranked:
            if favourite[unit] not in seen:
                picks.append(unit)
                seen.add(favourite[unit])
        picks += [unit for unit in ranked if unit not in picks]
        return np.array(picks[:k], dtype=int)

    colour_side = [u for u in order if lean[u] < 0][: 2 * k]
    shape_side = [u for u in order[::-1] if lean[u] > 0][: 2 * k]
    return varied(colour_side, colour_favourite), varied(shape_side, shape_favourite)


def weight_pictures(net):
    """The first layer's weights as pictures ``(n_hidden, 16, 16, 3)``: unit ``j``'s
    weight for each pixel and channel."""
    return net.layers[0]["W"].T.reshape(-1, SIZE, SIZE, 3)


def accuracy_by_position(net, X, shape_labels, colour_labels, centres, edges, min_count=1):
    """Both accuracies for the images whose centre falls in each bin of ``edges``.

    Returns ``(middles, counts, shape_accuracy, colour_accuracy)``, one entry per bin
    holding at least ``min_count`` images."""
    shapes, colours = read_answers(net.forward(X))
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (centres >= low) & (centres < high)
        if inside.sum() >= min_count:
            rows.append(((low + high) / 2, inside.sum(), np.mean(shapes[inside] == shape_labels[inside]),
                         np.mean(colours[inside] == colour_labels[inside])))
    return tuple(np.array(column) for column in zip(*rows))


# --- Drawing helpers.


def draw_image(ax, image):
    ax.imshow(np.clip(image, 0, 1), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_answers(ax, values, names, colours, title):
    """A small bar chart of output values in [0, 1]."""
    ax.bar(np.arange(len(values)), values, color=colours, width=0.7)
    ax.set_xticks(np.arange(len(values)))
    ax.set_xticklabels(names, fontsize=10.5)
    ax.set_ylim(0, 1.1)
    ax.set_yticks([0, 1])
    ax.tick_params(axis="y", labelsize=10.5)
    ax.set_title(title, fontsize=11.5)


# --- Recipes.

SHAPES_MODEL = widget("shapes").files["model_json"]  # what the "Colour and shape" widget's model is made from
MODEL_OUTPUTS = [SHAPES_MODEL, "post6/prediction.svg", "post6/answers.webp",
                 "post6/learning-curves.svg", "post6/features.webp"]


@recipe(outputs=MODEL_OUTPUTS, params={**TRAINING, "measures": 150, "units_shown": 3,
                                                  "answers_shown": 8})
def shapes_model(out, params):
    training = {key: params[key] for key in TRAINING}
    train, test = shapes_data(training)
    steps_per_epoch = -(-training["n_train"] // training["batch_size"])
    # Log-spaced measurements, plus the end of the first epoch for the metrics.
    measure_at = np.union1d(measure_steps(steps_per_epoch * training["epochs"], params["measures"]),
                            [steps_per_epoch])
    started = time.perf_counter()
    net, trainer, curve = train_shapes(training, train, test, measure_at)
    seconds = time.perf_counter() - started
    out[SHAPES_MODEL].write_text(net.to_json())

    lean, shape_votes, colour_votes = unit_roles(net)
    colour_units, shape_units = pick_units(lean, shape_votes[:, 0], colour_votes[:, 0],
                                           params["units_shown"])

    draw_shape_predictions(out["post6/prediction.svg"], net, test)
    draw_answers_grid(out["post6/answers.webp"], net, test, params["answers_shown"])
    draw_learning_curves(out["post6/learning-curves.svg"], curve, steps_per_epoch)
    pictures = weight_pictures(net)
    draw_features(out["post6/features.webp"],
                  [(pictures[u], *(COLOURS[v] for v in colour_votes[u])) for u in colour_units],
                  [(pictures[u], *(SHAPES[v] for v in shape_votes[u])) for u in shape_units])

    shape_train, colour_train = accuracies(net, *train)
    shape_accuracy, colour_accuracy = accuracies(net, *test)
    after_one_epoch = int(np.flatnonzero(curve["step"] == steps_per_epoch)[0])
    shape_minded = int(np.sum(lean > 0))
    return {
        "input": "image (16, 16, 3) in [0, 1], flattened row by row with R, G, B per pixel: "
                 "index = (16 * row + column) * 3 + channel; no scaling",
        "outputs": OUTPUTS,
        "output_rule": "sigmoid per output; shape = argmax of outputs 0-2, colour = argmax of outputs 3-5",
        "sizes": net.sizes,
        "activations": [a.name for a in net.activations],
        "n_parameters": net.n_parameters,
        "n_hidden": training["hidden"],
        "learning_rate": training["learning_rate"],
        "n_train": training["n_train"],
        "n_test": training["n_test"],
        "epochs": trainer.epoch,
        "steps": trainer.steps,
        "steps_per_epoch": steps_per_epoch,
        "final_loss": round(float(trainer.history[-1]), 4),
        "colour_test_accuracy": colour_accuracy,
        "shape_test_accuracy": shape_accuracy,
        "colour_train_accuracy": colour_train,
        "shape_train_accuracy": shape_train,
        "colour_accuracy_after_1_epoch": float(curve["colour"][after_one_epoch]),
        "shape_accuracy_after_1_epoch": float(curve["shape"][after_one_epoch]),
        "colour_steps_to_99": first_step_reaching(curve, "colour", 0.99),
        "colour_images_to_99": (None if first_step_reaching(curve, "colour", 0.99) is None
                                else first_step_reaching(curve, "colour", 0.99) * training["batch_size"]),
        "shape_steps_to_80": first_step_reaching(curve, "shape", 0.80),
        "shape_epochs_to_80": (None if first_step_reaching(curve, "shape", 0.80) is None
                               else round(first_step_reaching(curve, "shape", 0.80) / steps_per_epoch, 1)),
        "shape_units": shape_minded,
        "colour_units": training["hidden"] - shape_minded,
        "seconds_training": round(seconds, 2),
    }


def draw_shape_predictions(path, net, test):
    """Two test images with the six outputs the network gives each: one it reads
    right and one whose shape it gets wrong (the colour it always gets)."""
    X, shape_labels, colour_labels = test
    outputs = net.forward(X)
    shapes, colours = read_answers(outputs)
    right = np.flatnonzero((shapes == shape_labels) & (colours == colour_labels))
    # The mistake in another colour than the right answer's, for variety.
    wrong = np.flatnonzero((shapes != shape_labels) & (colour_labels != colour_labels[right[0]]))
    picks = [right[0]] + ([wrong[0]] if len(wrong) else [])
    fig = plt.figure(figsize=(6.0, 2.0 * len(picks) + 0.2))
    grid = fig.add_gridspec(len(picks), 3, width_ratios=[1.0, 1.5, 1.5])
    for row, k in enumerate(picks):
        ax = fig.add_subplot(grid[row, 0])
        draw_image(ax, X[k].reshape(SIZE, SIZE, 3))
        ax.set_title(f"a {COLOURS[colour_labels[k]]} {SHAPES[shape_labels[k]]}", fontsize=11.5)
        shape_colours = [plotting.NEUTRAL] * len(SHAPES)
        shape_colours[shapes[k]] = plotting.BLUE if shapes[k] == shape_labels[k] else plotting.ORANGE
        draw_answers(fig.add_subplot(grid[row, 1]), outputs[k, : len(SHAPES)], SHAPES, shape_colours,
                     "shape outputs")
        draw_answers(fig.add_subplot(grid[row, 2]), outputs[k, len(SHAPES):], COLOURS,
                     [SWATCH[c] for c in COLOURS], "colour outputs")
    plotting.save_figure(fig, path)


def draw_answers_grid(path, net, test, n, columns=4):
    """The first ``n`` test pictures, each titled with the network's two answers:
    blue when both are right, orange when one is wrong."""
    X, shape_labels, colour_labels = test
    shapes, colours = read_answers(net.forward(X[:n]))
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.8, 1.45 * rows + 0.1), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        draw_image(ax, X[k].reshape(SIZE, SIZE, 3))
        right = shapes[k] == shape_labels[k] and colours[k] == colour_labels[k]
        for text, rise in ((COLOURS[colours[k]], 17), (SHAPES[shapes[k]], 4)):  # fixed baselines
            ax.annotate(text, (0.5, 1.0), xycoords="axes fraction", xytext=(0, rise), fontsize=11,
                        textcoords="offset points", ha="center", va="baseline",
                        color=plotting.BLUE if right else plotting.ORANGE)
    plotting.save_figure(fig, path)


def draw_learning_curves(path, curve, steps_per_epoch):
    """Test accuracy of both questions as training goes on, on a log scale of steps."""
    fig, ax = plt.subplots()
    measured = curve["step"] > 0  # step 0 has no place on a log scale
    for key in ("colour", "shape"):
        ax.plot(curve["step"][measured], curve[key][measured], color=LINE[key], lw=2)
        ax.text(curve["step"][-1] * 1.08, curve[key][-1], key, color=LINE[key], fontsize=12,
                va="center", ha="left")
    ax.axhline(1 / 3, color=plotting.NEUTRAL, lw=1, ls=(0, (4, 3)))
    ax.text(steps_per_epoch * 1.12, 1 / 3 - 0.02, "chance: 1 in 3", color=plotting.AXES, fontsize=11,
            va="top", ha="left")
    for epochs in (1, 10):
        ax.axvline(epochs * steps_per_epoch, color=plotting.NEUTRAL, lw=0.8)
        ax.text(epochs * steps_per_epoch * 1.06, 0.03, f"{epochs} epoch{'s' if epochs > 1 else ''}",
                color=plotting.AXES, fontsize=10.5, va="bottom")
    ax.set_xscale("log")
    ax.set_xlim(curve["step"][1], curve["step"][-1] * 2.3)  # room for the line labels
    ax.set_xticks([1, 10, 100, 1000])
    ax.set_xticklabels(["1", "10", "100", "1000"])
    ax.minorticks_off()
    ax.set_ylim(0, 1.03)
    ax.set_yticks([0, 0.5, 1])
    ax.set_yticklabels(["0", "50%", "100%"])
    ax.set_xlabel("training step (log scale)")
    ax.set_ylabel("test accuracy")
    plotting.save_figure(fig, path)


def draw_features(path, colour_units, shape_units):
    """A few hidden units of each kind, one row per kind, each unit as its weights
    shown as colours, with the class it votes for most (+) and against most (-).
    Each unit is given as ``(picture (16, 16, 3), for, against)``."""
    groups = [("colour units", colour_units), ("shape units", shape_units)]
    columns = max(len(units) for _, units in groups)
    # Sizes in inches. A narrow figure, so the pictures stay large on a phone.
    width, header, label, tile, gap = 4.4, 0.34, 0.42, 1.05, 0.12
    row_height = header + label + tile
    height = len(groups) * row_height + (len(groups) - 1) * gap + 0.05
    column = width / columns
    fig = plt.figure(figsize=(width, height), layout="none")
    for g, (name, units) in enumerate(groups):
        top = height - g * (row_height + gap)  # top edge of this row
        fig.text(0.02, (top - 0.04) / height, name, ha="left", va="top", fontsize=12.5,
                 fontweight="bold")
        for k, (picture, favoured, opposed) in enumerate(units):
            left = k * column + (column - tile) / 2
            bottom = top - header - label - tile
            ax = fig.add_axes([left / width, bottom / height, tile / width, tile / height])
            draw_image(ax, as_colours(picture))
            # Two lines on fixed baselines, so labels with and without descenders line up.
            for text, rise in ((f"+{favoured}", 18), (f"\u2212{opposed}", 5)):
                ax.annotate(text, (0.5, 1.0), xycoords="axes fraction", xytext=(0, rise),
                            textcoords="offset points", ha="center", va="baseline", fontsize=11)
    plotting.save_figure(fig, path)


@recipe(outputs=["post6/samples.webp"], params={"seed": 2, "per_shape": 6})
def shapes_samples(out, params):
    n = params["per_shape"]
    images, shape_labels, colour_labels = coloured_shapes(12 * n, seed=params["seed"], size=SIZE)
    fig, axes = plt.subplots(len(SHAPES), n, figsize=(6.0, 3.4),
                             gridspec_kw={"wspace": 0.06, "hspace": 0.06})
    for s, name in enumerate(SHAPES):
        picks = np.flatnonzero(shape_labels == s)[:n]
        for ax, k in zip(axes[s], picks):
            draw_image(ax, images[k])
        axes[s, 0].set_ylabel(name + "s", fontsize=12)
    plotting.save_figure(fig, out["post6/samples.webp"])
    return {"per_shape": n, "size": SIZE, "background": BACKGROUND}


SHIFT_PARAMS = {**TRAINING, "n_pool": 10000, "n_test": 3000, "left_of": 8.0, "min_count": 30}


@recipe(outputs=["post6/shift.svg"], params=SHIFT_PARAMS)
def shapes_shift(out, params):
    training = {key: params[key] for key in TRAINING}
    # Train only on shapes whose centre lies in the left half of the picture.
    pool, pool_shapes, pool_colours = coloured_shapes(params["n_pool"], seed=training["train_seed"],
                                                      size=SIZE)
    left = ink_centre_x(pool) < params["left_of"]
    train = (flatten(pool[left]), pool_shapes[left], pool_colours[left])
    test_images, test_shapes, test_colours = coloured_shapes(params["n_test"], seed=training["test_seed"],
                                                             size=SIZE)
    centres = ink_centre_x(test_images)
    X_test = flatten(test_images)
    started = time.perf_counter()
    net, trainer, _ = train_shapes(training, train)
    seconds = time.perf_counter() - started
    middles, counts, shape_acc, colour_acc = accuracy_by_position(
        net, X_test, test_shapes, test_colours, centres, np.arange(0.0, SIZE + 1.0), params["min_count"])

    fig, ax = plt.subplots()
    draw_shift_axes(ax, params["left_of"], SIZE, "test accuracy")
    for key, values in (("colour", colour_acc), ("shape", shape_acc)):
        ax.plot(middles, values, "o-", color=LINE[key], lw=2, ms=4.5)
        ax.text(middles[-1] + 0.35, values[-1], key, color=LINE[key], fontsize=12, va="center")
    plotting.save_figure(fig, out["post6/shift.svg"])

    seen = centres < params["left_of"]
    unseen = centres >= params["left_of"] + 1  # a pixel's margin: clearly in the new half
    shapes, colours = read_answers(net.forward(X_test))
    return {
        "n_train": int(left.sum()),
        "epochs": trainer.epoch,
        "left_of": params["left_of"],
        "shape_accuracy_seen": float(np.mean(shapes[seen] == test_shapes[seen])),
        "shape_accuracy_unseen": float(np.mean(shapes[unseen] == test_shapes[unseen])),
        "colour_accuracy_seen": float(np.mean(colours[seen] == test_colours[seen])),
        "colour_accuracy_unseen": float(np.mean(colours[unseen] == test_colours[unseen])),
        "n_test_seen": int(seen.sum()),
        "n_test_unseen": int(unseen.sum()),
        "seconds_training": round(seconds, 2),
    }


@recipe(outputs=["thumbs/post6.webp", "cards/post6.png"], params={"seed": 3})
def thumb_post6(out, params):
    images, shape_labels, colour_labels = coloured_shapes(60, seed=params["seed"], size=SIZE)
    fig, axes = plt.subplots(3, 4, figsize=(3.2, 2.4), layout="none")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01, wspace=0.04, hspace=0.04)
    # Every shape in every colour, then three more.
    picks = [int(np.flatnonzero((shape_labels == s) & (colour_labels == c))[0])
             for s in range(len(SHAPES)) for c in range(len(COLOURS))]
    picks += [k for k in range(len(images)) if k not in picks][:3]
    for ax, k in zip(axes.flat, picks):
        draw_image(ax, images[k])
    plotting.save_thumbnail(fig, out["thumbs/post6.webp"], out["cards/post6.png"])
    return {"shown": len(picks)}
