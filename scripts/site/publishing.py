"""What the series shows outside its own pages: search results, feed readers, shared links.

Each post declares three facts in its front matter, and everything else is derived
from them::

    ---
    description: "One or two sentences: what the post shows."
    date: 2026-11-29
    image: cards/post2.png
    ---

- ``description`` is the page's meta description (search results), the summary of
  its feed item and the text of its social card (Open Graph, Twitter);
- ``date`` dates the feed item and the card (``article:published_time``);
- ``image`` (under ``assets/generated/``, made by a recipe at card size, see
  :func:`scripts.assets.plotting.save_thumbnail`) is the card's picture and the feed item's
  thumbnail.

Every page under :data:`POSTS` must give all three; any other page may give a
description and an image. :func:`front_matter_problems` checks them (the hook adds
file and line), :func:`card` measures the picture for the page's tags
(``overrides/main.html``), :func:`feed` writes the RSS 2.0 feed of every post and
:func:`robots` the ``robots.txt``. All their addresses are absolute, from the site's
address (:mod:`scripts.site.site_address`).
"""

import datetime
import email.utils
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urljoin

from PIL import Image

from scripts.site import blocks

POSTS = "posts/"  # pages under this folder of docs/ are the series' posts
DESCRIPTION_LIMIT = 160  # characters a search result shows whole
CARD_SUFFIXES = (".png", ".jpg", ".jpeg")  # what every site that shows link previews reads
CARD_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
HOW = {
    "description": f'one or two sentences, at most {DESCRIPTION_LIMIT} characters, in quotes: '
                   'description: "What the post shows."',
    "date": "the day it is published, as YYYY-MM-DD: date: 2026-11-29",
    "image": "its card, a picture under assets/generated/ that a recipe makes: image: cards/post2.png",
}
MEDIA = "http://search.yahoo.com/mrss/"  # Media RSS: feed readers take an item's thumbnail from it
ATOM = "http://www.w3.org/2005/Atom"


def is_post(src_uri):
    return src_uri.startswith(POSTS)


def _line(source, key):
    """1-based line of `key:` in the front matter at the top of `source` (1 if it is not there)."""
    match = re.search(rf"^{re.escape(key)}\s*:", source.split("\n---", 1)[0], re.M)
    return source.count("\n", 0, match.start()) + 1 if match else 1


def front_matter_problems(source, meta, post):
    """Check a page's description, date and image.

    `source` is the page's file (front matter included, for line numbers), `meta` its
    front matter as MkDocs read it, `post` whether the page is a post (all three required).
    Returns (problems as [(line, message)], the image as (line, path under
    assets/generated/) or None) for the caller to check against the asset manifest.
    """
    problems = []
    for key in HOW:
        if post and key not in meta:
            problems.append((1, f"a post's front matter needs {key}: {HOW[key]}"))
    if "description" in meta:
        text = meta["description"]
        if not isinstance(text, str) or not text.strip():
            problems.append((_line(source, "description"), f"description must be text: {HOW['description']}"))
        elif len(text) > DESCRIPTION_LIMIT:
            problems.append((_line(source, "description"),
                             f"description is {len(text)} characters: keep it to {DESCRIPTION_LIMIT}, which search "
                             "results show whole"))
    if "date" in meta and (not isinstance(meta["date"], datetime.date) or isinstance(meta["date"], datetime.datetime)):
        problems.append((_line(source, "date"), f"date {meta['date']!r} is not a day: {HOW['date']}"))
    image = None
    if "image" in meta:
        try:
            image = (_line(source, "image"), blocks.check_asset_path(meta["image"], "image", CARD_SUFFIXES))
        except blocks.BlockError as error:
            problems.append((_line(source, "image"), f"{error} ({HOW['image']})"))
    return problems, image


def card(image, generated_dir, site_url):
    """What the page's tags say of its card: {"url", "type", "width", "height", "length"}."""
    path = Path(generated_dir) / image
    with Image.open(path) as picture:
        width, height = picture.size
    return {"url": urljoin(site_url, blocks.GENERATED + image), "type": CARD_TYPES[path.suffix.lower()],
            "width": width, "height": height, "length": path.stat().st_size}


def _published(day):
    return email.utils.format_datetime(datetime.datetime.combine(day, datetime.time(), datetime.timezone.utc))


def feed(site_name, site_url, description, language, feed_name, posts):
    """The RSS 2.0 feed (bytes) of `posts`, newest first (the same day: later in the series first).

    `posts`: in series order, each {"title", "url", "description", "date", "card"} with
    "card" as :func:`card` makes it. The output depends on nothing else (no build time),
    so the same posts give the same bytes."""
    ElementTree.register_namespace("atom", ATOM)
    ElementTree.register_namespace("media", MEDIA)
    rss = ElementTree.Element("rss", version="2.0")
    channel = ElementTree.SubElement(rss, "channel")
    newest = sorted(enumerate(posts), key=lambda item: (item[1]["date"], item[0]), reverse=True)
    for tag, text in (("title", site_name), ("link", site_url), ("description", description),
                      ("language", language)):
        ElementTree.SubElement(channel, tag).text = text
    ElementTree.SubElement(channel, f"{{{ATOM}}}link", href=urljoin(site_url, feed_name), rel="self",
                           type="application/rss+xml")
    if newest:
        ElementTree.SubElement(channel, "pubDate").text = _published(newest[0][1]["date"])
    for _, post in newest:
        item = ElementTree.SubElement(channel, "item")
        ElementTree.SubElement(item, "title").text = post["title"]
        ElementTree.SubElement(item, "link").text = post["url"]
        ElementTree.SubElement(item, "guid", isPermaLink="true").text = post["url"]
        ElementTree.SubElement(item, "description").text = post["description"]
        ElementTree.SubElement(item, "pubDate").text = _published(post["date"])
        picture = post["card"]
        ElementTree.SubElement(item, "enclosure", url=picture["url"], length=str(picture["length"]),
                               type=picture["type"])
        ElementTree.SubElement(item, f"{{{MEDIA}}}thumbnail", url=picture["url"], width=str(picture["width"]),
                               height=str(picture["height"]))
    ElementTree.indent(rss)
    return ElementTree.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(site_url):
    """robots.txt: every page may be indexed; the sitemap lists them. (Crawlers read it at a
    host's root only: under a project site's /REPO/ it is there for a custom domain.)"""
    return f"User-agent: *\nAllow: /\nSitemap: {urljoin(site_url, 'sitemap.xml')}\n"
