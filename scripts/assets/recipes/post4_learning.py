"""Post 4, "How a Network Learns": loss, gradients, step sizes, batches and overfitting.

Every recipe here trains with ``demos.nn`` and draws what the training did:
the loss under several learning rates (one of them too large, so the run
diverges), plain gradient descent, momentum and Adam walking down a real loss
surface, the loss under three batch sizes, and a network that memorises a
small noisy dataset with and without L2 regularisation.

Two small problems carry the post. *The curve*: a network with one input and
one output learns to draw a curve through noisy points, scored by the mean
squared error; its loss has no ceiling, so a too-large step makes it grow to
infinity, which is what divergence means. *The threshold*: one sigmoid neuron
sorts points on a line into two classes; it has only a weight and a bias, so
its whole loss surface fits in one picture.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from demos.nn import Network, Trainer, TrainingDiverged, make_optimizer
from demos.widgets.options import LEARNING_RATE
from scripts.assets import plotting
from scripts.assets.draw_regions import draw_regions
from scripts.assets.frames import freeze_static
from scripts.assets.recipe import recipe
from scripts.assets.shared import playground_figure, playground_prompts, toy_split

BCE = "binary_cross_entropy"


# --- The curve: points along a sine wave, learned with the squared error.


def curve_points(n_samples, noise, seed):
    """Points along ``y = 0.8 sin(pi x)`` for ``x`` drawn uniformly in [-1, 1], with
    Gaussian noise of standard deviation ``noise`` added to ``y``.
    Returns ``X`` ``(n_samples, 1)`` sorted by x, and ``Y`` ``(n_samples, 1)``."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, int(n_samples)))
    y = 0.8 * np.sin(np.pi * x) + rng.normal(0.0, noise, len(x))
    return x[:, None], y[:, None]


def curve_network(hidden, seed):
    """One input, one hidden tanh layer of ``hidden`` neurons, one plain (identity) output."""
    return Network([1, hidden, 1], ["tanh", "identity"], seed=seed)


def train_until_diverged(trainer, epochs):
    """Run ``trainer`` for ``epochs`` epochs or until it raises TrainingDiverged.

    Returns the epoch (counted from 1) in which the loss stopped being a finite
    number, or None if the run finished; ``trainer.history`` keeps the finite part.
    """
    try:
        trainer.run(epochs)
    except TrainingDiverged:
        return trainer.epoch + 1
    return None


def learning_rate_runs(X, Y, learning_rates, hidden, epochs, seed):
    """Full-batch gradient descent on the curve from the same start, once per learning rate.

    Returns one dict per rate: ``"learning_rate"``, ``"history"`` (the loss of every
    completed epoch), ``"diverged_at"`` (epoch or None) and ``"network"`` as it ended.
    """
    runs = []
    for rate in learning_rates:
        net = curve_network(hidden, seed)
        trainer = Trainer(net, X, Y, loss="mse", optimizer=make_optimizer("sgd", rate), batch_size=len(X),
                          seed=seed)
        diverged_at = train_until_diverged(trainer, epochs)
        runs.append({"learning_rate": rate, "history": list(trainer.history), "diverged_at": diverged_at,
                     "network": net})
    return runs


def batch_size_run(X, Y, batch_size, learning_rate, hidden, epochs, seed):
    """Train on the curve with plain gradient descent in batches of ``batch_size``,
    measuring the loss on *all* training points before the first and after every update.

    Returns ``(examples_seen, loss)``, both ``(updates + 1,)``: how many examples the
    network had learned from at each measurement, and the loss then.
    """
    net = curve_network(hidden, seed)
    trainer = Trainer(net, X, Y, loss="mse", optimizer=make_optimizer("sgd", learning_rate),
                      batch_size=batch_size, seed=seed)
    seen, loss = [0], [net.loss(X, Y, "mse")]

    def measure(_):
        # An epoch's last batch holds whatever is left of it, so it may be smaller.
        seen.append(seen[-1] + min(batch_size, len(X) - seen[-1] % len(X)))
        loss.append(net.loss(X, Y, "mse"))

    trainer.run(epochs, on_step=measure)
    return np.array(seen, dtype=float), np.array(loss)


# --- The threshold: one sigmoid neuron on points along a line.


def threshold_points(n_samples, seed, centres=(1.5, 2.5), spread=0.7):
    """Points on a line, half of class 0 around ``centres[0]`` and half of class 1
    around ``centres[1]``; the two overlap, so the best weight is finite. Both sit
    right of zero, which couples weight and bias into a long, narrow valley.
    Returns ``X`` ``(n, 1)`` and ``Y`` ``(n, 1)`` (labels as floats)."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(int(n_samples)) % 2)
    x = rng.normal(np.where(y == 1, centres[1], centres[0]), spread)
    return x[:, None], y[:, None].astype(float)


def neuron_with(w, b):
    """A one-input sigmoid neuron with weight ``w`` and bias ``b``."""
    net = Network([1, 1], ["sigmoid"])
    net.layers[0]["W"][...] = w
    net.layers[0]["b"][...] = b
    return net


def loss_surface(X, Y, weights, biases):
    """The neuron's loss for every pair: ``(len(biases), len(weights))``, row = bias."""
    surface = np.empty((len(biases), len(weights)))
    for i, b in enumerate(biases):
        for j, w in enumerate(weights):
            surface[i, j] = neuron_with(w, b).loss(X, Y, BCE)
    return surface


def descend(X, Y, optimizer, learning_rate, start, steps):
    """Train the neuron from ``start`` = ``(w, b)`` with full-batch updates of ``optimizer``.

    Returns ``(path, loss)``: ``path`` ``(steps + 1, 2)`` the (w, b) before the first
    and after every update, ``loss`` ``(steps + 1,)`` the loss at each of them.
    """
    net = neuron_with(*start)
    trainer = Trainer(net, X, Y, loss=BCE, optimizer=make_optimizer(optimizer, learning_rate),
                      batch_size=len(X))
    path, loss = [tuple(start)], [net.loss(X, Y, BCE)]
    for _ in range(int(steps)):
        trainer.step()
        path.append((net.layers[0]["W"][0, 0], net.layers[0]["b"][0]))
        loss.append(net.loss(X, Y, BCE))
    return np.array(path, dtype=float), np.array(loss)


# --- Overfitting: a big network, a few noisy points.


def overfit_run(X, y, X_test, y_test, hidden, l2, learning_rate, epochs, seed):
    """Train a tanh network with ``hidden`` layers on ``X``, ``y`` (full batch, Adam,
    L2 strength ``l2``), measuring the loss (without the L2 term) on the training
    and the test points after every epoch.

    Returns ``(net, train_loss, test_loss)``, the losses ``(epochs,)`` arrays.
    """
    net = Network([2, *hidden, 1], ["tanh"] * len(hidden) + ["sigmoid"], seed=seed)
    Y, Y_test = y[:, None].astype(float), y_test[:, None].astype(float)
    trainer = Trainer(net, X, Y, loss=BCE, optimizer=make_optimizer("adam", learning_rate), batch_size=len(X),
                      l2=l2, seed=seed)
    train_loss, test_loss = [], []

    def measure(_):
        train_loss.append(net.loss(X, Y, BCE))
        test_loss.append(net.loss(X_test, Y_test, BCE))

    trainer.run(epochs, on_epoch=measure)
    return net, np.array(train_loss), np.array(test_loss)


# --- Recipes.

LEARNING_RATE_PARAMS = {
    "points": 100,
    "noise": 0.05,
    "hidden": 16,
    "learning_rates": [0.03, 0.3, 0.5, 1.0],
    "epochs": 300,
    "seed": 0,
}
RATE_COLOURS = (plotting.NEUTRAL, plotting.BLUE, plotting.ORANGE, plotting.RED)
# Orange and red are one colour to many colour-blind readers: each rate has a line style too.
RATE_LINES = ("-", "--", "-.", ":")
RATE_WORDS = ("too small", "about right", "too large", "far too large")


@recipe(outputs=["post4/learning-rates.svg"], params=LEARNING_RATE_PARAMS)
def learning_rates(out, params):
    p = params
    X, Y = curve_points(p["points"], p["noise"], p["seed"])
    started = time.perf_counter()
    runs = learning_rate_runs(X, Y, p["learning_rates"], p["hidden"], p["epochs"], p["seed"])
    seconds_training = time.perf_counter() - started

    fig, (ax, ax_fit) = plt.subplots(1, 2, figsize=(6.0, 4.0), gridspec_kw={"width_ratios": [1.5, 1.0]})
    top, bottom = 3.0, 2e-3
    for run, colour, line, words in zip(runs, RATE_COLOURS, RATE_LINES, RATE_WORDS):
        history = np.array(run["history"])
        epochs = np.arange(1, len(history) + 1)
        label = f"{run['learning_rate']}, {words}"
        shown = history <= top
        if run["diverged_at"] is None:
            ax.plot(epochs, history, color=colour, ls=line, lw=1.6, label=label)
            continue
        # Draw up to where the curve leaves the plot, then say where it became infinite.
        leaves = int(np.argmin(shown)) if not shown.all() else len(history)
        ax.plot(np.append(epochs[:leaves], leaves + 1), np.append(history[:leaves], top), color=colour, ls=line,
                lw=1.6, label=label, clip_on=True)
        ax.plot([leaves + 1], [top], marker="^", color=colour, ms=7, clip_on=False)
        ax.annotate(f"off the chart; loss = ∞\nat epoch {run['diverged_at']}", (leaves + 1, top), xytext=(8, -4),
                    textcoords="offset points", ha="left", va="top", fontsize=11, color=colour)
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xlim(0, p["epochs"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (squared error)")
    fig.legend(*ax.get_legend_handles_labels(), title="learning rate", loc="outside lower center", ncols=2,
               fontsize=11, title_fontsize=11, handlelength=1.5, columnspacing=1.2)

    grid = np.linspace(-1.05, 1.05, 200)[:, None]
    ax_fit.scatter(X[:, 0], Y[:, 0], s=8, color=plotting.AXES, alpha=0.6, linewidths=0, zorder=1)
    for run, colour, line in zip(runs, RATE_COLOURS, RATE_LINES):
        if run["diverged_at"] is None:
            ax_fit.plot(grid[:, 0], run["network"].forward(grid)[:, 0], color=colour, ls=line, lw=1.8, zorder=2)
    ax_fit.set_title(f"after {p['epochs']} epochs", fontsize=12)
    ax_fit.set_xlim(-1.1, 1.1)
    ax_fit.set_ylim(-1.2, 1.2)
    ax_fit.set_xticks([-1, 0, 1])
    ax_fit.set_yticks([-1, 0, 1])
    ax_fit.set_xlabel("$x$")
    plotting.save_figure(fig, out["post4/learning-rates.svg"])

    metrics = {"seconds_training": round(seconds_training, 2), "epochs": p["epochs"],
               "n_parameters": runs[0]["network"].n_parameters}
    for i, run in enumerate(runs):
        key = f"rate{i + 1}"
        metrics[f"{key}_learning_rate"] = run["learning_rate"]
        metrics[f"{key}_diverged"] = run["diverged_at"] is not None
        metrics[f"{key}_diverged_at"] = run["diverged_at"]
        metrics[f"{key}_final_loss"] = None if run["diverged_at"] else round(run["history"][-1], 5)
        metrics[f"{key}_min_loss"] = round(float(min(run["history"])), 5)
    return metrics


DESCENT_PARAMS = {
    "points": 60,
    "seed": 0,
    "start": [-3.0, 6.0],
    "optimizers": {"sgd": 2.0, "momentum": 0.3, "adam": 0.4},
    "steps": 150,
    "weights": [-4.0, 6.0],
    "biases": [-10.0, 8.0],
    "grid": 121,
    "fps": 15,
    "hold_seconds": 2.0,
}
# (label, colour, line style, marker): red and green are one colour to many colour-blind
# readers, so each optimiser's trail also has a line and a marker of its own.
OPTIMIZER_STYLE = {"sgd": ("plain gradient descent", plotting.RED, "-", "o"),
                   "momentum": ("momentum", plotting.GREEN, "--", "s"),
                   "adam": ("Adam", plotting.BLUE, ":", "^")}


@recipe(outputs=["post4/descent.mp4", "post4/descent-poster.webp"], params=DESCENT_PARAMS)
def descent_video(out, params):
    p = params
    X, Y = threshold_points(p["points"], p["seed"])
    weights = np.linspace(*p["weights"], p["grid"])
    biases = np.linspace(*p["biases"], p["grid"])
    started = time.perf_counter()
    surface = loss_surface(X, Y, weights, biases)
    runs = {name: descend(X, Y, name, rate, p["start"], p["steps"]) for name, rate in p["optimizers"].items()}
    seconds_training = time.perf_counter() - started
    best = np.unravel_index(surface.argmin(), surface.shape)

    fig = plt.figure(layout="none")
    width, height = fig.get_size_inches() * fig.dpi
    ax = fig.add_axes([84 / width, 64 / height, 306 / width, 330 / height])
    ax_loss = fig.add_axes([470 / width, 64 / height, 280 / width, 330 / height])
    levels = np.quantile(np.log(surface), np.linspace(0.0, 1.0, 16) ** 2)
    ax.contourf(weights, biases, np.log(surface), levels=levels, cmap="Greys_r", alpha=0.35)
    ax.contour(weights, biases, np.log(surface), levels=levels, colors=[plotting.AXES], linewidths=0.5)
    ax.plot(*p["start"], "o", color=plotting.TEXT, ms=6)
    ax.plot(weights[best[1]], biases[best[0]], "*", color=plotting.TEXT, ms=11)
    ax.set_xticks(np.arange(np.ceil(weights[0] / 2) * 2, weights[-1] + 0.01, 2))
    ax.set_xlabel("weight $w$")
    ax.set_ylabel("bias $b$")
    ax.set_title("the loss over weight and bias", fontsize=13)
    ax_loss.set_xlim(0, p["steps"])
    floor = float(surface.min())
    ax_loss.set_ylim(0, max(float(r[1].max()) for r in runs.values()) * 1.05)
    ax_loss.axhline(floor, color=plotting.NEUTRAL, lw=1, ls=":")
    ax_loss.text(p["steps"], floor, "lowest", ha="right", va="top", fontsize=11, color=plotting.AXES)
    ax_loss.set_xlabel("step")
    ax_loss.set_title("loss", fontsize=13)

    artists = []
    for name, (path, loss) in runs.items():
        label, colour, line, marker = OPTIMIZER_STYLE[name]
        (trail,) = ax.plot([], [], color=colour, ls=line, lw=1.8, label=label)
        (head,) = ax.plot([], [], marker, color=colour, ms=7, markeredgecolor=plotting.CARD)
        (curve,) = ax_loss.plot([], [], color=colour, ls=line, lw=1.8)
        artists.append((path, loss, trail, head, curve))
    ax.legend(loc="lower left", fontsize=10, handlelength=1.2, frameon=True, facecolor=plotting.CARD,
              edgecolor="none", framealpha=0.85)
    status = ax_loss.text(0.97, 0.97, "", transform=ax_loss.transAxes, ha="right", va="top", fontsize=13,
                          color=plotting.TEXT)
    freeze_static(fig, moving=[a for *_, trail, head, curve in artists for a in (trail, head, curve)] + [status])

    def draw_frame(i):
        step = min(i, p["steps"])
        for path, loss, trail, head, curve in artists:
            trail.set_data(path[: step + 1, 0], path[: step + 1, 1])
            head.set_data([path[step, 0]], [path[step, 1]])
            curve.set_data(np.arange(step + 1), loss[: step + 1])
        status.set_text(f"step {step}")

    hold = int(round(p["hold_seconds"] * p["fps"]))
    plotting.write_video(fig, draw_frame, p["steps"] + 1 + hold, out["post4/descent.mp4"], fps=p["fps"],
                         poster_path=out["post4/descent-poster.webp"])
    plt.close(fig)
    metrics = {"seconds_training": round(seconds_training, 2), "steps": p["steps"],
               "min_loss": round(floor, 4), "best_w": round(float(weights[best[1]]), 2),
               "best_b": round(float(biases[best[0]]), 2),
               "start_loss": round(float(next(iter(runs.values()))[1][0]), 4),
               "video_seconds": round((p["steps"] + 1 + hold) / p["fps"], 2)}
    for name, (path, loss) in runs.items():
        metrics[f"{name}_learning_rate"] = p["optimizers"][name]
        metrics[f"{name}_final_loss"] = round(float(loss[-1]), 4)
        metrics[f"{name}_final_w"] = round(float(path[-1, 0]), 2)
        metrics[f"{name}_final_b"] = round(float(path[-1, 1]), 2)
        # The first step after which the loss stays within 1 % of the lowest on the grid.
        close = loss <= floor * 1.01
        settled = next((s for s in range(len(loss)) if close[s:].all()), None)
        metrics[f"{name}_steps_to_settle"] = settled
    return metrics


BATCH_PARAMS = {
    "points": 100,
    "noise": 0.05,
    "hidden": 16,
    "learning_rate": 0.1,
    "batch_sizes": [100, 10, 1],
    "epochs": 100,
    "target_loss": 0.03,  # the metrics say when each run first got this low
    "seed": 0,
}
BATCH_STYLE = ((plotting.TEXT, "all 100 at once"), (plotting.BLUE, "batches of 10"),
               (plotting.ORANGE, "one at a time"))


@recipe(outputs=["post4/batch-sizes.svg"], params=BATCH_PARAMS)
def batch_sizes(out, params):
    p = params
    X, Y = curve_points(p["points"], p["noise"], p["seed"])
    started = time.perf_counter()
    runs = [batch_size_run(X, Y, size, p["learning_rate"], p["hidden"], p["epochs"], p["seed"])
            for size in p["batch_sizes"]]
    seconds_training = time.perf_counter() - started

    fig, (ax_updates, ax_epochs) = plt.subplots(1, 2, figsize=(6.0, 3.4), sharey=True)
    for (seen, loss), size, (colour, label) in zip(runs, p["batch_sizes"], BATCH_STYLE):
        updates = np.arange(len(loss))
        # Single examples give thousands of jumpy measurements: thin, and under the smooth lines.
        # The full batch goes on top: per update it moves just as the batches of 10 do.
        if size == 1:
            look = {"lw": 0.6, "alpha": 0.7, "zorder": 1}
        else:
            look = {"lw": 1.8, "zorder": 3 if size == len(X) else 2}
        ax_updates.plot(updates[1:], loss[1:], color=colour, label=label, **look)
        ax_epochs.plot(seen / len(X), loss, color=colour, **look)
    ax_updates.set_xscale("log")
    ax_updates.set_yscale("log")
    ax_updates.set_xlabel("weight updates")
    ax_updates.set_title("loss, per update", fontsize=12)
    ax_epochs.set_xlabel(f"epochs ({len(X)} examples each)")
    ax_epochs.set_title("loss, per example seen", fontsize=12)
    ax_epochs.set_xlim(0, p["epochs"])
    ax_updates.set_ylabel("loss")
    ax_updates.legend(loc="lower left", fontsize=10, handlelength=1.2)
    plotting.save_figure(fig, out["post4/batch-sizes.svg"])

    metrics = {"seconds_training": round(seconds_training, 2), "epochs": p["epochs"],
               "learning_rate": p["learning_rate"], "target_loss": p["target_loss"]}
    for (seen, loss), size in zip(runs, p["batch_sizes"]):
        metrics[f"batch{size}_updates"] = len(loss) - 1
        reached = np.flatnonzero(loss <= p["target_loss"])
        metrics[f"batch{size}_epochs_to_target"] = round(float(seen[reached[0]] / len(X)), 2) if len(reached) else None
        # Per update, not per example: does the noisier walk leave the flat stretch sooner?
        metrics[f"batch{size}_updates_to_target"] = int(reached[0]) if len(reached) else None
        metrics[f"batch{size}_final_loss"] = round(float(loss[-1]), 5)
        # How bumpy the last epoch was: the largest rise of the loss from one update to the next.
        last_epoch = loss[-(len(X) // size) - 1:]
        metrics[f"batch{size}_largest_rise_last_epoch"] = round(float(max(0.0, np.diff(last_epoch).max())), 5)
    return metrics


OVERFIT_PARAMS = {"dataset": "moons", "train_points": 30, "test_points": 500, "noise": 0.25, "hidden": [32, 32],
                  "learning_rate": 0.003, "l2": 0.01, "epochs": 1000, "seed": 0}


@recipe(outputs=["post4/overfitting.svg"], params=OVERFIT_PARAMS)
def overfitting(out, params):
    p = params
    (X, y), (X_test, y_test) = toy_split(p["dataset"], p, p["seed"])
    started = time.perf_counter()
    runs = {l2: overfit_run(X, y, X_test, y_test, p["hidden"], l2, p["learning_rate"], p["epochs"], p["seed"])
            for l2 in (0.0, p["l2"])}
    seconds_training = time.perf_counter() - started

    fig = plt.figure(figsize=(6.0, 5.6))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15])
    epochs = np.arange(1, p["epochs"] + 1)
    top = max(float(test.max()) for _, _, test in runs.values()) * 1.05
    metrics = {"seconds_training": round(seconds_training, 2), "epochs": p["epochs"], "l2": p["l2"],
               "train_points": p["train_points"], "test_points": p["test_points"]}
    for col, (l2, (net, train, test)) in enumerate(runs.items()):
        ax = fig.add_subplot(grid[0, col])
        ax.plot(epochs, train, color=plotting.TEXT, label="training points")
        ax.plot(epochs, test, color=plotting.RED, label="test points")
        lowest = int(np.argmin(test))
        ax.plot(epochs[lowest], test[lowest], "o", color=plotting.RED, ms=5)
        ax.set_xscale("log")
        ax.set_xticks([1, 10, 100, 1000], ["1", "10", "100", "1000"])
        ax.minorticks_off()
        ax.set_ylim(0, top)
        ax.set_xlim(1, p["epochs"])
        ax.set_xlabel("epoch")
        ax.set_title("no regularisation" if l2 == 0 else f"L2 = {l2:g}", fontsize=12)
        if col == 0:
            ax.set_ylabel("loss")
            ax.legend(loc="upper left", fontsize=10, handlelength=1.2)
        ax_regions = fig.add_subplot(grid[1, col])
        # Only the few points it learned from, outlined, over what it made of them.
        draw_regions(ax_regions, net, X, y, point_size=40).points.set_edgecolor(plotting.TEXT)
        test_accuracy, train_accuracy = net.accuracy(X_test, y_test), net.accuracy(X, y)
        ax_regions.set_title(f"accuracy: training {train_accuracy:.0%}, test {test_accuracy:.0%}", fontsize=10,
                             loc="center")
        key = "plain" if l2 == 0 else "l2"
        metrics.update({f"{key}_final_train_loss": round(float(train[-1]), 4),
                        f"{key}_final_test_loss": round(float(test[-1]), 4),
                        f"{key}_lowest_test_loss": round(float(test[lowest]), 4),
                        f"{key}_lowest_test_epoch": lowest + 1,
                        f"{key}_train_accuracy": train_accuracy,
                        f"{key}_test_accuracy": test_accuracy})
        metrics["n_parameters"] = net.n_parameters
    plotting.save_figure(fig, out["post4/overfitting.svg"])
    return metrics


THUMB_PARAMS = {"points": 100, "noise": 0.05, "hidden": 16, "learning_rate": 0.3, "epochs": 300, "seed": 0}


@recipe(outputs=["thumbs/post4.webp", "cards/post4.png"], params=THUMB_PARAMS)
def thumb_post4(out, params):
    """The thumbnail for the series home and the social card: the curve's loss falling as the network trains."""
    p = params
    X, Y = curve_points(p["points"], p["noise"], p["seed"])
    started = time.perf_counter()
    (run,) = learning_rate_runs(X, Y, [p["learning_rate"]], p["hidden"], p["epochs"], p["seed"])
    seconds_training = time.perf_counter() - started
    history = np.array(run["history"])
    fig = plt.figure(figsize=(3.2, 2.4), layout="none")
    ax = fig.add_axes([0.06, 0.08, 0.9, 0.86])
    epochs = np.arange(1, len(history) + 1)
    ax.fill_between(epochs, history, history.min() * 0.5, color=plotting.BLUE, alpha=0.15, lw=0)
    ax.plot(epochs, history, color=plotting.BLUE, lw=3)
    ax.set_yscale("log")
    ax.set_xlim(1, len(history))
    ax.set_ylim(history.min() * 0.5, history.max() * 1.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.minorticks_off()
    plotting.save_thumbnail(fig, out["thumbs/post4.webp"], out["cards/post4.png"])
    return {"final_loss": round(float(history[-1]), 5), "epochs": len(history),
            "seconds_training": round(seconds_training, 2)}


# The playground block of post 4 shows this figure and starts from its options (see scripts/site/hooks.py).
# Its "things to try": a rate too small to get anywhere in those epochs, and the largest the
# widget's menu offers, too large to settle.
@recipe(outputs=["post4/playground-circles.webp"], params={"epochs": 100, "widget": {"name": "playground", "options": {
    "dataset": "circles", "noise": 0.1, "hidden": [6], "activation": "tanh", "learning_rate": 0.3, "optimizer": "sgd",
    "batch_size": 10, "seed": 0}}, "prompts": {"slow": {"learning_rate": 0.01},
                                               "wild": {"learning_rate": max(LEARNING_RATE["menu"])}}})
def playground_rates(out, params):
    return {**playground_figure(params["widget"], params["epochs"], out["post4/playground-circles.webp"]),
            **playground_prompts(params["widget"], params["epochs"], params["prompts"])}


# --- Backpropagation, shown: one step of the live widget's own 2-2-1 network.

BACKPROP_PARAMS = {"widget": {"name": "backprop", "options": {"seed": 0, "learning_rate": 0.5}},
                   "epsilon": 0.001}


def draw_network_pass(ax, x, values, edges, title, colour):
    """A 2-2-1 network on ``ax``: the nodes at ``(column, row)`` with their labelled
    ``values`` (``{node: text}``) and each edge's text (``{(a, b): text}``)."""
    nodes = {"x1": (0, 1.6), "x2": (0, 0.4), "h1": (1, 1.6), "h2": (1, 0.4), "p": (2, 1.0)}
    for (a, b), text in edges.items():
        (xa, ya), (xb, yb) = nodes[a], nodes[b]
        ax.plot([xa, xb], [ya, yb], color=plotting.NEUTRAL, lw=1.2, zorder=1)
        t = 0.6 if b == "p" else 0.32
        ax.text(xa + t * (xb - xa), ya + t * (yb - ya) + 0.09, text, ha="center", va="bottom",
                fontsize=9, color=colour, zorder=3)
    for name, (cx, cy) in nodes.items():
        ax.add_patch(plt.Circle((cx, cy), 0.16, fc=plotting.CARD, ec=plotting.AXES, lw=1.2, zorder=2))
        ax.text(cx, cy, name, ha="center", va="center", fontsize=10, zorder=3)
        ax.text(cx, cy - 0.22, values.get(name, ""), ha="center", va="top", fontsize=9, color=colour,
                linespacing=1.3)
    ax.set_title(title, fontsize=11.5)
    ax.set_xlim(-0.35, 2.35)
    ax.set_ylim(-0.35, 2.0)
    ax.set_aspect("equal")
    ax.set_axis_off()


@recipe(outputs=["post4/backprop.svg"], params=BACKPROP_PARAMS)
def backprop_step(out, params):
    from demos.widgets import widget  # the live widget's own model, with the block's options

    model = widget(params["widget"]["name"]).model(**params["widget"]["options"])
    names = model.describe()["parameters"]
    before = model.weights()
    forward, backward = model.forward(), model.backward()
    checks = [model.nudge(name, params["epsilon"]) for name in names]
    step = model.update()
    x, w = model.x[0], dict(zip(names, before))
    g = dict(zip(names, backward["gradients"]))

    fig = plt.figure(figsize=(6.4, 6.6))
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.0])
    ax_forward, ax_backward = top.subplots(1, 2)
    f = lambda v: f"{v:+.3f}".replace("-", "−")  # noqa: E731 (a number as the figure prints it)
    draw_network_pass(
        ax_forward, x,
        {"x1": f"{x[0]:g}", "x2": f"{x[1]:g}",
         "h1": f"z {f(forward['z1'][0])}\nh {f(forward['h'][0])}",
         "h2": f"z {f(forward['z1'][1])}\nh {f(forward['h'][1])}",
         "p": f"z {f(forward['z2'])}\np {forward['p']:.3f}\nloss {forward['loss']:.3f}"},
        {(f"x{i}", f"h{j}"): f(w[f"W1[{i}][{j}]"]) for i in (1, 2) for j in (1, 2)}
        | {(f"h{j}", "p"): f(w[f"W2[{j}]"]) for j in (1, 2)},
        "(a) forward: weights and values", plotting.TEXT)
    draw_network_pass(
        ax_backward, x,
        {"p": f"p − y\n{f(backward['error_out'])}",
         "h1": f"×W2 {f(backward['error_hidden'][0])}\n×slope {f(backward['error_z1'][0])}",
         "h2": f"×W2 {f(backward['error_hidden'][1])}\n×slope {f(backward['error_z1'][1])}"},
        {(f"x{i}", f"h{j}"): f(g[f"W1[{i}][{j}]"]) for i in (1, 2) for j in (1, 2)}
        | {(f"h{j}", "p"): f(g[f"W2[{j}]"]) for j in (1, 2)},
        "(b) backward: errors and gradients", plotting.ORANGE)

    ax = bottom.subplots()
    ax.set_axis_off()
    rows = [[name, f(w[name]), f(g[name]), f(check["change"] / params["epsilon"]), f(w[name] - model.learning_rate * g[name])]
            for name, check in zip(names, checks)]
    table = ax.table(cellText=rows, colLabels=["weight", "value", "gradient\n(backprop)",
                                               f"loss change / ε\n(ε = {params['epsilon']:g})", "after update"],
                     loc="upper center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    table.scale(1, 1.35)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor(plotting.NEUTRAL)
        cell.set_facecolor(plotting.CARD)
        if row == 0:
            cell.set_height(cell.get_height() * 1.6)
    ax.set_title(f"(c) the check and the update (learning rate {model.learning_rate:g}): "
                 f"loss {step['loss_before']:.3f} → {step['loss']:.3f}", fontsize=11.5)
    plotting.save_figure(fig, out["post4/backprop.svg"])
    largest_gap = max(abs(c["change"] / params["epsilon"] - c["gradient"]) for c in checks)
    return {
        "x1": float(x[0]), "x2": float(x[1]), "target": float(model.y[0, 0]),
        "loss_before": round(step["loss_before"], 4), "loss_after": round(step["loss"], 4),
        "learning_rate": model.learning_rate, "epsilon": params["epsilon"],
        "error_out": round(backward["error_out"], 4),
        "largest_gradient": round(float(np.abs(backward["gradients"]).max()), 4),
        "largest_check_gap": float(f"{largest_gap:.1g}"),
        "n_parameters": model.network.n_parameters,
    }
