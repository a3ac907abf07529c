"""Colour and shape (post 6): the shapes network looks at a picture the reader makes.

The reader either picks a shape, a colour, a position and a size, and the model
paints that picture with ``datasets.paint_shape``, as its training pictures were
painted; or draws one freely, which is averaged down to the same 16x16 pixels.
The network (``models/shapes.json``) answers two questions at once: outputs
0-2 say which shape, outputs 3-5 which colour; each answer is the larger output
of its group.
"""

import numpy as np

from demos import datasets
from demos.widgets.digit import read, trained
from demos.widgets.options import Widget

SIZE = datasets.SHAPE_SIZE  # the pictures are SIZE x SIZE x 3, flattened row by row, red, green, blue per pixel


class ShapesModel:
    """The network saved at ``models/shapes.json`` (``model_json``: its text)."""

    METHODS = ("classify_shape", "classify_drawing")

    def __init__(self, model_json):
        self.network = trained(model_json, "shapes", SIZE * SIZE * 3, len(datasets.SHAPES) + len(datasets.COLOURS))

    def describe(self):
        return {
            "shapes": list(datasets.SHAPES),
            "colours": list(datasets.COLOURS),
            "size": SIZE,
            "background": datasets.BACKGROUND,
            "sizes": self.network.sizes,
            "hidden_low": min((a.bounds[0] for a in self.network.activations[:-1]), default=0),
        }

    def classify_shape(self, shape, colour, x, y, size):
        """Paint and read a shape: ``shape`` a name from SHAPES, ``colour`` (red, green, blue)
        in [0, 1], its centre (``x``, ``y``) and its ``size`` (the side of its box) as
        fractions of the picture's side. Returns ``answer()``."""
        if shape not in datasets.SHAPES:
            raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(datasets.SHAPES)}")
        colour = np.clip(np.asarray(colour, dtype=float).reshape(3), 0.0, 1.0)
        image = datasets.paint_shape(datasets.SHAPES.index(shape), colour, float(x) * SIZE, float(y) * SIZE,
                                     float(size) * SIZE / 2, SIZE)
        return self.answer(image)

    def classify_drawing(self, pixels, width, height):
        """Read a drawing: ``pixels`` ``(height * width * 4,)`` uint8 RGBA, row by row, with
        ``width`` and ``height`` multiples of 16. Each 16x16 cell is averaged into one
        pixel of the picture. Returns ``answer()``."""
        width, height = int(width), int(height)
        if width % SIZE or height % SIZE or width <= 0 or height <= 0:
            raise ValueError(f"the drawing must be a multiple of {SIZE} pixels wide and high, got {width} x {height}")
        rgb = np.asarray(pixels, dtype=float).reshape(height, width, 4)[..., :3] / 255.0
        image = rgb.reshape(SIZE, height // SIZE, SIZE, width // SIZE, 3).mean(axis=(1, 3))
        return self.answer(image)

    def answer(self, image):
        """What the network makes of ``image`` ``(16, 16, 3)``: the ``image`` itself
        (flattened), the six ``outputs``, the ``shape`` and ``colour`` it answers (indices),
        and the ``hidden`` units' activations."""
        outputs, hidden = read(self.network, image.reshape(1, -1))
        n_shapes = len(datasets.SHAPES)
        return {
            "image": image.astype(np.float32).ravel(),
            "outputs": outputs.astype(np.float32),
            "shape": int(outputs[:n_shapes].argmax()),
            "colour": int(outputs[n_shapes:].argmax()),
            "hidden": hidden.astype(np.float32),
        }


WIDGET = Widget(ShapesModel, post=6, alt="Coloured shapes and what the network predicts for their colour and shape.",
                files={"model_json": "models/shapes.json"})
