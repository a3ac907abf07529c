"""Post 4's recipes ("How a Network Learns"): what the helpers compute, and the
claims of the post they back: a too-large learning rate diverges, momentum and
Adam reach the bottom of the valley sooner than plain steps, single examples
make a bumpy loss, and a big network overfits unless L2 holds it back.
"""

import numpy as np
import pytest

from demos import datasets
from demos.nn import Network
from scripts.assets.recipes import post4_learning as post4


@pytest.fixture(scope="module")
def curve():
    return post4.curve_points(100, 0.05, seed=0)


def test_curve_points_are_sorted_seeded_and_follow_the_sine(curve):
    X, Y = curve
    assert X.shape == Y.shape == (100, 1)
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= -1 and X.max() <= 1
    residual = Y[:, 0] - 0.8 * np.sin(np.pi * X[:, 0])
    assert 0.03 < residual.std() < 0.07
    again = post4.curve_points(100, 0.05, seed=0)
    assert np.array_equal(again[0], X) and np.array_equal(again[1], Y)
    assert not np.array_equal(post4.curve_points(100, 0.05, seed=1)[0], X)


def test_a_far_too_large_learning_rate_diverges_and_a_good_one_learns(curve):
    X, Y = curve
    slow, good, wild = post4.learning_rate_runs(X, Y, [0.03, 0.3, 1.0], hidden=16, epochs=300, seed=0)
    assert slow["diverged_at"] is None and good["diverged_at"] is None
    assert good["history"][-1] < good["history"][0] / 10
    assert slow["history"][-1] > 5 * good["history"][-1]
    assert wild["diverged_at"] is not None and 1 < wild["diverged_at"] <= 300
    assert len(wild["history"]) == wild["diverged_at"] - 1  # the finite epochs are kept
    assert np.all(np.isfinite(wild["history"])) and max(wild["history"]) > 1e10  # it was on its way


def test_train_until_diverged_returns_none_for_a_finished_run(curve):
    X, Y = curve
    (run,) = post4.learning_rate_runs(X, Y, [0.3], hidden=4, epochs=5, seed=0)
    assert run["diverged_at"] is None and len(run["history"]) == 5


def test_loss_surface_rows_are_biases_and_columns_weights():
    X, Y = post4.threshold_points(40, seed=0)
    weights, biases = np.array([-1.0, 0.5, 2.0]), np.array([-3.0, 1.0])
    surface = post4.loss_surface(X, Y, weights, biases)
    assert surface.shape == (2, 3)
    assert surface[1, 2] == pytest.approx(post4.neuron_with(2.0, 1.0).loss(X, Y, "binary_cross_entropy"))


def test_threshold_points_overlap_so_the_best_neuron_is_finite():
    X, Y = post4.threshold_points(60, seed=0)
    assert X.shape == Y.shape == (60, 1) and Y.sum() == 30
    weights, biases = np.linspace(-4, 6, 51), np.linspace(-10, 8, 61)
    surface = post4.loss_surface(X, Y, weights, biases)
    row, col = np.unravel_index(surface.argmin(), surface.shape)
    assert 0 < row < len(biases) - 1 and 0 < col < len(weights) - 1  # the lowest point is inside the grid


def test_every_optimiser_walks_downhill_and_momentum_and_adam_settle_sooner():
    X, Y = post4.threshold_points(60, seed=0)
    params = post4.DESCENT_PARAMS
    runs = {name: post4.descend(X, Y, name, rate, params["start"], 60) for name, rate in params["optimizers"].items()}
    for path, loss in runs.values():
        assert path.shape == (61, 2) and loss.shape == (61,)
        assert tuple(path[0]) == tuple(params["start"])
        assert loss[-1] < loss[0] / 3
    # After 40 steps plain descent is still zig-zagging down the valley; the others are at the bottom.
    assert runs["momentum"][1][40] < runs["sgd"][1][40]
    assert runs["adam"][1][40] < runs["sgd"][1][40]
    sgd_path = runs["sgd"][0]
    turns = np.sum(np.diff(np.sign(np.diff(sgd_path[:40, 1] + 2 * sgd_path[:40, 0]))) != 0)
    assert turns > 10  # it crosses the valley back and forth


def test_batch_size_run_counts_updates_and_examples(curve):
    X, Y = curve
    seen, loss = post4.batch_size_run(X, Y, batch_size=30, learning_rate=0.1, hidden=8, epochs=3, seed=0)
    assert len(loss) == 1 + 3 * 4  # 100 points in batches of 30: 4 updates per epoch
    assert seen[0] == 0 and seen[-1] == 300 and np.all(np.diff(seen) > 0)


def test_single_examples_make_a_bumpy_loss_and_the_full_batch_a_smooth_one(curve):
    X, Y = curve
    _, full = post4.batch_size_run(X, Y, batch_size=100, learning_rate=0.1, hidden=16, epochs=20, seed=0)
    _, single = post4.batch_size_run(X, Y, batch_size=1, learning_rate=0.1, hidden=16, epochs=20, seed=0)
    assert np.diff(full).max() <= 1e-12  # every full-batch step goes downhill
    assert np.diff(single).max() > 0.01  # single examples often make the whole set worse
    assert single[-1] < full[-1]  # but many more updates per epoch


def test_a_big_network_overfits_and_l2_holds_it_back():
    p = post4.OVERFIT_PARAMS
    X, y = datasets.toy(p["dataset"], p["train_points"], p["noise"], seed=0)
    X_test, y_test = datasets.toy(p["dataset"], p["test_points"], p["noise"], seed=1)
    plain, plain_train, plain_test = post4.overfit_run(X, y, X_test, y_test, p["hidden"], 0.0, p["learning_rate"],
                                                        p["epochs"], seed=0)
    _, l2_train, l2_test = post4.overfit_run(X, y, X_test, y_test, p["hidden"], p["l2"], p["learning_rate"],
                                             p["epochs"], seed=0)
    assert plain_train.shape == plain_test.shape == (p["epochs"],)
    assert plain_train[-1] < 0.01 and plain.accuracy(X, y) == 1.0  # memorised
    assert plain_test[-1] > 2 * plain_test.min()  # the test loss turned up
    assert plain_test.argmin() < p["epochs"] // 10
    assert l2_train[-1] > 10 * plain_train[-1]  # L2 keeps it from memorising
    assert l2_test[-1] < plain_test[-1] / 2


def test_neuron_with_sets_weight_and_bias():
    net = post4.neuron_with(2.0, -1.0)
    assert isinstance(net, Network) and net.sizes == [1, 1]
    assert net.forward(np.array([[0.5]]))[0, 0] == pytest.approx(0.5)
