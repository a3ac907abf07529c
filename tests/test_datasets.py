"""The data: toy sets, colours, the shipped digits, drawings, coloured shapes."""

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from demos import datasets as D
from demos.nn import Network, Trainer, make_optimizer

ROOT = Path(__file__).resolve().parent.parent
TOY_NAMES = list(D.TOY_DATASETS)


# --- Toy 2-D sets.


@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_shapes_types_balance_and_box(name):
    X, y = D.toy(name, n_samples=501, noise=0.1, seed=3)
    assert X.shape == (501, 2) and X.dtype == np.float64
    assert y.shape == (501,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [251, 250]
    assert np.all(np.isfinite(X))
    # Noise may push a few points out of [-1, 1]^2, but not many, and not far.
    assert np.mean(np.abs(X) <= 1.0) > 0.95
    assert np.abs(X).max() < 1.6


@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_is_reproducible_and_seed_dependent(name):
    X1, y1 = D.toy(name, 100, 0.1, seed=7)
    X2, y2 = D.toy(name, 100, 0.1, seed=7)
    X3, y3 = D.toy(name, 100, 0.1, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    # A Generator works as the seed too, and the classes stay interleaved.
    X4, y4 = D.toy(name, 100, 0.1, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(X4, X1)
    assert 0 < y1[:50].sum() < 50


@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_without_noise_stays_in_the_box(name):
    X, _ = D.toy(name, 400, noise=0.0, seed=0)
    limit = 1.0 if name != "blobs" else 1.2  # blobs are Gaussian clouds even without noise
    assert np.abs(X).max() <= limit


def test_noise_spreads_points_by_its_standard_deviation():
    clean, _ = D.circles(4000, 0.0, seed=1)
    noisy, _ = D.circles(4000, 0.3, seed=1)
    # Same seed: same clean points, then noise of standard deviation 0.3 on top.
    assert np.std(noisy - clean) == pytest.approx(0.3, rel=0.05)


def test_toy_dispatch_matches_the_functions():
    for name, function in D.TOY_DATASETS.items():
        X1, y1 = D.toy(name, 50, 0.2, 4)
        X2, y2 = function(50, 0.2, 4)
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)


def test_unknown_toy_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown dataset 'spiral'.*blobs, xor, circles, spirals, moons"):
        D.toy("spiral")
    with pytest.raises(ValueError, match="unknown dataset"):
        D.toy(["moons"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_samples": 1}, "n_samples must be at least 2"),
        ({"n_samples": 2.5}, "n_samples must be a whole number"),
        ({"n_samples": "100"}, "n_samples must be a whole number"),
        ({"noise": -0.1}, "noise must be a finite number >= 0"),
        ({"noise": float("nan")}, "noise must be a finite number >= 0"),
        ({"noise": "lots"}, "noise must be a number"),
    ],
)
@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_bad_input(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        D.toy(name, **kwargs)


def test_xor_circles_blobs_moons_put_classes_where_documented():
    X, y = D.xor(400, 0.0, 0)
    np.testing.assert_array_equal(y == 1, X[:, 0] * X[:, 1] > 0)
    assert np.abs(X).min() >= 0.1
    X, y = D.circles(400, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 0.4 and r[y == 0].min() >= 0.65
    X, y = D.blobs(400, 0.0, 0)
    assert np.mean((X.sum(axis=1) > 0) == (y == 1)) > 0.98
    X, y = D.moons(400, 0.0, 0)
    upper = X[y == 0]
    centre = np.array([0.5, 0.25]) * -2 / 3  # the upper arc's centre after scaling
    np.testing.assert_allclose(np.hypot(*(upper - centre).T), 2 / 3)


def test_spirals_without_noise_lie_on_their_arms():
    X, y = D.spirals(300, noise=0.0, seed=5)
    radius = np.hypot(X[:, 0], X[:, 1])
    # Each point's radius fixes where it is along its arm; the angle must follow.
    t = radius / 0.95
    angle = 2 * np.pi * D.SPIRAL_TURNS * t + np.pi * y
    np.testing.assert_allclose(X, radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), atol=1e-12)
    for arm in (0, 1):
        points = X[y == arm][np.argsort(radius[y == arm])]
        unwrapped = np.unwrap(np.arctan2(points[:, 1], points[:, 0]))
        assert np.all(np.diff(unwrapped) > 0)  # radius grows with the angle


def test_spirals_are_learnable_by_a_small_tanh_network():
    X, y = D.spirals(200, noise=0.05, seed=0)
    X_new, y_new = D.spirals(400, noise=0.05, seed=100)
    net = Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    trainer = Trainer(
        net, X, y[:, None].astype(float), loss="binary_cross_entropy",
        optimizer=make_optimizer("adam", 0.03), batch_size=20, seed=0,
    )
    trainer.run(250)
    assert np.mean(net.predict(X_new) == y_new) > 0.9


def test_shuffle_labels_keeps_counts_and_breaks_the_pairing():
    _, y = D.moons(301, 0.1, 0)
    shuffled = D.shuffle_labels(y, seed=1)
    np.testing.assert_array_equal(np.bincount(shuffled), np.bincount(y))
    assert 0.3 < np.mean(shuffled == y) < 0.7
    np.testing.assert_array_equal(shuffled, D.shuffle_labels(y, seed=1))
    assert not np.array_equal(shuffled, D.shuffle_labels(y, seed=2))
    with pytest.raises(ValueError, match="1-D"):
        D.shuffle_labels(np.zeros((3, 2), dtype=int), 0)


def test_one_hot():
    Y = D.one_hot(np.array([2, 0, 1, 2]), 3)
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2, got 0\.\.3"):
        D.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="whole numbers"):
        D.one_hot([0.5, 1.0], 3)
    with pytest.raises(ValueError, match="n_classes must be at least 1"):
        D.one_hot([0], 0)


# --- Colours.


def test_colours_follow_the_purple_rule_and_are_balanced():
    X, y = D.colours(1001, seed=2)
    assert X.shape == (1001, 3) and X.dtype == np.float64 and y.shape == (1001,)
    assert X.min() >= 0.0 and X.max() <= 1.0
    r, g, b = X.T
    purple = (r >= 0.4) & (b >= 0.4) & (r - g >= 0.25) & (b - g >= 0.25)
    np.testing.assert_array_equal(y, purple.astype(int))
    assert 0.25 <= y.mean() <= 0.6
    assert 0 < y[:100].sum() < 100  # classes mixed, not in blocks
    np.testing.assert_array_equal(D.colours(1001, seed=2)[0], X)
    assert not np.allclose(D.colours(1001, seed=3)[0], X)
    with pytest.raises(ValueError, match="n_samples must be at least 2"):
        D.colours(1, 0)


# --- Digits.


def test_load_digits_shapes_and_values():
    images, labels = D.load_digits()
    assert images.shape == (1797, 64) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype.kind == "i"
    assert images.min() == 0 and images.max() == 16
    np.testing.assert_array_equal(images, np.round(images))
    assert sorted(set(labels.tolist())) == list(range(10))
    # Callers get their own copies: changing one does not change the next load.
    images[:] = -1
    labels[:] = -1
    again, again_labels = D.load_digits()
    assert again.min() == 0 and again_labels.min() == 0


def test_shipped_digits_equal_the_scikit_learn_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    reference = datasets.load_digits()
    images, labels = D.load_digits()
    np.testing.assert_array_equal(images, reference.data)
    np.testing.assert_array_equal(labels, reference.target)


def test_digits_file_is_deterministic_gzip():
    raw = (ROOT / "demos" / "data" / "digits.csv.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\0\0\0\0"  # no time stamp
    assert not raw[3] & 0x08  # no file name
    header = gzip.decompress(raw).decode("ascii").splitlines()[0]
    assert header == ",".join([f"p{i}" for i in range(64)] + ["label"])


def test_digits_load_from_a_zipped_package(tmp_path):
    # The browser imports demos from an installed wheel (a zip), not a folder:
    # the data must be read through the package, not through a file path.
    archive = tmp_path / "demos.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in (ROOT / "demos").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zipped.write(path, path.relative_to(ROOT).as_posix())
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import demos.datasets as d; "
        "assert d.__file__.startswith(sys.argv[1]); x, y = d.load_digits(); print(x.shape, int(x.sum()), int(y.sum()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(archive)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    images, labels = D.load_digits()
    assert result.stdout.split() == ["(1797,", "64)", str(int(images.sum())), str(int(labels.sum()))]


def test_digits_split_is_stratified_disjoint_and_fixed():
    images, labels = D.load_digits()
    X_train, X_test, y_train, y_test = D.digits_split()
    assert X_train.shape[1] == X_test.shape[1] == 64
    assert len(X_train) == len(y_train) and len(X_test) == len(y_test)
    assert len(X_train) + len(X_test) == 1797
    assert 440 <= len(X_test) <= 460
    for digit in range(10):
        assert np.sum(y_test == digit) == round(0.25 * np.sum(labels == digit))
    # Together the two halves are exactly the whole set, each image once.
    def rows(X, y):
        return sorted(map(tuple, np.column_stack([X, y]).astype(int)))

    assert rows(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test])) == rows(images, labels)
    for first, second in zip(D.digits_split(), (X_train, X_test, y_train, y_test)):
        np.testing.assert_array_equal(first, second)


# --- Drawings to digits.


def upsampled(image):
    """An 8x8 digit (values 0..16) as a 280x280 'drawing' in [0, 1]."""
    return np.kron(image.reshape(8, 8) / 16.0, np.ones((35, 35)))


def test_drawing_of_a_known_digit_maps_back_to_it():
    images, _ = D.load_digits()
    sample = images[::9]
    correlations = []
    for image in sample:
        digit = D.drawing_to_digit(upsampled(image))
        assert digit.shape == (64,) and digit.dtype == np.float64
        assert digit.min() >= 0 and digit.max() <= 16
        np.testing.assert_array_equal(digit, np.round(digit))
        correlations.append(np.corrcoef(digit, image)[0, 1])
    correlations = np.array(correlations)
    assert np.mean(correlations > 0.8) > 0.75
    assert np.median(correlations) > 0.85


def test_drawing_does_not_depend_on_where_or_how_big_it_is():
    images, _ = D.load_digits()
    drawing = upsampled(images[42])
    canvas = np.zeros((400, 360))
    canvas[70:350, 50:330] = drawing
    np.testing.assert_array_equal(D.drawing_to_digit(canvas), D.drawing_to_digit(drawing))
    bigger = np.kron(images[42].reshape(8, 8) / 16.0, np.ones((70, 70)))
    assert np.corrcoef(D.drawing_to_digit(bigger), D.drawing_to_digit(drawing))[0, 1] > 0.95


def test_a_vertical_bar_stays_a_vertical_bar():
    canvas = np.zeros((280, 280))
    canvas[40:240, 60:80] = 1.0  # off to the left: centring brings it to the middle
    digit = D.drawing_to_digit(canvas).reshape(8, 8)
    inked_columns = np.flatnonzero(digit.sum(axis=0))
    assert set(inked_columns) <= {3, 4} and 3 in inked_columns
    assert np.all(digit.sum(axis=1) > 0)  # it spans the full height
    np.testing.assert_array_equal(digit, digit[:1].repeat(8, axis=0))  # the same in every row


def test_a_horizontal_bar_is_centred_vertically():
    canvas = np.zeros((100, 120))
    canvas[20:30, 10:110] = 1.0
    digit = D.drawing_to_digit(canvas).reshape(8, 8)
    assert set(np.flatnonzero(digit.sum(axis=1))) <= {3, 4}
    assert np.all(digit.sum(axis=0) > 0)


def test_faint_grey_strokes_still_count():
    canvas = np.zeros((280, 280))
    canvas[40:240, 130:150] = 0.3
    digit = D.drawing_to_digit(canvas).reshape(8, 8)
    assert np.all(digit.sum(axis=1) > 0)


@pytest.mark.parametrize("blank", [np.zeros((280, 280)), np.full((50, 50), 0.01)])
def test_a_blank_drawing_asks_for_a_digit(blank):
    with pytest.raises(D.EmptyDrawingError, match="draw a digit first"):
        D.drawing_to_digit(blank)


def test_a_few_specks_are_not_a_digit():
    canvas = np.zeros((280, 280))
    canvas[[10, 100, 200], [20, 150, 30]] = 1.0
    with pytest.raises(ValueError, match="draw a digit first"):
        D.drawing_to_digit(canvas)


@pytest.mark.parametrize(
    "bitmap, message",
    [
        (np.zeros((28, 28, 3)), r"2-D array \(height, width\), got shape \(28, 28, 3\)"),
        (np.zeros(784), r"2-D array \(height, width\), got shape \(784,\)"),
        (np.ones((5, 40)), r"at least 8x8 pixels, got shape \(5, 40\)"),
        (np.where(np.eye(20) > 0, np.nan, 1.0), "NaN or infinite"),
        (np.full((20, 20), 2.0), r"values must lie in \[0, 1\]"),
        (np.full((20, 20), -0.5), r"values must lie in \[0, 1\]"),
        ([["a"] * 10] * 10, "2-D array of numbers"),
    ],
)
def test_bad_drawings_are_named(bitmap, message):
    with pytest.raises(ValueError, match=message) as caught:
        D.drawing_to_digit(bitmap)
    assert not isinstance(caught.value, D.EmptyDrawingError)


# --- Coloured shapes.


def shape_coverage(images):
    """How much of each pixel the shape covers, recovered from its own colour channel."""
    channel = images.max(axis=(1, 2)).argmax(axis=1)
    main = images[np.arange(len(images)), :, :, channel]
    full = main.max(axis=(1, 2), keepdims=True)
    return (main - D.BACKGROUND) / (full - D.BACKGROUND)


def test_coloured_shapes_shapes_ranges_and_balance():
    images, shapes, colours = D.coloured_shapes(900, seed=0)
    assert images.shape == (900, 16, 16, 3) and images.dtype == np.float64
    assert images.min() >= 0 and images.max() <= 1
    assert shapes.shape == colours.shape == (900,)
    assert D.SHAPES == ("circle", "square", "triangle") and D.COLOURS == ("red", "green", "blue")
    pairs = np.bincount(shapes * 3 + colours, minlength=9)
    assert pairs.tolist() == [100] * 9  # balanced, and shape tells nothing about colour
    # The corners of the frame are background wherever no shape reaches them.
    assert np.allclose(np.median(images[:, 0, 0]), D.BACKGROUND)
    other = D.coloured_shapes(50, seed=0, size=24)[0]
    assert other.shape == (50, 24, 24, 3)


def test_coloured_shapes_are_reproducible():
    a = D.coloured_shapes(30, seed=4)
    b = D.coloured_shapes(30, seed=4)
    c = D.coloured_shapes(30, seed=5)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.allclose(a[0], c[0])


def test_colour_label_is_the_dominant_channel_of_the_shape():
    images, _, colours = D.coloured_shapes(300, seed=1)
    inside = shape_coverage(images) > 0.5
    for image, mask, colour in zip(images, inside, colours):
        assert image[mask].mean(axis=0).argmax() == colour


def test_shape_areas_order_square_circle_triangle():
    images, shapes, _ = D.coloured_shapes(900, seed=2)
    area = shape_coverage(images).sum(axis=(1, 2))
    square, circle, triangle = (area[shapes == D.SHAPES.index(s)].mean() for s in ("square", "circle", "triangle"))
    assert square > circle > triangle
    # Same spread of sizes for every shape, and no shape cut off by the edge:
    # the areas keep the ratios of the whole shapes (pi/4 and 1/2 of the square).
    assert circle / square == pytest.approx(np.pi / 4, rel=0.08)
    assert triangle / square == pytest.approx(0.5, rel=0.08)


def test_coloured_shapes_bad_input():
    with pytest.raises(ValueError, match="size must be at least 8"):
        D.coloured_shapes(10, 0, size=4)
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        D.coloured_shapes(0, 0)


# --- More than two classes.


@pytest.mark.parametrize("name", D.MULTICLASS)
@pytest.mark.parametrize("k", [3, 4])
def test_blobs_and_spirals_come_in_more_classes_shared_out_evenly(name, k):
    X, y = D.toy(name, 2001, 0.0, seed=2, n_classes=k)
    assert X.shape == (2001, 2) and set(y) == set(range(k))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1 and counts[0] == counts.max()
    assert np.abs(X).max() <= 1.3
    # Each class keeps to its own place: its own cloud, or its own arm (turned 1/k of a turn).
    if name == "blobs":
        centres = np.array([X[y == c].mean(axis=0) for c in range(k)])
        angles = np.arctan2(centres[:, 1], centres[:, 0])
        np.testing.assert_allclose(np.linalg.norm(centres, axis=1), np.sqrt(0.5), atol=0.02)
        np.testing.assert_allclose(np.diff(np.unwrap(angles)), 2 * np.pi / k, atol=0.1)
    else:
        t = np.linalg.norm(X, axis=1) / 0.95
        arm = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - 2 * np.pi * D.SPIRAL_TURNS * t)))
        np.testing.assert_allclose(np.angle(np.exp(1j * (arm - 2 * np.pi * y / k))), 0, atol=1e-9)


def test_two_classes_are_the_sets_they_always_were():
    # The posts' figures and numbers were drawn from these: in two classes blobs and spirals are,
    # bit for bit, what their two-class formulas give (arms half a turn apart, centres at +-0.5).
    n, noise, seed = 50, 0.2, 4
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * D.SPIRAL_TURNS * t + np.pi * y
    X = 0.95 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + rng.normal(0.0, noise, (n, 2))
    got = D.toy("spirals", n, noise, seed)
    assert np.array_equal(got[0], X) and np.array_equal(got[1], y)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    X = np.where(y[:, None] == 1, 0.5, -0.5) + rng.normal(0.0, 0.15, (n, 2)) + rng.normal(0.0, noise, (n, 2))
    got = D.toy("blobs", n, noise, seed)
    assert np.array_equal(got[0], X) and np.array_equal(got[1], y)


def test_only_blobs_and_spirals_have_more_classes():
    with pytest.raises(ValueError, match="the xor data has two classes; 3 classes come with blobs or spirals"):
        D.toy("xor", 100, 0.1, seed=0, n_classes=3)
    with pytest.raises(ValueError, match="n_classes must be a whole number from 2 to 4"):
        D.toy("spirals", 100, 0.1, seed=0, n_classes=5)
