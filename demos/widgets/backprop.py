"""Backpropagation on the smallest network that has a hidden layer (post 4).

A 2-2-1 network (two inputs, two tanh hidden neurons, one sigmoid output, the
``demos.nn.Network`` every figure trains) and one training example. The reader
steps through what training does with it: the forward pass (every weighted sum
and activation), the backward pass (the error at the output, sent back through
the weights and the slope of tanh, and every weight's gradient as the product of
the chain rule's factors), and the update. A *nudge* changes one weight by a small
epsilon and measures how much the loss really changes, to set beside gradient x
epsilon: the finite-difference check of the gradient.

The parameters are named as the post names them: ``W1[i][j]`` is the weight from
input ``i`` to hidden neuron ``j``, ``b1[j]`` that neuron's bias, ``W2[j]`` the
weight from hidden neuron ``j`` to the output and ``b2`` the output's bias.
"""

import numpy as np

from demos.nn import Network, make_optimizer
from demos.widgets.options import LEARNING_RATE, SEED, Widget

LOSS = "binary_cross_entropy"
EXAMPLE = (np.array([[1.0, -0.5]]), np.array([[1.0]]))  # one example (x1, x2) and its target y
EPSILONS = (0.1, 0.01, 0.001)


def parameter_names():
    """Every parameter as ``(name, layer, key, index)``, the order the widget lists them."""
    names = [(f"W1[{i + 1}][{j + 1}]", 0, "W", (i, j)) for i in range(2) for j in range(2)]
    names += [(f"b1[{j + 1}]", 0, "b", (j,)) for j in range(2)]
    names += [(f"W2[{j + 1}]", 1, "W", (j, 0)) for j in range(2)]
    return names + [("b2", 1, "b", (0,))]


PARAMETERS = parameter_names()


class BackpropModel:
    """A 2-2-1 tanh/sigmoid network from ``seed``, trained on one example with plain
    gradient descent at ``learning_rate``."""

    METHODS = ("forward", "backward", "update", "nudge", "reset")

    def __init__(self, seed=0, learning_rate=0.5):
        self.seed = int(seed)
        self.learning_rate = float(learning_rate)
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate}")
        self.x, self.y = EXAMPLE
        self.reset()

    def reset(self):
        """Back to the random start of ``seed``; returns ``describe()``."""
        self.network = Network([2, 2, 1], ["tanh", "sigmoid"], seed=self.seed)
        self.updates = 0
        return self.describe()

    def describe(self):
        return {
            "x": self.x[0],
            "y": float(self.y[0, 0]),
            "learning_rate": self.learning_rate,
            "activations": [a.name for a in self.network.activations],
            "parameters": [name for name, *_ in PARAMETERS],
            "epsilons": list(EPSILONS),
            "updates": self.updates,
            "weights": self.weights(),
        }

    def weights(self):
        """Every parameter's value, in the order of ``PARAMETERS``: ``(9,)``."""
        return np.array([self.network.layers[layer][key][index] for _, layer, key, index in PARAMETERS])

    def loss(self):
        return self.network.loss(self.x, self.y, LOSS)

    def forward(self):
        """The forward pass: ``z1`` and ``h`` ``(2,)`` (the hidden neurons' sums and tanh),
        ``z2`` and ``p`` (the output's sum and sigmoid), and the loss ``-log p`` (y = 1) or
        ``-log(1 - p)`` (y = 0)."""
        (z1, z2), (_, h, p) = self.network.forward_all(self.x)
        return {"z1": z1[0], "h": h[0], "z2": float(z2[0, 0]), "p": float(p[0, 0]), "loss": self.loss(),
                "weights": self.weights()}

    def backward(self):
        """The backward pass, factor by factor, from the network's own gradients.

        ``error_out`` is dL/dz2 = p - y; ``error_hidden`` ``(2,)`` is dL/dh, the error sent
        back through W2; ``slope`` ``(2,)`` is tanh's slope 1 - h**2; ``error_z1`` ``(2,)``
        is dL/dz1 = error_hidden * slope. ``gradients`` ``(9,)`` holds every parameter's
        gradient in the order of ``PARAMETERS``, as backpropagation computed it."""
        _, grads = self.network.gradients(self.x, self.y, LOSS)
        h = self.network.forward_all(self.x).activations[1][0]
        error_out = float(grads[1]["b"][0])  # one example: a bias's gradient is its layer's error
        error_hidden = self.network.layers[1]["W"][:, 0] * error_out
        return {
            "error_out": error_out,
            "error_hidden": error_hidden,
            "slope": 1 - h**2,
            "error_z1": grads[0]["b"],
            "gradients": np.array([grads[layer][key][index] for _, layer, key, index in PARAMETERS]),
        }

    def update(self):
        """One step of gradient descent, ``w <- w - learning_rate * gradient`` for every
        parameter. Returns the loss before and after, and the new ``forward()``."""
        before = self.loss()
        _, grads = self.network.gradients(self.x, self.y, LOSS)
        make_optimizer("sgd", self.learning_rate).update(self.network.layers, grads)
        self.updates += 1
        return {"loss_before": before, "updates": self.updates, **self.forward()}

    def nudge(self, parameter, epsilon):
        """The finite-difference check of one gradient: the loss with ``parameter`` (a name
        in ``PARAMETERS``) raised by ``epsilon``, against the loss now. The network is left
        as it was. Returns both losses, their difference and ``gradient * epsilon``."""
        names = [name for name, *_ in PARAMETERS]
        if parameter not in names:
            raise ValueError(f"unknown parameter {parameter!r}; choose one of {', '.join(names)}")
        epsilon = float(epsilon)
        if not np.isfinite(epsilon) or epsilon == 0 or abs(epsilon) > 1:
            raise ValueError(f"epsilon must be a small non-zero number, at most 1 in size, got {epsilon}")
        k = names.index(parameter)
        _, layer, key, index = PARAMETERS[k]
        gradient = float(self.backward()["gradients"][k])
        before = self.loss()
        values = self.network.layers[layer][key]
        kept = values[index]
        values[index] = kept + epsilon
        try:
            after = self.loss()
        finally:
            values[index] = kept
        return {"parameter": parameter, "epsilon": epsilon, "loss_before": before, "loss_after": after,
                "change": after - before, "gradient": gradient, "predicted": gradient * epsilon}


WIDGET = Widget(BackpropModel, post=4, options={
    "seed": SEED,
    "learning_rate": {**LEARNING_RATE, "help": "step size of the update"},
}, alt="A network with two inputs, two hidden neurons and one output, with every number of one "
       "training step: the forward pass, the gradients of the backward pass and the update.")
