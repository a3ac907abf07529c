"""Post 6's recipes: one network, two questions (colour and shape), and the helpers
behind its figures."""

import numpy as np
import pytest

from demos.datasets import BACKGROUND, coloured_shapes
from demos.nn import Network
from scripts.assets.recipes import post6_shapes as p6

SMALL = {**p6.TRAINING, "n_train": 1800, "n_test": 450, "epochs": 4}


@pytest.fixture(scope="module")
def small_run():
    """A short training run (a few seconds) with the recipe's settings otherwise."""
    train, test = p6.shapes_data(SMALL)
    steps_per_epoch = -(-SMALL["n_train"] // SMALL["batch_size"])
    measure_at = p6.measure_steps(steps_per_epoch * SMALL["epochs"], 40)
    net, trainer, curve = p6.train_shapes(SMALL, train, test, measure_at)
    return net, trainer, curve, train, test


# --- What the network learns.


def test_colour_is_learned_at_once_and_shape_slowly(small_run):
    net, trainer, curve, train, test = small_run
    assert curve["step"][0] == 0 and curve["step"][-1] == trainer.steps
    # Before training both answers are near chance (one in three).
    assert curve["colour"][0] < 0.6 and curve["shape"][0] < 0.6
    # Colour: right for 99 % of the test images within the first fifty steps.
    colour_steps = p6.first_step_reaching(curve, "colour", 0.99)
    assert colour_steps is not None and colour_steps <= 50
    # Shape: well above chance by the end of the short run, but far from perfect.
    shape_accuracy, colour_accuracy = p6.accuracies(net, *test)
    assert colour_accuracy >= 0.99
    assert 0.45 < shape_accuracy < 0.9
    assert p6.first_step_reaching(curve, "shape", 0.99) is None


def test_dense_shape_features_do_not_carry_to_new_positions():
    """Trained only on shapes in the left half, the network reads shapes there far
    better than in the right half, where it is near chance; colour carries over."""
    pool, shapes, colours = coloured_shapes(3000, seed=0)
    left = p6.ink_centre_x(pool) < 8
    net, _, _ = p6.train_shapes({**p6.TRAINING, "epochs": 10},
                                (p6.flatten(pool[left]), shapes[left], colours[left]))
    images, shapes, colours = coloured_shapes(900, seed=1)
    centres = p6.ink_centre_x(images)
    said_shape, said_colour = p6.read_answers(net.forward(p6.flatten(images)))
    seen, unseen = centres < 8, centres >= 9
    assert np.mean(said_shape[seen] == shapes[seen]) > 0.6
    assert np.mean(said_shape[unseen] == shapes[unseen]) < 0.45
    assert np.mean(said_colour[unseen] == colours[unseen]) > 0.9


# --- Input and output conventions (the widget relies on these).


def test_flatten_reads_row_by_row_with_rgb_per_pixel():
    images = np.random.default_rng(0).uniform(0, 1, (2, 16, 16, 3))
    X = p6.flatten(images)
    assert X.shape == (2, 768)
    row, column, channel = 5, 11, 2
    assert X[1, (16 * row + column) * 3 + channel] == images[1, row, column, channel]


def test_targets_put_shape_first_then_colour():
    Y = p6.targets(np.array([2, 0]), np.array([1, 2]))
    assert Y.tolist() == [[0, 0, 1, 0, 1, 0], [1, 0, 0, 0, 0, 1]]
    assert p6.OUTPUTS == ["circle", "square", "triangle", "red", "green", "blue"]


def test_read_answers_takes_the_largest_output_of_each_group():
    outputs = np.array([[0.1, 0.7, 0.2, 0.9, 0.95, 0.1], [0.3, 0.2, 0.25, 0.0, 0.1, 0.05]])
    shapes, colours = p6.read_answers(outputs)
    assert shapes.tolist() == [1, 0] and colours.tolist() == [1, 1]


# --- Helpers behind the figures.


def test_measure_steps_cover_every_early_step_and_the_end():
    steps = p6.measure_steps(5070, 150)
    assert steps[0] == 0 and steps[-1] == 5070
    assert np.all(np.diff(steps) > 0)
    assert steps[:8].tolist() == list(range(8))
    assert len(steps) <= 151


def test_first_step_reaching():
    curve = {"step": np.array([0, 5, 10]), "colour": np.array([0.3, 0.99, 1.0])}
    assert p6.first_step_reaching(curve, "colour", 0.99) == 5
    assert p6.first_step_reaching(curve, "colour", 1.01) is None


def test_unit_roles_and_picks_follow_the_outgoing_weights():
    net = Network([768, 4, 6], ["tanh", "sigmoid"], seed=0)
    W = np.zeros((4, 6))
    W[0, 3], W[0, 4] = 2.0, -1.0  # colour only: for red, against green
    W[1, 2], W[1, 0] = 1.5, -0.5  # shape only: for triangle, against circle
    W[2, 1], W[2, 5] = 1.0, 0.5  # mostly shape
    W[3, 5], W[3, 0] = 3.0, 1.0  # mostly colour: for blue
    net.layers[1]["W"] = W
    lean, shape_votes, colour_votes = p6.unit_roles(net)
    assert lean[0] == -1 and lean[1] == 1
    assert 0 < lean[2] < 1 and -1 < lean[3] < 0
    assert shape_votes[1].tolist() == [2, 0] and colour_votes[0].tolist() == [0, 1]
    colour_units, shape_units = p6.pick_units(lean, shape_votes[:, 0], colour_votes[:, 0], k=2)
    assert colour_units.tolist() == [0, 3]
    assert shape_units.tolist() == [1, 2]


def test_pick_units_prefers_variety_among_the_leaning_units():
    lean = np.array([-0.9, -0.8, -0.7, 0.9, 0.8, 0.1])
    colour_favourite = np.array([0, 0, 2, 0, 0, 0])
    shape_favourite = np.array([0, 0, 0, 1, 1, 2])
    colour_units, shape_units = p6.pick_units(lean, shape_favourite, colour_favourite, k=2)
    assert colour_units.tolist() == [0, 2]  # unit 2 (another colour) before unit 1
    assert shape_units.tolist() == [3, 5]


def test_weight_pictures_and_their_colours():
    net = Network([768, 3, 6], ["tanh", "sigmoid"], seed=0)
    pictures = p6.weight_pictures(net)
    assert pictures.shape == (3, 16, 16, 3)
    assert pictures[2, 4, 7, 1] == net.layers[0]["W"][(16 * 4 + 7) * 3 + 1, 2]
    shown = p6.as_colours(pictures[0])
    assert shown.min() >= 0 and shown.max() <= 1
    assert np.isclose(shown.max() - 0.5, 0.5) or np.isclose(0.5 - shown.min(), 0.5)


def test_ink_centre_x_finds_a_shape_s_column():
    image = np.full((1, 16, 16, 3), BACKGROUND)
    image[0, 4:9, 10:14, 0] = 0.9  # a red block over columns 10 to 13
    assert p6.ink_centre_x(image)[0] == pytest.approx(12.0)


def test_accuracy_by_position_bins_by_centre():
    class Fixed:  # answers circle and red for every image
        def forward(self, X):
            return np.tile([1.0, 0, 0, 1.0, 0, 0], (len(X), 1))

    shapes = np.array([0, 1, 0, 0])
    colours = np.array([0, 0, 1, 0])
    centres = np.array([1.5, 1.2, 5.5, 9.0])
    middles, counts, shape_acc, colour_acc = p6.accuracy_by_position(
        Fixed(), np.zeros((4, 768)), shapes, colours, centres, np.array([0.0, 4.0, 8.0, 12.0]))
    assert middles.tolist() == [2.0, 6.0, 10.0]
    assert counts.tolist() == [2, 1, 1]
    assert shape_acc.tolist() == [0.5, 1.0, 1.0]
    assert colour_acc.tolist() == [1.0, 0.0, 1.0]


# --- The recipe's files, as the widget reads them.


def test_shapes_model_recipe_writes_a_loadable_model_and_honest_metrics(tmp_path):
    outputs = {name: tmp_path / name for name in p6.MODEL_OUTPUTS}
    for path in outputs.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    params = {**SMALL, "n_train": 900, "n_test": 300, "epochs": 2, "measures": 30, "units_shown": 3,
              "answers_shown": 8}
    metrics = p6.shapes_model(outputs, params)
    net = Network.from_json(outputs["models/shapes.json"].read_text())
    assert net.sizes == [768, 24, 6]
    _, test = p6.shapes_data({**p6.TRAINING, "n_test": 300})
    shape_accuracy, colour_accuracy = p6.accuracies(net, *test)
    assert metrics["shape_test_accuracy"] == shape_accuracy
    assert metrics["colour_test_accuracy"] == colour_accuracy
    assert metrics["outputs"] == p6.OUTPUTS
    assert metrics["shape_units"] + metrics["colour_units"] == 24
    assert metrics["colour_images_to_99"] == metrics["colour_steps_to_99"] * p6.TRAINING["batch_size"]
    for name in ("post6/answers.webp", "post6/features.webp"):
        data = outputs[name].read_bytes()
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", name
    for name in ("post6/prediction.svg", "post6/learning-curves.svg"):
        assert b"<svg" in outputs[name].read_bytes()[:500]
