"""The playground of post 3: a small network learns to separate two or more classes of points.

The reader picks the data (one of the toy sets in two classes, or blobs and spirals in up to
four, its noise, how many points and how much of them to train on, points of their own
placed by hand), the inputs (x and y, plus any of the features ``FEATURES``) and the network
(hidden layers and their widths, activation, learning rate, batch size, optimiser, L2), then
trains it a few epochs per animation frame. After each call the model reports the new train
and test losses, the network's output over a grid covering the points (drawn as the decision
regions), every hidden neuron's activation over a coarser grid and every weight (the network
diagram). A hidden neuron can be switched off (``silence``), and the run keeps snapshots of
its weights to go back to (``replay``).
"""

import numpy as np

from demos import datasets
from demos.checks import whole_number
from demos.nn import ACTIVATIONS, Network, Trainer, TrainingDiverged, loss_function, make_optimizer
from demos.widgets.options import ACTIVATION, L2, LEARNING_RATE, OPTIMIZER, SEED, Widget

MAX_LAYERS, MAX_WIDTH = 4, 16
MAX_EPOCHS_PER_CALL = 1000
MAX_POINTS = 500  # the generated points; the reader's own come on top
MAX_OWN_POINTS = 200
# With the sigmoid (two classes) or the softmax output (more): from_logits is exact.
LOSSES = {2: "binary_cross_entropy", "more": "categorical_cross_entropy"}
# Replay: a snapshot of the weights every SNAPSHOT_EVERY epochs, at most MAX_SNAPSHOTS of them;
# a full store keeps every other one and snapshots half as often from then on, so a run of any
# length costs at most MAX_SNAPSHOTS copies of the weights, spread over the whole of it.
SNAPSHOT_EVERY = 5
MAX_SNAPSHOTS = 100

# Inputs besides x and y, each a function of them, in the order the network gets them. The
# plane spans about [-1, 1], where sin x would be almost x itself: sin(pi x) makes one turn over it.
FEATURES = {
    "x2": ("x²", lambda x, y: x * x),
    "y2": ("y²", lambda x, y: y * y),
    "xy": ("x·y", lambda x, y: x * y),
    "sinx": ("sin πx", lambda x, y: np.sin(np.pi * x)),
    "siny": ("sin πy", lambda x, y: np.sin(np.pi * y)),
}


def input_columns(points, features):
    """The network's inputs for ``points`` ``(n_samples, 2)``: x, y, then each of ``features``
    (keys of ``FEATURES``, in their order there): ``(n_samples, 2 + len(features))``."""
    x, y = points[:, 0], points[:, 1]
    return np.column_stack([x, y, *(FEATURES[name][1](x, y) for name in features)])


def own_points(points, n_classes, extent):
    """The reader's points ``(n, 3)``, rows of x, y and a class, checked; the coordinates are
    kept inside the plane ``[-extent, extent]^2``. Returns X ``(n, 2)``, y ``(n,)``."""
    try:
        rows = np.asarray(points, dtype=float).reshape(-1, 3)
    except (TypeError, ValueError):
        raise ValueError("points must be rows of x, y and a class, e.g. [[0.2, -0.5, 1]]") from None
    if len(rows) > MAX_OWN_POINTS:
        raise ValueError(f"at most {MAX_OWN_POINTS} points of your own, got {len(rows)}")
    if not np.all(np.isfinite(rows)):
        raise ValueError("points must be finite numbers")
    labels = rows[:, 2]
    if np.any((labels != np.round(labels)) | (labels < 0) | (labels >= n_classes)):
        raise ValueError(f"a point's class must be a whole number from 0 to {n_classes - 1}")
    return np.clip(rows[:, :2], -extent, extent), labels.astype(np.int64)


def training_share(n, split):
    """Which of ``n`` points placed one after another train ``(n,)`` bool: point ``k`` (from 0)
    does when it brings the training count up to ``ceil(split * (k + 1))``. So the first one
    trains, any ``n`` of them keep the share, and a point added never moves another."""
    return np.diff(np.ceil(split * np.arange(n + 1) - 1e-9)) > 0


class PlaygroundModel:
    """A network ``[2 + len(features), *hidden, n_out]`` trained on one of
    ``datasets.TOY_DATASETS`` in ``classes`` classes: one sigmoid output and binary
    cross-entropy for two classes, a softmax output per class and categorical cross-entropy
    for more.

    ``n_samples`` points are drawn from ``seed + data_seed`` (Regenerate moves ``data_seed`` on;
    0 points: only the reader's own), ``points`` adds the reader's own (rows of x, y, class).
    ``split`` is the fraction of both used for training; the rest are the test points.
    ``seed`` draws the starting weights and the order of the mini-batches, so ``reset()``
    replays the same run. ``grid`` and ``unit_grid`` are the sides of the square grids on
    which the output and the neurons are evaluated.
    """

    METHODS = ("step", "reset", "configure", "silence", "replay")

    def __init__(self, dataset, noise=0.1, hidden=(4, 4), activation="tanh", learning_rate=0.1, batch_size=10,
                 optimizer="sgd", l2=0.0, split=0.5, seed=0, n_samples=250, classes=2, features=(), data_seed=0,
                 points=(), grid=100, unit_grid=24):
        hidden = [int(width) for width in hidden]
        if len(hidden) > MAX_LAYERS or any(not 1 <= width <= MAX_WIDTH for width in hidden):
            raise ValueError(f"hidden must list at most {MAX_LAYERS} layer widths, each 1 to {MAX_WIDTH}; got {hidden}")
        if not 0.0 < split < 1.0:
            raise ValueError(f"split must be a fraction between 0 and 1, got {split}")
        classes = whole_number(classes, "classes", 2, datasets.MAX_CLASSES)
        n_samples = whole_number(n_samples, "n_samples", 0, MAX_POINTS)
        data_seed = whole_number(data_seed, "data_seed", 0)
        unknown = [name for name in features if name not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}; choose any of {', '.join(FEATURES)}")
        features = [name for name in FEATURES if name in features]
        make = datasets.toy_maker(dataset, classes)
        X, y = make(n_samples, noise, seed + data_seed) if n_samples else (np.zeros((0, 2)), np.zeros(0, np.int64))
        # The grid spans the generated points with a margin; row 0 is the top (largest y), as in an image.
        self.extent = float(np.ceil(max(1.0, np.abs(X).max(initial=0.0)) * 11) / 10)
        own_X, own_y = own_points(points, classes, self.extent)
        # The toy sets come in random order already, so their first points make a fair training set.
        n_train = min(len(X) - 1, max(1, round(split * len(X)))) if len(X) else 0
        self.own_train = own_train = training_share(len(own_X), split)
        # All the points, training ones first: the losses and accuracies of both sets come
        # from one pass through the network (in the browser each pass costs its NumPy calls).
        self.X_train = np.concatenate([X[:n_train], own_X[own_train]])
        self.y_train = np.concatenate([y[:n_train], own_y[own_train]])
        self.X_test = np.concatenate([X[n_train:], own_X[~own_train]])
        self.y_test = np.concatenate([y[n_train:], own_y[~own_train]])
        self.X, self.y = np.concatenate([self.X_train, self.X_test]), np.concatenate([self.y_train, self.y_test])
        self.n_train = len(self.X_train)
        self.n_classes = classes
        self.n_out = 1 if classes == 2 else classes
        self.Y = self.y[:, None].astype(float) if classes == 2 else datasets.one_hot(self.y, classes)
        self.inputs = input_columns(self.X, features)
        self.loss = LOSSES[2 if classes == 2 else "more"]
        self.settings = {
            "dataset": dataset, "noise": float(noise), "hidden": hidden, "activation": activation,
            "learning_rate": float(learning_rate), "batch_size": int(batch_size), "optimizer": optimizer,
            "l2": float(l2), "split": float(split), "seed": int(seed), "n_samples": n_samples,
            "classes": classes, "features": features, "data_seed": data_seed,
            "points": np.column_stack([own_X, own_y]).tolist(),
        }
        self.grid, self.unit_grid = int(grid), int(unit_grid)
        self.grid_inputs = input_columns(grid_points(self.extent, self.grid), features)
        self.unit_inputs = input_columns(grid_points(self.extent, self.unit_grid), features)
        make_optimizer(optimizer, learning_rate)  # fail here, with its message, on a bad name or rate
        self.silenced = []
        self._new_network()

    def configure(self, **settings):
        """Start over with new settings: new points, a new network. Returns ``describe()``."""
        self.__init__(**settings)
        return self.describe()

    def reset(self):
        """New starting weights from the seed, and training from epoch 0; the neurons switched
        off stay off. Returns ``snapshot()``."""
        self._new_network()
        return self.snapshot([], [])

    def _new_network(self):
        s = self.settings
        out = "sigmoid" if self.n_classes == 2 else "softmax"
        self.network = Network([self.inputs.shape[1], *s["hidden"], self.n_out],
                               [s["activation"]] * len(s["hidden"]) + [out], seed=s["seed"])
        # No training points (the reader removed them all): nothing to train until there are.
        self.trainer = None if not self.n_train else Trainer(
            self.network, self.inputs[: self.n_train], self.Y[: self.n_train], loss=self.loss,
            optimizer=make_optimizer(s["optimizer"], s["learning_rate"]), batch_size=s["batch_size"], l2=s["l2"],
            seed=s["seed"])
        if self.trainer is not None:
            self.trainer.silenced = self.silenced
        # The store is made once per network, so a run's snapshots take no memory as it goes on.
        self.snapshot_store = np.empty((MAX_SNAPSHOTS, self.network.n_parameters))
        self.snapshot_epochs = []  # the epoch of each row of the store in use
        self.snapshot_every = SNAPSHOT_EVERY
        self._keep_snapshot()

    @property
    def epoch(self):
        return self.trainer.epoch if self.trainer else 0

    def describe(self):
        """The points (train and test, the reader's own last in each: ``n_own`` of them, at most
        ``max_own_points``; ``own_test`` says which of the reader's points test, in the order they were placed), the grid
        they are drawn on and the input neurons' pictures (``inputs`` ``(n_inputs, unit_grid ** 2)``,
        with their ``input_names``), plus ``snapshot()``."""
        names = ["x", "y", *(FEATURES[name][0] for name in self.settings["features"])]
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
            "n_own": [int(self.own_train.sum()), int((~self.own_train).sum())],
            "max_own_points": MAX_OWN_POINTS,
            "own_test": (~self.own_train).astype(np.uint8),
            "input_names": names,
            "inputs": np.ascontiguousarray(self.unit_inputs.T).astype(np.float32),
            **self.snapshot([], []),
        }

    def step(self, epochs=1):
        """Train ``epochs`` more epochs; returns ``snapshot()`` with the loss of each.

        Raises ``demos.nn.TrainingDiverged`` when the loss stops being finite.
        """
        epochs = whole_number(epochs, "epochs", 1, MAX_EPOCHS_PER_CALL)
        if self.trainer is None:
            raise ValueError("there are no training points: add some, or more points of the data")
        train_loss, test_loss = [], []
        for _ in range(epochs):
            self.trainer.run_epoch()
            train, test = self.losses()
            if not np.isfinite(train + (test or 0.0)):
                raise TrainingDiverged(
                    f"training diverged at epoch {self.trainer.epoch}: the loss became {train + (test or 0.0)}. "
                    f"Reset and try a smaller learning rate or L2.")
            train_loss.append(train)
            test_loss.append(test)
            self._keep_snapshot()
        return self.snapshot(train_loss, test_loss)

    def _layers(self, flat):
        """The layers of the network, ``[{"W", "b"}, ...]``, with the weights of a snapshot."""
        layers, start = [], 0
        for layer in self.network.layers:
            taken = {}
            for key in ("W", "b"):
                size = layer[key].size
                taken[key] = flat[start : start + size].reshape(layer[key].shape)
                start += size
            layers.append(taken)
        return layers

    def _keep_snapshot(self):
        if self.epoch % self.snapshot_every:
            return
        if len(self.snapshot_epochs) == MAX_SNAPSHOTS:
            self.snapshot_every *= 2
            kept = [i for i, epoch in enumerate(self.snapshot_epochs) if epoch % self.snapshot_every == 0]
            self.snapshot_store[: len(kept)] = self.snapshot_store[kept]
            self.snapshot_epochs = [self.snapshot_epochs[i] for i in kept]
            if self.epoch % self.snapshot_every:
                return
        row = self.snapshot_store[len(self.snapshot_epochs)]
        np.concatenate([layer[key].ravel() for layer in self.network.layers for key in ("W", "b")], out=row)
        self.snapshot_epochs.append(self.epoch)

    def losses(self):
        """Cross-entropy of the current network on the training and the test points
        (without the L2 term, so the two can be compared; None for a set without points)."""
        n, loss = self.n_train, loss_function(self.loss)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported by step()
            # The output neurons' z for every point, as the network answers with its neurons switched off.
            z = self.network.forward_all(self.inputs, self.silenced or None).zs[-1]
            # From z, as the trainer computes its loss: exact even where the output saturates.
            return tuple(float(loss.from_logits(z[part], self.Y[part])) if len(z[part]) else None
                         for part in (slice(None, n), slice(n, None)))

    def silence(self, units):
        """Switch off the hidden neurons ``units`` lists (numbered across the hidden layers from 0,
        as ``demos.nn.Network.silencing`` numbers them; every other one is on) in what the network
        answers: the regions, the neurons' pictures, the scores and the losses; and in training,
        so the others learn to do without them. Returns ``snapshot()`` at once, the network's
        answers without them."""
        self.network.silencing(units)  # a clear error for a neuron that is not there
        self.silenced = sorted({int(unit) for unit in units})
        if self.trainer is not None:
            self.trainer.silenced = self.silenced
        return self.snapshot([], [])

    def replay(self, index):
        """What the network was at snapshot ``index`` (0 is the start; see ``snapshot()``'s
        ``replay_epochs``; one past the last is now), with today's silenced neurons: ``snapshot()``
        of those weights, its ``epoch`` that of the snapshot (the page has the losses up to it).
        Training goes on from the latest weights."""
        index = whole_number(index, "index", 0, len(self.snapshot_epochs))
        if index == len(self.snapshot_epochs):
            return {**self.snapshot([], []), "replaying": None}
        epoch, weights = self.snapshot_epochs[index], self.snapshot_store[index].copy()
        latest = self.network.layers
        self.network.layers = self._layers(weights)
        try:
            answer = self.snapshot([], [])
        finally:
            self.network.layers = latest
        return {**answer, "epoch": epoch, "replaying": index}

    def snapshot(self, train_loss, test_loss):
        """Where training stands: epoch, the new losses, accuracies, and the pictures.

        ``output`` is the network's output on the grid, row by row from the top: for two
        classes the probability of class 1 ``(grid * grid,)``, for more each class's
        ``(grid * grid, classes)``, float32. ``units`` holds each hidden neuron's activation
        on the unit grid, ``(n_hidden_units, unit_grid ** 2)``, layer by layer; ``weights``
        each layer's ``W`` ``(n_in, n_out)`` and ``biases`` its ``b``, float32.
        ``replay_epochs`` are the epochs ``replay`` can go back to. An accuracy of a set
        without points is None.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # huge weights draw as saturated colours
            off = self.silenced or None
            output = self.network.forward(self.grid_inputs, off).astype(np.float32)
            hidden = self.network.forward_all(self.unit_inputs, off).activations[1:-1]
            units = np.concatenate(hidden, axis=1).T if hidden else np.zeros((0, self.unit_grid**2))
            units = units.astype(np.float32)
            correct = self.network.predict(self.inputs, off) == self.y
            weights = [layer["W"].astype(np.float32) for layer in self.network.layers]
            biases = [layer["b"].astype(np.float32) for layer in self.network.layers]
        n = self.n_train
        return {
            "epoch": self.epoch,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": float(np.mean(correct[:n])) if n else None,
            "test_accuracy": float(np.mean(correct[n:])) if len(correct) > n else None,
            "output": output[:, 0] if self.n_out == 1 else output,
            "units": units,
            "weights": weights,
            "biases": biases,
            "silenced": self.silenced,
            "replay_epochs": list(self.snapshot_epochs),
        }

    def class_probabilities(self, points):
        """Each class's probability at ``points`` ``(n_samples, 2)``: ``(n_samples, classes)``."""
        out = self.network.forward(input_columns(np.asarray(points, dtype=float), self.settings["features"]),
                                   self.silenced or None)
        return np.column_stack([1 - out[:, 0], out[:, 0]]) if self.n_out == 1 else out


def grid_points(extent, n):
    """The centres of an ``n`` x ``n`` grid of cells over [-extent, extent]^2, row by row
    from the top: ``(n * n, 2)``, columns x and y."""
    centres = (np.arange(n) + 0.5) / n * 2 * extent - extent
    x, y = np.meshgrid(centres, centres[::-1])
    return np.stack([x.ravel(), y.ravel()], axis=1)


WIDGET = Widget(PlaygroundModel, post=3, options={
    "dataset": {"choice": list(datasets.TOY_DATASETS), "multiclass": list(datasets.MULTICLASS),
                "help": "the points the network must separate"},
    "classes": {"number": [2, datasets.MAX_CLASSES], "whole": True,
                "menu": list(range(2, datasets.MAX_CLASSES + 1)),
                "help": f"how many classes of points (more than two: {' or '.join(datasets.MULTICLASS)})"},
    "noise": {"number": [0, 0.5], "step": 0.05, "help": "how much the points scatter"},
    "n_samples": {"number": [0, MAX_POINTS], "whole": True, "step": 50,
                  "help": "how many points the data has (0: only points placed by hand)"},
    "features": {"flags": list(FEATURES), "labels": {name: label for name, (label, _) in FEATURES.items()},
                 "help": "inputs besides x and y"},
    "hidden": {"widths": [MAX_LAYERS, MAX_WIDTH], "help": "neurons in each hidden layer; [] for none"},
    "activation": {**ACTIVATION, "help": "activation of the hidden layers"},
    "learning_rate": LEARNING_RATE,
    "batch_size": {"number": [1, 200], "whole": True, "menu": [1, 5, 10, 20, 50, 100, 200],
                   "help": "points per weight update"},
    "optimizer": {**OPTIMIZER, "help": "how the gradient becomes a step"},
    "l2": L2,
    "split": {"number": [0.1, 0.9], "step": 0.1, "help": "fraction of the points used for training; the rest test"},
    "seed": SEED,
    "data_seed": {"number": [0, 2**31 - 1], "whole": True,
                  "help": "the points are drawn from seed + data_seed; Regenerate adds one"},
}, alt="Points of two or more classes and the regions a small network assigns to each.")
