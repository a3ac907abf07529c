"""The site as the outside world meets it: the feed, each page's metadata and social card,
the address it is published at (canonical links, sitemap, feed, the 404 page under a
sub-path), and how publishing finds that address.

The site is built from a copy of the project with its real generated assets (after
`make assets`) for https://example.test/REPO/, a sub-path as GitHub Pages serves a
project site; the 404 page is then opened in Chromium, served under that sub-path.
"""

import datetime
import email.utils
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from mkdocs.utils.meta import get_data

from scripts.site import blocks, publishing, site_address
from scripts.serving import PREFIX, serve
from tests.sites import ROOT, Tags, build_site, copy_project, read_config

SITE_URL = "https://example.test" + PREFIX  # the bench's server serves under the same sub-path
GENERATED = ROOT / "docs" / blocks.GENERATED
RSS = {"atom": publishing.ATOM, "media": publishing.MEDIA}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (GENERATED / "manifest.json").is_file():
        pytest.skip("no docs/assets/generated/manifest.json: run `make assets` first")
    project = copy_project(tmp_path_factory.mktemp("publishing"))
    shutil.copytree(GENERATED, project / "docs" / blocks.GENERATED, ignore=shutil.ignore_patterns(".*"))
    build_site(project, project / "site", SITE_URL)
    return project / "site"


@pytest.fixture(scope="module")
def config():
    return read_config(ROOT / "mkdocs.yml")


def nav_pages(config):
    return [item if isinstance(item, str) else next(iter(item.values())) for item in config["nav"]]


def posts(config):
    """(source, front matter) of every post, in series order."""
    return [(source, get_data((ROOT / "docs" / source).read_text())[1])
            for source in nav_pages(config) if publishing.is_post(source)]


def page_url(source):
    return urljoin(SITE_URL, "" if source == "index.md" else source[: -len(".md")] + "/")


def built(site, url):
    """The file of `site` that the absolute `url` names (a folder: its index.html)."""
    assert url.startswith(SITE_URL), f"{url} is not under the site's address {SITE_URL}"
    path = site / url[len(SITE_URL):].split("#")[0]
    return path / "index.html" if url.endswith("/") else path


def head(site, source):
    return Tags((built(site, page_url(source))).read_text(encoding="utf-8"))


def meta(tags, key):
    """The content of the <meta> named `key` (name= or property=)."""
    found = [a["content"] for t, a in tags.tags if t == "meta" and key in (a.get("name"), a.get("property"))]
    assert len(found) == 1, f"{len(found)} <meta> {key}"
    return found[0]


# --- The feed.


def test_the_feed_lists_every_post_with_date_summary_and_thumbnail(site, config):
    feed = ElementTree.parse(site / config["extra"]["feed"]).getroot()
    assert feed.tag == "rss" and feed.get("version") == "2.0"
    channel = feed.find("channel")
    assert channel.findtext("title") == config["site_name"]
    assert channel.findtext("link") == SITE_URL
    assert channel.findtext("description") == config["site_description"]
    assert channel.find("atom:link", RSS).get("href") == SITE_URL + config["extra"]["feed"]
    items = {item.findtext("link"): item for item in channel.findall("item")}
    expected = posts(config)
    assert len(items) == len(channel.findall("item")) == len(expected)
    for source, front in expected:
        item = items[page_url(source)]
        page = built(site, page_url(source)).read_text(encoding="utf-8")
        title = re.search(r"<h1[^>]*>(.*?)<", page)[1].strip()
        assert item.findtext("title") == title
        assert item.findtext("guid") == page_url(source)
        assert item.findtext("description") == front["description"]
        published = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert published == datetime.datetime.combine(front["date"], datetime.time(), datetime.timezone.utc)
        enclosure, thumbnail = item.find("enclosure"), item.find("media:thumbnail", RSS)
        picture = built(site, enclosure.get("url"))
        assert picture == site / blocks.GENERATED / front["image"]
        assert int(enclosure.get("length")) == picture.stat().st_size and enclosure.get("type") == "image/png"
        assert thumbnail.get("url") == enclosure.get("url")
        assert (int(thumbnail.get("width")), int(thumbnail.get("height"))) == (1200, 630)
    # Newest first; on the same day, the later post of the series first.
    newest = sorted(enumerate(expected), key=lambda numbered: (numbered[1][1]["date"], numbered[0]), reverse=True)
    assert list(items) == [page_url(source) for _, (source, _) in newest]


def test_every_page_links_to_the_feed_in_its_head(site, config):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(nav_pages(config))
    for path in pages:
        tags = Tags(path.read_text(encoding="utf-8"))
        [link] = tags.find("link", rel="alternate", type="application/rss+xml")
        base = SITE_URL + path.relative_to(site).as_posix()
        assert urljoin(base, link["href"]) == SITE_URL + config["extra"]["feed"], path


# --- Each page's metadata and card.


def test_each_post_describes_itself_and_shows_its_own_card(site, config):
    cards = set()
    for source, front in posts(config):
        tags = head(site, source)
        assert meta(tags, "description") == meta(tags, "og:description") == front["description"]
        assert meta(tags, "og:type") == "article"
        assert meta(tags, "og:url") == page_url(source)
        assert meta(tags, "article:published_time") == front["date"].isoformat()
        image = meta(tags, "og:image")
        assert built(site, image) == site / blocks.GENERATED / front["image"]
        cards.add(image)
        assert (int(meta(tags, "og:image:width")), int(meta(tags, "og:image:height"))) == (1200, 630)
        assert meta(tags, "og:image:type") == "image/png"
        assert meta(tags, "twitter:card") == "summary_large_image"
        assert f"{meta(tags, 'og:title')} - {config['site_name']}" == title_of(built(site, page_url(source)))
    assert len(cards) == len(posts(config)), "two posts share a card"
    home = head(site, "index.md")
    assert meta(home, "og:type") == "website" and meta(home, "og:title") == config["site_name"]
    assert meta(home, "description") == config["site_description"]


def title_of(path):
    return re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)[1].strip()


def test_titles_and_descriptions_are_unique_and_icons_resolve(site, config):
    titles, descriptions = {}, {}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        title = title_of(path)
        assert title not in titles, f"{path.relative_to(site)} and {titles.get(title)} share the title {title!r}"
        titles[title] = path.relative_to(site)
        tags = Tags(text)
        if path.name != "404.html":
            description = meta(tags, "description")
            assert description not in descriptions, f"{path.relative_to(site)} repeats {descriptions.get(description)}"
            descriptions[description] = path.relative_to(site)
        base = SITE_URL + path.relative_to(site).as_posix()
        for rel, setting in (("icon", config["theme"]["favicon"]), ("apple-touch-icon", config["extra"]["touch_icon"])):
            [link] = tags.find("link", rel=rel)
            assert built(site, urljoin(base, link["href"])) == site / setting
            assert (site / setting).is_file()
    assert title_of(site / "404.html") == f"Page not found - {config['site_name']}"


def test_robots_txt_points_at_the_sitemap(site):
    lines = (site / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {SITE_URL}sitemap.xml" in lines
    assert not [line for line in lines if line.startswith("Disallow:") and line != "Disallow:"]


# --- The address: canonical links, sitemap and the 404 page under a sub-path.


def test_canonical_links_and_the_sitemap_use_the_sub_path_address(site, config):
    for source in nav_pages(config):
        [canonical] = head(site, source).find("link", rel="canonical")
        assert canonical["href"] == page_url(source)
    sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
    locations = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sorted(locations) == sorted(page_url(source) for source in nav_pages(config))
    assert all(built(site, url).is_file() for url in locations)


def test_the_404_page_loads_its_files_from_the_sub_path(site):
    """GitHub Pages serves 404.html at whatever address has no page, at any depth: its own
    URLs start from the site's address, and the page is styled under the sub-path."""
    tags = Tags((site / "404.html").read_text(encoding="utf-8"))
    loaded = [a.get("src") or a.get("href") for t, a in tags.tags
              if (t in ("script", "img") and a.get("src")) or (t == "link" and a.get("rel") in ("stylesheet", "icon"))]
    assert loaded
    for url in loaded:
        assert url.startswith(PREFIX), f"404.html loads {url}, outside {PREFIX}"
        assert (site / url[len(PREFIX):]).is_file(), url
    [robots] = tags.find("meta", name="robots")
    assert robots["content"] == "noindex"


def test_the_404_page_is_styled_when_served_under_the_sub_path(site, browser):
    server, base = serve(site)
    try:
        context = browser.new_context(viewport={"width": 412, "height": 823})
        page = context.new_page()
        missing, failed = base + "posts/no-such-post/deeper/", []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda response: response.status >= 400 and response.url != missing
                and failed.append(response.url))
        response = page.goto(missing, wait_until="load")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        # Material's stylesheet gives the header its colour; unstyled, it would be transparent.
        colour = page.eval_on_selector(".md-header", "e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        page.get_by_role("link", name="home page").click()
        page.wait_for_url(base)
        assert page.locator(".nn-series").count() == 1
        context.close()
        assert not failed, failed
    finally:
        server.shutdown()


# --- How a build finds its address.


@pytest.mark.parametrize("remote, address", [
    ("git@github.com:alice/watch.git", "https://alice.github.io/watch/"),
    ("https://github.com/alice/watch", "https://alice.github.io/watch/"),
    ("https://github.com/alice/watch.git/", "https://alice.github.io/watch/"),
    ("ssh://git@github.com/alice-b/net.learn.git", "https://alice-b.github.io/net.learn/"),
    ("https://github.com/Alice/alice.github.io.git", "https://alice.github.io/"),
    ("https://gitlab.com/alice/watch.git", None),
    ("/srv/git/watch.git", None),
])
def test_a_github_remote_gives_its_pages_address(remote, address):
    assert site_address.from_remote(remote) == address


def test_publishing_takes_site_url_then_a_github_remote_else_says_how():
    assert site_address.for_publishing({"SITE_URL": "https://example.org/blog"}, "git@github.com:a/b.git")[0] == \
        "https://example.org/blog/"
    address, how = site_address.for_publishing({}, "git@github.com:alice/watch.git")
    assert address == "https://alice.github.io/watch/"
    assert "derived from the origin remote git@github.com:alice/watch.git" in how
    with pytest.raises(site_address.AddressError) as caught:
        site_address.for_publishing({}, "/srv/git/watch.git")
    assert "the origin remote (/srv/git/watch.git) is not a GitHub repository" in str(caught.value)
    assert "SITE_URL=https://OWNER.github.io/REPO/ make publish" in str(caught.value)
    with pytest.raises(site_address.AddressError, match="is not a web address"):
        site_address.for_publishing({"SITE_URL": "example.org/blog"}, "")


def git(cwd, *args, env=None):
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_local_build_says_so_and_publishing_without_an_address_stops_before_building(tmp_path):
    project = copy_project(tmp_path)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.pop("SITE_URL", None)
    git(project, "init", "--quiet", env=env)
    git(project, "remote", "add", "origin", "/srv/git/watch.git", env=env)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert ("publishing needs the site's address: SITE_URL is not set and the origin remote (/srv/git/watch.git) "
            "is not a GitHub repository") in done.stderr
    assert not (project / "site").exists(), "it built the site before finding it had no address"
    description = site_address.describe_build("http://127.0.0.1:8000/", environ={})
    assert description.startswith("local build: canonical links, the sitemap, the feed and the social cards "
                                  "point at http://127.0.0.1:8000/")
    assert site_address.describe_build("https://example.org/", environ={"SITE_URL": "https://example.org/"}) == \
        "building for https://example.org/"


# --- The authors' front matter.


def test_a_post_without_its_description_date_or_card_stops_the_build_saying_what_to_write():
    source = "---\ndate: 29 November\nimage: ../cards/post1.png\n---\n\n# A post\n"
    problems, card = publishing.front_matter_problems(source, get_data(source)[1], post=True)
    assert card is None
    assert problems == [
        (1, 'a post\'s front matter needs description: one or two sentences, at most 160 characters, in quotes: '
            'description: "What the post shows."'),
        (2, "date '29 November' is not a day: the day it is published, as YYYY-MM-DD: date: 2026-11-29"),
        (3, '"image: ../cards/post1.png" must be relative to assets/generated/, like "post2/line.png" '
            '(no leading "/", "../" or "assets/generated/") (its card, a picture under assets/generated/ that a '
            'recipe makes: image: cards/post2.png)'),
    ]
    long = "---\ndescription: " + "word " * 40 + "\ndate: 2026-11-29\nimage: cards/post1.webp\n---\n"
    problems, _ = publishing.front_matter_problems(long, get_data(long)[1], post=True)
    assert [line for line, _ in problems] == [2, 4]
    assert "description is 199 characters: keep it to 160" in problems[0][1]
    assert '"image: cards/post1.webp" must end with .png or .jpg or .jpeg' in problems[1][1]
    # A page that is not a post may leave them out.
    assert publishing.front_matter_problems("# Home\n", {}, post=False) == ([], None)
