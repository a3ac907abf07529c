"""The playground of post 3: a small network learns to separate two classes of points.

The reader picks the data (one of the toy sets, its noise, how much of it to
train on) and the network (hidden layers and their widths, activation,
learning rate, batch size, optimiser, L2), then trains it a few epochs per
animation frame. After each call the model reports the new train and test
losses, the network's output over a grid covering the points (drawn as the
decision regions) and every hidden unit's activation over a coarser grid.
"""

import numpy as np

from demos import datasets
from demos.checks import whole_number
from demos.nn import ACTIVATIONS, Network, Trainer, TrainingDiverged, loss_function, make_optimizer
from demos.widgets.options import ACTIVATION, L2, LEARNING_RATE, OPTIMIZER, SEED, Widget

MAX_LAYERS, MAX_WIDTH = 4, 16
MAX_EPOCHS_PER_CALL = 1000
BCE = loss_function("binary_cross_entropy")  # with the sigmoid output: from_logits is exact


class PlaygroundModel:
    """A network ``[2, *hidden, 1]`` with a sigmoid output, trained with binary
    cross-entropy on one of ``datasets.TOY_DATASETS``.

    ``split`` is the fraction of the ``n_samples`` points used for training; the
    rest are the test points. ``seed`` draws the points, the starting weights and
    the order of the mini-batches, so ``reset()`` replays the same run.
    ``grid`` and ``unit_grid`` are the sides of the square grids on which the
    output and the hidden units are evaluated.
    """

    METHODS = ("step", "reset", "configure")

    def __init__(self, dataset, noise=0.1, hidden=(4, 4), activation="tanh", learning_rate=0.1, batch_size=10,
                 optimizer="sgd", l2=0.0, split=0.5, seed=0, n_samples=250, grid=100, unit_grid=24):
        hidden = [int(width) for width in hidden]
        if len(hidden) > MAX_LAYERS or any(not 1 <= width <= MAX_WIDTH for width in hidden):
            raise ValueError(f"hidden must list at most {MAX_LAYERS} layer widths, each 1 to {MAX_WIDTH}; got {hidden}")
        if not 0.0 < split < 1.0:
            raise ValueError(f"split must be a fraction between 0 and 1, got {split}")
        X, y = datasets.toy(dataset, n_samples, noise, seed)
        n_train = min(len(X) - 1, max(1, round(split * len(X))))
        # The toy sets come in random order already, so the first points make a fair training set.
        self.X_train, self.y_train = X[:n_train], y[:n_train]
        self.X_test, self.y_test = X[n_train:], y[n_train:]
        # All the points, training ones first: the losses and accuracies of both sets come
        # from one pass through the network (in the browser each pass costs its NumPy calls).
        self.X, self.y, self.Y = X, y, y[:, None].astype(float)
        self.n_train = n_train
        self.settings = {
            "dataset": dataset, "noise": float(noise), "hidden": hidden, "activation": activation,
            "learning_rate": float(learning_rate), "batch_size": int(batch_size), "optimizer": optimizer,
            "l2": float(l2), "split": float(split), "seed": int(seed), "n_samples": int(n_samples),
        }
        # The grid spans the points with a margin; row 0 is the top (largest y), as in an image.
        self.extent = float(np.ceil(max(1.0, np.abs(X).max()) * 11) / 10)
        self.grid, self.unit_grid = int(grid), int(unit_grid)
        self.grid_points = grid_points(self.extent, self.grid)
        self.unit_points = grid_points(self.extent, self.unit_grid)
        make_optimizer(optimizer, learning_rate)  # fail here, with its message, on a bad name or rate
        self._new_network()

    def configure(self, **settings):
        """Start over with new settings: new points, a new network. Returns ``describe()``."""
        self.__init__(**settings)
        return self.describe()

    def reset(self):
        """New starting weights from the seed, and training from epoch 0. Returns ``snapshot()``."""
        self._new_network()
        return self.snapshot([], [])

    def _new_network(self):
        s = self.settings
        self.network = Network([2, *s["hidden"], 1], [s["activation"]] * len(s["hidden"]) + ["sigmoid"],
                               seed=s["seed"])
        self.trainer = Trainer(self.network, self.X_train, self.Y[: self.n_train], loss="binary_cross_entropy",
                               optimizer=make_optimizer(s["optimizer"], s["learning_rate"]),
                               batch_size=s["batch_size"], l2=s["l2"], seed=s["seed"])

    def describe(self):
        """The points (train and test) and the grid they are drawn on, plus ``snapshot()``."""
        return {
            "settings": self.settings,
            "extent": self.extent,
            "grid": self.grid,
            "unit_grid": self.unit_grid,
            "unit_bounds": ACTIVATIONS[self.settings["activation"]].bounds,
            "train_points": self.X_train.astype(np.float32),
            "train_labels": self.y_train.astype(np.uint8),
            "test_points": self.X_test.astype(np.float32),
            "test_labels": self.y_test.astype(np.uint8),
            "n_parameters": self.network.n_parameters,
            **self.snapshot([], []),
        }

    def step(self, epochs=1):
        """Train ``epochs`` more epochs; returns ``snapshot()`` with the loss of each.

        Raises ``demos.nn.TrainingDiverged`` when the loss stops being finite.
        """
        epochs = whole_number(epochs, "epochs", 1, MAX_EPOCHS_PER_CALL)
        train_loss, test_loss = [], []
        for _ in range(epochs):
            self.trainer.run_epoch()
            train, test = self.losses()
            if not np.isfinite(train + test):
                raise TrainingDiverged(
                    f"training diverged at epoch {self.trainer.epoch}: the loss became {train + test}. "
                    f"Reset and try a smaller learning rate or L2.")
            train_loss.append(train)
            test_loss.append(test)
        return self.snapshot(train_loss, test_loss)

    def losses(self):
        """Cross-entropy of the current network on the training and the test points
        (without the L2 term, so the two can be compared)."""
        n = self.n_train
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported by step()
            z = self.network.forward_all(self.X).zs[-1]  # the output neuron's z for every point
            # From z, as the trainer computes its loss: exact even where the sigmoid saturates.
            return float(BCE.from_logits(z[:n], self.Y[:n])), float(BCE.from_logits(z[n:], self.Y[n:]))

    def snapshot(self, train_loss, test_loss):
        """Where training stands: epoch, the new losses, accuracies, and the pictures.

        ``output`` is the network's output (probability of class 1) on the grid,
        ``(grid * grid,)`` float32, row by row from the top. ``units`` holds each
        hidden unit's activation on the unit grid, ``(n_hidden_units, unit_grid ** 2)``,
        layer by layer.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # huge weights draw as saturated colours
            output = self.network.forward(self.grid_points)[:, 0].astype(np.float32)
            hidden = self.network.forward_all(self.unit_points).activations[1:-1]
            units = np.concatenate(hidden, axis=1).T if hidden else np.zeros((0, self.unit_grid**2))
            units = units.astype(np.float32)
            correct = self.network.predict(self.X) == self.y
        return {
            "epoch": self.trainer.epoch,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": float(np.mean(correct[: self.n_train])),
            "test_accuracy": float(np.mean(correct[self.n_train :])),
            "output": output,
            "units": units,
        }


def grid_points(extent, n):
    """The centres of an ``n`` x ``n`` grid of cells over [-extent, extent]^2, row by row
    from the top: ``(n * n, 2)``, columns x and y."""
    centres = (np.arange(n) + 0.5) / n * 2 * extent - extent
    x, y = np.meshgrid(centres, centres[::-1])
    return np.stack([x.ravel(), y.ravel()], axis=1)


WIDGET = Widget(PlaygroundModel, post=3, options={
    "dataset": {"choice": list(datasets.TOY_DATASETS), "help": "the points the network must separate"},
    "noise": {"number": [0, 0.5], "step": 0.05, "help": "how much the points scatter"},
    "hidden": {"widths": [MAX_LAYERS, MAX_WIDTH], "help": "neurons in each hidden layer; [] for none"},
    "activation": {**ACTIVATION, "help": "activation of the hidden layers"},
    "learning_rate": LEARNING_RATE,
    "batch_size": {"number": [1, 200], "whole": True, "menu": [1, 5, 10, 20, 50, 100, 200],
                   "help": "points per weight update"},
    "optimizer": {**OPTIMIZER, "help": "how the gradient becomes a step"},
    "l2": L2,
    "split": {"number": [0.1, 0.9], "step": 0.1, "help": "fraction of the points used for training; the rest test"},
    "seed": SEED,
}, alt="Points of two classes and the regions a small network assigns to each.")
