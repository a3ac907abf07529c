"""Drawing a network's decision regions over a 2-D dataset, in the series' colours.

A two-class network on two inputs splits the plane into the part it calls
class 0 (orange) and the part it calls class 1 (blue). This module evaluates
the network on a grid of points and draws the result:

    decision_grid(net, extent, resolution) -> (xx, yy, probability)
        pure computation: the network's probability of class 1 at every grid point.

    regions = draw_regions(ax, net, X, y)
        shades ``ax`` by that probability, draws the boundary (probability 0.5)
        and the points; returns a ``Regions`` whose ``update(net)`` redraws the
        shading and boundary for the network's current weights (a video frame).

    draw_points(ax, X, y) -> the scatter of the points, coloured by class.

    boundary_lines(xx, yy, probability) -> the 0.5 crossing as a list of (k, 2) arrays.

    draw_class_regions(ax, probabilities, extent, X, y)
        for any number of classes (the playground's three and four): each grid point
        shaded in the colour of the class that wins there, paler as its lead shrinks.

Shading runs from a pale orange (surely class 0) through the card colour
(undecided) to a pale blue (surely class 1), pale enough that the points drawn
on top in the full class colours stay readable.
"""

import contourpy
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from scripts.assets.palette import CLASSES, REGION_STRENGTH
from scripts.assets.plotting import AXES, CARD, CLASS_COLOURS, TEXT

DEFAULT_EXTENT = (-1.3, 1.3, -1.3, 1.3)  # the toy datasets fill [-1, 1]^2, plus room for their noise
DEFAULT_RESOLUTION = 120  # grid points per side: smooth at figure size, ~15k forward passes


def _pale(colour, amount):
    """``colour`` mixed with the card colour; ``amount`` 1 is the colour itself."""
    colour, card = np.array(to_rgb(colour)), np.array(to_rgb(CARD))
    return tuple(card + amount * (colour - card))


REGION_CMAP = LinearSegmentedColormap.from_list(
    "regions", [_pale(CLASS_COLOURS[0], REGION_STRENGTH), CARD, _pale(CLASS_COLOURS[1], REGION_STRENGTH)])


def class_probability(net, X):
    """The network's probability of class 1 for each row of ``X`` ``(n, 2)``: ``(n,)``.

    A single sigmoid output is that probability; a two-unit softmax output gives
    it as its second column. Other outputs have no probability to draw.
    """
    out = net.forward(X)
    last = net.activations[-1].name
    if out.shape[1] == 1 and last == "sigmoid":
        return out[:, 0]
    if out.shape[1] == 2 and last == "softmax":
        return out[:, 1]
    raise ValueError(f"decision regions need a network with one sigmoid output or two softmax outputs; "
                     f"this one has {out.shape[1]} {last} output(s)")


def decision_grid(net, extent=DEFAULT_EXTENT, resolution=DEFAULT_RESOLUTION):
    """The network's probability of class 1 on a grid over ``extent``.

    ``extent`` is ``(x_min, x_max, y_min, y_max)``; ``resolution`` the number of
    grid points along each side. Returns ``(xx, yy, probability)``, each
    ``(resolution, resolution)``; row ``i`` holds the points at height ``yy[i, 0]``,
    from the bottom up (the ``origin="lower"`` convention of ``imshow``).
    """
    x_min, x_max, y_min, y_max = (float(v) for v in extent)
    if not (x_min < x_max and y_min < y_max):
        raise ValueError(f"extent must be (x_min, x_max, y_min, y_max) with min < max, got {extent}")
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2 grid points per side, got {resolution}")
    if net.sizes[0] != 2:
        raise ValueError(f"decision regions need a network with 2 inputs, this one has {net.sizes[0]}")
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, int(resolution)), np.linspace(y_min, y_max, int(resolution)))
    probability = class_probability(net, np.column_stack([xx.ravel(), yy.ravel()]))
    return xx, yy, probability.reshape(xx.shape)


def draw_points(ax, X, y, size=14, edge=True):
    """Scatter the points ``X`` ``(n, 2)`` in their class colours (labels ``y`` ``(n,)`` 0, 1, ...).

    A thin card-coloured edge keeps overlapping points apart. Returns the
    PathCollection (``set_offsets`` moves the points, e.g. in a video).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ValueError(f"draw_points needs X (n, 2) and y (n,), got shapes {X.shape} and {y.shape}")
    colours = np.array(CLASSES)[y.astype(int)]
    return ax.scatter(X[:, 0], X[:, 1], c=list(colours), s=size, linewidths=0.5 if edge else 0,
                      edgecolors=CARD, zorder=3)


def boundary_lines(xx, yy, probability):
    """The lines where ``probability`` crosses 0.5, as a list of ``(k, 2)`` arrays of points."""
    return contourpy.contour_generator(xx, yy, probability, line_type="Separate").lines(0.5)


class Regions:
    """The shading and boundary line drawn on one Axes; ``update(net)`` redraws both."""

    def __init__(self, ax, extent, resolution, boundary):
        self.ax, self.extent, self.resolution = ax, extent, resolution
        self.image = None  # the shading (an AxesImage)
        # The boundary: one LineCollection whose segments are replaced on each update
        # (cheaper than a new contour plot per video frame); None when not drawn.
        self.lines = LineCollection([], colors=[TEXT], linewidths=1.2, zorder=2) if boundary else None
        if boundary:
            ax.add_collection(self.lines, autolim=False)
        self.points = None  # the scatter of the points, if any

    def update(self, net):
        """Recompute the grid for ``net``'s current weights and redraw; returns the probability grid."""
        xx, yy, probability = decision_grid(net, self.extent, self.resolution)
        if self.image is None:
            self.image = self.ax.imshow(probability, extent=self.extent, origin="lower", cmap=REGION_CMAP,
                                        vmin=0.0, vmax=1.0, interpolation="bilinear", zorder=0)
        else:
            self.image.set_data(probability)
        if self.lines is not None:
            self.lines.set_segments(boundary_lines(xx, yy, probability))
        return probability


def draw_regions(ax, net, X=None, y=None, extent=DEFAULT_EXTENT, resolution=DEFAULT_RESOLUTION,
                 boundary=True, point_size=14, ticks=False):
    """Shade ``ax`` by where ``net`` puts class 0 and class 1, and draw the points on top.

    ``net``: a ``demos.nn.Network`` with 2 inputs and one sigmoid (or two softmax)
    outputs. ``X`` ``(n, 2)`` and ``y`` ``(n,)`` are optional points to show.
    ``boundary`` draws the line where the probability crosses 0.5. The Axes gets
    the extent, an equal aspect, a thin frame on all four sides and, unless
    ``ticks``, no ticks (the plane's coordinates mean nothing to a reader).

    Returns a ``Regions``: ``.image`` (the shading), ``.lines`` (the boundary, a
    LineCollection), ``.points`` (the scatter, or None); ``.update(net)`` redraws
    shading and boundary for new weights, the usual step of a video frame.
    """
    regions = Regions(ax, tuple(float(v) for v in extent), int(resolution), boundary)
    regions.update(net)
    if X is not None:
        regions.points = draw_points(ax, X, y, size=point_size)
    _frame(ax, extent, ticks)
    return regions


def _frame(ax, extent, ticks):
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.8)
        spine.set_color(AXES)
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])


def class_shading(probabilities):
    """The colour of each point whose class probabilities are the rows of ``probabilities``
    ``(n, n_classes)``: the winning class's colour, mixed with the card colour as its lead over
    an even guess shrinks (a sure point REGION_STRENGTH of the colour, an even one the card).
    Returns ``(n, 3)`` RGB in [0, 1]. For two classes these are REGION_CMAP's colours."""
    probabilities = np.asarray(probabilities, dtype=float)
    k = probabilities.shape[1]
    if not 2 <= k <= len(CLASSES):
        raise ValueError(f"class_shading needs 2 to {len(CLASSES)} classes (columns), got {k}")
    lead = (probabilities.max(axis=1) - 1 / k) / (1 - 1 / k)
    colours, card = np.array([to_rgb(c) for c in CLASSES[:k]]), np.array(to_rgb(CARD))
    return card + (REGION_STRENGTH * lead)[:, None] * (colours[probabilities.argmax(axis=1)] - card)


def draw_class_regions(ax, probabilities, extent, X=None, y=None, point_size=14, ticks=False):
    """Shade ``ax`` by which class wins where, and how surely (:func:`class_shading`), and draw
    the points ``X`` ``(n, 2)`` with labels ``y`` ``(n,)`` on top. ``probabilities`` is
    ``(rows, columns, n_classes)`` over ``extent`` ``(x_min, x_max, y_min, y_max)``, row 0 at
    the top. Returns the scatter of the points, or None."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 3:
        raise ValueError(f"probabilities must be (rows, columns, n_classes), got shape {probabilities.shape}")
    rows, columns, k = probabilities.shape
    shading = class_shading(probabilities.reshape(-1, k)).reshape(rows, columns, 3)
    ax.imshow(shading, extent=extent, origin="upper", interpolation="bilinear", zorder=0)
    points = draw_points(ax, X, y, size=point_size) if X is not None else None
    _frame(ax, extent, ticks)
    return points
