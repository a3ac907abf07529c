"""What the tests that build, serve and open a site share: one module, so no test file imports another.

- Building: a copy of the project with pages of a test's own, built by mkdocs exactly as
  `make site` builds it (same hooks, same theme overrides).
- Serving: the built site under /REPO/, as GitHub Pages serves a project site
  (scripts/serving.py, as the bench does).
- Opening: a fresh page that may only talk to the local server and collects every page
  error and policy violation, and the widgets on it: waiting for a state, drawing on a canvas.
"""

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.runtime import vendor
from scripts.serving import serve

ROOT = Path(__file__).resolve().parent.parent
# What `mkdocs build` reads: the config, the pages, the theme overrides and the hooks' code.
SITE_SOURCES = ("docs", "scripts", "demos", "overrides")
READY_TIMEOUT = 180_000  # ms: a cold start of the runtime on a busy two-core machine is slow
RUNTIME_JS = "javascripts/widgets/runtime.js"
WIDGETS_CSS = "stylesheets/widgets.css"


# --- Building.


def copy_project(parent):
    """Copy mkdocs.yml and SITE_SOURCES into `parent`/project, leaving out generated assets
    (a test puts in the ones its pages need); returns the project folder."""
    project = Path(parent) / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project)
    for name in SITE_SOURCES:
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__", "generated"))
    return project


def build_site(project, folder, url, *options, **env):
    """`mkdocs build [options] -d folder` in `project`, for a site served at `url` (instant
    navigation follows only links inside site_url), with the self-hosted runtime. Fails the
    test with mkdocs' output when the site does not build."""
    # The project's verified runtime cache: a copy of the project has none of its own.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYODIDE_SOURCE": "self", "SITE_URL": url,
           "VENDOR_CACHE": str(vendor.cache_root()), **env}
    command = [sys.executable, "-m", "mkdocs", "build", *options, "-d", str(folder)]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        pytest.fail(f"the site did not build:\n{done.stdout}\n{done.stderr}")


def read_config(path):
    """An mkdocs.yml as MkDocs reads it (its !ENV tags included)."""
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    return yaml.load(Path(path).read_text(), Loader=get_yaml_loader())


def loads_widgets(config):
    """Whether an mkdocs config puts the widget runtime (as a module) and its styles on every page."""
    scripts = [s if isinstance(s, dict) else {"path": s} for s in config.get("extra_javascript") or []]
    module = any(s.get("path") == RUNTIME_JS and s.get("type") == "module" for s in scripts)
    return module and WIDGETS_CSS in (config.get("extra_css") or [])


def site_config(mkdocs_yml, pages, *extra_css):
    """The JSON (JSON is YAML) of a test site's config: the project's, with `pages` as its nav
    instead of the posts. Should the project's config not load the widgets (or `extra_css`),
    they are added here so the widgets can still be tested; a test of each file reports the omission."""
    config = read_config(mkdocs_yml)
    extra = {"INHERIT": "mkdocs.yml", "nav": list(pages),
             # The glossary goes with the posts it links to.
             "exclude_docs": f"{config.get('exclude_docs') or ''}\n/index.md\n/posts/\n/glossary.md\n"}
    if not loads_widgets(config):
        scripts = [s for s in config.get("extra_javascript") or [] if s != RUNTIME_JS]
        extra["extra_javascript"] = scripts + [{"path": RUNTIME_JS, "type": "module"}]
    css = config.get("extra_css") or []
    missing = [c for c in (WIDGETS_CSS, *extra_css) if c not in css]
    if missing:
        extra["extra_css"] = css + missing
    return json.dumps(extra)


# --- Serving.


@contextmanager
def serving(folder):
    """The site in `folder` (which may still be empty) served under /REPO/ while the block
    runs: the server, with its `folder` and base `url`."""
    server, url = serve(folder)
    server.folder, server.url = Path(folder), url
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --- Reading the built HTML.


class Tags(HTMLParser):
    """The start tags of an HTML text, attributes decoded as a browser decodes them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self._script = None
        self.config = None  # Material's settings, from <script id="__config">
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._script = [] if tag == "script" and dict(attrs).get("id") == "__config" else None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.config = json.loads("".join(self._script))
            self._script = None

    def find(self, tag, **wanted):
        """Attributes of every `tag` whose attributes match `wanted` (class_ for class, _ for -)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in wanted.items()}
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


# --- Opening pages.

# Records every Content-Security-Policy violation, from before the page's first script.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
    + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


def new_page(browser, server, block=(), axe=None, **options):
    """A fresh page (its own cache) that may only talk to the local server at `server`; `block`
    lists URL fragments whose requests fail, as an unreachable host would; `axe`, the checker's
    script, is put in every document (as an init script: the page's own policy would refuse it
    as a script tag). `page.problems` collects page errors and policy violations (from the event
    and from the console), none of which a page of the site may have. Requests are routed here,
    which a service worker would bypass: pages run without one (tests/test_browser_loading.py is
    where the service worker is tried)."""
    context = browser.new_context(**{"viewport": {"width": 1100, "height": 900}, "service_workers": "block", **options})
    problems = []

    def route(request_route):
        url = request_route.request.url
        if not url.startswith(server) or any(fragment in url for fragment in block):
            request_route.abort()
        else:
            request_route.continue_()

    def console(message):
        # Blocked content is reported by the event above; the console also tells of a policy
        # the browser could not read (a directive a <meta> cannot carry, a bad source).
        text = message.text
        if ("Content Security Policy" in text or "Content-Security-Policy" in text) and "violates" not in text:
            problems.append(f"console: {text}")

    context.route("**/*", route)
    context.expose_function("reportViolation", lambda text: problems.append(f"CSP violation: {text}"))
    context.add_init_script(WATCH_CSP)
    if axe:
        context.add_init_script(path=axe)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", console)
    page.problems = problems
    return page


def widget(page, name):
    return page.locator(f".nn-widget[data-widget='{name}']")


def status(page, name):
    return widget(page, name).locator(".nn-widget-status").text_content()


def bring_to(page, name, states=("ready",), timeout=READY_TIMEOUT):
    """Scroll the widget into view and wait until it reaches one of `states` (waiting for
    ready also ends at fallback or error, so a failure shows at once); returns the state."""
    root = widget(page, name)
    root.scroll_into_view_if_needed()
    settled = list(states) + (["error", "fallback"] if "ready" in states else [])
    page.wait_for_function("([root, states]) => states.includes(root.dataset.state)",
                           arg=[root.element_handle(), settled], timeout=timeout)
    return root.get_attribute("data-state")


def assert_ready(page, name):
    state = bring_to(page, name)
    assert state == "ready", f"{name} ended in {state}: {status(page, name)}"
    assert not page.problems, page.problems


def widget_workers(page):
    """The page's workers running the widgets (Material runs one of its own for search)."""
    return [worker for worker in page.workers if worker.url.endswith("/javascripts/widgets/worker.js")]


def draw(page, canvas, points, steps=8):
    """Drag the mouse through `points` (fractions of the canvas) with the button down."""
    canvas.scroll_into_view_if_needed()  # a click elsewhere may have scrolled it away: the mouse needs it on screen
    box = canvas.bounding_box()
    at = lambda p: (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])  # noqa: E731
    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(point), steps=steps)
    page.mouse.up()


# --- The playground on a page.


def readout(page, name="playground"):
    """Epoch and losses from the playground's readout, e.g. "Epoch 12 · loss: train 0.41, test 0.45 · ..."."""
    import re

    text = widget(page, name).locator(".nn-readout").text_content()
    match = re.match(r"Epoch (\d+) · loss: train (\S+), test (\S+)", text)
    assert match, text
    number = lambda s: None if s == "–" else float(s)  # noqa: E731
    return int(match[1]), number(match[2]), number(match[3])


def pause(page, name="playground"):
    """Click Pause and wait until the step that was running has landed."""
    widget(page, name).get_by_role("button", name="Pause").click()
    page.wait_for_function("e => e.textContent.startsWith('Paused')",
                           arg=widget(page, name).locator(".nn-widget-status").element_handle())


def wait_for_epoch(page, epoch, name="playground"):
    page.wait_for_function(
        "([name, epoch]) => Number(/Epoch (\\d+)/.exec(document.querySelector("
        "`.nn-widget[data-widget='${name}'] .nn-readout`).textContent)[1]) >= epoch",
        arg=[name, epoch], timeout=120_000)
