"""Post 3, "Layers Bend Space": hidden layers, and what they let a network separate.

A network with no hidden layer can only draw a straight line. Each hidden layer
re-draws the points in new coordinates (its neurons' activations), so that the
layer after it has an easier job; the last layer still draws a straight line,
but in the space the hidden layers made. These recipes train networks of
growing size on XOR, circles and spirals and show their decision regions, watch
a network whose last hidden layer has two neurons pull the points apart, and
measure how the number and arrangement of neurons changes what is learned.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from demos import datasets
from demos.nn import Network, Trainer, make_optimizer
from scripts.assets import plotting
from scripts.assets.draw_regions import DEFAULT_EXTENT, draw_regions
from scripts.assets.frames import frame_steps, freeze_static
from scripts.assets.recipe import recipe
from scripts.assets.shared import architecture_name, playground_figure, playground_prompts, toy_split

LOSS = "binary_cross_entropy"
DATASET_TITLES = {"xor": "XOR", "circles": "circles", "spirals": "spirals"}


# --- The computation behind the figures.


def make_network(hidden, activation="tanh", seed=0):
    """A network with 2 inputs, hidden layers of the sizes in ``hidden`` (``[]``
    for none) using ``activation``, and one sigmoid output: the probability of class 1."""
    hidden = [int(n) for n in hidden]
    return Network([2, *hidden, 1], [activation] * len(hidden) + ["sigmoid"], seed=seed)


def train_classifier(X, y, hidden, activation="tanh", optimizer="adam", learning_rate=0.03, epochs=300,
                     batch_size=20, seed=0, on_epoch=None):
    """Train ``make_network(hidden, activation, seed)`` on points ``X`` ``(n, 2)``
    with labels ``y`` ``(n,)``; returns ``(net, trainer)`` (``trainer.history``
    holds the loss of every epoch)."""
    net = make_network(hidden, activation, seed)
    trainer = Trainer(net, X, y[:, None].astype(float), loss=LOSS,
                      optimizer=make_optimizer(optimizer, learning_rate), batch_size=batch_size, seed=seed)
    trainer.run(epochs, on_epoch=on_epoch)
    return net, trainer


def metric_key(hidden):
    """How the metrics name it: ``[]`` -> "linear", ``[8, 8]`` -> "h8_8"."""
    return "h" + "_".join(str(n) for n in hidden) if hidden else "linear"


def percent(fraction):
    """An accuracy as a whole percentage, with one decimal where rounding would
    otherwise claim a perfect score that was not reached: 0.9975 -> "99.8%"."""
    text = f"{fraction:.0%}"
    return f"{fraction:.1%}" if text == "100%" and fraction < 1 else text


def last_hidden(net, X):
    """The activations of the last hidden layer for ``X`` ``(n, 2)``: ``(n, units)``.
    These are the coordinates the output neuron draws its straight line in."""
    if len(net.layers) < 2:
        raise ValueError("a network without hidden layers has no hidden view")
    return net.forward_all(X)[1][-2]


def record_training(trainer, steps_to_keep, X, y):
    """Step ``trainer`` up to the largest of ``steps_to_keep``, keeping a copy of its
    network's weights, its loss and accuracy on ``X``, ``y`` at each of those steps.

    Returns a list of ``(layers, loss, accuracy)``, one per distinct step, in order;
    ``layers`` is a list of ``{"W", "b"}`` copies (set them on a network to draw it).
    """
    net = trainer.network
    Y = y[:, None].astype(float)
    wanted = sorted(set(int(s) for s in steps_to_keep))
    kept = []
    for step in wanted:
        while trainer.steps < step:
            trainer.step()
        layers = [{key: value.copy() for key, value in layer.items()} for layer in net.layers]
        kept.append((layers, net.loss(X, Y, LOSS), net.accuracy(X, y)))
    return kept


def width_depth_sweep(X, y, X_test, y_test, neurons, seeds, learning_rates, epochs, batch_size):
    """Spend the same number of hidden neurons in one layer or in two layers of half
    as many. For each count in ``neurons``, each arrangement and each seed, train
    with every learning rate in ``learning_rates`` and keep the run with the lowest
    final *training* loss (the test points play no part in the choice).

    Returns ``{"one": acc, "two": acc}``, each ``acc`` a ``(len(neurons), len(seeds))``
    array of test accuracies, and the number of weights of each network in
    ``{"one": [...], "two": [...]}``.
    """
    shapes = {"one": lambda n: [n], "two": lambda n: [n // 2, n - n // 2]}
    accuracy = {key: np.zeros((len(neurons), len(seeds))) for key in shapes}
    weights = {key: [] for key in shapes}
    for key, shape in shapes.items():
        for i, n in enumerate(neurons):
            weights[key].append(make_network(shape(n)).n_parameters)
            for j, seed in enumerate(seeds):
                runs = [train_classifier(X, y, shape(n), learning_rate=lr, epochs=epochs, batch_size=batch_size,
                                         seed=seed) for lr in learning_rates]
                net, _ = min(runs, key=lambda run: run[1].history[-1])
                accuracy[key][i, j] = net.accuracy(X_test, y_test)
    return accuracy, weights


# --- Recipes.

GRID_PARAMS = {
    "datasets": ["xor", "circles", "spirals"],
    "hidden": [[], [4], [8, 8], [8, 8, 8]],
    "train_points": 200,
    "test_points": 400,
    "noise": 0.05,
    "learning_rate": 0.03,
    "epochs": 300,
    "batch_size": 20,
    "seed": 0,
}


@recipe(outputs=["post3/regions-grid.webp"], params=GRID_PARAMS)
def layers_grid(out, params):
    p = params
    fig, axes = plt.subplots(len(p["datasets"]), len(p["hidden"]), figsize=(6.0, 4.75))
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.02, wspace=0.0, hspace=0.0)
    fig.suptitle("hidden layers (neurons in each)", fontsize=12, color=plotting.AXES)
    metrics = {"seconds_training": 0.0}
    for row, name in enumerate(p["datasets"]):
        (X, y), (X_test, y_test) = toy_split(name, p, p["seed"])
        for col, hidden in enumerate(p["hidden"]):
            started = time.perf_counter()
            net, trainer = train_classifier(X, y, hidden, learning_rate=p["learning_rate"], epochs=p["epochs"],
                                            batch_size=p["batch_size"], seed=p["seed"])
            metrics["seconds_training"] += time.perf_counter() - started
            accuracy = net.accuracy(X_test, y_test)
            key = f"{name}_{metric_key(hidden)}"
            metrics[f"accuracy_{key}"] = accuracy
            metrics[f"train_accuracy_{key}"] = net.accuracy(X, y)
            metrics[f"n_parameters_{metric_key(hidden)}"] = net.n_parameters
            ax = axes[row, col]
            draw_regions(ax, net, X_test, y_test, point_size=5)
            ax.text(0.04, 0.96, percent(accuracy), transform=ax.transAxes, ha="left", va="top", fontsize=11,
                    color=plotting.TEXT, bbox={"boxstyle": "round,pad=0.15", "fc": plotting.CARD, "ec": "none",
                                               "alpha": 0.85})
            if row == 0:
                ax.set_title(architecture_name(hidden), fontsize=12, loc="center")
            if col == 0:
                ax.set_ylabel(DATASET_TITLES.get(name, name))
    metrics["seconds_training"] = round(metrics["seconds_training"], 2)
    metrics.update(epochs=p["epochs"], train_points=p["train_points"], test_points=p["test_points"])
    plotting.save_figure(fig, out["post3/regions-grid.webp"], dpi=150)  # 900 px wide: sharp enough, half the bytes
    return metrics


HIDDEN_VIEW_PARAMS = {
    "dataset": "circles",
    "points": 200,
    "noise": 0.05,
    "hidden": [8, 2],
    "learning_rate": 0.01,
    "batch_size": 20,
    "epochs": 60,
    "frames": 200,
    "fps": 20,
    "hold_seconds": 2.0,
    "seed": 0,
}
HIDDEN_EXTENT = (-1.1, 1.1, -1.1, 1.1)  # tanh activations lie in (-1, 1)


@recipe(outputs=["post3/hidden-view.mp4", "post3/hidden-view-poster.webp"], params=HIDDEN_VIEW_PARAMS)
def hidden_view_video(out, params):
    p = params
    X, y = datasets.toy(p["dataset"], p["points"], p["noise"], seed=p["seed"])
    net = make_network(p["hidden"], seed=p["seed"])
    trainer = Trainer(net, X, y[:, None].astype(float), loss=LOSS,
                      optimizer=make_optimizer("adam", p["learning_rate"]), batch_size=p["batch_size"],
                      seed=p["seed"])
    steps_per_epoch = -(-len(X) // p["batch_size"])  # the last batch of an epoch may be smaller
    shown = frame_steps(p["epochs"] * steps_per_epoch, p["frames"])
    started = time.perf_counter()
    kept = dict(zip(sorted(set(shown.tolist())), record_training(trainer, shown, X, y)))
    seconds_training = time.perf_counter() - started

    # The output neuron alone: a one-layer network on the two hidden activations. It
    # shares its layer with `net`, so loading `net`'s weights in place sets its too.
    head = Network([2, 1], ["sigmoid"])
    head.layers = [net.layers[-1]]
    # Placed by hand: two equal squares, with room above for their titles and, at the very
    # top, the status line (the bottom of a video is where the player puts its controls).
    fig = plt.figure(layout="none")
    width, height = fig.get_size_inches() * fig.dpi
    side, bottom = 306, 54
    ax_in = fig.add_axes([48 / width, bottom / height, side / width, side / height])
    ax_hidden = fig.add_axes([(width / 2 + 48) / width, bottom / height, side / width, side / height])
    ax_in.set_title("the points", loc="center")
    ax_hidden.set_title("the hidden layer's view", loc="center")

    def load(step):
        for layer, saved in zip(net.layers, kept[step][0]):
            for key in layer:
                layer[key][...] = saved[key]

    load(0)
    regions_in = draw_regions(ax_in, net, X, y, resolution=90, point_size=12)
    regions_hidden = draw_regions(ax_hidden, head, last_hidden(net, X), y, extent=HIDDEN_EXTENT, resolution=90,
                                  point_size=12)
    for ax, labels in ((ax_in, ("$x_1$", "$x_2$")), (ax_hidden, ("hidden neuron 1", "hidden neuron 2"))):
        ax.set_xlabel(labels[0], labelpad=3)
        ax.set_ylabel(labels[1], labelpad=3)
    status = fig.text(0.5, 1 - 6 / height, "", ha="center", va="top", fontsize=12, color=plotting.AXES)

    moving = [regions_in.image, regions_hidden.image, regions_hidden.points, status]

    def draw_frame(i):
        step = int(shown[min(i, len(shown) - 1)])
        load(step)
        regions_in.update(net)
        regions_hidden.update(head)
        regions_hidden.points.set_offsets(last_hidden(net, X))
        _, loss, accuracy = kept[step]
        status.set_text(f"epoch {step // steps_per_epoch}     loss {loss:.2f}     accuracy {accuracy:.0%}")

    draw_frame(0)
    freeze_static(fig, moving=moving)
    hold = int(round(p["hold_seconds"] * p["fps"]))
    plotting.write_video(fig, draw_frame, len(shown) + hold, out["post3/hidden-view.mp4"], fps=p["fps"],
                         poster_path=out["post3/hidden-view-poster.webp"])
    plt.close(fig)
    final_loss, final_accuracy = kept[int(shown[-1])][1:]
    return {
        "final_loss": round(float(final_loss), 4),
        "final_accuracy": final_accuracy,
        "start_accuracy": kept[0][2],
        "epochs": p["epochs"],
        "steps": int(shown[-1]),
        "architecture": "-".join(str(n) for n in net.sizes),
        "n_parameters": net.n_parameters,
        "seconds_training": round(seconds_training, 2),
        "video_seconds": round((len(shown) + hold) / p["fps"], 2),
    }


WIDTH_DEPTH_PARAMS = {
    "dataset": "spirals",
    "train_points": 200,
    "test_points": 400,
    "noise": 0.05,
    "neurons": [2, 4, 8, 16, 32],
    "seeds": [0, 1, 2],
    "learning_rates": [0.03, 0.1],
    "epochs": 150,
    "batch_size": 20,
}


@recipe(outputs=["post3/width-depth.svg"], params=WIDTH_DEPTH_PARAMS)
def width_depth(out, params):
    p = params
    (X, y), (X_test, y_test) = toy_split(p["dataset"], p, 0)
    started = time.perf_counter()
    accuracy, weights = width_depth_sweep(X, y, X_test, y_test, p["neurons"], p["seeds"], p["learning_rates"],
                                          p["epochs"], p["batch_size"])
    seconds_training = time.perf_counter() - started

    fig, ax = plt.subplots()
    neurons = np.array(p["neurons"], dtype=float)
    styles = {"one": ("one hidden layer", plotting.BLUE, "o", 0.94),
              "two": ("two layers, half as wide", plotting.GREEN, "s", 1.06)}
    for key, (label, colour, marker, nudge) in styles.items():
        mean = accuracy[key].mean(axis=1)
        ax.plot(neurons, mean, color=colour, marker=marker, ms=6, label=label, zorder=3)
        # Every run as a faint dot, nudged sideways so the two arrangements do not overlap.
        for j in range(len(p["seeds"])):
            ax.plot(neurons * nudge, accuracy[key][:, j], marker, color=colour, ms=4, alpha=0.35, zorder=2)
    ax.set_xscale("log", base=2)
    ax.set_xticks(neurons, [str(int(n)) for n in neurons])
    ax.minorticks_off()
    ax.set_ylim(0.45, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.axhline(0.5, color=plotting.NEUTRAL, lw=1, ls=":", zorder=1)
    ax.text(neurons[-1], 0.515, "coin toss", ha="right", va="bottom", fontsize=11, color=plotting.AXES)
    ax.set_xlabel("hidden neurons in all")
    ax.set_title("test accuracy on the spirals")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.16))
    plotting.save_figure(fig, out["post3/width-depth.svg"])

    metrics = {"seconds_training": round(seconds_training, 2), "runs": int(accuracy["one"].size * 2 *
                                                                          len(p["learning_rates"]))}
    for key in ("one", "two"):
        for i, n in enumerate(p["neurons"]):
            metrics[f"accuracy_{key}_{n}"] = round(float(accuracy[key][i].mean()), 4)
            metrics[f"weights_{key}_{n}"] = weights[key][i]
    return metrics


THUMB_PARAMS = {"dataset": "spirals", "points": 200, "noise": 0.05, "hidden": [8, 8, 8], "learning_rate": 0.03,
                "epochs": 300, "batch_size": 20, "seed": 0}


@recipe(outputs=["thumbs/post3.webp", "cards/post3.png"], params=THUMB_PARAMS)
def thumb_post3(out, params):
    """The thumbnail for the series home and the social card: the spirals and the curved regions a 2-8-8-8-1 network finds."""
    p = params
    X, y = datasets.toy(p["dataset"], p["points"], p["noise"], seed=p["seed"])
    started = time.perf_counter()
    net, _ = train_classifier(X, y, p["hidden"], learning_rate=p["learning_rate"], epochs=p["epochs"],
                              batch_size=p["batch_size"], seed=p["seed"])
    seconds_training = time.perf_counter() - started
    fig = plt.figure(figsize=(3.2, 2.4), layout="none")
    ax = fig.add_axes([0, 0, 1, 1])
    x_min, x_max, y_min, y_max = DEFAULT_EXTENT
    extent = (x_min * 4 / 3, x_max * 4 / 3, y_min, y_max)  # 4:3, the card's shape
    draw_regions(ax, net, X, y, extent=extent, point_size=12)
    ax.set_axis_off()
    plotting.save_thumbnail(fig, out["thumbs/post3.webp"], out["cards/post3.png"])
    return {"train_accuracy": net.accuracy(X, y), "epochs": p["epochs"], "n_parameters": net.n_parameters,
            "seconds_training": round(seconds_training, 2)}


# The playground block of post 3 shows this figure and starts from its options (the site's build
# fills them in: see scripts/site/hooks.py).
PLAYGROUND_PARAMS = {
    "widget": {"name": "playground", "options": {"dataset": "spirals", "noise": 0.05, "hidden": [12, 12],
                                                 "activation": "relu", "learning_rate": 0.01, "optimizer": "adam",
                                                 "batch_size": 10, "seed": 0}},
    "epochs": 150,
    # The "things to try" under the widget, each measured as the reader would try it.
    "prompts": {"no_hidden": {"hidden": []}, "one_layer": {"hidden": [12]}, "narrow": {"hidden": [2]},
                "bottleneck": {"hidden": [1, 12]}, "tanh": {"activation": "tanh"}},
}


@recipe(outputs=["post3/playground-spirals.webp"], params=PLAYGROUND_PARAMS)
def playground_spirals(out, params):
    return {**playground_figure(params["widget"], params["epochs"], out["post3/playground-spirals.webp"]),
            **playground_prompts(params["widget"], params["epochs"], params["prompts"])}
