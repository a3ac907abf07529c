"""The two Markdown blocks a post can hold besides text and pictures: widgets and videos.

A widget is a live demo that runs the ``demos/`` code in the reader's browser.
In Markdown it is one fenced block naming the widget and a few options::

    ```widget
    name: playground
    dataset: xor
    hidden: [4, 4]
    ```

A video is a pre-rendered MP4 from the asset build, with a caption and a text
description for readers who cannot see it::

    ```video
    src: post2/line-learns.mp4
    caption: The line turns until it separates the two clouds.
    description: Two clouds of dots, orange and blue ...
    ```

The body of a block is YAML: one ``key: value`` per line. This module checks a
block against the widget's declaration (``demos/widgets/``: each option with
what it may hold, its default and a line of help; the data files its model is
made from) and renders the HTML the browser receives. Every check failure raises :class:`BlockError` whose message says what
is wrong and how to fix it; the MkDocs hook adds the page and line.

Asset paths in blocks are relative to ``docs/assets/generated/``. Rendered URLs
start with :data:`SITE_ROOT`, a token the hook replaces with the page's relative
path to the site root (a superfences formatter does not know which page it is
on), so the site works from any sub-path such as ``/REPO/`` on GitHub Pages.
"""

import difflib
import html
import json
import math
import re
from typing import NamedTuple

import yaml
from pymdownx.superfences import SuperFencesException

import demos.widgets

# Replaced in every page by its relative path to the site root ("../../" or "./").
SITE_ROOT = "@@NN_SITE_ROOT@@/"
# Replaced in every page by where Pyodide is loaded from (see scripts.runtime.browser_runtime.base_url).
PYODIDE_URL = "@@NN_PYODIDE_URL@@"
# Replaced in every page by the URL of the demos package's zip (see scripts.site.hooks.demos_bundle).
DEMOS_URL = "@@NN_DEMOS_URL@@"
GENERATED = "assets/generated/"
# The button every placeholder holds until its live version is running.
START_LABEL = "Start the live version"
IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".webp")
VIDEO_SUFFIX = ".mp4"


class BlockError(ValueError):
    """A widget or video block that cannot be rendered; the message says how to fix it."""


# --- What an option may hold. Each kind checks a value and describes itself.


class Choice(NamedTuple):
    values: tuple

    def check(self, value):
        if value not in self.values:
            raise ValueError(f"must be one of {', '.join(self.values)}; got {_show(value)}")
        return value

    def describe(self):
        return "one of " + ", ".join(self.values)


class Int(NamedTuple):
    low: int
    high: int

    def check(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number from {self.low} to {self.high}; got {_show(value)}")
        if not self.low <= value <= self.high:
            raise ValueError(f"must be from {self.low} to {self.high}; got {value}")
        return value

    def describe(self):
        return f"whole number, {self.low} to {self.high}"


class Float(NamedTuple):
    low: float
    high: float
    low_open: bool = False  # True: the range is (low, high], low itself not allowed

    def check(self, value):
        if isinstance(value, str):
            # YAML 1.1 reads "1e-3" as text; accept any text that is plainly a number.
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"must be a number in {self._range()}; got {_show(value)}")
        too_low = value <= self.low if self.low_open else value < self.low
        if too_low or value > self.high:
            raise ValueError(f"must be in {self._range()}; got {value}")
        return float(value)

    def _range(self):
        return f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"

    def describe(self):
        return "number in " + self._range()


class IntList(NamedTuple):
    """A list of whole numbers, e.g. the widths of the hidden layers."""

    min_length: int
    max_length: int
    low: int
    high: int

    def check(self, value):
        shape = (f"a list of {self.min_length} to {self.max_length} whole numbers, each from "
                 f"{self.low} to {self.high}, written like [4, 4]")
        if not isinstance(value, list):
            raise ValueError(f"must be {shape}; got {_show(value)}")
        if not self.min_length <= len(value) <= self.max_length:
            raise ValueError(f"must be {shape}; got {len(value)} numbers")
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not self.low <= item <= self.high:
                raise ValueError(f"must be {shape}; got {_show(item)} in the list")
        return list(value)

    def describe(self):
        return (f"list of {self.min_length}-{self.max_length} whole numbers, "
                f"each {self.low} to {self.high}")


class Flags(NamedTuple):
    """Any of a few names, each at most once, e.g. the playground's extra inputs."""

    values: tuple

    def check(self, value):
        shape = f"a list of any of {', '.join(self.values)}, written like [{self.values[0]}]"
        if not isinstance(value, list):
            raise ValueError(f"must be {shape}; got {_show(value)}")
        for item in value:
            if item not in self.values:
                raise ValueError(f"must be {shape}; got {_show(item)} in the list")
        if len(set(value)) != len(value):
            raise ValueError(f"must be {shape}, each once; got {_show(value)}")
        return list(value)

    def describe(self):
        return "list of any of " + ", ".join(self.values)


REQUIRED = object()  # the default of an option the author must always give


class Option(NamedTuple):
    kind: object  # Choice, Int, Float, IntList or Flags
    default: object  # REQUIRED when the block must name a value
    help: str


class Widget(NamedTuple):
    name: str
    post: int  # the post that introduces it
    options: dict  # option name -> Option
    alt: str  # default text alternative of the fallback figure
    files: dict  # argument of the model -> the data file it is made from, under assets/generated/


def kind_of(option):
    """The kind of an option as its widget declares it (see demos/widgets/options.py)."""
    if "choice" in option:
        return Choice(tuple(option["choice"]))
    if "widths" in option:
        return IntList(0, option["widths"][0], 1, option["widths"][1])
    if "flags" in option:
        return Flags(tuple(option["flags"]))
    low, high = option["number"]
    return Int(low, high) if option.get("whole") else Float(low, high, option.get("low_open", False))


def _block_widget(declared):
    """A widget's declaration (demos/widgets/NAME.py), as blocks check and list it."""
    options = {}
    for key, option in declared.options.items():
        default = REQUIRED if option["required"] else option["default"]
        options[key] = Option(kind_of(option), list(default) if isinstance(default, tuple) else default, option["help"])
    return Widget(declared.name, declared.post, options, declared.alt, declared.files)


# The widgets, as each declares itself beside its model, in the order the series meets them.
WIDGETS = {name: _block_widget(demos.widgets.widget(name)) for name in demos.widgets.WIDGETS}



# Keys every widget block accepts besides its own options; they shape the page, not the demo.
COMMON_KEYS = {
    "name": "which widget (required)",
    "fallback": "generated image or .mp4 shown until, or instead of, the live widget "
                "(default widgets/NAME.png)",
    "alt": "text alternative of the fallback (each widget has a default)",
    "caption": "caption under the widget (optional)",
}
VIDEO_KEYS = {
    "src": "the .mp4 under assets/generated/ (required)",
    "caption": "caption under the video (required)",
    "description": "what the video shows, in words, for readers who cannot watch it (required)",
    "poster": "image shown before playing (default: SRC with -poster.webp instead of .mp4)",
}


def _show(value):
    return json.dumps(value) if isinstance(value, (str, int, float, list, type(None))) else repr(value)


def _unknown(what, name, known, plural):
    """Message for a name that is not in `known`, with the closest match if there is one."""
    message = f'{what} "{name}" is unknown; known {plural}: {", ".join(known)}'
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return message + (f' (did you mean "{close[0]}"?)' if close else "")


def default_fallback(name):
    return f"widgets/{name}.png"


def poster_for(video_path):
    """The poster image the asset build makes beside each video."""
    return video_path[: -len(VIDEO_SUFFIX)] + "-poster.webp"


# --- Reading and checking a block.


SIMPLE_LINE = re.compile(r"^(?P<key>[A-Za-z_]\w*):(?:[ \t]+(?P<value>.*?))?[ \t]*$")


def parse_simple_lines(source):
    """Lines of ``key: value`` read one by one, the value as YAML when that reads it
    as one value and as plain text otherwise; None if a line is not of that form.

    Authors write captions like ``caption: Layer 1: the hidden view``, which YAML
    rejects because of the second ``": "``; every block value fits on one line,
    so reading line by line takes what the author meant.
    """
    values = {}
    for line in source.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = SIMPLE_LINE.match(line)
        if not match or match["key"] in values:
            return None
        text = match["value"] or ""
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        values[match["key"]] = text if isinstance(value, dict) else value
    return values


def parse(source, kind):
    """The YAML body of a block as a dict; BlockError if it is not a mapping of keys to values."""
    try:
        values = yaml.safe_load(source)
    except yaml.YAMLError as error:
        values = parse_simple_lines(source)
        if values is not None:
            return values
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} of the block" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BlockError(f"{kind} block is not valid YAML{where} ({problem}); write one "
                         f"\"key: value\" per line and put text containing \": \" in quotes") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise BlockError(f"{kind} block must be lines of \"key: value\"; got {_show(values)}")
    for key in values:
        if not isinstance(key, str):
            raise BlockError(f"{kind} block has a key {_show(key)} that is not a word")
    return values


def check_asset_path(path, key, suffixes):
    """`path` relative to assets/generated/, with one of `suffixes`; returned unchanged."""
    if not isinstance(path, str) or not path.strip():
        raise BlockError(f'"{key}" must be a file name under assets/generated/; got {_show(path)}')
    if path.startswith(("/", "assets/", "docs/", "../")) or "/../" in path or "://" in path:
        raise BlockError(f'"{key}: {path}" must be relative to assets/generated/, '
                         f'like "post2/line.png" (no leading "/", "../" or "assets/generated/")')
    if not path.lower().endswith(suffixes):
        raise BlockError(f'"{key}: {path}" must end with {" or ".join(suffixes)}')
    return path


def _text(values, key, owner, required, default=""):
    """The text under `key`, stripped; `default` when the key is absent and not required."""
    if key not in values:
        if required:
            raise BlockError(f'{owner} needs "{key}:" ({(COMMON_KEYS | VIDEO_KEYS)[key]})')
        return default
    value = values[key]
    if not isinstance(value, str) or not value.strip():
        raise BlockError(f'{owner} "{key}" must be text; got {_show(value)}')
    return value.strip()


def check_widget(values, drawn_with=None):
    """Check a widget block's values; return them complete, with every default filled in.
    ``drawn_with`` maps a fallback to the options it was drawn with (``{"name", "options"}``,
    declared by the recipe that drew it): the block takes them, and may not contradict them.

    Returns {"name", "options" (every option of the widget), "files" (its model's data files,
    by argument name), "fallback", "alt", "caption"}.
    """
    if "name" not in values:
        raise BlockError('widget block has no "name:" line; start it with the widget\'s name, '
                         f'e.g. "name: playground" (widgets: {", ".join(WIDGETS)})')
    name = values["name"]
    if not isinstance(name, str) or name not in WIDGETS:
        raise BlockError(_unknown("widget", name, WIDGETS, "widgets"))
    widget = WIDGETS[name]
    label = f'widget "{name}"'
    drawn = (drawn_with or {}).get(values.get("fallback", default_fallback(name)))
    if drawn:
        values = {**drawn["options"], **_agreeing(values, drawn, widget, label)}
    for key in values:
        if key not in widget.options and key not in COMMON_KEYS:
            raise BlockError(f"{label}: " + _unknown("option", key, [*widget.options, *COMMON_KEYS], "options"))
    options = {}
    for key, option in widget.options.items():
        if key not in values:
            if option.default is REQUIRED:
                raise BlockError(f'{label}: option "{key}" is required ({option.kind.describe()}: '
                                 f'{option.help}); add a line such as "{key}: {_example(option)}"')
            options[key] = option.default
            continue
        try:
            options[key] = option.kind.check(values[key])
        except ValueError as error:
            raise BlockError(f'{label}: option "{key}" {error}') from None
    fallback = values.get("fallback", default_fallback(name))
    suffixes = IMAGE_SUFFIXES + (VIDEO_SUFFIX,)
    try:
        check_asset_path(fallback, "fallback", suffixes)
    except BlockError as error:
        raise BlockError(f"{label}: {error}") from None
    return {
        "name": name,
        "options": options,
        "files": widget.files,
        "fallback": fallback,
        "alt": _text(values, "alt", label, False, widget.alt),
        "caption": _text(values, "caption", label, False),
    }


def _agreeing(values, drawn, widget, label):
    """``values``, once sure they name the widget and options their fallback was drawn with."""
    where = f'{label}: its fallback {values.get("fallback", default_fallback(widget.name))}'
    if drawn["name"] != widget.name:
        raise BlockError(f'{where} shows the {drawn["name"]} widget; name that one or another fallback')
    for key, value in drawn["options"].items():
        try:
            check = widget.options[key].kind.check
            given = check(values[key]) if key in values else check(value)
        except (KeyError, ValueError):
            continue  # the block's own check says what is wrong with it
        if given != check(value):
            raise BlockError(f"{where} was drawn with {key}: {_show(value)}, not {_show(values[key])}; leave "
                             "the line out to take the figure's value, or change the recipe that draws it")
    return values


def _example(option):
    kind = option.kind
    if isinstance(kind, Choice):
        return kind.values[0]
    if isinstance(kind, IntList):
        return "[4, 4]"
    return kind.high if isinstance(kind, Int) else f"{kind.high:g}"


def check_video(values):
    """Check a video block's values; return {"src", "poster", "caption", "description"}."""
    for key in values:
        if key not in VIDEO_KEYS:
            raise BlockError("video block: " + _unknown("key", key, VIDEO_KEYS, "keys"))
    if "src" not in values:
        raise BlockError('video block needs "src:", the .mp4 under assets/generated/, e.g. "src: post2/line.mp4"')
    src = check_asset_path(values["src"], "src", (VIDEO_SUFFIX,))
    poster = check_asset_path(values.get("poster", poster_for(src)), "poster", IMAGE_SUFFIXES)
    return {
        "src": src,
        "poster": poster,
        "caption": _text(values, "caption", "video block", True),
        "description": _text(values, "description", "video block", True),
    }


def check(kind, source, drawn_with=None):
    """Parse and check the body of a ```widget or ```video block; return its complete values.
    ``drawn_with``: the widget options each fallback was drawn with (see check_widget)."""
    if kind == "widget":
        return check_widget(parse(source, kind), drawn_with)
    if kind == "video":
        return check_video(parse(source, kind))
    raise BlockError(_unknown("block kind", kind, RENDER, "kinds"))


def assets_of(kind, block):
    """Paths (relative to assets/generated/) of every generated file a checked block shows."""
    media = block["fallback"] if kind == "widget" else block["src"]
    if media.endswith(VIDEO_SUFFIX):
        poster = block.get("poster") or poster_for(media)
        return [media, poster]
    return [media]


# --- Rendering. URLs start with SITE_ROOT; the hook makes them relative to the page.


def asset_url(path):
    return SITE_ROOT + GENERATED + path


def json_attribute(value):
    """`value` as JSON, escaped to sit inside a single-quoted HTML attribute."""
    text = json.dumps(value, sort_keys=True)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def _esc(text):
    return html.escape(text, quote=True)


def _paragraphs(text):
    return "".join(f"<p>{_esc(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def _video_tag(src, poster, label_attrs=""):
    """A video that never plays by itself and downloads nothing until asked."""
    url = asset_url(src)
    return (f'<video controls preload="none" muted playsinline poster="{_esc(asset_url(poster))}"{label_attrs}>'
            f'<source src="{_esc(url)}" type="video/mp4">'
            f'<p>Your browser cannot play this video here; <a href="{_esc(url)}">download it</a>.</p>'
            f"</video>")


def render_widget(block):
    """The placeholder the widget's script takes over; until then it shows the fallback."""
    fallback, alt = block["fallback"], block["alt"]
    if fallback.endswith(VIDEO_SUFFIX):
        media = _video_tag(fallback, poster_for(fallback), f' aria-label="{_esc(alt)}"')
    else:
        media = f'<img src="{_esc(asset_url(fallback))}" alt="{_esc(alt)}">'
    caption = f"<figcaption>{_esc(block['caption'])}</figcaption>" if block["caption"] else ""
    keeps = " nn-keeps-figure" if demos.widgets.widget(block["name"]).keeps_figure else ""
    return (
        f'<div class="nn-widget{keeps}" data-widget="{block["name"]}" data-state="idle" '
        f'data-root="{SITE_ROOT}" data-pyodide="{PYODIDE_URL}" data-demos="{DEMOS_URL}" '
        f"data-options='{json_attribute(block['options'])}' "
        f"data-files='{json_attribute({k: GENERATED + path for k, path in block['files'].items()})}'>\n"
        f'<figure class="nn-widget-fallback">{media}{caption}</figure>\n'
        # In the tab order before anything has loaded: focusing or pressing it starts the live
        # version (the runtime shows it; without JavaScript it would do nothing).
        f'<button type="button" class="nn-widget-start" hidden>{START_LABEL}</button>\n'
        f'<p class="nn-widget-status" role="status" aria-live="polite"></p>\n'
        f'<noscript><p class="nn-widget-noscript">The live version of this figure needs JavaScript; '
        f"the picture shows what it does.</p></noscript>\n"
        f"</div>"
    )


def render_video(block):
    """The video and its caption as a figure, and under it (HTML allows a figure nothing after
    its caption) the description in words, the two held together by the video's frame."""
    return (
        f'<div class="nn-video">\n<figure>{_video_tag(block["src"], block["poster"])}\n'
        f"<figcaption>{_esc(block['caption'])}</figcaption></figure>\n"
        f'<details class="nn-video-description"><summary>What the video shows</summary>'
        f"{_paragraphs(block['description'])}</details>\n"
        f"</div>"
    )


RENDER = {"widget": render_widget, "video": render_video}


# --- pymdownx.superfences custom fences (registered by scripts/site/hooks.py).


def validate_fence(language, inputs, options, attrs, md):
    """Accept the fence only without options on its first line: they belong in the body."""
    return not inputs


def format_fence(source, language, css_class, options, md, drawn_with=None, **kwargs):
    """Render a ```widget or ```video fence. The hook has already checked every block with
    file and line; a failure here (a block the hook could not see) still stops the build."""
    try:
        return RENDER[language](check(language, source, drawn_with))
    except BlockError as error:
        raise SuperFencesException(f"{language} block: {error}") from error


# --- A reference for authors: python -m scripts.site.blocks


def reference():
    """Every widget with its options (kind, default, help), and the keys of a video block, as text."""
    lines = ["every widget block"] + [f"  {key}: {help}" for key, help in COMMON_KEYS.items()]
    for widget in WIDGETS.values():
        lines.append(f"widget {widget.name} (post {widget.post})")
        for key, option in widget.options.items():
            default = "required" if option.default is REQUIRED else f"default {_show(option.default)}"
            lines.append(f"  {key}: {option.kind.describe()}; {default}. {option.help}")
        lines += [f"  (its model is made from {', '.join(widget.files.values())})"] if widget.files else []
    lines.append("video block")
    lines += [f"  {key}: {help}" for key, help in VIDEO_KEYS.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference())
