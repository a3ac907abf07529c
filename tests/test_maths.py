"""Maths typeset at build time (scripts/site/maths.py): KaTeX's HTML in place of the TeX, its inline
styles turned into classes the Content-Security-Policy allows, and KaTeX's own word on a bad
formula. (The built site's maths: tests/test_site.py; an author's bad formula, end to end:
tests/test_author_errors.py.)"""

import re
import shutil
import subprocess

import pytest

from scripts.runtime import vendor
from scripts.site import maths

PAGE = ('<p>Inline <span class="arithmatex">\\(w \\cdot x &lt; b\\)</span> and</p>\n'
        '<div class="arithmatex">\\[\n\\sigma(z) = \\frac{1}{1 + e^{-z}}\n\\]</div>\n')


@pytest.fixture(scope="module")
def katex():
    folder = vendor.cache_root() / vendor.KATEX_DIR
    if shutil.which("node") is None or not (folder / "katex.min.js").is_file():
        pytest.skip("needs Node.js and the vendored KaTeX (`make vendor`)")
    return folder


def test_formulas_are_read_from_arithmatex_elements_unescaped_and_unwrapped():
    assert maths.formulas_of(PAGE) == [("w \\cdot x < b", False), ("\\sigma(z) = \\frac{1}{1 + e^{-z}}", True)]
    with pytest.raises(maths.MathsError, match=r"not wrapped in \\\( \\\)"):
        maths.formulas_of('<span class="arithmatex">$x$</span>')


def test_styles_become_classes_named_by_their_text_with_rules_that_win_like_the_attribute():
    rules = {}
    html = maths.without_styles('<span class="strut" style="height:1em;"></span>'
                                '<span style="top:-2em;margin-right:0.05em;">x</span>'
                                '<span class="mord">y</span><span style="height:1em;"></span>', rules)
    tall, raised = maths.style_class("height:1em;"), maths.style_class("top:-2em;margin-right:0.05em;")
    assert html == (f'<span class="strut {tall}"></span><span class="{raised}">x</span>'
                    f'<span class="mord">y</span><span class="{tall}"></span>')
    assert rules == {tall: "height:1em;", raised: "top:-2em;margin-right:0.05em;"}
    css = maths.stylesheet(rules).splitlines()
    assert sorted(css[1:]) == css[1:]
    assert f".{raised}{{top:-2em!important;margin-right:0.05em!important}}" in css


def test_a_page_is_typeset_by_katex_with_no_inline_style_left(katex):
    html, rules, problems = maths.typeset(PAGE, katex)
    assert problems == []
    assert html.startswith('<p>Inline <span class="arithmatex"><span class="katex"><span class="katex-mathml" ')
    assert '<div class="arithmatex"><span class="katex-display">' in html
    assert '<annotation encoding="application/x-tex">w \\cdot x &lt; b</annotation>' in html
    assert "style=" not in html and "\\(" not in html and "\\[" not in html
    used = set(re.findall(r"nn-m[0-9a-f]{10}", html))
    assert used and used == set(rules)
    # The site's search indexes each formula once: from its HTML, not its MathML too.
    assert re.findall(r'<(\w+) class="([\w-]+)" data-search-exclude', html) == [("span", "katex-mathml")] * 2


def test_a_formula_katex_refuses_is_reported_with_its_message_and_keeps_its_tex(katex):
    page = PAGE + '<p><span class="arithmatex">\\(\\frac{1}{\\)</span></p>'
    html, _, problems = maths.typeset(page, katex)
    [(tex, message)] = problems
    assert tex == "\\frac{1}{" and message.startswith("KaTeX parse error: ")
    assert '<span class="arithmatex">\\(\\frac{1}{\\)</span>' in html
    assert html.count('<span class="katex-mathml"') == 2  # the good formulas are still typeset


def test_formulas_seen_before_are_not_rendered_again(katex, monkeypatch):
    maths.typeset(PAGE, katex)
    monkeypatch.setattr(shutil, "which", lambda name: None)  # any new Node run would now fail
    assert maths.typeset(PAGE, katex)[2] == []
    with pytest.raises(maths.MathsError, match="needs Node.js"):
        maths.typeset('<span class="arithmatex">\\(y = 2\\)</span>', katex)


def test_one_node_process_typesets_every_page_of_a_build(katex, monkeypatch):
    started = []
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or popen(*a, **k))
    for n in range(3):  # formulas this process has not seen: each page asks Node
        html, _, problems = maths.typeset(f'<span class="arithmatex">\\(q_{n} + {n}\\)</span>', katex)
        assert problems == [] and '<span class="katex-mathml"' in html
    assert len(started) <= 1  # none if an earlier test already started it


def test_a_typesetter_that_cannot_start_says_so(tmp_path):
    with pytest.raises(maths.MathsError, match=r"maths\.mjs failed \(exit status 1\): .*katex\.min\.js"):
        maths.typeset('<span class="arithmatex">\\(z_9\\)</span>', tmp_path)  # no KaTeX there
