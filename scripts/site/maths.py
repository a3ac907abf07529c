"""Maths typeset at build time: pages carry KaTeX's HTML and load no JavaScript for it.

pymdownx.arithmatex (generic mode) leaves each formula's TeX in an element of class
"arithmatex": ``<span class="arithmatex">\\(...\\)</span>`` inline and
``<div class="arithmatex">\\[...\\]</div>`` on a line of its own. :func:`typeset` replaces
the TeX inside by what the pinned KaTeX makes of it (scripts/site/maths.mjs, under Node, one
process for the whole build); the page then needs only KaTeX's stylesheet and fonts.

KaTeX writes each formula three times: as MathML for screen readers (the symbols, then
the TeX in an ``annotation``) and as HTML for the eye. The site's search would index all
three run together ("x1x_1x1"), so the MathML carries ``data-search-exclude``, which
Material's search skips: a result shows the formula once, as the page does. (Not the
other way round: Material's search stops skipping at the first closing tag of the same
name, and KaTeX's HTML is spans within spans, while its MathML holds no span.)

KaTeX's HTML places its parts with ``style`` attributes, which the site's
Content-Security-Policy does not allow (no inline styles). So each distinct style becomes
a class named by its hash, and its declarations a rule of the site's maths stylesheet
(:func:`stylesheet`); ``!important`` gives the rule the precedence the attribute had over
KaTeX's own stylesheet.
"""

import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

HELPER = Path(__file__).with_name("maths.mjs")
FORMULA = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
# Element -> (opening, closing, display mode): arithmatex's default wrappers in generic mode.
WRAPPERS = {"span": ("\\(", "\\)", False), "div": ("\\[", "\\]", True)}
TAG = re.compile(r"<[a-zA-Z][^>]*>")
STYLE = re.compile(r'\sstyle="([^"]*)"')
CLASS = re.compile(r'\sclass="([^"]*)"')
SEARCH_SKIPPED = '<span class="katex-mathml"'  # what the site's search leaves out

# (tex, display) -> KaTeX's HTML, kept for the process: `mkdocs serve` re-renders a page only
# for the formulas it has not seen.
_rendered = {}
# The Node process that typesets (scripts/site/maths.mjs): started for the first page with maths and
# kept for the process's builds, so Node and KaTeX start once rather than once per page.
_helper = {"process": None, "args": None}


class MathsError(Exception):
    """Typesetting could not run at all (no Node, KaTeX missing, a broken answer)."""


def _ask(args, request):
    """The answer Node (started with `args`, or still running from an earlier page) gives to
    one request; MathsError, with what Node said, if it gives none."""
    process = _helper["process"]
    if process is None or process.poll() is not None or _helper["args"] != args:
        if process is not None:
            process.kill()
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        _helper.update(process=process, args=args)
    try:
        process.stdin.write(request + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())
    except (OSError, ValueError):
        process.kill()
        _helper["process"] = None
        said = process.communicate()[1].strip()
        # Node's own report starts with the stack's source line; the error's message is what helps.
        reason = next((line for line in said.splitlines() if re.match(r"\w*Error\b", line)), said[:300])
        raise MathsError(f"{HELPER.name} failed (exit status {process.returncode}): {reason}") from None


def render(formulas, katex_dir):
    """KaTeX's HTML for each ``(tex, display)`` of `formulas`.

    Returns {(tex, display): (html, None) or (None, KaTeX's error message)}. Formulas
    rendered before in this process are not rendered again; the rest go to Node in one request.
    """
    todo = sorted({f for f in formulas if f not in _rendered})
    if todo:
        node = shutil.which("node")
        if node is None:
            raise MathsError("typesetting the maths needs Node.js, and there is no `node` on PATH: "
                             "install it (`make vendor` does) and build again")
        request = json.dumps([{"tex": tex, "display": display} for tex, display in todo])
        answers = _ask((node, str(HELPER), str(katex_dir)), request)
        if not isinstance(answers, list) or len(answers) != len(todo):
            raise MathsError(f"{HELPER.name} gave {len(answers) if isinstance(answers, list) else 'no'} answers "
                             f"for {len(todo)} formulas")
        for formula, answer in zip(todo, answers):
            _rendered[formula] = (answer.get("html"), answer.get("error"))
    return {f: _rendered[f] for f in formulas}


def formulas_of(page_html):
    """[(tex, display)] of every arithmatex element of `page_html`, in page order."""
    found = []
    for match in FORMULA.finditer(page_html):
        opening, closing, display = WRAPPERS[match["tag"]]
        text = html.unescape(match["tex"]).strip()
        if not (text.startswith(opening) and text.endswith(closing)):
            raise MathsError(f"a formula is not wrapped in {opening} {closing} as expected: {text[:80]!r} "
                             "(keep pymdownx.arithmatex's default wrappers, with generic: true)")
        found.append((text[len(opening):-len(closing)].strip(), display))
    return found


def style_class(style):
    """The class that stands for the inline `style` (say ``height:1em;``)."""
    return "nn-m" + hashlib.sha256(style.encode("utf-8")).hexdigest()[:10]


def without_styles(fragment, rules):
    """`fragment` with every ``style="..."`` moved to a class; adds {class: style} to `rules`."""
    def move(match):
        tag = match[0]
        style = STYLE.search(tag)
        if style is None:
            return tag
        name = style_class(style[1])
        rules[name] = style[1]
        tag = tag[:style.start()] + tag[style.end():]
        if CLASS.search(tag):
            return CLASS.sub(lambda m: f' class="{m[1]} {name}"', tag, count=1)
        return re.sub(r"^<[a-zA-Z]+", lambda m: f'{m[0]} class="{name}"', tag)
    return TAG.sub(move, fragment)


def typeset(page_html, katex_dir):
    """Typeset the maths of one page.

    Returns (html, rules, problems): the page with KaTeX's rendering inside each arithmatex
    element, {class: style} for :func:`stylesheet`, and [(tex, KaTeX's message)] for every
    formula KaTeX refused (the page then keeps that formula's TeX).
    """
    answers = render(formulas_of(page_html), katex_dir)
    rules, problems = {}, []

    def replace(match):
        formula = formulas_of(match[0])[0]
        rendered, error = answers[formula]
        if error is not None:
            problems.append((formula[0], error))
            return match[0]
        rendered = without_styles(rendered, rules).replace(SEARCH_SKIPPED, SEARCH_SKIPPED + " data-search-exclude")
        return f'<{match["tag"]} class="arithmatex">{rendered}</{match["tag"]}>'

    return FORMULA.sub(replace, page_html), rules, problems


def stylesheet(rules):
    """The CSS text of `rules` ({class: inline style}), one rule a line, sorted by class."""
    lines = ["/* Made by scripts/site/maths.py: the positions of KaTeX's parts, as classes (no inline styles). */"]
    for name in sorted(rules):
        declarations = [d.strip() for d in rules[name].split(";") if d.strip()]
        lines.append(f".{name}{{{';'.join(d + '!important' for d in declarations)}}}")
    return "\n".join(lines) + "\n"
