"""Convolution: layers that look at a picture one small patch at a time.

A dense neuron has its own weight for every pixel, so a digit moved one pixel
to the right is, to it, a different picture. A *filter* (also called a
*kernel*) is a neuron that sees only a small ``k x k`` *patch*, and the same
filter is slid over every position of the image: its answers, one per
position, form a *feature map* that lights up wherever the pattern its weights
describe is found. A *convolution layer* is a set of filters, each making one
feature map (a *channel* of the layer's output). *Max-pooling* keeps the
strongest answer in each small window, so the next layer sees a coarser map
that cares less about exactly where a pattern sat.

Conventions: images ``x`` are ``(n_samples, channels_in, height, width)``,
kernels ``W`` are ``(channels_out, channels_in, k, k)`` and biases ``b``
``(channels_out,)``; a layer's output is ``(n_samples, channels_out, out_h,
out_w)`` with ``out = (side + 2 * padding - k) // stride + 1``. *Padding*
surrounds the image with zeros so the kernel can sit on the border too;
*stride* is how far the kernel moves between positions. As in every
deep-learning library the kernel is laid over the patch as it is, not flipped
(strictly a cross-correlation), so a kernel reads like the pattern it seeks.

How it is computed ("im2col", image to columns): every patch is copied into
one column of a matrix, so a whole layer is one matrix product, the kernels
flattened to rows ``(channels_out, channels_in * k * k)`` times the patches
``(channels_in * k * k, n_samples * out_h * out_w)``. This is the sense in
which a filter *is* a neuron: the weighted sum plus bias of a dense layer,
applied to each patch in turn.

Each step comes as a pair: ``*_forward`` returns its output and a *cache*;
``*_backward`` takes the gradient of the loss with respect to that output, and
the cache, and returns the gradients with respect to the step's inputs and
parameters. ``ConvNetwork`` chains the steps and hands everything that does
not care what a layer looks like (loss, predictions, training) to
``demos.nn``.
"""

import json

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from demos import nn
from demos.checks import whole_number

FORMAT = "demos.conv/1"


# --- Hand-made kernels, for the figures and the Filters widget.
# Each is 3x3; with padding=1 the feature map has the image's size.

KERNELS = {
    # Copies the centre pixel: the image comes back unchanged.
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    # A small Gaussian: each pixel averaged with its neighbours, nearest counting most.
    # Edges and noise soften; flat regions stay as they were (the weights sum to 1).
    "blur": np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0,
    # The pixel minus its four neighbours, on top of itself: differences are
    # exaggerated, so edges get crisper; flat regions stay as they were (sum 1).
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
    # Sobel: right column minus left column, the middle row counting double.
    # Positive where the image gets brighter to the right, negative where it gets
    # darker, zero on flat regions: it finds vertical edges.
    "vertical_edge": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    # The same turned on its side: positive where the image gets brighter
    # downwards, so it finds horizontal edges.
    "horizontal_edge": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
}
for _kernel in KERNELS.values():
    _kernel.setflags(write=False)  # shared by every caller: kernel() hands out copies


def kernel(name):
    """A fresh copy of the hand-made kernel called ``name`` ``(3, 3)``."""
    try:
        return KERNELS[name].copy()
    except (KeyError, TypeError):
        raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}") from None


# --- Checking what comes in.


def _as_images(x, name):
    array = np.asarray(x, dtype=float)
    if array.ndim != 4:
        raise ValueError(f"{name} must be a 4-D array (n_samples, channels, height, width), got shape {array.shape}")
    return array


def output_shape(height, width, k, stride=1, padding=0, what="kernel"):
    """``(out_h, out_w)``: how many positions a ``k x k`` window takes on a
    ``height x width`` input, moving ``stride`` pixels at a time over the input
    padded by ``padding`` zeros on every side. ValueError if it does not fit."""
    stride = whole_number(stride, "stride", 1)
    padding = whole_number(padding, "padding", 0)
    if k > min(height, width) + 2 * padding:
        padded = f" (padded by {padding})" if padding else ""
        raise ValueError(f"a {k}x{k} {what} does not fit in a {height}x{width} input{padded}")
    return (height + 2 * padding - k) // stride + 1, (width + 2 * padding - k) // stride + 1


def _windows(x, size, stride, padding=0):
    """The ``size x size`` windows of ``x`` ``(n, c, h, w)``, ``stride`` apart,
    over ``x`` padded by ``padding`` zeros: a view ``(size, size, n, c, out_h,
    out_w)`` whose ``[i, j]`` is the pixel at row ``i``, column ``j`` of every
    window. (Offsets first: each ``[i, j]`` is then a plain shifted image,
    which copies fast.)"""
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.transpose(4, 5, 0, 1, 2, 3)


def _add_windows(values, shape, stride):
    """The reverse of ``_windows``: ``values`` ``(size, size, n, c, out_h, out_w)``
    added onto zeros of ``shape`` ``(n, c, h, w)`` where the windows came from.
    A pixel shared by overlapping windows receives the sum of their values."""
    size, _, _, _, out_h, out_w = values.shape
    total = np.zeros(shape)
    for i in range(size):  # size * size slice additions, each over the whole batch
        for j in range(size):
            total[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] += values[i, j]
    return total


# --- Convolution.


def conv_forward(x, W, b, stride=1, padding=0):
    """A convolution layer's weighted sums (before any activation).

    ``x`` ``(n_samples, channels_in, height, width)``, kernels ``W``
    ``(channels_out, channels_in, k, k)``, biases ``b`` ``(channels_out,)``.
    Returns ``(z, cache)``, ``z`` ``(n_samples, channels_out, out_h, out_w)``.
    """
    x = _as_images(x, "x")
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if W.ndim != 4 or W.shape[2] != W.shape[3]:
        raise ValueError(f"kernels must be a 4-D array (channels_out, channels_in, k, k), got shape {W.shape}")
    if W.shape[1] != x.shape[1]:
        raise ValueError(f"the kernels expect {W.shape[1]} input channels but x has {x.shape[1]}")
    if b.shape != W.shape[:1]:
        raise ValueError(f"biases must have shape ({len(W)},), one per kernel, got {b.shape}")
    n, channels, height, width = x.shape
    channels_out, _, k, _ = W.shape
    out_h, out_w = output_shape(height, width, k, stride, padding)
    # im2col: the patch under the kernel at each output position becomes one
    # column, (channels, i, j) in the same order as a flattened kernel.
    columns = _windows(x, k, stride, padding).transpose(3, 0, 1, 2, 4, 5).reshape(channels * k * k, -1)
    z = W.reshape(channels_out, -1) @ columns + b[:, None]  # (channels_out, n * out_h * out_w)
    z = z.reshape(channels_out, n, out_h, out_w).transpose(1, 0, 2, 3)
    return z, (x.shape, W, stride, padding, columns)


def conv_backward(grad_z, cache):
    """The gradients of a convolution layer from ``grad_z`` (shaped like its
    output) and the cache of ``conv_forward``: ``(grad_x, grad_W, grad_b)``,
    shaped like ``x``, ``W`` and ``b``."""
    x_shape, W, stride, padding, columns = cache
    n, channels, height, width = x_shape
    channels_out, _, k, _ = W.shape
    out_h, out_w = output_shape(height, width, k, stride, padding)
    if np.shape(grad_z) != (n, channels_out, out_h, out_w):
        raise ValueError(f"grad_z must have the output's shape {(n, channels_out, out_h, out_w)}, "
                         f"got {np.shape(grad_z)}")
    # Laid out like the product in the forward pass: one column per output position.
    grad_sums = np.asarray(grad_z).transpose(1, 0, 2, 3).reshape(channels_out, -1)
    # A kernel weight met one pixel of every patch: its gradient sums pixel x gradient over them.
    grad_W = (grad_sums @ columns.T).reshape(W.shape)
    grad_b = grad_sums.sum(axis=1)
    # Each patch sends its gradient back to the pixels it was copied from.
    grad_columns = (W.reshape(channels_out, -1).T @ grad_sums).reshape(channels, k, k, n, out_h, out_w)
    padded_shape = (n, channels, height + 2 * padding, width + 2 * padding)
    grad_padded = _add_windows(grad_columns.transpose(1, 2, 3, 0, 4, 5), padded_shape, stride)
    grad_x = grad_padded[:, :, padding : padding + height, padding : padding + width]
    return grad_x, grad_W, grad_b


def convolve(image, kernel, stride=1, padding=0):
    """The feature map of one kernel over one image, as a convolution layer's
    filter computes it (no bias, no activation).

    ``image`` is ``(height, width)`` with a ``(k, k)`` kernel, or
    ``(channels, height, width)`` with a ``(channels, k, k)`` kernel (one
    slice per channel, summed). Returns ``(out_h, out_w)``.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be (height, width) or (channels, height, width), got shape {image.shape}")
    if kernel.ndim != image.ndim or kernel.shape[-1] != kernel.shape[-2]:
        wanted = "(k, k)" if image.ndim == 2 else f"({image.shape[0]}, k, k)"
        raise ValueError(f"a {image.shape} image needs a square kernel {wanted}, got shape {kernel.shape}")
    if image.ndim == 2:
        image, kernel = image[None], kernel[None]
    if kernel.shape[0] != image.shape[0]:
        raise ValueError(f"the image has {image.shape[0]} channels but the kernel has {kernel.shape[0]}")
    z, _ = conv_forward(image[None], kernel[None], np.zeros(1), stride, padding)
    return z[0, 0]


# --- Max-pooling and flattening.


def max_pool_forward(x, size=2, stride=None):
    """The largest value of each ``size x size`` window of every channel.

    ``x`` ``(n_samples, channels, height, width)``; ``stride`` defaults to
    ``size`` (windows side by side). Rows or columns left over at the bottom or
    right, too few for a whole window, are dropped. Returns ``(out, cache)``,
    ``out`` ``(n_samples, channels, out_h, out_w)``.
    """
    x = _as_images(x, "x")
    size = whole_number(size, "pool size", 1)
    stride = size if stride is None else whole_number(stride, "pool stride", 1)
    n, channels, height, width = x.shape
    out_h, out_w = output_shape(height, width, size, stride, 0, "pooling window")
    windows = _windows(x, size, stride).reshape(size * size, n, channels, out_h, out_w)
    # argmax takes the first largest value in reading order, so a tie always
    # sends its gradient to the same single pixel.
    winners = windows.argmax(axis=0)
    return windows.max(axis=0), (x.shape, size, stride, winners)


def max_pool_backward(grad_out, cache):
    """The gradient for the pooling's input ``(n_samples, channels, height, width)``:
    each window's gradient goes to the pixel that won it, every other pixel gets
    none (changing a loser a little does not change the maximum)."""
    x_shape, size, stride, winners = cache
    if np.shape(grad_out) != winners.shape:
        raise ValueError(f"grad_out must have the output's shape {winners.shape}, got {np.shape(grad_out)}")
    offsets = np.arange(size * size).reshape(size, size, 1, 1, 1, 1)
    return _add_windows((offsets == winners) * np.asarray(grad_out), x_shape, stride)


def flatten_forward(x):
    """Each example's values in one row: ``(n_samples, ...)`` -> ``(n_samples, n_values)``,
    channel by channel, each row by row. Returns ``(out, cache)``."""
    x = np.asarray(x, dtype=float)
    return x.reshape(len(x), -1), x.shape


def flatten_backward(grad_out, cache):
    """The gradient back in the input's shape (flattening moves values, changes none)."""
    return np.asarray(grad_out).reshape(cache)


# --- The network.


def _is_list(value):
    return hasattr(value, "__len__") and not isinstance(value, (str, bytes, dict))


def _conv_spec(entry, l):
    """Convolution layer ``l``'s spec as ``(filters, k, stride, padding)``."""
    if not _is_list(entry) or not 2 <= len(entry) <= 4:
        raise ValueError(f"convolution layer {l} must be (filters, kernel_size) or "
                         f"(filters, kernel_size, stride, padding), got {entry!r}")
    values = tuple(entry) + (1, 0)[len(entry) - 2 :]  # filters, kernel size, stride, padding
    return tuple(whole_number(value, f"convolution layer {l} {what}", low) for value, what, low
                 in zip(values, ("filters", "kernel size", "stride", "padding"), (1, 1, 1, 0)))


def _pool_spec(pool, n_conv):
    """The pooling window after each convolution layer: a list of sizes or ``None``."""
    pools = list(pool) if _is_list(pool) else [pool] * n_conv
    if len(pools) != n_conv:
        raise ValueError(f"pool lists {len(pools)} sizes but there are {n_conv} convolution layers")
    return [None if size is None else whole_number(size, f"pool size after convolution layer {l}", 1)
            for l, size in enumerate(pools)]


class ConvNetwork(nn.Network):
    """Convolution layers that find local patterns, then dense layers that classify them.

    ``input_shape`` is one example's ``(channels, height, width)``. The network
    takes examples as flat rows, ``X`` ``(n_samples, channels * height *
    width)``, each image flattened channel by channel, row by row (images
    ``(n, c, h, w)`` become ``images.reshape(n, -1)``), so ``demos.nn.Trainer``
    trains it as it trains any network.

    ``conv`` lists the convolution layers, each ``(filters, kernel_size)`` or
    ``(filters, kernel_size, stride, padding)`` (stride 1 and padding 0 if left
    out). ``pool`` is the max-pooling window after each of them (windows side
    by side): one size for all, ``None`` for none, or a list with a size or
    ``None`` per convolution layer. The last feature maps are flattened into the
    ``dense`` hidden layers (a list of sizes, maybe empty) and a softmax layer of
    ``n_classes`` outputs. ``activation`` is every layer's but the softmax's.
    Example: ``ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], pool=2, dense=[32],
    n_classes=10)``.

    ``layers`` holds one ``{"W", "b"}`` dict per layer, convolutions first, the
    kernels ``(filters, channels_in, k, k)`` being the ``W``, so optimisers and
    ``l2`` treat them like any weights. ``sizes`` counts the values each layer
    hands on, inputs first; ``shapes`` gives their shapes for one example.
    Loss, predictions, accuracy and parameter counting are ``Network``'s own.
    """

    def __init__(self, input_shape, conv, pool=2, dense=(), n_classes=10, activation="relu", seed=0):
        if not _is_list(input_shape) or len(input_shape) != 3:
            raise ValueError(f"input_shape must be (channels, height, width), got {input_shape!r}")
        if not _is_list(conv) or len(conv) == 0:
            raise ValueError(f"conv must list at least one convolution layer, got {conv!r}")
        if not _is_list(dense):
            raise ValueError(f"dense must be a list of hidden layer sizes, got {dense!r}")
        if activation == "softmax":
            raise ValueError("softmax is only allowed as the output activation")
        self.input_shape = tuple(whole_number(side, "input_shape side", 1) for side in input_shape)
        self.conv = [_conv_spec(entry, l) for l, entry in enumerate(conv)]
        self.pool = _pool_spec(pool, len(self.conv))
        self.dense = [whole_number(units, "dense layer size", 1) for units in dense]
        self.n_classes = whole_number(n_classes, "n_classes", 2)
        hidden = nn.activation(activation)
        rng = np.random.default_rng(seed)

        self.shapes, filter_layers = [self.input_shape], []
        for l, ((filters, k, stride, padding), pool_size) in enumerate(zip(self.conv, self.pool)):
            channels, height, width = self.shapes[-1]
            height, width = output_shape(height, width, k, stride, padding, f"kernel (convolution layer {l})")
            if pool_size is not None:
                where = f"pooling window (after convolution layer {l})"
                height, width = output_shape(height, width, pool_size, pool_size, 0, where)
            self.shapes.append((filters, height, width))
            # A filter is a neuron with channels * k * k inputs (one patch), so it
            # starts as such a dense layer would, with demos.nn's choice of weights.
            patch = nn.Network([channels * k * k, filters], [hidden.name], seed=rng).layers[0]
            filter_layers.append({"W": patch["W"].T.reshape(filters, channels, k, k), "b": patch["b"]})
        # The dense layers that read the last feature maps are a Network's own.
        super().__init__([int(np.prod(self.shapes[-1])), *self.dense, self.n_classes],
                         [hidden.name] * len(self.dense) + ["softmax"], seed=rng)
        self.layers = filter_layers + self.layers
        self.shapes += [(units,) for units in self.sizes[1:]]
        self.sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.activations = [hidden] * len(self.conv) + self.activations

    def architecture(self):
        """The constructor's arguments (without the seed) as plain JSON-ready values."""
        return {
            "input_shape": list(self.input_shape),
            "conv": [list(spec) for spec in self.conv],
            "pool": list(self.pool),
            "dense": list(self.dense),
            "n_classes": self.n_classes,
            "activation": self.activations[0].name,
        }

    def forward_all(self, X, silenced=None):
        """Run ``X`` ``(n_samples, sizes[0])`` through every layer, keeping the steps.

        Returns a ``Forward(zs, activations)`` as ``Network.forward_all`` does, one entry
        per layer: ``activations[0]`` is the input as images ``(n_samples,
        *input_shape)``. For convolution layer ``l``, ``zs[l]`` holds each
        filter's responses before the activation ``(n_samples, filters, out_h,
        out_w)`` (the full-size feature maps; ``self.activations[l].function(zs[l])``
        gives them after the activation) and ``activations[l + 1]`` what the layer
        hands on, activated and pooled, ``(n_samples, *shapes[l + 1])``. Dense
        layers are as in ``Network``, ``(n_samples, units)``. ``silenced`` switches hidden
        units off as ``Network.silencing`` numbers them: a convolution layer's units are the
        numbers it hands on (filter by filter, row by row), a dense layer's its neurons.
        """
        off = {} if silenced is None else self.silencing(silenced)
        zs, activations, _ = self._forward(nn._as_matrix(X, "X", self.sizes[0]), off)
        return nn.Forward(zs, activations)

    def _forward(self, X, off):
        """``forward_all`` without the checks (``off`` as ``silencing`` returns it), plus what
        the backward pass needs: per convolution layer its conv cache, its activated maps
        before pooling and its pooling cache (``None`` without pooling)."""
        a = X.reshape(len(X), *self.input_shape)
        zs, activations, caches = [], [a], []
        for l, (layer, act) in enumerate(zip(self.layers, self.activations)):
            if l < len(self.conv):
                _, _, stride, padding = self.conv[l]
                z, conv_cache = conv_forward(a, layer["W"], layer["b"], stride, padding)
                maps = act.function(z)
                a, pool_cache = (maps, None) if self.pool[l] is None else max_pool_forward(maps, self.pool[l])
                caches.append((conv_cache, maps, pool_cache))
            else:
                inputs, _ = flatten_forward(a)
                z = inputs @ layer["W"] + layer["b"]
                a = act.function(z)
            if l in off:
                a = a * off[l].reshape(self.shapes[l + 1])
            zs.append(z)
            activations.append(a)
        return zs, activations, caches

    def backward(self, X, Y, loss, l2, silenced=None):
        """Backpropagation, from the softmax back through the dense layers, the
        flattening, the pooling and the convolutions: ``(loss, grads)`` as
        ``Network.gradients`` returns it (that checks the input, then calls this)."""
        off = {} if silenced is None else self.silencing(silenced)
        zs, activations, caches = self._forward(X, off)
        value = self._loss_value(loss, zs[-1], activations[-1], Y, l2)
        grad_z = self._output_gradient(loss, zs[-1], activations[-1], Y)
        grads = [None] * len(self.layers)
        for l in range(len(self.layers) - 1, -1, -1):
            W = self.layers[l]["W"]
            # This layer's weights, and the gradient for its input: the previous layer's output.
            if l < len(self.conv):
                grad_a, grad_W, grad_b = conv_backward(grad_z, caches[l][0])
            else:
                inputs, shape = flatten_forward(activations[l])
                grad_W, grad_b = inputs.T @ grad_z, grad_z.sum(axis=0)
                grad_a = flatten_backward(grad_z @ W.T, shape)
            grads[l] = {"W": grad_W + l2 * W, "b": grad_b}
            if l == 0:
                break
            if l - 1 in off:
                grad_a = grad_a * off[l - 1].reshape(self.shapes[l])  # a unit switched off passes nothing back
            # Back through the previous layer's pooling (if any) and activation, to its z.
            act = self.activations[l - 1]
            if l - 1 < len(self.conv):
                _, maps, pool_cache = caches[l - 1]
                if pool_cache is not None:
                    grad_a = max_pool_backward(grad_a, pool_cache)  # only each window's winner gets some
                grad_z = act.backward(zs[l - 1], maps, grad_a)
            else:
                grad_z = act.backward(zs[l - 1], activations[l], grad_a)
        return value, grads

    # --- Saving: plain JSON, as for Network.

    def to_json(self):
        """The architecture and every weight as a JSON string (floats round-trip exactly)."""
        return json.dumps({"format": FORMAT, "architecture": self.architecture(),
                           "layers": [{"W": layer["W"].tolist(), "b": layer["b"].tolist()} for layer in self.layers]})

    @classmethod
    def from_json(cls, text):
        """The network saved by ``to_json``; any mismatch is a ValueError that says where."""
        data = nn.read_saved(text, FORMAT, "convolutional network", ("architecture", "layers"))
        architecture = data["architecture"]
        expected = ("input_shape", "conv", "pool", "dense", "n_classes", "activation")
        if not isinstance(architecture, dict) or sorted(architecture) != sorted(expected):
            raise ValueError(f"saved architecture must have exactly the keys {', '.join(expected)}")
        network = cls(**architecture, seed=0)
        if not isinstance(data["layers"], list) or len(data["layers"]) != len(network.layers):
            raise ValueError(f"saved network has {len(data['layers'])} layers of weights "
                             f"but its architecture needs {len(network.layers)}")
        return network.load_layers(data["layers"], "the architecture needs")
