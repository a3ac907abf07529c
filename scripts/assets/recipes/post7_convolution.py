"""Post 7, "Convolutional Neural Networks": small filters slid across a picture.

A filter is a 3x3 grid of weights. Laid over a 3x3 patch of the picture, it
gives one weighted sum (the neuron of post 1 with nine inputs); slid over every
position, it gives a *feature map*. The figures show hand-made filters
(``demos.conv.KERNELS``) on real pictures, what stride, padding, ReLU and
max-pooling do to real arrays, and then two small convolutional networks
(``demos.conv.ConvNetwork``) that learn their own filters, each trained beside
a dense network on the same pictures:

- digits: the 8x8 digits of post 5 (pixels 0..16 divided by 16), against post
  5's own 64-32-10 network, trained exactly as post 5 trains it;
- shapes: the 16x16 coloured shapes of post 6, asked only for the shape,
  against a 768-32-3 dense network on the same pictures.

Every number the post quotes about them comes from one recipe, ``conv_vs_dense``.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.transforms import IdentityTransform

from demos.conv import KERNELS, ConvNetwork, convolve, kernel, max_pool_forward, output_shape
from demos.datasets import BACKGROUND, COLOURS, PIXEL_MAX, SHAPE_SIZE, SHAPES, coloured_shapes, digits_split, one_hot
from demos.nn import Network, Trainer, make_optimizer
from demos.widgets import widget
from demos.widgets.filters import KERNEL_NAMES as FILTER_NAMES  # how the figures call each kernel
from scripts.assets import plotting
from scripts.assets.frames import frame_steps, freeze_static
from scripts.assets.recipe import recipe
from scripts.assets.shared import (DIGITS_TRAINING, SHAPE_INPUTS, SIDE, as_colours, digits_data,
                                   digits_network, draw_shift_axes, flatten, ink_centre_x, widget_model)

LOSS = "categorical_cross_entropy"
# What a positive and a negative sum of an edge filter mean on a digit (ink is the large value).
SIGNS = {"vertical_edge": ("more ink to the right", "less ink to the right"),
         "horizontal_edge": ("more ink below", "less ink below")}
# Feature maps after ReLU are never negative: the blue half of the series' diverging map.
POSITIVE_CMAP = LinearSegmentedColormap.from_list("positive", list(plotting.DIVERGING[2:]))

# The two convolutional networks. Digits: the live widget's own model (demos/widgets/
# convnet.py: one layer of eight 3x3 filters, padding 1 so the maps stay 8x8, pooled to
# 4x4, then straight to the ten softmax outputs), trained with post 5's optimiser, learning
# rate, batches, l2, epochs and seed. The post's block of that widget, whose fallback is the
# figure of learned filters drawn here, takes these options (see scripts/site/blocks.py).
CONV_DIGITS_WIDGET = {"name": "convnet", "options": {key: DIGITS_TRAINING[key]
                                                     for key in ("learning_rate", "batch_size", "l2", "seed")}}
CONV_DIGITS_EPOCHS = DIGITS_TRAINING["epochs"]
# Shapes: eight filters, then sixteen that look at the first eight's maps, each
# followed by 2x2 pooling (16 -> 8 -> 4), then the three shape outputs.
CONV_SHAPES = {"conv": [[8, 3, 1, 1], [16, 3, 1, 1]], "pool": 2, "dense": [], "activation": "relu",
               "learning_rate": 0.01, "batch_size": 32, "l2": 0.0, "epochs": 8, "seed": 0}
# The dense network it is compared with: post 6's kind of network (tanh, Adam at
# post 6's learning rate) with a softmax over the three shapes.
DENSE_SHAPES = {"hidden": 32, "activation": "tanh", "learning_rate": 0.002, "batch_size": 32,
                "l2": 0.0, "epochs": CONV_SHAPES["epochs"], "seed": 0}
# Half as many training pictures as post 6 (the convolutions cost time), the same test pictures.
SHAPES_DATA = {"n_train": 2700, "n_test": 900, "train_seed": 0, "test_seed": 1}


# --- The computation behind the figures.


def first_digit(label):
    """The first test digit showing ``label``: its raw pixels ``(8, 8)``, values 0..16."""
    _, X_test, _, y_test = digits_split()
    return X_test[np.flatnonzero(y_test == label)[0]].reshape(SIDE, SIDE)


def grey(images):
    """Colour images ``(..., h, w, 3)`` as grey ``(..., h, w)``: the mean of the three channels."""
    return np.asarray(images, dtype=float).mean(axis=-1)


def first_shape(shape, seed, size=SHAPE_SIZE):
    """The first picture of ``shape`` (a name in SHAPES) that ``coloured_shapes`` draws
    from ``seed``: ``(size, size, 3)`` in [0, 1]."""
    images, labels, _ = coloured_shapes(30, seed=seed, size=size)
    return images[np.flatnonzero(labels == SHAPES.index(shape))[0]]


def pad(image, padding):
    """``image`` ``(h, w)`` surrounded by ``padding`` rows and columns of zeros."""
    return np.pad(np.asarray(image, dtype=float), padding)


def slide_positions(out_h, out_w):
    """Every output position in reading order, the order the video visits them:
    ``(out_h * out_w, 2)`` ints ``(row, column)``."""
    rows, columns = np.divmod(np.arange(out_h * out_w), out_w)
    return np.stack([rows, columns], axis=1)


def window_sum(image, weights, row, column, stride=1, padding=0):
    """The filter at output position ``(row, column)`` worked out by hand.

    Returns ``(patch, products, total)``: the ``k x k`` patch of the padded image the
    filter lies on, the patch times the weights, cell by cell, and their sum, which
    is the feature map's value at that position."""
    weights = np.asarray(weights, dtype=float)
    k = len(weights)
    top, left = row * stride, column * stride
    patch = pad(image, padding)[top : top + k, left : left + k]
    products = patch * weights
    return patch, products, float(products.sum())


def coverage(height, width, k, stride=1, padding=0):
    """How many filter positions see each pixel of a ``height x width`` image
    ``(height, width)`` ints: the centre of a large image is seen ``k * k`` times
    at stride 1, a corner without padding only once."""
    out_h, out_w = output_shape(height, width, k, stride, padding)
    counts = np.zeros((height + 2 * padding, width + 2 * padding), dtype=int)
    for row, column in slide_positions(out_h, out_w):
        counts[row * stride : row * stride + k, column * stride : column * stride + k] += 1
    return counts[padding : padding + height, padding : padding + width]


def relu(values):
    return np.maximum(values, 0.0)


def pool_with_winners(feature_map, size=2):
    """2x2 max-pooling of one map ``(h, w)`` by ``demos.conv.max_pool_forward``.

    Returns ``(pooled, winners)``: the pooled map ``(h // size, w // size)`` and a
    boolean ``(h, w)`` marking the pixel that won each window (the first largest,
    reading row by row, as the network's backward pass counts it)."""
    feature_map = np.asarray(feature_map, dtype=float)
    pooled, (_, _, _, winners) = max_pool_forward(feature_map[None, None], size)
    out_h, out_w = pooled.shape[2:]
    mask = np.zeros(feature_map.shape, dtype=bool)
    offset_row, offset_column = np.divmod(winners[0, 0], size)
    rows = np.arange(out_h)[:, None] * size + offset_row
    columns = np.arange(out_w)[None, :] * size + offset_column
    mask[rows, columns] = True
    return pooled[0, 0], mask


def channels_first(images):
    """Colour images ``(n, h, w, 3)`` as a ConvNetwork's input rows ``(n, 3 * h * w)``:
    channel by channel, each row by row (index ``h * w * channel + w * row + column``)."""
    images = np.asarray(images, dtype=float)
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1)


def shapes_data(data):
    """The shapes, shape labels only: ``(train_images, train_labels), (test_images,
    test_labels)``, images ``(n, 16, 16, 3)`` in [0, 1]."""
    train_images, train_labels, _ = coloured_shapes(data["n_train"], seed=data["train_seed"])
    test_images, test_labels, _ = coloured_shapes(data["n_test"], seed=data["test_seed"])
    return (train_images, train_labels), (test_images, test_labels)


def make_conv(settings, input_shape, n_classes):
    return ConvNetwork(input_shape, conv=settings["conv"], pool=settings["pool"], dense=settings["dense"],
                       n_classes=n_classes, activation=settings["activation"], seed=settings["seed"])


def adam_trainer(net, X, labels, settings):
    """How every network here trains: Adam on rows ``X`` and class ``labels`` with the
    ``settings``' learning rate, batch size, l2 and seed."""
    return Trainer(net, X, one_hot(labels, net.sizes[-1]), loss=LOSS,
                   optimizer=make_optimizer("adam", settings["learning_rate"]),
                   batch_size=settings["batch_size"], l2=settings["l2"], seed=settings["seed"])


def train_measured(trainer, X_test, test_labels, epochs):
    """Train ``trainer`` for ``epochs`` epochs, measuring its network's test accuracy before
    training and after each epoch.

    Returns ``(trainer, accuracies, seconds)``: ``accuracies`` ``(epochs + 1,)`` and the
    seconds spent training (the measuring is not counted)."""
    net = trainer.network
    accuracies = [net.accuracy(X_test, test_labels)]
    clock = {"seconds": 0.0, "since": time.perf_counter()}

    def measure(_):
        clock["seconds"] += time.perf_counter() - clock["since"]
        accuracies.append(net.accuracy(X_test, test_labels))
        clock["since"] = time.perf_counter()

    trainer.run(epochs, on_epoch=measure)
    return trainer, np.array(accuracies), clock["seconds"]


def first_layer_maps(net, X):
    """The first convolution layer's feature maps after ReLU for rows ``X``:
    ``(n, filters, h, w)``, full size (before pooling)."""
    zs, _ = net.forward_all(X)
    return net.activations[0].function(zs[0])


# --- Drawing helpers.


def clean(ax):
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def grid_lines(ax, rows, columns, colour=plotting.NEUTRAL, lw=0.5):
    """Thin lines between the cells of a ``rows x columns`` grid drawn in image
    coordinates (one unit per cell, the top-left cell centred at (0, 0)); one
    artist for them all, so a video frame draws it in one go."""
    x_lines = [[(c - 0.5, -0.5), (c - 0.5, rows - 0.5)] for c in range(columns + 1)]
    y_lines = [[(-0.5, r - 0.5), (columns - 0.5, r - 0.5)] for r in range(rows + 1)]
    return ax.add_collection(LineCollection(x_lines + y_lines, colors=colour, linewidths=lw))


def signed_limit(values):
    """A symmetric colour range for signed values, an array or a list of arrays (never zero)."""
    if isinstance(values, (list, tuple)):
        return max(signed_limit(v) for v in values)
    return max(float(np.max(np.abs(values))), 1e-9)


def ink_text(value, limit):
    """Text colour on a Greys cell: white on dark ink, dark on light."""
    return "white" if value > 0.5 * limit else plotting.TEXT


def signed_text(value, limit):
    """Text colour on a diverging cell: white on strong colour, dark near zero."""
    return "white" if abs(value) > 0.55 * limit else plotting.TEXT


def number(value, narrow=False):
    """A cell's value as short text: whole numbers without decimals, a true minus sign
    (or, ``narrow``, a hyphen, for three characters in a small cell)."""
    value = float(value) + 0.0  # -0.0 becomes 0.0: no "−0" in a cell
    text = f"{value:.0f}" if value.is_integer() else f"{value:.2g}"
    return text if narrow else text.replace("-", "\u2212")


def draw_numbers(ax, values, colours, fontsize, formatter=number):
    """Write each value of ``values`` ``(rows, columns)`` in its cell."""
    for (r, c), value in np.ndenumerate(np.asarray(values)):
        ax.text(c, r, formatter(value), ha="center", va="center",
                fontsize=fontsize, color=colours[r][c])


def kernel_display(weights):
    """A kernel as whole numbers and the divisor they share, for printing:
    ``(integers (3, 3), divisor)``; the blur's sixteenths become ``1 2 1 ...`` and 16."""
    weights = np.asarray(weights, dtype=float)
    for divisor in (1, 2, 4, 8, 16):
        scaled = weights * divisor
        if np.allclose(scaled, np.round(scaled)):
            return np.round(scaled), divisor
    raise ValueError(f"kernel {weights.tolist()} has no small common divisor to print it with")


# --- Recipes: the filter, by hand.

SLIDE_PARAMS = {"label": 0, "kernel": "vertical_edge", "padding": 1, "fps": 10, "intro_frames": 12,
                "slow_positions": 3, "slow_frames": 10, "medium_positions": 5, "medium_frames": 4,
                "hold_frames": 20}


@recipe(outputs=["post7/filter-slide.mp4", "post7/filter-slide-poster.webp"], params=SLIDE_PARAMS)
def filter_slide_video(out, params):
    image = first_digit(params["label"])
    weights = kernel(params["kernel"])
    padding = params["padding"]
    feature_map = convolve(image, weights, padding=padding)
    out_h, out_w = feature_map.shape
    positions = slide_positions(out_h, out_w)
    limit = signed_limit(feature_map)
    padded = pad(image, padding)
    side = len(padded)

    # Frames per position: the first few slowly, while the reader learns what is
    # going on, then faster, then one frame each.
    frames = np.ones(len(positions), dtype=int)
    slow, medium = params["slow_positions"], params["medium_positions"]
    frames[:slow] = params["slow_frames"]
    frames[slow : slow + medium] = params["medium_frames"]
    frames[0] += params["intro_frames"]

    # Laid out in pixels of the 768 x 432 frame, from the bottom left.
    fig = plt.figure(figsize=plotting.FIGSIZE, layout="none")
    width, height = (fig.get_size_inches() * fig.dpi).astype(int)

    def axes_at(left, top, cells, cell):
        ax = fig.add_axes([left / width, (top - cells * cell) / height, cells * cell / width,
                           cells * cell / height])
        ax.set_xlim(-0.5, cells - 0.5)
        ax.set_ylim(cells - 0.5, -0.5)
        clean(ax)
        return ax

    def label(x, y, text, ha="center", **style):
        return fig.text(x / width, y / height, text, ha=ha, va="baseline", **{"fontsize": 11.5, **style})

    cell = 32  # pixels per cell of the input and of the feature map
    map_left = width - 14 - out_w * cell
    middle = (14 + side * cell + map_left) // 2  # the filter's column, between the two
    ax_in = axes_at(14, 376, side, cell)
    ax_kernel = axes_at(middle - 54, 346, 3, 36)
    ax_products = axes_at(middle - 54, 208, 3, 36)
    ax_out = axes_at(map_left, 376, out_w, cell)

    # What never changes is drawn at the figure level in each axes' coordinates, so
    # freeze_static paints it into the background picture once: a hundred numbers
    # redrawn on every frame would cost more than everything else together.
    baked = []

    def fixed_cell(ax, x, y, face, text, text_colour, fontsize=10, **edge):
        baked.append(fig.add_artist(Rectangle((x - 0.5, y - 0.5), 1, 1, transform=ax.transData,
                                              facecolor=face, edgecolor=plotting.NEUTRAL, lw=0.5, **edge)))
        fig.text(x, y, text, transform=ax.transData, ha="center", va="center", fontsize=fontsize,
                 color=text_colour)

    greys = plt.get_cmap("Greys")
    for (r, c), value in np.ndenumerate(padded):
        if padding <= r < side - padding and padding <= c < side - padding:
            fixed_cell(ax_in, c, r, greys(value / PIXEL_MAX), number(value), ink_text(value, PIXEL_MAX))
        else:  # the padding: zeros added around the picture, pale and dashed
            fixed_cell(ax_in, c, r, plotting.CARD, "0", plotting.NEUTRAL, linestyle=(0, (2, 2)))
    integers, divisor = kernel_display(weights)
    for (r, c), value in np.ndenumerate(integers):
        fixed_cell(ax_kernel, c, r, plotting.DIVERGING_CMAP(0.5 + 0.3 * value / signed_limit(integers)),
                   number(value), plotting.TEXT, fontsize=12)
    label(14, 390, "a digit, padded with zeros", ha="left")
    label(middle, 374, "the filter", fontsize=11)
    shared = f", ÷ {divisor}" if divisor != 1 else ""
    label(middle, 356, f"({FILTER_NAMES[params['kernel']]}{shared})", fontsize=10.5, color=plotting.AXES)
    label(middle, 216, "pixel × weight", fontsize=11)
    label(width - 14, 390, "feature map", ha="right")
    for y, (sign, colour), meaning in zip((94, 74), (("blue", plotting.BLUE), ("orange", plotting.ORANGE)),
                                          SIGNS.get(params["kernel"], ())):
        label(map_left + out_w * cell / 2, y, f"{sign}: {meaning}", fontsize=10.5, color=colour)

    # What moves: the window on the input, its nine products and their sum, the
    # feature map filling in, and the current cell on it.
    window = ax_in.add_patch(Rectangle((-0.5, -0.5), 3, 3, fill=False, edgecolor=plotting.BLUE, lw=3,
                                       zorder=5))
    products_image = ax_products.imshow(np.zeros((3, 3)), cmap=plotting.DIVERGING_CMAP, vmin=-limit,
                                        vmax=limit, interpolation="nearest")
    grid_lines(ax_products, 3, 3)
    product_texts = [[ax_products.text(c, r, "", ha="center", va="center", fontsize=11)
                      for c in range(3)] for r in range(3)]
    total_text = label(middle, 74, "", fontsize=13, fontweight="bold")
    shown_map = np.full(feature_map.shape, np.nan)
    map_image = ax_out.imshow(shown_map, cmap=plotting.DIVERGING_CMAP.with_extremes(bad=plotting.CARD),
                              vmin=-limit, vmax=limit, interpolation="nearest")
    grid_lines(ax_out, out_h, out_w)
    current = ax_out.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=plotting.BLUE, lw=3,
                                         zorder=5))
    current_text = ax_out.text(0, 0, "", ha="center", va="center", fontsize=9, zorder=6)
    all_texts = [[ax_out.text(c, r, "", ha="center", va="center", fontsize=9, visible=False)
                  for c in range(out_w)] for r in range(out_h)]
    # In pixels (the layout is fixed): from the products to the feature map's current cell.
    arrow = fig.add_artist(FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=14,
                                           color=plotting.BLUE, lw=1.5, transform=IdentityTransform(),
                                           shrinkA=0, shrinkB=2))
    moving = [window, products_image, *np.ravel(product_texts), total_text, map_image, current,
              current_text, *np.ravel(all_texts), arrow]
    freeze_static(fig, moving)
    for artist in baked:
        artist.set_visible(False)  # already in the background picture

    def show(k):
        row, column = positions[k]
        _, products, total = window_sum(image, weights, row, column, padding=padding)
        window.set_xy((column - 0.5, row - 0.5))
        products_image.set_data(products)
        for (r, c), value in np.ndenumerate(products):
            product_texts[r][c].set_text(number(value))
            product_texts[r][c].set_color(signed_text(value, limit))
        total_text.set_text(f"sum = {number(total)}")
        shown_map[row, column] = total
        map_image.set_data(shown_map)
        current.set_xy((column - 0.5, row - 0.5))
        current_text.set_position((column, row))
        current_text.set_text(number(total, narrow=True))
        current_text.set_color(signed_text(total, limit))
        arrow.set_positions((middle + 58, 154), ax_out.transData.transform((column - 0.5, row)))

    with plotting.VideoWriter(fig, out["post7/filter-slide.mp4"], fps=params["fps"],
                              poster_path=out["post7/filter-slide-poster.webp"]) as video:
        for k, n in enumerate(frames):
            show(k)
            for _ in range(n):
                video.add_frame()
        # The finished map, every value written in, while the video holds still.
        for artist in (current, current_text, arrow):
            artist.set_visible(False)
        for (r, c), value in np.ndenumerate(feature_map):
            all_texts[r][c].set_text(number(value, narrow=True))
            all_texts[r][c].set_color(signed_text(value, limit))
            all_texts[r][c].set_visible(True)
        for _ in range(params["hold_frames"]):
            video.add_frame()
        n_frames = video.frames
    plt.close(fig)
    return {
        "label": params["label"],
        "kernel": params["kernel"],
        "padding": padding,
        "positions": len(positions),
        "map_shape": list(feature_map.shape),
        "map_min": float(feature_map.min()),
        "map_max": float(feature_map.max()),
        "frames": n_frames,
        "seconds_video": round(n_frames / params["fps"], 2),
    }


def draw_kernel_numbers(ax, weights, title, fontsize=10):
    """A kernel as a grid of whole numbers, cells tinted by sign (blue +, orange −),
    with ``title`` above it and "÷ divisor" below it when it has one."""
    integers, divisor = kernel_display(weights)
    limit = signed_limit(integers)
    ax.imshow(integers / limit * 0.45, cmap=plotting.DIVERGING_CMAP, vmin=-1, vmax=1,
              interpolation="nearest")
    draw_numbers(ax, integers, [[plotting.TEXT] * 3] * 3, fontsize)
    grid_lines(ax, 3, 3)
    clean(ax)
    ax.set_title(title, fontsize=11, loc="center", pad=4)
    if divisor != 1:
        ax.text(1, 2.6, f"÷ {divisor}", ha="center", va="top", fontsize=fontsize, color=plotting.AXES)


def draw_map(ax, values, kind, limit):
    """One picture or feature map: ``kind`` "ink" (Greys, 0..limit: ink dark), "light"
    (grey, 0..limit: bright is bright), "colour" (an RGB picture ``(h, w, 3)`` in [0, 1]),
    "signed" (orange − to blue +) or "positive" (pale to blue, 0..limit)."""
    if kind == "signed":
        ax.imshow(values, cmap=plotting.DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    elif kind == "positive":
        ax.imshow(values, cmap=POSITIVE_CMAP, vmin=0, vmax=limit, interpolation="nearest")
    elif kind == "colour":
        ax.imshow(np.clip(values, 0, 1), interpolation="nearest")
    else:
        ax.imshow(values, cmap="Greys" if kind == "ink" else "gray", vmin=0, vmax=limit,
                  interpolation="nearest")
    clean(ax)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(plotting.NEUTRAL)
        spine.set_linewidth(0.6)


EDGE_KERNELS = ("vertical_edge", "horizontal_edge")
HANDMADE_PARAMS = {"kernels": list(KERNELS), "label": 0, "shape": "triangle", "shape_seed": 4,
                   "shape_size": 16, "padding": 1}


@recipe(outputs=["post7/handmade-filters.svg"], params=HANDMADE_PARAMS)
def handmade_filters(out, params):
    names = params["kernels"]
    # Two real pictures: a digit (ink 0..16 on blank) and a shape's grey (the mean of its channels).
    shape = grey(first_shape(params["shape"], params["shape_seed"], params["shape_size"]))
    pictures = [(first_digit(params["label"]), "ink", PIXEL_MAX, "a digit"),
                (shape, "light", shape.max(), f"a {params['shape']}")]
    maps = [[convolve(picture, kernel(name), padding=params["padding"]) for name in names]
            for picture, *_ in pictures]

    fig = plt.figure(figsize=(6.0, 4.3))
    grid = fig.add_gridspec(1 + len(pictures), len(names), height_ratios=[0.8] + [1.0] * len(pictures))
    for column, name in enumerate(names):
        draw_kernel_numbers(fig.add_subplot(grid[0, column]), kernel(name),
                            FILTER_NAMES[name].replace(" ", "\n"))
    for row, ((picture, kind, top, title), row_maps) in enumerate(zip(pictures, maps), start=1):
        edges = signed_limit([row_maps[names.index(e)] for e in EDGE_KERNELS if e in names])
        for column, (name, values) in enumerate(zip(names, row_maps)):
            ax = fig.add_subplot(grid[row, column])
            if name in EDGE_KERNELS:
                draw_map(ax, values, "signed", edges)
            else:  # a picture again: shown on the input's own scale, the overshoot clipped
                draw_map(ax, np.clip(values, 0, top), kind, top)
        fig.axes[-len(names)].set_ylabel(title, fontsize=11)
    plotting.save_figure(fig, out["post7/handmade-filters.svg"])
    return {
        "kernels": names,
        "digit_label": params["label"],
        "shape": params["shape"],
        "shape_size": params["shape_size"],
        "padding": params["padding"],
        # A blur keeps the ink (its weights sum to 1); an edge filter answers 0 on flat regions.
        "digit_ink": float(pictures[0][0].sum()),
        "digit_ink_after_blur": round(float(maps[0][names.index("blur")].sum()), 6)
        if "blur" in names else None,
    }


def draw_padded_input(ax, image, padding, limit=PIXEL_MAX):
    """``image`` ``(h, w)`` as grey cells at (0, 0)..(w - 1, h - 1), with ``padding``
    rings of dashed zero cells around it."""
    height, width = image.shape
    ax.imshow(image, cmap="Greys", vmin=0, vmax=limit, interpolation="nearest",
              extent=(-0.5, width - 0.5, height - 0.5, -0.5), zorder=1)
    grid_lines(ax, height, width)
    for r in range(-padding, height + padding):
        for c in range(-padding, width + padding):
            if not (0 <= r < height and 0 <= c < width):
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=plotting.NEUTRAL,
                                       lw=0.6, linestyle=(0, (2, 2))))
                ax.text(c, r, "0", ha="center", va="center", fontsize=7, color=plotting.NEUTRAL)


def draw_windows(ax, image_shape, k, stride, padding):
    """On an input drawn by ``draw_padded_input``: the first window (solid blue), the
    next one along the row (dashed), and a dot at the centre of every window."""
    out_h, out_w = output_shape(*image_shape, k, stride, padding)
    corners = slide_positions(out_h, out_w) * stride - padding  # top-left pixel of each window
    centres = corners + (k - 1) / 2
    ax.plot(centres[:, 1], centres[:, 0], "o", color=plotting.BLUE, ms=4, zorder=4)
    for (top, left), colour, style in zip(corners[:2], (plotting.BLUE, plotting.TEXT), ("-", (0, (3, 2)))):
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), k, k, fill=False, edgecolor=colour, lw=2,
                               linestyle=style, zorder=5))


STRIDE_PARAMS = {"label": 0, "top": 1, "left": 1, "side": 6, "kernel": "vertical_edge",
                 "settings": [[1, 0], [1, 1], [2, 0], [2, 1]]}


@recipe(outputs=["post7/stride-padding.svg"], params=STRIDE_PARAMS)
def stride_padding(out, params):
    side = params["side"]
    image = first_digit(params["label"])[params["top"] : params["top"] + side,
                                         params["left"] : params["left"] + side]
    weights = kernel(params["kernel"])
    k = len(weights)
    results = {(stride, padding): convolve(image, weights, stride, padding)
               for stride, padding in params["settings"]}
    limit = signed_limit(list(results.values()))

    most = max(padding for _, padding in params["settings"])
    gap = side + most + 1.8  # where each output starts, right of the widest padded input
    fig = plt.figure(figsize=(6.0, 6.4))
    grid = fig.add_gridspec(3, 2, height_ratios=[1, 1, 1.05])
    metrics = {}
    for n, ((stride, padding), result) in enumerate(results.items()):
        ax = fig.add_subplot(grid[n // 2, n % 2])
        out_h, out_w = result.shape
        draw_padded_input(ax, image, padding)
        draw_windows(ax, image.shape, k, stride, padding)
        # The output beside the input, one cell per dot, on the same scale.
        ax.imshow(result, cmap=plotting.DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest",
                  extent=(gap - 0.5, gap + out_w - 0.5, out_h - 0.5, -0.5), zorder=1)
        for r in range(out_h + 1):
            ax.plot([gap - 0.5, gap + out_w - 0.5], [r - 0.5, r - 0.5], color=plotting.NEUTRAL, lw=0.5)
        for c in range(out_w + 1):
            ax.plot([gap + c - 0.5, gap + c - 0.5], [-0.5, out_h - 0.5], color=plotting.NEUTRAL, lw=0.5)
        ax.annotate("", (gap - 0.6, side / 2 - 0.5), (side - 0.4 + padding, side / 2 - 0.5),
                    arrowprops={"arrowstyle": "-|>", "color": plotting.AXES, "lw": 1.2})
        ax.set_xlim(-0.6 - most, gap + side - 0.4)
        ax.set_ylim(side - 0.4 + most, -0.6 - most)
        ax.set_aspect("equal")
        clean(ax)
        ax.set_title(f"stride {stride}, padding {padding}: {out_h} × {out_w}", fontsize=11.5, loc="center")
        metrics[f"stride{stride}_padding{padding}_output"] = f"{out_h} × {out_w}"

    # At the borders: how many window positions see each pixel (stride 1).
    for column, padding in enumerate((0, 1)):
        ax = fig.add_subplot(grid[2, column])
        counts = coverage(side, side, k, 1, padding)
        ax.imshow(counts, cmap="Blues", vmin=0, vmax=1.6 * k * k, interpolation="nearest")
        draw_numbers(ax, counts, [[plotting.TEXT] * side] * side, 10.5)
        grid_lines(ax, side, side)
        clean(ax)
        ax.set_title(f"windows that see each pixel,\npadding {padding}", fontsize=11, loc="center")
        metrics[f"corner_seen_padding{padding}"] = int(counts[0, 0])
        metrics[f"centre_seen_padding{padding}"] = int(counts[side // 2, side // 2])
    plotting.save_figure(fig, out["post7/stride-padding.svg"])
    return {"input": f"{side} × {side}", "kernel_size": k, **metrics}


def draw_value_grid(ax, values, limit, fontsize, winners=None):
    """Signed values ``(h, w)`` as tinted cells with their numbers; ``winners`` (a
    boolean mask) outlines the cells that win their pooling window."""
    values = np.asarray(values, dtype=float)
    ax.imshow(values, cmap=plotting.DIVERGING_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    draw_numbers(ax, values, [[signed_text(v, limit) for v in row] for row in values], fontsize,
                 formatter=lambda v: number(v, narrow=True))
    grid_lines(ax, *values.shape)
    if winners is not None:
        for r, c in zip(*np.nonzero(winners)):
            # Inset a little, so the outline stays clear of the grid lines.
            ax.add_patch(Rectangle((c - 0.42, r - 0.42), 0.84, 0.84, fill=False, edgecolor=plotting.TEXT,
                                   lw=2))
    clean(ax)


POOL_PARAMS = {"label": 0, "kernel": "vertical_edge", "padding": 1, "crop": [1, 1, 6], "size": 2}


@recipe(outputs=["post7/pooling.svg"], params=POOL_PARAMS)
def pooling(out, params):
    # The middle of the digit's vertical-edge map: 6 x 6 values are big enough to read.
    top, left, side = params["crop"]
    full = convolve(first_digit(params["label"]), kernel(params["kernel"]), padding=params["padding"])
    feature_map = full[top : top + side, left : left + side]
    activated = relu(feature_map)
    size = params["size"]
    pooled, winners = pool_with_winners(activated, size)
    limit = signed_limit(feature_map)

    fig = plt.figure(figsize=(6.0, 2.75))
    grid = fig.add_gridspec(1, 3, width_ratios=[side, side, side / size])
    panels = [(feature_map, None, "feature map"), (activated, winners, "after ReLU"),
              (pooled, None, f"max-pooled,\n{size} × {size} windows")]
    axes = []
    for column, (values, mask, title) in enumerate(panels):
        ax = fig.add_subplot(grid[column])
        draw_value_grid(ax, values, limit, 10, mask)
        ax.set_title(title, fontsize=11.5, loc="center")
        axes.append(ax)
    # Thicker lines between the pooling windows, on the map they are taken from.
    for k in range(size, side, size):
        axes[1].axhline(k - 0.5, color=plotting.AXES, lw=1.4)
        axes[1].axvline(k - 0.5, color=plotting.AXES, lw=1.4)
    plotting.save_figure(fig, out["post7/pooling.svg"])
    return {
        "map_shape": f"{side} × {side}",
        "pooled_shape": f"{pooled.shape[0]} × {pooled.shape[1]}",
        "negative_values": int(np.sum(feature_map < 0)),
        "values": int(feature_map.size),
        "pooled_values": int(pooled.size),
        "largest": float(pooled.max()),
    }


# --- Recipes: networks that learn their own filters.


def train_digit_nets(drawn_with, epochs):
    """Post 5's dense network, trained as post 5 trains it, and the convolutional one on the
    same digits for ``epochs`` epochs: the live widget's model made with the options in
    ``drawn_with`` (``{"name": "convnet", "options": {...}}``), trained by its own trainer.
    Returns ``{"dense": run, "conv": run}``, each run ``(net, trainer, accuracies,
    seconds)`` (see ``train_measured``)."""
    X_train, X_test, y_train, y_test = digits_data()
    dense = adam_trainer(digits_network(DIGITS_TRAINING), X_train, y_train, DIGITS_TRAINING)
    runs = {"dense": (dense, DIGITS_TRAINING["epochs"]), "conv": (widget_model(drawn_with).trainer, epochs)}
    return {name: (trainer.network, *train_measured(trainer, X_test, y_test, n))
            for name, (trainer, n) in runs.items()}


def make_dense_shapes(settings):
    return Network([SHAPE_INPUTS, settings["hidden"], len(SHAPES)], [settings["activation"], "softmax"],
                   seed=settings["seed"])


def train_shape_nets(conv_settings, dense_settings, data):
    """A dense and a convolutional network asked the shape of the same coloured
    shapes. Returns ``({"dense": run, "conv": run}, test_images, test_labels)``."""
    (train_images, train_labels), (test_images, test_labels) = shapes_data(data)
    dense = make_dense_shapes(dense_settings)
    conv = make_conv(conv_settings, (3, SHAPE_SIZE, SHAPE_SIZE), len(SHAPES))
    runs = {
        # The dense network reads a picture as post 6's did (pixel by pixel, R, G, B each);
        # the convolutional one wants it channel by channel.
        "dense": (dense, *train_measured(adam_trainer(dense, flatten(train_images), train_labels, dense_settings),
                                         flatten(test_images), test_labels, dense_settings["epochs"])),
        "conv": (conv, *train_measured(adam_trainer(conv, channels_first(train_images), train_labels, conv_settings),
                                       channels_first(test_images), test_labels, conv_settings["epochs"])),
    }
    return runs, test_images, test_labels


def run_metrics(prefix, run, test_count):
    """The numbers the post quotes about one network's run, ``test_count`` test pictures."""
    net, trainer, accuracies, seconds = run
    return {
        f"{prefix}_accuracy": float(accuracies[-1]),
        f"{prefix}_errors": int(round((1 - accuracies[-1]) * test_count)),
        f"{prefix}_parameters": net.n_parameters,
        f"{prefix}_seconds": round(seconds, 2),
        f"{prefix}_epochs": trainer.epoch,
        f"{prefix}_final_loss": round(float(trainer.history[-1]), 4),
    }


NETS = {"conv": ("convolutional", plotting.BLUE), "dense": ("dense", plotting.ORANGE)}


def draw_accuracy_curves(path, digits, shapes):
    """Test accuracy after each epoch, the convolutional network against the dense
    one: digits on the left, shapes on the right."""
    fig, (ax_digits, ax_shapes) = plt.subplots(1, 2, figsize=(6.0, 3.7))
    for ax, runs, title, first in ((ax_digits, digits, "digits", 1), (ax_shapes, shapes, "shapes", 0)):
        for key, (name, colour) in NETS.items():
            net, trainer, accuracies, _ = runs[key]
            epochs = np.arange(len(accuracies))
            ax.plot(epochs[first:], accuracies[first:], color=colour, lw=2,
                    label=f"{name}, {net.n_parameters:,} weights")
            ax.plot(epochs[-1], accuracies[-1], "o", color=colour, ms=5)
        ax.set_title(title, fontsize=12.5)
        ax.set_xlabel("epoch")
        ax.set_xlim(0, len(accuracies) - 1)
        # Below the axes, where no line can run under it.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=10, handlelength=1.2,
                  borderaxespad=0)
    # The digits are learned well by both: zoom in on the top of the scale.
    ax_digits.set_ylim(0.88, 1.0)
    ax_digits.set_yticks([0.9, 0.95, 1.0])
    ax_digits.set_yticklabels(["90%", "95%", "100%"])
    ax_digits.set_ylabel("test accuracy")
    ax_shapes.set_ylim(0, 1.02)
    ax_shapes.set_yticks([0, 0.5, 1])
    ax_shapes.set_yticklabels(["0", "50%", "100%"])
    ax_shapes.axhline(1 / 3, color=plotting.NEUTRAL, lw=1, ls=(0, (4, 3)))
    ax_shapes.text(len(shapes["conv"][2]) - 1.2, 1 / 3 + 0.02, "chance", color=plotting.AXES, fontsize=10,
                   va="bottom", ha="right")
    plotting.save_figure(fig, path)


def draw_learned_filters(path, digit_net, digits, shape_net, shapes):
    """Each network's first-layer filters, and the feature maps they make of a few test
    pictures: ``digits`` ``(n, 8, 8)`` scaled to [0, 1], ``shapes`` ``(n, 16, 16, 3)``."""
    sections = [
        ("digits network: its 8 filters (3 × 3) and their feature maps", digit_net,
         digits.reshape(len(digits), -1), [("ink", d) for d in digits]),
        ("shapes network: its first 8 filters (3 × 3, in colour) and their maps", shape_net,
         channels_first(shapes), [("colour", s) for s in shapes]),
    ]
    n_filters = max(net.conv[0][0] for _, net, _, _ in sections)
    columns = n_filters + 1
    width_in, tile, gap, header = 6.0, 0.56, 0.08, 0.36
    step = (width_in - 0.1) / columns
    rows = sum(1 + len(pictures) for *_, pictures in sections)
    height_in = rows * (tile + gap) + len(sections) * header + 0.1 * len(sections)
    fig = plt.figure(figsize=(width_in, height_in), layout="none")
    y = height_in

    def tile_axes(column, top):
        left = 0.05 + column * step + (step - tile) / 2
        return fig.add_axes([left / width_in, (top - tile) / height_in, tile / width_in, tile / height_in])

    for title, net, X, pictures in sections:
        fig.text(0.05 / width_in, (y - 0.04) / height_in, title, ha="left", va="top", fontsize=11.5)
        y -= header
        W = net.layers[0]["W"]  # (filters, channels, 3, 3)
        limit = signed_limit(W)
        label = tile_axes(0, y)
        label.set_axis_off()
        label.text(0.5, 0.5, "filters", ha="center", va="center", fontsize=11)
        for f, weights in enumerate(W):
            ax = tile_axes(f + 1, y)
            if len(weights) == 1:
                ax.imshow(weights[0], cmap=plotting.DIVERGING_CMAP, vmin=-limit, vmax=limit,
                          interpolation="nearest")
            else:
                ax.imshow(np.clip(as_colours(weights.transpose(1, 2, 0)), 0, 1), interpolation="nearest")
            clean(ax)
        y -= tile + gap
        maps = first_layer_maps(net, X)  # (n, filters, h, w)
        top = np.maximum(maps.max(axis=(0, 2, 3)), 1e-9)  # one scale per filter, shared by the pictures
        for (kind, picture), picture_maps in zip(pictures, maps):
            ax = tile_axes(0, y)
            if kind == "ink":
                draw_map(ax, picture, "ink", 1.0)
            else:
                draw_map(ax, picture, "colour", 1.0)
            for f, feature_map in enumerate(picture_maps):
                ax = tile_axes(f + 1, y)
                draw_map(ax, feature_map / top[f], "positive", 1.0)
            y -= tile + gap
        y -= 0.1
    plotting.save_figure(fig, path)


def second_layer_responses(net, X):
    """Each second-layer filter's strongest answer to each picture, and where: ``(peaks,
    rows, columns)``, each ``(n, filters)``; the maps are the second convolution's, after
    ReLU, before pooling."""
    zs, _ = net.forward_all(X)
    maps = net.activations[1].function(zs[1])  # (n, filters, h, w)
    flat = maps.reshape(*maps.shape[:2], -1)
    where = flat.argmax(axis=-1)
    return flat.max(axis=-1), *np.divmod(where, maps.shape[-1])


def draw_second_layer(path, net, images, labels, shown=5):
    """For one second-layer filter per shape (the one whose average answer favours that
    shape most), the test pictures it answers most strongly, with a box round the patch
    of the picture that its strongest answer saw. Returns each filter's class and its
    share of its average answers that goes to its shape, as metrics."""
    peaks, rows, columns = second_layer_responses(net, channels_first(images))
    means = np.stack([peaks[labels == k].mean(axis=0) for k in range(len(SHAPES))])  # (3, filters)
    favour = means / np.maximum(means.sum(axis=0, keepdims=True), 1e-9)
    chosen = [int(np.argmax(favour[k])) for k in range(len(SHAPES))]
    (_, k1, _, padding1), (_, k2, _, p2), pool = net.conv[0], net.conv[1], net.pool[0]
    # Placed by hand (inches): a layout engine widens the first column to fit each row's
    # long title, or shrinks the pictures to leave margins.
    width, margin, gap, title = 6.0, 0.05, 0.08, 0.3
    side = (width - 2 * margin - (shown - 1) * gap) / shown
    height = len(chosen) * (title + side + gap)
    fig = plt.figure(figsize=(width, height), layout="none")
    for row, f in enumerate(chosen):
        top = height - row * (title + side + gap)
        fig.text(margin / width, (top - 0.05) / height, f"second-layer filter {f + 1}: the {shown} pictures it "
                 "answers most strongly", fontsize=10.5, ha="left", va="top")
        axes = [fig.add_axes(((margin + column * (side + gap)) / width, (top - title - side) / height,
                              side / width, side / height)) for column in range(shown)]
        for ax, i in zip(axes, np.argsort(-peaks[:, f], kind="stable")[:shown]):
            draw_map(ax, images[i], "colour", 1.0)
            clean(ax)
            # The input pixels under the strongest answer: it sees k2 x k2 pooled cells of
            # pool x pool first-layer answers, each of which saw k1 x k1 pixels.
            seen_top = (rows[i, f] - p2) * pool - padding1
            seen_left = (columns[i, f] - p2) * pool - padding1
            seen = k2 * pool + k1 - 1
            ax.add_patch(Rectangle((seen_left - 0.5, seen_top - 0.5), seen, seen, fill=False, ec="white", lw=1.6))
    plotting.save_figure(fig, path)
    # Per shape: which filter was shown, and the share of its average answers that shape gets.
    return {key: value for k, f in enumerate(chosen) for key, value in (
        (f"second_layer_{SHAPES[k]}_filter", f + 1), (f"second_layer_{SHAPES[k]}_share", round(float(favour[k, f]), 2)))}


COMPARE_PARAMS = {"widget": CONV_DIGITS_WIDGET, "conv_digits_epochs": CONV_DIGITS_EPOCHS, "conv_shapes": CONV_SHAPES, "dense_shapes": DENSE_SHAPES,
                  "shapes_data": SHAPES_DATA, "digit_examples": [0, 4],
                  "shape_examples": ["triangle", "circle"]}
FILTERS_FILES = widget("filters").files  # what the Filters widget's model is made from
COMPARE_OUTPUTS = ["post7/accuracy-curves.svg", "post7/learned-filters.webp", "post7/second-layer.webp",
                   FILTERS_FILES["digits_json"],
                   FILTERS_FILES["shapes_json"]]


@recipe(outputs=COMPARE_OUTPUTS, params=COMPARE_PARAMS)
def conv_vs_dense(out, params):
    digits = train_digit_nets(params["widget"], params["conv_digits_epochs"])
    shapes, test_images, test_labels = train_shape_nets(params["conv_shapes"], params["dense_shapes"],
                                                        params["shapes_data"])
    # The dense network again with the convolutional one's learning rate and activation: does
    # the gap come from the layer, or from the settings each was given?
    (train_images, train_labels), _ = shapes_data(params["shapes_data"])
    same_settings = {**params["dense_shapes"], "learning_rate": params["conv_shapes"]["learning_rate"],
                     "activation": params["conv_shapes"]["activation"]}
    dense_same = make_dense_shapes(same_settings)
    _, same_accuracies, _ = train_measured(adam_trainer(dense_same, flatten(train_images), train_labels, same_settings),
                                           flatten(test_images), test_labels, same_settings["epochs"])
    out[FILTERS_FILES["digits_json"]].write_text(digits["conv"][0].to_json())
    out[FILTERS_FILES["shapes_json"]].write_text(shapes["conv"][0].to_json())

    draw_accuracy_curves(out["post7/accuracy-curves.svg"], digits, shapes)
    _, X_test, _, y_test = digits_data()
    # The first test picture of each digit and shape asked for.
    digit_examples = [int(np.flatnonzero(y_test == label)[0]) for label in params["digit_examples"]]
    shape_examples = [int(np.flatnonzero(test_labels == SHAPES.index(s))[0])
                      for s in params["shape_examples"]]
    draw_learned_filters(out["post7/learned-filters.webp"],
                         digits["conv"][0], X_test[digit_examples].reshape(-1, SIDE, SIDE),
                         shapes["conv"][0], test_images[shape_examples])

    second_layer = draw_second_layer(out["post7/second-layer.webp"], shapes["conv"][0], test_images, test_labels)

    metrics = {}
    for prefix, run, test_count in (("conv_digits", digits["conv"], len(y_test)),
                                    ("dense_digits", digits["dense"], len(y_test)),
                                    ("conv_shapes", shapes["conv"], len(test_labels)),
                                    ("dense_shapes", shapes["dense"], len(test_labels))):
        metrics.update(run_metrics(prefix, run, test_count))
    conv_digits, conv_shapes = digits["conv"][0], shapes["conv"][0]

    def ratio(name, top, bottom, digits_kept):
        return round(metrics[f"{top}_{name}"] / metrics[f"{bottom}_{name}"], digits_kept)

    return {
        **metrics,
        "dense_shapes_learning_rate": params["dense_shapes"]["learning_rate"],
        "dense_shapes_activation": params["dense_shapes"]["activation"],
        "conv_shapes_learning_rate": params["conv_shapes"]["learning_rate"],
        "conv_shapes_activation": params["conv_shapes"]["activation"],
        "dense_shapes_conv_settings_accuracy": float(same_accuracies[-1]),
        **second_layer,
        "digits_accuracy_gain": metrics["conv_digits_accuracy"] - metrics["dense_digits_accuracy"],
        "shapes_accuracy_gain": metrics["conv_shapes_accuracy"] - metrics["dense_shapes_accuracy"],
        # How many times fewer weights the convolutional network has, and how many times longer it trained.
        "digits_parameter_ratio": ratio("parameters", "dense_digits", "conv_digits", 2),
        "shapes_parameter_ratio": ratio("parameters", "dense_shapes", "conv_shapes", 2),
        "digits_seconds_ratio": ratio("seconds", "conv_digits", "dense_digits", 1),
        "shapes_seconds_ratio": ratio("seconds", "conv_shapes", "dense_shapes", 1),
        "conv_digits_filters": conv_digits.conv[0][0],
        "conv_digits_filter_weights": int(conv_digits.layers[0]["W"].size + conv_digits.layers[0]["b"].size),
        "conv_shapes_filters_first": conv_shapes.conv[0][0],
        "conv_shapes_filters_second": conv_shapes.conv[1][0],
        "conv_digits_architecture": conv_digits.architecture(),
        "conv_shapes_architecture": conv_shapes.architecture(),
        "conv_digits_shapes": [list(shape) for shape in conv_digits.shapes],
        "conv_shapes_shapes": [list(shape) for shape in conv_shapes.shapes],
        "dense_digits_sizes": digits["dense"][0].sizes,
        "dense_shapes_sizes": shapes["dense"][0].sizes,
        "digits_n_train": len(digits_data()[2]),
        "digits_n_test": len(y_test),
        "shapes_n_train": params["shapes_data"]["n_train"],
        "shapes_n_test": params["shapes_data"]["n_test"],
        # How the Filters widget feeds the saved networks (ConvNetwork.from_json, then forward()).
        "conv_digits_input": "one row of 64 numbers per digit: the 8x8 pixels row by row "
                             "(index = 8 * row + column), values 0..16 divided by 16; input_shape (1, 8, 8)",
        "conv_shapes_input": "one row of 768 numbers per picture: the (16, 16, 3) image in [0, 1] moved to "
                             "channels first (3, 16, 16) and flattened (index = 256 * channel + 16 * row + "
                             "column); no scaling",
        "conv_digits_output": "softmax over the digits 0..9",
        "conv_shapes_output": "softmax over " + ", ".join(SHAPES),
    }


# --- Recipe: the filters forming, the live widget's fallback.


def record_training(model, steps, sample):
    """Train the live widget's ``model`` and keep what it shows at each of ``steps``
    (mini-batches done, never decreasing, from 0): the first layer's ``filters`` ``(n, filters,
    3, 3)``, their feature ``maps`` of the first test digit with label ``sample`` ``(n, filters,
    8, 8)``, the ``test_accuracy`` ``(n,)`` and the ``epoch`` ``(n,)`` reached."""
    model.pick(sample)
    record = {"filters": [], "maps": [], "test_accuracy": [], "epoch": []}
    for step in steps:
        if step > model.trainer.steps:
            model.step(step - model.trainer.steps)
        record["filters"].append(model.network.layers[0]["W"][:, 0].copy())
        record["maps"].append(model.read()["maps"])
        record["test_accuracy"].append(model.network.accuracy(model.X_test, model.y_test))
        record["epoch"].append(model.trainer.steps / model.batches_per_epoch)
    return {key: np.array(values) for key, values in record.items()}


FORMING_PARAMS = {"widget": CONV_DIGITS_WIDGET, "epochs": 3, "frames": 120, "fps": 20, "hold_frames": 20,
                  "sample": 0}


@recipe(outputs=["post7/filters-forming.mp4", "post7/filters-forming-poster.webp"], params=FORMING_PARAMS)
def filters_forming_video(out, params):
    """The live widget's network training on the digits, as the widget shows it: its eight
    filters (each to its own scale) above the maps they make of a test zero, and the test
    accuracy so far. Frames close together at first, where the filters change most."""
    model = widget_model(params["widget"])
    n_steps = params["epochs"] * model.batches_per_epoch
    steps = frame_steps(n_steps, params["frames"], hold_start=True)
    record = record_training(model, steps, params["sample"])
    frames = np.concatenate([np.arange(len(steps)), np.full(params["hold_frames"], len(steps) - 1)])
    n_filters = record["filters"].shape[1]

    fig = plt.figure(figsize=plotting.FIGSIZE, layout="none")
    width = 0.9 / n_filters
    filter_axes = [fig.add_axes([0.05 + f * width + 0.01, 0.67, width - 0.02, width * 16 / 9 - 0.035])
                   for f in range(n_filters)]
    map_axes = [fig.add_axes([0.05 + f * width + 0.01, 0.39, width - 0.02, width * 16 / 9 - 0.035])
                for f in range(n_filters)]
    filter_images, map_images = [], []
    for f, (ax_filter, ax_map) in enumerate(zip(filter_axes, map_axes)):
        filter_images.append(ax_filter.imshow(np.zeros((3, 3)), cmap=plotting.DIVERGING_CMAP, vmin=-1, vmax=1,
                                              interpolation="nearest"))
        map_images.append(ax_map.imshow(np.zeros((8, 8)), cmap=POSITIVE_CMAP, vmin=0, vmax=1,
                                        interpolation="nearest"))
        for ax in (ax_filter, ax_map):
            clean(ax)
        ax_filter.set_title(f"filter {f + 1}", fontsize=10)
    fig.text(0.95, 0.585, "filters' weights: orange −, blue +", ha="right", fontsize=10, color=plotting.AXES)
    fig.text(0.05, 0.585, f"their feature maps of a test {params['sample']} (after ReLU)", fontsize=10,
             color=plotting.AXES)
    ax_curve = fig.add_axes([0.12, 0.14, 0.83, 0.14])
    ax_curve.set_xlim(0, params["epochs"])
    ax_curve.set_ylim(0, 1)
    ax_curve.set_yticks([0, 1])
    ax_curve.set_yticklabels(["0", "100%"])
    ax_curve.set_xticks(range(params["epochs"] + 1))
    ax_curve.set_xlabel("epoch", fontsize=10, labelpad=1)
    ax_curve.set_title("test accuracy", loc="left", fontsize=10, color=plotting.AXES)
    curve, = ax_curve.plot([], [], color=plotting.BLUE, lw=2)
    caption = fig.text(0.05, 0.955, "", fontsize=11)
    top = max(float(record["maps"].max()), 1e-9)  # one scale for every frame: maps grow as they learn
    freeze_static(fig, moving=[*filter_images, *map_images, curve, caption])

    def draw_frame(i):
        k = frames[i]
        for f in range(n_filters):
            weights = record["filters"][k, f]
            filter_images[f].set_data(weights / max(float(np.abs(weights).max()), 1e-9))
            map_images[f].set_data(record["maps"][k, f] / top)
        curve.set_data(record["epoch"][: k + 1], record["test_accuracy"][: k + 1])
        caption.set_text(f"after {steps[k]} mini-batches (epoch {record['epoch'][k]:.1f}): "
                         f"{record['test_accuracy'][k]:.0%} of test digits right")

    plotting.write_video(fig, draw_frame, len(frames), out["post7/filters-forming.mp4"], fps=params["fps"],
                         poster_path=out["post7/filters-forming-poster.webp"])
    plt.close(fig)
    moved = np.sqrt(np.mean((record["filters"][-1] - record["filters"][0]) ** 2) / np.mean(record["filters"][0] ** 2))
    return {"mini_batches": int(steps[-1]), "epochs": params["epochs"],
            "test_accuracy_start": float(record["test_accuracy"][0]),
            "test_accuracy_end": float(record["test_accuracy"][-1]), "filters_moved": round(float(moved), 3)}


@recipe(outputs=["thumbs/post7.webp", "cards/post7.png"], params={"label": 0, "shape": "triangle", "shape_seed": 4,
                                             "kernel": "vertical_edge"})
def thumb_post7(out, params):
    """Two pictures, each beside what the vertical-edge filter makes of it."""
    weights = kernel(params["kernel"])
    digit = first_digit(params["label"])
    shape = first_shape(params["shape"], params["shape_seed"])
    fig, axes = plt.subplots(2, 2, figsize=(3.2, 2.4), layout="none")
    fig.subplots_adjust(left=0.13, right=0.87, top=0.98, bottom=0.02, wspace=0.08, hspace=0.06)
    for (ax_picture, ax_map), (picture, kind, values) in zip(axes, (
            (digit, "ink", convolve(digit, weights, padding=1)),
            (shape, "colour", convolve(grey(shape), weights, padding=1)))):
        draw_map(ax_picture, picture, kind, PIXEL_MAX if kind == "ink" else 1.0)
        draw_map(ax_map, values, "signed", signed_limit(values))
    plotting.save_thumbnail(fig, out["thumbs/post7.webp"], out["cards/post7.png"])
    return {"kernel": params["kernel"], "shown": 2}


# --- Recipes: one filter over three channels makes one map.

CHANNELS = ("red", "green", "blue")
CHANNEL_CMAPS = {name: LinearSegmentedColormap.from_list(name, [plotting.CARD, colour])
                 for name, colour in zip(CHANNELS, plotting.CHANNEL_COLOURS)}
# A filter for "a green shape's left edge": the vertical-edge weights on green, the same
# weights with the other sign and half the size on red and blue (so a grey or white edge,
# bright in every channel, mostly cancels out).
MULTICHANNEL_PARAMS = {"shape": "triangle", "colour": "green", "shape_seed": 4, "kernel": "vertical_edge",
                       "channel_scale": {"red": -0.5, "green": 1.0, "blue": -0.5}, "padding": 1}


@recipe(outputs=["post7/multichannel.svg"], params=MULTICHANNEL_PARAMS)
def multichannel(out, params):
    images, shape_labels, colour_labels = coloured_shapes(60, seed=params["shape_seed"])
    picked = np.flatnonzero((shape_labels == SHAPES.index(params["shape"]))
                            & (colour_labels == COLOURS.index(params["colour"])))[0]
    image = images[picked].transpose(2, 0, 1)  # (3, 16, 16), channels first
    weights = np.stack([params["channel_scale"][c] * kernel(params["kernel"]) for c in CHANNELS])  # (3, 3, 3)
    per_channel = [convolve(image[c], weights[c], 1, params["padding"]) for c in range(3)]
    total = convolve(image, weights, 1, params["padding"])
    limit = signed_limit([*per_channel, total])

    fig = plt.figure(figsize=(6.0, 5.6))
    grid = fig.add_gridspec(3, 5, width_ratios=[1, 0.55, 0.2, 1, 1.25], wspace=0.15, hspace=0.25)
    for c, name in enumerate(CHANNELS):
        ax = fig.add_subplot(grid[c, 0])
        ax.imshow(image[c], cmap=CHANNEL_CMAPS[name], vmin=0, vmax=1, interpolation="nearest")
        clean(ax)
        ax.set_ylabel(name, fontsize=11)
        ax = fig.add_subplot(grid[c, 1])
        draw_value_grid(ax, weights[c], signed_limit(weights), 8)
        clean(ax)
        fig.add_subplot(grid[c, 2]).set_axis_off()
        ax = fig.add_subplot(grid[c, 3])
        draw_map(ax, per_channel[c], "signed", limit)
        clean(ax)
        if c == 0:
            ax.set_title("its map", fontsize=11)
            fig.axes[-4].set_title("channel", fontsize=11)
            fig.axes[-3].set_title("9 weights", fontsize=11)
    ax = fig.add_subplot(grid[1, 4])
    draw_map(ax, total, "signed", limit)
    clean(ax)
    ax.set_title("the three maps\nadded: one\nfeature map", fontsize=11)
    fig.suptitle(f"one 3 × 3 × 3 filter ({weights.size} weights) over a {params['colour']} {params['shape']}",
                 fontsize=12)
    plotting.save_figure(fig, out["post7/multichannel.svg"])
    return {"weights": int(weights.size), "channels": len(CHANNELS), "shape": params["shape"],
            "colour": params["colour"], "map_side": int(total.shape[0]),
            "green_share": round(float(np.abs(per_channel[1]).sum() / sum(np.abs(m).sum() for m in per_channel)), 2)}


# --- Recipes: post 6's shift test on convolutional networks, and what global pooling adds.

# Post 6's test: train on shapes whose centre lies left of the middle, test everywhere. The
# convolutional network of the comparison above, and the same network whose last maps are
# max-pooled over their whole 8 x 8 (global max pooling: 16 numbers, one per filter, that no
# longer say where anything was) before the three outputs read them.
SHIFT_NETS = {"conv": CONV_SHAPES, "global": {**CONV_SHAPES, "pool": [2, 8]}}
SHIFT_DATA = {"n_pool": 10000, "n_test": 3000, "train_seed": 0, "test_seed": 1, "left_of": 8.0}
# The moved example: an even shift, so the 2 x 2 pooling windows see the same pixels as before.
SHIFT_PARAMS = {"nets": SHIFT_NETS, "data": SHIFT_DATA, "example": "triangle", "shift": 4}
SHIFT_LOOK = {"conv": ("convolutional, last maps read cell by cell", plotting.BLUE),
              "global": ("convolutional, global max pooling", plotting.GREEN)}


def shift_split(data):
    """Post 6's split: training shapes centred left of ``data["left_of"]``, and test shapes
    everywhere. Returns ``(train_images, train_labels), (test_images, test_labels, centres)``."""
    pool, labels, _ = coloured_shapes(data["n_pool"], seed=data["train_seed"])
    left = ink_centre_x(pool) < data["left_of"]
    test_images, test_labels, _ = coloured_shapes(data["n_test"], seed=data["test_seed"])
    return (pool[left], labels[left]), (test_images, test_labels, ink_centre_x(test_images))


def shifted(image, columns):
    """``image`` ``(h, w, 3)`` moved ``columns`` to the right, the background filling in
    on the left (exact when the shape does not reach the columns that wrap round)."""
    moved = np.roll(image, columns, axis=1)
    moved[:, :columns] = image[:, -1:]
    return moved


def ink_columns(image):
    """The columns of ``image`` ``(h, w, 3)`` that hold any of the shape (not background)."""
    return np.flatnonzero((np.abs(image - BACKGROUND).max(axis=-1) > 0.02).any(axis=0))


def global_features(net, X):
    """What the last convolution layer hands on, ``(n, filters * h * w)``."""
    return net.forward_all(X).activations[len(net.conv)].reshape(len(X), -1)


def accuracy_by_column(answers, labels, centres, least=30):
    """The share of right ``answers`` among the test shapes centred in each pixel column, for
    the columns with at least ``least`` shapes: ``(middles, accuracies)``, each ``(columns,)``."""
    middles, accuracies = [], []
    for low in range(SHAPE_SIZE):
        inside = (centres >= low) & (centres < low + 1)
        if inside.sum() >= least:
            middles.append(low + 0.5)
            accuracies.append(float(np.mean(answers[inside] == labels[inside])))
    return np.array(middles), np.array(accuracies)


@recipe(outputs=["post7/shift.svg", "post7/equivariance.svg"], params=SHIFT_PARAMS)
def conv_shift(out, params):
    data = params["data"]
    (train_images, train_labels), (test_images, test_labels, centres) = shift_split(data)
    nets, answers = {}, {}
    for name, settings in params["nets"].items():
        net = make_conv(settings, (3, SHAPE_SIZE, SHAPE_SIZE), len(SHAPES))
        adam_trainer(net, channels_first(train_images), train_labels, settings).run(settings["epochs"])
        nets[name], answers[name] = net, net.predict(channels_first(test_images))
    seen = centres < data["left_of"]
    unseen = centres >= data["left_of"] + 1  # a pixel's margin, as post 6 counts it

    fig, ax = plt.subplots()
    draw_shift_axes(ax, data["left_of"], SHAPE_SIZE, "test accuracy (shape)")
    columns = {name: accuracy_by_column(answers[name], test_labels, centres) for name in SHIFT_LOOK}
    for name, (label, colour) in SHIFT_LOOK.items():
        ax.plot(*columns[name], "o-", color=colour, lw=2, ms=4.5, label=label)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=10, frameon=False)
    plotting.save_figure(fig, out["post7/shift.svg"])

    # Equivariance and invariance: one test shape, and the same shape moved to the right.
    example = next(i for i in np.flatnonzero(test_labels == SHAPES.index(params["example"]))
                   if 1 <= ink_columns(test_images[i]).min() and ink_columns(test_images[i]).max() + params["shift"]
                   < SHAPE_SIZE - 1)
    pair = np.stack([test_images[example], shifted(test_images[example], params["shift"])])
    X_pair = channels_first(pair)
    all_maps = first_layer_maps(nets["global"], X_pair)  # (2, filters, 16, 16)
    # The filter that picks the shape out most clearly: the largest spread between its answers.
    shown = int(np.argmax(np.ptp(all_maps[0].reshape(len(all_maps[0]), -1), axis=1)))
    first_maps = all_maps[:, shown]
    pooled = global_features(nets["global"], X_pair)  # (2, 16)
    top = max(float(first_maps.max()), 1e-9)
    fig = plt.figure(figsize=(6.0, 4.4))
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.5], wspace=0.25, hspace=0.35)
    for row, (picture, feature_map, features) in enumerate(zip(pair, first_maps, pooled)):
        ax = fig.add_subplot(grid[row, 0])
        draw_map(ax, picture, "colour", 1.0)
        clean(ax)
        ax.set_ylabel("picture" if row == 0 else f"moved {params['shift']} right", fontsize=10.5)
        ax = fig.add_subplot(grid[row, 1])
        draw_map(ax, feature_map, "positive", top)
        clean(ax)
        ax = fig.add_subplot(grid[row, 2])
        ax.bar(np.arange(len(features)), features, color=plotting.GREEN, width=0.7)
        ax.set_ylim(0, float(pooled.max()) * 1.1)
        ax.set_xticks([])
        ax.set_yticks([])
        if row == 0:
            fig.axes[-3].set_title("input", fontsize=11)
            fig.axes[-2].set_title(f"a first-layer map\n(filter {shown + 1})", fontsize=11)
            ax.set_title("after global max pooling\n(one bar per last filter)", fontsize=11)
    plotting.save_figure(fig, out["post7/equivariance.svg"])
    # How far the moved map is from the first map moved, where neither wraps round nor meets
    # the padding of the left and right borders.
    inner = slice(params["shift"] + 1, SHAPE_SIZE - 1)
    map_gap = np.abs(first_maps[1][:, inner] - np.roll(first_maps[0], params["shift"], axis=1)[:, inner]).max()

    metrics = {"n_train": len(train_labels), "left_of": data["left_of"], "shift": params["shift"],
               "n_test_seen": int(seen.sum()), "n_test_unseen": int(unseen.sum()),
               "map_largest": round(top, 3), "map_shift_gap": round(float(map_gap), 6),
               "pooled_gap": round(float(np.abs(pooled[1] - pooled[0]).max()), 4),
               "pooled_largest": round(float(pooled.max()), 3)}
    for name, net in nets.items():
        metrics[f"{name}_parameters"] = net.n_parameters
        metrics[f"{name}_accuracy_seen"] = float(np.mean(answers[name][seen] == test_labels[seen]))
        metrics[f"{name}_accuracy_unseen"] = float(np.mean(answers[name][unseen] == test_labels[unseen]))
    # The plain network's worst column among those it never saw in training.
    middles, accuracies = columns["conv"]
    unseen_columns = middles >= data["left_of"] + 1
    worst = np.argmin(np.where(unseen_columns, accuracies, np.inf))
    metrics.update({"conv_worst_column": int(middles[worst]), "conv_worst_column_accuracy": round(accuracies[worst], 3)})
    metrics["epochs"] = params["nets"]["conv"]["epochs"]
    return metrics
