"""The live convolutional network's model (demos/widgets/convnet.py) under CPython: it trains the
very network post 7's figures were made with, reset replays a run, the curves stay the same size
over a long run, the picture is a test digit or a drawing read by the network as it stands, and
bad arguments are refused in words."""

import json

import numpy as np
import pytest

from demos import conv, datasets, widgets
from demos.conv import ConvNetwork
from demos.nn import Trainer, make_optimizer
from demos.widgets import convnet
from demos.widgets.convnet import ConvTrainingModel
from scripts.assets import shared
from scripts.assets.recipes import post7_convolution as p7
from scripts.site import blocks
from tests.sites import ROOT

SIDE = 168  # the page's drawing canvas
POST = ROOT / "docs" / "posts" / "07-convolutional-neural-networks.md"


def unpack(packed):
    text, arrays = packed
    return json.loads(text, object_hook=lambda d: arrays[d["__array__"]] if "__array__" in d else d)


def stroke():
    """A vertical stroke, a drawn 1, as the page sends it: ``(SIDE * SIDE,)`` uint8."""
    ink = np.zeros((SIDE, SIDE), dtype=np.uint8)
    ink[20:150, 78:92] = 255
    return ink.ravel()


@pytest.fixture
def model():
    return ConvTrainingModel()


# --- The same network as the build's.


def test_it_trains_exactly_what_the_recipe_trains():
    """The recipe of post 7's learned filters trains this model, made from its widget param,
    and the widget's own trainer: the same weights after the same mini-batches as a
    ConvNetwork and a Trainer set up by hand from the declaration."""
    options = p7.CONV_DIGITS_WIDGET["options"]
    assert p7.CONV_DIGITS_WIDGET["name"] == "convnet" and p7.COMPARE_PARAMS["widget"] is p7.CONV_DIGITS_WIDGET
    # Post 5's training settings, as the post says.
    assert options == {key: shared.DIGITS_TRAINING[key] for key in ("learning_rate", "batch_size", "l2", "seed")}
    live = shared.widget_model(p7.CONV_DIGITS_WIDGET)
    X_train, _, y_train, _ = shared.digits_data()
    network = ConvNetwork(**convnet.ARCHITECTURE, seed=options["seed"])
    trainer = Trainer(network, X_train, datasets.one_hot(y_train, 10), "categorical_cross_entropy",
                      make_optimizer("adam", options["learning_rate"]), batch_size=options["batch_size"],
                      l2=options["l2"], seed=options["seed"])
    for _ in range(20):
        trainer.step()
    live.step(20)
    for ours, theirs in zip(live.network.layers, network.layers):
        assert np.array_equal(ours["W"], theirs["W"]) and np.array_equal(ours["b"], theirs["b"])
    # What the recipe trains is the widget model's own trainer and network.
    runs = p7.train_digit_nets(p7.CONV_DIGITS_WIDGET, 1)
    fresh = shared.widget_model(p7.CONV_DIGITS_WIDGET)
    fresh.step(fresh.batches_per_epoch)
    assert np.array_equal(runs["conv"][0].layers[0]["W"], fresh.network.layers[0]["W"])


def test_the_posts_block_takes_the_options_the_figure_was_drawn_with():
    text = POST.read_text()
    body = next(part.split("```", 1)[0] for part in text.split("```widget\n")[1:] if "name: convnet" in part)
    # Both recipes that draw this network declare the same options: the figure and the video.
    assert p7.FORMING_PARAMS["widget"] is p7.CONV_DIGITS_WIDGET
    checked = blocks.check("widget", body, {"post7/filters-forming.mp4": p7.CONV_DIGITS_WIDGET})
    assert checked["fallback"] == "post7/filters-forming.mp4"
    for key, value in p7.CONV_DIGITS_WIDGET["options"].items():
        assert checked["options"][key] == value
    # A block that says otherwise stops the build.
    with pytest.raises(blocks.BlockError, match="was drawn with learning_rate"):
        blocks.check("widget", body + "learning_rate: 0.1\n", {"post7/filters-forming.mp4": p7.CONV_DIGITS_WIDGET})


# --- Training, reset and the curves.


def test_training_moves_the_filters_and_lifts_the_accuracy(model):
    start = model.describe()
    assert start["steps"] == 0 and start["moved"] == 0 and len(start["loss"]) == 0
    assert start["test_accuracy"][0] < 0.3  # about chance before any training
    assert start["filters"].shape == (8, 3, 3) and start["filters"].dtype == np.float32
    answer = model.step(convnet.POINTS_PER_EPOCH * model.every)  # about an epoch, ending on a point
    assert answer["steps"] == convnet.POINTS_PER_EPOCH * model.every
    assert answer["epoch"] == pytest.approx(answer["steps"] / model.batches_per_epoch)
    assert 0.9 < answer["epoch"] < 1.1
    assert answer["moved"] > 0.05
    assert len(answer["loss"]) == convnet.POINTS_PER_EPOCH
    assert len(answer["test_accuracy"]) == convnet.POINTS_PER_EPOCH + 1
    assert answer["test_accuracy"][-1] > 0.8
    assert answer["loss"][-1] < answer["loss"][0]
    # The curve's accuracies are the network's own on the followed digits.
    n = model.n_check_train
    assert answer["test_accuracy"][-1] == pytest.approx(model.network.accuracy(model.X_test, model.y_test))
    assert answer["train_accuracy"][-1] == pytest.approx(
        model.network.accuracy(model.X_train[::convnet.TRAIN_SAMPLE], model.y_train[::convnet.TRAIN_SAMPLE]))
    assert n == len(model.X_train[::convnet.TRAIN_SAMPLE])


def test_reset_replays_the_same_run_from_the_seed(model):
    first = model.describe()["filters"].copy()
    trained = model.step(30)["filters"].copy()
    again = model.reset()
    assert np.array_equal(again["filters"], first) and again["steps"] == 0
    assert np.array_equal(model.step(30)["filters"], trained)
    other = ConvTrainingModel(seed=7)
    assert not np.array_equal(other.describe()["filters"], first)


def test_calls_split_as_the_page_likes_give_the_same_run(model):
    one = ConvTrainingModel()
    one.step(40)
    for batches in (1, 3, 7, 29):
        model.step(batches)
    assert np.array_equal(one.network.layers[0]["W"], model.network.layers[0]["W"])


def test_a_long_run_keeps_curves_of_the_same_size(monkeypatch):
    monkeypatch.setattr(convnet, "MAX_POINTS", 8)
    model = ConvTrainingModel(batch_size=128)  # 11 mini-batches an epoch, a point every 4
    assert model.every == 4
    for _ in range(40):
        answer = model.step(4)
    assert len(answer["loss"]) <= 8 and len(answer["test_accuracy"]) <= 9
    assert answer["every"] > 4 and answer["every"] % 4 == 0
    # Each point still stands for `every` mini-batches: the points cover the steps taken.
    assert len(answer["loss"]) * answer["every"] <= answer["steps"] < (len(answer["loss"]) + 1) * answer["every"]


def test_merging_averages_the_loss_and_keeps_the_later_accuracies(model):
    model.curve = {"loss": [4.0, 2.0, 1.0, 0.5], "train_accuracy": [0.1, 0.2, 0.3, 0.4, 0.5],
                   "test_accuracy": [0.0, 0.25, 0.5, 0.75, 1.0]}
    every = model.every
    model._merge()
    assert model.curve == {"loss": [3.0, 0.75], "train_accuracy": [0.1, 0.3, 0.5], "test_accuracy": [0.0, 0.5, 1.0]}
    assert model.every == 2 * every


def test_settings_start_a_new_run_and_keep_the_picture(model):
    model.pick(7)
    model.step(5)
    described = model.configure(learning_rate=0.03, batch_size=16)
    assert described["settings"] == {"learning_rate": 0.03, "batch_size": 16, "l2": 0.001, "seed": 1}
    assert described["steps"] == 0 and described["picture"]["name"] == "test digit 7"
    assert described["batches_per_epoch"] == -(-described["n_train"] // 16)


# --- The picture.


def test_feature_maps_are_the_first_layers_over_the_picture(model):
    model.step(10)
    answer = model.pick(4)
    _, X_test, _, y_test = datasets.digits_split()
    digit = X_test[np.flatnonzero(y_test == 4)[0]].reshape(8, 8) / datasets.PIXEL_MAX
    assert answer["name"] == "test digit 4" and np.allclose(answer["pixels"], digit)
    W, b = model.network.layers[0]["W"], model.network.layers[0]["b"]
    for f in range(8):
        by_hand = np.maximum(conv.convolve(digit, W[f, 0], padding=1) + b[f], 0)
        assert np.allclose(answer["maps"][f], by_hand, atol=1e-5)
    assert answer["probabilities"].sum() == pytest.approx(1, abs=1e-5)
    assert answer["answer"] == int(np.argmax(answer["probabilities"]))
    assert len(answer["map_descriptions"]) == 8


def test_the_picture_follows_training(model):
    before = model.pick(3)["probabilities"].copy()
    after = model.step(model.batches_per_epoch)["picture"]
    assert after["name"] == "test digit 3" and not np.allclose(before, after["probabilities"])
    assert after["answer"] == 3


def test_a_drawing_is_read_as_the_digit_widget_reads_it(model):
    model.step(2 * model.batches_per_epoch)
    answer = model.draw(stroke(), SIDE, SIDE)
    pixels = datasets.drawing_to_digit(stroke().reshape(SIDE, SIDE) / 255.0) / datasets.PIXEL_MAX
    assert answer["name"] == "your drawing" and np.allclose(answer["pixels"], pixels.reshape(8, 8))
    assert answer["answer"] == 1
    # Training goes on reading the drawing.
    assert model.step(1)["picture"]["name"] == "your drawing"
    empty = model.draw(np.zeros(SIDE * SIDE, np.uint8), SIDE, SIDE)
    assert empty["empty"] and empty["message"]


def test_the_video_records_the_widgets_own_training():
    """The fallback video's frames are the widget model's state after the mini-batches each names."""
    model = shared.widget_model(p7.CONV_DIGITS_WIDGET)
    record = p7.record_training(model, [0, 0, 3, 10], sample=4)
    assert record["filters"].shape == (4, 8, 3, 3) and record["maps"].shape == (4, 8, 8, 8)
    fresh = shared.widget_model(p7.CONV_DIGITS_WIDGET)
    assert np.array_equal(record["filters"][0], fresh.network.layers[0]["W"][:, 0])
    assert np.array_equal(record["filters"][1], record["filters"][0])
    fresh.step(10)
    assert np.array_equal(record["filters"][3], fresh.network.layers[0]["W"][:, 0])
    assert np.array_equal(record["maps"][3], fresh.pick(4)["maps"])
    assert record["epoch"][3] == pytest.approx(10 / fresh.batches_per_epoch)
    assert record["test_accuracy"][3] == fresh.network.accuracy(fresh.X_test, fresh.y_test)


def test_filters_are_told_in_words():
    vertical = conv.kernel("vertical_edge")[None, None]
    likeness = convnet.edge_likeness(np.concatenate([vertical, -vertical, vertical.transpose(0, 1, 3, 2)]))
    assert [name for name, _ in likeness] == ["vertical_edge", "vertical_edge", "horizontal_edge"]
    assert np.allclose([similarity for _, similarity in likeness], [1, -1, 1])
    assert convnet.describe_filter("vertical_edge", 0.9).startswith("an edge detector, more ink to the right")
    assert convnet.describe_filter("horizontal_edge", -0.7).startswith("an edge detector, more ink above")
    assert convnet.describe_filter("vertical_edge", 0.3).startswith("no clear edge")


# --- Bad input, and the page's protocol.


@pytest.mark.parametrize("call, message", [
    (lambda m: m.step(0), "batches must be a whole number from 1"),
    (lambda m: m.step(1.5), "batches must be a whole number"),
    (lambda m: m.pick(10), "sample must be a whole number from 0 to 9"),
    (lambda m: m.draw(np.zeros(10, np.uint8), SIDE, SIDE), "ink has 10 values but the drawing is 168 x 168"),
    (lambda m: m.configure(learning_rate=-1), "learning rate must be a positive number"),
    (lambda m: m.configure(l2=-1), "l2 must be a number >= 0"),
    (lambda m: m.configure(batch_size=0), "batch size must be at least 1"),
])
def test_bad_arguments_are_refused_in_words(model, call, message):
    with pytest.raises(ValueError, match=message):
        call(model)


def test_the_page_talks_to_it_through_json_and_arrays():
    key = "convnet-test"
    described = unpack(widgets.create(key, "convnet", json.dumps({"seed": 3, "batch_size": 64})))
    assert described["settings"]["seed"] == 3 and described["spec"]["batch_size"]["menu"]
    assert described["n_parameters"] == 1370 and described["samples"] == [str(d) for d in range(10)]
    answer = unpack(widgets.call(key, "step", json.dumps({"batches": 4})))
    assert answer["steps"] == 4 and answer["filters"].dtype == np.float32
    ink = stroke()
    args = {"ink": {"__array__": 0, "dtype": "uint8", "shape": [ink.size]}, "width": SIDE, "height": SIDE}
    drawn = unpack(widgets.call(key, "draw", json.dumps(args), [ink.tobytes()]))
    assert drawn["name"] == "your drawing" and drawn["maps"].shape == (8, 8, 8)
    refused = unpack(widgets.call(key, "step", json.dumps({"batches": 0})))
    assert refused["__error__"]["type"] == "ValueError"
    widgets.dispose(key)
