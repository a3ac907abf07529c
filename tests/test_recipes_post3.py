"""Post 3's recipes ("Layers Bend Space") and the decision-region helper they draw with.

What is pinned here is what the post claims: no straight line separates XOR
but one small hidden layer does; training pulls the points apart in the hidden
layer's view until a straight line separates them there; and the drawing
helper shades the plane where the network says what it says.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from demos import datasets  # noqa: E402
from demos.nn import Network, Trainer, make_optimizer  # noqa: E402
from scripts.assets.draw_regions import Regions, decision_grid, draw_regions  # noqa: E402
from scripts.assets.recipes import post3_layers as post3  # noqa: E402
from scripts.assets.shared import architecture_name  # noqa: E402


def neuron(w1, w2, b):
    net = Network([2, 1], ["sigmoid"])
    net.layers[0]["W"][:, 0] = [w1, w2]
    net.layers[0]["b"][0] = b
    return net


def linear_separability(H, y, seed=0):
    """Training accuracy of one fresh sigmoid neuron trained on the points ``H`` ``(n, 2)``:
    near 1 when a straight line separates the classes, well below when none does."""
    Y = y[:, None].astype(float)
    net = Network([2, 1], ["sigmoid"], seed=seed)
    Trainer(net, H, Y, "binary_cross_entropy", make_optimizer("adam", 0.05), batch_size=20, seed=seed).run(150)
    return net.accuracy(H, y)


# --- decision_grid and draw_regions


def test_decision_grid_rows_go_up_and_columns_go_right():
    # A neuron that says "class 1" above the x axis: z = 10 * x2.
    xx, yy, p = decision_grid(neuron(0.0, 10.0, 0.0), extent=(-1, 1, -2, 2), resolution=21)
    assert xx.shape == yy.shape == p.shape == (21, 21)
    assert xx[0, 0] == -1 and xx[0, -1] == 1 and yy[0, 0] == -2 and yy[-1, 0] == 2
    assert np.all(p[0] < 1e-6) and np.all(p[-1] > 1 - 1e-6)  # bottom row class 0, top row class 1
    assert np.allclose(p, p[:, :1])  # nothing changes from left to right
    assert p[10, 0] == pytest.approx(0.5)  # the middle row lies on the boundary


def test_decision_grid_reads_a_two_unit_softmax_as_the_second_class():
    net = Network([2, 2], ["softmax"])
    net.layers[0]["W"][:] = [[5.0, -5.0], [0.0, 0.0]]  # class 0 to the right
    _, _, p = decision_grid(net, resolution=5)
    assert p[:, 0].min() > 0.99 and p[:, -1].max() < 0.01


@pytest.mark.parametrize(
    "net, kwargs, message",
    [
        (Network([3, 1], ["sigmoid"]), {}, "2 inputs"),
        (Network([2, 1], ["identity"]), {}, "sigmoid output"),
        (Network([2, 3], ["softmax"]), {}, "two softmax"),
        (Network([2, 1], ["sigmoid"]), {"extent": (1, -1, 0, 1)}, "min < max"),
        (Network([2, 1], ["sigmoid"]), {"resolution": 1}, "at least 2"),
    ],
)
def test_decision_grid_names_what_is_wrong(net, kwargs, message):
    with pytest.raises(ValueError, match=message):
        decision_grid(net, **kwargs)


def test_draw_regions_follows_the_network_as_it_changes():
    net = neuron(10.0, 0.0, 0.0)  # class 1 on the right
    fig, ax = plt.subplots()
    X = np.array([[-0.5, 0.0], [0.5, 0.0]])
    regions = draw_regions(ax, net, X, np.array([0, 1]), resolution=11)
    assert isinstance(regions, Regions)
    assert len(regions.lines.get_segments()) == 1 and len(regions.points.get_offsets()) == 2
    assert np.allclose(regions.lines.get_segments()[0][:, 0], 0.0)  # the boundary is the line x1 = 0
    before = np.asarray(regions.image.get_array()).copy()
    assert before[:, -1].min() > 0.99 and before[:, 0].max() < 0.01
    net.layers[0]["W"][:, 0] = [-10.0, 0.0]  # now class 1 on the left
    after = regions.update(net)
    assert np.allclose(np.asarray(regions.image.get_array()), after)
    assert after[:, 0].min() > 0.99 and after[:, -1].max() < 0.01
    net.layers[0]["b"][0] = 100.0  # class 1 everywhere: no boundary to draw
    regions.update(net)
    assert regions.lines.get_segments() == []
    plt.close(fig)


# --- the post's claims


def test_no_hidden_layer_cannot_do_xor_but_four_hidden_neurons_can():
    X, y = datasets.xor(200, 0.05, seed=0)
    X_test, y_test = datasets.xor(200, 0.05, seed=1)
    line, _ = post3.train_classifier(X, y, [], epochs=100)
    bent, trainer = post3.train_classifier(X, y, [4], epochs=100)
    assert line.accuracy(X_test, y_test) < 0.7
    assert bent.accuracy(X_test, y_test) > 0.95
    assert trainer.history[-1] < trainer.history[0] / 5


def test_training_makes_the_hidden_view_separable_by_a_line():
    X, y = datasets.circles(200, 0.05, seed=0)
    net = post3.make_network([8, 2], seed=0)
    start_view = post3.last_hidden(net, X)
    assert start_view.shape == (200, 2)
    assert linear_separability(start_view, y) < 0.8  # a disc inside a ring: no line separates them
    Trainer(net, X, y[:, None].astype(float), "binary_cross_entropy", make_optimizer("adam", 0.01),
            batch_size=20, seed=0).run(60)
    assert linear_separability(post3.last_hidden(net, X), y) == 1.0


def test_last_hidden_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="no hidden"):
        post3.last_hidden(post3.make_network([]), np.zeros((1, 2)))


def test_record_training_keeps_independent_copies_at_the_asked_steps():
    X, y = datasets.circles(100, 0.05, seed=0)
    net = post3.make_network([4], seed=0)
    trainer = Trainer(net, X, y[:, None].astype(float), "binary_cross_entropy",
                      make_optimizer("adam", 0.05), batch_size=10, seed=0)
    kept = post3.record_training(trainer, [0, 0, 5, 200], X, y)
    assert len(kept) == 3 and trainer.steps == 200
    (first, loss0, _), (_, _, _), (last, loss200, accuracy200) = kept
    assert not np.allclose(first[0]["W"], net.layers[0]["W"])  # the copy did not follow the training
    assert np.array_equal(last[0]["W"], net.layers[0]["W"])
    assert loss200 < loss0 / 2 and accuracy200 > 0.8


def test_width_depth_sweep_counts_weights_and_more_neurons_help():
    X, y = datasets.spirals(200, 0.05, seed=0)
    X_test, y_test = datasets.spirals(200, 0.05, seed=1)
    accuracy, weights = post3.width_depth_sweep(X, y, X_test, y_test, neurons=[2, 16], seeds=[0],
                                                learning_rates=[0.1], epochs=150, batch_size=20)
    assert weights == {"one": [9, 65], "two": [7, 105]}  # [2], [16]; [1, 1], [8, 8]
    assert accuracy["one"].shape == (2, 1)
    assert accuracy["one"][0, 0] < 0.75  # two neurons cannot follow the arms
    assert accuracy["one"][1, 0] > 0.9


def test_percent_never_rounds_up_to_a_perfect_score():
    assert post3.percent(0.9975) == "99.8%"
    assert post3.percent(1.0) == "100%"
    assert post3.percent(0.465) == "46%"


def test_names_of_architectures():
    assert architecture_name([]) == "none"
    assert architecture_name([8, 8]) == "8 → 8"
    assert post3.metric_key([]) == "linear" and post3.metric_key([8, 8]) == "h8_8"


def test_class_shading_for_two_classes_is_the_region_colour_map():
    # One look for the regions: the shading by winning class and its lead gives, for two classes,
    # the very colours REGION_CMAP gives the probability of class 1.
    from scripts.assets.draw_regions import REGION_CMAP, class_shading

    p = np.linspace(0, 1, 11)
    np.testing.assert_allclose(class_shading(np.column_stack([1 - p, p])), REGION_CMAP(p)[:, :3], atol=1e-2)
    # Three classes: an even guess is the card, a sure one its class's colour at REGION_STRENGTH.
    shades = class_shading(np.array([[1 / 3, 1 / 3, 1 / 3], [0, 0, 1], [0.1, 0.8, 0.1]]))
    from matplotlib.colors import to_rgb
    from scripts.assets.palette import REGION_STRENGTH
    from scripts.assets.palette import CARD, CLASSES

    card, third = np.array(to_rgb(CARD)), np.array(to_rgb(CLASSES[2]))
    np.testing.assert_allclose(shades[0], card)
    np.testing.assert_allclose(shades[1], card + REGION_STRENGTH * (third - card))
    assert np.argmax(np.abs(shades[2] - card) @ [1, 1, 1]) >= 0 and np.allclose(
        shades[2], card + REGION_STRENGTH * 0.7 * (np.array(to_rgb(CLASSES[1])) - card))


def test_the_playground_figure_draws_three_classes_and_extra_inputs(tmp_path):
    # A post that sets three classes (or extra inputs) gets its fallback drawn by the model itself:
    # the third class's colour shades its regions, as the live widget shades them.
    from PIL import Image

    from scripts.assets.palette import CARD, CLASSES, REGION_STRENGTH, rgb
    from scripts.assets.shared import playground_figure

    drawn_with = {"name": "playground", "options": {"dataset": "blobs", "classes": 3, "features": ["x2"],
                                                    "hidden": [6], "learning_rate": 0.3}}
    metrics = playground_figure(drawn_with, 30, tmp_path / "three.webp")
    assert metrics["epochs"] == 30 and metrics["test_accuracy"] > 0.9
    pixels = np.asarray(Image.open(tmp_path / "three.webp").convert("RGB"), dtype=float).reshape(-1, 3)
    card = np.array(rgb(CARD), dtype=float)
    for colour in CLASSES[:3]:
        # Every class has its points, and where it surely wins, its shading.
        assert np.min(np.abs(pixels - rgb(colour)).sum(axis=1)) < 40, colour
        sure = card + REGION_STRENGTH * (np.array(rgb(colour)) - card)
        assert np.sum(np.abs(pixels - sure).sum(axis=1) < 30) > 1000, colour
