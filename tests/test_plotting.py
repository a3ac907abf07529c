"""The shared look and the files it writes: byte-identical figures and videos, small WebP
pictures that keep the figure's look, and the video probe."""

import base64
import io
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import imageio_ffmpeg
import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
from scripts.assets import plotting  # noqa: E402

FIGURE_SCRIPT = textwrap.dedent("""
    import sys
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from scripts.assets import plotting

    plotting.style()
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 2, 60)
    fig, (left, right) = plt.subplots(1, 2)
    left.imshow(rng.normal(size=(8, 8)), cmap=plotting.DIVERGING_CMAP, vmin=-2, vmax=2)
    right.scatter(X[:, 0], X[:, 1], c=[plotting.CLASS_COLOURS[k] for k in y], s=12)
    right.set_title("two classes")
    right.set_xlabel("x1")
    plotting.save_figure(fig, sys.argv[1] + "/figure.svg")
    fig, ax = plt.subplots()
    ax.plot(np.exp(-np.linspace(0, 4, 50)), label="loss")
    ax.legend()
    plotting.save_figure(fig, sys.argv[1] + "/figure.png")
    fig, ax = plt.subplots()
    ax.imshow(np.linspace(0, 1, 120 * 120).reshape(120, 120), cmap=plotting.DIVERGING_CMAP, interpolation="bilinear")
    plotting.save_figure(fig, sys.argv[1] + "/figure.webp", dpi=100)
    print(len(plt.get_fignums()))
    """)
FILES = ("figure.svg", "figure.png", "figure.webp")


def test_saved_figures_are_byte_identical_across_processes(tmp_path):
    runs = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        done = subprocess.run([sys.executable, "-c", FIGURE_SCRIPT, str(folder)], cwd=REPO,
                              capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "0"  # save_figure closed every figure
        runs.append({f: (folder / f).read_bytes() for f in FILES})
    assert runs[0] == runs[1]
    svg, png, webp = (runs[0][f] for f in FILES)
    assert b"<text" not in svg  # glyphs are paths: no font needed to view it
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert plotting.CARD.encode() in svg  # drawn on the card
    assert png.startswith(b"\x89PNG") and b"Software" not in png and b"Matplotlib" not in png
    assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP" and b"Matplotlib" not in webp
    assert Image.open(io.BytesIO(webp)).size == (600, 337)  # FIGSIZE (6 x 3.375 inches) at 100 dpi
    # The picture inside the SVG (the imshow) is WebP too.
    assert b"data:image/png" not in svg and svg.count(b"data:image/webp;base64,") == 1
    assert not list(tmp_path.rglob(".tmp-*"))


def test_save_figure_refuses_other_formats(tmp_path):
    fig = plt.figure()
    with pytest.raises(ValueError, match=r"figure\.jpg must end in \.svg, \.png or \.webp"):
        plotting.save_figure(fig, tmp_path / "figure.jpg")
    plt.close(fig)
    assert not list(tmp_path.iterdir())


def decoded(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def webp_kind(data):
    """ "lossless" or "lossy", from the WebP file's first chunk (VP8L or VP8)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return {b"VP8L": "lossless", b"VP8 ": "lossy"}[data[12:16]]


def test_a_flat_drawing_is_stored_exactly():
    pixels = np.full((60, 80, 3), 248, np.uint8)
    pixels[10:30, 10:50] = (232, 113, 10)  # an orange block, a blue one, dark text-like strokes
    pixels[35:55, 30:70] = (26, 115, 232)
    pixels[5:8, ::3] = (32, 33, 36)
    data = plotting.webp_bytes(pixels)
    assert webp_kind(data) == "lossless"
    assert (decoded(data)[..., :3] == pixels).all() and (decoded(data)[..., 3] == 255).all()


def regions_picture():
    """The pixels of a small decision-regions figure: smooth shading, dots and a boundary."""
    from demos import datasets
    from demos.nn import Network
    from scripts.assets.draw_regions import draw_regions
    X, y = datasets.toy("circles", 200, 0.05, seed=0)
    with matplotlib.rc_context(plotting.RC_PARAMS):
        fig, ax = plt.subplots(figsize=(2, 2), dpi=150)
        draw_regions(ax, Network([2, 4, 1], ["tanh", "sigmoid"], seed=0), X, y, point_size=5)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return pixels


def exact_webp(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="WEBP", lossless=True, method=plotting.WEBP_METHOD)
    return buffer.getvalue()


def test_smooth_shading_goes_through_a_dithered_palette_that_looks_the_same():
    pixels = regions_picture()
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 1000
    data = plotting.webp_bytes(pixels)
    assert webp_kind(data) == "lossless" and len(data) < 0.8 * len(exact_webp(pixels))
    shown = decoded(data)[..., :3]
    assert len(np.unique(shown.reshape(-1, 3), axis=0)) <= plotting.PALETTE_COLOURS
    assert plotting.same_at_a_glance(pixels, shown)


def test_a_picture_a_palette_would_change_is_stored_exactly():
    # Smooth, but in every hue: 256 colours cannot keep the blocks' average colours.
    rng = np.random.default_rng(0)
    pixels = np.asarray(Image.fromarray(rng.integers(60, 230, size=(12, 12, 3), dtype=np.uint8))
                        .resize((300, 300), Image.Resampling.BICUBIC))
    assert plotting.webp_bytes(pixels) == exact_webp(pixels)
    changed = pixels.copy()
    changed[:4, :4] += 5  # one block's average off by 5 levels
    assert plotting.same_at_a_glance(pixels, pixels) and not plotting.same_at_a_glance(pixels, changed)


def test_a_quality_asks_for_lossy_webp_and_transparency_is_kept_exactly():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(40, 40, 3), dtype=np.uint8)
    assert webp_kind(plotting.webp_bytes(pixels, quality=90)) == "lossy"
    with_alpha = np.dstack([pixels, np.full((40, 40), 128, np.uint8)])
    data = plotting.webp_bytes(with_alpha)
    assert webp_kind(data) == "lossless" and (decoded(data) == with_alpha).all()
    with pytest.raises(ValueError, match=r"quality must be from 1 to 100"):
        plotting.webp_bytes(pixels, quality=0)
    with pytest.raises(ValueError, match=r"pixels must be a \(height, width, 3 or 4\) uint8 array"):
        plotting.webp_bytes(pixels.astype(float))


def test_pictures_inside_an_svg_become_webp_with_the_same_pixels():
    flat = np.zeros((20, 30, 4), np.uint8)
    flat[..., 3] = 255
    flat[5:15, 5:25, :3] = (26, 115, 232)
    png = io.BytesIO()
    Image.fromarray(flat).save(png, format="PNG")
    svg = (b'<svg><image xlink:href="data:image/png;base64,\n' + base64.b64encode(png.getvalue())
           + b'"/><path d="M 0 0"/></svg>')
    converted = plotting.svg_with_webp_pictures(svg)
    [encoded] = re.findall(rb'data:image/webp;base64,([A-Za-z0-9+/=]+)"/><path d="M 0 0"/></svg>$', converted)
    assert (decoded(base64.b64decode(encoded)) == flat).all()


def test_style_resets_before_applying_the_look():
    matplotlib.rcParams["lines.linewidth"] = 7
    matplotlib.rcParams["svg.hashsalt"] = "something else"
    plotting.style()
    assert matplotlib.rcParams["svg.hashsalt"] == plotting.RC_PARAMS["svg.hashsalt"]
    assert matplotlib.rcParams["lines.linewidth"] == plotting.RC_PARAMS["lines.linewidth"]
    assert matplotlib.rcParams["figure.facecolor"] == plotting.CARD
    matplotlib.rcdefaults()


def small_animation():
    """A 320x180 figure whose bar grows with the frame index."""
    with matplotlib.rc_context(plotting.RC_PARAMS):
        fig, ax = plt.subplots(figsize=(3.2, 1.8), dpi=100)
    bar = ax.barh([0], [0], color=plotting.BLUE)[0]
    ax.set_xlim(0, 20)
    label = ax.set_title("frame 0")

    def draw_frame(i):
        bar.set_width(i + 1)
        label.set_text(f"frame {i}")
    return fig, draw_frame


def test_write_video_is_byte_identical_and_probes_as_web_ready_h264(tmp_path):
    written = []
    for name in ("one", "two"):
        fig, draw_frame = small_animation()
        plotting.write_video(fig, draw_frame, 20, tmp_path / f"{name}.mp4", fps=10,
                             poster_path=tmp_path / f"{name}.webp")
        plt.close(fig)
        written.append(((tmp_path / f"{name}.mp4").read_bytes(), (tmp_path / f"{name}.webp").read_bytes()))
    assert written[0] == written[1]
    info = plotting.probe_video(tmp_path / "one.mp4")
    assert info == {"codec": "h264", "pix_fmt": "yuv420p", "width": 320, "height": 180, "fps": 10.0,
                    "duration": pytest.approx(2.0, abs=0.05), "frames": 20, "faststart": True}
    poster = Image.open(tmp_path / "one.webp")
    assert (poster.format, poster.size) == ("WEBP", (320, 180))
    assert not list(tmp_path.glob(".tmp-*"))


def test_the_poster_is_the_chosen_frame(tmp_path):
    posters = {}
    for frame in (0, 19, -1, -20):
        fig, draw_frame = small_animation()
        plotting.write_video(fig, draw_frame, 20, tmp_path / "v.mp4", fps=10, poster_path=tmp_path / "p.png",
                             poster_frame=frame)
        plt.close(fig)
        posters[frame] = (tmp_path / "p.png").read_bytes()
    assert posters[19] == posters[-1] and posters[0] == posters[-20] and posters[0] != posters[-1]
    fig, draw_frame = small_animation()
    with pytest.raises(ValueError, match="poster_frame=20 but the video has 20 frames"):
        plotting.write_video(fig, draw_frame, 20, tmp_path / "w.mp4", poster_path=tmp_path / "q.png",
                             poster_frame=20)
    assert not (tmp_path / "w.mp4").exists() and not (tmp_path / "q.png").exists()


def test_video_writer_takes_frames_from_a_loop_it_does_not_own(tmp_path):
    fig, draw_frame = small_animation()
    with plotting.VideoWriter(fig, tmp_path / "loop.mp4", fps=5) as video:
        for i in range(7):  # as a training callback would
            draw_frame(i)
            video.add_frame()
    plt.close(fig)
    info = plotting.probe_video(tmp_path / "loop.mp4")
    assert info["frames"] == 7 and info["duration"] == pytest.approx(1.4, abs=0.05)


def test_video_errors_name_the_problem_and_leave_no_file(tmp_path, monkeypatch):
    fig = plt.figure(figsize=(3.21, 1.8), dpi=100)
    with pytest.raises(ValueError, match="321x180 pixels; H.264 needs an even width and height"):
        plotting.VideoWriter(fig, tmp_path / "odd.mp4")
    plt.close(fig)

    fig, draw_frame = small_animation()
    with pytest.raises(ValueError, match="no frames were added"):
        with plotting.VideoWriter(fig, tmp_path / "empty.mp4"):
            pass
    fig.patch.set_alpha(0)
    with pytest.raises(ValueError, match="transparent background"):
        plotting.write_video(fig, draw_frame, 3, tmp_path / "clear.mp4")
    plt.close(fig)

    monkeypatch.setattr(plotting, "PRESET", "no-such-preset")
    fig, draw_frame = small_animation()
    with pytest.raises(RuntimeError, match=r"(?s)ffmpeg .* while writing .*broken\.mp4.*no-such-preset"):
        plotting.write_video(fig, draw_frame, 30, tmp_path / "broken.mp4")
    plt.close(fig)
    assert not list(tmp_path.iterdir())


def test_probe_video_sees_an_mp4_whose_index_comes_last(tmp_path):
    path = tmp_path / "late-index.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x90:rate=25", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv444p",
                    str(path)], check=True)
    info = plotting.probe_video(path)
    assert info["faststart"] is False and info["pix_fmt"] == "yuv444p"
    assert (info["width"], info["height"], info["frames"]) == (160, 90, 25)
    (tmp_path / "not-a-video.mp4").write_bytes(b"hello, this is text")
    with pytest.raises(ValueError, match="could not read"):
        plotting.probe_video(tmp_path / "not-a-video.mp4")
    with pytest.raises(FileNotFoundError):
        plotting.probe_video(tmp_path / "missing.mp4")


def test_the_palette_tells_the_two_classes_apart_on_the_card():
    rgb = {name: np.array(matplotlib.colors.to_rgb(c)) for name, c in
           {"orange": plotting.ORANGE, "blue": plotting.BLUE, "card": plotting.CARD}.items()}
    assert np.abs(rgb["orange"] - rgb["blue"]).sum() > 1.0
    assert all(np.abs(rgb[c] - rgb["card"]).sum() > 0.8 for c in ("orange", "blue"))
    assert plotting.DIVERGING_CMAP(0.0)[:3] != plotting.DIVERGING_CMAP(1.0)[:3]


def test_a_thumbnail_is_saved_for_the_home_and_as_a_sharp_social_card(tmp_path):
    plotting.style()
    fig = plt.figure(figsize=(3.2, 2.4), layout="none")  # as the thumbnail recipes draw
    ax = fig.add_axes([0, 0, 1, 1])
    ax.fill([0, 1, 1, 0], [0, 0, 1, 1], color=plotting.BLUE)  # a blue picture, edge to edge
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    with warnings.catch_warnings():
        # Saving twice must not hand the figure a layout engine it was drawn without.
        warnings.simplefilter("error")
        plotting.save_thumbnail(fig, tmp_path / "thumb.webp", tmp_path / "card.png")
    with Image.open(tmp_path / "thumb.webp") as thumbnail, Image.open(tmp_path / "card.png") as saved:
        assert thumbnail.size == plotting.THUMBNAIL_SIZE
        card = np.asarray(saved.convert("RGB"))
    assert card.shape == (630, 1200, 3)
    # The drawing fills the card's height, 840 pixels wide (4:3), centred on the card colour.
    blue, background = np.array(matplotlib.colors.to_rgb(plotting.BLUE)) * 255, \
        np.array(matplotlib.colors.to_rgb(plotting.CARD)) * 255
    assert np.abs(card[:, 185:1015] - blue).max() <= 2
    assert np.abs(card[:, :175] - background).max() <= 2 and np.abs(card[:, 1025:] - background).max() <= 2
    assert not plt.fignum_exists(fig.number), "the figure was left open"


def test_a_thumbnail_of_another_size_is_refused(tmp_path):
    fig = plt.figure(figsize=(6, 3.375))
    with pytest.raises(ValueError, match="the figure must be 3.2 x 2.4 inches, got 6 x 3.375"):
        plotting.save_thumbnail(fig, tmp_path / "thumb.webp", tmp_path / "card.png")
    assert not list(tmp_path.iterdir()) and not plt.fignum_exists(fig.number)
