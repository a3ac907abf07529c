"""The series' look, and files that come out byte-identical on every build.

Recipes draw with Matplotlib and hand the result to this module:

    fig, ax = plt.subplots()              # the build has already called style()
    ...
    save_figure(fig, out["post1/boundary.svg"])

    write_video(fig, draw_frame, n_frames=300, path=out["post1/training.mp4"],
                poster_path=out["post1/training-poster.webp"])

Light and dark pages: every figure and every video frame is drawn on the same
opaque light *card* (``CARD``), with near-black text and mid-grey axes. A video
has no transparency, so figures do the same to match it; on a dark page the
card reads as a bright panel, like a photograph. The page's CSS is expected to
round the corners of images and videos so that both look like cards.

Colours keep one meaning across the series (:mod:`scripts.assets.palette`, which
the page's widgets share): orange is class 0 and negative weights, blue is class 1
and positive weights (``DIVERGING_CMAP`` runs from one to the other through a
light grey zero); red, green and blue are the three inputs of the colour neuron.

Text is DejaVu Sans (it ships with Matplotlib) and SVGs store glyphs as paths,
so no font is needed to view them. At the default 6-inch width the smallest text
is still about 9 CSS pixels when the figure shrinks to a phone's width.

Pictures that are not drawings (decision regions, pixel grids, video posters) are
WebP, which browsers read everywhere and which takes a third to a half of a PNG's
bytes (see :func:`webp_bytes`); PNG is still written for a path ending in .png.
The pictures inside an SVG (``imshow``) are WebP too.
"""

import base64
import os
import re
import subprocess
import tempfile
from collections import deque
from pathlib import Path

import io

import imageio_ffmpeg
import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap

from scripts.assets.palette import AXES, BLUE, CARD, CLASSES, DIVERGING, GREEN, NEUTRAL, ORANGE, RED, TEXT
from scripts.atomic import write_atomic

CLASS_COLOURS = CLASSES[:2]  # the two classes of most figures; CLASSES has more for more
CHANNEL_COLOURS = (RED, GREEN, BLUE)
DIVERGING_CMAP = LinearSegmentedColormap.from_list("orange_blue", list(DIVERGING))

# --- Sizes: 16:9, and 6 x 3.375 inches at 128 dpi is exactly a 768 x 432 video frame.

FIGSIZE = (6.0, 3.375)
VIDEO_DPI = 128
PNG_DPI = 200  # still images stay sharp on high-density screens

RC_PARAMS = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "figure.figsize": FIGSIZE,
    "figure.dpi": VIDEO_DPI,
    "figure.constrained_layout.use": True,
    "figure.facecolor": CARD,
    "axes.facecolor": CARD,
    "savefig.facecolor": CARD,
    "savefig.dpi": PNG_DPI,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "axes.titlecolor": TEXT,
    "axes.edgecolor": AXES,
    "xtick.color": AXES,
    "ytick.color": AXES,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=[BLUE, ORANGE, GREEN, RED, NEUTRAL]),
    "lines.linewidth": 2.0,
    "image.cmap": "Greys",  # digits and other pixel images: dark ink on the light card
    # Deterministic, self-contained files: fixed ids in SVGs, glyphs as paths.
    "svg.hashsalt": "watch-a-network-learn",
    "svg.fonttype": "path",
    "path.simplify": True,
}

SAVE_METADATA = {".svg": {"Date": None, "Creator": None}, ".png": {"Software": None}}
WEBP_METHOD = 6  # libwebp's slowest and smallest setting; the same pixels always give the same bytes
PALETTE_COLOURS = 256
# A dithered picture is used only if it keeps the average colour of every 4 x 4 block of
# pixels (what the eye sees of dithering) within 4 levels of 255 of the original's.
GLANCE_PIXELS, GLANCE_LEVELS = 4, 4
EMBEDDED_PNG = re.compile(rb"data:image/png;base64,([A-Za-z0-9+/=\s]+)")  # how Matplotlib puts a picture in an SVG


def style():
    """Reset Matplotlib to its defaults, then apply the series' look.

    The build calls this before every recipe, so recipes start from the same state.
    Outside the build, ``with matplotlib.rc_context(RC_PARAMS):`` applies the look
    for a block only.
    """
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(RC_PARAMS)


def webp_bytes(pixels, quality=None):
    """The WebP file of ``pixels``, an ``(height, width, 3 or 4)`` uint8 array.

    ``quality`` None: the smaller of two encodings that keep every edge and colour
    crisp: lossless, and lossless after reducing the picture to a 256-colour palette
    with Floyd-Steinberg dithering. Flat drawings have few colours and compress best
    as they are; smooth shading along a few hues has thousands, and dithered to 256
    it looks the same in half the bytes or less. The dithered picture must pass
    :func:`same_at_a_glance`; one with transparency is kept exact.
    ``quality`` 1-100: lossy WebP, smaller again for large smooth pictures, but it
    halves the colour resolution, so details of a few pixels (small dots) go pale.
    No metadata goes in the file.
    """
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"webp_bytes: pixels must be a (height, width, 3 or 4) uint8 array, "
                         f"got {pixels.dtype} {pixels.shape}")
    if pixels.shape[2] == 4 and pixels[..., 3].min() == 255:
        pixels = pixels[..., :3]
    image = Image.fromarray(np.ascontiguousarray(pixels))

    def encode(picture, **options):
        buffer = io.BytesIO()
        picture.save(buffer, format="WEBP", method=WEBP_METHOD, **options)
        return buffer.getvalue()

    if quality is not None:
        if not 1 <= quality <= 100:
            raise ValueError(f"webp_bytes: quality must be from 1 to 100, got {quality!r}")
        return encode(image, quality=int(quality))
    candidates = [encode(image, lossless=True)]
    # At most 256 colours: lossless WebP stores the picture with its own palette already.
    if image.mode == "RGB" and image.getcolors(PALETTE_COLOURS) is None:
        palette = image.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
        dithered = image.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).convert("RGB")
        if same_at_a_glance(pixels, np.asarray(dithered)):
            candidates.append(encode(dithered, lossless=True))
    return min(candidates, key=len)


def same_at_a_glance(original, changed):
    """Whether two ``(height, width, 3)`` pictures have the same average colour, within
    ``GLANCE_LEVELS``, in every ``GLANCE_PIXELS``-square block: what dithering must keep."""
    k = GLANCE_PIXELS
    height, width = (original.shape[0] // k) * k, (original.shape[1] // k) * k

    def blocks(pixels):
        return pixels[:height, :width].astype(float).reshape(height // k, k, width // k, k, -1).mean(axis=(1, 3))
    return bool(np.abs(blocks(original) - blocks(changed)).max() <= GLANCE_LEVELS)


def svg_with_webp_pictures(svg):
    """The SVG text ``svg`` (bytes) with every embedded PNG picture re-encoded by :func:`webp_bytes`."""
    def swap(match):
        pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(match[1]))).convert("RGBA"))
        return b"data:image/webp;base64," + base64.b64encode(webp_bytes(pixels))
    return EMBEDDED_PNG.sub(swap, svg)


def save_figure(fig, path, dpi=None, quality=None):
    """Save ``fig`` as SVG, PNG or WebP (chosen by the suffix of ``path``), then close it.

    No dates or version strings go in the file, so the same figure gives the same
    bytes on every run. ``dpi``: pixels per inch of a PNG or WebP, and of the pictures
    inside an SVG (default ``PNG_DPI``); ``quality`` only matters for WebP (see
    :func:`webp_bytes`: None keeps it crisp).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png", ".webp"):
        raise ValueError(f"save_figure: {path} must end in .svg, .png or .webp")
    options = {"dpi": dpi} if dpi is not None else {}
    try:
        buffer = io.BytesIO()
        if suffix == ".webp":
            fig.savefig(buffer, format="png", **options)
            data = webp_bytes(np.asarray(Image.open(buffer)), quality)
        else:
            fig.savefig(buffer, format=suffix[1:], metadata=SAVE_METADATA[suffix], **options)
            data = svg_with_webp_pictures(buffer.getvalue()) if suffix == ".svg" else buffer.getvalue()
        write_atomic(path, data)
    finally:
        plt.close(fig)


# --- Thumbnails and social cards

THUMBNAIL_SIZE = (320, 240)  # pixels: a post's picture in the series home's list (4:3)
CARD_SIZE = (1200, 630)  # pixels: the picture a shared link to the post shows (Open Graph's 1.91:1)


def save_thumbnail(fig, thumbnail_path, card_path):
    """Save a post's thumbnail figure twice, then close it: as the series home's WebP
    thumbnail (``THUMBNAIL_SIZE``) and as the post's social card, a PNG of ``CARD_SIZE``.

    ``fig`` must be drawn at ``THUMBNAIL_SIZE`` / 100 inches. The card is the same drawing
    rendered again as tall as the card (sharp, not an enlarged thumbnail), centred on the
    series' ``CARD`` colour. PNG because every site that shows link previews reads it.
    """
    inches = tuple(fig.get_size_inches())
    if inches != (THUMBNAIL_SIZE[0] / 100, THUMBNAIL_SIZE[1] / 100):
        plt.close(fig)
        raise ValueError(f"save_thumbnail: the figure must be {THUMBNAIL_SIZE[0] / 100:g} x "
                         f"{THUMBNAIL_SIZE[1] / 100:g} inches, got {inches[0]:g} x {inches[1]:g}")
    engine = fig.get_layout_engine()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CARD_SIZE[1] / inches[1])
    # Saving may give a figure without a layout engine the one rcParams names: keep its own.
    fig.set_layout_engine(engine if engine is not None else "none")
    picture = Image.open(buffer).convert("RGB")
    card = Image.new("RGB", CARD_SIZE, CARD)
    card.paste(picture, ((CARD_SIZE[0] - picture.width) // 2, (CARD_SIZE[1] - picture.height) // 2))
    encoded = io.BytesIO()
    card.save(encoded, format="PNG", optimize=True)
    write_atomic(card_path, encoded.getvalue())
    save_figure(fig, thumbnail_path, dpi=100)


# --- Videos

CRF = 26  # x264 quality: flat drawings stay crisp; 10 s at 768x432 is typically 150-250 kB
PRESET = "slow"  # smaller files for a little more encoding time


class VideoWriter:
    """Encode the frames of one Matplotlib figure into an H.264 MP4.

    Use it where frames come from a loop you do not own, such as a training callback:

        with VideoWriter(fig, out["post2/training.mp4"], fps=30) as video:
            def on_epoch(trainer):
                line.set_data(...)       # change the artists of fig
                video.add_frame()        # draw fig and append it as a frame
            trainer.run(epochs, on_epoch=on_epoch)

    The figure keeps its size, and the layout of its first frame, for the whole
    video; its width and height in pixels (``figsize * dpi``) must be even. Its
    background must be opaque (the series' style makes it ``CARD``). With
    ``poster_path``, frame ``poster_frame`` (counted from the end when negative) is
    also saved as a WebP (or PNG, by the suffix) of the same size, for the page to
    show before the video plays. The MP4 is bit-exact: the same frames give the same bytes. The figure
    stays open.
    """

    def __init__(self, fig, path, fps=30, poster_path=None, poster_frame=-1):
        if not fps > 0:
            raise ValueError(f"VideoWriter: fps must be positive, got {fps!r}")
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)  # a figure made without pyplot: give it a pixel canvas
        self.fig, self.path, self.fps = fig, Path(path), fps
        self.width, self.height = (int(round(v)) for v in fig.get_size_inches() * fig.dpi)
        if self.width % 2 or self.height % 2:
            raise ValueError(f"VideoWriter: the figure is {self.width}x{self.height} pixels; H.264 "
                             "needs an even width and height (adjust figsize or dpi)")
        self.poster_path, self.poster_frame = poster_path, poster_frame
        # Frames that may become the poster: the one asked for, or the last few.
        self._kept = deque(maxlen=-poster_frame if poster_frame < 0 else 1)
        self.frames = 0
        self._temp = self.path.with_name(f".tmp-{os.getpid()}-{self.path.name}")
        self._log = tempfile.TemporaryFile()  # ffmpeg's messages; a file never blocks it
        self._ffmpeg = subprocess.Popen(self._command(), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=self._log)

    def _command(self):
        return [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{self.width}x{self.height}",
            "-r", str(self.fps), "-i", "pipe:0", "-an",
            # Convert and label the colours as BT.709, so browsers show the palette as drawn.
            "-vf", "scale=out_color_matrix=bt709:out_range=tv",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-pix_fmt", "yuv420p",
            "-g", str(max(1, round(2 * self.fps))),  # a keyframe every 2 s: quick seeking
            # One thread and no version strings or metadata: the same frames, the same bytes.
            "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-movflags", "+faststart",  # index first, so playback starts before the download ends
            "-f", "mp4", str(self._temp),
        ]

    def add_frame(self):
        """Draw the figure as it is now and append it to the video."""
        self.fig.canvas.draw()
        if self.frames == 0 and self.fig.get_layout_engine() is not None:
            # Keep the first frame's layout: axes must not jump as labels change, and
            # re-running the layout engine would double the drawing time of each frame.
            self.fig.set_layout_engine("none")
        rgba = np.asarray(self.fig.canvas.buffer_rgba())
        if rgba.shape[:2] != (self.height, self.width):
            raise ValueError(f"VideoWriter: frame {self.frames} is {rgba.shape[1]}x{rgba.shape[0]} "
                             f"pixels, the video is {self.width}x{self.height}; keep the figure's size")
        if rgba[..., 3].min() < 255:
            raise ValueError("VideoWriter: the figure has a transparent background; video frames "
                             "must be opaque (use the series' style, or fig.set_facecolor(CARD))")
        rgb = np.ascontiguousarray(rgba[..., :3])
        if self.poster_frame < 0 or self.frames == self.poster_frame:
            self._kept.append(rgb)
        try:
            self._ffmpeg.stdin.write(rgb.tobytes())
        except BrokenPipeError:
            self._fail("stopped reading frames")
        self.frames += 1

    def close(self):
        """Finish the MP4 (and the poster), then move them into place."""
        try:
            if self.frames == 0:
                raise ValueError(f"VideoWriter: no frames were added to {self.path}")
            if self.poster_path is not None and len(self._kept) < self._kept.maxlen:
                raise ValueError(f"VideoWriter: poster_frame={self.poster_frame} but the video "
                                 f"has {self.frames} frames")
            try:
                self._ffmpeg.stdin.close()
            except BrokenPipeError:
                pass  # reported below from the exit code
            if self._ffmpeg.wait() != 0:
                self._fail(f"exited with code {self._ffmpeg.returncode}")
            os.replace(self._temp, self.path)
            if self.poster_path is not None:
                self._write_poster(self._kept[0])
        finally:
            self._abort()

    def _write_poster(self, pixels):
        if Path(self.poster_path).suffix.lower() == ".webp":
            write_atomic(self.poster_path, webp_bytes(pixels))
        else:
            buffer = io.BytesIO()
            matplotlib.image.imsave(buffer, pixels, format="png", metadata=SAVE_METADATA[".png"])
            write_atomic(self.poster_path, buffer.getvalue())

    def _fail(self, what):
        self._ffmpeg.kill()
        self._ffmpeg.wait()
        self._log.seek(0)
        tail = self._log.read().decode(errors="replace").strip()[-2000:]
        raise RuntimeError(f"ffmpeg {what} while writing {self.path}:\n{tail}")

    def _abort(self):
        """Stop ffmpeg if it still runs and remove anything half-written."""
        if self._ffmpeg.poll() is None:
            self._ffmpeg.kill()
            self._ffmpeg.wait()
        self._log.close()
        self._temp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._abort()


def write_video(fig, draw_frame, n_frames, path, fps=30, poster_path=None, poster_frame=-1):
    """Make an MP4 of ``n_frames`` frames: ``draw_frame(i)`` updates ``fig`` for frame ``i``.

    Typical use replays something recorded during training:

        def draw_frame(i):
            line.set_data(epochs[:i + 1], losses[:i + 1])
        write_video(fig, draw_frame, len(losses), out["post2/loss.mp4"],
                    poster_path=out["post2/loss-poster.webp"])

    The video lasts ``n_frames / fps`` seconds. See ``VideoWriter`` for the size,
    poster and determinism rules. The figure stays open (save a still with
    ``save_figure`` afterwards if the page wants one).
    """
    if not isinstance(n_frames, int) or n_frames < 1:
        raise ValueError(f"write_video: n_frames must be a positive int, got {n_frames!r}")
    with VideoWriter(fig, path, fps=fps, poster_path=poster_path, poster_frame=poster_frame) as video:
        for i in range(n_frames):
            draw_frame(i)
            video.add_frame()


def _split_fields(text):
    """Split an ffmpeg stream description at the commas that are not inside brackets."""
    return [field.strip() for field in re.split(r",(?![^(\[]*[)\]])", text)]


def _mp4_top_level_boxes(path):
    """The types of the top-level boxes of an MP4 file, in file order."""
    types = []
    with open(path, "rb") as f:
        size_total = os.fstat(f.fileno()).st_size
        position = 0
        while position + 8 <= size_total:
            f.seek(position)
            size, kind = int.from_bytes(f.read(4), "big"), f.read(4).decode("latin-1")
            if size == 1:  # a 64-bit size follows the type
                size = int.from_bytes(f.read(8), "big")
            elif size == 0:  # the box runs to the end of the file
                size = size_total - position
            if size < 8:
                raise ValueError(f"probe_video: {path} is not an MP4 file (bad box at byte {position})")
            types.append(kind)
            position += size
    return types


def probe_video(path):
    """Describe a video file, read with the same ffmpeg binary that wrote it.

    Returns ``{"codec", "pix_fmt", "width", "height", "fps", "duration" (seconds),
    "frames", "faststart"}``; ``faststart`` is true when the MP4 index (``moov``)
    comes before the media data (``mdat``), so a browser can start playing early.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"probe_video: no such file: {path}")
    # Copying the stream to nowhere reads every packet: the input description, then a frame count.
    run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
                          "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                         capture_output=True, text=True, errors="replace")
    log = run.stderr
    described = log.split("Stream mapping:")[0]
    stream = re.search(r"Stream #0:\d+\S*: Video: (.*)", described)
    duration = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", described)
    frames = re.findall(r"frame=\s*(\d+)", log)
    if run.returncode != 0 or not (stream and duration and frames):
        raise ValueError(f"probe_video: ffmpeg could not read {path}:\n{log.strip()[-2000:]}")
    fields = _split_fields(stream.group(1))
    width, height = next(map(int, m.groups()) for f in fields if (m := re.match(r"(\d+)x(\d+)", f)))
    fps = next((float(f.split()[0]) for f in fields if f.endswith(" fps")), None)
    hours, minutes, seconds = duration.groups()
    boxes = _mp4_top_level_boxes(path)
    return {
        "codec": fields[0].split()[0],
        "pix_fmt": re.match(r"\w+", fields[1]).group(0),
        "width": width,
        "height": height,
        "fps": fps,
        "duration": int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        "frames": int(frames[-1]),
        "faststart": "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat"),
    }
