"""The assets `make assets` built: every file the manifest lists, as the manifest says,
every video web-ready, and a rebuild giving the same bytes."""

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.bench import transferred_size
from scripts.assets.build import ASSETS_ROOT
from scripts.assets.plotting import probe_video

MANIFEST = ASSETS_ROOT / "manifest.json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAGE_PICTURE_BYTES = 200_000  # a post's whole budget is 500 KB transferred: no one picture takes most of it


@pytest.fixture(scope="module")
def manifest():
    if not MANIFEST.exists():
        pytest.skip("no asset manifest: run `make assets` (make test does) to check the real assets")
    return json.loads(MANIFEST.read_text())


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_listed_asset_exists_with_its_hash_size_and_recipe(manifest):
    assert len(manifest["assets"]) >= 40
    for path, entry in manifest["assets"].items():
        file = ASSETS_ROOT / path
        assert file.is_file(), path
        assert file.stat().st_size == entry["bytes"] and sha256(file) == entry["sha256"], path
        assert path in manifest["recipes"][entry["recipe"]]["outputs"], path


def test_figures_are_well_formed_and_carry_no_build_date(manifest):
    for path in manifest["assets"]:
        data = (ASSETS_ROOT / path).read_bytes()
        if path.endswith(".svg"):
            root = ET.fromstring(data)
            assert root.tag.endswith("svg"), path
            assert b"<dc:date>" not in data, path  # dates would make every rebuild differ
        elif path.endswith(".png"):
            assert data.startswith(PNG_SIGNATURE), path
        elif path.endswith(".webp"):
            assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", path
        if path.endswith((".svg", ".png", ".webp")):
            assert transferred_size(path, data) < PAGE_PICTURE_BYTES, (path, transferred_size(path, data))
            assert b"data:image/png" not in data, f"{path}: a picture inside is PNG, not WebP"


def test_every_video_is_web_ready_h264_with_a_poster(manifest):
    videos = [path for path in manifest["assets"] if path.endswith(".mp4")]
    assert len(videos) >= 6  # one per post that has a video
    for path in videos:
        info = probe_video(ASSETS_ROOT / path)
        assert (info["codec"], info["pix_fmt"], info["faststart"]) == ("h264", "yuv420p", True), path
        assert 5 <= info["duration"] <= 20, (path, info["duration"])
        assert info["width"] % 2 == 0 and info["height"] % 2 == 0, path
        assert (ASSETS_ROOT / path).stat().st_size < 1_000_000, path
        assert path.replace(".mp4", "-poster.webp") in manifest["assets"], path


def test_recipes_report_what_the_posts_quote(manifest):
    metrics = manifest["recipes"]
    assert metrics["real_vs_random"]["metrics"]["real_test_accuracy"] > 0.9
    assert metrics["real_vs_random"]["metrics"]["shuffled_test_accuracy"] < 0.25
    digits = metrics["digits_model"]["metrics"]
    assert digits["test_accuracy"] >= 0.965
    conv = metrics["conv_vs_dense"]["metrics"]
    assert conv["conv_shapes_accuracy"] > conv["dense_shapes_accuracy"] + 0.1
    assert conv["conv_shapes_parameters"] < conv["dense_shapes_parameters"]


def test_rebuilding_gives_identical_bytes(manifest, tmp_path):
    """A figure and a video rebuilt from scratch, in other processes, into another folder."""
    names = ["line_anatomy", "line_video"]
    code = ("import sys; from pathlib import Path; from scripts.assets.build import build; "
            "sys.exit(0 if build(names=sys.argv[2:], force=True, jobs=2, assets_root=Path(sys.argv[1])).ok else 1)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), *names], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = [path for name in names for path in manifest["recipes"][name]["outputs"]]
    assert any(path.endswith(".mp4") for path in outputs) and any(path.endswith(".svg") for path in outputs)
    for path in outputs:
        assert sha256(tmp_path / path) == manifest["assets"][path]["sha256"], path


def test_the_icons_are_square_opaque_and_in_the_series_colours(manifest):
    from PIL import Image
    from scripts.assets.plotting import BLUE, ORANGE
    from scripts.assets.recipes.site_icons import ICONS
    for path, pixels in ICONS.items():
        assert path in manifest["assets"], path
        picture = Image.open(ASSETS_ROOT / path)
        assert picture.size == (pixels, pixels), path
        colours = {colour for _, colour in picture.convert("RGBA").getcolors(pixels * pixels)}
        assert all(alpha == 255 for *_, alpha in colours), f"{path} is not opaque"
        for hex_colour in (ORANGE, BLUE):
            wanted = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)) + (255,)
            assert wanted in colours, f"{path} lacks {hex_colour}"


def test_every_post_card_is_a_png_of_card_size(manifest):
    from PIL import Image
    from scripts.assets.plotting import CARD_SIZE
    cards = sorted(path for path in manifest["assets"] if path.startswith("cards/"))
    assert len(cards) == 7
    for path in cards:
        assert (ASSETS_ROOT / path).read_bytes().startswith(PNG_SIGNATURE)
        assert Image.open(ASSETS_ROOT / path).size == CARD_SIZE, path
