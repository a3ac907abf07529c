"""Video frames: the steps they show, and frozen backgrounds (a frame drawn over the picture
equals a full redraw, pixel for pixel)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from scripts.assets import plotting  # noqa: E402
from scripts.assets.frames import frame_steps, freeze_static  # noqa: E402


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


def test_frame_steps_can_hold_the_first_steps_and_end_on_the_last():
    shown = frame_steps(800, 200, power=2.5, hold_start=True)  # post 1's neuron video
    assert shown[0] == 0 and shown[-1] == 800 and np.all(np.diff(shown) >= 0)
    assert np.sum(shown == 0) > 3  # the untrained neuron stays on screen a moment
    assert shown[100] < 800 / 4  # half the frames for the first quarter of the steps


def test_frame_steps_show_every_early_step_then_speed_up_to_the_end():
    shown = frame_steps(600, 200, power=1.8)  # post 2's line video
    assert shown[0] == 0 and shown[-1] == 600
    assert np.all(np.diff(shown) >= 0)
    assert list(shown[:20]) == list(range(20))
    assert np.diff(shown)[-10:].min() > 1


def test_frame_steps_start_step_by_step_and_end_at_the_last_step():
    steps = frame_steps(600, 200)  # post 3's hidden-view video
    assert len(steps) == 200 and steps[0] == 0 and steps[-1] == 600
    assert np.all(np.diff(steps) >= 0)
    assert list(steps[:10]) == list(range(10))  # the quick early changes, one step per frame
    assert np.diff(steps)[-10:].min() > 1  # later, several steps per frame
    assert list(frame_steps(5, 10)) == [0, 1, 2, 3, 4, 5, 5, 5, 5, 5]


def test_frame_steps_held_at_the_start_are_dense_once_repeats_are_dropped():
    steps = np.unique(frame_steps(1290, 300, hold_start=True))  # post 5's video
    assert steps[0] == 0 and steps[-1] == 1290
    assert np.all(np.diff(steps) > 0)
    assert steps[:20].tolist() == list(range(20))  # every one of the first steps is shown
    assert np.diff(steps)[-1] > 5  # far apart at the end
