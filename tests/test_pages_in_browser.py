"""Every page of the real site, opened in Chromium under a sub-path: no console error,
no failed or off-site request, the page looks right at phone and desktop width
(screenshots are kept in the test's temporary folder for a person to look at), and
nothing on it moves once drawn; maths keeps its style across instant navigation."""

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.sites import ROOT, serving

pytestmark = pytest.mark.xdist_group("browser")
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not (ROOT / "docs/assets/generated/manifest.json").exists():
        pytest.skip("no generated assets: run `make assets` (make test does)")
    site = tmp_path_factory.mktemp("pages") / "site"
    site.mkdir()
    with serving(site) as server:
        # Built for the server's own address: instant navigation follows only links inside site_url.
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=server.url)
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        yield site, server.url


def pages(site):
    return sorted(p.parent.relative_to(site).as_posix() + "/" if p.parent != site else ""
                  for p in site.rglob("index.html") if "vendor" not in p.parts)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_loads_cleanly(browser, served, width, tmp_path):
    site, base = served
    host = urlsplit(base).netloc
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width])), service_workers="block")
    problems = []
    # Nothing may leave the machine: any other host is refused and counted as a problem.
    context.route(lambda url: urlsplit(url).netloc != host,
                  lambda route: (problems.append(f"off-site request {route.request.url}"), route.abort()))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    listed = pages(site)
    assert len(listed) >= 8  # the home and seven posts
    for path in listed:
        checking = len(problems)
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(300)
        assert page.locator("h1").first.is_visible(), path
        # The page never scrolls sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        page.screenshot(path=str(tmp_path / f"{width}-{path.strip('/').replace('/', '-') or 'home'}.png"))
        assert problems[checking:] == [], path
    context.close()


# Sums the page's layout shifts (those no input caused), as Lighthouse's CLS does for a load.
LAYOUT_SHIFT = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 1000);
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_moves_once_drawn(browser, served, width):
    """Pictures, videos and widgets have their room before they arrive: the layout shifts
    of loading each page add up to less than 0.02 (Lighthouse's good is 0.1)."""
    site, base = served
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width])))
    page = context.new_page()
    shifts = {}
    for path in pages(site) + ["404.html"]:
        page.goto(base + path, wait_until="load")
        shifts[path or "home"] = page.evaluate(LAYOUT_SHIFT)
    context.close()
    assert max(shifts.values()) < 0.02, shifts


def test_maths_keeps_its_style_across_instant_navigation(browser, served):
    """The home page has no maths and does not load KaTeX's stylesheet; a post reached from
    it by instant navigation (no page load) still shows its formulas in KaTeX's fonts."""
    site, base = served
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS["desktop"])))
    page = context.new_page()
    page.goto(base, wait_until="load")
    assert page.locator("link[href*='katex']").count() == 0
    page.evaluate("window.nnSamePage = true")  # gone if the browser loads a new page
    page.locator(".nn-series a").first.click()
    page.wait_for_function("() => document.querySelector('.katex')")
    assert page.evaluate("window.nnSamePage") is True, "the click loaded a new page: no instant navigation"
    font = page.wait_for_function("""() => {
        const family = getComputedStyle(document.querySelector('.katex')).fontFamily;
        return family.includes('KaTeX') && family; }""", timeout=15_000).json_value()
    assert "KaTeX_Main" in font
    context.close()
