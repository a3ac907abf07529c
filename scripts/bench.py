"""Measure the build, the pages and the widgets, and print one table.

    python -m scripts.bench [--quick] [--site site] [--seconds 10] [--repeat 3]

Writes the table to bench/latest.json and bench/latest.md (git-ignored) too. Rows:
the asset build (cold on a temporary copy of the project, with nothing to do, after
one recipe module changed), ``mkdocs build``, each post's page weight, time to
first paint, the playground's readiness and training rate (Chromium and CPython),
the digits network against scikit-learn's MLPClassifier, the convolutional
networks' training, the filters widget's update rate, and Lighthouse's mobile
performance audit of every post (``scripts/lighthouse.py``) with the layout shift
of every page at phone and desktop width.

A post's page weight is what Chromium fetches for it, scrolled to its end, with the
Python runtime refused (``fetched_by_page``): raw, and as GitHub Pages sends it,
gzipped for text (``transferred_size``); videos, the runtime and the data the page's
widgets fetch once it runs (``widget_data``) are counted apart.

The widget part:

Serves the built site (``make site``) under the sub-path /REPO/, as GitHub Pages
serves a project site, and drives Debian's Chromium through Playwright:

- how long a page takes from navigation to a ready playground widget, with an
  empty browser cache (a reader's first visit) and with a warm one (a reload);
- how many epochs per second the playground trains, decision regions (100x100)
  and hidden-unit pictures included, in a few configurations set through the
  playground's shareable URL hash (three classes among them), and with its network
  diagram in view, every neuron's picture and weight drawn live.

Timings depend on the machine and on what else it runs: the table says how busy
the machine was (load average). No test asserts any of these numbers.
"""

import argparse
import html
import json
import platform
import re
import shutil
import subprocess
import tempfile
import os
import statistics
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlsplit

from scripts import github_pages
from scripts.atomic import write_atomic
from scripts.serving import PREFIX, launch, serve

ROOT = Path(__file__).resolve().parent.parent
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
    ("3-class spirals: 2-8-8-3 tanh, 300 points (150 train), batch 10, lr 0.03",
     "pg.dataset=spirals&pg.classes=3&pg.n=300&pg.hidden=8,8&pg.activation=tanh&pg.lr=0.03&pg.batch=10"
     "&pg.optimizer=sgd&pg.l2=0&pg.split=0.5&pg.noise=0.1"),
]
# The page as a reader reads it while training: the plane in view (the network diagram below it
# draws only when on screen), or the network diagram scrolled into view, every neuron drawn live.
DIAGRAM = ".nn-widget[data-widget='playground'] .nn-pg-network"
WITH_DIAGRAM = [(f"{CONFIGURATIONS[0][0]}, the network diagram in view", CONFIGURATIONS[0][1])]
# Notes the time the playground becomes ready (nnReadyAt, ms since navigation), and brings it
# into view at once: a reader who heads straight for it.
WATCH_READY = """
addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector(".nn-widget[data-widget='playground']");
  new MutationObserver(() => {
    if (root.dataset.state === "ready" && !window.nnReadyAt) window.nnReadyAt = performance.now();
  }).observe(root, { attributes: true });
  if (!window.nnReadFirst) root.scrollIntoView();
});
"""
# The same for a reader who reads first: the page stays at its top until the bench scrolls.
READ_FIRST = "window.nnReadFirst = true;" + WATCH_READY
EPOCH = """() => Number(/Epoch (\\d+)/.exec(document.querySelector(
  ".nn-widget[data-widget='playground'] .nn-readout").textContent)[1])"""


def playground_page(site):
    """The path (relative to the site) of the first page with a playground widget."""
    for page in sorted(site.rglob("index.html")):
        if "data-widget=\"playground\"" in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site).as_posix() + "/"
    raise SystemExit(f"no page of {site} has a playground widget; build the site with `make site` first")


def new_context(browser, base, width=1200, init_script=None, service_workers="allow"):
    """A fresh browser profile (empty cache) that keeps every request for another host in
    `context.offsite` (see close_checked). Requests are watched, not intercepted:
    intercepting turns Chromium's HTTP cache off, and the warm-cache figures need it.
    `service_workers="block"` for a context that routes requests (a service worker would
    bypass the routes)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers=service_workers)
    context.offsite = []
    context.on("request", lambda request: request.url.startswith((base, "data:", "blob:"))
               or context.offsite.append(request.url))
    if init_script:
        context.add_init_script(init_script)
    return context


def close_checked(context):
    """Close `context`; a published page needs nothing from another host, so any such request ends the bench."""
    context.close()
    if context.offsite:
        raise SystemExit("a page asked another host for " + ", ".join(sorted(set(context.offsite))[:5]))


def seconds_to_ready(page, timeout=300):
    page.wait_for_function("() => window.nnReadyAt || document.querySelector(\".nn-widget[data-widget='playground']\")"
                           "?.dataset.state === 'fallback'", timeout=timeout * 1000,
                           # Not Playwright's default of every animation frame: that makes the browser
                           # render 60 frames a second, and the time is read from nnReadyAt anyway.
                           polling=100)
    ready = page.evaluate("window.nnReadyAt")
    if ready is None:
        raise SystemExit("the playground fell back to its figure: "
                         + page.text_content(".nn-widget[data-widget='playground'] .nn-widget-status"))
    return ready / 1000


def epochs_per_second(page, url, seconds, in_view=None):
    page.goto(url)
    page.reload()  # the hash is read when the widget starts
    seconds_to_ready(page)
    root = page.locator(".nn-widget[data-widget='playground']")
    if in_view:
        page.locator(in_view).scroll_into_view_if_needed()
    root.get_by_label("Speed").select_option("fast")  # the rate the browser sustains, not a chosen pace
    root.get_by_role("button", name="Train").click()
    page.wait_for_function(f"() => ({EPOCH})() >= 20", timeout=120_000)  # past the start-up frames
    start_epoch, start = page.evaluate(EPOCH), time.perf_counter()
    time.sleep(seconds)
    end_epoch, end = page.evaluate(EPOCH), time.perf_counter()
    root.get_by_role("button", name="Pause").click()
    return (end_epoch - start_epoch) / (end - start)


# --- Pure helpers (tested in tests/test_bench.py).

VIDEO_SUFFIXES = (".mp4", ".webm")
# The Python runtime (Pyodide, NumPy, our code): fetched once per visit, when a widget starts,
# and measured apart by runtime_weight.
RUNTIME_PREFIXES = ("vendor/pyodide", "py/")
gzip_size, transferred_size = github_pages.gzip_size, github_pages.transferred_size


def site_path(base, url):
    """The file of the site served at `base` that `url` names (relative to the site), or None
    for another host. A folder URL names its index.html."""
    url = url.split("#")[0].split("?")[0]
    if not url.startswith(base):
        return None
    path = url[len(base):]
    return path + "index.html" if path == "" or path.endswith("/") else path


def weigh_fetched(site, paths):
    """What a page costs a reader, from the site-relative `paths` the browser fetched for it.

    Returns {"page": (raw, transferred), "videos": (raw, transferred), "files": [paths counted]}:
    the page is everything fetched except videos and the Python runtime (RUNTIME_PREFIXES,
    see runtime_weight); videos are counted whole, as a reader who plays them downloads them.
    A path with no file in `site` (a 404) costs nothing."""
    site = Path(site)
    page, videos = set(), set()
    for path in paths:
        if path.startswith(RUNTIME_PREFIXES) or not (site / path).is_file():
            continue
        (videos if path.lower().endswith(VIDEO_SUFFIXES) else page).add(path)

    def sizes(files):
        blobs = [(name, (site / name).read_bytes()) for name in files]
        return sum(len(data) for _, data in blobs), sum(transferred_size(name, data) for name, data in blobs)

    return {"page": sizes(page), "videos": sizes(videos), "files": sorted(page)}


# A widget's placeholder names the data files its model is made from (see scripts/site/blocks.py).
WIDGET_FILES = re.compile(r"data-files='([^']*)'")


def widget_data(page_html):
    """Site-relative paths of the data files the widgets of `page_html` fetch once the
    runtime runs (their models' weights, their sample pictures), as their placeholders name them."""
    return sorted({path for attribute in WIDGET_FILES.findall(page_html)
                   for path in json.loads(html.unescape(attribute)).values()})


def runtime_weight(site):
    """(raw, as sent) bytes of what the worker fetches to start: the runtime folder (Pyodide,
    its standard library, NumPy's wheel) and our code."""
    site = Path(site)
    files = sorted((site / "vendor").glob("pyodide*/*")) + sorted((site / "py").glob("demos-*.zip"))
    blobs = [(f.name, f.read_bytes()) for f in files if f.is_file()]
    return sum(len(data) for _, data in blobs), sum(transferred_size(name, data) for name, data in blobs)


def row(figure, values, unit, goal="", met=None, note=""):
    """One line of the table; `values` are the runs' results (one or more numbers)."""
    values = [float(v) for v in values]
    return {"figure": figure, "unit": unit, "runs": len(values), "median": statistics.median(values),
            "min": min(values), "max": max(values), "values": values, "goal": goal,
            "met": None if met is None else bool(met), "note": note}


def _number(value):
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def format_table(rows, machine):
    """The Markdown of the machine line and the table."""
    lines = [f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores), "
             f"Python {machine['python']}, NumPy {machine['numpy']}, Chromium {machine['chromium']}; "
             f"load average {machine['load_start']} at the start, {machine['load_end']} at the end.", "",
             "| figure | median | min | max | runs | goal | met | note |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for r in rows:
        met = {None: "—", True: "met", False: "missed"}[r["met"]]
        cells = [f"{r['figure']} ({r['unit']})", _number(r["median"]), _number(r["min"]), _number(r["max"]),
                 str(r["runs"]), r["goal"] or "—", met, r["note"]]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --- Measurements.

def timed(function, repeat):
    """Seconds each of `repeat` calls of `function` takes, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def project_copy(folder, with_assets):
    """Copy what the asset build and the site need into `folder`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("demos", "scripts", "overrides", "docs"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=ignore if with_assets or name != "docs"
                            else shutil.ignore_patterns("__pycache__", "generated"))
    for name in ("mkdocs.yml", "pyproject.toml"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, folder / name)


def build_assets(folder, *args):
    """Run the asset build in `folder`; returns (seconds, labels of the recipes built)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts.assets", *args], cwd=folder,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"the asset build failed in {folder}:\n{done.stdout}\n{done.stderr}")
    return seconds, re.findall(r"^\s*built\s+(\S+)", done.stdout, re.M)


def asset_rows(quick, repeat):
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        project_copy(folder, with_assets=quick)
        if not quick:
            seconds, built = build_assets(folder, "--force")
            rows.append(row("full asset build, cold, temporary copy", [seconds], "s", "< 180 s", seconds < 180,
                            f"{len(built)} recipes"))
        else:
            build_assets(folder)  # the copied assets may need recording; not measured
        noop = [build_assets(folder)[0] for _ in range(repeat)]
        rows.append(row("no-op asset build (python -m scripts.assets)", noop, "s", "< 1 s", max(noop) < 1))
        module = folder / "scripts" / "assets" / "recipes" / "post2_line.py"
        module.write_text(module.read_text(encoding="utf-8") + "\n# touched by the benchmark\n", encoding="utf-8")
        seconds, built = build_assets(folder)
        only = all(label.startswith("post2_line.") for label in built) and built
        rows.append(row("one-recipe change (comment appended to post2_line.py)", [seconds], "s",
                        "only post2_line's recipes re-run", bool(only), "re-ran: " + ", ".join(built)))
    return rows


def site_rows(repeat):
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        def build():
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", tmp],
                           cwd=ROOT, check=True, capture_output=True)
        seconds, _ = timed(build, repeat)
    return [row("site build (mkdocs build, assets up to date)", seconds, "s", "< 10 s", statistics.median(seconds) < 10)]


def post_pages(site):
    return sorted(p for p in (site / "posts").glob("*/index.html"))


SCROLL_TO_END = """async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 150));
    for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) { scrollTo(0, y); await pause(); }
    scrollTo(0, document.documentElement.scrollHeight);
    return [...document.querySelectorAll("video[src], video source[src]")].map((video) => video.src);
}"""


def fetched_by_page(browser, base, path, quiet_ms=1000, timeout_s=60):
    """Site-relative paths of every file Chromium fetches for the page `path` of the site
    served at `base`, scrolled to its end (lazy images load) until the network has been
    quiet for `quiet_ms`, plus the videos the page names (a reader who plays one fetches
    it). Requests for the Python runtime are refused, so what it would load next (the
    widgets' trained models) is not fetched either: this is the page before the runtime."""
    def in_runtime(url):
        return (site_path(base, url) or "").startswith(RUNTIME_PREFIXES)

    context = new_context(browser, base, service_workers="block")
    context.route(in_runtime, lambda route: route.abort())
    fetched, pending, last = set(), set(), [time.monotonic()]

    def started(request):
        pending.add(request)
        last[0] = time.monotonic()

    def ended(request, finished):
        pending.discard(request)
        last[0] = time.monotonic()
        if finished and site_path(base, request.url):
            fetched.add(site_path(base, request.url))

    context.on("request", started)
    context.on("requestfinished", lambda request: ended(request, True))
    context.on("requestfailed", lambda request: ended(request, False))
    page = context.new_page()
    page.goto(base + path, wait_until="load")
    videos = page.evaluate(SCROLL_TO_END)
    give_up = time.monotonic() + timeout_s
    while (pending or time.monotonic() - last[0] < quiet_ms / 1000) and time.monotonic() < give_up:
        page.wait_for_timeout(100)
    close_checked(context)
    return fetched | {site_path(base, url) for url in videos if site_path(base, url)}


def weight_rows(site):
    from playwright.sync_api import sync_playwright
    rows = []
    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for page in post_pages(site):
                w = weigh_fetched(site, fetched_by_page(browser, base, page.parent.relative_to(site).as_posix() + "/"))
                raw, sent = w["page"]
                data = [(site / path).read_bytes() for path in widget_data(page.read_text(encoding="utf-8"))]
                widgets = (f"; widgets' data {sum(map(len, data)) / 1000:.0f} KB (gzip "
                           f"{sum(map(gzip_size, data)) / 1000:.0f} KB) once the runtime runs" if data else "")
                rows.append(row(f"page weight {page.parent.name}", [sent / 1000], "KB transferred",
                                "< 500 KB transferred before the runtime", sent < 500_000,
                                f"raw {raw / 1000:.0f} KB; videos {w['videos'][0] / 1000:.0f} KB; "
                                f"{len(w['files'])} files fetched by Chromium, scrolled to the end{widgets}"))
            browser.close()
    finally:
        server.shutdown()
    raw, packed = runtime_weight(site)
    rows.append(row("runtime (Pyodide + NumPy + demos), once per visit", [raw / 1000], "KB", "", None,
                    f"gzip {packed / 1000:.0f} KB"))
    return rows


def driven(step, seconds, budget=0.030, max_per_call=100):
    """Units (epochs, mini-batches) per second of `step(n)` called as the page's training loop
    calls a model: n adapted towards `budget` seconds a call."""
    per_call, units, started = 1, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        t = time.perf_counter()
        step(per_call)
        units += per_call
        took = time.perf_counter() - t
        per_call = max(1, min(max_per_call, round(per_call * min(2, max(0.5, budget / max(took, 1e-3))))))
    return units / (time.perf_counter() - started)


def playground_cpython(seconds):
    """Epochs per second of the playground model driven as the page drives it (each call
    computes the 100x100 decision regions)."""
    from demos.widgets.playground import PlaygroundModel
    model = PlaygroundModel(dataset="spirals", noise=0.1, hidden=(8, 8), activation="tanh", learning_rate=0.03,
                            batch_size=10, optimizer="sgd", l2=0.0, split=0.5)
    return driven(model.step, seconds)


def digits_rows(repeat):
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    import warnings
    from demos.datasets import PIXEL_MAX, digits_split, one_hot
    from demos.nn import Network, Trainer, make_optimizer
    X_train, X_test, y_train, y_test = digits_split()
    X_train, X_test = X_train / PIXEL_MAX, X_test / PIXEL_MAX

    def ours():
        net = Network([64, 64, 10], ["relu", "softmax"], seed=0)
        Trainer(net, X_train, one_hot(y_train, 10), "categorical_cross_entropy", make_optimizer("adam", 0.001),
                batch_size=32, l2=1e-3, seed=0).run(40)
        return float(np.mean(net.predict(X_test) == y_test))

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MLPClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X_train, y_train)
        return float(model.score(X_test, y_test))

    ours_s, ours_acc = timed(ours, repeat)
    theirs_s, theirs_acc = timed(theirs, repeat)
    ratio = statistics.median(ours_s) / statistics.median(theirs_s)
    return [
        row("digits: our 64-64-10 relu, Adam, 40 epochs, training", ours_s, "s", "less time than scikit-learn",
            ratio < 1, f"test accuracy {ours_acc:.4f}"),
        row("digits: scikit-learn MLPClassifier(64), training", theirs_s, "s", "", None,
            f"test accuracy {theirs_acc:.4f}"),
        row("digits: accuracy, ours minus scikit-learn", [100 * (ours_acc - theirs_acc)], "points", ">= 0",
            ours_acc >= theirs_acc, f"time ratio ours/scikit-learn {ratio:.2f}"),
    ]


def conv_rows(repeat):
    from demos.datasets import SHAPE_SIZE
    from scripts.assets import shared
    from scripts.assets.recipes import post7_convolution as p7
    _, X_test, _, y_test = shared.digits_data()
    (train_images, train_labels), (test_images, test_labels) = p7.shapes_data(p7.SHAPES_DATA)
    digits, shapes = [], []
    for _ in range(repeat):
        live = shared.widget_model(p7.CONV_DIGITS_WIDGET)
        _, acc_d, seconds = p7.train_measured(live.trainer, X_test, y_test, p7.CONV_DIGITS_EPOCHS)
        digits.append(seconds)
        net = p7.make_conv(p7.CONV_SHAPES, (3, SHAPE_SIZE, SHAPE_SIZE), len(p7.SHAPES))
        trainer = p7.adam_trainer(net, p7.channels_first(train_images), train_labels, p7.CONV_SHAPES)
        _, acc_s, seconds = p7.train_measured(trainer, p7.channels_first(test_images), test_labels,
                                              p7.CONV_SHAPES["epochs"])
        shapes.append(seconds)
    rows = [row(f"conv network, digits ({p7.CONV_DIGITS_EPOCHS} epochs), training", digits, "s", "", None,
                f"test accuracy {acc_d[-1]:.4f}"),
            row(f"conv network, shapes ({p7.CONV_SHAPES['epochs']} epochs, {p7.SHAPES_DATA['n_train']} pictures), "
                "training", shapes, "s", "", None, f"test accuracy {acc_s[-1]:.4f}")]
    # Post 7's live network as its widget drives it: the curves' points and the picture included.
    live = [driven(shared.widget_model(p7.CONV_DIGITS_WIDGET).step, 5, max_per_call=200) for _ in range(repeat)]
    per_epoch = shared.widget_model(p7.CONV_DIGITS_WIDGET).batches_per_epoch
    return rows + [row(f"{CONVNET} in CPython, driven as the page drives it", live, "mini-batches/s"),
                   row(f"{CONVNET} in CPython, driven as the page drives it", [r / per_epoch for r in live],
                       "epochs/s", "", None, f"{per_epoch} mini-batches an epoch")]


FILTERS_RATE = """async (seconds) => {
    const root = document.querySelector(".nn-widget[data-widget='filters']");
    const canvas = root.querySelector("canvas.nn-filters-map");
    const picture = root.querySelector("canvas.nn-filters-picture");
    const weight = root.querySelectorAll("input.nn-kernel-weight")[4]; // the centre
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    async function measure(act) {
        let updates = 0;
        const watch = new MutationObserver(() => updates++);
        watch.observe(canvas, { attributes: true, attributeFilter: ["data-values"] });
        const start = performance.now();
        let k = 0;
        while (performance.now() - start < seconds * 1000) { act(k++); await frame(); }
        const elapsed = (performance.now() - start) / 1000;
        await new Promise((resolve) => setTimeout(resolve, 500));
        watch.disconnect();
        return { updates, events: k, perSecond: updates / elapsed, eventsPerSecond: k / elapsed };
    }
    const editing = await measure((k) => {
        weight.value = String(k % 7 - 3);
        weight.dispatchEvent(new Event("input"));
    });
    const box = picture.getBoundingClientRect();
    const pointer = (type, k) => picture.dispatchEvent(new PointerEvent(type, {
        pointerId: 1, bubbles: true, clientX: box.left + box.width * (0.2 + 0.6 * ((k % 40) / 40)),
        clientY: box.top + box.height * (0.3 + 0.4 * ((k % 40) / 40)) }));
    pointer("pointerdown", 0);
    const drawing = await measure((k) => pointer("pointermove", k));
    pointer("pointerup", 0);
    return { editing, drawing };
}"""
CONVNET = "live conv network (post 7)"
# Press Train at a speed and watch for `seconds`: when the first filter's drawing first changes,
# how many frames the page draws meanwhile, and where training stands at the end; then Pause.
CONVNET_RUN = """async ([speed, seconds]) => {
    const root = document.querySelector(".nn-widget[data-widget='convnet']");
    const readout = root.querySelector(".nn-readout");
    const menu = [...root.querySelectorAll("select")].find((s) => s.labels[0]?.textContent === "Speed");
    menu.value = speed;
    menu.dispatchEvent(new Event("change"));
    const button = root.querySelector("button[aria-pressed]");
    const filter = root.querySelector("canvas.nn-filter-weights");
    const before = filter.dataset.values;
    const changed = new Promise((resolve) => {
        const watch = new MutationObserver(() => {
            if (filter.dataset.values !== before) { watch.disconnect(); resolve(performance.now()); }
        });
        watch.observe(filter, { attributes: true, attributeFilter: ["data-values"] });
    });
    let frames = 0;
    let counting = true;
    const count = () => { if (counting) { frames++; requestAnimationFrame(count); } };
    requestAnimationFrame(count);
    await new Promise((resolve) => setTimeout(resolve, 2000));  // the same page, not training
    const idle = frames / 2;
    frames = 0;
    const start = performance.now();
    button.click();
    const first = await changed;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 - (performance.now() - start)));
    counting = false;
    const elapsed = (performance.now() - start) / 1000;
    const text = readout.textContent;
    button.click();
    const [, batches, epoch] = /^(\\d+) mini-batch\\S*, epoch ([\\d.]+)/.exec(text);
    const [, test] = /test (\\d+)\\s%/.exec(text);
    return { first: (first - start) / 1000, frames: frames / elapsed, idle, batches: Number(batches) / elapsed,
             epochs: Number(epoch) / elapsed, test: Number(test) };
}"""
CONVNET_RESET = """async () => {
    const root = document.querySelector(".nn-widget[data-widget='convnet']");
    await new Promise((resolve) => setTimeout(resolve, 300));  // the pause lands
    [...root.querySelectorAll("button")].find((b) => b.textContent === "Reset").click();
    const readout = root.querySelector(".nn-readout");
    while (!readout.textContent.startsWith("0 mini-batches")) await new Promise((r) => setTimeout(r, 50));
}"""


def ready_widget(browser, base, path, name):
    """A new page at ``path`` with its widget ``name`` scrolled to and ready: (context, page, root)."""
    context = new_context(browser, base, width=1100)
    page = context.new_page()
    page.goto(base + path)
    root = page.locator(f".nn-widget[data-widget='{name}']")
    root.scroll_into_view_if_needed()
    page.wait_for_function("(root) => ['ready', 'fallback', 'error'].includes(root.dataset.state)",
                           arg=root.element_handle(), timeout=300_000)
    if root.get_attribute("data-state") != "ready":
        raise SystemExit(f"the {name} widget did not become ready: " + root.locator(".nn-widget-status").text_content())
    return context, page, root


def convnet_rows(browser, base, path, repeat, seconds=10):
    """Post 7's live network in Chromium: at its default speed (what a reader sees on pressing
    Train) and at full speed."""
    context, page, root = ready_widget(browser, base, path, "convnet")
    runs = {}
    for speed in ("normal", "fast"):
        runs[speed] = []
        for _ in range(repeat):
            runs[speed].append(page.evaluate(CONVNET_RUN, [speed, seconds]))
            page.evaluate(CONVNET_RESET)
    close_checked(context)
    normal, fast = runs["normal"], runs["fast"]
    pick = lambda runs, key: [run[key] for run in runs]  # noqa: E731
    return [
        row(f"{CONVNET} in Chromium, full speed", pick(fast, "batches"), "mini-batches/s", "", None,
            f"over {seconds} s from Train"),
        row(f"{CONVNET} in Chromium, full speed", pick(fast, "epochs"), "epochs/s"),
        row(f"{CONVNET}: Train to the first filter redrawn", pick(normal, "first"), "s", "< 0.5 s",
            statistics.median(pick(normal, "first")) < 0.5, "default speed"),
        row(f"{CONVNET}: page frames/s while training, default speed", pick(normal, "frames"), "frames/s",
            ">= 55", statistics.median(pick(normal, "frames")) >= 55,
            f"{statistics.median(pick(normal, 'batches')):.0f} mini-batches/s; the same page idle: "
            f"{statistics.median(pick(normal, 'idle')):.0f} frames/s"),
        row(f"{CONVNET}: page frames/s while training, full speed", pick(fast, "frames"), "frames/s",
            ">= 55", statistics.median(pick(fast, "frames")) >= 55),
        row(f"{CONVNET}: test accuracy after {seconds} s of training, default speed", pick(normal, "test"), "%",
            "", None, f"full speed: {statistics.median(pick(fast, 'test')):.0f} %"),
    ]


# Switch the digit widget's hidden neurons off and on again, one after another, `times` times
# each: the milliseconds from each click to the first frame after the words that say what
# changed (written with the bars, once the drawing and the test digits are read again).
DIGIT_SWITCHES = """async (times) => {
    const root = document.querySelector(".nn-widget[data-widget='digit']");
    const line = root.querySelector(".nn-silenced");
    const units = root.querySelectorAll(".nn-digit-units button");
    const said = (start) => new Promise((resolve) => {
        const watch = new MutationObserver(() => {
            if (!line.textContent.startsWith(start)) return;
            watch.disconnect();
            requestAnimationFrame(() => resolve(performance.now()));
        });
        watch.observe(line, {childList: true, characterData: true, subtree: true});
    });
    const took = [];
    for (let k = 0; k < times; k++) {
        const unit = units[k % units.length];
        const off = said(`Neuron ${k % units.length + 1} is off`);
        const clicked = performance.now();
        unit.click();
        took.push((await off) - clicked);
        const on = said("All ");
        unit.click();
        await on;
    }
    return took.sort((a, b) => a - b)[Math.floor(times / 2)];
}"""


def digit_rows(browser, base, path, repeat, times=10):
    """Post 5's digit widget: a hidden neuron switched off to the bars, the reading and the test
    accuracy redrawn, a test digit on the drawing."""
    context, page, root = ready_widget(browser, base, path, "digit")
    page.wait_for_function("(e) => e.textContent.startsWith('All ')", arg=root.locator(".nn-silenced").element_handle())
    root.get_by_role("button", name="Example 8").click()
    page.wait_for_function("(e) => e.textContent.startsWith('Read as')",
                           arg=root.locator(".nn-prediction").element_handle())
    took = [page.evaluate(DIGIT_SWITCHES, times) for _ in range(repeat)]
    close_checked(context)
    return [row("digit widget (post 5): a hidden neuron switched off to the bars and test accuracy redrawn", took,
                "ms", "< 100 ms", statistics.median(took) < 100,
                f"median of {times} switches a run; the 450 test digits and the drawing read again")]


FIRST_PAINT = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"


def browser_rows(site, repeat, seconds, quick):
    from playwright.sync_api import sync_playwright
    page_path = playground_page(site)
    server, base = serve(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            version = browser.version
            for page_file in post_pages(site):
                path = page_file.parent.relative_to(site).as_posix() + "/"
                paints = []
                for _ in range(repeat):
                    context = new_context(browser, base)
                    page = context.new_page()
                    page.goto(base + path, wait_until="load")
                    page.wait_for_function(FIRST_PAINT, timeout=30_000)
                    paints.append(page.evaluate(FIRST_PAINT) / 1000)
                    close_checked(context)
                rows.append(row(f"first contentful paint {page_file.parent.name}", paints, "s", "< 1 s",
                                statistics.median(paints) < 1))
            context = new_context(browser, base, init_script=WATCH_READY)
            page = context.new_page()
            for i, (name, fragment) in enumerate(CONFIGURATIONS[:1] if quick else CONFIGURATIONS):
                rates = [epochs_per_second(page, f"{base}{page_path}#{fragment}", seconds) for _ in range(repeat)]
                goal = ("at least 100", statistics.median(rates) >= 100) if i == 0 else ("", None)
                rows.append(row(f"playground epochs/s in Chromium: {name}", rates, "epochs/s", *goal))
            for name, fragment in [] if quick else WITH_DIAGRAM:
                rates = [epochs_per_second(page, f"{base}{page_path}#{fragment}", seconds, DIAGRAM)
                         for _ in range(repeat)]
                rows.append(row(f"playground epochs/s in Chromium: {name}", rates, "epochs/s"))
            close_checked(context)
            filters_page = next((p for p in post_pages(site)
                                 if "data-widget=\"filters\"" in p.read_text(encoding="utf-8")), None)
            if filters_page is not None:
                context = new_context(browser, base, width=1100)
                page = context.new_page()
                page.goto(base + filters_page.parent.relative_to(site).as_posix() + "/")
                root = page.locator(".nn-widget[data-widget='filters']")
                root.scroll_into_view_if_needed()
                page.wait_for_function("(root) => ['ready', 'fallback', 'error'].includes(root.dataset.state)",
                                       arg=root.element_handle(), timeout=300_000)
                if root.get_attribute("data-state") != "ready":
                    raise SystemExit("the filters widget did not become ready: "
                                     + root.locator(".nn-widget-status").text_content())
                editing, drawing = [], []
                for _ in range(repeat):
                    rates = page.evaluate(FILTERS_RATE, 3)
                    editing.append(rates["editing"]["perSecond"])
                    drawing.append(rates["drawing"]["perSecond"])
                close_checked(context)
                rows.append(row("filters widget: feature maps/s, a weight edited every frame", editing, "maps/s"))
                rows.append(row("filters widget: feature maps/s, drawing (a pointer move every frame)", drawing,
                                "maps/s"))
            convnet_page = next((p for p in post_pages(site)
                                 if "data-widget=\"convnet\"" in p.read_text(encoding="utf-8")), None)
            if convnet_page is not None:
                rows += convnet_rows(browser, base, convnet_page.parent.relative_to(site).as_posix() + "/", repeat)
            digit_page = next((p for p in post_pages(site) if "data-widget=\"digit\"" in p.read_text(encoding="utf-8")),
                              None)
            if digit_page is not None:
                rows += digit_rows(browser, base, digit_page.parent.relative_to(site).as_posix() + "/", repeat)
            browser.close()
    finally:
        server.shutdown()
    return rows, version


# --- The runtime's way to a reader: bytes, waits and failures over an emulated network.

# Chromium's "Fast 4G" preset, as the DevTools protocol takes it (bytes per second).
FAST_4G = {"offline": False, "latency": 150, "downloadThroughput": 9_000_000 / 8, "uploadThroughput": 1_500_000 / 8}
# How a start spends its time: (row, from mark, to mark), marks as nnWidgets.python.marks has them.
START_STEPS = [
    ("navigation to the runtime's start", "navigation", "start"),
    ("runtime's start to its scripts run (downloads included)", "start", "scripts"),
    ("runtime's start to pyodide.asm.wasm compiled", "start", "wasm"),
    ("scripts to Python started and NumPy installed", "scripts", "python"),
    ("import numpy", "python", "numpy"),
    ("demos package unpacked and imported", "numpy", "demos"),
    ("widget's model made and drawn", "demos", "widget"),
]


class Emulated:
    """The DevTools protocol's network emulation for the pages given to `watch` and the site's
    service worker (each a target of its own; a page's dedicated workers share its network).
    `conditions=None` measures without throttling."""

    def __init__(self, browser, conditions):
        self.conditions, self.sessions, self.ids = conditions, [], iter(range(1, 10**9))
        if conditions is None:
            return
        self.browser_session = browser.new_browser_cdp_session()
        self.browser_session.on("Target.targetCreated", self.created)
        self.browser_session.send("Target.setDiscoverTargets", {"discover": True})

    def watch(self, page):
        """Emulate the network for `page`, before it loads anything."""
        if self.conditions is None:
            return page
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", self.conditions)
        self.sessions.append(session)
        return page

    def created(self, event):
        if event["targetInfo"]["type"] != "service_worker":
            return
        # Browser-level sessions reach other targets through messages (attach without "flatten").
        attached = self.browser_session.send("Target.attachToTarget",
                                             {"targetId": event["targetInfo"]["targetId"], "flatten": False})
        for method, params in (("Network.enable", {}), ("Network.emulateNetworkConditions", self.conditions)):
            self.browser_session.send("Target.sendMessageToTarget", {"sessionId": attached["sessionId"], "message":
                                      json.dumps({"id": next(self.ids), "method": method, "params": params})})

    def close(self):
        if self.conditions is not None:
            self.browser_session.detach()


def wire_bytes(server, since, prefixes=RUNTIME_PREFIXES):
    """{site path: bytes the server sent} for the requests since index `since` of its log
    whose path starts with one of `prefixes` (site-relative)."""
    sent = {}
    for path, size in server.sent[since:]:
        relative = path[len(PREFIX):]
        if relative.startswith(prefixes):
            sent[relative] = sent.get(relative, 0) + size
    return sent


def ready_after(page, timeout=300):
    """Seconds from navigation to the playground's data-state=ready (see WATCH_READY)."""
    return seconds_to_ready(page, timeout)


def start_profile(page):
    """{mark: ms since navigation} of the last start of the page's runtime, with "widget" when the
    playground became ready."""
    return page.evaluate("""() => {
        const marks = window.nnWidgets.python.marks || {};
        const since = (t) => t - performance.timeOrigin;
        return {...Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, since(v)])),
                navigation: 0, widget: window.nnReadyAt};
    }""")


def first_visit(browser, base, path, conditions, read_seconds=0):
    """One first visit (a fresh profile): {ready, arrival, wait, bytes, profile}; `read_seconds` >
    0 keeps the reader at the top of the page that long before heading for the widget."""
    context = new_context(browser, base, init_script=READ_FIRST if read_seconds else WATCH_READY)
    network = Emulated(browser, conditions)
    page = network.watch(context.new_page())
    since = len(browser.bench_server.sent)
    page.goto(base + path, wait_until="commit")
    result = {}
    if read_seconds:
        page.wait_for_timeout(read_seconds * 1000)
        result["arrival"] = page.evaluate("""() => {
            document.querySelector(".nn-widget[data-widget='playground']").scrollIntoView();
            return performance.now() / 1000; }""")
    result["ready"] = ready_after(page)
    result["wait"] = max(0.0, result["ready"] - result.get("arrival", 0.0))
    result["profile"] = start_profile(page)
    result["bytes"] = wire_bytes(browser.bench_server, since)
    result["context"], result["page"], result["network"] = context, page, network
    return result


def revisit(visit, base, path):
    """Open the page again in the visit's profile (HTTP cache and service worker as the first
    visit left them, once the service worker has kept what it was asked to); seconds to ready."""
    page = visit["page"]
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=60_000, polling=100)
    page.wait_for_timeout(1500)  # the service worker keeps the page's files (keepForOffline)
    page = visit["network"].watch(visit["context"].new_page())
    page.goto(base + path, wait_until="commit")
    seconds, profile = ready_after(page), start_profile(page)
    page.close()
    return seconds, profile


def done(visit):
    visit["network"].close()
    close_checked(visit["context"])


def runtime_rows(site, repeat):
    """The rows of issue 13's goals: the runtime's bytes on the wire, how long a reader waits on a
    first visit and a revisit, over Fast 4G and without throttling, a stalled download, offline."""
    from playwright.sync_api import sync_playwright
    page_path = playground_page(site)
    server, base = serve(site)
    rows, runs = [], max(repeat, 3)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            browser.bench_server = server
            fast, plain, read, fast_again, plain_again, profiles = [], [], [], [], [], []
            for _ in range(runs):
                visit = first_visit(browser, base, page_path, FAST_4G)
                fast.append(visit)
                fast_again.append(revisit(visit, base, page_path)[0])
                done(visit)
                visit = first_visit(browser, base, page_path, None)
                plain.append(visit["ready"])
                again, profile = revisit(visit, base, page_path)
                plain_again.append(again)
                profiles.append(profile)
                done(visit)
            for _ in range(runs):
                visit = first_visit(browser, base, page_path, FAST_4G, read_seconds=20)
                read.append(visit["wait"])
                done(visit)
            sent = fast[0]["bytes"]
            total = sum(sent.values())
            by_file = sorted(((size, path.rsplit("/", 1)[-1]) for path, size in sent.items()), reverse=True)
            rows.append(row("runtime bytes on the wire, first visit (gzip as GitHub Pages serves it)",
                            [sum(v["bytes"].values()) / 1e6 for v in fast], "MB", "≤ 6.5 MB", total <= 6.5e6,
                            "; ".join(f"{name} {size / 1e6:.2f}" for size, name in by_file if size > 20_000)))
            ready = [v["ready"] for v in fast]
            rows.append(row("Fast 4G, first visit, reader heads straight for the widget: ready", ready, "s", "≤ 9 s",
                            statistics.median(ready) <= 9, page_path))
            rows.append(row("Fast 4G, first visit, reader reaches the widget after 20 s of reading: wait after "
                            "arrival", read, "s", "≤ 0.5 s", statistics.median(read) <= 0.5))
            rows.append(row("first visit, ready (no throttling)", plain, "s"))
            rows.append(row("revisit, ready (no throttling)", plain_again, "s", "≤ 1.0 s",
                            statistics.median(plain_again) <= 1.0))
            rows.append(row("revisit, ready (Fast 4G)", fast_again, "s", "≤ 1.2 s", statistics.median(fast_again) <= 1.2))
            for name, start, end in START_STEPS:
                spans = [p[end] - p[start] for p in profiles if p.get(start) is not None and p.get(end) is not None]
                if spans:
                    rows.append(row(f"revisit profile (no throttling): {name}", spans, "ms"))
            rows.append(stalled_row(browser, base, page_path))
            rows.append(offline_row(browser, base, page_path))
            browser.close()
    finally:
        server.shutdown()
    return rows


# Lighthouse's goals: mobile performance and LCP for every post, CLS for every page at both widths.
LIGHTHOUSE_GOALS = {"score": 98, "lcp_s": 2.0, "cls": 0.02}


def address_path(site):
    """The path of the address `site` was built for (its sitemap's shortest URL), e.g. "/REPO/"."""
    locations = [loc.text for loc in ElementTree.parse(site / "sitemap.xml").getroot().iter()
                 if loc.tag.endswith("}loc")]
    return urlsplit(min(locations, key=len)).path


def lighthouse_rows(site, repeat):
    """Per post: Lighthouse's mobile performance score (median of `repeat` runs) with LCP and
    CLS, and CLS at desktop width; per other page (home, 404): CLS at both widths."""
    from scripts import lighthouse
    goals = LIGHTHOUSE_GOALS
    server, base = serve(site, prefix=address_path(site))
    rows = []
    try:
        others = [("home", ""), ("404", "404.html")]
        for name, path in [(p.parent.name, p.parent.relative_to(site).as_posix() + "/") for p in post_pages(site)] + others:
            mobile = [lighthouse.audit(base + path) for _ in range(repeat if name not in dict(others) else 1)]
            desktop = lighthouse.audit(base + path, desktop=True)
            median = {key: statistics.median(run[key] for run in mobile) for key in lighthouse.AUDITS.values()}
            cls = max(median["cls"], desktop["cls"])
            detail = (f"mobile: LCP {median['lcp_s']:.2f} s, CLS {median['cls']:.3f}, FCP {median['fcp_s']:.2f} s, "
                      f"TBT {median['tbt_s'] * 1000:.0f} ms, score {statistics.median(r['score'] for r in mobile):.0f}; "
                      f"desktop: CLS {desktop['cls']:.3f}, score {desktop['score']}; "
                      f"LCP element {mobile[0]['lcp_element'] or '—'}")
            if name in dict(others):
                rows.append(row(f"Lighthouse CLS {name} page, worse of mobile and desktop", [cls], "CLS",
                                f"<= {goals['cls']}", cls <= goals["cls"], detail))
                continue
            scores = [run["score"] for run in mobile]
            met = (statistics.median(scores) >= goals["score"] and median["lcp_s"] <= goals["lcp_s"]
                   and cls <= goals["cls"])
            rows.append(row(f"Lighthouse mobile performance {name}", scores, "score",
                            f">= {goals['score']}, LCP <= {goals['lcp_s']} s, CLS <= {goals['cls']} at both widths",
                            met, detail))
    finally:
        server.shutdown()
    return rows


def stalled_row(browser, base, path):
    """Seconds from navigation to the fallback when pyodide.asm.wasm never arrives (the page's
    own settings: no test values)."""
    context = new_context(browser, base, init_script=WATCH_READY, service_workers="block")
    context.route("**/pyodide.asm.wasm", lambda route: None)  # never answered, as on a dead connection
    page = context.new_page()
    page.goto(base + path, wait_until="commit")
    page.wait_for_function("() => document.querySelector(\".nn-widget[data-widget='playground']\")"
                           "?.dataset.state === 'fallback'", timeout=120_000, polling=100)
    seconds = page.evaluate("performance.now() / 1000")
    text = page.text_content(".nn-widget[data-widget='playground'] .nn-widget-status")
    context.unroute("**/pyodide.asm.wasm")
    close_checked(context)
    return row("stalled download: time to fallback", [seconds], "s", "≤ 20 s", seconds <= 20, text.strip())


def offline_row(browser, base, path):
    """Seconds to ready when a post read once is opened again with the network off."""
    visit = first_visit(browser, base, path, None)
    page = visit["page"]
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=60_000, polling=100)
    page.wait_for_timeout(1500)
    visit["context"].set_offline(True)
    page = visit["context"].new_page()
    try:
        page.goto(base + path, wait_until="commit")
        seconds = ready_after(page, timeout=120)
    except (SystemExit, Exception) as error:  # noqa: BLE001  (a fallback is the figure, not a crash)
        seconds, note = float("nan"), f"not ready: {error}"
    else:
        note = "ready with the network off"
    visit["context"].set_offline(False)
    done(visit)
    return row("offline revisit of a read post: widget ready", [seconds], "s", "ready", seconds == seconds, note)


def machine_info():
    import numpy
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version(), "numpy": numpy.__version__, "chromium": "?",
            "load_start": ", ".join(f"{v:.2f}" for v in os.getloadavg()), "load_end": ""}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each, no cold full build")
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--seconds", type=float, default=10.0, help="training time per playground measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--out", type=Path, default=ROOT / "bench", help="where latest.json and latest.md go")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.seconds = 1, min(args.seconds, 3.0)
    if not list((args.site / "py").glob("demos-*.zip")):
        raise SystemExit(f"{args.site} is not a built site with widgets; run `make site` first")
    machine = machine_info()
    rows = []
    step = lambda what: print(f"bench: {what}", file=sys.stderr, flush=True)  # noqa: E731
    step("asset build")
    rows += asset_rows(args.quick, args.repeat)
    step("site build")
    rows += site_rows(args.repeat)
    step("page weight")
    rows += weight_rows(args.site)
    step("browser")
    browser, machine["chromium"] = browser_rows(args.site, args.repeat, args.seconds, args.quick)
    rows += browser
    step("the runtime over an emulated network")
    rows += runtime_rows(args.site, args.repeat)
    step("lighthouse")
    rows += lighthouse_rows(args.site, args.repeat)
    step("playground in CPython")
    cpython = [playground_cpython(args.seconds) for _ in range(args.repeat)]
    chromium = next(r for r in rows if r["figure"].startswith("playground epochs/s in Chromium"))
    rows.append(row(f"playground epochs/s in CPython: {CONFIGURATIONS[0][0]}", cpython, "epochs/s", "", None,
                    f"Chromium/CPython {chromium['median'] / statistics.median(cpython):.2f}"))
    step("digits")
    rows += digits_rows(args.repeat)
    step("convolutional networks")
    rows += conv_rows(args.repeat)
    machine["load_end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    table = format_table(rows, machine)
    print(table)
    write_atomic(args.out / "latest.md", table)
    write_atomic(args.out / "latest.json", json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
