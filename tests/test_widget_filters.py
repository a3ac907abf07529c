"""The Filters widget's Python model (demos/widgets/filters.py) under CPython: the feature
maps are demos.conv's, edited kernels apply, the trained networks read the picture as the
digit widget's preprocessing prepares it, and bad kernels are refused in words."""

import json

import numpy as np
import pytest

from demos import conv, datasets, widgets
from demos.widgets import filters
from demos.widgets.filters import FiltersModel
from tests.stand_ins import conv_digits, conv_shapes

SIDE = 280  # the page's drawing canvas


def unpack(packed):
    text, arrays = packed
    return json.loads(text, object_hook=lambda d: arrays[d["__array__"]] if "__array__" in d else d)


@pytest.fixture(scope="module")
def digits_json():
    """A convolutional digits network of the asset build's form, trained briefly."""
    return conv_digits(epochs=8)


@pytest.fixture(scope="module")
def shapes_json():
    """An untrained shapes network of the asset build's form: the tests here ask for its
    numbers, not for its answers."""
    return conv_shapes(epochs=0)


@pytest.fixture
def model(digits_json, shapes_json):
    return FiltersModel(digits_json, shapes_json)


def stroke(columns=slice(130, 150), rows=slice(40, 240)):
    """A drawing of one vertical stroke, as the page sends it: ``(SIDE * SIDE,)`` uint8."""
    ink = np.zeros((SIDE, SIDE), dtype=np.uint8)
    ink[rows, columns] = 255
    return ink.ravel()


def kernel(name):
    return conv.kernel(name).ravel().tolist()


def test_the_feature_map_is_demos_conv_convolve_of_the_picture(model):
    answer = model.draw(stroke(), SIDE, SIDE, kernel("vertical_edge"))
    picture = answer["picture"]["grey"].astype(float)
    assert picture.shape == (filters.GRID, filters.GRID)
    # The drawing, averaged cell by cell: the stroke covers columns 13 and 14, rows 4 to 23.
    expected_picture = np.zeros((filters.GRID, filters.GRID))
    expected_picture[4:24, 13:15] = 1.0
    assert np.array_equal(picture, expected_picture)
    feature_map = answer["filter"]["map"]
    assert feature_map.dtype == np.float32
    np.testing.assert_allclose(feature_map, conv.convolve(picture, conv.kernel("vertical_edge"), padding=1),
                               atol=1e-6)
    # Every test picture too: digits as pixels / 16, shapes in grey (the mean of the channels).
    for i, sample in enumerate(model.describe()["samples"]):
        answer = model.pick(i, kernel("blur"))
        image = model.samples[i]["image"]
        grey = image if sample["kind"] == "digit" else image.mean(axis=-1)
        np.testing.assert_allclose(answer["filter"]["map"], conv.convolve(grey, conv.kernel("blur"), padding=1),
                                   atol=1e-6)
        assert answer["filter"]["name"] == "blur"


def test_test_pictures_are_the_posts_own(model):
    _, X_test, _, y_test = datasets.digits_split()
    zero = X_test[np.flatnonzero(y_test == 0)[0]] / 16.0
    assert np.array_equal(model.samples[0]["image"].ravel(), zero)
    names = [s["name"] for s in model.describe()["samples"]]
    assert names[: len(filters.DIGIT_SAMPLES)] == [f"digit {d}" for d in filters.DIGIT_SAMPLES]
    # One of each shape, named by its colour and shape; the triangle is post 7's figure's.
    assert [name.split()[1] for name in names[len(filters.DIGIT_SAMPLES):]] == list(datasets.SHAPES)
    images, labels, _ = datasets.coloured_shapes(30, seed=filters.SHAPE_SEED, size=16)
    triangle = images[np.flatnonzero(labels == datasets.SHAPES.index("triangle"))[0]]
    assert np.array_equal(model.samples[-1]["image"], triangle)


def test_an_edge_filter_lights_up_beside_a_vertical_stroke(model):
    answer = model.draw(stroke(), SIDE, SIDE, kernel("vertical_edge"))["filter"]
    feature_map = answer["map"]
    middle = feature_map[14]
    # Ink begins at column 13 (brighter to the right: positive) and ends after column 14.
    assert middle[12] == pytest.approx(4) and middle[13] == pytest.approx(4)
    assert middle[14] == pytest.approx(-4) and middle[15] == pytest.approx(-4)
    assert np.all(feature_map[:, :11] == 0) and np.all(feature_map[:, 17:] == 0)
    assert answer["description"] == (
        "Feature map of the vertical edge filter, 28 by 28: positive up to 4.00, strongest along the left side "
        "of the ink; negative down to \u22124.00, strongest along the right side of the ink; "
        "near zero in 89 % of it")
    # The horizontal edge filter sees only the stroke's two ends.
    horizontal = model.apply(kernel("horizontal_edge"))
    assert "strongest along the top of the ink" in horizontal["description"]
    assert "strongest along the bottom of the ink" in horizontal["description"]
    assert np.all(horizontal["map"][10:18] == 0)


def test_an_edited_kernel_applies_and_is_named_as_the_readers(model):
    model.pick(2, kernel("identity"))
    mine = [[0.5, -1, 0], [0, 2.25, 0], [1, 0, -3]]
    answer = model.apply(mine)
    np.testing.assert_allclose(answer["map"], conv.convolve(model.samples[2]["image"], np.array(mine), padding=1),
                               atol=1e-6)
    assert answer["name"] is None and answer["description"].startswith("Feature map of your filter, 8 by 8:")
    assert answer["low"] == pytest.approx(answer["map"].min()) and answer["high"] == pytest.approx(answer["map"].max())
    # Nine numbers in a row are read row by row; weights equal to a hand-made kernel take its name.
    flat = model.apply([0, 0, 0, 0, 1, 0, 0, 0, 0])
    assert flat["name"] == "identity"
    np.testing.assert_allclose(flat["map"], model.samples[2]["image"], atol=1e-6)
    # The identity map of a digit: largest on the ink, with no negative values.
    assert "no negative values" in flat["description"] and "on the ink" in flat["description"]


def test_the_networks_probabilities_sum_to_one(model, digits_json, shapes_json):
    for i, sample in enumerate(model.describe()["samples"]):
        network = model.pick(i, kernel("sharpen"))["network"]
        assert network["network"] == ("digits" if sample["kind"] == "digit" else "shapes")
        probabilities = network["probabilities"]
        assert len(probabilities) == len(network["classes"]) == (10 if sample["kind"] == "digit" else 3)
        assert probabilities.sum() == pytest.approx(1, abs=1e-6) and np.all(probabilities >= 0)
        assert network["answer"] == int(probabilities.argmax())
        assert network["probability"] == pytest.approx(probabilities.max())
    # The maps are the first layer's, from forward_all, after ReLU.
    shapes = conv.ConvNetwork.from_json(shapes_json)
    image = model.samples[-1]["image"]
    zs, _ = shapes.forward_all(image.transpose(2, 0, 1).reshape(1, -1))
    network = model.pick(len(model.samples) - 1, kernel("sharpen"))["network"]
    np.testing.assert_allclose(network["maps"], np.maximum(zs[0][0], 0), atol=1e-6)
    np.testing.assert_allclose(network["weights"], shapes.layers[0]["W"], atol=1e-6)
    assert len(network["descriptions"]) == network["maps"].shape[0] == 8


def test_a_drawing_is_read_as_the_digit_widget_reads_it(model, digits_json):
    network = model.draw(stroke(), SIDE, SIDE, kernel("identity"))["network"]
    bitmap = stroke().reshape(SIDE, SIDE) / 255.0
    rows = datasets.drawing_to_digit(bitmap)[None, :] / 16.0
    digits = conv.ConvNetwork.from_json(digits_json)
    np.testing.assert_allclose(network["probabilities"], digits.forward(rows)[0], atol=1e-6)
    np.testing.assert_allclose(network["seen"][..., 0], 1 - rows.reshape(8, 8), atol=1e-6)
    # A clear vertical stroke is a one, even for a briefly trained network.
    assert network["classes"][network["answer"]] == "1"


def test_an_empty_drawing_asks_for_a_digit(model):
    model.pick(0, kernel("identity"))
    answer = model.draw(np.zeros(SIDE * SIDE, dtype=np.uint8), SIDE, SIDE, kernel("vertical_edge"))
    assert answer["empty"] is True
    assert answer["network"] == {"empty": True, "message": "draw a digit first"}
    assert not answer["filter"]["map"].any()
    assert answer["filter"]["description"].endswith("zero everywhere")


@pytest.mark.parametrize("weights, message", [
    ([1, 2, 3, 4, 5, 6, 7, 8], "9 numbers, 3 rows of 3; got shape (8,)"),
    ([1] * 10, "got shape (10,)"),
    ([[1, 2, 3], [4, 5, 6]], "got shape (2, 3)"),
    ("123456789", "got '123456789'"),
    (None, "3 rows of 3; got None"),
    ([0, 0, 0, 0, None, 0, 0, 0, 0], "row 2, column 2 must be a finite number; got None"),
    ([0, 0, 0, 0, 0, float("nan"), 0, 0, 0], "row 2, column 3 must be a finite number; got nan"),
    ([[0, 0, float("inf")], [0, 0, 0], [0, 0, 0]], "row 1, column 3 must be a finite number; got inf"),
    ([0, 0, 0, 0, 0, 0, "1", 0, 0], "row 3, column 1 must be a finite number; got '1'"),
    ([0, 0, 0, 0, 0, 0, 0, True, 0], "row 3, column 2 must be a finite number; got True"),
])
def test_a_bad_kernel_is_refused_in_words(model, weights, message):
    with pytest.raises(ValueError, match="kernel") as error:
        model.apply(weights)
    assert message in str(error.value)
    with pytest.raises(ValueError, match="kernel"):
        model.draw(stroke(), SIDE, SIDE, weights)


def test_bad_pictures_samples_and_models_are_refused(model, digits_json, shapes_json):
    with pytest.raises(ValueError, match="multiple of 28 pixels"):
        model.draw(np.zeros(100 * 100, dtype=np.uint8), 100, 100, kernel("blur"))
    with pytest.raises(ValueError, match="ink has 10 values but the drawing is 280 x 280"):
        model.draw(np.zeros(10, dtype=np.uint8), SIDE, SIDE, kernel("blur"))
    with pytest.raises(ValueError, match="sample must be a whole number from 0 to 6"):
        model.pick(7, kernel("blur"))
    with pytest.raises(ValueError, match="unknown kernel 'edge'; choose one of identity"):
        FiltersModel(digits_json, shapes_json, kernel="edge")
    with pytest.raises(ValueError, match=r"the digits network must take \(1, 8, 8\) pictures"):
        FiltersModel(shapes_json, shapes_json)
    with pytest.raises(ValueError, match="not a saved convolutional network"):
        FiltersModel("{}", shapes_json)


def test_the_page_talks_to_it_through_json_and_arrays(digits_json, shapes_json):
    key = "filters-test"
    options = {"digits_json": digits_json, "shapes_json": shapes_json, "kernel": "horizontal_edge"}
    described = unpack(widgets.create(key, "filters", json.dumps(options)))
    assert described["kernel"] == "horizontal_edge"
    assert described["kernels"]["blur"] == kernel("blur")
    assert described["kernel_names"]["vertical_edge"] == "vertical edge"
    ink = stroke()
    args = {"ink": {"__array__": 0, "dtype": "uint8", "shape": [ink.size]}, "width": SIDE, "height": SIDE,
            "kernel": described["kernels"]["vertical_edge"]}
    answer = unpack(widgets.call(key, "draw", json.dumps(args), [ink.tobytes()]))
    assert answer["filter"]["name"] == "vertical_edge" and answer["filter"]["map"].dtype == np.float32
    assert answer["picture"]["rgb"].shape == (filters.GRID, filters.GRID, 3)
    # JSON has no NaN: the page sends null for a weight it could not read, and hears why.
    refused = unpack(widgets.call(key, "apply", json.dumps({"kernel": [0, 0, 0, 0, None, 0, 0, 0, 0]})))
    assert refused["__error__"]["type"] == "ValueError"
    assert "row 2, column 2 must be a finite number" in refused["__error__"]["message"]
    widgets.dispose(key)
