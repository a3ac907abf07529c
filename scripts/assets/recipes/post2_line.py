"""Post 2, "A Neuron Draws a Line": one sigmoid neuron on points in the plane.

A neuron with two inputs computes ``z = w1 x1 + w2 x2 + b`` and outputs
``sigmoid(z)``. The points where ``z = 0`` form a straight line: the weight
vector ``w`` is perpendicular to it, the bias ``b`` slides it, and ``z / |w|``
is each point's signed distance from it. These recipes train that neuron and
draw the line, the weight arrow and the confidence the sigmoid gives.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from demos import datasets
from demos.nn import Network, Trainer, activation, make_optimizer
from scripts.assets import plotting
from scripts.assets.recipe import recipe
from scripts.assets.draw_regions import DEFAULT_EXTENT, REGION_CMAP, decision_grid, draw_points
from scripts.assets.frames import frame_steps, freeze_static

EXTENT = DEFAULT_EXTENT[1]  # every panel shows the square [-EXTENT, EXTENT]^2, as in the other posts
LOSS = "binary_cross_entropy"
sigmoid = activation("sigmoid").function  # the network's own, for the curve of panel (c)


# --- The computation behind the figures.


def make_neuron(start=None, seed=0):
    """A 2-input sigmoid neuron. ``start`` = ``(w1, w2, b)`` sets its first line;
    otherwise ``seed`` draws the weights (bias 0) as every network is started."""
    net = Network([2, 1], ["sigmoid"], seed=seed)
    if start is not None:
        w1, w2, b = start
        net.layers[0]["W"] = np.array([[w1], [w2]], dtype=float)
        net.layers[0]["b"] = np.array([b], dtype=float)
    return net


def line_of(net):
    """The neuron's weights ``w`` ``(2,)`` and bias ``b`` (a float)."""
    return net.layers[0]["W"][:, 0].copy(), float(net.layers[0]["b"][0])


def signed_distance(X, w, b):
    """Signed distance of each point of ``X`` ``(n, 2)`` from the line ``w . x + b = 0``:
    positive on the side ``w`` points to. Returns ``(n,)``."""
    return (np.asarray(X) @ w + b) / np.linalg.norm(w)


def foot_of_line(w, b):
    """The point of the line ``w . x + b = 0`` nearest the origin, ``(2,)``."""
    return -b * w / np.dot(w, w)


def record_training(X, y, start, learning_rate, batch_size, steps, seed):
    """Train a neuron with plain gradient descent for ``steps`` mini-batch updates,
    recording its state before the first and after every update.

    Returns a dict of arrays indexed by step (length ``steps + 1``): ``"w"``
    ``(steps + 1, 2)``, ``"b"``, ``"loss"`` (on all points) and ``"accuracy"``.
    """
    net = make_neuron(start, seed)
    Y = y[:, None].astype(float)
    trainer = Trainer(net, X, Y, loss=LOSS, optimizer=make_optimizer("sgd", learning_rate),
                      batch_size=batch_size, seed=seed)
    ws, bs, losses, accuracies = [], [], [], []
    for step in range(steps + 1):
        if step:
            trainer.step()
        w, b = line_of(net)
        ws.append(w)
        bs.append(b)
        losses.append(net.loss(X, Y, LOSS))
        accuracies.append(net.accuracy(X, y))
    return {"w": np.array(ws), "b": np.array(bs), "loss": np.array(losses),
            "accuracy": np.array(accuracies)}


def best_line_on_xor(X, y, starts, learning_rate, epochs, batch_size):
    """Train one neuron from each seed in ``starts`` on XOR for ``epochs`` epochs.
    Returns ``(net, curve, curves)``: the run that ends most accurate, its accuracy
    after each epoch ``(epochs + 1,)`` (epoch 0 first), and every run's curve."""
    runs = []
    Y = y[:, None].astype(float)
    for seed in starts:
        net = make_neuron(seed=seed)
        trainer = Trainer(net, X, Y, loss=LOSS, optimizer=make_optimizer("sgd", learning_rate),
                          batch_size=batch_size, seed=seed)
        curve = [net.accuracy(X, y)]
        trainer.run(epochs, on_epoch=lambda t: curve.append(t.network.accuracy(X, y)))
        runs.append((net, np.array(curve)))
    best = max(range(len(runs)), key=lambda i: runs[i][1][-1])
    return runs[best][0], runs[best][1], [curve for _, curve in runs]


# --- Drawing helpers shared by the recipes of this post.


def confidence_image(w, b, half_width=EXTENT, half_height=EXTENT):
    """The output of the neuron with weights ``w`` and bias ``b`` on a grid over the panel,
    ``(n, n)``, bottom row first."""
    neuron = make_neuron((w[0], w[1], b))
    return decision_grid(neuron, (-half_width, half_width, -half_height, half_height))[2]


def draw_confidence(ax, w, b, half_width=EXTENT, half_height=EXTENT):
    """Shade the plane by the neuron's output: orange towards 0, blue towards 1, as every
    post shades a network's regions. Returns the image (a video frame updates its data)."""
    return ax.imshow(confidence_image(w, b, half_width, half_height), origin="lower",
                     extent=(-half_width, half_width, -half_height, half_height), cmap=REGION_CMAP,
                     vmin=0, vmax=1, interpolation="bilinear", zorder=0)


def square_axes(ax):
    """The plane of the inputs: a square panel with axes x1 and x2."""
    ax.set_xlim(-EXTENT, EXTENT)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_aspect("equal")
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_xlabel("$x_1$", labelpad=1)
    ax.set_ylabel("$x_2$", labelpad=1)


def line_ends(w, b):
    """Two far-apart points of the line ``w . x + b = 0`` (for drawing it across a panel)."""
    foot = foot_of_line(w, b)
    along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    return foot - 4 * EXTENT * along, foot + 4 * EXTENT * along


# --- Recipes.

LINE_PARAMS = {
    "seed": 0,
    "points": 100,
    "noise": 0.1,
    # A deliberately poor first line (w1, w2, b): nearly perpendicular to the right one.
    "start": [0.9, -1.2, 0.5],
    "learning_rate": 0.1,
    "batch_size": 10,
    "steps": 600,
    "frames": 200,
    "fps": 20,
}


@recipe(outputs=["post2/line.mp4", "post2/line-poster.webp", "thumbs/post2.webp", "cards/post2.png"],
        params=LINE_PARAMS)
def line_video(out, params):
    X, y = datasets.blobs(params["points"], params["noise"], params["seed"])
    started = time.perf_counter()
    run = record_training(X, y, params["start"], params["learning_rate"], params["batch_size"],
                          params["steps"], params["seed"])
    train_seconds = time.perf_counter() - started
    # The quick early moves one by one, then ever larger strides: the slow sharpening does not drag.
    shown = frame_steps(params["steps"], params["frames"], power=1.8)
    batches_per_epoch = int(np.ceil(len(X) / params["batch_size"]))

    fig = plt.figure()
    grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 0.95])
    ax = fig.add_subplot(grid[0])
    curve_ax = fig.add_subplot(grid[1])
    square_axes(ax)
    image = draw_confidence(ax, run["w"][0], run["b"][0])
    draw_points(ax, X, y, size=22)
    (line,) = ax.plot(*zip(*line_ends(run["w"][0], run["b"][0])), color=plotting.TEXT, lw=2.2, zorder=2)
    title = ax.set_title("")

    curve_ax.set_xlim(0, params["steps"])
    curve_ax.set_ylim(0, max(0.8, float(run["loss"].max()) * 1.05))
    curve_ax.set_xlabel("training steps")
    curve_ax.set_title("loss")
    (loss_line,) = curve_ax.plot([], [], color=plotting.BLUE)
    (loss_dot,) = curve_ax.plot([], [], "o", color=plotting.BLUE, ms=6)
    status = curve_ax.text(0.97, 0.95, "", transform=curve_ax.transAxes, ha="right", va="top",
                           fontsize=12, color=plotting.TEXT)

    freeze_static(fig, moving=[image, line, title, loss_line, loss_dot, status])

    def draw_frame(i):
        step = int(shown[min(i, len(shown) - 1)])
        w, b = run["w"][step], run["b"][step]
        image.set_data(confidence_image(w, b))
        line.set_data(*zip(*line_ends(w, b)))
        title.set_text(f"step {step} (epoch {step // batches_per_epoch})")
        loss_line.set_data(np.arange(step + 1), run["loss"][: step + 1])
        loss_dot.set_data([step], [run["loss"][step]])
        status.set_text(f"loss {run['loss'][step]:.2f}\naccuracy {run['accuracy'][step]:.0%}")

    hold = 3 * params["fps"] // 2  # rest on the trained line before the video ends
    plotting.write_video(fig, draw_frame, len(shown) + hold, out["post2/line.mp4"], fps=params["fps"],
                         poster_path=out["post2/line-poster.webp"])
    plt.close(fig)

    w, b = run["w"][-1], run["b"][-1]
    thumb(out["thumbs/post2.webp"], out["cards/post2.png"], X, y, w, b)
    return {
        "final_loss": round(float(run["loss"][-1]), 4),
        "final_accuracy": float(run["accuracy"][-1]),
        "start_accuracy": float(run["accuracy"][0]),
        "start_loss": round(float(run["loss"][0]), 4),
        "steps_to_all_correct": int(np.argmax(run["accuracy"] == 1.0)) if run["accuracy"][-1] == 1.0 else None,
        "steps": params["steps"],
        "epochs": params["steps"] // batches_per_epoch,
        "points": len(X),
        "n_parameters": 3,
        "w1": round(float(w[0]), 3),
        "w2": round(float(w[1]), 3),
        "b": round(float(b), 3),
        "seconds_training": round(train_seconds, 2),
    }


def thumb(path, card_path, X, y, w, b):
    """The thumbnail for the series home and the social card: the trained line, no axes."""
    fig = plt.figure(figsize=(3.2, 2.4), layout="none")
    ax = fig.add_axes([0, 0, 1, 1])
    draw_confidence(ax, w, b, half_width=EXTENT * 4 / 3)
    draw_points(ax, X, y, size=18)
    ax.plot(*zip(*line_ends(w, b)), color=plotting.TEXT, lw=2)
    ax.set_xlim(-EXTENT * 4 / 3, EXTENT * 4 / 3)
    ax.set_ylim(-EXTENT, EXTENT)
    ax.set_axis_off()
    plotting.save_thumbnail(fig, path, card_path)


ANATOMY_PARAMS = {"seed": 0, "points": 100, "noise": 0.1, "learning_rate": 0.5, "batch_size": 10,
                  "epochs": 40, "bias_shifts": [-3.0, 3.0]}


@recipe(outputs=["post2/line-anatomy.svg"], params=ANATOMY_PARAMS)
def line_anatomy(out, params):
    X, y = datasets.blobs(params["points"], params["noise"], params["seed"])
    net = make_neuron(seed=params["seed"])
    trainer = Trainer(net, X, y[:, None].astype(float), loss=LOSS,
                      optimizer=make_optimizer("sgd", params["learning_rate"]),
                      batch_size=params["batch_size"], seed=params["seed"])
    started = time.perf_counter()
    trainer.run(params["epochs"])
    train_seconds = time.perf_counter() - started
    w, b = line_of(net)
    distance = signed_distance(X, w, b)

    fig = plt.figure(figsize=(6.0, 6.2))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 0.72])
    ax_w, ax_b, ax_s = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])

    # (a) The weight vector is perpendicular to the line and points to the side called 1.
    square_axes(ax_w)
    draw_points(ax_w, X, y, size=14)
    ax_w.plot(*zip(*line_ends(w, b)), color=plotting.TEXT, lw=2)
    # Draw w from a point of the line away from the points, so nothing hides it.
    along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    start = foot_of_line(w, b) + 0.85 * along
    arrow = 0.6 * w / np.linalg.norm(w)
    ax_w.annotate("", xy=start + arrow, xytext=start, zorder=4,
                  arrowprops={"arrowstyle": "-|>,head_width=0.3,head_length=0.6", "lw": 2.2,
                              "color": plotting.TEXT, "shrinkA": 0, "shrinkB": 0})
    ax_w.text(*(start + arrow), " $w$", fontsize=14, ha="left", va="bottom")
    # One point's signed distance: the shortest way from it to the line (a point of
    # class 0 at the far end of the line from the arrow, where there is room).
    zeros = np.flatnonzero(y == 0)
    shown = zeros[np.argmin(X[zeros] @ along)]
    on_line = X[shown] - distance[shown] * w / np.linalg.norm(w)
    ax_w.plot(*zip(X[shown], on_line), color=plotting.TEXT, lw=1.4, ls=(0, (3, 2)), zorder=4)
    ax_w.text(*((X[shown] + on_line) / 2), "$d$  ", fontsize=14, ha="right", va="bottom")
    ax_w.set_title("(a) $w$ sets the direction", fontsize=12)

    # (b) Changing only the bias slides the line along w, keeping its direction.
    square_axes(ax_b)
    ax_b.set_ylabel("")
    draw_points(ax_b, X, y, size=14)
    for shift, style in zip([params["bias_shifts"][0], 0.0, params["bias_shifts"][1]],
                            [(0, (4, 2)), "-", (0, (1, 1.5))]):
        ends = line_ends(w, b + shift)
        ax_b.plot(*zip(*ends), color=plotting.TEXT, lw=2 if shift == 0 else 1.5, ls=style)
        label = f"$b {'+' if shift >= 0 else '-'} {abs(shift):g}$" if shift else "$b$"
        place = _label_spot(w, b + shift)
        ax_b.text(*place, label, fontsize=12, ha="center", va="center",
                  bbox={"boxstyle": "round,pad=0.15", "fc": plotting.CARD, "ec": "none"})
    ax_b.set_title("(b) $b$ slides it along $w$", fontsize=12)

    # (c) The sigmoid turns signed distance into confidence: z = |w| d.
    size = np.linalg.norm(w)
    d = np.linspace(-1.6, 1.6, 300)
    ax_s.axhline(0.5, color=plotting.NEUTRAL, lw=0.8)
    ax_s.axvline(0.0, color=plotting.NEUTRAL, lw=0.8)
    ax_s.plot(d, sigmoid(2 * size * d), color=plotting.NEUTRAL, lw=1.5, ls=(0, (4, 2)),
              label=f"$w$ and $b$ doubled")
    ax_s.plot(d, sigmoid(size * d), color=plotting.TEXT, lw=2, label="trained neuron")
    for label, colour in enumerate(plotting.CLASS_COLOURS):
        mine = y == label
        ax_s.scatter(distance[mine], sigmoid(size * distance[mine]), s=16, color=colour,
                     edgecolors="white", linewidths=0.5, zorder=3)
    ax_s.set_xlim(d[0], d[-1])
    ax_s.set_ylim(-0.05, 1.05)
    ax_s.set_yticks([0, 0.5, 1])
    ax_s.set_xlabel("signed distance $d$ from the line")
    ax_s.set_ylabel("output")
    ax_s.set_title("(c) the sigmoid turns distance into confidence", fontsize=12)
    ax_s.legend(loc="lower right", fontsize=11, handlelength=1.8)
    plotting.save_figure(fig, out["post2/line-anatomy.svg"])
    return {
        "w1": round(float(w[0]), 3),
        "w2": round(float(w[1]), 3),
        "b": round(float(b), 3),
        "weight_length": round(float(size), 3),
        # How far the line moves when the bias changes by the figure's shift.
        "shift_distance": round(abs(params["bias_shifts"][1]) / float(size), 3),
        "accuracy": net.accuracy(X, y),
        "final_loss": round(float(trainer.history[-1]), 4),
        "epochs": params["epochs"],
        "seconds_training": round(train_seconds, 2),
    }


def _label_spot(w, b):
    """Where to write a line's label: on the line, at its highest point inside the panel
    (less a margin), where the labels of parallel lines sit side by side."""
    foot = foot_of_line(w, b)
    along = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    inside = [foot + t * along for t in np.linspace(-3, 3, 601)
              if np.all(np.abs(foot + t * along) <= 0.82 * EXTENT)]
    return max(inside, key=lambda point: point[1]) if inside else foot


XOR_PARAMS = {"seed": 0, "points": 200, "noise": 0.1, "learning_rate": 0.5, "batch_size": 10,
              "epochs": 60, "starts": [0, 1, 2, 3, 4]}


def best_line_accuracy(X, y, n_angles=360):
    """The highest accuracy any straight line reaches on ``X`` ``(n, 2)``, ``y`` ``(n,)``,
    found by trying ``n_angles`` directions and, for each, every cut between two
    points. Returns ``(accuracy, w (2,), b)`` of the best line found."""
    best = (-1.0, None, None)
    n = len(y)
    for angle in np.linspace(0, 2 * np.pi, n_angles, endpoint=False):
        w = np.array([np.cos(angle), np.sin(angle)])
        order = np.argsort(X @ w)
        projected = (X @ w)[order]
        labels = y[order]
        # Cut after k points: the first k say 0, the rest say 1.
        ones_after = np.concatenate([[labels.sum()], labels.sum() - np.cumsum(labels)])
        zeros_before = np.concatenate([[0], np.cumsum(1 - labels)])
        correct = zeros_before + ones_after
        k = int(np.argmax(correct))
        if correct[k] / n > best[0]:
            cut = (projected[k - 1] + projected[k]) / 2 if 0 < k < n else projected[min(k, n - 1)] + (0.01 if k == n else -0.01)
            best = (correct[k] / n, w, -cut)
    return best


@recipe(outputs=["post2/xor-fails.svg", "post2/xor-points.webp"], params=XOR_PARAMS)
def line_xor(out, params):
    X, y = datasets.xor(params["points"], params["noise"], params["seed"])
    started = time.perf_counter()
    net, curve, curves = best_line_on_xor(X, y, params["starts"], params["learning_rate"],
                                          params["epochs"], params["batch_size"])
    train_seconds = time.perf_counter() - started
    w, b = line_of(net)
    best_accuracy, best_w, best_b = best_line_accuracy(X, y)
    final_loss = net.loss(X, y[:, None].astype(float), LOSS)

    fig = plt.figure()
    grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 0.95])
    ax, curve_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    square_axes(ax)
    draw_confidence(ax, w, b)
    draw_points(ax, X, y, size=14)
    (neuron_line,) = ax.plot(*zip(*line_ends(w, b)), color=plotting.TEXT, lw=2)
    (best_line,) = ax.plot(*zip(*line_ends(best_w, best_b)), color=plotting.TEXT, lw=1.3,
                           ls=(0, (3, 2)))
    ax.set_title("the points and the lines", fontsize=12)

    epochs = np.arange(len(curve))
    for other in curves:
        curve_ax.plot(epochs, other, color=plotting.BLUE, lw=1.2, alpha=0.6)
    curve_ax.axhline(best_accuracy, color=plotting.TEXT, lw=1.3, ls=(0, (3, 2)))
    curve_ax.axhline(0.5, color=plotting.NEUTRAL, lw=1)
    curve_ax.text(epochs[-1], 0.5 - 0.015, "coin toss", ha="right", va="top", fontsize=11,
                  color=plotting.AXES)
    curve_ax.text(epochs[-1], max(c[-1] for c in curves) + 0.015, f"{len(curves)} random starts",
                  ha="right", va="bottom", fontsize=11, color=plotting.BLUE)
    curve_ax.set_ylim(0.3, 1.0)
    curve_ax.set_xlim(0, epochs[-1])
    curve_ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    curve_ax.set_xlabel("epochs")
    curve_ax.set_title("accuracy while training", fontsize=12)
    fig.legend([neuron_line, best_line],
               [f"the neuron's line: {curve[-1]:.0%}", f"best possible line: {best_accuracy:.0%}"],
               loc="outside upper center", ncol=2, fontsize=11, handlelength=2.2)
    plotting.save_figure(fig, out["post2/xor-fails.svg"])
    xor_points(out["post2/xor-points.webp"], X, y)
    return {
        "accuracy": curve[-1],
        "final_accuracies": [float(c[-1]) for c in curves],
        "best_line_accuracy": float(best_accuracy),
        "final_loss": round(float(final_loss), 4),
        "coin_toss_loss": round(float(np.log(2)), 4),
        "epochs": params["epochs"],
        "starts": len(curves),
        "w1": round(float(w[0]), 3),
        "w2": round(float(w[1]), 3),
        "b": round(float(b), 3),
        "seconds_training": round(train_seconds, 2),
    }


def xor_points(path, X, y):
    """The XOR points alone, the still a live widget starts from (its fallback)."""
    fig, ax = plt.subplots(figsize=(4.0, 4.0))
    square_axes(ax)
    draw_points(ax, X, y, size=18)
    ax.axhline(0, color=plotting.NEUTRAL, lw=0.8, zorder=1)
    ax.axvline(0, color=plotting.NEUTRAL, lw=0.8, zorder=1)
    ax.set_title("XOR: each colour in opposite corners", fontsize=12)
    plotting.save_figure(fig, path)
