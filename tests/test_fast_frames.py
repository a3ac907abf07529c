"""Frozen video backgrounds: a frame drawn over the picture equals a full redraw, pixel for pixel."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from scripts.assets import plotting  # noqa: E402
from scripts.assets.fast_frames import freeze_static  # noqa: E402


def _figure():
    """Two panels with ticks, labels, a changing title, image, line and text."""
    fig, (left, right) = plt.subplots(1, 2)
    image = left.imshow(np.linspace(0, 1, 64).reshape(8, 8), cmap=plotting.DIVERGING_CMAP,
                        extent=(-1, 1, -1, 1), vmin=0, vmax=1)
    left.scatter([0.2, -0.4], [0.1, 0.5], color=plotting.ORANGE, zorder=3)
    left.set_xlabel("$x_1$")
    title = left.set_title("step 0")
    (line,) = right.plot([0, 1], [0, 1])
    right.set_ylabel("loss")
    right.set_title("loss")
    text = right.text(0.5, 0.5, "", transform=right.transAxes)
    return fig, [image, title, line, text]


def _change(moving, k):
    image, title, line, text = moving
    image.set_data(np.linspace(0, 1, 64).reshape(8, 8) ** (k + 1))
    title.set_text(f"step {k * 37}")
    line.set_data(np.arange(k + 2), np.linspace(1, 0, k + 2))
    text.set_text(f"accuracy {k * 10}%")


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_frames_over_a_frozen_background_match_full_redraws():
    plotting.style()
    full, full_moving = _figure()
    full.canvas.draw()
    full.set_layout_engine("none")  # the same fixed layout freeze_static settles on
    frozen, frozen_moving = _figure()
    background = freeze_static(frozen, frozen_moving)
    assert background.shape == (432, 768, 4)
    for k in range(3):
        _change(full_moving, k)
        _change(frozen_moving, k)
        assert np.array_equal(_pixels(full), _pixels(frozen)), f"frame {k} differs"
    # The decorations are now part of the picture, not live artists.
    assert not frozen.axes[0].xaxis.get_visible()
    assert frozen_moving[1].get_visible()  # a moving title stays live
    plt.close("all")
