"""A small neural network in NumPy: the one every figure and widget trains.

The vocabulary is the series': a *neuron* takes a weighted sum of its inputs
plus a *bias* and passes it through an *activation*; a *layer* is a row of
neurons that all see the same inputs; a *network* is layers in a chain, the
outputs of one being the inputs of the next. *Learning* nudges every weight
against its *gradient*, the direction that makes the *loss* grow, by a step
whose size is the *learning rate*.

Conventions: a batch of examples is a matrix with one example per row,
``X`` of shape ``(n_samples, n_features)``. Layer ``l`` holds weights ``W`` of
shape ``(n_in, n_out)`` and biases ``b`` of shape ``(n_out,)``, so its
pre-activation is ``z = a_prev @ W + b``, shape ``(n_samples, n_out)``, and its
activation ``a = f(z)``. Everything is float64 and pure NumPy, so the same code
runs at build time and in the reader's browser.
"""

import json
import math
from collections import namedtuple

import numpy as np

FORMAT = "demos.nn/1"
EPSILON = 1e-12  # keeps log() away from zero when a loss sees probabilities


# --- Activations: a function paired with the way a gradient flows back through it.


class Activation:
    """An activation ``a = function(z)`` and its backward rule.

    ``backward(z, a, grad_a)`` turns the gradient of the loss with respect to
    the activations into the gradient with respect to ``z`` (all three arrays
    ``(n_samples, n_units)``). For element-wise functions that is
    ``grad_a * f'(z)``; softmax mixes units, so it needs the whole row. ``bounds``: the
    range of ``a`` (None: no end), which shades a neuron's picture; ``hidden``: whether a
    hidden layer is offered it (identity adds nothing there); ``label``: its name in a menu.
    """

    def __init__(self, name, function, backward, bounds=(None, None), hidden=True, label=None):
        self.name, self.function, self.backward = name, function, backward
        self.bounds, self.hidden, self.label = bounds, hidden, label or name

    def __repr__(self):
        return f"Activation({self.name!r})"


def _sigmoid(z):
    # tanh form: the same value as 1 / (1 + exp(-z)), without overflow for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softmax(z):
    # Subtracting the row maximum changes nothing mathematically and keeps exp() finite.
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {
    "identity": Activation("identity", lambda z: z, lambda z, a, g: g, hidden=False),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, a, g: g * a * (1.0 - a), (0, 1)),
    "tanh": Activation("tanh", np.tanh, lambda z, a, g: g * (1.0 - a * a), (-1, 1)),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a, g: g * (z > 0.0), (0, None),
                       label="ReLU"),
    "softmax": Activation("softmax", _softmax, lambda z, a, g: a * (g - (g * a).sum(axis=1, keepdims=True)),
                          (0, 1), hidden=False),
}


def activation(name):
    """The activation called ``name``; a clear error lists the known ones."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None


# --- Losses: how wrong the outputs A are for the targets Y, both (n_samples, n_out).


class Loss:
    """A loss ``value(A, Y)`` with its gradient ``gradient(A, Y)`` = dLoss/dA.

    ``from_logits(Z, Y)``, when given, computes the same value from the output
    layer's pre-activations; it is used with the matching output activation
    (``pairs_with``) because it stays exact for huge ``Z`` where ``log(A)``
    would already have rounded to ``log(0)``. For that pair the gradient with
    respect to ``Z`` is simply ``(A - Y) / scale(A)``.
    """

    def __init__(self, name, value, gradient, from_logits=None, pairs_with=None, scale=None):
        self.name = name
        self.value = value
        self.gradient = gradient
        self.from_logits = from_logits
        self.pairs_with = pairs_with
        self.scale = scale

    def __repr__(self):
        return f"Loss({self.name!r})"


def _mean(values):
    # The same number as np.mean(values) (a sum, then a division by the count), without
    # np.mean's Python wrapper, which costs more than a mini-batch's sum in the browser.
    return values.sum() / values.size


def _binary_cross_entropy(A, Y):
    A = np.clip(A, EPSILON, 1.0 - EPSILON)
    return -_mean(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A))


def _binary_cross_entropy_gradient(A, Y):
    A = np.clip(A, EPSILON, 1.0 - EPSILON)
    return (A - Y) / (A * (1.0 - A)) / A.size


def _categorical_cross_entropy(A, Y):
    return -np.sum(Y * np.log(np.clip(A, EPSILON, 1.0))) / len(A)


def _categorical_cross_entropy_gradient(A, Y):
    return -Y / np.clip(A, EPSILON, 1.0) / len(A)


def _log_sum_exp(Z):
    top = Z.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(Z - top).sum(axis=1, keepdims=True)))[:, 0]


LOSSES = {
    "mse": Loss("mse", lambda A, Y: _mean((A - Y) ** 2), lambda A, Y: 2.0 * (A - Y) / A.size),
    # From logits: log(1 + e^z) - y z, written with logaddexp so it never overflows.
    "binary_cross_entropy": Loss("binary_cross_entropy", _binary_cross_entropy, _binary_cross_entropy_gradient,
                                 from_logits=lambda Z, Y: _mean(np.logaddexp(0.0, Z) - Y * Z),
                                 pairs_with="sigmoid", scale=lambda A: A.size),
    "categorical_cross_entropy": Loss(
        "categorical_cross_entropy", _categorical_cross_entropy, _categorical_cross_entropy_gradient,
        from_logits=lambda Z, Y: np.sum(Y.sum(axis=1) * _log_sum_exp(Z) - (Y * Z).sum(axis=1)) / len(Z),
        pairs_with="softmax", scale=len),
}


def loss_function(name):
    """The loss called ``name``; a clear error lists the known ones."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


# --- Checking what comes in at the public entry points.


def _as_matrix(values, name, n_columns=None):
    """``values`` as a float64 ``(n_samples, n_columns)`` array, or a clear ValueError."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), got shape {array.shape}")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(f"{name} has {array.shape[1]} columns but the network expects {n_columns}")
    return array


def _check_finite(array, name):
    if not np.all(np.isfinite(array)):
        row = int(np.argwhere(~np.isfinite(array))[0][0])
        raise ValueError(f"{name} contains NaN or infinity (first at row {row})")


# --- The network.

Forward = namedtuple("Forward", "zs activations")  # what forward_all keeps of every layer


class Network:
    """A chain of dense layers.

    ``sizes`` lists the number of units per layer, inputs first: ``[2, 8, 8, 1]``
    is two inputs, two hidden layers of eight neurons, and one output.
    ``activations`` names one activation per layer after the inputs, e.g.
    ``["tanh", "tanh", "sigmoid"]``. ``seed`` (an int or a
    ``numpy.random.Generator``) draws the starting weights, so the same seed
    always gives the same network.
    """

    def __init__(self, sizes, activations, seed=0):
        if isinstance(activations, str):
            raise ValueError(f"activations must be a list of names, one per layer, got {activations!r}")
        sizes = [int(n) for n in sizes]
        activations = list(activations)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        if len(activations) != len(sizes) - 1:
            raise ValueError(f"{len(sizes) - 1} layers need {len(sizes) - 1} activation names, "
                             f"got {len(activations)}: {activations}")
        if "softmax" in activations[:-1]:
            raise ValueError("softmax is only allowed as the output activation")
        self.sizes = sizes
        self.activations = [activation(name) for name in activations]
        rng = np.random.default_rng(seed)
        self.layers = []
        for n_in, n_out, act in zip(sizes, sizes[1:], self.activations):
            # Scaled so a layer's outputs start neither saturated nor vanishing:
            # He for ReLU, Glorot for the rest.
            std = np.sqrt(2.0 / n_in) if act.name == "relu" else np.sqrt(2.0 / (n_in + n_out))
            self.layers.append({"W": rng.normal(0.0, std, (n_in, n_out)), "b": np.zeros(n_out)})

    @property
    def n_parameters(self):
        """How many numbers the network learns: every weight and bias."""
        return sum(layer["W"].size + layer["b"].size for layer in self.layers)

    @property
    def n_hidden(self):
        """How many hidden units the network has, over all its hidden layers."""
        return sum(self.sizes[1:-1])

    def silencing(self, silenced):
        """Switching hidden units off: ``silenced`` lists unit numbers, counted across the
        hidden layers in order from 0 (in sizes ``[2, 8, 8, 1]`` the first hidden layer's units
        are 0 to 7, the second's 8 to 15: the order in which widgets lay them out). Returns
        ``{l: on}`` for each layer ``l`` with a unit off, ``on`` ``(sizes[l + 1],)`` holding
        0.0 for a silenced unit and 1.0 for the others; ``{}`` when nothing is silenced. A
        number that is not a hidden unit is a ValueError naming it and the valid range."""
        if isinstance(silenced, (str, bytes, dict)) or not hasattr(silenced, "__iter__"):
            raise ValueError(f"silenced must list hidden unit numbers, got {silenced!r}")
        n = self.n_hidden
        off = {}
        for unit in silenced:
            if isinstance(unit, (bool, np.bool_)) or not isinstance(unit, (int, np.integer)):
                raise ValueError(f"hidden unit {unit!r} is not a unit number (a whole number from 0 to {n - 1})")
            if not 0 <= unit < n:
                has = f"'s {n} hidden units are numbered 0 to {n - 1}" if n else " has no hidden layer"
                raise ValueError(f"there is no hidden unit {unit}: this network{has}")
            layer = 0
            while unit >= self.sizes[layer + 1]:  # find its layer: the widths before it are skipped
                unit -= self.sizes[layer + 1]
                layer += 1
            off.setdefault(layer, np.ones(self.sizes[layer + 1]))[unit] = 0.0
        return off

    def forward_all(self, X, silenced=None):
        """Run ``X`` ``(n_samples, n_in)`` through every layer, keeping the steps.

        Returns a ``Forward(zs, activations)``: ``zs[l]`` is layer ``l``'s
        pre-activation and ``activations[l + 1]`` its output, both ``(n_samples,
        sizes[l + 1])``; ``activations[0]`` is ``X`` itself. Figures and widgets draw
        the hidden units from these; ``backward`` reuses them on the way back.
        The hidden units numbered in ``silenced`` (see ``silencing``; None: none) are switched
        off: their activation is 0, so the layers after them never hear from them.
        """
        off = {} if silenced is None else self.silencing(silenced)  # None: the training loop's fast way
        return self._forward_steps(_as_matrix(X, "X", self.sizes[0]), off)

    def _forward_steps(self, a, off):
        """``forward_all`` without the checks, ``off`` as ``silencing`` returns it."""
        zs, activations = [], [a]
        for l, (layer, act) in enumerate(zip(self.layers, self.activations)):
            # @ rather than np.dot: in the browser's NumPy (Pyodide, no BLAS) as fast on a
            # mini-batch, and twice as fast on the 10,000 points of a decision-region picture.
            z = a @ layer["W"] + layer["b"]
            a = act.function(z)
            if l in off:
                a = a * off[l]
            zs.append(z)
            activations.append(a)
        return Forward(zs, activations)

    def forward(self, X, silenced=None):
        """The network's output for ``X``: ``(n_samples, sizes[-1])``, with the hidden units
        numbered in ``silenced`` switched off (see ``silencing``)."""
        return self.forward_all(X, silenced).activations[-1]

    def predict(self, X, silenced=None):
        """The class each row of ``X`` is put in: ``(n_samples,)`` ints.

        With one output unit the class is 1 when the output is past the middle
        of its range (0.5 for sigmoid, 0 otherwise); with several, the largest wins.
        ``silenced``: hidden units switched off, as in ``forward``.
        """
        out = self.forward(X, silenced)
        if out.shape[1] == 1:
            middle = 0.5 if self.activations[-1].name == "sigmoid" else 0.0
            return (out[:, 0] > middle).astype(int)
        return out.argmax(axis=1)

    def accuracy(self, X, labels, silenced=None):
        """The fraction of rows of ``X`` whose predicted class equals ``labels`` ``(n_samples,)``,
        with the hidden units numbered in ``silenced`` switched off, as in ``forward``."""
        return float(np.mean(self.predict(X, silenced) == np.asarray(labels)))

    def loss(self, X, Y, loss="mse", l2=0.0, silenced=None):
        """The loss of the outputs for ``X`` against targets ``Y`` ``(n_samples, n_out)``, with
        the hidden units numbered in ``silenced`` switched off (see ``silencing``)."""
        zs, activations = self.forward_all(X, silenced)
        Y = _as_matrix(Y, "Y", self.sizes[-1])
        return self._loss_value(loss_function(loss), zs[-1], activations[-1], Y, l2)

    def gradients(self, X, Y, loss="mse", l2=0.0, silenced=None):
        """Backpropagation: the loss and its gradient for every weight and bias.

        ``X`` is ``(n_samples, n_in)``, ``Y`` the targets ``(n_samples, n_out)``
        (one-hot rows for softmax). ``l2`` adds ``l2 / 2 * sum(W ** 2)`` over all
        weights to the loss, which pulls weights towards zero. The hidden units numbered
        in ``silenced`` are switched off (see ``silencing``): nothing flows through them,
        so the weights into them get no gradient but L2's. Returns
        ``(loss, grads)`` where ``grads[l]`` has keys ``"W"`` and ``"b"`` shaped
        like ``self.layers[l]``.
        """
        X = _as_matrix(X, "X", self.sizes[0])
        Y = _as_matrix(Y, "Y", self.sizes[-1])
        if len(X) != len(Y):
            raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
        _check_finite(X, "X")
        _check_finite(Y, "Y")
        return self.backward(X, Y, loss_function(loss), l2, silenced)

    def _loss_value(self, loss, z_out, a_out, Y, l2):
        if loss.from_logits is not None and self.activations[-1].name == loss.pairs_with:
            value = loss.from_logits(z_out, Y)
        else:
            value = loss.value(a_out, Y)
        if l2:
            value += 0.5 * l2 * sum(np.sum(layer["W"] ** 2) for layer in self.layers)
        return float(value)

    def _output_gradient(self, loss, z_out, a_out, Y):
        """dLoss/dz of the output layer, where backpropagation starts."""
        if self.activations[-1].name == loss.pairs_with:
            # The matching pair's chain rule collapses to the error itself.
            return (a_out - Y) / loss.scale(a_out)
        return self.activations[-1].backward(z_out, a_out, loss.gradient(a_out, Y))

    def backward(self, X, Y, loss, l2, silenced=None):
        """``gradients`` without the checks, ``loss`` a ``Loss``: the training loop's hot path,
        and what a network of other layers (``demos.conv.ConvNetwork``) overrides."""
        off = {} if silenced is None else self.silencing(silenced)
        zs, activations = self._forward_steps(X, off)
        value = self._loss_value(loss, zs[-1], activations[-1], Y, l2)
        grad_z = self._output_gradient(loss, zs[-1], activations[-1], Y)
        grads = [None] * len(self.layers)
        for l in range(len(self.layers) - 1, -1, -1):
            W = self.layers[l]["W"]
            grads[l] = {"W": activations[l].T @ grad_z, "b": grad_z.sum(axis=0)}
            if l2:
                grads[l]["W"] += l2 * W
            if l > 0:
                grad_a = grad_z @ W.T
                if l - 1 in off:
                    grad_a = grad_a * off[l - 1]  # a unit switched off passes nothing back
                grad_z = self.activations[l - 1].backward(zs[l - 1], activations[l], grad_a)
        return value, grads

    # --- Saving: plain JSON, readable by Python and by the browser alike.

    def to_json(self):
        """The architecture and every weight as a JSON string (floats round-trip exactly)."""
        return json.dumps({"format": FORMAT, "sizes": self.sizes, "activations": [act.name for act in self.activations],
                           "layers": [{"W": layer["W"].tolist(), "b": layer["b"].tolist()} for layer in self.layers]})

    @classmethod
    def from_json(cls, text):
        """The network saved by ``to_json``; any mismatch is a ValueError that says where."""
        data = read_saved(text, FORMAT, "network", ("sizes", "activations", "layers"))
        network = cls(data["sizes"], data["activations"], seed=0)
        if not isinstance(data["layers"], list) or len(data["layers"]) != len(network.layers):
            raise ValueError(f"saved network has {len(data['layers'])} layers of weights "
                             f"but its sizes {network.sizes} need {len(network.layers)}")
        return network.load_layers(data["layers"], f"sizes {network.sizes} need")

    def load_layers(self, saved, needs):
        """Take every weight and bias from ``saved``, one ``{"W", "b"}`` per layer as
        ``to_json`` writes them, each checked against this network's own; ``needs`` says
        what sets their shapes, for the messages. Returns the network."""
        for l, (entry, layer) in enumerate(zip(saved, self.layers)):
            for key in ("W", "b"):
                try:
                    values = np.asarray(entry.get(key), dtype=float)
                except (AttributeError, TypeError, ValueError):
                    raise ValueError(f"layer {l} {key} is not an array of numbers") from None
                if values.shape != layer[key].shape:
                    raise ValueError(f"layer {l} {key} has shape {values.shape} but {needs} {layer[key].shape}")
                if not np.all(np.isfinite(values)):
                    raise ValueError(f"layer {l} {key} contains NaN or infinity")
                layer[key] = values
        return self


def read_saved(text, format, what, keys):
    """The JSON object ``text`` holds, if it is a saved ``what`` of ``format`` with every one of ``keys``."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a saved {what}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != format:
        raise ValueError(f"not a saved {what}: expected format {format!r}")
    for key in keys:
        if key not in data:
            raise ValueError(f"saved network has no {key!r}")
    return data


# --- Optimisers: how a gradient becomes a change of the weights.


class SGD:
    """Plain gradient descent: step each weight against its gradient."""

    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate

    def update(self, layers, grads):
        for layer, grad in zip(layers, grads):
            for key in layer:
                layer[key] -= self.learning_rate * grad[key]


class Momentum:
    """Gradient descent with a velocity: steps keep some of their previous direction,
    which speeds along long valleys and damps zig-zags across them."""

    def __init__(self, learning_rate=0.1, momentum=0.9):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = None

    def update(self, layers, grads):
        if self.velocity is None:
            self.velocity = [{key: np.zeros_like(v) for key, v in layer.items()} for layer in layers]
        for layer, grad, velocity in zip(layers, grads, self.velocity):
            for key in layer:
                velocity[key] = self.momentum * velocity[key] - self.learning_rate * grad[key]
                layer[key] += velocity[key]


class Adam:
    """Adam: momentum on the gradient, divided by a running size of the gradient,
    so every weight gets a step of about ``learning_rate`` whatever its scale."""

    def __init__(self, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.t = 0
        self.m = self.v = None

    def update(self, layers, grads):
        if self.m is None:
            self.m = [{key: np.zeros_like(v) for key, v in layer.items()} for layer in layers]
            self.v = [{key: np.zeros_like(v) for key, v in layer.items()} for layer in layers]
        self.t += 1
        # The running averages start at zero; these factors undo that early bias.
        correct1 = 1.0 - self.beta1**self.t
        correct2 = 1.0 - self.beta2**self.t
        for layer, grad, m, v in zip(layers, grads, self.m, self.v):
            for key in layer:
                m[key] = self.beta1 * m[key] + (1.0 - self.beta1) * grad[key]
                v[key] = self.beta2 * v[key] + (1.0 - self.beta2) * grad[key] ** 2
                step = (m[key] / correct1) / (np.sqrt(v[key] / correct2) + self.epsilon)
                layer[key] -= self.learning_rate * step


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name, learning_rate, **options):
    """A fresh optimiser by name (``sgd``, ``momentum``, ``adam``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    learning_rate = float(learning_rate)
    if not np.isfinite(learning_rate) or learning_rate <= 0.0:
        raise ValueError(f"learning rate must be a positive number, got {learning_rate}")
    return OPTIMIZERS[name](learning_rate, **options)


# --- Training.


class TrainingDiverged(ValueError):
    """The loss stopped being a finite number: the steps were too large."""


class Trainer:
    """Trains ``network`` on ``X`` ``(n_samples, n_in)`` and ``Y`` ``(n_samples, n_out)``
    in shuffled mini-batches of ``batch_size``.

    All of the training's state lives here (where in the epoch it is, the
    shuffling generator drawn from ``seed``, the optimiser's memory), so a
    widget can call ``step()`` a few times per animation frame, stop, and carry
    on later with exactly the numbers an uninterrupted run would give.

    ``silenced`` lists the hidden units switched off while training (see
    ``Network.silencing``): the rest of the network learns to do without them.
    """

    def __init__(self, network, X, Y, loss, optimizer, batch_size=32, l2=0.0, seed=0):
        self.X = _as_matrix(X, "X", network.sizes[0])
        self.Y = _as_matrix(Y, "Y", network.sizes[-1])
        if len(self.X) != len(self.Y):
            raise ValueError(f"X has {len(self.X)} rows but Y has {len(self.Y)}")
        if len(self.X) == 0:
            raise ValueError("there is no training data (X has no rows)")
        _check_finite(self.X, "X")
        _check_finite(self.Y, "Y")
        if int(batch_size) < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        if not np.isfinite(l2) or l2 < 0:
            raise ValueError(f"l2 must be a number >= 0, got {l2}")
        self.network = network
        self.loss = loss_function(loss)
        self.optimizer = optimizer
        self.batch_size = int(batch_size)
        self.l2 = float(l2)
        self.rng = np.random.default_rng(seed)
        self.silenced = []
        self.epoch = 0  # epochs completed
        self.steps = 0  # mini-batch updates made
        self.history = []  # mean training loss of each completed epoch
        self._shuffle()
        self._position = 0
        self._epoch_loss = 0.0

    def _shuffle(self):
        # The next epoch's order. The rows are copied in that order once, so that each
        # mini-batch is a slice of them rather than a gather of its own.
        order = self.rng.permutation(len(self.X))
        self._X_shuffled, self._Y_shuffled = self.X[order], self.Y[order]

    def step(self):
        """One mini-batch update; returns that batch's loss."""
        # A diverging run overflows on its way to inf; that is reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step()

    def _step(self):
        start, end = self._position, self._position + self.batch_size
        X, Y = self._X_shuffled[start:end], self._Y_shuffled[start:end]
        value, grads = self.network.backward(X, Y, self.loss, self.l2, self.silenced or None)
        if not math.isfinite(value):
            raise TrainingDiverged(f"training diverged at epoch {self.epoch + 1}, step {self.steps + 1}: the loss "
                                   f"became {value}. The learning rate ({self.optimizer.learning_rate:g}) is too "
                                   "large for this problem; reset and try a smaller one.")
        self.optimizer.update(self.network.layers, grads)
        self.steps += 1
        self._epoch_loss += value * len(X)
        self._position += len(X)
        if self._position >= len(self.X):
            self.history.append(self._epoch_loss / len(self.X))
            self.epoch += 1
            self._shuffle()
            self._position = 0
            self._epoch_loss = 0.0
        return value

    def run_epoch(self, on_step=None):
        """Steps until the current epoch is complete, calling ``on_step(self)`` after each;
        returns the epoch's mean loss."""
        epoch = self.epoch
        with np.errstate(over="ignore", invalid="ignore"):  # as in step(), once for the whole epoch
            while self.epoch == epoch:
                self._step()
                if on_step is not None:
                    on_step(self)
        return self.history[-1]

    def run(self, epochs, on_epoch=None, on_step=None):
        """Train ``epochs`` more epochs, calling ``on_step(self)`` after each mini-batch update
        and ``on_epoch(self)`` after each epoch (a recipe measures or records a video frame
        there). Returns ``history``."""
        for _ in range(int(epochs)):
            self.run_epoch(on_step)
            if on_epoch is not None:
                on_epoch(self)
        return self.history
