"""Filters (post 7): a 3x3 filter slides over a picture, and a trained network's own filters do too.

The reader draws a picture, or picks a test digit or a coloured shape, and
chooses a filter: one of the hand-made kernels of ``demos.conv.KERNELS`` or any
nine weights of their own. The model answers with the *feature map*, the
filter's weighted sum at every position (``demos.conv.convolve`` with one pixel
of zero padding, so the map has the picture's size), and says in words where
the map is large, for readers who cannot see it.

Beside it, a convolutional network trained at build time reads the same
picture: the digits network (``models/conv-digits.json``) reads drawings and
test digits, after the preprocessing of the digit widget (``datasets.
drawing_to_digit``, then pixels / 16); the shapes network
(``models/conv-shapes.json``) reads the coloured shapes. The model answers
with the feature map of each of the network's first-layer filters (after the
ReLU, as the layer hands them on) and the network's probabilities.

Pictures: a drawing is ``GRID x GRID`` cells, each the mean ink (0 paper to 1
ink) of its block of the canvas; a test digit is its 8x8 pixels / 16; a shape
is 16x16 colour pixels, which a hand-made (one-channel) filter sees in grey,
the mean of the three channels.
"""

import numbers

import numpy as np

from demos import conv, datasets
from demos.checks import whole_number
from demos.widgets.options import Widget

GRID = 28  # a drawing is averaged into GRID x GRID cells before a hand-made filter slides over it
PADDING = 1  # zeros around the picture: the 3x3 filter sits on the border too, the map keeps its size
DIGIT_SAMPLES = (0, 2, 4, 7)  # the first test digit of each of these labels
# The shapes are the first of each kind that coloured_shapes(30, SHAPE_SEED) draws: the
# triangle is the one of post 7's figure of hand-made filters; the network trained on others.
SHAPE_SEED = 4
NEAR_ZERO = 0.05  # a map value under 5 % of the largest |value| counts as "near zero"
STRONG = 0.5  # a value at least half the largest of its sign is "strong"
KERNEL_NAMES = {name: name.replace("_", " ") for name in conv.KERNELS}


def as_kernel(weights):
    """The nine weights of a 3x3 filter, given as 9 numbers (row by row) or 3 rows of 3,
    as a ``(3, 3)`` float array. ValueError, naming the bad weight, for anything else."""
    array = None if isinstance(weights, (str, bytes)) else np.asarray(weights, dtype=object)
    if array is None or array.ndim == 0:
        raise ValueError(f"a kernel must be 9 numbers, 3 rows of 3; got {weights!r}")
    if array.shape not in ((9,), (3, 3)):
        raise ValueError(f"a kernel must be 9 numbers, 3 rows of 3; got shape {array.shape}")
    values = array.reshape(3, 3)
    for (row, column), value in np.ndenumerate(values):
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not np.isfinite(float(value))):
            raise ValueError(f"kernel weight at row {row + 1}, column {column + 1} must be a "
                             f"finite number; got {value!r}")
    return values.astype(float)


def kernel_name(kernel):
    """The hand-made kernel ``kernel`` ``(3, 3)`` is, by name, or None for the reader's own."""
    for name, known in conv.KERNELS.items():
        if np.allclose(kernel, known, rtol=0, atol=1e-9):
            return name
    return None


def drawing_picture(ink, width, height):
    """A drawing as the picture a hand-made filter sees, and as the bitmap the digits
    network's preprocessing reads: ``ink`` ``(height * width,)`` 0 (paper) to 255
    (ink), row by row, both sides multiples of GRID. Returns ``(picture (GRID, GRID),
    bitmap (height, width))``, both in [0, 1]."""
    width, height = int(width), int(height)
    if width <= 0 or height <= 0 or width % GRID or height % GRID:
        raise ValueError(f"the drawing must be a multiple of {GRID} pixels wide and high, got {width} x {height}")
    ink = np.asarray(ink)
    if ink.size != width * height:
        raise ValueError(f"ink has {ink.size} values but the drawing is {width} x {height}")
    bitmap = ink.reshape(height, width) / 255.0
    picture = bitmap.reshape(GRID, height // GRID, GRID, width // GRID).mean(axis=(1, 3))
    return picture, bitmap


def channels_first(image):
    """A colour image ``(h, w, 3)`` as one input row of a ConvNetwork ``(1, 3 * h * w)``."""
    return np.asarray(image, dtype=float).transpose(2, 0, 1).reshape(1, -1)


# --- Saying where a map is large.


def subject_of(rgb):
    """Which pixels of a picture ``(h, w, 3)`` make its subject (the ink, the shape): those
    that differ from the background (the median of the border) by at least half as much
    as the most different pixel. ``(h, w)`` bools, all False for a blank picture."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    # The median by sorting, as np.median computes it: np.median would import numpy.ma (90 kB
    # more for the browser to download, for this one line).
    ordered = np.sort(border, axis=0)
    median = (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2
    difference = np.abs(rgb - median).max(axis=-1)
    if difference.max() < 1e-6:
        return np.zeros(difference.shape, dtype=bool)
    return difference >= 0.5 * difference.max()


def place(strong, subject, word):
    """Where the ``strong`` cells ``(h, w)`` lie relative to the ``subject`` ``(h, w)``, in
    words: on it, all around it, or along one of its sides (the side the strong cells'
    centre lies towards, measured against the subject's own width or height)."""
    if not subject.any():
        return ""
    if (strong & subject).sum() >= 0.6 * strong.sum():
        return f"on the {word}"
    rows, columns = np.nonzero(strong)
    subject_rows, subject_columns = np.nonzero(subject)
    down = (rows.mean() - subject_rows.mean()) / (np.ptp(subject_rows) + 1)
    right = (columns.mean() - subject_columns.mean()) / (np.ptp(subject_columns) + 1)
    if max(abs(down), abs(right)) < 0.1:
        return f"all around the {word}"
    if abs(right) >= abs(down):
        return f"along the {'right' if right > 0 else 'left'} side of the {word}"
    return f"along the {'bottom' if down > 0 else 'top'} of the {word}"


def number(value):
    return f"{value:.2f}".replace("-", "\u2212")


def describe_map(feature_map, subject, word):
    """A feature map ``(h, w)`` in words: how large its positive and negative values get,
    where the strong ones lie relative to the picture's ``subject`` ``(h, w)`` (called
    ``word``), and how much of the map is near zero."""
    height, width = feature_map.shape
    limit = float(np.abs(feature_map).max())
    size = f"{height} by {width}"
    if limit < 1e-9:
        return f"{size}, zero everywhere"
    parts = []
    for sign, what, bound in ((1, "positive", "up to"), (-1, "negative", "down to")):
        signed = sign * feature_map
        top = float(signed.max())
        if top < NEAR_ZERO * limit:
            parts.append(f"no {what} values")
            continue
        where = place(signed >= STRONG * top, subject, word)
        parts.append(f"{what} {bound} {number(sign * top)}" + (f", strongest {where}" if where else ""))
    near_zero = np.mean(np.abs(feature_map) < NEAR_ZERO * limit)
    return f"{size}: {'; '.join(parts)}; near zero in {round(100 * near_zero)} % of it"


def describe_activated(feature_map, subject, word):
    """A map after ReLU ``(h, w)`` in words: its strongest value and where the strong values lie."""
    top = float(feature_map.max())
    if top < 1e-9:
        return "silent (zero everywhere)"
    where = place(feature_map >= STRONG * top, subject, word)
    return f"up to {number(top)}" + (f", strongest {where}" if where else "")


class FiltersModel:
    """The two trained convolutional networks (``digits_json``, ``shapes_json``: the text of
    ``models/conv-digits.json`` and ``models/conv-shapes.json``) and the current picture.

    ``kernel`` names the hand-made filter the widget starts with. The picture starts
    blank; ``draw`` and ``pick`` change it, ``apply`` slides a filter over it.
    """

    METHODS = ("draw", "pick", "apply")

    def __init__(self, digits_json, shapes_json, kernel="vertical_edge"):
        self.start_kernel = kernel
        conv.kernel(kernel)  # an unknown name fails here, with the known ones
        self.digits = self._network(digits_json, "digits", (1, 8, 8), 10)
        self.shapes = self._network(shapes_json, "shapes", (3, datasets.SHAPE_SIZE, datasets.SHAPE_SIZE),
                                    len(datasets.SHAPES))
        _, X_test, _, y_test = datasets.digits_split()
        images, shape_labels, colour_labels = datasets.coloured_shapes(30, seed=SHAPE_SEED)
        self.samples = [
            {"name": f"digit {label}", "kind": "digit",
             "image": X_test[np.flatnonzero(y_test == label)[0]].reshape(8, 8) / datasets.PIXEL_MAX}
            for label in DIGIT_SAMPLES
        ] + [
            {"name": f"{datasets.COLOURS[colour_labels[i]]} {shape}", "kind": "shape", "image": images[i]}
            for shape, i in ((shape, int(np.flatnonzero(shape_labels == s)[0]))
                             for s, shape in enumerate(datasets.SHAPES))
        ]
        self.clear()

    @staticmethod
    def _network(text, name, input_shape, n_classes):
        network = conv.ConvNetwork.from_json(text)
        if network.input_shape != input_shape or network.n_classes != n_classes:
            raise ValueError(f"the {name} network must take {input_shape} pictures and give {n_classes} "
                             f"probabilities, not {network.input_shape} and {network.n_classes}")
        return network

    def describe(self):
        return {
            "kernels": {name: conv.kernel(name).ravel().tolist() for name in conv.KERNELS},
            "kernel_names": KERNEL_NAMES,
            "kernel": self.start_kernel,
            "samples": [{"name": sample["name"], "kind": sample["kind"]} for sample in self.samples],
        }

    def clear(self):
        self.grey = np.zeros((GRID, GRID))  # what a hand-made filter sees
        self.rgb = np.ones((GRID, GRID, 3))  # the picture as shown: white paper
        self.word = "ink"
        self.subject = np.zeros((GRID, GRID), dtype=bool)
        self.network_view = {"empty": True, "message": "draw a digit first"}

    # --- The methods the page calls.

    def draw(self, ink, width, height, kernel):
        """The reader's drawing becomes the picture: ``ink`` ``(height * width,)`` uint8,
        0 (paper) to 255 (ink), row by row. Returns ``answer(kernel)``."""
        kernel = as_kernel(kernel)
        picture, bitmap = drawing_picture(ink, width, height)
        try:
            pixels = datasets.drawing_to_digit(bitmap)
        except datasets.EmptyDrawingError:
            self.clear()
            return self.answer(kernel)
        self._set_picture(picture, np.repeat(1.0 - picture[..., None], 3, axis=-1), "ink")
        self.network_view = self._read(self.digits, pixels.reshape(8, 8) / datasets.PIXEL_MAX, "ink",
                                       [str(d) for d in range(10)])
        return self.answer(kernel)

    def pick(self, sample, kernel):
        """Test picture number ``sample`` (an index into ``describe()["samples"]``) becomes
        the picture. Returns ``answer(kernel)``."""
        kernel = as_kernel(kernel)
        chosen = self.samples[whole_number(sample, "sample", 0, len(self.samples) - 1)]
        image = chosen["image"]
        if chosen["kind"] == "digit":
            self._set_picture(image, np.repeat(1.0 - image[..., None], 3, axis=-1), "ink")
            self.network_view = self._read(self.digits, image, "ink", [str(d) for d in range(10)])
        else:
            self._set_picture(image.mean(axis=-1), image, "shape")
            self.network_view = self._read(self.shapes, image, "shape", list(datasets.SHAPES))
        return self.answer(kernel)

    def apply(self, kernel):
        """The feature map of ``kernel`` (9 numbers, row by row) over the current picture:
        ``map`` ``(h, w)`` float32 (h, w: the picture's), its ``low`` and ``high`` values,
        the filter's ``name`` (None for the reader's own) and a ``description`` in words."""
        kernel = as_kernel(kernel)
        feature_map = conv.convolve(self.grey, kernel, padding=PADDING)
        name = kernel_name(kernel)
        title = f"the {KERNEL_NAMES[name]} filter" if name else "your filter"
        return {
            "map": feature_map.astype(np.float32),
            "height": feature_map.shape[0],
            "width": feature_map.shape[1],
            "low": float(feature_map.min()),
            "high": float(feature_map.max()),
            "name": name,
            "description": f"Feature map of {title}, {describe_map(feature_map, self.subject, self.word)}",
        }

    def answer(self, kernel):
        """The current picture (``rgb`` ``(h, w, 3)`` as shown, ``grey`` ``(h, w)`` as a
        hand-made filter sees it), its feature map under ``kernel`` (``filter``: see
        ``apply``) and what the trained network makes of it (``network``: see ``_read``)."""
        return {
            "empty": not self.subject.any(),
            "picture": {"rgb": self.rgb.astype(np.float32), "grey": self.grey.astype(np.float32),
                        "height": self.grey.shape[0], "width": self.grey.shape[1], "word": self.word},
            "filter": self.apply(kernel),
            "network": self.network_view,
        }

    # --- Inside.

    def _set_picture(self, grey, rgb, word):
        self.grey = np.asarray(grey, dtype=float)
        self.rgb = np.asarray(rgb, dtype=float)
        self.word = word
        self.subject = subject_of(self.rgb)

    def _read(self, network, image, word, classes):
        """What ``network`` makes of ``image`` (8x8 in [0, 1], or 16x16x3): the picture it
        ``seen`` ``(h, w, 3)``, its first-layer filters' ``weights`` ``(filters, channels, 3, 3)``
        and feature maps after ReLU ``maps`` ``(filters, h, w)`` with a ``descriptions`` each,
        the class names, the ``probabilities`` and the ``answer`` (index) with its ``probability``."""
        image = np.asarray(image, dtype=float)
        rows = image.reshape(1, -1) if image.ndim == 2 else channels_first(image)
        steps = network.forward_all(rows)
        maps = network.activations[0].function(steps.zs[0])[0]
        probabilities = steps.activations[-1][0]
        seen = np.repeat(1.0 - image[..., None], 3, axis=-1) if image.ndim == 2 else image
        subject = subject_of(seen)
        best = int(probabilities.argmax())
        return {
            "empty": False,
            "network": "digits" if network is self.digits else "shapes",
            "seen": seen.astype(np.float32),
            "size": image.shape[0],
            "weights": network.layers[0]["W"].astype(np.float32),
            "maps": maps.astype(np.float32),
            "descriptions": [describe_activated(m, subject, word) for m in maps],
            "classes": classes,
            "probabilities": probabilities.astype(np.float32),
            "answer": best,
            "probability": float(probabilities[best]),
        }


WIDGET = Widget(FiltersModel, post=7, options={
    # The edge filters first: the post's subject, and where the widget starts.
    "kernel": {"choice": sorted(conv.KERNELS, key=lambda name: "edge" not in name),
               "help": "the 3x3 filter slid over the image"},
}, files={"digits_json": "models/conv-digits.json", "shapes_json": "models/conv-shapes.json"},
    alt="An image before and after a 3x3 filter slides over it.")
