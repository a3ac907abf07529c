"""The site's icons: the browser tab's favicon and the home-screen (touch) icon.

Both draw the series' first picture of learning, post 2's: a plane split by one
neuron's straight line, class 0 (orange) on one side and class 1 (blue) on the
other. No points and no text: at 16 pixels only large shapes and colours read.
"""

import matplotlib.pyplot as plt

from scripts.assets import plotting
from scripts.assets.recipe import recipe

ICONS = {"icons/favicon.png": 48, "icons/apple-touch-icon.png": 180}  # pixels square
POINTS_PER_ICON = 72  # the icon's figure is one inch wide


def draw_icon(ax, params):
    """The split plane on the unit square; the line's width in `params` is a fraction of the
    icon's width, so every size shows the same picture."""
    left, right = params["tilt"], 1 - params["tilt"]  # where the boundary meets each side
    line = params["line_width"] * POINTS_PER_ICON
    ax.fill([0, 0, 1, 1], [0, left, right, 0], color=plotting.ORANGE, lw=0)
    ax.fill([0, 0, 1, 1], [left, 1, 1, right], color=plotting.BLUE, lw=0)
    ax.plot([0, 1], [left, right], color=plotting.TEXT, lw=line, solid_capstyle="butt")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()


@recipe(outputs=list(ICONS), params={"tilt": 0.75, "line_width": 0.12})
def site_icons(out, params):
    """The favicon and the touch icon: the same drawing at each size, square and opaque
    (a phone rounds the corners of a touch icon itself)."""
    for path, pixels in ICONS.items():
        fig = plt.figure(figsize=(1, 1), dpi=pixels, layout="none")
        draw_icon(fig.add_axes([0, 0, 1, 1]), params)
        plotting.save_figure(fig, out[path], dpi=pixels)
    return {"sizes": sorted(ICONS.values())}
