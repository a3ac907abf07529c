"""Every page for every reader: screen readers and keyboards, light and dark, no JavaScript,
reduced motion, and a Content-Security-Policy that nothing on the site breaks.

The site is built once for this file from a temporary copy of the project (mkdocs.yml,
docs/, scripts/, demos/, overrides/) with the asset build's files when `make assets` has
made them, and a small stand-in for any generated file a page references that is not
there yet. It is served under the sub-path /REPO/ by a local server and read by Debian's
Chromium through Playwright; every request to another host is refused. The checker is
axe-core (pinned in scripts/runtime/checkers.py), injected into each page.

The pages are checked twice: as first shown, with the Python runtime unreachable (so each
widget ends showing its figure, its reason and a retry button), and, for the posts with
widgets, once every widget is live (controls, canvases, keyboard, focus).
"""

import base64
import hashlib
import re
import shutil
from html.parser import HTMLParser

import pytest

from scripts.runtime import checkers, vendor
from scripts.site import blocks, csp
from tests.sites import READY_TIMEOUT, ROOT, build_site, copy_project, new_page
from tests.stand_ins import add_stand_ins, referenced

pytestmark = pytest.mark.xdist_group("browser")  # beside the other browser tests: one browser for them all

GENERATED = ROOT / "docs" / blocks.GENERATED
THEMES = {"light": "default", "dark": "slate"}  # what the reader's system prefers -> Material's scheme


# --- The site.


@pytest.fixture(scope="module")
def site(tmp_path_factory, httpd):
    """The project's site, built for the local server's URL (instant navigation follows only
    links inside site_url). Returns the server's base URL."""
    project = copy_project(tmp_path_factory.mktemp("a11y"))
    if (GENERATED / "manifest.json").is_file():
        shutil.copytree(GENERATED, project / "docs" / blocks.GENERATED, ignore=shutil.ignore_patterns(".*"))
    add_stand_ins(project, referenced(project))
    # The runtime files come from this project's verified cache, as in a real build.
    build_site(project, httpd.folder, httpd.url, OPENBLAS_NUM_THREADS="1", VENDOR_CACHE=str(vendor.cache_root()))
    return httpd.url


@pytest.fixture(scope="module")
def pages(site, httpd):
    """Every page of the site, as paths under the base URL ("" is the home page)."""
    found = [p.parent.relative_to(httpd.folder).as_posix() + "/" for p in sorted(httpd.folder.rglob("index.html"))]
    found = ["" if p == "./" else p for p in found]
    assert "" in found and any(p.startswith("posts/") for p in found), found
    return found + ["404.html"]


def built_file(httpd, path):
    """The HTML file served for `path` (as listed by `pages`)."""
    return httpd.folder / path if path.endswith(".html") else httpd.folder / path / "index.html"


@pytest.fixture(scope="session")
def axe_script():
    return str(checkers.ensure_axe(log=lambda message: None))


def open_page(page, url):
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    page.wait_for_load_state("load")


def run_axe(page):
    """axe-core's violations on the page as it is now, one readable line per failing element.
    (The page must come from a context made with `axe=...`.) Colours are measured once every
    transition has ended: half-way through a fade (Material's back-to-top button appearing as
    the page scrolls up) a colour is a blend no reader is left with."""
    page.wait_for_function("""() => document.getAnimations().every((a) =>
        a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)""")
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.flatMap((v) => v.nodes.map((n) =>
            `${v.id} (${v.impact}): ${v.help} -- ${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`));
    }""")
    return violations


def follow_link(page, url):
    """Click a link to `url` in the page's text, as a reader would, and wait for the new page's
    text (with instant navigation the document stays; only its content is replaced)."""
    old = page.evaluate_handle("() => document.querySelector('.md-content')")
    page.evaluate("url => { const a = document.createElement('a'); a.href = url; "
                  "document.querySelector('.md-content').append(a); a.click(); }", url)
    page.wait_for_function("old => !old.isConnected", arg=old)
    assert page.url == url


def set_theme(page, theme):
    """Tell the page the reader's system prefers `theme`; Material follows it (its first palette
    entry is the automatic one)."""
    page.emulate_media(color_scheme=theme)
    page.wait_for_function("scheme => document.body.dataset.mdColorScheme === scheme", arg=THEMES[theme])


# --- 1. The checker finds nothing, on any page, in either palette.


def test_no_page_has_an_accessibility_violation_in_either_palette(browser, site, pages, axe_script):
    """Each page as first shown, light then dark; the runtime is unreachable, so its widgets
    end in their fallback state (figure, reason, retry button) and that is what gets checked."""
    page = new_page(browser, site, block=("vendor/pyodide",), axe=axe_script)
    found = []
    for path in pages:
        open_page(page, site + path)
        if page.locator(".nn-widget[data-state='loading']").count():
            # Widgets near the top have started: wait until they give up, as a reader would see them.
            page.wait_for_function("() => !document.querySelector(\".nn-widget[data-state='loading']\")",
                                   timeout=60_000)
        for theme in THEMES:
            set_theme(page, theme)
            found += [f"{path or 'home'} ({theme}): {v}" for v in run_axe(page)]
    page.context.close()
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)
    problems = list(dict.fromkeys(page.problems))
    assert not problems, "\n".join(problems)


def test_the_keyboard_focus_on_a_post_stands_out_in_either_palette(browser, site, pages):
    """Tab through a post's links, menus and buttons (the widgets' controls are checked below):
    each shows a focus ring at least 3:1 from what is behind it."""
    post = next(path for path in pages if path.startswith("posts/"))
    page = new_page(browser, site, block=("vendor/pyodide",))
    open_page(page, site + post)
    problems, checked = [], 0
    for theme in THEMES:
        set_theme(page, theme)
        page.evaluate("() => document.activeElement?.blur()")
        for _ in range(60):
            page.keyboard.press("Tab")
            control = page.evaluate(DESCRIBE_FOCUS, page.locator("body").element_handle())
            if control is None or control["tag"] not in ("a", "button", "summary"):
                continue
            if page.evaluate("() => !!document.activeElement.closest('.nn-widget')"):
                continue
            checked += 1
            style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            if style == "none" or control["contrast"] < 3:
                problems.append(f"{post} ({theme}): {control['tag']} {control['path']} \"{control['name'][:40]}\": "
                                f"outline {style}, contrast {control['contrast']:.1f}:1")
    page.context.close()
    assert checked >= 20, f"only {checked} links and buttons reached with Tab"
    assert not problems, "\n".join(dict.fromkeys(problems))


# --- 1b. Every widget, live: the checker again, in both palettes, then the keyboard alone.


# For each control reached with Tab: its name, how its focus ring stands out, and its state.
DESCRIBE_FOCUS = """(root) => {
    const el = document.activeElement;
    if (!root.contains(el)) return null;
    // A control hidden from sight (a radio drawn as a swatch) shows its focus on what its label draws.
    let shows = el;
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2) {
        const label = el.labels?.[0] || el.closest("label");
        shows = [...(label?.querySelectorAll("*") || [])]
            .find((e) => e !== el && getComputedStyle(e).outlineStyle !== "none") || el;
    }
    const style = getComputedStyle(shows);
    const rgba = (text) => (text.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number).concat([1]).slice(0, 4);
    const luminance = ([r, g, b]) => [r, g, b].map((c) => c / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    let behind = [255, 255, 255, 1];  // the first opaque background around the control
    for (let e = shows.parentElement; e; e = e.parentElement) {
        const colour = rgba(getComputedStyle(e).backgroundColor);
        if (colour[3] === 1) { behind = colour; break; }
    }
    const ring = rgba(style.outlineColor);
    const mixed = ring.slice(0, 3).map((c, i) => c * ring[3] + behind[i] * (1 - ring[3]));
    const [light, dark] = [luminance(mixed), luminance(behind)].sort((a, b) => b - a);
    const labelled = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent || "").join(" ");
    const name = (el.getAttribute("aria-label") || labelled
        || [...(el.labels || [])].map((l) => l.textContent).join(" ")
        || (["BUTTON", "A"].includes(el.tagName) ? el.textContent : "") || el.title || "").trim();
    const described = (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent || "").join(" ").trim();
    return {
        tag: el.tagName.toLowerCase(), type: el.type || "", role: el.getAttribute("role") || "",
        name, described, value: el.value, checked: el.checked, disabled: el.disabled,
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        contrast: (light + 0.05) / (dark + 0.05),
        path: el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`,
    };
}"""


def keyboard_problems(page, root, where):
    """Tab through one live widget; report each control that cannot be named, seen or worked."""
    problems = []
    first = root.evaluate("""root => {
        const all = [...root.querySelectorAll("button, input, select, textarea, a[href], [tabindex]")]
            .filter((e) => e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null);
        if (all.length) all[0].focus();
        // A group of radio buttons is one stop of the Tab key.
        return new Set(all.map((e) => (e.type === "radio" && e.name ? `radio ${e.name}` : e))).size;
    }""")
    if not first:
        return [f"{where}: nothing in the live widget can be reached with the keyboard"]
    # Back out and Tab in again, so the browser knows the focus came from the keyboard.
    page.keyboard.press("Shift+Tab")
    seen = 0
    for _ in range(80):
        page.keyboard.press("Tab")
        control = root.evaluate(DESCRIBE_FOCUS)
        if control is None:
            break
        seen += 1
        what = f"{where}: {control['tag']}{'[' + control['type'] + ']' if control['type'] else ''} {control['path']}"
        if not control["name"]:
            problems.append(f"{what} has no label")
        if not control["outline"]:
            problems.append(f"{what} shows no focus outline")
        elif control["contrast"] < 3:  # WCAG's least contrast for what marks a control's state
            problems.append(f"{what}: its focus outline has a contrast of {control['contrast']:.1f}:1 "
                            "with the background, under 3:1")
        problems += operate(page, root, control, what)
    else:
        problems.append(f"{where}: Tab never leaves the widget (a keyboard trap)")
    if seen < first:
        problems.append(f"{where}: Tab reached {seen} of the {first} controls")
    return problems


def operate(page, root, control, what):
    """Work one control with the keys a keyboard reader would use, and put it back."""
    kind = control["type"] if control["tag"] == "input" else control["tag"]
    if kind in ("button", "a", "submit", "color"):
        return []  # native: Enter (and Space) press it, or open the colour picker, by themselves
    if control["tag"] == "canvas" or control["role"]:
        # A control of its own making must say which keys it takes.
        return [] if control["described"] else [f"{what} takes keys but says nowhere which"]
    keys = {"range": ("ArrowRight", "ArrowLeft"), "number": ("ArrowUp", "ArrowDown"),
            "select": ("ArrowDown", "ArrowUp"), "radio": ("ArrowDown", "ArrowUp"),
            "checkbox": ("Space", "Space")}.get(kind)
    if keys is None:
        return [f"{what}: an unexpected kind of control"]
    forward, back = keys
    state = "() => [document.activeElement.value, document.activeElement.checked]"
    before = (control["value"], control["checked"])
    page.keyboard.press(forward)
    after = tuple(root.evaluate(state))
    if after == before:  # at the end of its range: the other way
        forward, back = back, forward
        page.keyboard.press(forward)
        after = tuple(root.evaluate(state))
    page.keyboard.press(back)
    return [] if after != before else [f"{what}: {forward} does not change it"]


CANVAS_LABELS = """(root) => [...root.querySelectorAll(".nn-widget-live canvas")]
    .filter((c) => c.offsetParent !== null)
    .map((c) => ({role: c.getAttribute("role") || "", label: (c.getAttribute("aria-label") || "").trim(),
                  cls: c.className}))"""


def widget_pages(httpd):
    """Posts with at least one widget, in series order."""
    return sorted(p.parent.relative_to(httpd.folder).as_posix() + "/"
                  for p in httpd.folder.glob("posts/*/index.html") if 'class="nn-widget' in p.read_text())


def test_live_widgets_pass_the_checker_and_work_with_the_keyboard_alone(browser, site, httpd, axe_script):
    if not (GENERATED / "manifest.json").is_file():
        pytest.skip("the live widgets need the trained models of `make assets`")
    page = new_page(browser, site, axe=axe_script, color_scheme="light")
    found = []
    posts = widget_pages(httpd)
    assert posts, "no post has a widget"
    for number, path in enumerate(posts):
        if number == 0:
            open_page(page, site + path)
            page.evaluate("window.sameDocument = true")
        else:  # instant navigation, as a reader clicks through: the page's one worker lives on
            follow_link(page, site + path)
            assert page.evaluate("window.sameDocument"), "not an instant navigation"
        roots = page.locator(".md-content .nn-widget")
        for i in range(roots.count()):
            root = roots.nth(i)
            root.scroll_into_view_if_needed()
            page.wait_for_function("e => !['idle', 'loading'].includes(e.dataset.state)",
                                   arg=root.element_handle(), timeout=READY_TIMEOUT)
            state = root.get_attribute("data-state")
            assert state == "ready", f"{path} {root.get_attribute('data-widget')}: {state}: " \
                                     f"{root.locator('.nn-widget-status').text_content()}"
        for theme in THEMES:
            set_theme(page, theme)
            found += [f"{path} ({theme}, live): {v}" for v in run_axe(page)]
        set_theme(page, "light")  # the keyboard pass runs once, in the palette where rings are palest
        for i in range(roots.count()):
            root = roots.nth(i)
            where = f"{path} {root.get_attribute('data-widget')} #{i + 1}"
            found += keyboard_problems(page, root, where)
            for canvas in root.evaluate(CANVAS_LABELS):
                if canvas["role"] not in ("img", "application") or len(canvas["label"].split()) < 3:
                    found.append(f"{where}: canvas.{canvas['cls']} has no text alternative saying what it "
                                 f"shows (role {canvas['role']!r}, label {canvas['label']!r})")
    widget_workers = [w for w in page.workers if w.url.endswith("/javascripts/widgets/worker.js")]
    page.context.close()
    assert len(widget_workers) == 1, f"{len(widget_workers)} widget workers after {len(posts)} pages"
    found += list(dict.fromkeys(page.problems))
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)


# --- 2. Without JavaScript, and with the reader's wish for less motion.


PAGE_CONTENT = """() => {
    const article = document.querySelector("article");
    const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    const images = [...article.querySelectorAll("img")];
    for (const details of article.querySelectorAll("details")) details.open = true;  // as a reader would
    const words = (text) => text.replace(/\\s+/g, " ").trim().length;
    return {
        heading: article.querySelector("h1")?.textContent.trim() || "",
        text: words(article.innerText),
        source: words(article.textContent),
        broken: images.filter((i) => !(i.complete && i.naturalWidth > 0) || !shown(i)).map((i) => i.src),
        videos: [...article.querySelectorAll("video")].map((v) => ({shown: shown(v), poster: v.poster})),
        // Typeset at build time: KaTeX's boxes drawn, no TeX source showing.
        maths: [...article.querySelectorAll(".arithmatex")].map((m) => ({
            typeset: !!m.querySelector(".katex-html") && shown(m.querySelector(".katex-html")),
            text: m.innerText.trim().slice(0, 40)})),
        widgets: [...article.querySelectorAll(".nn-widget")].map((w) => {
            const figure = w.querySelector(".nn-widget-fallback img, .nn-widget-fallback video");
            const note = w.querySelector(".nn-widget-noscript");
            return {name: w.dataset.widget, state: w.dataset.state, figure: !!figure && shown(figure),
                    note: !!note && shown(note), live: !!w.querySelector(".nn-widget-live, .nn-widget-retry")};
        }),
    };
}"""


def test_without_javascript_every_page_shows_its_text_maths_figures_videos_and_widget_figures(browser, site, pages):
    page = new_page(browser, site, java_script_enabled=False)
    posters = {}
    page.on("response", lambda r: posters.__setitem__(r.url, r.status) if r.request.resource_type == "image" else None)
    problems = []
    widgets = videos = formulas = 0
    for path in pages:
        open_page(page, site + path)
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(PAGE_CONTENT)
        where = path or "home"
        if not seen["heading"]:
            problems.append(f"{where}: no heading")
        if seen["text"] < 0.95 * seen["source"]:  # the text is there and not hidden behind a script
            problems.append(f"{where}: only {seen['text']} of {seen['source']} characters of text show")
        problems += [f"{where}: image not shown: {src}" for src in seen["broken"]]
        for video in seen["videos"]:
            videos += 1
            if not video["shown"] or posters.get(video["poster"]) != 200:
                problems.append(f"{where}: video not shown with its poster: {video}")
        for formula in seen["maths"]:
            formulas += 1
            if not formula["typeset"] or formula["text"].startswith(("\\(", "\\[")):
                problems.append(f"{where}: maths not typeset: {formula}")
        for w in seen["widgets"]:
            widgets += 1
            if not (w["figure"] and w["note"]) or w["state"] != "idle" or w["live"]:
                problems.append(f"{where}: widget {w['name']} without its figure and note: {w}")
    page.context.close()
    assert widgets and videos and formulas, "the site should have widgets, videos and maths to check"
    assert not problems, "\n".join(problems)


VIDEOS = """() => [...document.querySelectorAll("video")].map((v) => {
    const described = v.closest(".nn-video")?.querySelector(".nn-video-description")?.textContent.trim() || "";
    return {src: v.currentSrc || v.querySelector("source")?.src, paused: v.paused, time: v.currentTime,
            autoplay: v.autoplay, captions: !!v.querySelector("track[kind=captions], track[kind=subtitles]"),
            text: described || (v.getAttribute("aria-label") || "").trim()};
})"""


def test_videos_never_start_by_themselves_and_each_is_told_in_words(browser, site, httpd, pages):
    """With the reader's system asking for reduced motion, no video moves until asked; and
    every video has captions or a description of what it shows."""
    page = new_page(browser, site, block=("vendor/pyodide",), reduced_motion="reduce")
    problems, count = [], 0
    for path in [p for p in pages if "<video" in built_file(httpd, p).read_text()]:
        open_page(page, site + path)
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        for video in page.locator("video").all():
            video.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # time enough for any autoplay to have started
        for video in page.evaluate(VIDEOS):
            count += 1
            where = f"{path or 'home'}: {video['src']}"
            if video["autoplay"] or not video["paused"] or video["time"] > 0:
                problems.append(f"{where} plays by itself")
            if not video["captions"] and len(video["text"].split()) < 5:
                problems.append(f"{where} has neither captions nor a description in words")
    page.context.close()
    assert count, "no video on the site to check"
    assert not problems, "\n".join(problems)


# --- 3. The Content-Security-Policy.


class Head(HTMLParser):
    """The policies of a page and what comes before the first of them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.policies, self.before, self.scripts, self._script = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(attrs["content"])
        elif not self.policies and tag in ("script", "link", "style"):
            self.before.append(tag)
        if tag == "script" and "src" not in attrs and attrs.get("type", "") in ("", "module", "text/javascript"):
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


def directives_of(policy_text):
    return {d.split()[0]: d.split()[1:] for d in policy_text.split(";") if d.strip()}


def test_the_policy_hashes_exactly_the_inline_scripts_a_browser_runs():
    page = ('<head><meta http-equiv="Content-Security-Policy" content="@@NN_CSP@@"></head><body>'
            '<script>var a = 1</script><script src="x.js"></script><script type="module">b()</script>'
            '<script id="__config" type="application/json">{"base": "."}</script>'
            "<script type='text/javascript'>c()</script></body>")
    sha = lambda text: f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"  # noqa: E731
    assert csp.inline_script_hashes(page) == sorted([sha("var a = 1"), sha("b()"), sha("c()")])
    filled = csp.apply(page)
    assert csp.TOKEN not in filled and "&quot;" not in filled
    policy = re.search(r'content="([^"]*)"', filled)[1]
    assert directives_of(policy)["script-src"] == ["'self'", "'wasm-unsafe-eval'", *csp.inline_script_hashes(page)]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_a_page_without_the_placeholder_is_refused_not_published_without_its_policy():
    with pytest.raises(ValueError, match="custom_dir: overrides"):
        csp.apply("<html><head></head><body><script>a()</script></body></html>")


def test_the_preview_allows_its_live_reload_script_and_keeps_every_other_rule():
    served = directives_of(csp.policy(["'sha256-abc='"], serving=True))
    built = directives_of(csp.policy(["'sha256-abc='"]))
    assert served["script-src"] == ["'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"]
    del served["script-src"], built["script-src"]
    assert served == built


def test_a_runtime_from_its_cdn_is_allowed_for_scripts_and_fetches_only(monkeypatch):
    monkeypatch.setenv("PYODIDE_SOURCE", "cdn")
    directives = directives_of(csp.policy())
    cdn = "https://cdn.jsdelivr.net"
    assert cdn in directives["script-src"] and cdn in directives["connect-src"]
    assert [name for name, sources in directives.items() if cdn in sources] == ["script-src", "connect-src"]


def test_every_page_carries_a_policy_that_allows_only_the_site_itself(site, httpd):
    files = sorted(httpd.folder.rglob("*.html"))
    assert len(files) >= 8
    for file in files:
        head = Head(file.read_text(encoding="utf-8"))
        where = file.relative_to(httpd.folder)
        assert len(head.policies) == 1, f"{where}: {len(head.policies)} Content-Security-Policy meta tags"
        assert not head.before, f"{where}: {head.before} come before the policy, which does not cover them"
        assert csp.TOKEN not in head.policies[0], (
            f"{where}: the policy was never filled in: scripts/site/hooks.py must pass every page to "
            "csp.apply (on_post_page, and on_post_template for 404.html)")
        directives = directives_of(head.policies[0])
        for name in ("default-src", "script-src", "style-src", "font-src", "img-src", "media-src",
                     "connect-src", "worker-src"):
            sources = directives.get(name, directives["default-src"])
            others = [s for s in sources if s not in ("'self'", "'wasm-unsafe-eval'", "data:")
                      and not s.startswith("'sha256-")]
            assert "'self'" in sources and not others, f"{where}: {name} allows {others}"
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'self'"]
        assert "'wasm-unsafe-eval'" in directives["script-src"]  # Pyodide compiles WebAssembly
        assert "data:" not in directives["script-src"] + directives["style-src"]
        hashes = {s for s in directives["script-src"] if s.startswith("'sha256-")}
        inline = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                  for s in head.scripts}
        assert hashes == inline, f"{where}: the hashes do not match the page's inline scripts"


def test_pages_break_no_rule_of_their_policy_across_instant_navigation(browser, site, pages):
    """Each page loaded afresh is covered by the axe tests above (which fail on any violation);
    here the reader walks the whole series with instant navigation, then a script of the
    kind an attacker would inject is refused and reported, proving the watch works."""
    page = new_page(browser, site, block=("vendor/pyodide",))
    open_page(page, site)
    page.evaluate("window.sameDocument = true")
    for path in pages[1:-1] + [""]:
        follow_link(page, site + path)
    assert page.evaluate("window.sameDocument"), "a page switch reloaded the page"
    assert not page.problems, "\n".join(dict.fromkeys(page.problems))
    ran = page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.append(s);
        const img = document.createElement("img");
        img.src = "https://example.com/pixel.png";
        document.body.append(img);
        return new Promise((resolve) => setTimeout(() => resolve(window.injected === true), 300));
    }""")
    assert not ran, "an injected inline script ran"
    assert any("script-src" in p for p in page.problems), page.problems
    assert any("img-src" in p and "example.com" in p for p in page.problems), page.problems
    page.context.close()


def test_a_tampered_numpy_wheel_is_refused_and_the_widget_keeps_its_figure(browser, site, httpd):
    """The runtime checks each package against the sha256 of its lock file before using it;
    a wheel altered on the way (one byte) never runs."""
    [wheel] = (httpd.folder / "vendor").glob(f"pyodide-*/{vendor.NUMPY_WHEEL}")
    wheel = wheel.read_bytes()
    tampered = wheel[:-1] + bytes([wheel[-1] ^ 1])
    page = new_page(browser, site)
    page.context.route(f"**/{vendor.NUMPY_WHEEL}", lambda route: route.fulfill(
        status=200, body=tampered, content_type="application/octet-stream"))
    path = widget_pages(httpd)[0]
    open_page(page, site + path)
    root = page.locator(".md-content .nn-widget").first
    root.scroll_into_view_if_needed()
    page.wait_for_function("e => !['idle', 'loading'].includes(e.dataset.state)",
                           arg=root.element_handle(), timeout=READY_TIMEOUT)
    status = root.locator(".nn-widget-status").text_content()
    assert root.get_attribute("data-state") == "fallback", status
    assert "numpy" in status.lower(), status
    assert root.locator(".nn-widget-fallback").is_visible()
    assert root.get_by_role("button", name="Try the live version again").is_visible()
    page.context.close()
