"""What the recipes of several posts share, so that no recipe imports another's module.

- The digits network of post 5, which post 7 sets its convolutional network beside
  (and the bench times): how it is trained, and the data as it reads it.
- The coloured shapes of post 6 as a dense network reads them; post 7 reads them too,
  and draws its shift test on the same axes as post 6.
- A live widget's own model, made from the options a recipe draws its fallback with.
- The playground's fallback figure (posts 3 and 4): the live widget's own model,
  trained with the options its block starts from; what the posts' "things to try" promise
  of it, measured on the same model; and a toy set's training and test points, as posts 3
  and 4 draw them.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from demos.datasets import BACKGROUND, PIXEL_MAX, SHAPE_SIZE, digits_split, toy
from demos.nn import Network
from demos.widgets import widget
from demos.widgets.playground import grid_points
from scripts.assets import plotting
from scripts.assets.draw_regions import DEFAULT_RESOLUTION, draw_class_regions, draw_points, draw_regions

# --- The digits network (post 5): 8x8 pictures, pixels 0..16 divided by 16, ten classes.

SIDE = 8  # pictures are SIDE x SIDE
N_CLASSES = 10
# One set of training parameters for every recipe that trains it. The seed is the start,
# of the eight post 5's `digits_model` tries, with the best accuracy on a validation split
# carved from the training digits (VALIDATION); the test digits play no part in the
# choice. `digits_model` reports every start's validation and test accuracy, and a test
# checks that this seed is still the one the validation split picks.
VALIDATION = {"fraction": 0.2, "seed": 0}
DIGITS_TRAINING = {
    "hidden": 32,
    "activation": "tanh",
    "learning_rate": 0.01,
    "batch_size": 32,
    "l2": 0.001,
    "epochs": 30,
    "seed": 3,
}


def scale_pixels(images):
    """Pixel values 0..16 ``(n, 64)`` as the network's inputs in [0, 1]: divided by 16."""
    return np.asarray(images, dtype=float) / PIXEL_MAX


def digits_data():
    """The fixed split, scaled: X_train, X_test ``(n, 64)`` in [0, 1]; y_train, y_test ``(n,)``."""
    X_train, X_test, y_train, y_test = digits_split()
    return scale_pixels(X_train), scale_pixels(X_test), y_train, y_test


def carve_validation(n_train, fraction, seed):
    """Split the rows of a training set of ``n_train`` into ``(fit, validation)`` index
    arrays: a random ``fraction`` held out to choose between settings, so the test set
    never decides anything."""
    order = np.random.default_rng(seed).permutation(int(n_train))
    n_validation = int(round(n_train * fraction))
    return np.sort(order[n_validation:]), np.sort(order[:n_validation])


def digits_network(training):
    """The untrained 64-hidden-10 network described by ``training`` (see DIGITS_TRAINING)."""
    return Network([SIDE * SIDE, training["hidden"], N_CLASSES], [training["activation"], "softmax"],
                   seed=training["seed"])


# --- The coloured shapes (post 6) as a dense network reads them.

SHAPE_INPUTS = SHAPE_SIZE * SHAPE_SIZE * 3


def flatten(images):
    """Images ``(n, 16, 16, 3)`` as a dense network's inputs ``(n, 768)``: row by row,
    red-green-blue within each pixel (index ``(16 * row + column) * 3 + channel``)."""
    images = np.asarray(images, dtype=float)
    return images.reshape(len(images), -1)


def ink_centre_x(images):
    """Horizontal centre of each shape in ``images`` ``(n, 16, 16, 3)``, in pixels from the
    left edge ``(n,)``: the mean column, weighted by how far each pixel is from the
    background grey. Posts 6 and 7 train on shapes left of the middle and test on the rest."""
    ink = np.abs(np.asarray(images) - BACKGROUND).max(axis=-1)  # (n, 16, 16)
    columns = np.arange(SHAPE_SIZE) + 0.5
    return (ink.sum(axis=1) * columns).sum(axis=1) / ink.sum(axis=(1, 2))


def as_colours(picture):
    """A weight picture ``(16, 16, 3)`` shown as RGB: 0.5 is a zero weight, brighter
    channels positive, darker negative (scaled by the picture's largest weight)."""
    return 0.5 + picture / (2 * np.abs(picture).max())


# --- Toy sets and the playground's fallback figure (posts 3 and 4).


def toy_split(name, params, seed):
    """Training and test points of the toy set ``name``, ``params["train_points"]`` and
    ``params["test_points"]`` of them with ``params["noise"]``, drawn from ``seed`` and
    ``seed + 1``: ``((X, y), (X_test, y_test))``."""
    return (toy(name, params["train_points"], params["noise"], seed=seed),
            toy(name, params["test_points"], params["noise"], seed=seed + 1))


def architecture_name(hidden):
    """How a figure names a network by its hidden layers: ``[]`` -> "none",
    ``[8, 8]`` -> "8 → 8"."""
    return " → ".join(str(n) for n in hidden) if hidden else "none"


def widget_model(drawn_with):
    """A live widget's own model, made as the page makes it from a block with the options in
    ``drawn_with`` (``{"name", "options"}``, a recipe's ``widget`` param; the block takes them)."""
    declared = widget(drawn_with["name"])
    defaults = {name: option["default"] for name, option in declared.options.items() if not option["required"]}
    return declared.model(**{**defaults, **drawn_with["options"]})


def playground_prompts(drawn_with, epochs, prompts):
    """What a post's "things to try" promise of its playground, measured on the live widget's
    own model. ``prompts`` maps a name to the settings the text asks the reader to change
    (``{"tanh": {"activation": "tanh"}}``); each is trained ``epochs`` epochs from the block's
    options (``drawn_with``, as in :func:`playground_figure`) and the same seed, as the reader's
    browser does after the change. Returns metrics for each NAME: ``NAME_test_accuracy``,
    ``NAME_train_loss`` (the last epoch's), ``NAME_loss_rises`` (epochs whose training loss rose)
    and ``NAME_OPTION``, the value the text asks for, so the post quotes the very value tested
    (for ``hidden``, a list: ``NAME_layers`` and ``NAME_neurons``, the first layer's width)."""
    metrics = {}
    for name, changes in prompts.items():
        changed = {"name": drawn_with["name"], "options": {**drawn_with["options"], **changes}}
        state = widget_model(changed).step(epochs)
        losses = np.array(state["train_loss"])
        for option, value in changes.items():
            if option == "hidden":
                metrics.update({f"{name}_layers": len(value), f"{name}_neurons": value[0] if value else 0})
            else:
                metrics[f"{name}_{option}"] = value
        metrics.update({f"{name}_test_accuracy": state["test_accuracy"],
                        f"{name}_train_loss": round(float(losses[-1]), 4),
                        f"{name}_loss_rises": int(np.sum(np.diff(losses) > 0))})
    return metrics


def playground_figure(drawn_with, epochs, path):
    """Train the live playground's own model (``demos.widgets.playground``) for ``epochs``
    epochs with the options in ``drawn_with`` (``{"name": "playground", "options": {...}}``,
    the recipe's ``widget`` param: the post's block takes its options from it) and save
    what it then shows: the regions, the training points (large) and the test points
    (small, faint). This is the picture a reader sees before the live widget has loaded.
    Returns metrics."""
    started = time.perf_counter()
    model = widget_model(drawn_with)
    settings = model.settings
    state = model.step(epochs)
    seconds_training = time.perf_counter() - started
    fig = plt.figure(figsize=(4.8, 5.0))
    ax = fig.add_subplot()
    e = model.extent
    if model.n_classes == 2 and not settings["features"]:
        # Two classes from x and y alone: the shading and its boundary line, as the other figures draw them.
        points = draw_regions(ax, model.network, model.X_train, model.y_train, extent=(-e, e, -e, e),
                              point_size=22).points
    else:
        # More classes, or inputs besides x and y: the model itself says which class wins where.
        grid = grid_points(e, DEFAULT_RESOLUTION)
        probabilities = model.class_probabilities(grid).reshape(DEFAULT_RESOLUTION, DEFAULT_RESOLUTION, -1)
        points = draw_class_regions(ax, probabilities, (-e, e, -e, e), model.X_train, model.y_train, point_size=22)
    draw_points(ax, model.X_test, model.y_test, size=10).set_alpha(0.45)
    points.set_zorder(4)
    ax.set_title(f"epoch {state['epoch']}:  training loss {state['train_loss'][-1]:.2f},  "
                 f"test accuracy {state['test_accuracy']:.0%}", fontsize=11, loc="center")
    ax.set_xlabel(f"{settings['dataset']}; {settings['activation']} layers {architecture_name(settings['hidden'])}; "
                  f"learning rate {settings['learning_rate']:g}", fontsize=11, color=plotting.AXES)
    # Lossy: large smooth shading and big dots, whose colours survive it, in fewer bytes than a palette.
    plotting.save_figure(fig, path, dpi=150, quality=90)
    return {"epochs": state["epoch"], "train_loss": round(float(state["train_loss"][-1]), 4),
            "test_loss": round(float(state["test_loss"][-1]), 4), "train_accuracy": state["train_accuracy"],
            "test_accuracy": state["test_accuracy"], "n_parameters": model.network.n_parameters,
            "seconds_training": round(seconds_training, 2)}


def draw_shift_axes(ax, left_of, size, ylabel):
    """The axes of a shift test (posts 6 and 7): test accuracy against the horizontal place of
    a shape's centre in a ``size``-pixel picture, the places seen in training (left of
    ``left_of``) shaded and guessing's one in three dashed."""
    ax.axvspan(0, left_of, color=plotting.NEUTRAL, alpha=0.18, lw=0)
    ax.text(0.4, 0.05, "positions seen\nin training", color=plotting.AXES, fontsize=11, va="bottom")
    ax.axhline(1 / 3, color=plotting.NEUTRAL, lw=1, ls=(0, (4, 3)))
    ax.set_xlim(0, size)
    ax.set_ylim(0, 1.03)
    ax.set_xticks(range(0, size + 1, 4))
    ax.set_yticks([0, 1 / 3, 0.5, 1])
    ax.set_yticklabels(["0", "1/3", "50%", "100%"])
    ax.set_xlabel("centre of the shape (pixels from the left edge)")
    ax.set_ylabel(ylabel)
