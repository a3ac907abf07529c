"""The network: gradients against finite differences, stability, training results, saving."""

import itertools
import json

import numpy as np
import pytest

from demos import datasets
from demos.nn import ACTIVATIONS, Network, Trainer, TrainingDiverged, make_optimizer


def numerical_gradients(net, X, Y, loss, l2, h=1e-6, silenced=None):
    """Central differences of the loss for every weight and bias (the hidden units numbered in
    ``silenced`` switched off)."""
    grads = []
    for layer in net.layers:
        grad = {}
        for key, values in layer.items():
            g = np.zeros_like(values)
            for index in np.ndindex(values.shape):
                original = values[index]
                values[index] = original + h
                plus = net.loss(X, Y, loss, l2, silenced)
                values[index] = original - h
                minus = net.loss(X, Y, loss, l2, silenced)
                values[index] = original
                g[index] = (plus - minus) / (2 * h)
            grad[key] = g
        grads.append(grad)
    return grads


def relative_error(a, b):
    # Over the whole array, so a tiny entry's rounding noise does not dominate.
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


def targets_for(output, loss, rng, n, n_out):
    if loss == "categorical_cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, n)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, n_out)).astype(float)
    return rng.normal(size=(n, n_out))


# Every hidden activation with every output activation and loss that make sense together:
# cross-entropies need outputs in (0, 1), categorical needs several outputs summing to 1.
HIDDEN = ["identity", "sigmoid", "tanh", "relu"]
OUTPUT_LOSS = [
    ("identity", "mse"),
    ("tanh", "mse"),
    ("relu", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "categorical_cross_entropy"),
    ("sigmoid", "categorical_cross_entropy"),
    ("softmax", "binary_cross_entropy"),
]


@pytest.mark.parametrize("hidden,output_loss", list(itertools.product(HIDDEN, OUTPUT_LOSS)))
@pytest.mark.parametrize("l2", [0.0, 0.03])
def test_backpropagation_matches_finite_differences(hidden, output_loss, l2):
    output, loss = output_loss
    rng = np.random.default_rng(7)
    net = Network([3, 5, 4, 3], [hidden, hidden, output], seed=1)
    # Move the biases off zero so ReLU kinks and symmetric cases are not hit by chance.
    for layer in net.layers:
        layer["b"] += rng.normal(0, 0.3, layer["b"].shape)
    X = rng.normal(size=(6, 3))
    Y = targets_for(output, loss, rng, 6, 3)
    value, grads = net.gradients(X, Y, loss, l2)
    assert value == pytest.approx(net.loss(X, Y, loss, l2), rel=1e-12)
    expected = numerical_gradients(net, X, Y, loss, l2)
    for got, want in zip(grads, expected):
        for key in ("W", "b"):
            assert relative_error(got[key], want[key]) < 1e-6, (hidden, output, loss, key)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_units_switched_off_pass_nothing_back_and_the_rest_matches_finite_differences(hidden):
    rng = np.random.default_rng(3)
    net = Network([3, 5, 4, 3], [hidden, hidden, "softmax"], seed=1)
    for layer in net.layers:
        layer["b"] += rng.normal(0, 0.3, layer["b"].shape)
    X = rng.normal(size=(6, 3))
    Y = targets_for("softmax", "categorical_cross_entropy", rng, 6, 3)
    off = [1, 5 + 2]  # neuron 1 of the first hidden layer, neuron 2 of the second
    value, grads = net.gradients(X, Y, "categorical_cross_entropy", 0.01, silenced=off)
    assert value == pytest.approx(net.loss(X, Y, "categorical_cross_entropy", 0.01, off), rel=1e-12)
    expected = numerical_gradients(net, X, Y, "categorical_cross_entropy", 0.01, silenced=off)
    for got, want in zip(grads, expected):
        for key in ("W", "b"):
            assert relative_error(got[key], want[key]) < 1e-6, (hidden, key)
    # Nothing reaches the loss through a neuron that is off: its weights in and out get only L2's pull.
    _, plain = net.gradients(X, Y, "categorical_cross_entropy", 0.01, silenced=[])
    for l, unit in ((0, 1), (1, 2)):
        np.testing.assert_allclose(grads[l]["W"][:, unit], 0.01 * net.layers[l]["W"][:, unit], rtol=1e-12)
        np.testing.assert_allclose(grads[l + 1]["W"][unit], 0.01 * net.layers[l + 1]["W"][unit], rtol=1e-12)
        assert grads[l]["b"][unit] == 0
        if np.any(net.forward_all(X).activations[l + 1][:, unit] != 0):  # not a dead ReLU: on, it learns
            assert np.any(np.abs(plain[l + 1]["W"][unit] - 0.01 * net.layers[l + 1]["W"][unit]) > 1e-6)


def test_a_trainer_with_a_neuron_switched_off_leaves_its_weights_and_the_rest_learns():
    X, y = datasets.toy("circles", 200, 0.1, 0)
    net = Network([2, 6, 1], ["tanh", "sigmoid"], seed=2)
    trainer = Trainer(net, X, y[:, None].astype(float), "binary_cross_entropy", make_optimizer("sgd", 0.5),
                      batch_size=20, seed=0)
    trainer.silenced = [3]
    into, out = net.layers[0]["W"][:, 3].copy(), net.layers[1]["W"][3].copy()
    before = net.loss(X, y[:, None], "binary_cross_entropy", silenced=[3])
    trainer.run(30)
    np.testing.assert_array_equal(net.layers[0]["W"][:, 3], into)
    np.testing.assert_array_equal(net.layers[1]["W"][3], out)
    assert net.loss(X, y[:, None], "binary_cross_entropy", silenced=[3]) < 0.5 * before
    assert trainer.history[-1] == pytest.approx(net.loss(X, y[:, None], "binary_cross_entropy", silenced=[3]),
                                                rel=0.1)


def test_single_layer_gradient_has_the_textbook_form():
    # One sigmoid neuron with cross-entropy: dLoss/dW = X^T (a - y) / n.
    rng = np.random.default_rng(0)
    net = Network([2, 1], ["sigmoid"], seed=0)
    X, Y = rng.normal(size=(5, 2)), rng.integers(0, 2, (5, 1)).astype(float)
    _, grads = net.gradients(X, Y, "binary_cross_entropy")
    a = net.forward(X)
    np.testing.assert_allclose(grads[0]["W"], X.T @ (a - Y) / 5, rtol=1e-12)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    net = Network([2, 3], ["softmax"], seed=0)
    net.layers[0]["W"][:] = [[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]]
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    right = np.array([[1.0, 0, 0], [1.0, 0, 0]])
    wrong = np.array([[0, 1.0, 0], [0, 0, 1.0]])
    probabilities = net.forward(X)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert net.loss(X, right, "categorical_cross_entropy") == pytest.approx(0.0, abs=1e-12)
    # Exact, not clipped: the wrong classes are 2e4 and 1e4 below the right one.
    assert net.loss(X, wrong, "categorical_cross_entropy") == pytest.approx(15000.0)
    value, grads = net.gradients(X, wrong, "categorical_cross_entropy")
    assert np.isfinite(value) and all(np.all(np.isfinite(g["W"])) for g in grads)


def test_sigmoid_cross_entropy_is_stable_for_huge_logits():
    net = Network([1, 1], ["sigmoid"], seed=0)
    net.layers[0]["W"][:] = 1e5
    X = np.array([[1.0], [-1.0]])
    Y = np.array([[0.0], [1.0]])
    assert net.loss(X, Y, "binary_cross_entropy") == pytest.approx(1e5)


def test_forward_all_keeps_every_layer():
    net = Network([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], seed=3)
    X = np.random.default_rng(1).normal(size=(7, 2))
    zs, activations = net.forward_all(X)
    assert [z.shape for z in zs] == [(7, 4), (7, 3), (7, 1)]
    assert [a.shape for a in activations] == [(7, 2), (7, 4), (7, 3), (7, 1)]
    assert np.all(activations[1] >= 0) and np.array_equal(activations[1], np.maximum(zs[0], 0))
    np.testing.assert_array_equal(activations[-1], net.forward(X))



def test_a_silenced_unit_is_a_unit_whose_activation_is_zero():
    net = Network([3, 4, 5, 2], ["tanh", "relu", "softmax"], seed=2)
    X = np.random.default_rng(4).normal(size=(6, 3))
    # Units 1 and 3 of the first hidden layer, and unit 2 of the second (numbered 4 + 2).
    zs, activations = net.forward_all(X, silenced=[1, 3, 6])
    assert np.all(activations[1][:, [1, 3]] == 0) and np.all(activations[2][:, 2] == 0)
    # By hand: the same layers, with those activations zeroed on the way.
    a1 = np.tanh(X @ net.layers[0]["W"] + net.layers[0]["b"])
    a1[:, [1, 3]] = 0
    a2 = np.maximum(a1 @ net.layers[1]["W"] + net.layers[1]["b"], 0)
    a2[:, 2] = 0
    z3 = a2 @ net.layers[2]["W"] + net.layers[2]["b"]
    expected = np.exp(z3) / np.exp(z3).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(X, [1, 3, 6]), expected, rtol=1e-12)
    np.testing.assert_array_equal(activations[-1], net.forward(X, [6, 3, 1, 3]))  # order, repeats: no matter
    assert not np.allclose(expected, net.forward(X))
    # Silencing nothing changes nothing; the weights are untouched either way.
    np.testing.assert_array_equal(net.forward(X, []), net.forward(X))
    np.testing.assert_array_equal(net.predict(X, np.array([], dtype=int)), net.predict(X))
    assert net.accuracy(X, expected.argmax(axis=1), [1, 3, 6]) == 1.0
    assert net.silencing([]) == {} and net.n_hidden == 9


@pytest.mark.parametrize("silenced, message", [
    ([9], "there is no hidden unit 9: this network's 9 hidden units are numbered 0 to 8"),
    ([0, -1], "there is no hidden unit -1: this network's 9 hidden units are numbered 0 to 8"),
    ([2.0], "hidden unit 2.0 is not a unit number (a whole number from 0 to 8)"),
    (["3"], "hidden unit '3' is not a unit number"),
    ([True], "hidden unit True is not a unit number"),
    (4, "silenced must list hidden unit numbers, got 4"),
])
def test_silencing_a_unit_that_does_not_exist_says_which_and_the_range(silenced, message):
    net = Network([3, 4, 5, 2], ["tanh", "relu", "softmax"], seed=2)
    with pytest.raises(ValueError) as error:
        net.forward(np.zeros((1, 3)), silenced)
    assert str(error.value).startswith(message)
    with pytest.raises(ValueError, match="no hidden unit 0: this network has no hidden layer"):
        Network([3, 2], ["softmax"]).forward(np.zeros((1, 3)), [0])


def test_seed_decides_the_starting_weights():
    a = Network([2, 8, 1], ["tanh", "sigmoid"], seed=5)
    b = Network([2, 8, 1], ["tanh", "sigmoid"], seed=5)
    c = Network([2, 8, 1], ["tanh", "sigmoid"], seed=6)
    assert np.array_equal(a.layers[0]["W"], b.layers[0]["W"])
    assert not np.array_equal(a.layers[0]["W"], c.layers[0]["W"])
    assert a.n_parameters == 2 * 8 + 8 + 8 * 1 + 1


def xor_data():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def test_xor_is_solved():
    X, Y = xor_data()
    net = Network([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    trainer = Trainer(net, X, Y, "binary_cross_entropy", make_optimizer("adam", 0.05), batch_size=4)
    trainer.run(500)
    assert net.accuracy(X, Y[:, 0]) == 1.0
    assert trainer.history[-1] < 0.05 < trainer.history[0]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_optimizer_lowers_the_loss(optimizer):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(64, 2))
    Y = (X[:, :1] + X[:, 1:] > 0).astype(float)
    net = Network([2, 1], ["sigmoid"], seed=0)
    trainer = Trainer(net, X, Y, "binary_cross_entropy", make_optimizer(optimizer, 0.1), batch_size=16)
    trainer.run(20)
    assert trainer.history[-1] < 0.5 * trainer.history[0]
    assert net.accuracy(X, Y[:, 0]) > 0.95


def test_l2_keeps_weights_smaller():
    X, Y = xor_data()
    sizes = []
    for l2 in (0.0, 0.05):
        net = Network([2, 6, 1], ["tanh", "sigmoid"], seed=0)
        Trainer(net, X, Y, "binary_cross_entropy", make_optimizer("adam", 0.05), 4, l2=l2).run(300)
        sizes.append(sum(np.sum(layer["W"] ** 2) for layer in net.layers))
    assert sizes[1] < 0.5 * sizes[0]


def train_for(steps_per_call, total_steps, optimizer="adam"):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 2))
    Y = np.eye(3)[rng.integers(0, 3, 50)]
    net = Network([2, 5, 3], ["relu", "softmax"], seed=9)
    trainer = Trainer(net, X, Y, "categorical_cross_entropy", make_optimizer(optimizer, 0.05), 8, seed=11)
    done = 0
    while done < total_steps:
        for _ in range(min(steps_per_call, total_steps - done)):
            trainer.step()
        done += steps_per_call
    return net, trainer


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_pausing_and_resuming_gives_identical_results(optimizer):
    straight, t1 = train_for(70, 70, optimizer)
    paused, t2 = train_for(3, 70, optimizer)
    again, _ = train_for(70, 70, optimizer)
    for a, b, c in zip(straight.layers, paused.layers, again.layers):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["W"], c["W"])
    assert t1.history == t2.history and t1.epoch == t2.epoch == 70 // 7


def test_epochs_cover_every_example_once():
    X = np.arange(10.0).reshape(10, 1)
    net = Network([1, 1], ["identity"], seed=0)
    trainer = Trainer(net, X, X, "mse", make_optimizer("sgd", 1e-9), batch_size=4)
    seen = []
    for _ in range(3):  # 4 + 4 + 2 rows: one epoch; each row of X holds its own index
        seen.extend(trainer._X_shuffled[trainer._position : trainer._position + 4, 0])
        trainer.step()
    assert sorted(seen) == list(range(10)) and trainer.epoch == 1 and len(trainer.history) == 1


def test_on_epoch_callback_sees_each_epoch():
    X, Y = xor_data()
    net = Network([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    trainer = Trainer(net, X, Y, "binary_cross_entropy", make_optimizer("sgd", 0.5), batch_size=2)
    epochs = []
    trainer.run(5, on_epoch=lambda t: epochs.append((t.epoch, t.steps)))
    assert epochs == [(1, 2), (2, 4), (3, 6), (4, 8), (5, 10)]


def test_divergence_is_reported_with_the_learning_rate():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 2)) * 10
    Y = rng.normal(size=(32, 1)) * 10
    net = Network([2, 16, 1], ["relu", "identity"], seed=0)
    trainer = Trainer(net, X, Y, "mse", make_optimizer("sgd", 5.0), batch_size=32)
    with pytest.raises(TrainingDiverged, match=r"learning rate \(5\) is too large"):
        trainer.run(200)


def test_saved_network_round_trips_exactly():
    net = Network([4, 3, 2], ["relu", "softmax"], seed=2)
    text = net.to_json()
    again = Network.from_json(text)
    assert again.sizes == [4, 3, 2] and [a.name for a in again.activations] == ["relu", "softmax"]
    X = np.random.default_rng(0).normal(size=(5, 4))
    assert np.array_equal(net.forward(X), again.forward(X))
    assert json.loads(text)["format"] == "demos.nn/1"


def test_saved_network_with_wrong_shapes_is_rejected():
    data = json.loads(Network([4, 3, 2], ["relu", "softmax"], seed=2).to_json())
    data["layers"][1]["W"] = [[0.0, 0.0, 0.0]] * 3
    with pytest.raises(ValueError, match=r"layer 1 W has shape \(3, 3\) but sizes \[4, 3, 2\] need \(3, 2\)"):
        Network.from_json(json.dumps(data))
    data["layers"] = data["layers"][:1]
    with pytest.raises(ValueError, match="1 layers of weights"):
        Network.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="not a saved network"):
        Network.from_json("{nope")
    data["layers"] = ["W", "b"]  # the right count, but no weights in them
    with pytest.raises(ValueError, match="layer 0 W is not an array of numbers"):
        Network.from_json(json.dumps(data))


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: Network([2, 3, 1], ["tanh", "swish"]), "unknown activation 'swish'; choose one of identity"),
        (lambda: Network([2, 3, 1], ["tanh"]), "2 layers need 2 activation names"),
        (lambda: Network([2, 3, 1], "tanh"), "must be a list of names"),
        (lambda: Network([2], []), "at least two positive layer sizes"),
        (lambda: Network([2, 3, 1], ["softmax", "sigmoid"]), "only allowed as the output"),
        (lambda: make_optimizer("rmsprop", 0.1), "unknown optimizer 'rmsprop'"),
        (lambda: make_optimizer("sgd", -1), "learning rate must be a positive number"),
        (lambda: Network([2, 1], ["sigmoid"]).forward(np.zeros((3, 5))), "X has 5 columns but the network expects 2"),
        (lambda: Network([2, 1], ["sigmoid"]).forward(np.zeros(2)), r"2-D array \(n_samples, n_features\), got shape \(2,\)"),
        (lambda: Network([2, 1], ["sigmoid"]).loss(np.zeros((3, 2)), np.zeros((3, 1)), "hinge"), "unknown loss 'hinge'"),
    ],
)
def test_bad_input_says_what_was_wrong(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_nan_in_training_data_is_rejected_with_its_row():
    X = np.zeros((5, 2))
    X[3, 1] = np.nan
    net = Network([2, 1], ["sigmoid"])
    with pytest.raises(ValueError, match=r"X contains NaN or infinity \(first at row 3\)"):
        Trainer(net, X, np.zeros((5, 1)), "mse", make_optimizer("sgd", 0.1))
    with pytest.raises(ValueError, match="X has 5 rows but Y has 4"):
        Trainer(net, np.zeros((5, 2)), np.zeros((4, 1)), "mse", make_optimizer("sgd", 0.1))


def test_activations_have_the_expected_values():
    z = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].function(z), [[0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1]])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].function(z), [[0, 0, 0, 1, 1000]])
    np.testing.assert_allclose(ACTIVATIONS["softmax"].function(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])

