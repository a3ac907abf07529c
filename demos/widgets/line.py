"""One neuron draws a line (post 2): the reader places points, the neuron learns to split them.

A neuron with two inputs (the point's x and y) and a sigmoid answers "class 1"
where ``w1 x + w2 y + b > 0``: on one side of a straight line. The reader adds,
moves and removes points of either class; training takes full-batch gradient
steps on all of them, so the line moves smoothly.
"""

import numpy as np

from demos import datasets
from demos.checks import whole_number
from demos.nn import Network, Trainer, make_optimizer
from demos.widgets.options import LEARNING_RATE, SEED, Widget
from demos.widgets.playground import MAX_EPOCHS_PER_CALL, grid_points

EXTENT = 1.2  # the plane shown: [-EXTENT, EXTENT]^2
MAX_POINTS = 500


class LineModel:
    """A ``[2, 1]`` sigmoid neuron trained with binary cross-entropy on the reader's points.

    The points start as ``points`` of the toy set ``dataset`` drawn with ``seed``,
    which also draws the neuron's starting weights. ``grid`` is the side of the
    grid on which the neuron's output is reported for shading the two sides.
    """

    METHODS = ("step", "reset", "set_points", "restore_points")

    def __init__(self, dataset, points=100, learning_rate=0.1, seed=0, noise=0.1, grid=60):
        self.dataset_points = datasets.toy(dataset, points, noise, seed)
        self.learning_rate = float(learning_rate)
        make_optimizer("sgd", self.learning_rate)  # a bad rate fails here, with its message
        self.seed = int(seed)
        self.grid = int(grid)
        self.grid_points = grid_points(EXTENT, self.grid)
        self.X, self.y = self.dataset_points
        self.reset()

    def describe(self):
        """The plane, the starting points and ``snapshot()``."""
        return {"extent": EXTENT, "grid": self.grid, "max_points": MAX_POINTS, **self._points(), **self.snapshot([])}

    def reset(self):
        """The starting weights again (from the seed); the points stay. Returns ``snapshot()``."""
        self.network = Network([2, 1], ["sigmoid"], seed=self.seed)
        self.epoch = 0
        self._new_trainer()
        return self.snapshot([])

    def set_points(self, points, labels):
        """Train on these points from now on: ``points`` ``(n, 2)`` (as a flat list or array
        of x, y pairs), ``labels`` ``(n,)`` 0 or 1. The neuron keeps its weights."""
        X = np.asarray(points, dtype=float).reshape(-1, 2)
        y = np.asarray(labels).astype(np.int64).ravel()
        if len(X) != len(y):
            raise ValueError(f"got {len(X)} points but {len(y)} labels")
        if len(X) > MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} points, got {len(X)}")
        if not np.all(np.isfinite(X)):
            raise ValueError("points must be finite numbers")
        if np.any((y != 0) & (y != 1)):
            raise ValueError("labels must be 0 or 1")
        self.X, self.y = X, y
        self._new_trainer()
        return self.snapshot([])

    def restore_points(self):
        """Back to the dataset's points (the weights stay). Returns ``describe()``."""
        self.X, self.y = self.dataset_points
        self._new_trainer()
        return self.describe()

    def step(self, epochs=1):
        """``epochs`` gradient steps on all the points; ``snapshot()`` with the loss after each."""
        epochs = whole_number(epochs, "epochs", 1, MAX_EPOCHS_PER_CALL)
        if self.trainer is None:
            raise ValueError("there are no points to learn from: add some first")
        losses = []
        for _ in range(epochs):
            self.trainer.run_epoch()
            self.epoch += 1
            losses.append(self.loss())
        return self.snapshot(losses)

    def loss(self):
        return self.network.loss(self.X, self.y[:, None], "binary_cross_entropy") if len(self.X) else None

    def snapshot(self, losses):
        """The neuron now: its weights and bias (the line ``w1 x + w2 y + b = 0``), the
        loss, the new losses of this call, the accuracy, and ``output``, its answer on
        the grid ``(grid * grid,)`` float32, row by row from the top."""
        layer = self.network.layers[0]
        return {
            "epoch": self.epoch,
            "weights": layer["W"][:, 0].tolist(),
            "bias": float(layer["b"][0]),
            "loss": self.loss(),
            "losses": losses,
            "accuracy": self.network.accuracy(self.X, self.y) if len(self.X) else None,
            "output": self.network.forward(self.grid_points)[:, 0].astype(np.float32),
        }

    def _points(self):
        return {"points": self.X.astype(np.float32), "labels": self.y.astype(np.uint8)}

    def _new_trainer(self):
        if not len(self.X):
            self.trainer = None
            return
        # One batch of every point: each step is the true gradient, so the line glides.
        self.trainer = Trainer(self.network, self.X, self.y[:, None].astype(float), "binary_cross_entropy",
                               make_optimizer("sgd", self.learning_rate), batch_size=len(self.X), seed=self.seed)


# Post 2 shows a line that separates the first toy set and one that cannot separate the second.
WIDGET = Widget(LineModel, post=2, options={
    "dataset": {"choice": list(datasets.TOY_DATASETS)[:2], "help": "the points the neuron must separate"},
    "points": {"number": [10, MAX_POINTS], "whole": True, "help": "how many points"},
    "learning_rate": LEARNING_RATE,
    "seed": SEED,
}, alt="Two kinds of points and the straight line one neuron draws between them.")
