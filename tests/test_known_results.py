"""Training reaches known results with fixed seeds: the network really learns."""

import numpy as np

from demos.datasets import digits_split, one_hot, spirals
from demos.nn import Network, Trainer, make_optimizer


def test_two_spirals_are_separated_by_a_small_two_hidden_layer_network():
    X, y = spirals(250, 0.0, seed=0)
    net = Network([2, 8, 8, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    trainer = Trainer(net, X, y[:, None], "binary_cross_entropy", make_optimizer("adam", 0.03), batch_size=10)
    trainer.run(300)
    assert net.accuracy(X, y) >= 0.95


def test_digits_reach_97_percent_on_the_fixed_split():
    X_train, X_test, y_train, y_test = digits_split()
    net = Network([64, 64, 10], ["relu", "softmax"], seed=0)
    trainer = Trainer(
        net, X_train / 16, one_hot(y_train, 10), "categorical_cross_entropy",
        make_optimizer("adam", 0.001), batch_size=32, l2=1e-3, seed=0,
    )
    trainer.run(40)
    assert net.accuracy(X_test / 16, y_test) >= 0.97
    assert net.accuracy(X_train / 16, y_train) > net.accuracy(X_test / 16, y_test) - 0.01


def test_shuffled_digit_labels_are_not_learned_for_the_test_set():
    X_train, X_test, y_train, y_test = digits_split()
    shuffled = np.random.default_rng(0).permutation(y_train)
    net = Network([64, 64, 10], ["relu", "softmax"], seed=0)
    Trainer(net, X_train / 16, one_hot(shuffled, 10), "categorical_cross_entropy",
            make_optimizer("adam", 0.003), batch_size=32, seed=0).run(30)
    assert net.accuracy(X_test / 16, y_test) < 0.2
    assert net.accuracy(X_train / 16, shuffled) > 0.2  # memorising has begun
