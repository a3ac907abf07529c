"""MkDocs hooks of the site (named under ``hooks:`` in mkdocs.yml).

What they add to a plain MkDocs build:

- ``on_config``: registers the ```widget and ```video fences of
  :mod:`scripts.site.blocks` with pymdownx.superfences. (Done here rather than with
  ``!!python/name:`` in mkdocs.yml because YAML resolves such names before any
  hook runs, and ``mkdocs`` started as a console script cannot import
  ``scripts``; this way every way of starting MkDocs works.)
- ``on_page_markdown``: checks every widget and video block of the page and every
  reference to a generated asset (``assets/generated/...``) against the asset
  manifest that ``make assets`` writes; all problems of a page end the build in
  one message, one ``file:line: what is wrong; what to do`` per line.
- A widget block takes the options its fallback figure was drawn with, where the
  recipe that drew it declares them (a ``widget`` param: ``{"name", "options"}``),
  so a widget and its picture share one set of settings; a block that says
  otherwise ends the build like a missing asset (see :func:`load_drawn_with`).
- ``on_page_markdown`` also replaces ``{{ recipe.metric }}`` or
  ``{{ recipe.metric:.1% }}`` (a Python format spec) with the number that
  recipe reported in the manifest, so a post never quotes a figure by hand; an
  unknown recipe or metric ends the build like a missing asset.
- ``on_pre_build``: assembles the browser's runtime (:mod:`scripts.runtime.browser_runtime`)
  and zips the ``demos/`` package for it (:func:`demos_bundle`), so that pages can
  name both by their content-hashed URLs.
- ``on_page_content``: turns the site-root, runtime and demos tokens the blocks
  render into URLs relative to the page, so the site works under any sub-path
  (GitHub Pages serves a project site from ``/REPO/``), and typesets the page's
  maths with KaTeX (:mod:`scripts.site.maths`): a formula KaTeX refuses ends the build,
  one ``file:line: formula: KaTeX's message`` per line.
- ``on_config`` also settles the site's address (:mod:`scripts.site.site_address`): a
  local build says that it is one; ``gh-deploy`` (``make publish``) takes SITE_URL
  or the GitHub Pages address of the origin remote, and stops when it has neither.
- ``on_page_markdown`` checks each page's description, date and card too
  (:mod:`scripts.site.publishing`), and measures the card for the page's social tags.
- ``on_env``: gives the theme's base template valid toggles (``overrides/main.html``
  extends it as ``series-base.html``).
- ``on_page_content`` also gives every generated picture its size and defers those
  after the first (:mod:`scripts.site.pictures`); a page with maths names KaTeX's
  stylesheet at the top of its content (:mod:`scripts.site.styles`).
- ``on_post_page``: fills in each page's Content-Security-Policy (:mod:`scripts.site.csp`).
- ``on_post_build``: copies the self-hosted runtime (KaTeX, Pyodide) and the demos
  zip into the site, KaTeX's fonts set to swap in; joins the series' colours (from
  :mod:`scripts.assets.palette`), its stylesheets (``extra_css``, which ``on_config``
  replaces by the joined file) and the maths' rules into one (:mod:`scripts.site.styles`);
  writes the colours for the widgets' scripts too (``javascripts/widgets/palette.js``),
  and the feed of the posts and robots.txt.

Missing assets are always an error: there is no switch that turns them into
warnings. Tests that build the site make their own small manifest and stand-in
files in a temporary copy of the project (see tests/test_site.py).
"""

import difflib
import functools
import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the `mkdocs` console script does not put the project on the path

from scripts.assets import palette  # noqa: E402  (needs the path above)
from scripts.atomic import write_atomic  # noqa: E402
from scripts.runtime import browser_runtime, vendor  # noqa: E402
from scripts.site import blocks, csp, maths, pictures, publishing, site_address, styles  # noqa: E402

log = logging.getLogger("mkdocs.hooks.site")

MANIFEST = "assets/generated/manifest.json"  # relative to docs_dir; written by `make assets`
SERVICE_WORKER = "javascripts/sw.js"  # relative to docs_dir; written to the site root as sw.js
SW_VERSION = "@@NN_SW_VERSION@@"
# The series' colours for the widgets' scripts, relative to site_dir (imported by ui.js); the
# pages' stylesheet opens with them too.
PALETTE_JS = "javascripts/widgets/palette.js"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: entries carry no build time

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
INLINE_CODE = re.compile(r"(`+).+?\1")
METRIC = re.compile(r"\{\{\s*(?P<recipe>\w+)\.(?P<key>\w+)\s*(?::(?P<spec>[^}]*?))?\s*\}\}")
ASSET_REFERENCE = re.compile(r"(?<![\w-])" + re.escape(blocks.GENERATED) + r"([\w./-]+)")

# What one build knows beyond the config: the asset manifest, read once per build (the
# widget options each fallback was drawn with: the fences' formatter reads the same dict).
# The maths' style rules gather over every build of the process (a rule no page uses any more
# costs a line; `mkdocs serve --dirty` does not re-render every page).
_build = {"manifest": None, "manifest_path": None, "metrics": {}, "drawn_with": {}, "maths_rules": {}, "posts": {},
          "post_order": []}


# --- Finding blocks and references in a page's Markdown source.


class Fence(NamedTuple):
    marker: str  # the opening backticks or tildes
    kind: str  # first word after the backticks: "widget", "video", "python", or ""
    rest: str  # anything after that word on the opening line
    line: int  # 1-based line of the opening fence in the source
    end: int  # 1-based line of the closing fence (or the last line when never closed)
    body: str  # the lines in between, without the fence's own indentation
    closed: bool


def find_fences(text):
    """Every fenced code block of `text`, outermost only: a block quoted inside a
    longer fence (say, a widget shown as an example) is part of that fence's body."""
    lines = text.splitlines()
    fences = []
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        if not match or (match["fence"][0] == "`" and "`" in match["info"]):
            i += 1
            continue
        marker, indent = match["fence"], len(match["indent"])
        kind, _, rest = match["info"].strip().partition(" ")
        close = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        body = []
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            line = lines[j]
            body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
            j += 1
        closed = j < len(lines)
        end = j + 1 if closed else len(lines)
        fences.append(Fence(marker, kind, rest.strip(), i + 1, end, "\n".join(body), closed))
        i = j + 1
    return fences


def check_page_source(text, drawn_with=None):
    """Check the blocks and asset references of one page's Markdown source; ``drawn_with``
    gives the widget options each fallback was drawn with (see ``load_drawn_with``).

    Returns (problems, references): problems as [(line, message)], references as
    [(line, path relative to assets/generated/)] for the caller to look up.
    """
    problems, references = [], []
    in_fence = set()
    for fence in find_fences(text):
        in_fence.update(range(fence.line, fence.end + 1))
        if fence.kind not in blocks.RENDER:
            continue
        if not fence.closed:
            problems.append((fence.line, f"{fence.kind} block is never closed; end it with a line "
                                         f"of {fence.marker}"))
            continue
        if fence.rest:
            problems.append((fence.line, f'{fence.kind} block: "{fence.rest}" after ```{fence.kind} '
                                         f"is not read; put options inside the block, one \"key: value\" per line"))
            continue
        try:
            block = blocks.check(fence.kind, fence.body, drawn_with)
        except blocks.BlockError as error:
            problems.append((fence.line, str(error)))
            continue
        references += [(fence.line, path) for path in blocks.assets_of(fence.kind, block)]
    for number, line in enumerate(text.splitlines(), start=1):
        if number in in_fence:
            continue
        for match in ASSET_REFERENCE.finditer(INLINE_CODE.sub("", line)):
            references.append((number, match[1].rstrip(".")))
    return problems, sorted(references)


def data_files(text, drawn_with=None):
    """[(line, path relative to assets/generated/)] of the data files the models of the page's
    widgets are made from (each widget declares them: demos/widgets/), to look up like references."""
    found = []
    for fence in find_fences(text):
        try:
            block = blocks.check("widget", fence.body, drawn_with) if fence.kind == "widget" else None
        except blocks.BlockError:
            continue  # check_page_source reports it
        found += [(fence.line, path) for path in (block["files"].values() if block else ())]
    return found


# --- The asset manifest.


def load_manifest(docs_dir):
    """The set of generated asset paths (relative to assets/generated/), or None if no manifest."""
    path = Path(docs_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        assets = json.loads(path.read_text(encoding="utf-8"))["assets"]
        if not isinstance(assets, dict):
            raise ValueError('"assets" is not a mapping of paths')
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PluginError(f"{path} is not a readable asset manifest ({error!r}); "
                          "run `make assets` to write it again") from None
    # Keys are relative to assets/generated/; a "docs/assets/generated/" prefix is tolerated.
    return {key.split(blocks.GENERATED, 1)[-1] for key in assets}


def asset_problems(references, manifest, generated_dir, manifest_name):
    """[(line, message)] for every reference that no recipe makes or that is missing on disk."""
    if manifest is None and references:
        (line, path), more = references[0], len(references) - 1
        others = f" (and {more} more on this page)" if more else ""
        return [(line, f"{blocks.GENERATED}{path}{others} is a generated asset, but there is no asset "
                       f"manifest {manifest_name} yet: run `make assets` first")]
    problems = []
    for line, path in references:
        name = blocks.GENERATED + path
        if path not in manifest:
            # Names that differ only in numbers (post1 / post2) are different assets, not typos.
            close = [c for c in difflib.get_close_matches(path, sorted(manifest), n=3)
                     if re.sub(r"\d+", "#", c) != re.sub(r"\d+", "#", path)]
            hint = f' (did you mean "{blocks.GENERATED}{close[0]}"?)' if close else ""
            problems.append((line, f"{name} is not in {manifest_name}: no recipe makes it "
                                   f"— run `make assets` or fix the name{hint}"))
        elif not (Path(generated_dir) / path).is_file():
            problems.append((line, f"{name} is listed in {manifest_name} but the file is missing: "
                                   "run `make assets`"))
    return problems


def load_metrics(docs_dir):
    """{recipe name: {metric: value}} from the asset manifest ({} when there is none)."""
    path = Path(docs_dir) / MANIFEST
    if not path.is_file():
        return {}
    recipes = json.loads(path.read_text(encoding="utf-8")).get("recipes", {})
    return {name: entry.get("metrics") or {} for name, entry in recipes.items()}


def load_drawn_with(docs_dir):
    """{asset path: the widget options its recipe drew it with (``{"name", "options"}``)} for
    every asset whose recipe declares them in its ``widget`` param ({} without a manifest)."""
    path = Path(docs_dir) / MANIFEST
    if not path.is_file():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    params = {name: entry.get("params") or {} for name, entry in manifest.get("recipes", {}).items()}
    return {asset: params[entry["recipe"]]["widget"] for asset, entry in manifest.get("assets", {}).items()
            if "widget" in params.get(entry.get("recipe"), {})}


def format_metric(value, spec):
    """A metric as text: with the author's format spec, else ints with separators and
    floats to three significant digits."""
    if spec:
        return format(value, spec)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.3g}"


def quote_metrics(text, metrics):
    """Replace every ``{{ recipe.metric[:spec] }}`` in `text` by its value.

    Returns (text, problems) with problems as [(line, message)].
    """
    problems = []

    def replace(match, line):
        recipe, key, spec = match["recipe"], match["key"], match["spec"]
        if recipe not in metrics:
            problems.append((line, f"{{{{ {recipe}.{key} }}}}: no recipe named {recipe!r} in the asset "
                                   "manifest — fix the name or run `make assets`"))
            return match[0]
        if key not in metrics[recipe]:
            known = ", ".join(sorted(metrics[recipe])) or "none"
            problems.append((line, f"{{{{ {recipe}.{key} }}}}: recipe {recipe!r} reports no metric {key!r} "
                                   f"(it reports: {known})"))
            return match[0]
        try:
            return format_metric(metrics[recipe][key], spec)
        except (ValueError, TypeError) as error:
            problems.append((line, f"{{{{ {recipe}.{key}:{spec} }}}}: bad format ({error})"))
            return match[0]

    lines = [METRIC.sub(lambda m: replace(m, number), line)
             for number, line in enumerate(text.split("\n"), start=1)]
    return "\n".join(lines), problems


# --- Hooks.


def on_config(config):
    if "pymdownx.superfences" not in config.markdown_extensions:
        raise PluginError("mkdocs.yml must list pymdownx.superfences under markdown_extensions: "
                          "the widget and video blocks are custom fences of it")
    settings = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = [f for f in settings.get("custom_fences", []) if f.get("name") not in blocks.RENDER]
    for kind in blocks.RENDER:
        fences.append({"name": kind, "class": f"nn-{kind}", "validator": blocks.validate_fence,
                       "format": functools.partial(blocks.format_fence, drawn_with=_build["drawn_with"])})
    settings["custom_fences"] = fences
    # The pages name one stylesheet of ours; on_post_build writes it from these (scripts/site/styles.py).
    _build["stylesheets"] = [path for path in config.extra_css if path != styles.STYLESHEET]
    config.extra_css = [styles.STYLESHEET]
    if _build.get("command") == "gh-deploy":
        try:
            address, how = site_address.for_publishing()
        except site_address.AddressError as error:
            raise PluginError(str(error)) from None
        config.site_url = address
        log.info(f"publishing at {address} ({how})")
    elif _build.get("command") != "serve":
        log.info(site_address.describe_build(config.site_url))
    return config


def on_startup(command, dirty):
    _build["command"] = command
    _build["serving"] = command == "serve"


def on_pre_build(config):
    if _build.get("serving"):
        # `mkdocs serve` watches demos/ and scripts/: bring the assets up to date on every
        # rebuild, so an edited recipe or network shows in the browser. A run with nothing
        # to do takes a fraction of a second; a failing recipe is reported, the page stays.
        done = subprocess.run([sys.executable, "-m", "scripts.assets"], cwd=ROOT)
        if done.returncode:
            log.warning("the asset build failed (see above); the site shows the last good assets")
    _build["manifest_path"] = Path(config.docs_dir) / MANIFEST
    _build["katex"] = None  # the KaTeX folder, found when a page first needs it
    _build["demos"] = demos_bundle()
    _build["runtime"] = None
    if browser_runtime.pyodide_source() == "self":
        try:
            _build["runtime"] = browser_runtime.assemble(log=log.info)
        except (vendor.VendorError, OSError, ValueError) as error:
            raise PluginError(f"could not assemble the browser's Python runtime: {error}\n"
                              "What to do: run `python -m scripts.runtime.vendor` (or `make vendor`) and build again") from None
    _build["manifest"] = load_manifest(config.docs_dir)
    _build["metrics"] = load_metrics(config.docs_dir)
    _build["posts"] = {}
    _build["drawn_with"].clear()
    _build["drawn_with"].update(load_drawn_with(config.docs_dir))
    # The icons mkdocs.yml names are generated too: a missing one stops the build like a figure.
    manifest_name = os.path.relpath(_build["manifest_path"], os.path.dirname(config.config_file_path))
    problems = []
    for key, path in config_references(config):
        problems += [f"mkdocs.yml: {key}: {message}" for _, message in asset_problems(
            [(0, path)], _build["manifest"], Path(config.docs_dir) / blocks.GENERATED, manifest_name)]
    if problems:
        raise PluginError("\n".join(problems))


def config_references(config):
    """[(setting, path relative to assets/generated/)] of the generated files mkdocs.yml names:
    the icons. `config` is MkDocs' config or mkdocs.yml as a plain mapping."""
    settings = {"theme.favicon": config["theme"]["favicon"], "extra.touch_icon": config["extra"]["touch_icon"]}
    return [(key, path.split(blocks.GENERATED, 1)[-1]) for key, path in settings.items()]


def page_references(text, drawn_with=None):
    """Paths (relative to assets/generated/) of every generated file the page source `text`
    shows: in its blocks (and the data files of its widgets), its Markdown and HTML, and its
    front matter's card. ``drawn_with``: as for ``check_page_source``."""
    _, meta = get_data(text)
    card = publishing.front_matter_problems(text, meta, post=False)[1]
    return sorted({path for _, path in check_page_source(text, drawn_with)[1] + data_files(text, drawn_with) + ([card] if card else [])})


def on_files(files, config):
    # Only the joined stylesheet is served; its parts stay in docs/ for the authors.
    for path in _build["stylesheets"]:
        if files.get_file_from_path(path) is not None:
            files.remove(files.get_file_from_path(path))
    return files


# Material's drawer and search toggles are checkboxes with autocomplete="off" (so that Firefox
# does not restore them open); HTML allows autocomplete on text-like inputs only. They sit in
# base.html outside any block, so the pages extend a copy of it without that attribute.
THEME_BASE, SERIES_BASE = "base.html", "series-base.html"  # overrides/main.html extends SERIES_BASE
TOGGLES = [f'type="checkbox" id="__{name}" autocomplete="off">' for name in ("drawer", "search")]


def on_env(env, config, files):
    source = env.loader.get_source(env, THEME_BASE)[0]
    missing = [toggle for toggle in TOGGLES if toggle not in source]
    if missing:
        raise PluginError(f"the theme's {THEME_BASE} has no {missing[0]}: overrides/main.html and "
                          "scripts/site/hooks.py (TOGGLES) expect Material's toggles as they were")
    for toggle in TOGGLES:
        source = source.replace(toggle, toggle.replace(' autocomplete="off"', ""))
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SERIES_BASE: source}), env.loader])
    return env


def on_nav(nav, config, files):
    _build["post_order"] = [page.file.src_uri for page in nav.pages if publishing.is_post(page.file.src_uri)]


def on_page_markdown(markdown, page, config, files):
    # The file's own text (front matter included), so line numbers match the editor's.
    source = page.file.content_string
    where = os.path.relpath(page.file.abs_src_path, os.path.dirname(config.config_file_path))
    manifest_name = os.path.relpath(_build["manifest_path"], os.path.dirname(config.config_file_path))
    problems, references = check_page_source(source, _build["drawn_with"])
    references += data_files(source, _build["drawn_with"])
    problems += quote_metrics(source, _build["metrics"])[1]
    front_matter, card = publishing.front_matter_problems(source, page.meta, publishing.is_post(page.file.src_uri))
    problems += front_matter
    references += [card] if card else []
    problems += asset_problems(references, _build["manifest"], Path(config.docs_dir) / blocks.GENERATED,
                               manifest_name)
    if problems:
        raise PluginError("\n".join(f"{where}:{line}: {message}" for line, message in sorted(problems)))
    if card:
        page.meta["nn_card"] = publishing.card(card[1], Path(config.docs_dir) / blocks.GENERATED, config.site_url)
    return quote_metrics(markdown, _build["metrics"])[0]


def on_page_context(context, page, config, nav):
    if publishing.is_post(page.file.src_uri):
        _build["posts"][page.file.src_uri] = {"title": page.title, "url": page.canonical_url, "date": page.meta["date"],
                                              "description": page.meta["description"], "card": page.meta["nn_card"]}
    return context


def on_page_content(html, page, config, files):
    root = get_relative_url(".", page.url) + "/"  # "./" for the home page, "../../" for a post
    pyodide, demos = runtime_urls(root)
    html = html.replace(blocks.PYODIDE_URL, pyodide).replace(blocks.DEMOS_URL, demos).replace(blocks.SITE_ROOT, root)
    html = pictures.size_and_defer(html, root, Path(config.docs_dir) / blocks.GENERATED)
    return typeset_maths(html, page, config, root)


def typeset_maths(html, page, config, root):
    """The page with its maths typeset (:mod:`scripts.site.maths`); a formula KaTeX refuses ends the build."""
    if 'class="arithmatex"' not in html:
        return html
    try:
        if _build.get("katex") is None:
            _build["katex"] = vendor.ensure_vendor(log=log.debug)["katex"]
        html, rules, problems = maths.typeset(html, _build["katex"])
    except (vendor.VendorError, maths.MathsError, OSError) as error:
        raise PluginError(f"could not typeset the maths: {error}") from None
    if problems:
        where = os.path.relpath(page.file.abs_src_path, os.path.dirname(config.config_file_path))
        source = page.file.content_string
        lines = []
        for tex, message in problems:
            # The line of the source holding the formula's first line, to point the editor at it.
            at = source.find(tex.splitlines()[0].strip()) if tex.strip() else -1
            number = source.count("\n", 0, at) + 1
            lines.append(f"{where}:{number}: {tex}: {message}" if at >= 0 else f"{where}: {tex}: {message}")
        raise PluginError("KaTeX cannot typeset these formulas:\n" + "\n".join(lines))
    _build["maths_rules"].update(rules)
    return styles.katex_link(root) + html


def on_post_page(output, page, config):
    output = start_with_the_page(output, get_relative_url(".", page.url) + "/", config)
    return csp.apply(output, serving=_build.get("serving", False))


def runtime_urls(root):
    """The runtime's folder and the demos package, as a page at ``root`` (e.g. "../../") links them."""
    return browser_runtime.base_url(root, _build["runtime"]), f"{root}py/{_build['demos'][0]}"


def start_with_the_page(output, root, config):
    """A page with widgets loads the widgets' runtime module from its head as well, ``async``
    and naming the runtime (``data-pyodide``, ``data-demos``): on a revisit the module starts
    Python as the page begins, instead of after the page's other scripts (see startWithThePage
    in runtime.js). The module stays in ``extra_javascript`` for every page: a module runs once."""
    if 'class="nn-widget"' not in output:
        return output
    pyodide, demos = runtime_urls(root)
    module = next(str(script) for script in config.extra_javascript if getattr(script, "type", "") == "module")
    tag = f'<script type="module" async src="{root}{module}" data-pyodide="{pyodide}" data-demos="{demos}"></script>\n'
    return output.replace("</head>", tag + "</head>", 1)


def on_post_template(output_content, template_name, config):
    # The 404 page is rendered as a theme template, not as a page: it needs its policy too.
    if csp.TOKEN not in output_content:
        return output_content
    return csp.apply(output_content, serving=_build.get("serving", False))


def on_post_build(config):
    try:
        vendor.copy_katex(config.site_dir, log=log.debug)
        browser_runtime.copy_into(config.site_dir, _build["runtime"], log=log.debug)
    except (vendor.VendorError, OSError, ValueError) as error:
        raise PluginError(f"could not put the self-hosted runtime (KaTeX, Pyodide) into the site: {error}\n"
                          "What to do: run `python -m scripts.runtime.vendor` (or `make vendor`) and build again") from None
    katex_css = Path(config.site_dir) / styles.KATEX_STYLESHEET
    write_atomic(katex_css, styles.swap_fonts(katex_css.read_text(encoding="utf-8")).encode())
    sources = [("the series' colours (scripts/assets/palette.py)", palette.stylesheet())]
    sources += [(path, (Path(config.docs_dir) / path).read_text(encoding="utf-8")) for path in _build["stylesheets"]]
    write_atomic(Path(config.site_dir) / styles.STYLESHEET,
                 styles.bundle(sources, maths.stylesheet(_build["maths_rules"])).encode())
    write_atomic(Path(config.site_dir) / PALETTE_JS, palette.module().encode())
    name, data = _build["demos"]
    out = Path(config.site_dir) / "py"
    for old in out.glob("demos-*.zip"):
        if old.name != name:
            old.unlink()
    write_atomic(out / name, data)
    log.info(f"demos package for the browser: py/{name}")
    posts = [_build["posts"][uri] for uri in _build["post_order"] if uri in _build["posts"]]
    site = Path(config.site_dir)
    write_atomic(site / config.extra["feed"], publishing.feed(config.site_name, config.site_url, config.site_description,
                                                             config.theme["language"], config.extra["feed"], posts))
    write_atomic(site / "robots.txt", publishing.robots(config.site_url).encode())
    write_service_worker(config, name)


def write_service_worker(config, demos_name):
    """The site's service worker at the site root (so that it may serve every page), its
    VERSION naming the runtime and demos zip it keeps: a new runtime, a new worker."""
    source = (Path(config.docs_dir) / SERVICE_WORKER).read_text(encoding="utf-8")
    if source.count(SW_VERSION) != 1:
        raise PluginError(f"{SERVICE_WORKER} must hold the token {SW_VERSION} exactly once (its VERSION)")
    runtime = Path(_build["runtime"]).name if _build.get("runtime") else "cdn"
    version = f"{runtime}-{demos_name.removesuffix('.zip')}"
    write_atomic(Path(config.site_dir) / "sw.js", source.replace(SW_VERSION, version).encode())


# --- The demos package, as the browser's worker loads it.


def demos_bundle(package_dir=ROOT / "demos"):
    """The ``demos`` package zipped for the browser: ``(name, bytes)``, name ``demos-<hash>.zip``.

    The zip holds ``demos/**/*.py`` and everything under ``demos/data/``, in sorted
    order with fixed timestamps and permissions, so the same sources always give
    the same bytes. The name carries the first 12 hex digits of the zip's sha256:
    any change gives a new name, so no browser runs a stale cached copy; pages name
    it in their widgets' ``data-demos``.
    """
    package_dir = Path(package_dir)
    if not (package_dir / "__init__.py").is_file():
        raise PluginError(f"{package_dir} has no __init__.py: there is no demos package to ship to the browser")
    wanted = [p for p in package_dir.rglob("*.py")]
    if (package_dir / "data").is_dir():
        wanted += [p for p in (package_dir / "data").rglob("*") if p.is_file()]
    members = {}
    for path in wanted:
        relative = path.relative_to(package_dir)
        if "__pycache__" in relative.parts or any(part.startswith(".") for part in relative.parts):
            continue
        members[f"{package_dir.name}/{relative.as_posix()}"] = path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for arcname in sorted(members):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[arcname].read_bytes(), compresslevel=9)
    data = buffer.getvalue()
    return f"demos-{hashlib.sha256(data).hexdigest()[:12]}.zip", data

