"""The colour neuron of post 1: three inputs (red, green, blue), one output.

The reader sets the neuron's three weights and its bias with sliders; the
model works out, for each colour in a row of samples, the weighted sum
``z = w_red * red + w_green * green + w_blue * blue + bias`` and the
activation ``a = f(z)``, with the same ``demos.nn.Network`` every other figure
trains, here of sizes ``[3, 1]``.
"""

import numpy as np

from demos.nn import ACTIVATIONS, Network
from demos.widgets.options import ACTIVATION, Widget, check_choice

# Starting weights (red, green, blue) and bias that make the neuron look for one colour.
# A purple is about half red and half blue, so the purple neuron likes red and blue and
# dislikes green (much like the neuron post 1 trains); the grey one likes all three
# channels alike, i.e. brightness.
PRESETS = {
    "purple": {"weights": [6.0, -10.0, 7.0], "bias": -5.0},
    "red": {"weights": [5.0, -5.0, -5.0], "bias": -1.0},
    "green": {"weights": [-5.0, 5.0, -5.0], "bias": -1.0},
    "blue": {"weights": [-5.0, -5.0, 5.0], "bias": -1.0},
    "grey": {"weights": [2.0, 2.0, 2.0], "bias": -3.0},
}
# The row of colours the neuron is shown, (name, (red, green, blue)) with channels in [0, 1].
SAMPLES = (("red", (1.0, 0.0, 0.0)), ("orange", (1.0, 0.5, 0.0)), ("yellow", (1.0, 1.0, 0.0)),
           ("green", (0.0, 0.7, 0.0)), ("cyan", (0.0, 1.0, 1.0)), ("blue", (0.0, 0.0, 1.0)),
           ("purple", (0.5, 0.0, 0.5)), ("magenta", (1.0, 0.0, 1.0)), ("pink", (1.0, 0.6, 0.8)),
           ("brown", (0.6, 0.3, 0.1)), ("white", (1.0, 1.0, 1.0)), ("grey", (0.5, 0.5, 0.5)),
           ("black", (0.0, 0.0, 0.0)))
WEIGHT_RANGE = 12.0  # sliders run from -WEIGHT_RANGE to +WEIGHT_RANGE


def shade(a, activation):
    """The activations ``a`` mapped to [0, 1] for drawing: 0 is "off", 1 is "fully on".

    An activation's range is stretched onto [0, 1]; one without an upper end (ReLU)
    has everything past 1 drawn as fully on.
    """
    low, high = ACTIVATIONS[activation].bounds
    return (a - low) / (high - low) if high is not None else np.clip(a, 0.0, 1.0)


class NeuronModel:
    """One neuron on the row of ``SAMPLES``, with the weights of ``preset`` to start from."""

    METHODS = ("evaluate",)

    def __init__(self, preset, activation="sigmoid"):
        self.preset = check_choice(WIDGET.options["preset"], preset, "preset")
        self.activation = check_choice(ACTIVATION, activation, "activation")
        self.colours = np.array([rgb for _, rgb in SAMPLES])  # (n_samples, 3)

    def describe(self):
        """What the widget needs to draw itself: presets, samples and the starting neuron."""
        return {
            "presets": PRESETS,
            "preset": self.preset,
            "activation": self.activation,
            "weight_range": WEIGHT_RANGE,
            "names": [name for name, _ in SAMPLES],
            "colours": self.colours.astype(np.float32),
            **self.evaluate(activation=self.activation, **PRESETS[self.preset]),
        }

    def evaluate(self, weights, bias, activation):
        """The neuron's answer to every sample colour.

        ``weights`` is (red, green, blue), ``bias`` a number. Returns ``z`` and
        ``a``, both ``(n_samples,)``, and ``shade``, ``a`` mapped to [0, 1].
        """
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (3,) or not np.all(np.isfinite(weights)):
            raise ValueError(f"weights must be three numbers (red, green, blue), got {weights.tolist()}")
        bias = float(bias)
        if not np.isfinite(bias):
            raise ValueError(f"bias must be a finite number, got {bias}")
        activation = check_choice(ACTIVATION, activation, "activation")
        neuron = Network([3, 1], [activation])
        neuron.layers[0]["W"] = weights.reshape(3, 1)
        neuron.layers[0]["b"] = np.array([bias])
        steps = neuron.forward_all(self.colours)
        a = steps.activations[-1][:, 0]
        return {
            "z": steps.zs[-1][:, 0],
            "a": a,
            "shade": shade(a, activation).astype(np.float32),
        }


WIDGET = Widget(NeuronModel, post=1, options={
    "preset": {"choice": list(PRESETS), "help": "which colour the neuron's starting weights look for"},
    "activation": {**ACTIVATION, "help": "the neuron's activation function"},
}, alt="A row of colours, each shaded by how strongly one neuron responds to it.", keeps_figure=True)
