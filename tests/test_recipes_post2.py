"""Post 2's recipes: the geometry of one neuron's line, its training, and what it cannot do."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from demos import datasets  # noqa: E402
from scripts.assets import plotting  # noqa: E402
from scripts.assets.recipes import post2_line as post2  # noqa: E402


def test_the_foot_of_the_line_lies_on_it_and_distances_are_signed_along_w():
    w, b = np.array([3.0, 4.0]), -5.0
    foot = post2.foot_of_line(w, b)
    assert np.dot(w, foot) + b == pytest.approx(0.0)
    assert np.allclose(foot, [0.6, 0.8])  # the line 3x + 4y = 5 is 1 away from the origin
    points = np.array([foot, foot + w / 5, foot - 2 * w / 5, [0.0, 0.0]])
    assert np.allclose(post2.signed_distance(points, w, b), [0.0, 1.0, -2.0, -1.0])


def test_scaling_weights_and_bias_together_keeps_the_line_but_sharpens_the_output():
    X = np.array([[0.3, -0.2], [-0.5, 0.9], [1.0, 1.0]])
    w, b = np.array([1.5, -0.7]), 0.2
    assert np.allclose(post2.signed_distance(X, 3 * w, 3 * b), post2.signed_distance(X, w, b))
    assert np.allclose(post2.foot_of_line(3 * w, 3 * b), post2.foot_of_line(w, b))
    soft = post2.confidence_image(w, b)
    sharp = post2.confidence_image(3 * w, 3 * b)
    # Same side of 0.5 everywhere, but further from it.
    assert np.all((soft > 0.5) == (sharp > 0.5))
    assert np.all(np.abs(sharp - 0.5) >= np.abs(soft - 0.5) - 1e-12)


def test_line_ends_span_the_panel_along_the_line():
    w, b = np.array([0.0, 2.0]), -1.0  # the horizontal line y = 0.5
    start, end = post2.line_ends(w, b)
    assert start[1] == pytest.approx(0.5) and end[1] == pytest.approx(0.5)
    assert min(start[0], end[0]) < -post2.EXTENT and max(start[0], end[0]) > post2.EXTENT


def test_training_from_a_bad_line_ends_separating_the_blobs():
    params = post2.LINE_PARAMS
    X, y = datasets.blobs(params["points"], params["noise"], params["seed"])
    run = post2.record_training(X, y, params["start"], params["learning_rate"], params["batch_size"],
                                300, params["seed"])
    assert run["w"].shape == (301, 2) and run["loss"].shape == (301,)
    assert np.allclose(run["w"][0], params["start"][:2]) and run["b"][0] == params["start"][2]
    assert run["accuracy"][0] < 0.7  # the chosen start really is poor
    assert run["accuracy"][-1] == 1.0
    assert run["loss"][-1] < 0.25 * run["loss"][0]
    distance = post2.signed_distance(X, run["w"][-1], run["b"][-1])
    assert np.all(distance[y == 1] > 0) and np.all(distance[y == 0] < 0)


def test_best_line_accuracy_is_exact_on_small_cases():
    X = np.array([[-1.0, 0.0], [-0.5, 0.2], [0.5, 0.1], [1.0, -0.3]])
    accuracy, w, b = post2.best_line_accuracy(X, np.array([0, 0, 1, 1]))
    assert accuracy == 1.0
    assert np.all((X @ w + b > 0) == np.array([False, False, True, True]))
    # Four XOR corners: no line gets more than three right.
    corners = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    assert post2.best_line_accuracy(corners, np.array([1, 1, 0, 0]))[0] == 0.75


def test_one_neuron_on_xor_stays_near_a_coin_toss():
    params = post2.XOR_PARAMS
    X, y = datasets.xor(params["points"], params["noise"], params["seed"])
    net, curve, curves = post2.best_line_on_xor(X, y, [0, 1], params["learning_rate"], 20,
                                                params["batch_size"])
    best_possible = post2.best_line_accuracy(X, y)[0]
    assert len(curves) == 2 and len(curve) == 21
    assert curve[-1] == max(c[-1] for c in curves)
    assert 0.45 <= curve[-1] < 0.7
    assert 0.7 <= best_possible <= 0.8  # a line can take three quadrants, never four
    loss = net.loss(X, y[:, None].astype(float), post2.LOSS)
    assert np.log(2) - 0.05 < loss < np.log(2) + 0.01


def test_line_video_writes_a_short_video_its_poster_and_the_thumbnail(tmp_path):
    plotting.style()
    params = dict(post2.LINE_PARAMS, steps=30, frames=6, fps=10)
    outputs, _ = post2.line_video.__recipe__
    out = {name: tmp_path / name for name in outputs}
    for path in out.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    metrics = post2.line_video(out, params)
    video = plotting.probe_video(out["post2/line.mp4"])
    assert video["frames"] == 6 + 15  # the frames asked for, then 1.5 s resting on the result
    assert (video["width"], video["height"]) == (768, 432)
    assert matplotlib.image.imread(out["thumbs/post2.webp"]).shape[:2] == (240, 320)
    assert metrics["steps"] == 30 and metrics["final_loss"] < metrics["start_loss"]
