"""Convolution: every backward step against finite differences, the hand-made
kernels against hand-computed maps, the network's training results and saving."""

import json

import numpy as np
import pytest

from demos.conv import (
    FORMAT,
    KERNELS,
    ConvNetwork,
    conv_backward,
    conv_forward,
    convolve,
    flatten_backward,
    flatten_forward,
    kernel,
    max_pool_backward,
    max_pool_forward,
    output_shape,
)
from demos.datasets import coloured_shapes, digits_split, one_hot
from demos.nn import Network, Trainer, make_optimizer


def numerical_gradient(f, values, h=1e-6):
    """Central differences of the scalar ``f()`` for every entry of ``values`` (changed in place, then restored)."""
    grad = np.zeros_like(values)
    for index in np.ndindex(values.shape):
        original = values[index]
        values[index] = original + h
        plus = f()
        values[index] = original - h
        minus = f()
        values[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    # Over the whole array, so a tiny entry's rounding noise does not dominate.
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


def naive_convolution(x, W, b, stride, padding):
    """The definition, one output value at a time: the independent reference."""
    n, channels, height, width = x.shape
    channels_out, _, k, _ = W.shape
    padded = np.zeros((n, channels, height + 2 * padding, width + 2 * padding))
    padded[:, :, padding : padding + height, padding : padding + width] = x
    out_h, out_w = (height + 2 * padding - k) // stride + 1, (width + 2 * padding - k) // stride + 1
    z = np.zeros((n, channels_out, out_h, out_w))
    for s in range(n):
        for f in range(channels_out):
            for r in range(out_h):
                for c in range(out_w):
                    patch = padded[s, :, r * stride : r * stride + k, c * stride : c * stride + k]
                    z[s, f, r, c] = np.sum(patch * W[f]) + b[f]
    return z


# --- Convolution step.

CONV_CASES = [
    # (channels_in, channels_out, height, width, k, stride, padding)
    (1, 1, 5, 5, 3, 1, 0),
    (1, 3, 5, 7, 3, 1, 1),
    (3, 2, 6, 5, 3, 2, 0),
    (2, 4, 7, 6, 3, 2, 1),
    (3, 2, 5, 8, 2, 2, 1),
    (2, 3, 4, 4, 4, 1, 0),
]


@pytest.mark.parametrize("channels_in,channels_out,height,width,k,stride,padding", CONV_CASES)
def test_convolution_matches_the_definition_and_finite_differences(
    channels_in, channels_out, height, width, k, stride, padding
):
    rng = np.random.default_rng(channels_in * 100 + k * 10 + stride + padding)
    x = rng.normal(size=(2, channels_in, height, width))
    W = rng.normal(size=(channels_out, channels_in, k, k))
    b = rng.normal(size=channels_out)
    z, cache = conv_forward(x, W, b, stride, padding)
    assert z.shape == (2, channels_out, *output_shape(height, width, k, stride, padding))
    np.testing.assert_allclose(z, naive_convolution(x, W, b, stride, padding), rtol=1e-12, atol=1e-12)
    # Against an upstream gradient R, the loss sum(z * R) has dLoss/dz = R.
    R = rng.normal(size=z.shape)
    grad_x, grad_W, grad_b = conv_backward(R, cache)
    loss = lambda: np.sum(conv_forward(x, W, b, stride, padding)[0] * R)
    assert relative_error(grad_x, numerical_gradient(loss, x)) < 1e-6
    assert relative_error(grad_W, numerical_gradient(loss, W)) < 1e-6
    assert relative_error(grad_b, numerical_gradient(loss, b)) < 1e-6


def test_convolution_output_shape_follows_the_formula():
    for height, width, k, stride, padding in [(8, 8, 3, 1, 0), (8, 8, 3, 1, 1), (9, 7, 3, 2, 1), (10, 6, 5, 3, 2), (4, 9, 4, 1, 0)]:
        out = convolve(np.ones((height, width)), np.ones((k, k)), stride, padding)
        assert out.shape == ((height + 2 * padding - k) // stride + 1, (width + 2 * padding - k) // stride + 1)


def test_convolve_slides_the_kernel_without_flipping_it():
    image = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    # Top-left patch [[1, 2], [4, 5]] against [[1, 2], [3, 4]]: 1 + 4 + 12 + 20.
    np.testing.assert_array_equal(convolve(image, [[1.0, 2.0], [3.0, 4.0]]), [[37.0, 47.0], [67.0, 77.0]])
    # Stride 2 over the zero-padded 5x5 numbers: corners see 2x2 blocks, the middle a full 3x3.
    numbers = np.arange(25.0).reshape(5, 5)
    summed = convolve(numbers, np.ones((3, 3)), stride=2, padding=1)
    assert summed.shape == (3, 3)
    assert summed[0, 0] == 0 + 1 + 5 + 6
    assert summed[0, 1] == 1 + 2 + 3 + 6 + 7 + 8
    assert summed[1, 1] == 6 + 7 + 8 + 11 + 12 + 13 + 16 + 17 + 18
    assert summed[2, 2] == 18 + 19 + 23 + 24


def test_convolve_sums_over_channels():
    rng = np.random.default_rng(3)
    image, weights = rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 3, 3))
    per_channel = sum(convolve(image[c], weights[c], padding=1) for c in range(3))
    np.testing.assert_allclose(convolve(image, weights, padding=1), per_channel, rtol=1e-12)


def test_identity_kernel_returns_the_image():
    image = np.random.default_rng(0).uniform(size=(6, 9))
    np.testing.assert_array_equal(convolve(image, KERNELS["identity"], padding=1), image)
    np.testing.assert_array_equal(convolve(image, KERNELS["identity"]), image[1:-1, 1:-1])


def test_vertical_edge_kernel_lights_up_both_sides_of_a_bar():
    image = np.zeros((7, 9))
    image[:, 3:6] = 1.0  # a bright vertical bar, columns 3 to 5
    out = convolve(image, KERNELS["vertical_edge"])
    # Output column j is centred on image column j + 1: dark-to-bright at the bar's
    # left side (+4 = 1 + 2 + 1), bright-to-dark at its right (-4), flat elsewhere.
    np.testing.assert_array_equal(out, np.tile([0.0, 4.0, 4.0, 0.0, -4.0, -4.0, 0.0], (5, 1)))
    np.testing.assert_array_equal(convolve(image, KERNELS["horizontal_edge"]), np.zeros((5, 7)))
    # Turned on its side, the bar lights up the horizontal-edge kernel the same way.
    np.testing.assert_array_equal(convolve(image.T, KERNELS["horizontal_edge"]), out.T)


def test_blur_and_sharpen_leave_flat_regions_alone():
    flat = np.full((5, 5), 0.7)
    for name in ("blur", "sharpen"):
        np.testing.assert_allclose(convolve(flat, KERNELS[name]), np.full((3, 3), 0.7), rtol=1e-12)
    # Blur spreads a single bright pixel over its neighbours, keeping the total.
    dot = np.zeros((5, 5))
    dot[2, 2] = 1.0
    blurred = convolve(dot, KERNELS["blur"], padding=1)
    assert blurred.sum() == pytest.approx(1.0) and blurred[2, 2] == 0.25 and blurred[1, 1] == 1 / 16


def test_shifting_the_image_shifts_the_feature_map():
    image = np.zeros((8, 8))
    image[2:5, 1:3] = 1.0
    moved = np.roll(image, (2, 3), axis=(0, 1))
    out, out_moved = (convolve(picture, KERNELS["vertical_edge"], padding=1) for picture in (image, moved))
    np.testing.assert_array_equal(np.roll(out, (2, 3), axis=(0, 1)), out_moved)


def test_kernel_hands_out_copies():
    copy = kernel("sharpen")
    copy[1, 1] = 0.0
    assert KERNELS["sharpen"][1, 1] == 5.0
    with pytest.raises(ValueError):
        KERNELS["sharpen"][1, 1] = 0.0
    with pytest.raises(ValueError, match="unknown kernel 'emboss'; choose one of identity, blur"):
        kernel("emboss")


# --- Pooling and flattening.


@pytest.mark.parametrize("size,stride,height,width", [(2, None, 6, 6), (2, 2, 7, 5), (3, 1, 6, 5), (3, 2, 7, 7)])
def test_max_pool_matches_finite_differences(size, stride, height, width):
    rng = np.random.default_rng(size * 10 + height)
    x = rng.normal(size=(2, 3, height, width))  # continuous values: no ties
    out, cache = max_pool_forward(x, size, stride)
    step = size if stride is None else stride
    assert out.shape == (2, 3, (height - size) // step + 1, (width - size) // step + 1)
    R = rng.normal(size=out.shape)
    loss = lambda: np.sum(max_pool_forward(x, size, stride)[0] * R)
    assert relative_error(max_pool_backward(R, cache), numerical_gradient(loss, x)) < 1e-6


def test_max_pool_keeps_each_windows_largest_value_and_routes_its_gradient():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, cache = max_pool_forward(x, 2)
    np.testing.assert_array_equal(out[0, 0], [[5.0, 7.0], [13.0, 15.0]])
    grad = max_pool_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), cache)
    np.testing.assert_array_equal(grad[0, 0], [[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]])


def test_max_pool_breaks_ties_at_the_first_pixel_in_reading_order():
    x = np.array([[[[1.0, 1.0, 0.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]])
    out, cache = max_pool_forward(x, 2)
    np.testing.assert_array_equal(out[0, 0], [[1.0, 2.0]])
    np.testing.assert_array_equal(max_pool_backward(np.ones((1, 1, 1, 2)), cache)[0, 0], [[1, 0, 0, 1], [0, 0, 0, 0]])
    # Overlapping windows (stride 1) that share a winner add their gradients there.
    _, cache = max_pool_forward(np.array([[[[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]]), 2, 1)
    np.testing.assert_array_equal(max_pool_backward(np.ones((1, 1, 2, 2)), cache)[0, 0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_flatten_round_trips_and_passes_gradients_through():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2, 4, 5))
    flat, cache = flatten_forward(x)
    assert flat.shape == (3, 40)
    np.testing.assert_array_equal(flat[1], x[1].ravel())
    R = rng.normal(size=flat.shape)
    loss = lambda: np.sum(flatten_forward(x)[0] * R)
    assert relative_error(flatten_backward(R, cache), numerical_gradient(loss, x)) < 1e-6


# --- The network.


def small_network(hidden, seed=1):
    # Non-square two-channel input, a padded and an unpadded convolution, pooling after the first only.
    return ConvNetwork((2, 6, 5), conv=[(3, 3, 1, 1), (4, 2)], pool=[2, None], dense=[5], n_classes=3, activation=hidden, seed=seed)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", ["categorical_cross_entropy", "mse"])
@pytest.mark.parametrize("l2", [0.0, 0.03])
def test_network_backpropagation_matches_finite_differences(hidden, loss, l2):
    rng = np.random.default_rng(7)
    net = small_network(hidden)
    # Biases off zero, so no unit sits exactly on a ReLU kink.
    for layer in net.layers:
        layer["b"] += rng.normal(0, 0.3, layer["b"].shape)
    X = rng.normal(size=(4, 60))
    Y = np.eye(3)[rng.integers(0, 3, 4)]
    value, grads = net.gradients(X, Y, loss, l2)
    assert value == pytest.approx(net.loss(X, Y, loss, l2), rel=1e-12)
    for l, (layer, grad) in enumerate(zip(net.layers, grads)):
        for key in ("W", "b"):
            assert grad[key].shape == layer[key].shape
            expected = numerical_gradient(lambda: net.loss(X, Y, loss, l2), layer[key])
            assert relative_error(grad[key], expected) < 1e-6, (l, key)


def test_network_units_switched_off_match_finite_differences():
    rng = np.random.default_rng(5)
    net = small_network("tanh")
    for layer in net.layers:
        layer["b"] += rng.normal(0, 0.3, layer["b"].shape)
    X = rng.normal(size=(4, 60))
    Y = np.eye(3)[rng.integers(0, 3, 4)]
    # The first layer hands on 3 x 3 x 2 = 18 numbers, the second 4 x 2 x 1 = 8, the dense layer 5:
    # a pooled number of filter 1, one of the second layer's maps and dense neuron 2 switched off.
    off = [10, 18 + 5, 18 + 8 + 2]
    value, grads = net.gradients(X, Y, "categorical_cross_entropy", 0.0, silenced=off)
    assert value == pytest.approx(net.loss(X, Y, "categorical_cross_entropy", 0.0, off), rel=1e-12)
    for l, (layer, grad) in enumerate(zip(net.layers, grads)):
        for key in ("W", "b"):
            expected = numerical_gradient(lambda: net.loss(X, Y, "categorical_cross_entropy", 0.0, off), layer[key])
            assert relative_error(grad[key], expected) < 1e-6, (l, key)
    assert grads[2]["b"][2] == 0 and np.all(grads[3]["W"][2] == 0)  # dense neuron 2 learns nothing


def test_network_layout_for_the_digits():
    net = ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], pool=2, dense=[32], n_classes=10, seed=0)
    assert net.shapes == [(1, 8, 8), (8, 4, 4), (32,), (10,)]
    assert net.sizes == [64, 128, 32, 10]
    assert [layer["W"].shape for layer in net.layers] == [(8, 1, 3, 3), (128, 32), (32, 10)]
    assert net.n_parameters == (8 * 9 + 8) + (128 * 32 + 32) + (32 * 10 + 10)
    assert [act.name for act in net.activations] == ["relu", "relu", "softmax"]
    assert np.array_equal(net.layers[0]["W"], ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], seed=0).layers[0]["W"])
    assert not np.array_equal(net.layers[0]["W"], ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], seed=1).layers[0]["W"])


def test_forward_all_shows_each_filters_feature_maps():
    net = ConvNetwork((1, 8, 8), conv=[(4, 3, 1, 1), (6, 3)], pool=[2, None], dense=[7], n_classes=3, seed=2)
    X = np.random.default_rng(0).uniform(size=(5, 64))
    zs, activations = net.forward_all(X)
    assert [z.shape for z in zs] == [(5, 4, 8, 8), (5, 6, 2, 2), (5, 7), (5, 3)]
    assert [a.shape for a in activations] == [(5, 1, 8, 8), (5, 4, 4, 4), (5, 6, 2, 2), (5, 7), (5, 3)]
    np.testing.assert_array_equal(activations[0], X.reshape(5, 1, 8, 8))
    # A filter's map in the network is the plain convolution of the image plus the filter's bias.
    W, b = net.layers[0]["W"], net.layers[0]["b"]
    for f in range(4):
        np.testing.assert_allclose(zs[0][3, f], convolve(X[3].reshape(8, 8), W[f, 0], padding=1) + b[f], atol=1e-12)
    np.testing.assert_array_equal(activations[1], max_pool_forward(np.maximum(zs[0], 0), 2)[0])
    np.testing.assert_array_equal(activations[2], np.maximum(zs[1], 0))
    np.testing.assert_allclose(activations[-1].sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.forward(X), activations[-1])
    np.testing.assert_array_equal(net.predict(X), activations[-1].argmax(axis=1))



def test_silencing_numbers_a_feature_map_and_a_dense_neuron_as_network_does():
    net = ConvNetwork((1, 8, 8), conv=[(4, 3, 1, 1), (6, 3)], pool=[2, None], dense=[7], n_classes=3, seed=2)
    X = np.random.default_rng(0).uniform(size=(5, 64))
    # The first layer hands on 4 x 4 x 4 = 64 numbers, the second 6 x 2 x 2 = 24, the dense layer 7:
    # unit 17 is filter 1's pooled map at row 0, column 1; unit 64 + 24 + 5 the dense neuron 5.
    _, activations = net.forward_all(X, silenced=[17, 93])
    _, everything = net.forward_all(X)
    assert np.all(activations[1][:, 1, 0, 1] == 0) and np.all(activations[3][:, 5] == 0)
    kept = np.ones(64, dtype=bool)
    kept[17] = False
    np.testing.assert_array_equal(activations[1].reshape(5, 64)[:, kept], everything[1].reshape(5, 64)[:, kept])
    # The layers after see the silenced units as zeros.
    dense = activations[2].reshape(5, 24) @ net.layers[2]["W"] + net.layers[2]["b"]
    np.testing.assert_allclose(np.maximum(dense, 0)[:, [0, 1, 2, 3, 4, 6]], activations[3][:, [0, 1, 2, 3, 4, 6]])
    np.testing.assert_array_equal(net.forward(X, []), net.forward(X))
    with pytest.raises(ValueError, match="no hidden unit 95: this network's 95 hidden units are numbered 0 to 94"):
        net.forward(X, [95])


def digits_images():
    X_train, X_test, y_train, y_test = digits_split()
    return X_train / 16.0, X_test / 16.0, y_train, y_test


def train(net, X, y, epochs, learning_rate=0.01, seed=0):
    Y = one_hot(y, net.sizes[-1])
    trainer = Trainer(net, X, Y, "categorical_cross_entropy", make_optimizer("adam", learning_rate), batch_size=32, seed=seed)
    return trainer.run(epochs)


def test_digits_are_learned():
    X_train, X_test, y_train, y_test = digits_images()
    net = ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], pool=2, dense=[32], n_classes=10, seed=0)
    history = train(net, X_train, y_train, epochs=12)
    assert history[-1] < 0.1 * history[0]
    assert net.accuracy(X_test, y_test) >= 0.96


def test_convolutions_beat_a_bigger_dense_network_at_telling_shapes_apart():
    images, shapes, _ = coloured_shapes(1500, seed=1, size=12)
    X = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # (n, 3, 12, 12) rows: channels first
    X_train, X_test, y_train, y_test = X[:900], X[900:], shapes[:900], shapes[900:]
    conv = ConvNetwork((3, 12, 12), conv=[(8, 3, 1, 1), (16, 3, 1, 1)], pool=2, dense=[], n_classes=3, seed=0)
    dense = Network([3 * 12 * 12, 32, 3], ["relu", "softmax"], seed=0)
    assert dense.n_parameters > 5 * conv.n_parameters
    train(conv, X_train, y_train, epochs=10)
    train(dense, X_train, y_train, epochs=30)  # three times the epochs: it is not for lack of training
    assert conv.accuracy(X_test, y_test) >= 0.85
    assert conv.accuracy(X_test, y_test) >= dense.accuracy(X_test, y_test) + 0.2


def train_in_chunks(steps_per_call, total_steps):
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(40, 36))
    Y = np.eye(3)[rng.integers(0, 3, 40)]
    net = ConvNetwork((1, 6, 6), conv=[(3, 3, 1, 1)], pool=2, dense=[4], n_classes=3, seed=9)
    trainer = Trainer(net, X, Y, "categorical_cross_entropy", make_optimizer("adam", 0.05), 8, l2=0.01, seed=11)
    done = 0
    while done < total_steps:
        for _ in range(min(steps_per_call, total_steps - done)):
            trainer.step()
        done += steps_per_call
    return net, trainer


def test_pausing_and_resuming_gives_identical_results():
    straight, t1 = train_in_chunks(25, 25)
    paused, t2 = train_in_chunks(3, 25)
    for a, b in zip(straight.layers, paused.layers):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
    assert t1.history == t2.history and t1.epoch == t2.epoch == 5
    untrained = ConvNetwork((1, 6, 6), conv=[(3, 3, 1, 1)], pool=2, dense=[4], n_classes=3, seed=9)
    assert not np.array_equal(straight.layers[0]["W"], untrained.layers[0]["W"])


# --- Saving.


def test_saved_network_round_trips_exactly():
    net = small_network("tanh", seed=4)
    text = net.to_json()
    again = ConvNetwork.from_json(text)
    assert again.architecture() == net.architecture() == json.loads(text)["architecture"]
    assert json.loads(text)["format"] == FORMAT == "demos.conv/1"
    X = np.random.default_rng(0).normal(size=(3, 60))
    assert np.array_equal(net.forward(X), again.forward(X))
    assert again.to_json() == text


def test_saved_network_with_wrong_shapes_is_rejected():
    data = json.loads(small_network("relu").to_json())
    data["layers"][0]["W"] = np.zeros((3, 2, 5, 5)).tolist()
    with pytest.raises(ValueError, match=r"layer 0 W has shape \(3, 2, 5, 5\) but the architecture needs \(3, 2, 3, 3\)"):
        ConvNetwork.from_json(json.dumps(data))
    data["layers"] = data["layers"][:3]
    with pytest.raises(ValueError, match="3 layers of weights but its architecture needs 4"):
        ConvNetwork.from_json(json.dumps(data))
    data = json.loads(small_network("relu").to_json())
    data["architecture"]["conv"][1] = [4, 9]
    with pytest.raises(ValueError, match=r"a 9x9 kernel \(convolution layer 1\) does not fit in a 3x2 input"):
        ConvNetwork.from_json(json.dumps(data))
    del data["architecture"]["pool"]
    with pytest.raises(ValueError, match="exactly the keys input_shape, conv, pool"):
        ConvNetwork.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="expected format 'demos.conv/1'"):
        ConvNetwork.from_json(Network([2, 1], ["sigmoid"]).to_json())
    with pytest.raises(ValueError, match="not a saved convolutional network"):
        ConvNetwork.from_json("{nope")


# --- Bad input.


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: conv_forward(np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1)), r"x must be a 4-D array \(n_samples, channels, height, width\), got shape \(2, 5, 5\)"),
        (lambda: conv_forward(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)), np.zeros(1)), "the kernels expect 3 input channels but x has 2"),
        (lambda: conv_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 2)), np.zeros(1)), r"kernels must be a 4-D array \(channels_out, channels_in, k, k\)"),
        (lambda: conv_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros(3)), r"biases must have shape \(2,\), one per kernel"),
        (lambda: conv_forward(np.zeros((1, 1, 4, 6)), np.zeros((1, 1, 7, 7)), np.zeros(1), padding=1), r"a 7x7 kernel does not fit in a 4x6 input \(padded by 1\)"),
        (lambda: convolve(np.zeros((4, 4)), np.ones((5, 5))), "a 5x5 kernel does not fit in a 4x4 input"),
        (lambda: convolve(np.zeros((5, 5)), np.ones((3, 3)), stride=0), "stride must be at least 1, got 0"),
        (lambda: convolve(np.zeros((5, 5)), np.ones((3, 3)), padding=-1), "padding must be at least 0, got -1"),
        (lambda: convolve(np.zeros((5, 5)), np.ones((3, 3)), stride=1.5), "stride must be a whole number, got 1.5"),
        (lambda: convolve(np.zeros((3, 5, 5)), np.ones((3, 3))), r"a \(3, 5, 5\) image needs a square kernel \(3, k, k\)"),
        (lambda: convolve(np.zeros((3, 5, 5)), np.ones((2, 3, 3))), "the image has 3 channels but the kernel has 2"),
        (lambda: convolve(np.zeros(5), np.ones((3, 3))), r"image must be \(height, width\) or \(channels, height, width\)"),
        (lambda: max_pool_forward(np.zeros((1, 1, 3, 3)), 4), "a 4x4 pooling window does not fit in a 3x3 input"),
        (lambda: max_pool_forward(np.zeros((1, 1, 4, 4)), 0), "pool size must be at least 1, got 0"),
        (lambda: max_pool_backward(np.zeros((1, 1, 3, 3)), max_pool_forward(np.zeros((1, 1, 4, 4)))[1]), r"grad_out must have the output's shape \(1, 1, 2, 2\)"),
        (lambda: ConvNetwork((1, 8), conv=[(4, 3)]), r"input_shape must be \(channels, height, width\)"),
        (lambda: ConvNetwork((1, 8, 8), conv=[]), "conv must list at least one convolution layer"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4,)]), r"convolution layer 0 must be \(filters, kernel_size\) or"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3, 0, 1)]), "convolution layer 0 stride must be at least 1, got 0"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3), (4, 3)], pool=[2]), "pool lists 1 sizes but there are 2 convolution layers"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3), (4, 5)], pool=2), r"a 5x5 kernel \(convolution layer 1\) does not fit in a 3x3 input"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)], pool=8), r"a 8x8 pooling window \(after convolution layer 0\) does not fit in a 6x6 input"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)], dense=[0]), "dense layer size must be at least 1, got 0"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)], n_classes=1), "n_classes must be at least 2, got 1"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)], activation="softmax"), "softmax is only allowed as the output"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)], activation="swish"), "unknown activation 'swish'"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)]).forward(np.zeros((2, 63))), "X has 63 columns but the network expects 64"),
        (lambda: ConvNetwork((1, 8, 8), conv=[(4, 3)]).forward(np.zeros((2, 1, 8, 8))), r"X must be a 2-D array \(n_samples, n_features\)"),
    ],
)
def test_bad_input_says_what_was_wrong(make, message):
    with pytest.raises(ValueError, match=message):
        make()
