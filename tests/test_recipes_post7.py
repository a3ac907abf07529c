"""Post 7's recipes: filters worked out by hand, stride, padding, pooling, and the
convolutional networks compared with dense ones."""

import numpy as np
import pytest

from demos.conv import ConvNetwork, convolve, kernel, output_shape
from demos.datasets import SHAPES
from scripts.assets.recipes import post5_digits as p5
from scripts.assets.recipes import post7_convolution as p7

# --- The filter by hand (the video's arithmetic).


@pytest.mark.parametrize("stride, padding", [(1, 1), (1, 0), (2, 1), (2, 0)])
def test_the_sum_worked_out_by_hand_is_the_feature_map(stride, padding):
    image = p7.first_digit(0)
    weights = kernel("vertical_edge")
    feature_map = convolve(image, weights, stride, padding)
    positions = p7.slide_positions(*feature_map.shape)
    assert len(positions) == feature_map.size
    for row, column in positions:
        patch, products, total = p7.window_sum(image, weights, row, column, stride, padding)
        assert patch.shape == products.shape == (3, 3)
        assert total == feature_map[row, column]
        assert np.array_equal(products, patch * weights)


def test_the_window_reads_zeros_where_it_hangs_over_the_border():
    image = p7.first_digit(0)
    patch, _, _ = p7.window_sum(image, kernel("identity"), 0, 0, padding=1)
    assert np.all(patch[0] == 0) and np.all(patch[:, 0] == 0)
    assert np.array_equal(patch[1:, 1:], image[:2, :2])


def test_positions_are_visited_in_reading_order():
    assert p7.slide_positions(2, 3).tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]


def test_a_digit_and_a_shape_are_real_pictures_of_what_was_asked():
    digit = p7.first_digit(0)
    assert digit.shape == (8, 8) and digit.max() <= 16 and digit.sum() > 100
    # A zero: ink round the edge, a hole in the middle.
    assert digit[3:5, 3:5].sum() < digit[3:5, 1:3].sum()
    triangle = p7.first_shape("triangle", seed=4)
    assert triangle.shape == (16, 16, 3)
    grey = p7.grey(triangle)
    # Narrow at the top, wide at the bottom.
    lit = grey > grey.min() + 0.5 * (grey.max() - grey.min())
    rows = np.flatnonzero(lit.any(axis=1))
    assert lit[rows[0]].sum() < lit[rows[-1]].sum()


# --- Stride, padding, pooling.


@pytest.mark.parametrize("padding", [0, 1])
def test_coverage_counts_the_windows_over_each_pixel(padding):
    counts = p7.coverage(6, 6, 3, 1, padding)
    # Each window covers 3 x 3 pixels (counting padding); the real pixels get what is left.
    out_h, out_w = output_shape(6, 6, 3, 1, padding)
    brute = np.zeros((6 + 2 * padding,) * 2, dtype=int)
    for r in range(out_h):
        for c in range(out_w):
            brute[r : r + 3, c : c + 3] += 1
    assert np.array_equal(counts, brute[padding : padding + 6, padding : padding + 6])
    assert counts[3, 3] == 9
    assert counts[0, 0] == (1 if padding == 0 else 4)


def test_coverage_with_stride_two_skips_pixels():
    counts = p7.coverage(6, 6, 3, 2, 0)
    # Windows at columns 0-2 and 2-4: column 5 is never seen, column 2 twice.
    assert np.all(counts[:, 5] == 0)
    assert counts[2, 2] == 4


def test_pooling_keeps_the_largest_value_of_each_window_and_marks_its_pixel():
    values = np.array([[1.0, 5.0, 0.0, 0.0],
                       [3.0, 2.0, 0.0, 0.0],
                       [0.0, 0.0, 7.0, 7.0],
                       [4.0, 0.0, 1.0, 7.0]])
    pooled, winners = p7.pool_with_winners(values)
    assert pooled.tolist() == [[5.0, 0.0], [4.0, 7.0]]
    assert winners.sum() == 4
    assert np.argwhere(winners).tolist() == [[0, 1], [0, 2], [2, 2], [3, 0]]
    # Ties go to the first largest, reading row by row.
    assert winners[0, 2] and winners[2, 2]


def test_relu_then_pooling_on_the_digit_map_is_never_negative():
    feature_map = convolve(p7.first_digit(0), kernel("vertical_edge"), padding=1)
    assert feature_map.min() < 0
    pooled, winners = p7.pool_with_winners(p7.relu(feature_map))
    assert pooled.shape == (4, 4) and pooled.min() >= 0
    assert np.isclose(pooled.max(), feature_map.max())


# --- Printing kernels and numbers.


def test_kernels_print_as_whole_numbers_over_a_divisor():
    integers, divisor = p7.kernel_display(kernel("blur"))
    assert divisor == 16 and integers.tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    integers, divisor = p7.kernel_display(kernel("sharpen"))
    assert divisor == 1 and integers[1, 1] == 5
    for name in p7.FILTER_NAMES:  # what is printed is the kernel itself
        integers, divisor = p7.kernel_display(kernel(name))
        assert np.allclose(integers / divisor, kernel(name))
    with pytest.raises(ValueError, match="no small common divisor"):
        p7.kernel_display(np.full((3, 3), 0.3))


def test_numbers_print_short_with_a_real_minus_and_no_negative_zero():
    assert p7.number(-0.0) == "0"
    assert p7.number(-45.0) == "\u221245"
    assert p7.number(-45.0, narrow=True) == "-45"
    assert p7.number(12.0) == "12"


def test_channels_first_matches_the_documented_layout():
    images = np.random.default_rng(0).uniform(0, 1, (2, 16, 16, 3))
    rows = p7.channels_first(images)
    assert rows.shape == (2, 768)
    for channel, row, column in [(0, 0, 0), (2, 5, 7), (1, 15, 15)]:
        assert rows[1, 256 * channel + 16 * row + column] == images[1, row, column, channel]


# --- The networks.


def test_the_dense_digits_network_is_post_5s_and_the_convolutional_one_learns_with_fewer_weights():
    runs = p7.train_digit_nets(p7.CONV_DIGITS_WIDGET, 6)
    dense, dense_trainer, dense_curve, _ = runs["dense"]
    post5, _ = p5.train_digits(p5.TRAINING)
    assert np.array_equal(dense.layers[0]["W"], post5.layers[0]["W"])
    assert dense_trainer.epoch == p5.TRAINING["epochs"]
    conv, conv_trainer, conv_curve, seconds = runs["conv"]
    assert conv_trainer.epoch == 6 and len(conv_curve) == 7 and seconds > 0
    assert conv_curve[0] < 0.3  # untrained: about chance
    assert conv_curve[-1] >= 0.94
    assert conv.n_parameters < dense.n_parameters
    # The maps the figure shows are the filters' sums over the padded digit, after ReLU.
    _, X_test, _, _ = p5.digits_data()
    maps = p7.first_layer_maps(conv, X_test[:1])
    W, b = conv.layers[0]["W"], conv.layers[0]["b"]
    for f in range(len(W)):
        by_hand = np.maximum(convolve(X_test[0].reshape(8, 8), W[f, 0], padding=1) + b[f], 0)
        assert np.allclose(maps[0, f], by_hand)


def test_on_shapes_the_convolutional_network_wins_with_a_tenth_of_the_weights():
    runs, test_images, test_labels = p7.train_shape_nets(
        {**p7.CONV_SHAPES, "epochs": 3}, {**p7.DENSE_SHAPES, "epochs": 3},
        {**p7.SHAPES_DATA, "n_train": 900, "n_test": 450})
    conv, dense = runs["conv"][0], runs["dense"][0]
    assert conv.n_parameters * 10 < dense.n_parameters
    assert runs["conv"][2][-1] >= 0.7
    assert runs["conv"][2][-1] - runs["dense"][2][-1] >= 0.2
    assert len(test_images) == 450 and set(test_labels) == set(range(len(SHAPES)))
    # The saved model reads pictures in the layout the manifest documents.
    loaded = ConvNetwork.from_json(conv.to_json())
    X = p7.channels_first(test_images[:20])
    assert np.array_equal(loaded.predict(X), conv.predict(X))
