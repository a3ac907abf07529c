"""Post 5, "Reading Handwritten Digits": a 64-32-10 network learns the 8x8 digits.

Each digit is an 8x8 picture whose pixels hold 0 (no ink) to 16 (full ink).
Read row by row it is a vector of 64 numbers; divided by 16 they lie in [0, 1]
and that vector is the network's input. A hidden layer of 32 tanh neurons looks
at all 64 pixels; a softmax layer of ten neurons turns their answers into one
probability per digit.

The recipes train that network once per recipe (it takes about a second) with
the same parameters, so the saved model, the figures, the video and the
thumbnail all show the same network.
"""

import json
import time

import matplotlib.pyplot as plt
import numpy as np

from demos.datasets import PIXEL_MAX, digits_split, one_hot
from demos.nn import Trainer, make_optimizer
from demos.widgets import widget
from scripts.assets import plotting
from scripts.assets.frames import frame_steps, freeze_static
from scripts.assets.recipe import recipe
from scripts.assets.shared import DIGITS_TRAINING as TRAINING  # one set for every recipe here (and post 7's)
from scripts.assets.shared import N_CLASSES, SIDE, VALIDATION, carve_validation, digits_data
from scripts.assets.shared import digits_network as make_network

LOSS = "categorical_cross_entropy"


# --- The computation behind the figures.


def train_digits(training, after_step=None, rows=None):
    """Train the digits network for ``training["epochs"]`` epochs on the training digits
    (only those at ``rows``, indices, if given).

    ``after_step(trainer)``, if given, is called after every mini-batch update
    (the video records frames there). Returns ``(network, trainer)``.
    """
    X_train, _, y_train, _ = digits_data()
    if rows is not None:
        X_train, y_train = X_train[rows], y_train[rows]
    net = make_network(training)
    trainer = Trainer(net, X_train, one_hot(y_train, N_CLASSES), loss=LOSS,
                      optimizer=make_optimizer("adam", training["learning_rate"]),
                      batch_size=training["batch_size"], l2=training["l2"], seed=training["seed"])
    trainer.run(training["epochs"], on_step=after_step)
    return net, trainer


def hidden_weight_images(net):
    """The first layer's weights as pictures: ``(n_hidden, 8, 8)``; picture ``j``
    holds the weight hidden unit ``j`` gives each pixel."""
    W = net.layers[0]["W"]  # (64, n_hidden)
    return W.T.reshape(-1, SIDE, SIDE)


def unit_votes(net):
    """For each hidden unit, the digit its outgoing weight favours most and the one it
    opposes most: ``(n_hidden, 2)`` ints. A unit whose pattern matches the ink turns
    positive and so pushes up the first digit's score and down the second's."""
    W = net.layers[1]["W"]  # (n_hidden, 10)
    return np.stack([W.argmax(axis=1), W.argmin(axis=1)], axis=1)


def by_vote(votes):
    """An order of the hidden units that groups them by the digit they favour
    (stable: ties keep the units' own order). Returns ``(n_hidden,)`` indices."""
    return np.argsort(np.asarray(votes)[:, 0], kind="stable")


def tile(images, columns, gap=1):
    """Lay ``images`` ``(n, h, w)`` out in a grid of ``columns`` with ``gap`` pixels
    between them. Returns one ``(rows * (h + gap) - gap, columns * (w + gap) - gap)``
    array; the gaps and unused cells are NaN (drawn as the background)."""
    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        mosaic[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = image
    return mosaic


def confusion_matrix(true, predicted, n_classes=N_CLASSES):
    """Counts ``(n_classes, n_classes)``: row = the true class, column = the predicted one."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(true), np.asarray(predicted)), 1)
    return counts


def most_confused(counts):
    """The off-diagonal cell with the most digits: ``(true, predicted, count)``
    (the first one, reading row by row, when several tie)."""
    off = np.array(counts, copy=True)
    np.fill_diagonal(off, -1)
    true, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
    return int(true), int(predicted), int(off[true, predicted])


def most_missed(counts):
    """The true digit with the most mistakes in ``counts`` (a confusion matrix): a dict of
    the digit, how many of it were read right, and how many were read wrong."""
    wrong = counts.sum(axis=1) - np.diag(counts)
    digit = int(np.argmax(wrong))
    return {"most_missed_digit": digit, "most_missed_right": int(counts[digit, digit]),
            "most_missed_errors": int(wrong[digit])}


def mistakes(probabilities, labels):
    """Indices of the wrongly classified rows, the most confidently wrong first.

    ``probabilities`` ``(n, n_classes)``, ``labels`` ``(n,)``. Ties keep the data's order.
    """
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")]


def first_of_each_class(labels, per_class, n_classes=N_CLASSES):
    """Indices ``(n_classes, per_class)``: the first ``per_class`` rows of each class."""
    labels = np.asarray(labels)
    return np.array([np.flatnonzero(labels == k)[:per_class] for k in range(n_classes)])


def seed_spread(training, seeds, validation=VALIDATION):
    """The same training from each seed in ``seeds``, twice: on the training digits less a
    validation split, scored on that split (what a seed is chosen by), and on all the
    training digits, scored on the test digits (what the post reports).
    Returns ``(validation_accuracy, test_accuracy)``, each ``(len(seeds),)``."""
    X_train, X_test, y_train, y_test = digits_data()
    fit, held_out = carve_validation(len(y_train), validation["fraction"], validation["seed"])
    on_validation, on_test = [], []
    for seed in seeds:
        net, _ = train_digits({**training, "seed": seed}, rows=fit)
        on_validation.append(net.accuracy(X_train[held_out], y_train[held_out]))
        net, _ = train_digits({**training, "seed": seed})
        on_test.append(net.accuracy(X_test, y_test))
    return np.array(on_validation), np.array(on_test)


# --- Drawing helpers.


def draw_digit(ax, pixels, grid=True):
    """One digit, ink dark on the light card, with its 8x8 pixel grid."""
    ax.imshow(np.reshape(pixels, (SIDE, SIDE)), cmap="Greys", vmin=0, vmax=PIXEL_MAX,
              interpolation="nearest")
    if grid:
        for k in np.arange(SIDE + 1) - 0.5:
            ax.axhline(k, color=plotting.NEUTRAL, lw=0.4)
            ax.axvline(k, color=plotting.NEUTRAL, lw=0.4)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def frame(ax):
    """A thin grey frame, so a digit's blank border shows against the card."""
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(plotting.NEUTRAL)
        spine.set_linewidth(0.6)


def weights_cmap():
    """The diverging map with NaN (the gaps between tiles) drawn as the card."""
    return plotting.DIVERGING_CMAP.with_extremes(bad=plotting.CARD)


def weight_scale(images):
    """A symmetric colour range for weight pictures: the 99th percentile of |w|,
    so one extreme weight does not wash all the others out."""
    return float(np.percentile(np.abs(images), 99))


def draw_probabilities(ax, probabilities, true_label=None):
    """Ten bars, one per digit: the network's probability for each."""
    probabilities = np.asarray(probabilities)
    best = int(probabilities.argmax())
    colours = [plotting.NEUTRAL] * N_CLASSES
    colours[best] = plotting.BLUE if true_label in (None, best) else plotting.ORANGE
    ax.bar(np.arange(N_CLASSES), probabilities, color=colours, width=0.75)
    ax.set_xticks(np.arange(N_CLASSES))
    ax.set_xlim(-0.6, N_CLASSES - 0.4)
    ax.set_ylim(0, 1.08)
    ax.set_yticks([0, 0.5, 1])
    ax.set_yticklabels(["0", "50%", "100%"])
    ax.set_xlabel("digit")
    ax.text(best, probabilities[best] + 0.02, f"{probabilities[best]:.0%}", ha="center", va="bottom",
            fontsize=11, color=plotting.TEXT)


# --- Recipes.

DIGIT_FILES = widget("digit").files  # the files the "Draw a digit" widget's model is made from
MODEL_OUTPUTS = [
    DIGIT_FILES["model_json"],
    DIGIT_FILES["samples_json"],
    "post5/prediction.svg",
    "post5/answers.webp",
    "post5/hidden-units.webp",
    "post5/confusion.svg",
    "post5/mistakes.webp",
]


@recipe(outputs=MODEL_OUTPUTS, params={**TRAINING, "spread_seeds": [0, 1, 2, 3, 4, 5, 6, 7],
                                       "samples_per_class": 3, "mistakes_shown": 12})
def digits_model(out, params):
    training = {key: params[key] for key in TRAINING}
    X_train, X_test, y_train, y_test = digits_data()
    started = time.perf_counter()
    net, trainer = train_digits(training)
    seconds = time.perf_counter() - started
    probabilities = net.forward(X_test)
    predicted = probabilities.argmax(axis=1)
    counts = confusion_matrix(y_test, predicted)
    wrong = mistakes(probabilities, y_test)
    on_validation, spread = seed_spread(training, params["spread_seeds"])

    # The model the "Draw a digit" widget loads, and a few test digits to start it with.
    out[DIGIT_FILES["model_json"]].write_text(net.to_json())
    shown = first_of_each_class(y_test, params["samples_per_class"]).ravel()
    _, raw_test, _, _ = digits_split()
    samples = {
        "input": "pixels/16",
        "note": "images hold the raw pixel values 0..16, row by row; divide by 16 before forward()",
        "images": raw_test[shown].astype(int).tolist(),
        "labels": y_test[shown].tolist(),
        "predicted": predicted[shown].tolist(),
    }
    out[DIGIT_FILES["samples_json"]].write_text(json.dumps(samples))

    draw_prediction(out["post5/prediction.svg"], X_test, probabilities, y_test)
    draw_answers(out["post5/answers.webp"], X_test, probabilities, y_test,
                 first_of_each_class(y_test, 2)[:, 1])
    votes = unit_votes(net)
    order = by_vote(votes)
    draw_hidden_units(out["post5/hidden-units.webp"], hidden_weight_images(net)[order], votes[order])
    draw_confusion(out["post5/confusion.svg"], counts)
    draw_mistakes(out["post5/mistakes.webp"], X_test, probabilities, y_test,
                  wrong[: params["mistakes_shown"]])

    true, said, how_many = most_confused(counts)
    return {
        "input": "pixels/16",
        "input_layout": "8x8 pixels row by row (index = 8 * row + column), values 0..16 divided by 16",
        "output": "softmax over the digits 0..9",
        "sizes": net.sizes,
        "activations": [a.name for a in net.activations],
        "n_parameters": net.n_parameters,
        "n_hidden": training["hidden"],
        "n_train": len(y_train),
        "n_test": len(y_test),
        "epochs": trainer.epoch,
        "steps": trainer.steps,
        "final_loss": round(float(trainer.history[-1]), 4),
        "test_loss": round(net.loss(X_test, one_hot(y_test, N_CLASSES), LOSS), 4),
        "train_accuracy": net.accuracy(X_train, y_train),
        "test_accuracy": float(np.mean(predicted == y_test)),
        "test_errors": int(np.sum(predicted != y_test)),
        "seconds_training": round(seconds, 2),
        "seeds_tried": len(spread),
        "seeds": list(params["spread_seeds"]),
        "seeds_validation_accuracy": [round(float(a), 4) for a in on_validation],
        "seeds_test_accuracy": [round(float(a), 4) for a in spread],
        "seed_best_on_validation": int(params["spread_seeds"][int(np.argmax(on_validation))]),
        "seed": training["seed"],
        "validation_digits": int(round(len(y_train) * VALIDATION["fraction"])),
        "seeds_min_accuracy": float(spread.min()),
        "seeds_mean_accuracy": round(float(spread.mean()), 4),
        "seeds_max_accuracy": float(spread.max()),
        "most_confused_true": true,
        "most_confused_predicted": said,
        "most_confused_count": how_many,
        "diagonal_min": int(np.diag(counts).min()),
        "diagonal_max": int(np.diag(counts).max()),
        **most_missed(counts),
    }


def draw_prediction(path, X_test, probabilities, y_test):
    """One test digit beside the ten probabilities the network gives it."""
    # A digit the network gets right but not with total certainty shows what softmax does.
    confidence = probabilities.max(axis=1)
    right = np.flatnonzero(probabilities.argmax(axis=1) == y_test)
    k = right[np.argmin(np.abs(confidence[right] - 0.85))]
    fig = plt.figure(figsize=(6.0, 2.8))
    grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 2.0])
    ax_digit, ax_bars = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    draw_digit(ax_digit, X_test[k] * PIXEL_MAX)
    ax_digit.set_title(f"a test digit (a {y_test[k]})", fontsize=12)
    draw_probabilities(ax_bars, probabilities[k], y_test[k])
    ax_bars.set_title("the network's ten probabilities", fontsize=12)
    plotting.save_figure(fig, path)


def draw_answers(path, X_test, probabilities, y_test, shown, columns=5):
    """Test digits, each titled with the network's answer and its probability:
    blue when right, orange when wrong."""
    def title(ax, k, said):
        ax.set_title(f"{said}  {probabilities[k, said]:.0%}", fontsize=11, loc="center",
                     color=plotting.BLUE if said == y_test[k] else plotting.ORANGE)
    digit_grid(path, X_test, probabilities, shown, columns, 1.3, 0.1, title)


def digit_grid(path, X_test, probabilities, shown, columns, row_inches, margin_inches, title):
    """The test digits ``shown`` in a grid of ``columns``, each framed and given its
    ``title(ax, k, said)`` (``said``: the network's answer), in a 4.8-inch-wide figure."""
    rows = -(-len(shown) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.8, row_inches * rows + margin_inches), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, k in zip(axes.flat, shown):
        draw_digit(ax, X_test[k] * PIXEL_MAX, grid=False)
        ax.set_axis_on()
        frame(ax)
        title(ax, k, int(probabilities[k].argmax()))
    plotting.save_figure(fig, path)


def draw_hidden_units(path, images, votes, columns=8):
    """Every hidden unit's 64 weights as an 8x8 picture, orange negative, blue positive,
    with the digit each unit votes for most (+) and against most (-) above it."""
    limit = weight_scale(images)
    rows = -(-len(images) // columns)
    # Narrower than the usual 6 inches, so the labels stay readable on a phone.
    height = 0.72 * rows + 0.85
    fig, axes = plt.subplots(rows, columns, figsize=(4.8, height), squeeze=False, layout="none")
    # Placed by hand: the automatic layout leaves wide gaps around the small labels.
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.25 / height, bottom=0.75 / height,
                        wspace=0.18, hspace=0.32)
    for ax, image, (for_digit, against_digit) in zip(axes.flat, images, votes):
        shown = ax.imshow(image, cmap=weights_cmap(), vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.text(0.0, 1.03, f"+{for_digit}", transform=ax.transAxes, ha="left", va="bottom",
                fontsize=10.5, color=plotting.BLUE, fontweight="bold")
        ax.text(1.0, 1.03, f"−{against_digit}", transform=ax.transAxes, ha="right", va="bottom",
                fontsize=10.5, color=plotting.ORANGE, fontweight="bold")
    bar = fig.colorbar(shown, cax=fig.add_axes([0.3, 0.5 / height, 0.4, 0.1 / height]),
                       orientation="horizontal", ticks=[-limit, 0, limit])
    bar.ax.set_xticklabels(["negative", "0", "positive"])
    bar.ax.tick_params(labelsize=11)
    bar.outline.set_visible(False)
    bar.set_label("weight on each pixel", fontsize=11)
    plotting.save_figure(fig, path)


def draw_confusion(path, counts):
    """The confusion matrix: right answers on the diagonal (blue), mistakes off it (orange)."""
    n = len(counts)
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    on_diagonal = np.eye(n, dtype=bool)
    # Colour: the diagonal in blue by count, mistakes in orange; empty cells stay the card.
    rgba = np.zeros((n, n, 4))
    blue, orange = (np.array(plt.matplotlib.colors.to_rgba(c)) for c in (plotting.BLUE, plotting.ORANGE))
    biggest = counts[on_diagonal].max()
    for (i, j), count in np.ndenumerate(counts):
        if count:
            strength = 0.55 + 0.45 * count / biggest if i == j else 0.35 + 0.4 * min(count, 4) / 4
            rgba[i, j] = (blue if i == j else orange) * [1, 1, 1, strength]
    ax.imshow(rgba, interpolation="nearest")
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=11,
                    color="white" if i == j else plotting.TEXT, fontweight="bold")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("the network's answer")
    ax.set_ylabel("the true digit")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for k in np.arange(n + 1) - 0.5:
        ax.axhline(k, color=plotting.NEUTRAL, lw=0.3)
        ax.axvline(k, color=plotting.NEUTRAL, lw=0.3)
    plotting.save_figure(fig, path)


def draw_mistakes(path, X_test, probabilities, y_test, shown, columns=4):
    """The misclassified test digits, each with its true label and the network's answer."""
    def title(ax, k, said):
        ax.set_title(f"{y_test[k]} read as {said}\n{probabilities[k, said]:.0%} sure", fontsize=10.5,
                     linespacing=1.15)
    # Four columns in a narrow figure: the captions stay readable on a phone.
    digit_grid(path, X_test, probabilities, shown, columns, 1.55, 0.2, title)


@recipe(outputs=["post5/samples.svg", "post5/digit-vector.svg"], params={"per_class": 3, "example": 0})
def digits_samples(out, params):
    X_train, _, y_train, _ = digits_split()
    picks = first_of_each_class(y_train, params["per_class"])

    # A gallery: a few training digits of each class, pixels visible.
    rows = params["per_class"]
    fig, axes = plt.subplots(rows, N_CLASSES, figsize=(6.0, 0.62 * rows + 0.45),
                             gridspec_kw={"wspace": 0.08, "hspace": 0.08})
    for digit in range(N_CLASSES):
        for row in range(rows):
            ax = axes[row, digit]
            draw_digit(ax, X_train[picks[digit, row]], grid=False)
            frame(ax)
        axes[0, digit].set_title(str(digit), fontsize=12)
    plotting.save_figure(fig, out["post5/samples.svg"])

    # One digit as a grid of numbers, and the same 64 numbers read row by row as a vector.
    pixels = X_train[picks[params["example"] % N_CLASSES, 0]].astype(int)
    fig = plt.figure(figsize=(4.2, 5.0))  # narrow: the grid fills a phone-wide column
    grid = fig.add_gridspec(2, 1, height_ratios=[4.0, 0.8])
    ax = fig.add_subplot(grid[0])
    draw_digit(ax, pixels)
    for k, value in enumerate(pixels):
        row, column = divmod(k, SIDE)
        ax.text(column, row, str(value), ha="center", va="center", fontsize=10,
                color="white" if value > 8 else plotting.TEXT)
    ax.set_title("8 × 8 pixels, 0 (blank) to 16 (full ink)", fontsize=12, loc="center")
    strip = fig.add_subplot(grid[1])
    strip.imshow(pixels[None, :], cmap="Greys", vmin=0, vmax=PIXEL_MAX, aspect="auto",
                 interpolation="nearest", extent=(0, SIDE * SIDE, 1, 0))
    for k in range(1, SIDE):
        strip.axvline(SIDE * k, color=plotting.ORANGE, lw=1.2)
    strip.set_yticks([])
    strip.set_xticks(np.arange(SIDE) * SIDE + SIDE / 2)
    strip.set_xticklabels([f"row {k + 1}" for k in range(SIDE)], fontsize=9)
    strip.tick_params(length=0)
    strip.set_title("the same 64 numbers, row after row:\nthe input vector $x$", fontsize=12,
                    loc="center")
    plotting.save_figure(fig, out["post5/digit-vector.svg"])
    return {"per_class": params["per_class"], "example_label": int(params["example"] % N_CLASSES),
            "n_train": len(y_train)}


VIDEO_PARAMS = {**TRAINING, "frames": 300, "fps": 30, "hold_seconds": 1.5, "columns": 8}


@recipe(outputs=["post5/hidden-forming.mp4", "post5/hidden-forming-poster.webp"], params=VIDEO_PARAMS)
def digits_video(out, params):
    training = {key: params[key] for key in TRAINING}
    _, X_test, _, y_test = digits_data()
    steps_per_epoch = -(-len(digits_split()[2]) // training["batch_size"])
    total_steps = steps_per_epoch * training["epochs"]
    # Close together at first, where the weights change fastest, then ever further apart.
    shown = set(frame_steps(total_steps, params["frames"], hold_start=True).tolist())

    fig = plt.figure()
    grid = fig.add_gridspec(1, 2, width_ratios=[1.9, 1.0])
    ax_units, ax_curve = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    net = make_network(training)  # the same start train_digits makes from the same seed
    mosaic = ax_units.imshow(tile(hidden_weight_images(net), params["columns"]), cmap=weights_cmap(),
                             interpolation="nearest", vmin=-1, vmax=1)
    ax_units.set_xticks([])
    ax_units.set_yticks([])
    for spine in ax_units.spines.values():
        spine.set_visible(False)
    # Titles that change every frame; placeholders now so the layout makes room for them.
    units_title = ax_units.set_title("weights", fontsize=12)
    ax_units.set_xlabel("orange: negative    blue: positive", fontsize=11, color=plotting.AXES)

    # Most of the learning happens in the first few dozen steps: a log scale gives
    # them as much room as the long polishing that follows.
    ax_curve.set_xscale("log")
    ax_curve.set_xlim(1, total_steps)
    ax_curve.set_ylim(0, 1.02)
    ax_curve.set_yticks([0, 0.5, 1])
    ax_curve.set_yticklabels(["0", "50%", "100%"])
    ax_curve.set_xticks([1, 10, 100, 1000])
    ax_curve.set_xticklabels(["1", "10", "100", "1000"])
    ax_curve.minorticks_off()
    ax_curve.set_xlabel("step (log scale)")
    curve_title = ax_curve.set_title("test accuracy", fontsize=12)
    (curve,) = ax_curve.plot([], [], color=plotting.BLUE)
    (dot,) = ax_curve.plot([], [], "o", color=plotting.BLUE, ms=5)
    freeze_static(fig, moving=[mosaic, curve, dot, units_title, curve_title])

    accuracy = {}  # step -> test accuracy, for every step shown

    def draw_state(network, step):
        images = hidden_weight_images(network)
        limit = weight_scale(images)
        mosaic.set_data(tile(images, params["columns"]))
        mosaic.set_clim(-limit, limit)
        accuracy[step] = network.accuracy(X_test, y_test)
        # Step 0 has no place on a log scale; its accuracy shows in the text.
        on_curve = [k for k in accuracy if k > 0]
        curve.set_data(on_curve, [accuracy[k] for k in on_curve])
        dot.set_data([step] if step else [], [accuracy[step]] if step else [])
        units_title.set_text(f"{training['hidden']} hidden units' weights, step {step}")
        curve_title.set_text(f"test accuracy {accuracy[step]:.1%}")

    with plotting.VideoWriter(fig, out["post5/hidden-forming.mp4"], fps=params["fps"],
                              poster_path=out["post5/hidden-forming-poster.webp"]) as video:
        draw_state(net, 0)  # the untrained network: random weights
        video.add_frame()

        def after_step(trainer):
            if trainer.steps in shown:
                draw_state(trainer.network, trainer.steps)
                video.add_frame()

        started = time.perf_counter()
        net, trainer = train_digits(training, after_step)
        seconds = time.perf_counter() - started
        for _ in range(round(params["hold_seconds"] * params["fps"])):
            video.add_frame()
        frames = video.frames
    plt.close(fig)
    return {
        "frames": frames,
        "seconds_video": round(frames / params["fps"], 2),
        "steps": trainer.steps,
        "epochs": trainer.epoch,
        "start_accuracy": accuracy[0],
        "accuracy_after_10_steps": accuracy[min(k for k in accuracy if k >= 10)],
        "accuracy_after_1_epoch": accuracy[min(k for k in accuracy if k >= steps_per_epoch)],
        "final_accuracy": accuracy[trainer.steps],
        "seconds_training_and_drawing": round(seconds, 2),
    }


@recipe(outputs=["thumbs/post5.webp", "cards/post5.png"], params={**TRAINING, "shown": 6})
def thumb_post5(out, params):
    training = {key: params[key] for key in TRAINING}
    net, _ = train_digits(training)
    _, X_test, _, y_test = digits_data()
    picks = first_of_each_class(y_test, 1)[: params["shown"], 0]
    probabilities = net.forward(X_test[picks])
    fig, axes = plt.subplots(2, 3, figsize=(3.2, 2.4), layout="none")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02, wspace=0.15, hspace=0.3)
    for ax, k, p in zip(axes.flat, picks, probabilities):
        draw_digit(ax, X_test[k] * PIXEL_MAX, grid=False)
        frame(ax)
        said = int(p.argmax())
        ax.set_title(f"→ {said}  {p[said]:.0%}", fontsize=10,
                     color=plotting.BLUE if said == y_test[k] else plotting.ORANGE, pad=2)
    plotting.save_thumbnail(fig, out["thumbs/post5.webp"], out["cards/post5.png"])
    return {"shown": len(picks), "right": int(np.sum(probabilities.argmax(axis=1) == y_test[picks]))}


# --- The hidden layer, read per digit: what each digit's score looks for, and who answers.


def digit_templates(net):
    """Each digit's template ``(10, 8, 8)``: the hidden units' weight pictures added up,
    each times that unit's weight to the digit's output (``W1 @ W2[:, k]``). It is what the
    digit's score would respond to if the tanh were a straight line: a pixel's ink adds
    its value there to the score."""
    return (net.layers[0]["W"] @ net.layers[1]["W"]).T.reshape(N_CLASSES, SIDE, SIDE)


def unit_shares(net, image, digit):
    """How much each hidden unit adds to ``digit``'s score for ``image`` ``(64,)``: its
    activation times its weight to that output, ``(n_hidden,)``."""
    hidden = net.forward_all(image[None, :]).activations[1][0]
    return hidden * net.layers[1]["W"][:, digit]


TEMPLATE_PARAMS = {**TRAINING, "example_digit": 3, "example": 0}


@recipe(outputs=["post5/templates.svg"], params=TEMPLATE_PARAMS)
def digits_templates(out, params):
    training = {key: params[key] for key in TRAINING}
    net, _ = train_digits(training)
    _, X_test, _, y_test = digits_data()
    templates = digit_templates(net)
    digit = params["example_digit"]
    image = X_test[np.flatnonzero(y_test == digit)[params["example"]]]
    shares = unit_shares(net, image, digit)
    order = np.argsort(-shares, kind="stable")
    positive = shares[shares > 0]
    top3_share = float(np.sort(positive)[::-1][:3].sum() / positive.sum())

    fig = plt.figure(figsize=(6.0, 5.0))
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1.0])
    axes = top.subplots(2, 5, gridspec_kw={"wspace": 0.1, "hspace": 0.35})
    top.subplots_adjust(top=0.8)
    limit = weight_scale(templates)
    for k, ax in enumerate(axes.flat):
        ax.imshow(templates[k], cmap=weights_cmap(), vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        frame(ax)
        ax.set_title(str(k), fontsize=11)
    top.suptitle("(a) each digit's template: the stencils added up, weighted by their vote", fontsize=11.5,
                 x=0.02, ha="left")
    ax_digit, ax_bars = bottom.subplots(1, 2, gridspec_kw={"width_ratios": [1, 4.2], "wspace": 0.15})
    bottom.subplots_adjust(top=0.8)
    draw_digit(ax_digit, image * PIXEL_MAX, grid=False)
    frame(ax_digit)
    colours = [plotting.BLUE if v > 0 else plotting.ORANGE for v in shares[order]]
    ax_bars.bar(np.arange(len(shares)), shares[order], color=colours, width=0.8)
    ax_bars.axhline(0, color=plotting.AXES, lw=0.8)
    ax_bars.set_xticks([])
    ax_bars.set_xlabel(f"the {len(shares)} hidden units, largest vote first", fontsize=10.5)
    bottom.suptitle(f"(b) what each hidden unit adds to the score for “{digit}” on this test {digit}", fontsize=11.5,
                    x=0.02, ha="left")
    plotting.save_figure(fig, out["post5/templates.svg"])
    return {"example_digit": digit, "units_for": int(np.sum(shares > 0)), "units_against": int(np.sum(shares < 0)),
            "top3_share": round(top3_share, 2), "n_hidden": len(shares),
            "probability": round(float(net.forward(image[None, :])[0, digit]), 3)}
