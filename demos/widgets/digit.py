"""Draw a digit (post 5): the trained digits network reads the reader's drawing.

The drawing goes through ``datasets.drawing_to_digit``, the preprocessing that
made the training digits (crop, scale into a 32x32 frame, count the ink in each
4x4 block), so the network sees the reader's digit as it saw every digit it
learned from: 64 pixels of 0 to 16, divided by 16.

The reader may switch hidden units off (``silenced``, numbered as
``Network.silencing`` numbers them): the drawing is read again, and the test
digits too, without them.
"""

import json

import numpy as np

from demos import datasets
from demos.nn import Network
from demos.widgets.options import Widget

N_CLASSES = 10


def network_input(pixels):
    """Digit images ``(n, 64)`` with values 0..16 as the network's inputs in [0, 1]."""
    return np.asarray(pixels, dtype=float) / datasets.PIXEL_MAX


def trained(text, what, n_inputs, n_outputs):
    """The network saved as ``text`` (``Network.to_json``), if it takes ``n_inputs`` and gives ``n_outputs``."""
    network = Network.from_json(text)
    if network.sizes[0] != n_inputs or network.sizes[-1] != n_outputs:
        raise ValueError(f"the {what} model must have {n_inputs} inputs and {n_outputs} outputs, "
                         f"not sizes {network.sizes}")
    return network


def read(network, row, silenced=None):
    """What ``network`` makes of one input ``row`` ``(1, n_in)``: its outputs and every hidden
    unit's activation (all hidden layers, in order), ``(outputs, hidden)``, with the hidden
    units numbered in ``silenced`` switched off."""
    activations = network.forward_all(row, silenced).activations
    return activations[-1][0], np.concatenate([a[0] for a in activations[1:-1]] or [np.zeros(0)])


class DigitModel:
    """The network saved at ``models/digits.json`` (``model_json``: its text), and
    optionally a few test digits to show (``samples_json``: the text of
    ``models/digits-samples.json``, with raw 0..16 ``images`` and their ``labels``)."""

    METHODS = ("classify", "test_accuracy")

    def __init__(self, model_json, samples_json=None):
        self.network = trained(model_json, "digits", 64, N_CLASSES)
        self.samples = {"images": np.zeros((0, 64), dtype=np.float32), "labels": []}
        if samples_json:
            samples = json.loads(samples_json)
            images = np.asarray(samples["images"], dtype=np.float32).reshape(-1, 64)
            self.samples = {"images": images, "labels": [int(label) for label in samples["labels"]]}
        self._test = None  # the test digits as inputs, and their labels: read on first use

    def describe(self):
        return {"sizes": self.network.sizes, "samples": self.samples,
                "hidden_low": min((a.bounds[0] for a in self.network.activations[:-1]), default=0)}

    def classify(self, ink, width, height, silenced=()):
        """Read a drawing: ``ink`` ``(height * width,)`` uint8, 0 (paper) to 255 (ink), row by row,
        with the hidden units numbered in ``silenced`` switched off.

        Returns ``empty`` (and a ``message``) when there is no ink; otherwise the 8x8
        ``pixels`` the network saw ``(64,)`` in 0..16, its ``probabilities`` ``(10,)``,
        the ``hidden`` units' activations (all hidden layers, in order; 0 for a silenced
        one), and the ``digit`` with its ``probability``; with units silenced, also what the
        whole network makes of it, ``all_on``: its ``digit`` and ``probability``.
        """
        ink = np.asarray(ink)
        if ink.size != int(width) * int(height):
            raise ValueError(f"ink has {ink.size} values but the drawing is {width} x {height}")
        bitmap = ink.reshape(int(height), int(width)) / 255.0
        try:
            pixels = datasets.drawing_to_digit(bitmap)
        except datasets.EmptyDrawingError as error:
            return {"empty": True, "message": str(error)}
        probabilities, hidden = read(self.network, network_input(pixels)[None, :], silenced)
        digit = int(probabilities.argmax())
        answer = {
            "empty": False,
            "pixels": pixels.astype(np.float32),
            "probabilities": probabilities.astype(np.float32),
            "hidden": hidden.astype(np.float32),
            "digit": digit,
            "probability": float(probabilities[digit]),
        }
        if len(silenced):
            whole = self.network.forward(network_input(pixels)[None, :])[0]
            answer["all_on"] = {"digit": int(whole.argmax()), "probability": float(whole.max())}
        return answer

    def test_accuracy(self, silenced=()):
        """How the network reads the test digits (``datasets.digits_split``'s, which it never
        trained on) with the hidden units numbered in ``silenced`` switched off: the
        ``accuracy``, the ``right`` answers of ``total``, ``by_digit`` ``(10,)`` the share of
        each digit's test images read right, and the ``silenced`` units, sorted."""
        if self._test is None:
            _, images, _, labels = datasets.digits_split()
            self._test = network_input(images), labels
        inputs, labels = self._test
        right = self.network.predict(inputs, silenced) == labels
        members = labels[:, None] == np.arange(N_CLASSES)  # (n, 10): which digit each test image is
        by_digit = (members & right[:, None]).sum(axis=0) / members.sum(axis=0)
        return {"silenced": sorted({int(unit) for unit in silenced}), "accuracy": float(right.mean()),
                "right": int(right.sum()), "total": len(labels), "by_digit": by_digit.astype(np.float32)}


WIDGET = Widget(DigitModel, post=5, alt="A handwritten digit and the network's confidence for each of the ten classes.",
                files={"model_json": "models/digits.json", "samples_json": "models/digits-samples.json"})
