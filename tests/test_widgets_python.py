"""The widgets' Python models (demos/widgets/) under CPython, and the message packing
the browser's worker relies on. The same code runs in Pyodide; test_parity.py checks
that it gives the same numbers there."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from demos import datasets, nn, widgets
from demos.nn import Network, TrainingDiverged
from demos.widgets import neuron
from demos.widgets.backprop import PARAMETERS, BackpropModel
from demos.widgets.digit import DigitModel
from demos.widgets.labels import LabelsModel
from demos.widgets.line import LineModel
from demos.widgets import playground
from demos.widgets.playground import PlaygroundModel, grid_points
from demos.widgets.shapes import ShapesModel


def unpack(packed):
    """The page's view of an answer: JSON with the arrays put back in place."""
    text, arrays = packed
    return json.loads(text, object_hook=lambda d: arrays[d["__array__"]] if "__array__" in d else d)


# --- The message protocol.


def test_create_call_and_dispose_through_json_and_arrays():
    key = "neuron-test"
    answer = unpack(widgets.create(key, "neuron", json.dumps({"preset": "red"})))
    assert answer["preset"] == "red" and answer["colours"].dtype == np.float32
    assert answer["colours"].shape == (len(neuron.SAMPLES), 3)
    text, arrays = widgets.call(key, "evaluate", json.dumps({"weights": [1, 0, 0], "bias": 0, "activation": "relu"}))
    # Arrays travel beside the JSON, contiguous, in one of the dtypes the page can view.
    assert json.loads(text)["a"] == {"__array__": 1, "dtype": "float64", "shape": [len(neuron.SAMPLES)]}
    assert all(a.flags.c_contiguous and a.dtype.name in widgets.DTYPES for a in arrays)
    assert widgets.n_models() >= 1
    widgets.dispose(key)
    gone = unpack(widgets.call(key, "evaluate", "{}"))
    assert gone["__error__"]["type"] == "ValueError" and "disposed" in gone["__error__"]["message"]
    widgets.dispose(key)  # twice is harmless


def test_after_import_all_no_widget_imports_anything_more():
    # The browser's snapshot of Python is kept after import_all(): a widget that imported a module
    # of ours or of NumPy's later would pay for it on every revisit. A fresh interpreter, as the
    # worker's is, runs the build's exercise of every widget (scripts/runtime/runtime_trace.py).
    script = """
import sys
from demos import widgets
widgets.import_all()
before = set(sys.modules)
from scripts.runtime import runtime_trace
runtime_trace.exercise_every_widget()
print(sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ("demos", "numpy")))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_errors_come_back_as_words_with_their_type():
    assert "unknown widget" in unpack(widgets.create("x", "nope", "{}"))["__error__"]["message"]
    bad = unpack(widgets.create("x", "neuron", json.dumps({"preset": "pink"})))["__error__"]
    assert bad["type"] == "ValueError" and "purple" in bad["message"]
    unknown_option = unpack(widgets.create("x", "neuron", json.dumps({"preset": "red", "speed": 2})))
    assert unknown_option["__error__"]["type"] == "TypeError"
    widgets.create("n", "neuron", json.dumps({"preset": "red"}))
    private = unpack(widgets.call("n", "__init__", "{}"))["__error__"]
    assert "no method '__init__'" in private["message"] and "evaluate" in private["message"]
    diverged = PlaygroundModel(dataset="xor", learning_rate=10, l2=1)
    widgets._models["p"] = diverged
    answers = [unpack(widgets.call("p", "step", json.dumps({"epochs": 50})))]
    assert answers[0]["__error__"]["type"] == "TrainingDiverged"
    assert "learning rate" in answers[0]["__error__"]["message"]
    widgets.dispose("n")
    widgets.dispose("p")


def test_array_arguments_arrive_as_numpy_arrays():
    # The worker sends typed arrays as raw bytes plus a {"__array__", dtype, shape} reference.
    points = np.array([[0.5, 0.5], [-0.5, -0.5]], dtype=np.float32)
    labels = np.array([1, 0], dtype=np.uint8)
    args = {"points": {"__array__": 0, "dtype": "float32", "shape": [4]},
            "labels": {"__array__": 1, "dtype": "uint8", "shape": [2]}}
    widgets.create("l", "line", json.dumps({"dataset": "blobs", "points": 20}))
    answer = unpack(widgets.call("l", "set_points", json.dumps(args), [points.tobytes(), labels.tobytes()]))
    assert answer["accuracy"] in (0.0, 0.5, 1.0)
    assert np.array_equal(widgets._models["l"].X, points.astype(float))
    bad = dict(args, labels={"__array__": 1, "dtype": "complex64", "shape": [2]})
    refused = unpack(widgets.call("l", "set_points", json.dumps(bad), [points.tobytes(), labels.tobytes()]))
    assert "dtype 'complex64'" in refused["__error__"]["message"]
    widgets.dispose("l")


def test_answers_that_are_not_numbers_are_refused():
    with pytest.raises(TypeError):
        widgets._pack(np.array(["a"]), [])
    # NaN is not JSON: a model that produced one reports an error instead of a broken answer.
    assert "__error__" in json.loads(widgets._answer(lambda: {"loss": float("nan")})[0])


# --- The colour neuron.


def test_neuron_is_a_weighted_sum_through_the_activation():
    model = neuron.NeuronModel("purple", "sigmoid")
    weights, bias = [2.0, -1.0, 0.5], -0.25
    colours = np.array([rgb for _, rgb in neuron.SAMPLES])
    z = colours @ weights + bias
    for activation, f in [("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("tanh", np.tanh),
                          ("relu", lambda z: np.maximum(z, 0))]:
        answer = model.evaluate(weights, bias, activation)
        np.testing.assert_allclose(answer["z"], z)
        np.testing.assert_allclose(answer["a"], f(z))
        assert answer["shade"].min() >= 0 and answer["shade"].max() <= 1
    np.testing.assert_allclose(model.evaluate(weights, bias, "tanh")["shade"], (np.tanh(z) + 1) / 2, rtol=1e-6)


def test_each_preset_looks_for_its_colour():
    names = [name for name, _ in neuron.SAMPLES]
    for preset in ("red", "green", "blue", "purple"):
        model = neuron.NeuronModel(preset)
        a = model.evaluate(activation="sigmoid", **neuron.PRESETS[preset])["a"]
        assert a[names.index(preset)] > 0.7, preset
        assert a[names.index("white")] < 0.3 and a[names.index("black")] < 0.3, preset
    grey = neuron.NeuronModel("grey").evaluate(activation="sigmoid", **neuron.PRESETS["grey"])["a"]
    assert grey[names.index("white")] > grey[names.index("grey")] > grey[names.index("black")]


def test_neuron_refuses_bad_weights():
    model = neuron.NeuronModel("red")
    with pytest.raises(ValueError, match="three numbers"):
        model.evaluate([1, 2], 0, "sigmoid")
    with pytest.raises(ValueError, match="bias"):
        model.evaluate([1, 2, 3], float("inf"), "sigmoid")
    with pytest.raises(ValueError, match="activation"):
        model.evaluate([1, 2, 3], 0, "softmax")


# --- Backpropagation, one step at a time.


def test_backprop_shows_the_chain_rule_factors_that_make_each_gradient():
    model = BackpropModel(seed=4, learning_rate=0.5)
    forward, backward = model.forward(), model.backward()
    (x1, x2), y = model.describe()["x"], model.describe()["y"]
    W1, b1 = model.network.layers[0]["W"], model.network.layers[0]["b"]
    W2, b2 = model.network.layers[1]["W"][:, 0], model.network.layers[1]["b"][0]
    np.testing.assert_allclose(forward["z1"], [x1 * W1[0, j] + x2 * W1[1, j] + b1[j] for j in range(2)])
    np.testing.assert_allclose(forward["h"], np.tanh(forward["z1"]))
    assert forward["p"] == pytest.approx(1 / (1 + np.exp(-(forward["h"] @ W2 + b2))))
    assert forward["loss"] == pytest.approx(-np.log(forward["p"]))  # the target is 1
    # The factors the widget prints multiply to the gradients backpropagation found.
    assert backward["error_out"] == pytest.approx(forward["p"] - y)
    np.testing.assert_allclose(backward["error_hidden"], W2 * backward["error_out"])
    np.testing.assert_allclose(backward["slope"], 1 - forward["h"] ** 2)
    np.testing.assert_allclose(backward["error_z1"], backward["error_hidden"] * backward["slope"])
    gradient = dict(zip([name for name, *_ in PARAMETERS], backward["gradients"]))
    assert gradient["W1[2][1]"] == pytest.approx(x2 * backward["error_z1"][0])
    assert gradient["W2[2]"] == pytest.approx(forward["h"][1] * backward["error_out"])
    assert gradient["b2"] == pytest.approx(backward["error_out"])


def test_backprop_nudge_changes_the_loss_by_about_gradient_times_epsilon_and_update_lowers_it():
    model = BackpropModel(seed=0, learning_rate=0.5)
    weights = model.weights()
    for name, *_ in PARAMETERS:
        errors = []
        for epsilon in (0.1, 0.01, 0.001):
            answer = model.nudge(name, epsilon)
            assert answer["change"] == pytest.approx(answer["loss_after"] - answer["loss_before"])
            errors.append(abs(answer["change"] - answer["predicted"]))
        # The finite difference closes in on gradient x epsilon as epsilon shrinks (error ~ epsilon^2).
        assert errors[2] < errors[1] < errors[0] or max(errors) < 1e-12, name
        assert errors[2] < 1e-5, name
    np.testing.assert_array_equal(model.weights(), weights)  # a nudge leaves the network as it was
    gradients = model.backward()["gradients"]
    answer = model.update()
    np.testing.assert_allclose(model.weights(), weights - 0.5 * gradients)
    assert answer["loss"] < answer["loss_before"] and answer["updates"] == 1
    assert model.reset()["updates"] == 0
    np.testing.assert_array_equal(model.weights(), weights)  # Reset replays the seed


def test_backprop_refuses_an_unknown_weight_and_a_bad_epsilon():
    model = BackpropModel()
    with pytest.raises(ValueError, match="unknown parameter 'W3'; choose one of W1"):
        model.nudge("W3", 0.01)
    with pytest.raises(ValueError, match="epsilon"):
        model.nudge("b2", 0.0)
    with pytest.raises(ValueError, match="learning_rate"):
        BackpropModel(learning_rate=-1)


# --- The playground.


def test_playground_learns_and_reports_its_pictures():
    model = PlaygroundModel(dataset="circles", hidden=[6], learning_rate=0.3, batch_size=10, seed=1)
    start = model.describe()
    assert len(start["train_points"]) == len(start["train_labels"]) == 125
    assert start["output"].shape == (100 * 100,) and start["units"].shape == (6, 24 * 24)
    losses = []
    for _ in range(20):
        answer = model.step(5)
        losses += answer["train_loss"]
    assert answer["epoch"] == 100 and len(losses) == 100
    assert losses[-1] < 0.5 * losses[0]
    assert answer["train_accuracy"] > 0.9 and answer["test_accuracy"] > 0.85
    # The picture is the network's output on the grid, row 0 at the top.
    np.testing.assert_allclose(answer["output"], model.network.forward(model.grid_inputs)[:, 0], rtol=1e-6)


def test_playground_scores_from_one_pass_match_each_set_on_its_own():
    # The model runs the training and the test points through the network in one pass.
    model = PlaygroundModel(dataset="moons", hidden=[5, 3], learning_rate=0.3, split=0.6, seed=2)
    answer = model.step(3)
    # (Not bit for bit: a BLAS may round a row differently in a taller matrix.)
    network = model.network
    loss = lambda X, y: network.loss(X, y[:, None], "binary_cross_entropy")  # noqa: E731
    assert answer["train_loss"][-1] == pytest.approx(loss(model.X_train, model.y_train), rel=1e-12)
    assert answer["test_loss"][-1] == pytest.approx(loss(model.X_test, model.y_test), rel=1e-12)
    assert answer["train_accuracy"] == network.accuracy(model.X_train, model.y_train)
    assert answer["test_accuracy"] == network.accuracy(model.X_test, model.y_test)
    hidden = np.concatenate(network.forward_all(model.unit_inputs)[1][1:-1], axis=1).T
    np.testing.assert_allclose(answer["units"], hidden, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(answer["output"], network.forward(model.grid_inputs)[:, 0], rtol=1e-6, atol=1e-7)


def test_grid_runs_left_to_right_and_top_to_bottom():
    points = grid_points(1.0, 4)
    np.testing.assert_allclose(points[0], [-0.75, 0.75])  # top-left cell centre
    np.testing.assert_allclose(points[3], [0.75, 0.75])
    np.testing.assert_allclose(points[-1], [0.75, -0.75])


def test_playground_reset_replays_the_seed_and_configure_starts_over():
    model = PlaygroundModel(dataset="moons", hidden=[4, 4], optimizer="adam", learning_rate=0.01, seed=3)
    first = [model.step(1)["train_loss"][0] for _ in range(5)]
    model.reset()
    assert [model.step(1)["train_loss"][0] for _ in range(5)] == first
    answer = model.configure(dataset="xor", hidden=[], split=0.8, seed=3)
    assert answer["units"].shape == (0, 24 * 24) and answer["epoch"] == 0
    assert len(answer["train_points"]) == 200 and len(answer["test_points"]) == 50


def test_playground_says_what_is_wrong_with_its_settings():
    with pytest.raises(ValueError, match="hidden"):
        PlaygroundModel(dataset="xor", hidden=[4, 4, 4, 4, 4])
    with pytest.raises(ValueError, match="activation"):
        PlaygroundModel(dataset="xor", activation="softmax")
    with pytest.raises(ValueError, match="dataset"):
        PlaygroundModel(dataset="spiral")
    with pytest.raises(ValueError, match="learning rate"):
        PlaygroundModel(dataset="xor", learning_rate=-1)
    with pytest.raises(ValueError, match="epochs"):
        PlaygroundModel(dataset="xor").step(0)


def test_playground_divergence_is_reported_not_drawn():
    model = PlaygroundModel(dataset="xor", learning_rate=10, l2=1)
    with pytest.raises(TrainingDiverged):
        for _ in range(100):
            model.step(1)


def test_playground_learns_three_arm_spirals_with_a_softmax_output():
    model = PlaygroundModel(dataset="spirals", classes=3, noise=0.05, hidden=[8, 8], activation="relu",
                            learning_rate=0.01, optimizer="adam", batch_size=10, n_samples=300, seed=1)
    start = model.describe()
    assert set(start["train_labels"]) == {0, 1, 2} and len(start["train_points"]) == 150
    assert start["output"].shape == (100 * 100, 3) and model.network.activations[-1].name == "softmax"
    answer = model.step(100)
    assert answer["train_loss"][-1] < 0.5 * answer["train_loss"][0]
    assert answer["train_accuracy"] > 0.85 and answer["test_accuracy"] > 0.75
    # The loss is the categorical cross-entropy of the one-hot classes; the picture each class's probability.
    network = model.network
    Y = np.eye(3)[model.y_train]
    assert answer["train_loss"][-1] == pytest.approx(network.loss(model.X_train, Y, "categorical_cross_entropy"),
                                                     rel=1e-12)
    np.testing.assert_allclose(answer["output"], network.forward(model.grid_inputs), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(answer["output"].sum(axis=1), 1, rtol=1e-5)
    assert answer["train_accuracy"] == network.accuracy(model.X_train, model.y_train)


def test_playground_two_classes_are_the_run_they_always_were():
    # Posts 3 and 4 quote runs of the two-class playground: its new options at their defaults
    # change nothing (same points, same network, same losses as an explicit two-class set-up).
    plain = PlaygroundModel(dataset="spirals", hidden=[8, 8], learning_rate=0.03, seed=0)
    X, y = datasets.toy("spirals", 250, 0.1, 0)
    np.testing.assert_array_equal(plain.X_train, X[:125])
    np.testing.assert_array_equal(plain.y_test, y[125:])
    network = Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(plain.network.layers, network.layers))
    assert plain.network.sizes == [2, 8, 8, 1]


def test_playground_four_blobs_and_more_points_and_a_new_data_seed():
    model = PlaygroundModel(dataset="blobs", classes=4, n_samples=500, split=0.5, hidden=[6], learning_rate=0.3,
                            seed=2)
    assert len(model.X) == 500 and model.n_train == 250 and set(model.y) == {0, 1, 2, 3}
    assert model.step(40)["test_accuracy"] > 0.9
    # Regenerate: new points from seed + data_seed, the same starting weights.
    again = PlaygroundModel(dataset="blobs", classes=4, n_samples=500, hidden=[6], seed=2, data_seed=1)
    assert not np.array_equal(again.X, model.X)
    np.testing.assert_array_equal(again.X, datasets.toy("blobs", 500, 0.1, 3, 4)[0][[*range(500)]])
    fresh = PlaygroundModel(dataset="blobs", classes=4, n_samples=500, hidden=[6], seed=2)
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(again.network.layers, fresh.network.layers))
    with pytest.raises(ValueError, match="the xor data has two classes"):
        PlaygroundModel(dataset="xor", classes=3)
    with pytest.raises(ValueError, match="n_samples must be a whole number from 0 to 500"):
        PlaygroundModel(dataset="xor", n_samples=501)


def test_playground_features_are_inputs_besides_x_and_y():
    model = PlaygroundModel(dataset="circles", features=["sinx", "x2", "y2"], hidden=[], learning_rate=0.3, seed=0)
    # In FEATURES' order, whatever order they were asked in.
    assert model.settings["features"] == ["x2", "y2", "sinx"] and model.network.sizes == [5, 1]
    x, y = model.X[:, 0], model.X[:, 1]
    np.testing.assert_allclose(model.inputs, np.column_stack([x, y, x * x, y * y, np.sin(np.pi * x)]))
    start = model.describe()
    assert start["input_names"] == ["x", "y", "x²", "y²", "sin πx"]
    grid = grid_points(model.extent, 24)
    np.testing.assert_allclose(start["inputs"][2], grid[:, 0] ** 2, rtol=1e-6)
    np.testing.assert_allclose(start["inputs"][1], grid[:, 1], rtol=1e-6)
    # The classic lesson: x² and y² make a circle a straight cut, which no hidden layer can learn from x and y.
    assert model.step(100)["test_accuracy"] > 0.95
    assert PlaygroundModel(dataset="circles", hidden=[], learning_rate=0.3, seed=0).step(100)["test_accuracy"] < 0.75
    with pytest.raises(ValueError, match="unknown feature 'z2'; choose any of x2, y2, xy, sinx, siny"):
        PlaygroundModel(dataset="circles", features=["z2"])


def test_playground_takes_the_readers_points_and_splits_them_by_the_share():
    own = [[0.1 * k - 0.5, 0.2, k % 3] for k in range(10)]
    model = PlaygroundModel(dataset="spirals", classes=3, n_samples=100, split=0.7, points=own, seed=0)
    # Point k trains when it brings the training count up to ceil(0.7 (k + 1)): the first one
    # does, 7 of 10 do, and one added at the end never moves another.
    trains = [bool(v) for v in np.diff(np.ceil(0.7 * np.arange(11) - 1e-9))]
    assert trains[0] and sum(trains) == 7
    assert model.n_train == 70 + 7 and len(model.X_test) == 30 + 3 and model.describe()["n_own"] == [7, 3]
    assert model.describe()["own_test"].tolist() == [int(not t) for t in trains]
    np.testing.assert_array_equal(model.X_train[70:], np.array(own)[trains][:, :2])
    np.testing.assert_array_equal(model.y_test[30:], np.array(own)[~np.array(trains)][:, 2])
    more = PlaygroundModel(dataset="spirals", classes=3, n_samples=100, split=0.7, points=[*own, [0, 0, 1]])
    np.testing.assert_array_equal(more.X_train[70:77], model.X_train[70:])
    # Only the reader's points: no data drawn at all; none at all: nothing to train, said so.
    alone = PlaygroundModel(dataset="blobs", n_samples=0, points=[[0.5, 0.5, 1], [-0.5, -0.5, 0], [0.4, 0.6, 1]])
    assert alone.n_train == 2 and alone.step(20)["train_accuracy"] == 1.0
    single = PlaygroundModel(dataset="blobs", n_samples=0, points=[[0.5, 0.5, 1]]).step(2)  # nothing to test on
    assert single["test_loss"] == [None, None] and single["test_accuracy"] is None
    json.dumps(single["test_loss"], allow_nan=False)
    assert alone.settings["points"] == [[0.5, 0.5, 1], [-0.5, -0.5, 0], [0.4, 0.6, 1]]
    empty = PlaygroundModel(dataset="blobs", n_samples=0)
    assert empty.describe()["train_accuracy"] is None
    with pytest.raises(ValueError, match="there are no training points"):
        empty.step(1)
    # A point off the plane is kept on its edge; a class the data does not have is refused.
    edge = PlaygroundModel(dataset="blobs", points=[[9, 0, 0]])
    assert edge.X_train[-1].tolist() == [edge.extent, 0]
    with pytest.raises(ValueError, match="a point's class must be a whole number from 0 to 1"):
        PlaygroundModel(dataset="blobs", points=[[0, 0, 2]])
    with pytest.raises(ValueError, match="points must be rows of x, y and a class"):
        PlaygroundModel(dataset="blobs", points=[[0, 0]])


def test_playground_silenced_neuron_changes_the_regions_at_once_and_stays_off():
    model = PlaygroundModel(dataset="spirals", classes=3, hidden=[8, 8], learning_rate=0.1, seed=3)
    trained = model.step(60)
    # Neurons numbered across the hidden layers, as demos.nn.Network.silencing numbers them.
    off = model.silence([2, 8 + 5])
    # At once, before any training: the neuron's picture is blank, the regions and scores move.
    assert off["epoch"] == 60 and off["silenced"] == [2, 13]
    assert np.all(off["units"][2] == 0) and np.all(off["units"][13] == 0) and np.any(trained["units"][2] != 0)
    assert np.abs(off["output"] - trained["output"]).max() > 0.01
    network = model.network
    np.testing.assert_allclose(off["output"], network.forward(model.grid_inputs, [2, 13]), rtol=1e-5, atol=1e-7)
    assert off["train_accuracy"] == network.accuracy(model.inputs[: model.n_train], model.y_train, [2, 13])
    loss = network.loss(model.inputs[: model.n_train], np.eye(3)[model.y_train], "categorical_cross_entropy",
                        silenced=[2, 13])
    # Training goes on without them (the others learn to do without), and Reset keeps them off.
    later = model.step(20)
    assert np.all(later["units"][2] == 0) and later["train_loss"][-1] < loss - 0.03  # ignoring them: 0.99
    assert model.trainer.silenced == [2, 13]
    assert np.all(model.reset()["units"][2] == 0) and model.trainer.silenced == [2, 13]
    on = model.silence([])
    assert np.any(on["units"][2] != 0) and on["silenced"] == []
    with pytest.raises(ValueError, match="no hidden unit 16"):
        model.silence([16])


def test_playground_replays_snapshots_kept_within_a_bound():
    settings = dict(dataset="spirals", classes=3, hidden=[6, 6], learning_rate=0.03, seed=4)
    model = PlaygroundModel(**settings)
    for _ in range(6):
        model.step(25)
    latest = model.snapshot([], [])
    assert latest["replay_epochs"] == list(range(0, 151, 5))
    # Epoch 50, redrawn: the network as it was then, as a run stopped there shows it.
    at_50 = model.replay(10)
    stopped = PlaygroundModel(**settings)
    stopped.step(50)
    then = stopped.snapshot([], [])
    assert at_50["epoch"] == 50 and at_50["replaying"] == 10 and at_50["train_loss"] == []
    for key in ("output", "units", "train_accuracy", "test_accuracy"):
        np.testing.assert_array_equal(at_50[key], then[key])
    # Replaying changes nothing: training goes on from the latest weights.
    np.testing.assert_array_equal(model.snapshot([], [])["output"], latest["output"])
    # Reset with the same seed: the same snapshots again.
    model.reset()
    model.step(150)
    np.testing.assert_array_equal(model.replay(10)["output"], at_50["output"])
    # A long run keeps at most MAX_SNAPSHOTS, spread over all of it.
    long = PlaygroundModel(dataset="xor", hidden=[2], batch_size=200, seed=0)
    for _ in range(3):
        long.step(1000)
    epochs = long.snapshot([], [])["replay_epochs"]
    assert len(epochs) <= playground.MAX_SNAPSHOTS and epochs[0] == 0 and epochs[-1] >= 2900
    assert len(set(np.diff(epochs))) == 1
    # One past the last snapshot is now.
    now = model.replay(len(model.snapshot_epochs))
    assert now["replaying"] is None and now["epoch"] == 150
    np.testing.assert_array_equal(now["output"], latest["output"])
    with pytest.raises(ValueError, match="index must be a whole number from 0 to"):
        model.replay(len(model.snapshot_epochs) + 1)


# --- One neuron draws a line.


def test_line_learns_to_separate_the_readers_points():
    model = LineModel("blobs", points=60, learning_rate=0.5, seed=2)
    start = model.describe()
    assert start["points"].shape == (60, 2) and start["epoch"] == 0
    for _ in range(10):
        answer = model.step(20)
    assert answer["accuracy"] >= 0.95 and answer["loss"] < start["loss"]
    # The line is the neuron's: points on its positive side are the ones called class 1.
    w, b = np.array(answer["weights"]), answer["bias"]
    np.testing.assert_array_equal((model.X @ w + b > 0).astype(int), model.network.predict(model.X))


def test_line_keeps_its_weights_when_the_points_change():
    model = LineModel("xor", points=20, seed=0)
    model.step(5)
    weights = model.network.layers[0]["W"].copy()
    answer = model.set_points([0.5, 0.5, -0.5, -0.5, 0.4, -0.4], [1, 0, 1])
    np.testing.assert_array_equal(model.network.layers[0]["W"], weights)
    assert answer["epoch"] == 5 and len(model.X) == 3
    with pytest.raises(ValueError, match="labels"):
        model.set_points([0, 0], [2])
    with pytest.raises(ValueError, match="2 labels"):
        model.set_points([0, 0], [1, 0])
    empty = model.set_points([], [])
    assert empty["loss"] is None and empty["accuracy"] is None
    with pytest.raises(ValueError, match="add some"):
        model.step(1)
    assert len(model.restore_points()["points"]) == 20


# --- Real labels against shuffled ones.


def test_labels_trains_two_networks_from_the_same_start():
    model = LabelsModel(epochs=2, hidden=8, seed=1)
    start = model.describe()
    assert start["epoch"] == 0 and start["n_train"] + start["n_test"] == 1797
    for key in ("W", "b"):
        np.testing.assert_array_equal(model.networks["real"].layers[0][key], model.networks["shuffled"].layers[0][key])
    assert sorted(model.labels["real"]) == sorted(model.labels["shuffled"])
    answers = []
    while not (answers and answers[-1]["done"]):
        answers.append(model.step(10))
    per_epoch = [accuracy for a in answers for accuracy in a["real"]["test_accuracy"]]
    assert len(per_epoch) == 2 and model.epoch == 2
    assert per_epoch[-1] > 0.8  # real labels carry over to new digits
    assert answers[-1]["shuffled"]["test_accuracy"][-1] < 0.3  # shuffled ones cannot
    assert model.step(5)["real"]["loss"] == []  # done: nothing more is trained
    model.reset()
    assert model.epoch == 0


# --- Draw a digit.


def small_digits_json():
    return Network([64, 5, 10], ["tanh", "softmax"], seed=0).to_json()


def test_digit_reads_a_drawing_as_the_training_data_was_read():
    model = DigitModel(small_digits_json())
    y, x = np.mgrid[0:120, 0:100]
    stroke = ((np.abs(x - 50) < 8) & (y > 10) & (y < 110)).astype(np.uint8) * 255
    answer = model.classify(stroke.ravel(), 100, 120)
    np.testing.assert_array_equal(answer["pixels"], datasets.drawing_to_digit(stroke / 255.0))
    probabilities = model.network.forward(datasets.drawing_to_digit(stroke / 255.0)[None] / 16)[0]
    np.testing.assert_allclose(answer["probabilities"], probabilities, rtol=1e-6)
    assert answer["digit"] == probabilities.argmax() and answer["hidden"].shape == (5,)
    assert abs(answer["probabilities"].sum() - 1) < 1e-5


def test_digit_asks_for_a_drawing_when_there_is_none():
    answer = DigitModel(small_digits_json()).classify(np.zeros(64 * 64, dtype=np.uint8), 64, 64)
    assert answer == {"empty": True, "message": "draw a digit first"}


def test_digit_refuses_a_model_of_the_wrong_shape_and_a_bad_drawing():
    with pytest.raises(ValueError, match="64 inputs and 10 outputs"):
        DigitModel(Network([64, 5, 3], ["tanh", "softmax"]).to_json())
    with pytest.raises(ValueError, match="not a saved network"):
        DigitModel("<html>404</html>")
    with pytest.raises(ValueError, match="drawing is 10 x 10"):
        DigitModel(small_digits_json()).classify(np.zeros(50, dtype=np.uint8), 10, 10)


def test_digit_carries_the_sample_digits():
    samples = json.dumps({"images": [[0] * 64, [16] * 64], "labels": [3, 4]})
    described = DigitModel(small_digits_json(), samples).describe()
    assert described["samples"]["images"].shape == (2, 64) and described["samples"]["labels"] == [3, 4]



def test_digit_reads_a_drawing_and_the_test_digits_with_hidden_units_switched_off():
    model = DigitModel(small_digits_json())
    y, x = np.mgrid[0:120, 0:100]
    stroke = ((np.abs(x - 50) < 8) & (y > 10) & (y < 110)).astype(np.uint8) * 255
    row = datasets.drawing_to_digit(stroke / 255.0)[None] / 16
    answer = model.classify(stroke.ravel(), 100, 120, silenced=[1, 4])
    # The ten scores are a forward pass with those units' activations zeroed.
    hidden = np.tanh(row @ model.network.layers[0]["W"] + model.network.layers[0]["b"])
    hidden[:, [1, 4]] = 0
    z = hidden @ model.network.layers[1]["W"] + model.network.layers[1]["b"]
    np.testing.assert_allclose(answer["probabilities"], np.exp(z[0]) / np.exp(z[0]).sum(), rtol=1e-6)
    np.testing.assert_allclose(answer["hidden"], hidden[0], rtol=1e-6)
    assert answer["hidden"][1] == answer["hidden"][4] == 0
    whole = model.classify(stroke.ravel(), 100, 120)
    assert not np.allclose(answer["probabilities"], whole["probabilities"]) and "all_on" not in whole
    assert answer["all_on"] == {"digit": whole["digit"], "probability": whole["probability"]}
    # Silencing nothing changes nothing.
    for key in ("probabilities", "hidden"):
        np.testing.assert_array_equal(model.classify(stroke.ravel(), 100, 120, silenced=[])[key],
                                      model.classify(stroke.ravel(), 100, 120)[key])
    # The test digits, read by the same forward pass.
    _, images, _, labels = datasets.digits_split()
    for silenced in ([], [0, 2, 3]):
        read = model.test_accuracy(silenced)
        right = model.network.predict(images / 16, silenced) == labels
        assert read["accuracy"] == right.mean() and read["right"] == right.sum() and read["total"] == len(labels)
        assert read["silenced"] == sorted(silenced)
        np.testing.assert_allclose(read["by_digit"], [right[labels == d].mean() for d in range(10)], rtol=1e-6)
    assert model.test_accuracy([0, 2, 3])["accuracy"] != model.test_accuracy()["accuracy"]


def test_digit_names_a_hidden_unit_it_does_not_have_and_the_valid_range():
    model = DigitModel(small_digits_json())
    with pytest.raises(ValueError, match="no hidden unit 5: this network's 5 hidden units are numbered 0 to 4"):
        model.test_accuracy([0, 5])
    # What the page is told, through the worker's messages.
    unpack(widgets.create("digit-test", "digit", json.dumps({"model_json": small_digits_json()})))
    answer = unpack(widgets.call("digit-test", "classify", json.dumps(
        {"ink": [255] * 64, "width": 8, "height": 8, "silenced": [-2]})))
    widgets.dispose("digit-test")
    assert answer == {"__error__": {"type": "ValueError", "message": (
        "there is no hidden unit -2: this network's 5 hidden units are numbered 0 to 4")}}


# --- Colour and shape.


def small_shapes_json():
    return Network([768, 4, 6], ["tanh", "sigmoid"], seed=0).to_json()


def test_paint_shape_draws_exactly_what_the_training_pictures_hold():
    # Repeat coloured_shapes' own draws and paint each picture again, as the widget does.
    n, seed, size = 9, 4, 16
    images, shapes, colours = datasets.coloured_shapes(n, seed=seed, size=size)
    rng = np.random.default_rng(seed)
    rng.permutation(np.arange(n) % 9)
    half = rng.uniform(0.2, 0.4, n) * size
    centre_x, centre_y = (rng.uniform(half, size - half) for _ in range(2))
    colour = rng.uniform(0.0, 0.3, (n, 3))
    colour[np.arange(n), colours] = rng.uniform(0.6, 1.0, n)
    for i in range(n):
        np.testing.assert_array_equal(
            datasets.paint_shape(shapes[i], colour[i], centre_x[i], centre_y[i], half[i], size), images[i])


def test_shapes_reads_picked_and_drawn_pictures_alike():
    model = ShapesModel(small_shapes_json())
    picked = model.classify_shape("square", [0.9, 0.1, 0.1], 0.5, 0.5, 0.5)
    image = picked["image"].reshape(16, 16, 3)
    # The same picture drawn on a 64x64 canvas (RGBA bytes) is averaged back to it.
    canvas = np.repeat(np.repeat(np.round(image * 255), 4, axis=0), 4, axis=1)
    rgba = np.concatenate([canvas, np.full((64, 64, 1), 255)], axis=2).astype(np.uint8)
    drawn = model.classify_drawing(rgba.ravel(), 64, 64)
    np.testing.assert_allclose(drawn["image"], picked["image"], atol=0.5 / 255)
    assert drawn["shape"] == picked["shape"] and drawn["colour"] == picked["colour"]
    outputs = model.network.forward(image.reshape(1, -1))[0]
    assert picked["shape"] == outputs[:3].argmax() and picked["colour"] == outputs[3:].argmax()


def test_shapes_refuses_bad_input():
    model = ShapesModel(small_shapes_json())
    with pytest.raises(ValueError, match="unknown shape"):
        model.classify_shape("star", [1, 0, 0], 0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="multiple of 16"):
        model.classify_drawing(np.zeros(10 * 10 * 4, dtype=np.uint8), 10, 10)
    with pytest.raises(ValueError, match="768 inputs and 6 outputs"):
        ShapesModel(small_digits_json())


# --- The declarations: one home for each widget's options and data files.

JAVASCRIPT = Path(__file__).resolve().parent.parent / "docs" / "javascripts"


def test_each_widget_declares_itself_beside_its_model_and_has_a_page_module():
    for name in widgets.WIDGETS:
        declared = widgets.widget(name)
        assert declared.name == name and declared.model.__module__ == f"demos.widgets.{name}"
        assert (JAVASCRIPT / "widgets" / f"{name}.js").is_file(), name
        for option, spec in declared.options.items():
            assert spec["help"] and (spec["required"] or spec["default"] is not None), option


def test_create_answers_the_description_and_the_declared_options():
    answer = unpack(widgets.create("p", "playground", json.dumps({"dataset": "moons", "hidden": [3]})))
    spec = answer.pop("spec")
    assert spec == json.loads(json.dumps(widgets.widget("playground").options))
    assert spec["dataset"]["choice"] == list(datasets.TOY_DATASETS) and spec["dataset"]["required"]
    assert spec["activation"]["choice"] == [n for n, a in nn.ACTIVATIONS.items() if a.hidden]
    assert spec["activation"]["default"] == "tanh" and spec["hidden"]["default"] == [4, 4]
    assert answer["settings"]["dataset"] == "moons" and answer["unit_bounds"] == [-1, 1]
    widgets.dispose("p")


def test_no_page_module_keeps_its_own_copy_of_a_dataset_or_an_activation_name():
    names = list(datasets.TOY_DATASETS) + list(nn.ACTIVATIONS)
    for module in JAVASCRIPT.rglob("*.js"):
        text = module.read_text()
        assert not [name for name in names if re.search(rf"\b{name}\b", text)], module.name
