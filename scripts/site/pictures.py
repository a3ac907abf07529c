"""The generated pictures in a built page: their sizes, and when the browser fetches them.

A picture without ``width`` and ``height`` takes no room until it arrives, and the
text under it jumps down when it does (layout shift). :func:`size_and_defer` gives
every ``<img>`` of a generated asset, and every ``<video>`` by its poster, the size
of the file, so the browser reserves the room at once (the site's CSS scales them
to the column with ``height: auto``). And a picture far down the page need not
compete with the first screen for a phone's slow line: every picture after the
page's first gets ``loading="lazy"``, fetched as the reader scrolls near it. The
first stays eager: it is often what the first screen shows.
"""

import re
from functools import lru_cache
from pathlib import Path

from PIL import Image

from scripts.site import blocks

TAG = re.compile(r"<(?P<name>img|video)\b(?P<attrs>[^>]*)>", re.I)
SVG_SIZE = re.compile(r"<svg\b[^>]*?\swidth=\"(?P<width>[\d.]+)(?P<unit>pt|px)?\"[^>]*?\sheight=\"(?P<height>[\d.]+)"
                      r"(?:pt|px)?\"", re.S)
CSS_PIXELS_PER_POINT = 4 / 3


def attribute(attrs, name):
    match = re.search(rf"\s{name}=\"([^\"]*)\"", attrs)
    return match[1] if match else None


@lru_cache(maxsize=None)
def size_of(path, modified):
    """(width, height) in CSS pixels of the picture at `path` (`modified` keys the cache)."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        match = SVG_SIZE.search(path.read_text(encoding="utf-8", errors="replace")[:4000])
        if not match:
            raise ValueError(f"{path}: the SVG gives no width and height")
        scale = CSS_PIXELS_PER_POINT if match["unit"] == "pt" else 1
        return round(float(match["width"]) * scale), round(float(match["height"]) * scale)
    with Image.open(path) as picture:
        return picture.size


def size_and_defer(html, site_root, generated_dir):
    """`html` (a page's content) with sizes on its generated pictures and lazy loading after the first.

    `site_root` is the site root as the page's URLs start it ("../../"); `generated_dir`
    the folder of the generated assets. A picture the author sized or set loading on keeps it."""
    # The home page's root is "./", which Markdown's own links leave out.
    prefix = site_root.removeprefix("./") + blocks.GENERATED
    seen = [0]

    def edit(match):
        name, attrs = match["name"].lower(), match["attrs"]
        url = (attribute(attrs, "src" if name == "img" else "poster") or "").removeprefix("./")
        if not url.startswith(prefix):
            return match[0]
        seen[0] += 1
        added = ""
        if attribute(attrs, "width") is None and attribute(attrs, "height") is None:
            path = Path(generated_dir) / url[len(prefix):]
            if path.is_file():
                width, height = size_of(str(path), path.stat().st_mtime_ns)
                added += f' width="{width}" height="{height}"'
        if name == "img" and seen[0] > 1 and attribute(attrs, "loading") is None:
            added += ' loading="lazy"'
        closing = "/>" if match[0].endswith("/>") else ">"
        head = match[0][: -len(closing)].rstrip()
        return f"{head}{added}{' ' if closing == '/>' else ''}{closing}"

    return TAG.sub(edit, html)
