"""The data the posts train on: toy point sets, colours, handwritten digits, shapes.

Every function is pure and seeded: ``seed`` is an int or a
``numpy.random.Generator``, and the same seed gives the same arrays, at build
time and in the browser. Points are rows: ``X`` is ``(n_samples, n_features)``
float64 and ``y`` is ``(n_samples,)`` int class labels.

The toy sets live in the square [-1, 1]^2 (noise may push a few points past
its edge); ``noise`` is the standard deviation, in those units, of Gaussian
jitter added to every point (0.0 to 0.5 is the useful range). Both classes get
``n_samples // 2`` points, the odd one going to class 0. Blobs and spirals also
come in up to ``MAX_CLASSES`` classes (``n_classes``): a cloud or an arm per class,
the points shared out as evenly, the first classes taking the odd ones.
"""

import gzip
import importlib.resources
import io
from functools import lru_cache

import numpy as np

from demos.checks import whole_number

# --- Checking what callers pass in.


def _noise(noise):
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number, got {noise!r}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation), got {noise!r}")
    return value


def _labels(y):
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array (n_samples,), got shape {labels.shape}")
    if labels.dtype.kind not in "biu":
        raise ValueError(f"labels must be whole numbers, got dtype {labels.dtype}")
    return labels.astype(np.int64)


# --- Toy 2-D sets: two classes of points in the plane (blobs and spirals: up to MAX_CLASSES).

MAX_CLASSES = 4


def _classes(n_samples, noise, seed, clean_points, n_classes=2):
    """Labels 0 .. n_classes - 1 shared out evenly in random order, the points
    ``clean_points(rng, y)`` puts them at, plus Gaussian noise."""
    n = whole_number(n_samples, "n_samples", 2)
    k = whole_number(n_classes, "n_classes", 2, MAX_CLASSES)
    noise = _noise(noise)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % k)
    X = clean_points(rng, y) + rng.normal(0.0, noise, (n, 2))
    return X, y.astype(np.int64)


def blobs(n_samples=200, noise=0.1, seed=0, n_classes=2):
    """Round clouds of spread 0.15, one per class: for two classes around
    (-0.5, -0.5) (class 0) and (0.5, 0.5) (class 1); for more, their centres go on
    around the same circle (radius 0.71) at equal angles, class 0 still at the
    lower left. Returns X ``(n_samples, 2)``, y ``(n_samples,)``."""

    def points(rng, y):
        if n_classes == 2:
            centres = np.where(y[:, None] == 1, 0.5, -0.5)
        else:
            angle = 1.25 * np.pi + 2 * np.pi * y / n_classes
            centres = np.sqrt(0.5) * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        return centres + rng.normal(0.0, 0.15, (len(y), 2))

    return _classes(n_samples, noise, seed, points, n_classes)


def xor(n_samples=200, noise=0.1, seed=0):
    """Points in the four quadrants, class 1 where x and y have the same sign
    (no straight line separates the classes). Before noise every point keeps
    0.1 away from the axes and the edges. Returns X ``(n_samples, 2)``, y ``(n_samples,)``."""

    def points(rng, y):
        sign_x = rng.choice([-1.0, 1.0], len(y))
        sign_y = np.where(y == 1, sign_x, -sign_x)
        size = rng.uniform(0.1, 0.9, (len(y), 2))
        return size * np.stack([sign_x, sign_y], axis=1)

    return _classes(n_samples, noise, seed, points)


def circles(n_samples=200, noise=0.1, seed=0):
    """A disc of radius 0.4 (class 1) inside a ring of radii 0.65 to 0.95
    (class 0). Returns X ``(n_samples, 2)``, y ``(n_samples,)``."""

    def points(rng, y):
        # sqrt spreads the disc's points evenly over its area rather than piling them at the centre.
        radius = np.where(y == 1, 0.4 * np.sqrt(rng.uniform(0, 1, len(y))), rng.uniform(0.65, 0.95, len(y)))
        angle = rng.uniform(0, 2 * np.pi, len(y))
        return radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)

    return _classes(n_samples, noise, seed, points)


SPIRAL_TURNS = 1.25  # turns of each arm: enough to need two hidden layers, few enough for 2-8-8-1 to learn


def spirals(n_samples=200, noise=0.1, seed=0, n_classes=2):
    """Interleaved spiral arms, one per class, each the one before turned by
    ``1 / n_classes`` of a turn (two arms: class 1 half a turn from class 0).

    A point at ``t`` in [0.05, 1] sits at radius ``0.95 * t`` and angle
    ``2 pi SPIRAL_TURNS t + 2 pi y / n_classes``: the radius grows steadily with the
    angle. Returns X ``(n_samples, 2)``, y ``(n_samples,)``."""

    def points(rng, y):
        t = rng.uniform(0.05, 1.0, len(y))
        # 2 pi y / 2 is exactly pi y: two arms are where they always were, to the last bit.
        angle = 2 * np.pi * SPIRAL_TURNS * t + 2 * np.pi * y / n_classes
        return 0.95 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)

    return _classes(n_samples, noise, seed, points, n_classes)


def moons(n_samples=200, noise=0.1, seed=0):
    """Two interlocking half circles: class 0 the upper arc, class 1 the lower
    one shifted right. Returns X ``(n_samples, 2)``, y ``(n_samples,)``."""

    def points(rng, y):
        t = rng.uniform(0, np.pi, len(y))
        upper = np.stack([np.cos(t), np.sin(t)], axis=1)
        lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
        # The pair spans x in [-1, 2], y in [-0.5, 1]: centre it and scale into [-1, 1].
        return (np.where(y[:, None] == 1, lower, upper) - [0.5, 0.25]) * (2 / 3)

    return _classes(n_samples, noise, seed, points)


# In the order the posts meet them (post 2's line widget takes the first two).
TOY_DATASETS = {"blobs": blobs, "xor": xor, "circles": circles, "spirals": spirals, "moons": moons}
MULTICLASS = ("blobs", "spirals")  # the toy sets that come in more than two classes


def toy(name, n_samples=200, noise=0.1, seed=0, n_classes=2):
    """The toy set called ``name`` (a key of ``TOY_DATASETS``) in ``n_classes`` classes (more
    than two: one of ``MULTICLASS``): X ``(n_samples, 2)``, y ``(n_samples,)``."""
    return toy_maker(name, n_classes)(n_samples, noise, seed)


def toy_maker(name, n_classes=2):
    """The function ``(n_samples, noise, seed) -> X, y`` that draws the toy set ``name`` in
    ``n_classes`` classes; a clear ValueError for a set that does not exist or has fewer classes."""
    if not isinstance(name, str) or name not in TOY_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(TOY_DATASETS)}")
    if n_classes == 2:
        return TOY_DATASETS[name]
    if name not in MULTICLASS:
        raise ValueError(f"the {name} data has two classes; {n_classes} classes come with "
                         f"{' or '.join(MULTICLASS)}")
    whole_number(n_classes, "n_classes", 2, MAX_CLASSES)
    return lambda n_samples, noise, seed: TOY_DATASETS[name](n_samples, noise, seed, n_classes)


def shuffle_labels(y, seed=0):
    """The labels ``y`` ``(n_samples,)`` in a random order: the same counts per
    class, but no longer tied to the points, so there is no rule left to learn."""
    return np.random.default_rng(seed).permutation(_labels(y))


def one_hot(y, n_classes):
    """Labels ``(n_samples,)`` as rows of 0s with a 1 in the label's column:
    ``(n_samples, n_classes)`` float64, the targets a softmax output is trained on."""
    labels = _labels(y)
    n_classes = whole_number(n_classes, "n_classes", 1)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    return np.eye(n_classes)[labels]


# --- Colours: is this RGB colour purple-ish?


def is_purple(rgb):
    # Purple-ish: red and blue both at least 0.4 and both at least 0.25 above green.
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    return (r >= 0.4) & (b >= 0.4) & (r - g >= 0.25) & (b - g >= 0.25)


def colours(n_samples=200, seed=0):
    """Random colours X ``(n_samples, 3)``, RGB in [0, 1], and y ``(n_samples,)``:
    1 when purple-ish (red and blue both at least 0.4 and both at least 0.25
    above green), else 0.

    Only about one colour in eight is purple-ish, so each class is drawn on its
    own (uniform within its region of the colour cube): half the set is purple-ish.
    """
    n = whole_number(n_samples, "n_samples", 2)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    X = np.empty((n, 3))
    for label in (0, 1):
        wanted = np.flatnonzero(y == label)
        found = np.empty((0, 3))
        while len(found) < len(wanted):
            batch = rng.uniform(0, 1, (8 * len(wanted) + 16, 3))
            found = np.concatenate([found, batch[is_purple(batch) == label]])
        X[wanted] = found[: len(wanted)]
    return X, y.astype(np.int64)


# --- Handwritten digits (UCI optical digits, shipped in demos/data; see its README).

FRAME = 32  # side of the bitmap the digit is normalised into, as in the UCI preprocessing
BLOCK = 4  # 4x4 blocks of the frame make the 8x8 image; each counts its inked pixels, 0..16
PIXEL_MAX = float(BLOCK**2)  # a full block: the largest value a digit's pixel holds
SPLIT_SEED = 0  # fixes digits_split(): every figure and widget sees the same test digits
TEST_FRACTION = 0.25


@lru_cache(maxsize=1)
def _digits_table():
    raw = importlib.resources.files(__package__).joinpath("data/digits.csv.gz").read_bytes()
    text = gzip.decompress(raw).decode("ascii")
    return np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, dtype=np.int64)


def load_digits():
    """All 1,797 digits: images ``(1797, 64)`` float64, 8x8 pixels row by row with
    values 0..16, and labels ``(1797,)`` int 0..9."""
    table = _digits_table()
    return table[:, :64].astype(np.float64), table[:, 64].copy()


def digits_split():
    """The fixed train/test split of the digits: X_train, X_test ``(n, 64)``,
    y_train, y_test ``(n,)``. Each digit class gives a quarter of its images
    (rounded) to the test set, drawn with ``SPLIT_SEED``; both sets keep the
    file's order."""
    images, labels = load_digits()
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        test[rng.choice(members, round(TEST_FRACTION * len(members)), replace=False)] = True
    return images[~test], images[test], labels[~test], labels[test]


class EmptyDrawingError(ValueError):
    """The drawing has (almost) no ink, so there is no digit to read."""


def _resize_rows(image, n_out):
    """``image`` ``(n_in, width)`` resized to ``(n_out, width)`` by area averaging: each
    new row is the mean of the old rows it covers, partly covered ones counting by
    their overlap. The ink between two edges is a difference of the running total."""
    n_in = len(image)
    total = np.concatenate([np.zeros((1, image.shape[1])), np.cumsum(image, axis=0)])
    edges = np.linspace(0, n_in, n_out + 1)
    whole = np.minimum(edges.astype(int), n_in - 1)
    part = (edges - whole)[:, None]
    at_edges = total[whole] + part * (total[whole + 1] - total[whole])
    return np.diff(at_edges, axis=0) * (n_out / n_in)


def drawing_to_digit(bitmap):
    """A free-hand drawing ``(height, width)`` in [0, 1] (ink = 1, each side at
    least 8, e.g. a 280x280 canvas) as a digit image ``(64,)`` with values 0..16.

    The steps follow the UCI preprocessing: crop to the ink; resize (by area
    averaging) so the longer side fills the 32-pixel frame, keeping the aspect
    ratio (in the data every digit spans the frame's full height); binarise at
    half the darkest ink; place it so its centre of mass sits at the frame's
    centre; count the inked pixels of each 4x4 block. Raises EmptyDrawingError
    if fewer than 5 pixels hold ink (value above 0.05).
    """
    try:
        image = np.asarray(bitmap, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("bitmap must be a 2-D array of numbers in [0, 1]") from None
    if image.ndim != 2:
        raise ValueError(f"bitmap must be a 2-D array (height, width), got shape {image.shape}")
    if min(image.shape) < 8:
        raise ValueError(f"bitmap must be at least 8x8 pixels, got shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("bitmap contains NaN or infinite values")
    if image.min() < 0 or image.max() > 1:
        raise ValueError(f"bitmap values must lie in [0, 1] (ink = 1), got {image.min():g}..{image.max():g}")
    inked = image > 0.05
    if inked.sum() < 5:
        raise EmptyDrawingError("draw a digit first")
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = FRAME / max(crop.shape)
    height, width = (max(1, round(side * scale)) for side in crop.shape)
    small = _resize_rows(_resize_rows(crop, height).T, width).T
    # A pixel exactly at the threshold counts as ink, whatever the last bit of rounding says.
    on = (small >= 0.5 * small.max() - 1e-9).astype(np.float64)
    # Centre of mass, measured from the top-left corner to pixel centres.
    centre_y = (on.sum(axis=1) @ (np.arange(height) + 0.5)) / on.sum()
    centre_x = (on.sum(axis=0) @ (np.arange(width) + 0.5)) / on.sum()
    top = int(np.clip(round(FRAME / 2 - centre_y), 0, FRAME - height))
    left = int(np.clip(round(FRAME / 2 - centre_x), 0, FRAME - width))
    frame = np.zeros((FRAME, FRAME))
    frame[top : top + height, left : left + width] = on
    n_blocks = FRAME // BLOCK
    return frame.reshape(n_blocks, BLOCK, n_blocks, BLOCK).sum(axis=(1, 3)).ravel()


# --- Coloured shapes: small images to classify by shape or by colour.

SHAPES = ("circle", "square", "triangle")
COLOURS = ("red", "green", "blue")
BACKGROUND = 0.2  # a dark neutral grey, the same in every image
SHAPE_SIZE = 16  # the pictures' side in pixels, the widgets' and the figures' alike
SUPERSAMPLE = 4  # each pixel's coverage is measured on a 4x4 grid of points: soft edges


def _shape_mask(shape, x, y, centre_x, centre_y, half):
    """Which points ``(x, y)`` lie in the shape of half-extent ``half`` around the centre.
    A square fills its box, a circle touches its sides, an upright triangle has
    the box's bottom as base and its top middle as apex: areas 4, pi and 2 times half**2."""
    dx, dy = x - centre_x, y - centre_y
    if shape == 0:
        return dx**2 + dy**2 <= half**2
    if shape == 1:
        return (np.abs(dx) <= half) & (np.abs(dy) <= half)
    return (dy <= half) & (np.abs(dx) <= (dy + half) / 2)


@lru_cache(maxsize=4)
def _sample_points(size):
    """Where each pixel's coverage is sampled: x and y ``(size * SUPERSAMPLE,) * 2``, read-only
    (made once per size, not once per picture)."""
    points = (np.arange(size * SUPERSAMPLE) + 0.5) / SUPERSAMPLE
    x, y = np.meshgrid(points, points)
    x.flags.writeable = y.flags.writeable = False
    return x, y


def paint_shape(shape, colour, centre_x, centre_y, half, size=SHAPE_SIZE):
    """One picture ``(size, size, 3)`` in [0, 1]: shape ``shape`` (an index into SHAPES)
    filled with ``colour`` (red, green, blue), centred ``(centre_x, centre_y)`` pixels
    from the top-left corner, of half-extent ``half`` pixels, on the grey background.
    Each pixel takes the colour in proportion to how much of it the shape covers
    (measured on a SUPERSAMPLE x SUPERSAMPLE grid), so edges are soft."""
    x, y = _sample_points(size)
    inside = _shape_mask(shape, x, y, centre_x, centre_y, half)
    cover = inside.reshape(size, SUPERSAMPLE, size, SUPERSAMPLE).mean(axis=(1, 3))[..., None]
    return (1 - cover) * BACKGROUND + cover * np.asarray(colour, dtype=float)


def coloured_shapes(n_samples=300, seed=0, size=SHAPE_SIZE):
    """Images ``(n_samples, size, size, 3)`` float64 in [0, 1] of one filled shape
    on a dark grey background, with shape labels ``(n_samples,)`` (index into
    SHAPES) and colour labels ``(n_samples,)`` (index into COLOURS).

    Every shape-colour pair occurs equally often (up to rounding), so the two
    labels are balanced and tell nothing about each other. A shape's box is 40 to
    80 % of the image side and lies wholly inside it; its colour has its own
    channel at 0.6 to 1.0 and the other two at 0 to 0.3.
    """
    n = whole_number(n_samples, "n_samples", 1)
    size = whole_number(size, "size", 8)
    rng = np.random.default_rng(seed)
    pairs = rng.permutation(np.arange(n) % (len(SHAPES) * len(COLOURS)))
    shape_labels, colour_labels = pairs // len(COLOURS), pairs % len(COLOURS)
    half = rng.uniform(0.2, 0.4, n) * size
    centre_x, centre_y = (rng.uniform(half, size - half) for _ in range(2))
    colour = rng.uniform(0.0, 0.3, (n, 3))
    colour[np.arange(n), colour_labels] = rng.uniform(0.6, 1.0, n)
    images = np.empty((n, size, size, 3))
    for i in range(n):
        images[i] = paint_shape(shape_labels[i], colour[i], centre_x[i], centre_y[i], half[i], size)
    return images, shape_labels.astype(np.int64), colour_labels.astype(np.int64)
