"""The pages' stylesheets: the series' own in one file, KaTeX's only where there is maths.

Every stylesheet a page names in its head holds back its first paint for one more
round trip, which a phone on a slow line feels. So:

- the series' stylesheets (``extra_css`` in mkdocs.yml, in that order: the authors
  keep one file per concern) and the maths rules of the build (:mod:`scripts.site.maths`)
  are joined into one file, :data:`STYLESHEET` (:func:`bundle`), the only one of
  ours a page names in its head;
- KaTeX's stylesheet is named by the pages with maths only, at the top of their
  content (:func:`katex_link`): Material's instant navigation swaps a page's content,
  not its head, so a link in the head of a page with maths would be missing when the
  reader comes to it from one without;
- KaTeX's fonts show the page's text at once, in a fallback font, until they arrive
  (:func:`swap_fonts`), instead of hiding the formulas for up to three seconds.
"""

import re

STYLESHEET = "stylesheets/series.css"  # relative to the site
KATEX_STYLESHEET = "vendor/katex/katex.min.css"  # where scripts/runtime/vendor.py puts it in the site
FONT_FACE = re.compile(r"@font-face\s*{[^}]*}")
FONT_DISPLAY = re.compile(r"font-display\s*:\s*[\w-]+")


def bundle(sources, maths_rules):
    """The one stylesheet: each of `sources` ([(name, text)], in order) under a comment naming
    its file, then the maths rules."""
    parts = [f"/* --- {name} --- */\n{text.strip()}\n" for name, text in sources]
    parts.append(f"/* --- the maths' rules (scripts/site/maths.py) --- */\n{maths_rules.strip()}\n")
    return "\n".join(parts)


def katex_link(site_root):
    """The link a page with maths carries first in its content; `site_root` as seen from the page."""
    return f'<link rel="stylesheet" href="{site_root}{KATEX_STYLESHEET}">\n'


def swap_fonts(css):
    """`css` with every @font-face set to ``font-display: swap``."""
    def swap(match):
        rule = match[0]
        if FONT_DISPLAY.search(rule):
            return FONT_DISPLAY.sub("font-display:swap", rule)
        return rule.replace("{", "{font-display:swap;", 1)
    return FONT_FACE.sub(swap, css)
