"""The Content-Security-Policy of every page: only the site's own files may run or load.

The theme override (``overrides/main.html``) puts a ``<meta http-equiv=
"Content-Security-Policy" content="@@NN_CSP@@">`` first in every page's ``<head>``;
:func:`apply`, called on each built page (``on_post_page``), replaces the token with
the policy. Scripts, styles, fonts, images, media, workers and fetches must come from
the site's own origin. The theme's few small inline scripts (they must run before the
page is drawn: the colour palette, the site's scope in local storage) are allowed by
their sha256, computed here from the page itself, so a newer theme version with other
scripts needs no edit. Nothing else inline runs: no ``'unsafe-inline'``, no
``'unsafe-eval'``. WebAssembly may compile (``'wasm-unsafe-eval'``): Pyodide needs it.

With ``PYODIDE_SOURCE=cdn`` the runtime comes from its CDN, which the policy then
allows for scripts and fetches too (see scripts/runtime/browser_runtime.py).

``mkdocs serve`` adds an inline live-reload script to every page it serves, different
on each request, so no hash can allow it: there (``serving=True``) inline scripts are
allowed instead of hashed. Every other rule holds in the preview too.
"""

import base64
import hashlib
import html
import re
from urllib.parse import urlsplit

from scripts.runtime import browser_runtime, vendor

TOKEN = "@@NN_CSP@@"
# Only <script> elements the browser runs are hashed; a JSON block (Material's __config) is data.
SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script\s*>", re.S | re.I)
RUNNABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]*)""", re.I)


def inline_script_hashes(page_html):
    """``'sha256-...'`` sources of every inline script the browser would run, sorted."""
    found = set()
    for match in SCRIPT.finditer(page_html):
        attrs = match["attrs"]
        if re.search(r"\ssrc\s*=", attrs, re.I):
            continue
        kind = TYPE.search(attrs)
        if (kind[1].lower() if kind else "") not in RUNNABLE_TYPES:
            continue
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        found.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(found)


def policy(script_hashes=(), serving=False):
    """The policy text for a page whose inline scripts have these hashes.

    ``serving``: for ``mkdocs serve``, whose live-reload script no hash can name.
    """
    own = ["'self'"]
    # A hash in the list would switch 'unsafe-inline' off, so serving lists none.
    inline = ["'unsafe-inline'"] if serving else list(script_hashes)
    runtime = []
    if browser_runtime.pyodide_source() == "cdn":
        cdn = urlsplit(vendor.PYODIDE_CDN)
        runtime = [f"{cdn.scheme}://{cdn.netloc}"]
    directives = {
        "default-src": own,
        "script-src": own + ["'wasm-unsafe-eval'"] + runtime + inline,
        "style-src": own,
        "img-src": own + ["data:"],  # the theme draws its icons from data: SVGs in its CSS
        "font-src": own,
        "media-src": own,
        "connect-src": own + runtime,
        "worker-src": own,
        "object-src": ["'none'"],
        "base-uri": own,
        "form-action": own,
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def apply(page_html, serving=False):
    """The page with the theme's placeholder replaced by its policy.

    Call it on every built page (``on_post_page``, and ``on_post_template`` for 404.html),
    with ``serving=True`` under ``mkdocs serve``. Raises ValueError when the page has no
    placeholder: a page without its policy must not be published silently (is
    ``custom_dir: overrides`` set under ``theme:`` in mkdocs.yml?).
    """
    if TOKEN not in page_html:
        raise ValueError(f"the page has no Content-Security-Policy placeholder {TOKEN}: "
                         "mkdocs.yml needs `custom_dir: overrides` under `theme:`")
    text = policy(inline_script_hashes(page_html), serving)
    text = html.escape(text, quote=False).replace('"', "&quot;")
    return page_html.replace(TOKEN, text, 1)
