"""Post 1's recipes: the colour neuron, the digit strokes, the diagram's node maps, real vs shuffled labels."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from demos import datasets  # noqa: E402
from demos.nn import Network  # noqa: E402
from scripts.assets import plotting  # noqa: E402
from scripts.assets.recipes import post1_intro as post1  # noqa: E402


def test_small_drawing_helpers():
    assert post1.blend("#ff0000", 0.0, base="#ffffff") == (1.0, 1.0, 1.0)
    assert post1.blend("#ff0000", 1.0, base="#ffffff") == (1.0, 0.0, 0.0)
    assert post1.blend("#ff0000", 0.5, base="#000000") == (0.5, 0.0, 0.0)
    assert post1.signed(-10.54) == "\u221210.5" and post1.signed(6.3) == "+6.3"
    assert post1.weight_width(0.0, 5.0) == 0.8 and post1.weight_width(-9.0, 5.0) == 9.0
    positive, negative = post1.weight_colour(3.0, 6.0), post1.weight_colour(-3.0, 6.0)
    assert positive[2] > positive[0] and negative[0] > negative[2]  # blue for +, orange for -


def test_the_colour_neuron_learns_purple_from_red_and_blue_against_green():
    params = post1.NEURON_PARAMS
    X, y = datasets.colours(params["colours"], params["seed"])
    X_test, y_test = datasets.colours(params["test_colours"], params["seed"] + 1)
    run = post1.train_colour_neuron(X, y, params["learning_rate"], 400, params["seed"], X_test, y_test)
    assert run["w"].shape == (401, 3) and len(run["next"]) == 401
    assert sorted(run["next"][:400]) == list(range(400))  # one shuffled pass, each colour once
    assert run["test_accuracy"][0] < 0.7
    assert run["test_accuracy"][-1] > 0.88
    w_red, w_green, w_blue = run["w"][-1]
    assert w_red > 1 and w_blue > 1 and w_green < -1 and run["b"][-1] < 0
    # The recorded weights are the network's own, and the diagram's arithmetic is the network's.
    net = run["network"]
    assert np.allclose(net.layers[0]["W"][:, 0], run["w"][-1])
    rgb = np.array([0.6, 0.2, 0.7])
    z, a = post1.neuron_output(run["w"][-1], run["b"][-1], rgb)
    assert a == pytest.approx(net.forward(rgb[None, :])[0, 0])
    assert z == pytest.approx(net.forward_all(rgb[None, :])[0][0][0, 0])


def test_unit_contributions_add_up_to_the_digit_score():
    net, X_test, y_test = post1.train_digits(hidden=12, epochs=15, learning_rate=0.01, l2=0.01, seed=0)
    assert net.accuracy(X_test, y_test) > 0.85
    image = X_test[np.flatnonzero(y_test == 6)[0]]
    contributions = post1.unit_contributions(net, image, 6)
    zs, _ = net.forward_all(image[None, :])
    assert contributions.sum() + net.layers[1]["b"][6] == pytest.approx(zs[1][0, 6])
    units = list(np.argsort(-contributions)[:3])
    expected = sum(net.layers[1]["W"][u, 6] * net.layers[0]["W"][:, u] for u in units)
    assert np.allclose(post1.combined_weights(net, units, 6), expected)


def test_node_maps_show_the_inputs_as_coordinates_and_the_output_as_the_network_sees_it():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=4)
    maps = post1.node_maps(net, extent=1.0, n=5)
    assert [m.shape for m in maps] == [(2, 5, 5), (3, 5, 5), (1, 5, 5)]
    assert np.allclose(maps[0][0][0], np.linspace(-1, 1, 5))  # x1 grows to the right
    assert np.allclose(maps[0][1][:, 0], np.linspace(-1, 1, 5))  # x2 grows upwards
    assert maps[2][0][4, 0] == pytest.approx(net.forward([[-1.0, 1.0]])[0, 0])


def test_first_epoch_reaching():
    assert post1.first_epoch_reaching([0.1, 0.5, 0.99, 1.0], 0.99) == 2
    assert post1.first_epoch_reaching([0.1, 0.5], 0.99) is None


def test_real_labels_generalise_and_shuffled_labels_are_only_memorised():
    model, curves = post1.train_both(epochs=25, hidden=32, seed=0)
    real, shuffled = curves["real"], curves["shuffled"]
    assert len(real["train_accuracy"]) == len(shuffled["test_accuracy"]) == 26
    # Both networks start from the same weights, so they start equally lost on new digits.
    assert real["test_accuracy"][0] == shuffled["test_accuracy"][0]
    assert real["train_accuracy"][-1] > 0.98 and real["test_accuracy"][-1] > 0.93
    assert shuffled["test_accuracy"][-1] < 0.2  # nothing learned that holds for new digits
    assert shuffled["train_accuracy"][-1] > shuffled["train_accuracy"][0] + 0.05  # yet memorising
    assert shuffled["train_accuracy"][-1] < real["train_accuracy"][-1] - 0.4  # and far more slowly
    assert model.epoch == 25


def test_neuron_video_writes_video_poster_and_thumbnail(tmp_path):
    plotting.style()
    params = dict(post1.NEURON_PARAMS, steps=20, frames=4, showcase_frames=2, fps=10)
    outputs, _ = post1.neuron_video.__recipe__
    out = {name: tmp_path / name for name in outputs}
    for path in out.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    metrics = post1.neuron_video(out, params)
    video = plotting.probe_video(out["post1/neuron.mp4"])
    assert video["frames"] == 4 + 2 * len(params["showcase"])
    assert matplotlib.image.imread(out["post1/neuron-poster.webp"]).shape[:2] == (432, 768)
    assert matplotlib.image.imread(out["thumbs/post1.webp"]).shape[:2] == (240, 320)
    assert out["post1/neuron-response.svg"].read_text().lstrip().startswith("<?xml")
    assert metrics["n_parameters"] == 4 and metrics["steps"] == 20
