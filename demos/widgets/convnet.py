"""Training live (post 7): the convolutional network learns its filters while the reader watches.

The network is post 7's digits network, ``ARCHITECTURE``: eight 3x3 filters (one
ring of padding, so each makes an 8x8 feature map), ReLU, 2x2 max-pooling, and a
softmax layer of ten outputs. It trains with Adam on the shipped digits (pixels
divided by 16) in mini-batches, exactly as post 7's figures were made: the recipe
``conv_vs_dense`` trains this very model, with the learning rate, batch size, L2
and seed it declares in its ``widget`` param, and the post's block takes those.

The page asks for a few mini-batches at a time and draws, after each call, the
first layer's filters, the feature maps they make of one picture (a test digit
or the reader's drawing) with the network's probabilities for it, and two
curves: the training loss, and the accuracy on training and test digits. A
curve gets a point ``POINTS_PER_EPOCH`` times an epoch; past ``MAX_POINTS``
points, neighbours merge in pairs, so a run of any length keeps a curve of the
same size, and its memory stays flat.
"""

import numpy as np

from demos import datasets
from demos.checks import whole_number
from demos.conv import KERNELS, ConvNetwork
from demos.nn import Trainer, TrainingDiverged, make_optimizer
from demos.widgets.filters import describe_activated, subject_of
from demos.widgets.options import L2, LEARNING_RATE, SEED, Widget

ARCHITECTURE = {"input_shape": (1, 8, 8), "conv": [[8, 3, 1, 1]], "pool": 2, "dense": [], "n_classes": 10,
                "activation": "relu"}
OPTIMIZER = "adam"
LOSS = "categorical_cross_entropy"
POINTS_PER_EPOCH = 3  # the curves' points: often enough to show the first epoch, where most happens
MAX_POINTS = 300  # per curve, an even number: reached, neighbouring points merge in pairs
# Training accuracy is followed on every TRAIN_SAMPLE-th training digit, as many as the test
# digits: a whole pass over the training digits three times an epoch would cost the browser
# half as much again as the training itself.
TRAIN_SAMPLE = 4
MAX_BATCHES_PER_CALL = 2000
# What a filter is compared with to say whether it has become an edge detector, and what its
# sign means on a digit (ink is the large value).
EDGES = {"vertical_edge": ("more ink to the right", "more ink to the left"),
         "horizontal_edge": ("more ink below", "more ink above")}
EDGE_LIKE = 0.6  # cosine similarity from which a filter is called edge-like


def edge_likeness(weights):
    """How much each filter ``(filters, 1, 3, 3)`` looks like a hand-made edge filter: for each,
    ``(name, similarity)``, the edge filter (``EDGES``) its weights are most alike, by cosine
    similarity, and that similarity, -1 to 1 (negative: the same edge the other way round)."""
    flat = np.asarray(weights, dtype=float).reshape(len(weights), -1)
    norms = np.maximum(np.linalg.norm(flat, axis=1), 1e-12)
    best = []
    for row, norm in zip(flat, norms):
        alike = {name: float(row @ KERNELS[name].ravel() / (norm * np.linalg.norm(KERNELS[name])))
                 for name in EDGES}
        best.append(max(alike.items(), key=lambda item: abs(item[1])))
    return best


def describe_filter(name, similarity):
    """One filter in words, from ``edge_likeness``."""
    if abs(similarity) < EDGE_LIKE:
        return f"no clear edge ({abs(similarity):.2f} alike the nearest edge filter)"
    return f"an edge detector, {EDGES[name][similarity < 0]} ({abs(similarity):.2f} alike the {name.replace('_', '-')} filter)"


class ConvTrainingModel:
    """Post 7's digits network (``ARCHITECTURE``), trained with Adam at ``learning_rate`` in
    mini-batches of ``batch_size`` with weight decay ``l2``; ``seed`` draws the starting
    weights and the order of the mini-batches, so ``reset()`` replays the same run.
    ``sample`` is the test digit shown first (the first test digit with that label)."""

    METHODS = ("step", "reset", "configure", "pick", "draw")

    def __init__(self, learning_rate=0.01, batch_size=32, l2=0.001, seed=1, sample=0):
        X_train, X_test, y_train, y_test = datasets.digits_split()
        self.X_train, self.y_train = X_train / datasets.PIXEL_MAX, y_train
        self.X_test, self.y_test = X_test / datasets.PIXEL_MAX, y_test
        self.Y_train = datasets.one_hot(y_train, ARCHITECTURE["n_classes"])
        # The training digits the accuracy curve follows, then the test digits: one forward pass.
        self.X_check = np.concatenate([self.X_train[::TRAIN_SAMPLE], self.X_test])
        self.y_check = np.concatenate([y_train[::TRAIN_SAMPLE], y_test])
        self.n_check_train = len(self.X_train[::TRAIN_SAMPLE])
        self.samples = [self.X_test[np.flatnonzero(y_test == label)[0]] for label in range(10)]
        self.settings = {"learning_rate": float(learning_rate), "batch_size": whole_number(batch_size, "batch size", 1),
                         "l2": float(l2), "seed": whole_number(seed, "seed", 0)}
        make_optimizer(OPTIMIZER, learning_rate)  # fail here, with its message, on a bad rate
        if not np.isfinite(self.settings["l2"]) or self.settings["l2"] < 0:
            raise ValueError(f"l2 must be a number >= 0, got {l2}")
        self.picture = self._test_digit(sample)
        self.reset()

    @property
    def batches_per_epoch(self):
        return -(-len(self.X_train) // self.settings["batch_size"])  # the last batch may be short

    def configure(self, **settings):
        """Start over with new settings (the picture stays). Returns ``describe()``."""
        picture = self.picture
        self.__init__(**{**self.settings, **settings})
        self.picture = picture
        return self.describe()

    def reset(self):
        """New starting weights from the seed, and training from step 0. Returns ``snapshot()``."""
        s = self.settings
        self.network = ConvNetwork(**ARCHITECTURE, seed=s["seed"])
        self.trainer = Trainer(self.network, self.X_train, self.Y_train, loss=LOSS,
                               optimizer=make_optimizer(OPTIMIZER, s["learning_rate"]),
                               batch_size=s["batch_size"], l2=s["l2"], seed=s["seed"])
        self.start_filters = self.network.layers[0]["W"].copy()
        # A point every `every` mini-batches; the loss of the mini-batches since the last one.
        self.every = max(1, round(self.batches_per_epoch / POINTS_PER_EPOCH))
        self.window = []
        train, test = self.accuracies()
        self.curve = {"loss": [], "train_accuracy": [train], "test_accuracy": [test]}
        return self.snapshot()

    def describe(self):
        """The settings, the network's shape and size, the data's sizes, and ``snapshot()``."""
        return {
            "settings": self.settings,
            "architecture": self.network.architecture(),
            "n_parameters": self.network.n_parameters,
            "n_train": len(self.X_train),
            "n_test": len(self.X_test),
            "n_check_train": self.n_check_train,
            "batches_per_epoch": self.batches_per_epoch,
            "samples": [str(label) for label in range(10)],
            **self.snapshot(),
        }

    def step(self, batches=1):
        """Train ``batches`` more mini-batches. Returns ``snapshot()``.

        Raises ``demos.nn.TrainingDiverged`` when the loss stops being finite."""
        batches = whole_number(batches, "batches", 1, MAX_BATCHES_PER_CALL)
        for _ in range(batches):
            self.window.append(self.trainer.step())
            if len(self.window) == self.every:
                self._add_point()
        return self.snapshot()

    def _add_point(self):
        loss = float(np.mean(self.window))
        if not np.isfinite(loss):
            raise TrainingDiverged(f"training diverged at step {self.trainer.steps}: the loss became {loss}. "
                                   "Reset and try a smaller learning rate.")
        self.window = []
        train, test = self.accuracies()
        self.curve["loss"].append(loss)
        self.curve["train_accuracy"].append(train)
        self.curve["test_accuracy"].append(test)
        if len(self.curve["loss"]) >= MAX_POINTS:
            self._merge()

    def _merge(self):
        """Halve the curves: a point every ``2 * every`` mini-batches from now on. The loss of each
        merged pair is their mean; the accuracies are the ones measured at the pair's end (the
        first, measured before any training, stays)."""
        loss = self.curve["loss"]
        self.curve["loss"] = [(a + b) / 2 for a, b in zip(loss[0::2], loss[1::2])]
        for key in ("train_accuracy", "test_accuracy"):
            values = self.curve[key]
            self.curve[key] = values[:1] + values[2::2]
        self.every *= 2

    def accuracies(self):
        """The fraction right of the followed training digits and of the test digits."""
        right = self.network.predict(self.X_check) == self.y_check
        n = self.n_check_train
        return float(right[:n].mean()), float(right[n:].mean())

    # --- The picture whose feature maps are shown.

    def pick(self, sample):
        """The first test digit with label ``sample`` (0 to 9) becomes the picture. Returns ``read()``."""
        self.picture = self._test_digit(sample)
        return self.read()

    def _test_digit(self, sample):
        label = whole_number(sample, "sample", 0, 9)
        return {"pixels": self.samples[label], "name": f"test digit {label}"}

    def draw(self, ink, width, height):
        """The reader's drawing becomes the picture: ``ink`` ``(height * width,)`` uint8, 0 (paper)
        to 255 (ink), row by row, made into an 8x8 digit as the digits were
        (``datasets.drawing_to_digit``). Returns ``read()``, or ``empty`` and a ``message``."""
        ink = np.asarray(ink)
        width, height = int(width), int(height)
        if width <= 0 or height <= 0 or ink.size != width * height:
            raise ValueError(f"ink has {ink.size} values but the drawing is {width} x {height}")
        try:
            pixels = datasets.drawing_to_digit(ink.reshape(height, width) / 255.0)
        except datasets.EmptyDrawingError as error:
            return {"empty": True, "message": str(error)}
        self.picture = {"pixels": pixels / datasets.PIXEL_MAX, "name": "your drawing"}
        return self.read()

    def read(self):
        """What the network as it stands makes of the picture: the ``pixels`` it sees ``(8, 8)``
        in [0, 1], each filter's feature map after ReLU ``maps`` ``(filters, 8, 8)`` with a
        description each, the ``probabilities`` ``(10,)``, and its ``answer`` with its ``probability``."""
        pixels = self.picture["pixels"].reshape(1, -1)
        steps = self.network.forward_all(pixels)
        maps = self.network.activations[0].function(steps.zs[0])[0]
        probabilities = steps.activations[-1][0]
        answer = int(probabilities.argmax())
        image = pixels.reshape(8, 8)
        subject = subject_of(np.repeat(1.0 - image[..., None], 3, axis=-1))
        return {
            "empty": False,
            "name": self.picture["name"],
            "pixels": image.astype(np.float32),
            "maps": maps.astype(np.float32),
            "map_descriptions": [describe_activated(m, subject, "ink") for m in maps],
            "probabilities": probabilities.astype(np.float32),
            "answer": answer,
            "probability": float(probabilities[answer]),
        }

    def snapshot(self):
        """Where training stands: ``steps`` (mini-batches), ``epoch`` (fractional), the ``filters``
        ``(filters, 3, 3)``, how far they have ``moved`` from their start (root-mean-square
        change over the root-mean-square size at the start), each described in words, the
        ``curves`` (``every`` mini-batches a point, ``loss`` from the first window on, the
        accuracies from step 0 on) and ``read()`` of the picture."""
        W = self.network.layers[0]["W"]
        moved = np.sqrt(np.mean((W - self.start_filters) ** 2) / np.mean(self.start_filters**2))
        likeness = edge_likeness(W)
        return {
            "steps": self.trainer.steps,
            "epoch": self.trainer.steps / self.batches_per_epoch,
            "filters": W[:, 0].astype(np.float32),
            "moved": float(moved),
            "filter_descriptions": [describe_filter(name, similarity) for name, similarity in likeness],
            "edge_like": sum(abs(similarity) >= EDGE_LIKE for _, similarity in likeness),
            "every": self.every,
            "loss": np.array(self.curve["loss"], dtype=np.float32),
            "train_accuracy": np.array(self.curve["train_accuracy"], dtype=np.float32),
            "test_accuracy": np.array(self.curve["test_accuracy"], dtype=np.float32),
            "picture": self.read(),
        }


WIDGET = Widget(ConvTrainingModel, post=7, options={
    "learning_rate": LEARNING_RATE,
    "batch_size": {"number": [1, 256], "whole": True, "menu": [8, 16, 32, 64, 128],
                   "help": "digits per weight update"},
    "l2": L2,
    "seed": SEED,
    "sample": {"number": [0, 9], "whole": True, "help": "the test digit whose feature maps are shown first"},
}, alt="The eight filters of a small convolutional network, and the feature maps they make of a test digit.")
