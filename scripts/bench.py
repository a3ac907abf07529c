"""Benchmark the live widgets in Chromium and print a table.

    python -m scripts.bench [--site site] [--seconds 10] [--repeat 3]

Serves the built site (``make site``) under the sub-path /REPO/, as GitHub Pages
serves a project site, and drives Debian's Chromium through Playwright:

- how long a page takes from navigation to a ready playground widget, with an
  empty browser cache (a reader's first visit) and with a warm one (a reload);
- how many epochs per second the playground trains, decision regions (100x100)
  and hidden-unit pictures included, in a few configurations set through the
  playground's shareable URL hash.

Timings depend on the machine and on what else it runs: the table says how busy
the machine was (load average). No test asserts any of these numbers.
"""

import argparse
import functools
import http.server
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
PREFIX = "/REPO/"
# (what it is, the playground's URL hash)
CONFIGURATIONS = [
    ("2-8-8-1 tanh, 250 spiral points (125 train), batch 10, lr 0.03",
     "pg.dataset=spirals&pg.hidden=8,8&pg.activation=tanh&pg.lr=0.03&pg.batch=10&pg.optimizer=sgd&pg.l2=0&pg.split=0.5&pg.noise=0.1"),
    ("2-8-8-1 tanh, 250 spiral points (225 train), batch 10, lr 0.03",
     "pg.dataset=spirals&pg.hidden=8,8&pg.activation=tanh&pg.lr=0.03&pg.batch=10&pg.optimizer=sgd&pg.l2=0&pg.split=0.9&pg.noise=0.1"),
    ("2-4-1 tanh, 250 circle points (125 train), batch 10, lr 0.3",
     "pg.dataset=circles&pg.hidden=4&pg.activation=tanh&pg.lr=0.3&pg.batch=10&pg.optimizer=sgd&pg.l2=0&pg.split=0.5"),
    ("2-16-16-16-16-1 relu, 250 spiral points (125 train), batch 10, adam",
     "pg.dataset=spirals&pg.hidden=16,16,16,16&pg.activation=relu&pg.lr=0.01&pg.batch=10&pg.optimizer=adam&pg.split=0.5"),
]
# Notes the time the playground becomes ready, and brings it into view at once.
WATCH_READY = """
addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector(".nn-widget[data-widget='playground']");
  new MutationObserver(() => {
    if (root.dataset.state === "ready" && !window.nnReadyAt) window.nnReadyAt = performance.now();
  }).observe(root, { attributes: true });
  root.scrollIntoView();
});
"""
EPOCH = """() => Number(/Epoch (\\d+)/.exec(document.querySelector(
  ".nn-widget[data-widget='playground'] .nn-readout").textContent)[1])"""


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder under PREFIX only, with the MIME types the runtime needs."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".zip": "application/zip"}

    def translate_path(self, path):
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path(path[len(PREFIX) - 1:])

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes while a video downloads is no error of the site.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(folder):
    """Start serving `folder` (which may still be empty) in a thread; returns (server, its base URL)."""
    server = QuietServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"


def playground_page(site):
    """The path (relative to the site) of the first page with a playground widget."""
    for page in sorted(site.rglob("index.html")):
        if "data-widget=\"playground\"" in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site).as_posix() + "/"
    raise SystemExit(f"no page of {site} has a playground widget; build the site with `make site` first")


def new_context(browser, base):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    # A published page needs nothing from another host: refuse it, as the tests do.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    context.add_init_script(WATCH_READY)
    return context


def seconds_to_ready(page, timeout=300):
    page.wait_for_function("() => window.nnReadyAt || document.querySelector(\".nn-widget[data-widget='playground']\")"
                           ".dataset.state === 'fallback'", timeout=timeout * 1000)
    ready = page.evaluate("window.nnReadyAt")
    if ready is None:
        raise SystemExit("the playground fell back to its figure: "
                         + page.text_content(".nn-widget[data-widget='playground'] .nn-widget-status"))
    return ready / 1000


def epochs_per_second(page, url, seconds):
    page.goto(url)
    page.reload()  # the hash is read when the widget starts
    seconds_to_ready(page)
    root = page.locator(".nn-widget[data-widget='playground']")
    root.get_by_role("button", name="Train").click()
    page.wait_for_function(f"() => ({EPOCH})() >= 20", timeout=120_000)  # past the start-up frames
    start_epoch, start = page.evaluate(EPOCH), time.perf_counter()
    time.sleep(seconds)
    end_epoch, end = page.evaluate(EPOCH), time.perf_counter()
    root.get_by_role("button", name="Pause").click()
    return (end_epoch - start_epoch) / (end - start)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--seconds", type=float, default=10.0, help="training time per configuration")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    args = parser.parse_args(argv)
    if not (args.site / "py" / "bundle.json").is_file():
        raise SystemExit(f"{args.site} is not a built site with widgets; run `make site` first")
    from playwright.sync_api import sync_playwright

    page_path = playground_page(args.site)
    server, base = serve(args.site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            cold, warm = [], []
            for _ in range(args.repeat):
                context = new_context(browser, base)
                page = context.new_page()
                page.goto(base + page_path)
                cold.append(seconds_to_ready(page))
                page.reload()
                warm.append(seconds_to_ready(page))
                context.close()
            rows.append(("page load to ready playground, empty cache (s)", cold))
            rows.append(("page load to ready playground, warm cache (s)", warm))
            context = new_context(browser, base)
            page = context.new_page()
            for name, fragment in CONFIGURATIONS:
                rates = [epochs_per_second(page, f"{base}{page_path}#{fragment}", args.seconds)
                         for _ in range(args.repeat)]
                rows.append((f"epochs/s: {name}", rates))
            context.close()
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Widgets in Chromium {version}, page {page_path}, load average {load}, {os.cpu_count()} CPUs")
    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':{width}}  {'median':>8}  {'min':>8}  {'max':>8}")
    for name, values in rows:
        print(f"{name:{width}}  {statistics.median(values):8.2f}  {min(values):8.2f}  {max(values):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
