"""Video frames of training: which steps they show, and drawing them fast.

Which steps: a network changes most in its first steps, so a video shows those
closely and strides ever faster through the rest (:func:`frame_steps`).

Drawing fast: most of the time Matplotlib spends on a frame goes to text: tick
labels, axis labels, titles, laid out again on every draw although they never
change. A video recipe that moves only a few artists (a line, an image, a
caption) can call :func:`freeze_static` once before the first frame: it draws
everything except those artists, keeps the result as a background image, and
hides the parts it captured. Each frame then draws one image and the moving
artists, and looks exactly as a full redraw would.

    fig, ax = plt.subplots()
    ...                                   # axes, ticks, labels, static points
    line, = ax.plot(...)                  # what changes from frame to frame
    freeze_static(fig, moving=[line])
    write_video(fig, draw_frame, ...)     # draw_frame changes only `line`

Anything drawn inside an axes, static or not, stays a live artist (so the
stacking order of data artists is kept); only the axes' decorations (ticks,
labels, titles, background) and figure-level text become the picture. Titles,
texts or axes that change must be listed in ``moving``.
"""

import numpy as np
from matplotlib.artist import Artist


def frame_steps(n_steps, n_frames, power=2.0, hold_start=False):
    """Which training step each of ``n_frames`` video frames shows: ``(n_frames,)`` ints
    from 0 to ``n_steps``, never decreasing, spaced as ``t ** power`` (``power`` > 1: close
    together at first). Early on that is slower than a step a frame; there the frames show
    one step each, or, with ``hold_start``, dwell on the first steps (the untrained network)."""
    t = np.linspace(0.0, 1.0, int(n_frames))
    spaced = np.round(n_steps * t**power).astype(int)
    if hold_start:
        return spaced
    return np.maximum(spaced, np.minimum(np.arange(len(t)), n_steps)).clip(0, n_steps)


def freeze_static(fig, moving):
    """Draw ``fig`` once without the artists in ``moving``; show that picture behind
    every later draw and hide the decorations it holds. Also fixes the layout, so
    the picture and the live artists stay aligned."""
    moving = list(moving)
    fig.canvas.draw()  # settles the layout with everything in place
    fig.set_layout_engine("none")
    for ax in fig.axes:
        # Keep titles where this draw put them: the automatic placement measures the
        # tick labels, which are about to be hidden, and would then misplace them.
        ax._autotitlepos = False
    data_artists = [child for ax in fig.axes for child in ax.get_children()
                    if child not in _decorations(ax)]
    hidden = [a for a in data_artists + moving if a.get_visible()]
    for artist in hidden:
        artist.set_visible(False)
    fig.canvas.draw()
    background = np.asarray(fig.canvas.buffer_rgba()).copy()
    for artist in hidden:
        artist.set_visible(True)
    for ax in fig.axes:
        for artist in _decorations(ax):
            if artist not in moving:
                artist.set_visible(False)
    for text in fig.texts:
        if text not in moving:
            text.set_visible(False)
    picture = _Picture(background)
    picture.set_zorder(-100)  # under every axes
    fig.add_artist(picture)
    return background


class _Picture(Artist):
    """A pixel image pasted onto the canvas as it is: no resampling, no colour mapping
    (``figimage`` would resample it on every draw, which costs more than all the rest)."""

    def __init__(self, rgba):
        super().__init__()
        self.rgba = rgba  # (height, width, 4) uint8, top row first, the canvas's own size

    def draw(self, renderer):
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self.rgba[::-1])  # the renderer counts rows from the bottom
        gc.restore()


def _decorations(ax):
    """The parts of an axes that frame the data and cost most to draw: ticks, labels,
    titles and the background. (Spines stay live: they are drawn over the data's edge.)
    Matplotlib keeps the left and right titles only in private attributes."""
    return [ax.xaxis, ax.yaxis, ax.patch, ax.title, ax._left_title, ax._right_title]
