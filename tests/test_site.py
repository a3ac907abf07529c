"""The built site: pages in series order, links and files that resolve under a sub-path,
nothing loaded from another host, blocks rendered, bad blocks stopping the build, publishing.

The site is built once per test session from a temporary copy of the project
(mkdocs.yml, docs/, scripts/, demos/), published as if under
https://example.test/watch/, the way GitHub Pages serves a project site from /REPO/.
That copy gets a tiny stand-in file and manifest entry for every generated asset
its pages reference, so the frame is tested without waiting for the asset build.
Once `make assets` has run, the site is also built with the real assets, and the
checks that apply to any page (links, hosts, alt text, series order) run on both.
The runtime files come from the vendor cache (`python -m scripts.runtime.vendor`), as in
a real build.
"""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from PIL import Image
from mkdocs.utils.yaml import get_yaml_loader

from scripts.assets import palette
from scripts.runtime import checkers, vendor
from scripts.site import blocks, hooks, styles
from tests.sites import Tags, copy_project
from tests.stand_ins import PNG, add_stand_ins, referenced

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://example.test/watch/"
BASE = urlsplit(SITE_URL).path  # the sub-path the site lives under
SERIES = [
    ("posts/01-introduction.md", "Introduction to Neural Networks"),
    ("posts/02-a-neuron-draws-a-line.md", "A Neuron Draws a Line"),
    ("posts/03-layers-bend-space.md", "Layers Bend Space"),
    ("posts/04-how-a-network-learns.md", "How a Network Learns"),
    ("posts/05-reading-handwritten-digits.md", "Reading Handwritten Digits"),
    ("posts/06-colour-and-shape.md", "Colour and Shape"),
    ("posts/07-convolutional-neural-networks.md", "Convolutional Neural Networks"),
]
# Fetched by the browser on its own (as opposed to <a href>, which the reader chooses to follow).
LOADING_ATTRIBUTES = {"src", "poster", "srcset", "data"}

# Pages that exist only in the checked copy: blocks at three depths of URL.
CHECK_PAGES = {
    "checks.md": """# Blocks at depth one

```widget
name: line
dataset: xor
fallback: checks/line.png
```
""",
    "checks/deeper/blocks.md": """---
title: Blocks three levels down
---

# Blocks three levels down

Inline maths $w \\cdot x + b$ and a display formula:

$$
\\sigma(z) = \\frac{1}{1 + e^{-z}}
$$

<figure markdown="span">
  ![A stand-in figure](../../assets/generated/checks/figure.png)
  <figcaption>A figure with a caption.</figcaption>
</figure>

```widget
name: playground
dataset: circles
hidden: [3]
fallback: checks/playground.mp4
alt: Points in two rings.
```

```video
src: checks/clip.mp4
caption: A clip.
description: What happens in the clip.
```
""",
}
CHECK_ASSETS = ["checks/line.png", "checks/figure.png", "checks/playground.mp4",
                "checks/playground-poster.webp", "checks/clip.mp4", "checks/clip-poster.webp"]


# --- Making and building project copies.


def run(command, cwd, env=None, check=True):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check and done.returncode:
        pytest.fail(f"`{' '.join(map(str, command))}` failed:\n{done.stdout}\n{done.stderr}")
    return done


def build_env(**extra):
    env = dict(os.environ, SITE_URL=SITE_URL, NO_MKDOCS_2_WARNING="1", PYODIDE_SOURCE="self")
    env.setdefault("VENDOR_CACHE", str(vendor.cache_root()))
    env.update(extra)
    return env


def mkdocs(project, *args, env=None, check=True):
    return run([sys.executable, "-m", "mkdocs", *args], cwd=project, env=env or build_env(), check=check)


@pytest.fixture(scope="session")
def base_project(tmp_path_factory):
    """A copy of the project with a stand-in for every generated asset its pages reference."""
    project = copy_project(tmp_path_factory.mktemp("base"))
    add_stand_ins(project, referenced(project))
    quoted = {(m["recipe"], m["key"]) for page in (project / "docs").rglob("*.md")
              for m in hooks.METRIC.finditer(page.read_text())}
    # A stand-in number for every metric the posts quote (a fraction, so any format spec fits).
    manifest_path = project / "docs" / hooks.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    for recipe, key in sorted(quoted):
        manifest.setdefault("recipes", {}).setdefault(recipe, {"metrics": {}})["metrics"][key] = 0.5
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return project


def site_pages(config):
    """The Markdown files of the nav, in order."""
    def flatten(items):
        for item in items:
            value = item if isinstance(item, str) else next(iter(item.values()))
            if isinstance(value, list):
                yield from flatten(value)
            else:
                yield value
    return list(flatten(config["nav"]))


@pytest.fixture(scope="session")
def config(base_project):
    return yaml.load((base_project / "mkdocs.yml").read_text(), Loader=get_yaml_loader())


@pytest.fixture(scope="session")
def checked_project(base_project, tmp_path_factory):
    """The project plus pages (outside the nav) holding every kind of block."""
    project = tmp_path_factory.mktemp("checked") / "project"
    shutil.copytree(base_project, project)
    for name, text in CHECK_PAGES.items():
        (project / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / name).write_text(text)
    add_stand_ins(project, CHECK_ASSETS)
    (project / "mkdocs-check.yml").write_text(
        "INHERIT: mkdocs.yml\nnot_in_nav: |\n  /checks.md\n  /checks/\n")
    return project


@pytest.fixture(scope="session")
def site(checked_project):
    mkdocs(checked_project, "build", "-f", "mkdocs-check.yml", "-d", "site")
    return checked_project / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The site as `make site` builds it, with the generated assets of `make assets`."""
    generated = ROOT / "docs" / blocks.GENERATED
    if not (generated / "manifest.json").exists():
        pytest.skip("no docs/assets/generated/manifest.json: run `make assets` to test the site with its real assets")
    project = copy_project(tmp_path_factory.mktemp("real"))
    shutil.copytree(generated, project / "docs" / blocks.GENERATED, ignore=shutil.ignore_patterns(".*"))
    mkdocs(project, "build", "-d", "site")
    return project / "site"


@pytest.fixture(scope="session", params=["stand-in assets", "real assets"])
def any_site(request):
    return request.getfixturevalue("site" if request.param == "stand-in assets" else "real_site")


# --- Reading the built HTML.


class Page(Tags):
    """One built page, with its URL as a reader's browser sees it."""

    def __init__(self, site, path):
        self.path = path
        self.url = urljoin(SITE_URL, path.relative_to(site).as_posix())
        super().__init__(path.read_text(encoding="utf-8"))

    def references(self):
        """(description, url, loads) for every URL in the page; loads: fetched without a click."""
        for tag, attrs in self.tags:
            for name, value in attrs.items():
                if value is None:
                    continue
                if name in LOADING_ATTRIBUTES:
                    urls = [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
                    for url in urls:
                        yield f"<{tag} {name}>", url, True
                elif name == "href":
                    yield f"<{tag} href>", value, tag == "link"
                elif name == "data-root":
                    yield f"<{tag} {name}>", value, True
                elif name == "data-pyodide":  # a folder: the worker loads pyodide.js from it first
                    yield f"<{tag} {name}>", value + "pyodide.js", True
                elif name == "data-demos":
                    yield f"<{tag} {name}>", value, True
        if self.config:  # Material's own settings: where the site root and the search worker are
            yield "__config base", self.config["base"].rstrip("/") + "/", True
            yield "__config search", self.config["search"], True


def resolve(site, base_url, reference):
    """The file in `site` that `reference` (as written in a file at `base_url`) points to.

    Returns None for links to other hosts; fails for anything that leaves the sub-path.
    """
    url = urljoin(base_url, reference)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(SITE_URL).netloc:
        return None
    path = unquote(parts.path)
    assert path.startswith(BASE), f"{reference!r} in {base_url} leaves the site's sub-path {BASE}"
    target = site / path[len(BASE):]
    return target / "index.html" if target.is_dir() else target


def is_third_party(url):
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.startswith(SITE_URL)


def html_pages(site):
    return [Page(site, path) for path in sorted(site.rglob("*.html"))]


def built_path(source):
    """Where a Markdown page of the nav ends up, e.g. posts/x.md -> posts/x/index.html."""
    if source == "index.md":
        return "index.html"
    return source[: -len(".md")] + "/index.html"


# --- The series.


def test_every_post_is_in_the_nav_in_series_order_with_previous_and_next_links(any_site, config):
    site = any_site
    pages = site_pages(config)
    assert pages[0] == "index.md"
    assert pages[1: len(SERIES) + 1] == [source for source, _ in SERIES]
    titles = dict(SERIES)
    for i, source in enumerate(pages):
        page = Page(site, site / built_path(source))
        h1 = re.search(r"<h1[^>]*>(.*?)<a|<h1[^>]*>(.*?)</h1>", page.path.read_text(), re.S)
        if source in titles:
            assert titles[source] in h1.group(0), f"{source}: title should be {titles[source]!r}"
        for direction, neighbour in (("prev", i - 1), ("next", i + 1)):
            links = page.find("a", class_=f"md-footer__link md-footer__link--{direction}")
            if 0 <= neighbour < len(pages):
                assert len(links) == 1, f"{source}: no {direction} link"
                target = resolve(site, page.url, links[0]["href"])
                assert target == site / built_path(pages[neighbour]), f"{source}: {direction} link goes to {target}"
            else:
                assert links == [], f"{source}: unexpected {direction} link"


def test_home_lists_every_post_in_order_with_a_thumbnail(any_site, config):
    site = any_site
    posts = [page for page in site_pages(config) if page.startswith("posts/")]
    html = (site / "index.html").read_text()
    series = re.search(r'<div class="nn-series">(.*?)</div>', html, re.S)
    assert series, "the home page has no <div class=\"nn-series\"> list of posts"
    items = re.findall(r"<li>(.*?)</li>", series.group(1), re.S)
    assert len(items) == len(posts), "the home lists a different number of posts than the nav"
    home = Page(site, site / "index.html")
    for number, (item, source) in enumerate(zip(items, posts), start=1):
        image = Tags(item)
        [img] = image.find("img")
        assert resolve(site, home.url, img["src"]) == site / f"assets/generated/thumbs/post{number}.webp"
        assert img.get("alt", "").strip()
        targets = {resolve(site, home.url, a["href"]) for a in image.find("a")}
        assert targets == {site / built_path(source)}, f"item {number} should link to {source}"


# --- Files, hosts and text alternatives.


def test_every_reference_in_the_html_resolves_to_a_file_of_the_site(any_site):
    site = any_site
    broken = []
    for page in html_pages(site):
        for where, url, _ in page.references():
            if url.startswith("#") or url.startswith(("mailto:", "data:")):
                continue
            target = resolve(site, page.url, url)
            if target is not None and not target.is_file():
                broken.append(f"{page.path.relative_to(site)}: {where} {url} -> missing {target.relative_to(site)}")
    assert not broken, "\n".join(broken)


def test_the_widgets_colours_are_written_from_the_figures_palette_and_kept_nowhere_else(site):
    css = (site / styles.STYLESHEET).read_text()
    module = (site / "javascripts" / "widgets" / "palette.js").read_text()
    for name, colour in palette.NAMED.items():
        assert f"--nn-{name}: {colour};" in css
        assert f'"{name}": {json.dumps(palette.rgb(colour))}' in module
    assert f"DIVERGING = {json.dumps([palette.rgb(c) for c in palette.DIVERGING])};" in module
    assert f"CLASSES = {json.dumps([palette.rgb(c) for c in palette.CLASSES])};" in module
    assert f"REGION_STRENGTH = {palette.REGION_STRENGTH};" in module
    # Every page loads the stylesheet, which opens with the colours; the widgets' scripts import the module.
    assert styles.STYLESHEET in (site / "index.html").read_text()
    assert css.index("--nn-") < css.index("/* --- stylesheets/")
    assert 'from "./palette.js"' in (site / "javascripts" / "widgets" / "ui.js").read_text()
    # The hand-written styles and scripts hold no copy of a colour of the palette.
    copies = [palette.DIVERGING, [", ".join(map(str, palette.rgb(c))) for c in palette.DIVERGING]]
    for path in [*(ROOT / "docs" / "stylesheets").glob("*.css"), *(ROOT / "docs" / "javascripts").rglob("*.js")]:
        text = path.read_text().lower()
        assert not [c for c in [*palette.NAMED.values(), *copies[0], *copies[1]] if c in text], path.name


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def test_every_url_in_the_css_resolves_and_stays_on_the_site(any_site):
    site = any_site
    problems = []
    for css in sorted(site.rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        base = urljoin(SITE_URL, css.relative_to(site).as_posix())
        # In a @font-face src list the browser takes the first format it supports (all current
        # browsers read woff2, which comes first), so only the first entry must exist.
        optional = set()
        for declaration in re.findall(r"src\s*:\s*([^;}]*)", text):
            optional.update(m[0] for m in CSS_URL.findall(declaration)[1:])
        for match in CSS_URL.finditer(text):
            url = match[1] or match[2]
            if url.startswith("data:") or url.startswith("#"):
                continue
            if is_third_party(url) or url.startswith("/"):
                problems.append(f"{css.relative_to(site)}: {url} is not relative to the site")
                continue
            target = resolve(site, base, url)
            if url not in optional and not target.is_file():
                problems.append(f"{css.relative_to(site)}: {url} -> missing {target.relative_to(site)}")
    assert not problems, "\n".join(problems)


def test_nothing_is_loaded_from_another_host_or_from_the_server_root(any_site):
    """Every URL a page loads by itself is relative (so it works under any sub-path) and on
    the site. Links the reader may follow (<a href>) and the canonical URL may point anywhere.
    The project's own scripts name no other host; the vendored ones (Material, KaTeX, Pyodide)
    carry URLs for features this site does not use, so what they load is a browser test's job.
    The one documented exception is PYODIDE_SOURCE=cdn (see test_pyodide_can_come_from_its_cdn).
    The 404 page is served at whatever URL was not found, so MkDocs writes its URLs from the
    path of site_url: they must start with that path (hence SITE_URL must be right to publish)."""
    site = any_site
    problems = []
    for page in html_pages(site):
        for where, url, loads in page.references():
            if not loads or where == "<link href>" and page.find("link", href=url, rel="canonical"):
                continue
            if page.path == site / "404.html" and url.startswith(BASE):
                continue
            if is_third_party(url) or url.startswith("/"):
                problems.append(f"{page.path.relative_to(site)}: {where} {url}")
    own_scripts = [p for p in (ROOT / "docs").rglob("*.js")]
    assert own_scripts, "expected the site's own scripts under docs/"
    for script in own_scripts:
        for url in re.findall(r"""https?://[^\s'"`)]+|(?<=['"`])//[^\s'"`)]+""", script.read_text(encoding="utf-8")):
            if not url.startswith("http://www.w3.org/"):  # XML namespaces name, they do not load
                problems.append(f"{script.relative_to(ROOT)}: {url}")
    assert not problems, "\n".join(problems)


def test_every_image_has_alt_text(any_site):
    site = any_site
    missing = [f"{page.path.relative_to(site)}: {img.get('src')}"
               for page in html_pages(site) for img in page.find("img") if not (img.get("alt") or "").strip()]
    assert not missing, "images without alt text:\n" + "\n".join(missing)


# --- Blocks, maths and runtime in the built pages.


@pytest.mark.parametrize("page_path, depth", [("checks/index.html", 1), ("checks/deeper/blocks/index.html", 3)])
def test_block_urls_are_relative_to_their_page(site, page_path, depth):
    page = Page(site, site / page_path)
    [widget] = page.find("div", class_="nn-widget")
    assert widget["data-root"] == "../" * depth
    assert resolve(site, page.url, widget["data-root"]) == site / "index.html"
    [runtime] = (site / "vendor").glob("pyodide-*")
    assert resolve(site, page.url, widget["data-pyodide"] + "pyodide.js") == runtime / "pyodide.js"
    assert (runtime / "pyodide.js").is_file() and (runtime / "runtime.json").is_file()
    [demos] = (site / "py").glob("demos-*.zip")
    assert resolve(site, page.url, widget["data-demos"]) == demos
    media = page.find("img") + page.find("source", type="video/mp4")
    fallback = [resolve(site, page.url, m["src"]) for m in media]
    assert fallback[0].relative_to(site).as_posix().startswith("assets/generated/checks/")


def test_blocks_render_with_their_options(site):
    page = Page(site, site / "checks/deeper/blocks/index.html")
    [widget] = page.find("div", class_="nn-widget")
    assert widget["data-widget"] == "playground" and widget["data-state"] == "idle"
    assert json.loads(widget["data-options"])["hidden"] == [3]
    [video, fallback_video] = sorted(page.find("video"), key=lambda v: "aria-label" in v)
    assert resolve(site, page.url, video["poster"]) == site / "assets/generated/checks/clip-poster.webp"
    assert fallback_video["aria-label"] == "Points in two rings."
    assert "autoplay" not in video and "autoplay" not in fallback_video
    [figure_image] = page.find("img", alt="A stand-in figure")
    assert resolve(site, page.url, figure_image["src"]) == site / "assets/generated/checks/figure.png"
    leftovers = [p.path for p in html_pages(site) if "@@NN_" in p.path.read_text()]
    assert not leftovers, f"site-root tokens left in {leftovers}"


def test_maths_is_typeset_at_build_time_and_pages_load_no_script_for_it(site):
    html = (site / "checks/deeper/blocks/index.html").read_text()
    # KaTeX's HTML in place of the TeX, which stays in its MathML for screen readers.
    openings = re.findall(r'<(span|div) class="arithmatex">(<span class="[^"]*">)', html)
    assert openings == [("span", '<span class="katex">'), ("div", '<span class="katex-display">')]
    annotations = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', html, re.S)
    assert annotations == ["w \\cdot x + b", "\\sigma(z) = \\frac{1}{1 + e^{-z}}"]
    assert "\\(" not in html and "\\[" not in html  # no delimiters left for a script to find
    # The search indexes each formula once, as the page shows it: not its MathML and TeX too.
    index = json.loads((site / "search/search_index.json").read_text())
    text = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("checks/deeper/blocks/"))
    assert "maths w⋅x+b and" in text and text.count("σ(z)") == 1 and "\\cdot" not in text, text
    rules = (site / styles.STYLESHEET).read_text()
    for page in html_pages(site):
        text = page.path.read_text()
        # The Content-Security-Policy allows no inline style: KaTeX's are classes of the stylesheet.
        assert " style=" not in text, f"{page.path}: a style attribute, which the policy blocks"
        missing = {name for name in re.findall(r"\b(nn-m[0-9a-f]{10})\b", text) if f".{name}{{" not in rules}
        assert not missing, f"{page.path}: classes without a rule in {styles.STYLESHEET}: {missing}"
        scripts = {resolve(site, page.url, s["src"]).name for s in page.find("script") if "src" in s}
        assert not {"katex.min.js", "katex-init.js", "auto-render.min.js"} & scripts, page.path


def test_pages_name_one_stylesheet_of_ours_and_katex_s_only_with_maths(any_site):
    """One stylesheet of the series' own, holding every part and the maths' rules; KaTeX's
    stylesheet only on pages with maths, first in their content (instant navigation swaps
    the content, not the head), its fonts swapped in rather than hiding the text."""
    site = any_site
    joined = (site / styles.STYLESHEET).read_text()
    for part in ("stylesheets/site.css", "stylesheets/widgets.css", "stylesheets/filters.css"):
        assert (ROOT / "docs" / part).read_text().strip() in joined, f"{part} is not in {styles.STYLESHEET}"
        assert not (site / part).exists(), f"{part} is served beside the joined stylesheet"
    with_maths = 0
    for page in html_pages(site):
        text = page.path.read_text()
        links = page.find("link", rel="stylesheet")
        targets = [resolve(site, page.url, link["href"]).relative_to(site).as_posix() for link in links]
        ours = [target for target in targets if not target.startswith(("assets/", "vendor/"))]  # the theme's, KaTeX's
        assert ours == [styles.STYLESHEET], f"{page.path}: {ours}"
        katex = [link for link in links if resolve(site, page.url, link["href"]) == site / styles.KATEX_STYLESHEET]
        has_maths = 'class="katex' in text
        with_maths += has_maths
        assert len(katex) == has_maths, f"{page.path}: {len(katex)} links to KaTeX's stylesheet"
        if has_maths:
            content = text.split('<article class="md-content__inner md-typeset">', 1)[1]
            assert content.lstrip().startswith("<link rel=\"stylesheet\""), f"{page.path}: KaTeX's link is not first"
    assert with_maths, "no page of the site has maths to check"
    faces = re.findall(r"@font-face\s*{[^}]*}", (site / styles.KATEX_STYLESHEET).read_text())
    assert faces and all("font-display:swap" in face for face in faces)


def test_pyodide_can_come_from_its_cdn(checked_project, tmp_path):
    mkdocs(checked_project, "build", "-f", "mkdocs-check.yml", "-d", str(tmp_path / "site"),
           env=build_env(PYODIDE_SOURCE="cdn"))
    page = Page(tmp_path / "site", tmp_path / "site/checks/index.html")
    [widget] = page.find("div", class_="nn-widget")
    assert widget["data-pyodide"] == vendor.PYODIDE_CDN
    assert not list((tmp_path / "site/vendor").glob("pyodide*"))
    assert (tmp_path / "site/vendor/katex/katex.min.css").is_file()


# --- The demos package for the browser.


def test_demos_bundle_is_named_by_its_content_and_importable(site, base_project, tmp_path):
    [path] = (site / "py").glob("demos-*.zip")
    name, data = path.name, path.read_bytes()
    assert name == f"demos-{hashlib.sha256(data).hexdigest()[:12]}.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {hooks.ZIP_TIMESTAMP}
        archive.extractall(tmp_path / "unpacked")
    expected = {f"demos/{p.relative_to(base_project / 'demos').as_posix()}"
                for p in (base_project / "demos").rglob("*.py")}
    assert {"demos/__init__.py", "demos/nn.py"} <= set(names)
    assert expected <= set(names) and not any("__pycache__" in n for n in names)
    # The browser's worker imports it from wherever it unpacks it.
    done = run([sys.executable, "-c", "import demos.nn, sys; sys.stdout.write(demos.nn.__file__)"],
               cwd=tmp_path / "unpacked", env=dict(os.environ, PYTHONPATH=str(tmp_path / "unpacked")))
    assert Path(done.stdout).resolve().is_relative_to((tmp_path / "unpacked").resolve())
    # Same sources, same bytes; any change, a new name.
    assert hooks.demos_bundle(base_project / "demos") == (name, data)
    changed = tmp_path / "changed" / "demos"
    shutil.copytree(base_project / "demos", changed)
    with open(changed / "__init__.py", "a") as f:
        f.write("# changed\n")
    assert hooks.demos_bundle(changed)[0] != name


# --- What stops the build.


def broken_copy(base_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(base_project, project)
    return project


def test_bad_blocks_and_unknown_assets_stop_the_build_naming_file_and_line(base_project, tmp_path):
    project = broken_copy(base_project, tmp_path)
    post = project / "docs/posts/02-a-neuron-draws-a-line.md"
    text = post.read_text()
    first = text.count("\n") + 2  # the line of the first fence appended below
    post.write_text(text + "\n```widget\nname: playgrond\ndataset: xor\n```\n\n"
                           "![A figure](../assets/generated/post2/no-such-figure.png)\n\n"
                           "```video\nsrc: post2/line.mp4\ncaption: A clip.\n```\n")
    done = mkdocs(project, "build", "-d", "site", check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    where = "docs/posts/02-a-neuron-draws-a-line.md"
    assert (f'{where}:{first}: widget "playgrond" is unknown; known widgets: '
            "neuron, labels, line, playground, backprop, digit, shapes, filters") in output
    assert (f"{where}:{first + 5}: assets/generated/post2/no-such-figure.png is not in "
            "docs/assets/generated/manifest.json: no recipe makes it — run `make assets` or fix the name") in output
    assert f'{where}:{first + 7}: video block needs "description:"' in output


def test_a_missing_manifest_says_to_run_make_assets(base_project, tmp_path):
    project = broken_copy(base_project, tmp_path)
    (project / "docs" / hooks.MANIFEST).unlink()
    done = mkdocs(project, "build", "-d", "site", check=False)
    assert done.returncode != 0
    # The first generated files the build meets are the icons mkdocs.yml names.
    assert ("mkdocs.yml: theme.favicon: assets/generated/icons/favicon.png is a generated asset, but there is "
            "no asset manifest docs/assets/generated/manifest.json yet: run `make assets` first") in done.stderr


def test_a_listed_asset_missing_on_disk_says_to_run_make_assets(tmp_path):
    (tmp_path / "thumbs").mkdir()
    problems = hooks.asset_problems([(3, "thumbs/post1.png"), (4, "thumbs/post2.png")],
                                           {"thumbs/post1.png", "thumbs/post2.png"}, tmp_path, "manifest.json")
    assert problems == [(3, "assets/generated/thumbs/post1.png is listed in manifest.json but the file "
                            "is missing: run `make assets`"),
                        (4, "assets/generated/thumbs/post2.png is listed in manifest.json but the file "
                            "is missing: run `make assets`")]
    (tmp_path / "thumbs/post1.png").write_bytes(PNG)
    assert [line for line, _ in hooks.asset_problems(
        [(3, "thumbs/post1.png"), (4, "thumbs/post2.png")], {"thumbs/post1.png", "thumbs/post2.png"},
        tmp_path, "manifest.json")] == [4]


def test_a_missing_runtime_cache_says_how_to_fetch_it(monkeypatch, tmp_path):
    def unavailable(site_dir, log):
        raise vendor.VendorError("could not fetch pyodide-0.27.7.tgz")

    monkeypatch.setattr(vendor, "copy_katex", unavailable)
    config = type("Config", (), {"site_dir": str(tmp_path)})()
    with pytest.raises(hooks.PluginError) as caught:
        hooks.on_post_build(config)
    assert "could not fetch pyodide-0.27.7.tgz" in str(caught.value)
    assert "run `python -m scripts.runtime.vendor`" in str(caught.value)


def test_only_real_blocks_and_references_are_checked_with_source_line_numbers():
    text = "\n".join([
        "---",                                   # 1  front matter counts: editors number from here
        "title: T",                              # 2
        "---",                                   # 3
        "See `assets/generated/in-code.png`.",   # 4  inline code: not a reference
        "````markdown",                          # 5  an example of a block, inside a longer fence
        "```widget",                             # 6
        "name: nope",                            # 7
        "```",                                   # 8
        "````",                                  # 9
        '!!! note "A widget in an admonition"',  # 10
        "",                                      # 11
        "    ```widget",                         # 12
        "    name: digit",                       # 13
        "    fallback: post5/digit.png",         # 14
        "    ```",                               # 15
        "",                                      # 16
        "~~~video",                              # 17
        "src: clip.mp4",                         # 18
        "~~~",                                   # 19
        "<img src=\"../assets/generated/raw.png\" alt=\"x\">.",  # 20
        "```widget name=digit",                  # 21
        "```",                                   # 22
        "```widget",                             # 23
        "name: digit",                           # 24
    ])
    problems, references = hooks.check_page_source(text)
    assert references == [(12, "post5/digit.png"), (20, "raw.png")]
    messages = dict(problems)
    assert sorted(messages) == [17, 21, 23]
    assert messages[17].startswith('video block needs "caption:"')
    assert messages[21].startswith('widget block: "name=digit" after ```widget is not read')
    assert messages[23] == "widget block is never closed; end it with a line of ```"



def test_the_data_files_of_a_pages_widgets_are_looked_up_like_its_pictures(tmp_path):
    text = "Intro.\n\n```widget\nname: digit\nfallback: post5/answers.webp\n```\n"
    assert hooks.data_files(text) == [(3, "models/digits.json"), (3, "models/digits-samples.json")]
    problems = hooks.asset_problems(hooks.data_files(text), {"post5/answers.webp", "models/digits.json"},
                                    tmp_path, "manifest.json")
    assert [line for line, _ in problems] == [3, 3]
    assert problems[0][1] == ("assets/generated/models/digits.json is listed in manifest.json but the file is "
                              "missing: run `make assets`")
    assert problems[1][1].startswith("assets/generated/models/digits-samples.json is not in manifest.json")


def test_each_fallback_is_known_with_the_widget_options_its_recipe_drew_it_with(tmp_path):
    drawn = {"name": "playground", "options": {"dataset": "xor", "hidden": [3]}}
    manifest = {"recipes": {"draws_it": {"params": {"widget": drawn, "epochs": 5}}, "other": {"params": {}}},
                "assets": {"post3/it.webp": {"recipe": "draws_it"}, "post3/other.svg": {"recipe": "other"}}}
    (tmp_path / hooks.MANIFEST).parent.mkdir(parents=True)
    (tmp_path / hooks.MANIFEST).write_text(json.dumps(manifest))
    assert hooks.load_drawn_with(tmp_path) == {"post3/it.webp": drawn}
    assert hooks.load_drawn_with(tmp_path / "nowhere") == {}
    text = "```widget\nname: playground\nfallback: post3/it.webp\nlearning_rate: 0.5\n```\n"
    problems, _ = hooks.check_page_source(text, hooks.load_drawn_with(tmp_path))
    assert problems == []  # the block takes the recipe's dataset and layers, and may set what it did not
    problems, _ = hooks.check_page_source(text.replace("learning_rate: 0.5", "hidden: [4]"),
                                          hooks.load_drawn_with(tmp_path))
    assert problems[0][1].endswith("or change the recipe that draws it") and "hidden: [3], not [4]" in problems[0][1]

# --- Publishing.


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_publish_pushes_the_built_site_to_the_pages_branch(base_project, tmp_path):
    repo, target = tmp_path / "repo", tmp_path / "target.git"
    shutil.copytree(base_project, repo)
    env = build_env(GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.test",
                    GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.test",
                    GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
                    # No zlib for the ~20 MB of runtime files: halves the time, changes nothing tested.
                    GIT_CONFIG_COUNT="2", GIT_CONFIG_KEY_0="core.compression", GIT_CONFIG_VALUE_0="0",
                    GIT_CONFIG_KEY_1="pack.compression", GIT_CONFIG_VALUE_1="0")
    run(["git", "init", "--quiet", "--bare", str(target)], cwd=tmp_path, env=env)
    run(["git", "init", "--quiet"], cwd=repo, env=env)
    run(["git", "add", "--all"], cwd=repo, env=env)
    run(["git", "commit", "--quiet", "-m", "site"], cwd=repo, env=env)
    run(["git", "remote", "add", "target", str(target)], cwd=repo, env=env)
    # Without SITE_URL, the address is the GitHub Pages one of the origin remote.
    run(["git", "remote", "add", "origin", "git@github.com:example/watch.git"], cwd=repo, env=env)
    del env["SITE_URL"]
    done = mkdocs(repo, "gh-deploy", "--force", "--no-history", "--remote-name", "target",
                  "--remote-branch", "gh-pages", env=env)
    assert ("publishing at https://example.github.io/watch/ (derived from the origin remote "
            "git@github.com:example/watch.git (GitHub Pages)") in done.stderr
    files = run(["git", "ls-tree", "-r", "--name-only", "gh-pages"], cwd=target, env=env).stdout.split()
    expected = ["index.html", ".nojekyll", "vendor/katex/katex.min.css", styles.STYLESHEET,
                "assets/generated/thumbs/post1.webp"]
    expected += [p.relative_to(repo / "site").as_posix() for p in (repo / "site").glob("py/demos-*.zip")]
    expected += [p.relative_to(repo / "site").as_posix() for p in (repo / "site").glob("vendor/pyodide-*/pyodide.js")]
    assert len(expected) == 7
    expected += [built_path(source) for source, _ in SERIES]
    missing = [name for name in expected if name not in files]
    assert not missing, f"gh-pages lacks {missing}"
    home = run(["git", "show", "gh-pages:index.html"], cwd=target, env=env).stdout
    assert "Watch a Network Learn" in home and 'href="https://example.github.io/watch/"' in home


# --- Valid HTML, and pictures that take their room before they arrive.


def test_every_page_is_valid_html(any_site):
    """The W3C's Nu HTML checker (pinned in scripts/runtime/checkers.py) finds no error on any page."""
    errors = checkers.html_errors(sorted(any_site.rglob("*.html")))
    assert not errors, "\n".join(f"{Path(path).relative_to(any_site)}:{line}: {message}"
                                 for path, line, message in errors)


def test_generated_pictures_have_their_size_and_only_the_first_loads_eagerly(real_site):
    site, checked = real_site, {}
    for page in html_pages(site):
        media = [(tag, attrs) for tag, attrs in page.tags if tag in ("img", "video")
                 and "/assets/generated/" in resolve(site, page.url, attrs.get("src") or attrs.get("poster") or "")
                 .as_posix()]
        for number, (tag, attrs) in enumerate(media):
            path = resolve(site, page.url, attrs["src"] if tag == "img" else attrs["poster"])
            where = f"{page.path.relative_to(site)}: {path.relative_to(site)}"
            width, height = int(attrs["width"]), int(attrs["height"])
            if path.suffix == ".svg":
                box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', path.read_text())
                expected = (float(box[1]) * 4 / 3, float(box[2]) * 4 / 3)  # points to CSS pixels
            else:
                with Image.open(path) as picture:
                    expected = picture.size
            assert abs(width - expected[0]) <= 1 and abs(height - expected[1]) <= 1, f"{where}: {width}x{height}"
            if tag == "img":
                assert attrs.get("loading") == (None if number == 0 else "lazy"), where
            checked[page.path.relative_to(site).as_posix()] = number + 1
    assert checked["index.html"] == len(SERIES), checked  # the home's thumbnails
    assert all(checked.get(built_path(source)) for source, _ in SERIES), checked
