"""The widget and video blocks: what they accept, what they reject and with which words, what they render."""

import json
import re
from html.parser import HTMLParser

import markdown
import pytest
from pymdownx.superfences import SuperFencesException

from scripts.site import blocks
from scripts.site.blocks import BlockError, check


class Elements(HTMLParser):
    """Every start tag of an HTML fragment as (tag, attributes), attributes decoded as a browser would."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.text = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag):
        return [attrs for t, attrs in self.found if t == tag]

    def one(self, tag):
        matches = self.all(tag)
        assert len(matches) == 1, f"expected one <{tag}>, found {len(matches)}"
        return matches[0]


def error_of(kind, source):
    with pytest.raises(BlockError) as caught:
        check(kind, source)
    return str(caught.value)


# --- Widgets: what each error says.


def test_unknown_widget_names_every_known_widget_and_the_closest():
    message = error_of("widget", "name: playgrond\ndataset: xor")
    assert message.startswith('widget "playgrond" is unknown; known widgets: '
                              "neuron, labels, line, playground, backprop, digit, shapes, filters")
    assert 'did you mean "playground"?' in message


def test_widget_without_a_name_says_how_to_start():
    message = error_of("widget", "dataset: xor")
    assert '"name:"' in message and "name: playground" in message


def test_unknown_option_lists_the_widgets_options():
    message = error_of("widget", "name: line\ndataset: xor\nlearning_rat: 0.5")
    assert 'widget "line": option "learning_rat" is unknown' in message
    assert "known options: dataset, points, learning_rate, seed, name, fallback, alt, caption" in message
    assert 'did you mean "learning_rate"?' in message


def test_missing_required_option_shows_a_line_to_add():
    message = error_of("widget", "name: playground")
    assert 'widget "playground": option "dataset" is required' in message
    assert "one of blobs, xor, circles, spirals, moons" in message
    assert '"dataset: blobs"' in message


@pytest.mark.parametrize("source, expected", [
    ("name: line\ndataset: xor\npoints: many", 'option "points" must be a whole number from 10 to 500; got "many"'),
    ("name: line\ndataset: xor\npoints: 12.5", 'option "points" must be a whole number from 10 to 500; got 12.5'),
    ("name: line\ndataset: xor\npoints: yes", 'option "points" must be a whole number from 10 to 500; got true'),
    ("name: line\ndataset: xor\nlearning_rate: fast", 'option "learning_rate" must be a number in (0, 10]; got "fast"'),
    ("name: playground\ndataset: xor\nhidden: 4", 'option "hidden" must be a list of 0 to 4 whole numbers'),
    ("name: playground\ndataset: [xor]", 'option "dataset" must be one of blobs, xor, circles, spirals, moons; got ["xor"]'),
    ("name: playground\ndataset: xor\nfeatures: x2", 'option "features" must be a list of any of x2, y2, xy, sinx, siny'),
    ("name: playground\ndataset: xor\nfeatures: [x3]", 'written like [x2]; got "x3" in the list'),
    ("name: playground\ndataset: xor\nfeatures: [x2, x2]", "each once; got"),
])
def test_wrong_type_is_named_with_the_value_given(source, expected):
    assert expected in error_of("widget", source)


@pytest.mark.parametrize("source, expected", [
    ("name: line\ndataset: xor\npoints: 9", 'option "points" must be from 10 to 500; got 9'),
    ("name: line\ndataset: xor\npoints: 501", 'option "points" must be from 10 to 500; got 501'),
    ("name: line\ndataset: xor\nlearning_rate: 0", 'option "learning_rate" must be in (0, 10]; got 0'),
    ("name: line\ndataset: xor\nlearning_rate: 10.5", 'option "learning_rate" must be in (0, 10]; got 10.5'),
    ("name: playground\ndataset: xor\nnoise: -0.1", 'option "noise" must be in [0, 0.5]; got -0.1'),
    ("name: playground\ndataset: xor\nhidden: [4, 4, 4, 4, 4]", "got 5 numbers"),
    ("name: playground\ndataset: xor\nhidden: [4, 0]", "got 0 in the list"),
    ("name: playground\ndataset: xor\nhidden: [4, 17]", "got 17 in the list"),
    ("name: labels\nepochs: 201", 'option "epochs" must be from 1 to 200; got 201'),
    ("name: line\ndataset: circles", 'option "dataset" must be one of blobs, xor; got "circles"'),
    ("name: filters\nkernel: edge", 'option "kernel" must be one of vertical_edge, horizontal_edge'),
])
def test_out_of_range_or_not_allowed_is_named_with_the_range(source, expected):
    assert expected in error_of("widget", source)


def test_range_bounds_themselves_are_accepted():
    block = check("widget", "name: line\ndataset: xor\npoints: 10\nlearning_rate: 10")
    assert block["options"]["points"] == 10 and block["options"]["learning_rate"] == 10.0
    block = check("widget", "name: playground\ndataset: xor\nnoise: 0\nhidden: []\nsplit: 0.9")
    assert block["options"]["hidden"] == [] and block["options"]["noise"] == 0.0


def test_numbers_yaml_reads_as_text_are_accepted():
    # YAML 1.1 reads 1e-3 as a string; an author writing it means the number.
    assert check("widget", "name: line\ndataset: xor\nlearning_rate: 1e-3")["options"]["learning_rate"] == 0.001


@pytest.mark.parametrize("source, expected", [
    ("name: line\ndataset: [xor\n  - circles", "not valid YAML at line 3 of the block"),
    ("- name: line", 'must be lines of "key: value"'),
    ("just some words", 'must be lines of "key: value"'),
])
def test_a_body_that_is_not_key_value_lines_is_explained(source, expected):
    message = error_of("widget", source)
    assert expected in message
    assert "key: value" in message


@pytest.mark.parametrize("fallback, expected", [
    ("/assets/generated/x.png", "must be relative to assets/generated/"),
    ("assets/generated/x.png", "must be relative to assets/generated/"),
    ("../x.png", "must be relative to assets/generated/"),
    ("https://example.com/x.png", "must be relative to assets/generated/"),
    ("post2/line.gif", "must end with .png or .svg or .jpg or .jpeg or .webp or .mp4"),
])
def test_fallback_must_be_a_generated_image_or_video(fallback, expected):
    message = error_of("widget", f"name: digit\nfallback: {fallback}")
    assert message.startswith('widget "digit": ') and expected in message


# --- Widgets: defaults and rendering.


def test_defaults_fill_every_option_the_block_leaves_out():
    block = check("widget", "name: playground\ndataset: spirals\nhidden: [8]")
    assert block["options"] == {
        "dataset": "spirals", "noise": 0.1, "hidden": [8], "activation": "tanh", "learning_rate": 0.1,
        "batch_size": 10, "optimizer": "sgd", "l2": 0.0, "split": 0.5, "seed": 0,
        "classes": 2, "n_samples": 250, "features": [], "data_seed": 0,
    }
    assert block["fallback"] == "widgets/playground.png"
    assert block["alt"] == blocks.WIDGETS["playground"].alt and block["alt"]
    assert block["caption"] == ""


def test_every_widget_has_a_fallback_and_alt_text_and_renders_with_defaults():
    for name, widget in blocks.WIDGETS.items():
        required = {k: o.kind.values[0] for k, o in widget.options.items() if o.default is blocks.REQUIRED}
        source = "\n".join([f"name: {name}"] + [f"{k}: {v}" for k, v in required.items()])
        block = check("widget", source)
        page = Elements(blocks.render_widget(block))
        root = page.one("div")
        assert root["data-widget"] == name and root["data-state"] == "idle"
        assert set(json.loads(root["data-options"])) == set(widget.options)
        assert page.one("img")["alt"] == widget.alt


def test_widget_placeholder_shows_the_fallback_a_status_line_and_a_noscript_note():
    html = blocks.render_widget(check("widget", "name: line\ndataset: blobs\ncaption: Drag the points"))
    page = Elements(html)
    root = page.one("div")
    assert root["class"] == "nn-widget"
    assert root["data-root"] == blocks.SITE_ROOT and root["data-pyodide"] == blocks.PYODIDE_URL
    assert json.loads(root["data-options"]) == {"dataset": "blobs", "points": 100, "learning_rate": 0.1, "seed": 0}
    img = page.one("img")
    assert img["src"] == blocks.SITE_ROOT + "assets/generated/widgets/line.png"
    assert img["alt"]
    status = [a for t, a in page.found if t == "p" and a.get("class") == "nn-widget-status"]
    assert status == [{"class": "nn-widget-status", "role": "status", "aria-live": "polite"}]
    assert "<noscript>" in html and "needs JavaScript" in html
    assert "<figcaption>Drag the points</figcaption>" in html


def test_widget_with_a_video_fallback_never_autoplays_and_has_its_poster():
    block = check("widget", "name: labels\nfallback: post1/labels.mp4\nalt: Two curves")
    assert blocks.assets_of("widget", block) == ["post1/labels.mp4", "post1/labels-poster.webp"]
    page = Elements(blocks.render_widget(block))
    video = page.one("video")
    assert {"controls", "muted", "playsinline"} <= set(video) and "autoplay" not in video
    assert video["preload"] == "none"
    assert video["poster"] == blocks.SITE_ROOT + "assets/generated/post1/labels-poster.webp"
    assert video["aria-label"] == "Two curves"
    assert page.one("source") == {"src": blocks.SITE_ROOT + "assets/generated/post1/labels.mp4",
                                  "type": "video/mp4"}
    assert page.all("img") == []


def test_text_and_json_are_escaped_so_the_browser_reads_back_exactly_what_was_written():
    tricky = """It's a "quoted" <b>bold</b> & 'single' claim"""
    block = check("widget", f"name: digit\nalt: '{tricky.replace(chr(39), chr(39) * 2)}'\ncaption: {json.dumps(tricky)}")
    assert block["alt"] == tricky and block["caption"] == tricky
    html = blocks.render_widget(block)
    assert "<b>" not in html
    page = Elements(html)
    assert page.one("img")["alt"] == tricky
    assert tricky in "".join(page.text)

    options = {"label": tricky, "nested": ["</div><script>alert(1)</script>", "a'b\"c"]}
    fragment = f"<div data-options='{blocks.json_attribute(options)}'></div>"
    assert "<script>" not in fragment
    assert json.loads(Elements(fragment).one("div")["data-options"]) == options


# --- Videos.


def test_video_renders_a_figure_with_caption_description_and_poster():
    block = check("video", "src: post2/line.mp4\ncaption: The line turns.\n"
                           "description: |\n  Two clouds of dots.\n\n  The line settles between them.")
    assert block["poster"] == "post2/line-poster.webp"
    assert blocks.assets_of("video", block) == ["post2/line.mp4", "post2/line-poster.webp"]
    html = blocks.render_video(block)
    page = Elements(html)
    # The description follows the figure (HTML allows nothing after a figure's caption).
    assert page.one("div")["class"] == "nn-video"
    assert re.search(r'<div class="nn-video">\s*<figure><video.*</figcaption></figure>\s*<details', html, re.S)
    video = page.one("video")
    assert {"controls", "muted", "playsinline"} <= set(video) and "autoplay" not in video
    assert video["preload"] == "none"
    assert video["poster"] == blocks.SITE_ROOT + "assets/generated/post2/line-poster.webp"
    assert page.one("source")["src"] == blocks.SITE_ROOT + "assets/generated/post2/line.mp4"
    assert "<figcaption>The line turns.</figcaption>" in html
    assert "<p>Two clouds of dots.</p><p>The line settles between them.</p>" in html
    assert page.one("details")["class"] == "nn-video-description"


def test_video_poster_can_be_named():
    block = check("video", "src: a.mp4\nposter: b.png\ncaption: c\ndescription: d")
    assert blocks.assets_of("video", block) == ["a.mp4", "b.png"]


@pytest.mark.parametrize("source, expected", [
    ("caption: c\ndescription: d", 'video block needs "src:"'),
    ("src: a.mp4\ndescription: d", 'video block needs "caption:"'),
    ("src: a.mp4\ncaption: c", 'video block needs "description:"'),
    ("src: a.mp4\ncaption: ''\ndescription: d", 'video block "caption" must be text; got ""'),
    ("src: a.webm\ncaption: c\ndescription: d", '"src: a.webm" must end with .mp4'),
    ("src: a.mp4\nposter: a.mp4\ncaption: c\ndescription: d", '"poster: a.mp4" must end with .png'),
    ("src: a.mp4\ncaptoin: c\ndescription: d", 'key "captoin" is unknown; known keys: src, caption, description, poster'),
])
def test_video_errors(source, expected):
    assert expected in error_of("video", source)


# --- The superfences fences, as Markdown sees them.


def convert(text):
    fences = [{"name": kind, "class": f"nn-{kind}", "format": blocks.format_fence,
               "validator": blocks.validate_fence} for kind in blocks.RENDER]
    return markdown.markdown(text, extensions=["pymdownx.superfences"],
                             extension_configs={"pymdownx.superfences": {"custom_fences": fences}})


def test_fences_render_inside_markdown():
    html = convert("Text.\n\n```widget\nname: shapes\n```\n\n```video\nsrc: a.mp4\ncaption: c\ndescription: d\n```\n")
    assert '<div class="nn-widget" data-widget="shapes"' in html
    assert '<div class="nn-video">' in html


def test_a_bad_fence_stops_the_conversion_instead_of_showing_as_code():
    with pytest.raises(SuperFencesException, match='widget block: widget "nope" is unknown'):
        convert("```widget\nname: nope\n```\n")


def test_empty_alt_text_is_refused():
    assert 'widget "digit" "alt" must be text; got ""' in error_of("widget", 'name: digit\nalt: ""')


def test_the_reference_lists_every_widget_option_with_its_help():
    text = blocks.reference()
    for widget in blocks.WIDGETS.values():
        assert f"widget {widget.name} (post {widget.post})" in text
        for key, option in widget.options.items():
            assert f"  {key}: {option.kind.describe()}" in text and option.help in text
    assert "  learning_rate: number in (0, 10]; default 0.1." in text
    assert "  dataset: one of blobs, xor; required." in text


def test_a_caption_with_a_second_colon_is_read_as_the_author_meant():
    block = blocks.check("video", "src: post2/line.mp4\ncaption: Step 1: the line moves\n"
                                  "description: Points: orange and blue; the line turns.")
    assert block["caption"] == "Step 1: the line moves"
    assert block["description"] == "Points: orange and blue; the line turns."


# --- A widget and the figure of it that its block shows.

SPIRALS = {"post3/playground-spirals.webp": {"name": "playground", "options": {
    "dataset": "spirals", "noise": 0.05, "hidden": [12, 12], "activation": "relu", "learning_rate": 0.01}}}


def test_a_widget_block_takes_the_options_its_fallback_was_drawn_with():
    block = check("widget", "name: playground\nfallback: post3/playground-spirals.webp", SPIRALS)
    assert block["options"] == {**check("widget", "name: playground\ndataset: xor")["options"],
                                **SPIRALS["post3/playground-spirals.webp"]["options"]}
    # Saying the same again is fine; a fallback drawn by no such recipe gives nothing.
    same = check("widget", "name: playground\nhidden: [12, 12]\nnoise: 5e-2\nfallback: post3/playground-spirals.webp",
                 SPIRALS)
    assert same == block
    assert check("widget", "name: playground\ndataset: xor\nfallback: other.png", SPIRALS)["options"]["dataset"] == "xor"


def test_a_block_that_contradicts_its_fallback_is_refused_naming_both_values():
    message = error_of_drawn("name: playground\nlearning_rate: 0.3\nfallback: post3/playground-spirals.webp")
    assert message.startswith('widget "playground": its fallback post3/playground-spirals.webp was drawn with '
                              "learning_rate: 0.01, not 0.3")
    assert "leave the line out" in message
    message = error_of_drawn("name: line\ndataset: xor\nfallback: post3/playground-spirals.webp")
    assert "shows the playground widget" in message


def error_of_drawn(source):
    with pytest.raises(BlockError) as caught:
        check("widget", source, SPIRALS)
    return str(caught.value)


def test_a_widget_placeholder_names_the_data_files_its_model_is_made_from():
    block = check("widget", "name: filters")
    assert block["files"] == {"digits_json": "models/conv-digits.json", "shapes_json": "models/conv-shapes.json"}
    root = Elements(blocks.render_widget(block)).one("div")
    assert json.loads(root["data-files"]) == {"digits_json": "assets/generated/models/conv-digits.json",
                                              "shapes_json": "assets/generated/models/conv-shapes.json"}
    assert json.loads(Elements(blocks.render_widget(check("widget", "name: neuron\npreset: red"))).one("div")
                      ["data-files"]) == {}
