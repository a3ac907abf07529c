"""How the live runtime reaches a reader: early, with its progress in words, failing fast
and plainly when the network does, and again with the network off.

A small site of its own is built from the project and served under /REPO/ by the bench's
server (gzip, ETags, as GitHub Pages serves it), here with faults it can be told to make:
a file that never starts, one that stops halfway, a connection dropped halfway, a 404.
"""

import json
import re
import threading
import time

import pytest

from scripts.site import blocks
from scripts.serving import SubPathHandler, serve
from tests.sites import build_site, copy_project, site_config
from tests.stand_ins import fallback_png, write_manifest

pytestmark = pytest.mark.xdist_group("browser")  # one browser per session, shared with the other browser tests

READY_TIMEOUT = 180_000  # ms: a cold start on a busy two-core machine is slow
WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NEURON = "```widget\nname: neuron\npreset: purple\nfallback: checks/neuron.png\n```\n"
READING = "\n\n".join(f"Paragraph {k} of text to read before the widget." for k in range(60))
PAGES = {
    "load-near": f"# A widget near the top\n\n{NEURON}",
    # The widget sits far below the first screen: a reader reads first.
    "load-far": f"# A widget far down\n\n{READING}\n\n{NEURON}",
}


class FaultyHandler(SubPathHandler):
    """Serves the site, but makes the faults named in `faults` ({file name: fault}) for
    files of those names: "hang" (never answers), "stall" (sends half, then nothing),
    "drop" (sends half, then closes the connection) or an HTTP status."""

    faults = {}
    release = threading.Event()  # set at the end: hung requests finish, so the server can stop

    def respond(self, send_body):
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        fault = self.faults.get(name)
        if fault is None:
            return super().respond(send_body)
        self.server.requests.append(self.path)
        if isinstance(fault, int):
            self.send_error(fault)
            return
        if fault == "hang":
            self.release.wait(120)
            return
        data = self.path_data()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(self.path))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        # Half the file has left; then nothing more ("stall"), or, a second later, the end of
        # the connection ("drop").
        self.release.wait(120 if fault == "stall" else 1)
        self.close_connection = True

    def path_data(self):
        from pathlib import Path
        return Path(self.translate_path(self.path.split("?")[0])).read_bytes()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loading-served")
    FaultyHandler.faults = {}
    FaultyHandler.release.clear()
    httpd, url = serve(folder, FaultyHandler)
    project = copy_project(tmp_path_factory.mktemp("loading"))
    generated = project / "docs" / blocks.GENERATED
    fallback_png(generated / "checks/neuron.png", 0)
    write_manifest(project, {"checks/neuron.png": {}})
    for name, text in PAGES.items():
        (project / "docs" / f"{name}.md").write_text(text)
    (project / "mkdocs-loading.yml").write_text(site_config(project / "mkdocs.yml", [f"{name}.md" for name in PAGES]))
    build_site(project, folder, url, "-f", "mkdocs-loading.yml")
    httpd.url, httpd.folder = url, folder
    yield httpd
    FaultyHandler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def faults(site):
    yield FaultyHandler.faults
    FaultyHandler.faults.clear()
    FaultyHandler.release.set()  # let any hung request end
    FaultyHandler.release.clear()


def new_context(browser, service_workers="block", config=None):
    context = browser.new_context(viewport={"width": 1100, "height": 800}, service_workers=service_workers)
    if config:
        context.add_init_script(f"globalThis.NN_WIDGET_CONFIG = {json.dumps(config)}")
    return context


def widget_state(page):
    return page.locator(".nn-widget").first.get_attribute("data-state")


def wait_settled(page, timeout=READY_TIMEOUT):
    """Bring the page's widget into view and wait until it is ready, fallen back or failed."""
    root = page.locator(".nn-widget").first
    root.scroll_into_view_if_needed()
    page.wait_for_function("(root) => ['ready', 'fallback', 'error'].includes(root.dataset.state)",
                           arg=root.element_handle(), timeout=timeout)
    return root.get_attribute("data-state"), root.locator(".nn-widget-status").text_content()


def runtime_requests(site, name):
    return [path for path in site.requests if path.endswith("/" + name)]


def wait_until(page, script, arg=None, timeout=30):
    """Evaluate the async `script` until it returns true (wait_for_function would take the
    promise it returns for a true value)."""
    give_up = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < give_up, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(200)


# --- Early and in words.


def test_a_reader_who_reads_first_finds_the_runtime_loaded_and_the_widget_ready_at_once(browser, site):
    context = new_context(browser)
    page = context.new_page()
    page.goto(site.url + "load-far/")
    # Nobody scrolled: the widget is far below, still idle, while its runtime loads anyway.
    page.wait_for_function("() => window.nnWidgets.python.stage === 'ready'", timeout=READY_TIMEOUT)
    assert widget_state(page) == "idle"
    assert page.evaluate("scrollY") == 0
    started = time.monotonic()
    assert wait_settled(page)[0] == "ready"
    assert time.monotonic() - started < 10  # only its model was left to make (no timing goal: a sanity bound)
    context.close()


def test_a_reader_who_saves_data_loads_nothing_until_a_widget_asks(browser, site):
    context = new_context(browser)
    context.add_init_script("Object.defineProperty(navigator, 'connection', "
                            "{value: {saveData: true, effectiveType: '4g'}, configurable: true})")
    page = context.new_page()
    before = len(site.requests)
    page.goto(site.url + "load-far/", wait_until="load")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.nnWidgets.python.stage") is None
    assert not [p for p in site.requests[before:] if "/vendor/pyodide" in p]
    assert wait_settled(page)[0] == "ready"  # scrolled to: the widget asks, and loads
    context.close()


def test_loading_says_what_is_downloading_and_how_much_in_a_readers_words(browser, site):
    context = new_context(browser, config={"early": False})
    page = context.new_page()
    page.add_init_script("""addEventListener("DOMContentLoaded", () => {
        window.nnSeen = [];
        const status = document.querySelector(".nn-widget .nn-widget-status");
        new MutationObserver(() => nnSeen.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
    })""")
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    seen = page.evaluate("nnSeen")
    sizes = [tuple(map(float, m)) for text in seen for m in re.findall(r"([\d.]+) of ([\d.]+) MB", text)]
    assert sizes, seen
    totals = {total for _, total in sizes}
    assert len(totals) == 1 and 5 < totals.pop() < 8, seen  # one total: the runtime as sent, in MB
    assert any(text.startswith("Downloading the Python runtime") for text in seen), seen
    assert "Starting Python…" in seen and "Starting NumPy…" in seen, seen
    assert not [text for text in seen if re.search(r"\.whl|\.wasm|\.zip", text)], seen  # no file names
    context.close()


# --- Failing fast, saying why.


def fall_back(browser, site, config=None):
    """Open the page with the widget near the top; return (state, status text, seconds to settle)."""
    context = new_context(browser, config=config)
    page = context.new_page()
    started = time.monotonic()
    page.goto(site.url + "load-near/")
    state, text = wait_settled(page)
    seconds = time.monotonic() - started
    visible = page.locator(".nn-widget-fallback").is_visible()
    retry = page.get_by_role("button", name="Try the live version again").is_visible()
    context.close()
    assert visible and retry
    return state, text, seconds


def test_a_runtime_download_that_never_starts_falls_back_after_fifteen_quiet_seconds(browser, site, faults):
    faults["pyodide.asm.wasm"] = "hang"
    state, text, seconds = fall_back(browser, site)  # the reader's own settings: no test values
    assert state == "fallback"
    assert "The live version could not start: the download of the Python runtime stopped: nothing arrived " \
           "for 15 s" in text, text
    assert 15 <= seconds < 25, seconds


def test_a_numpy_download_that_stops_halfway_is_named(browser, site, faults):
    faults[WHEEL] = "stall"
    # Not too short a stall: while Python starts, the worker is too busy to read for a moment.
    state, text, seconds = fall_back(browser, site, config={"stall": 5000})
    assert state == "fallback"
    assert re.search(r"the download of NumPy stopped: nothing arrived for 5 s \(1\.\d of 2\.\d MB had arrived\)",
                     text), text
    assert 5 <= seconds < 60, seconds


def test_a_connection_dropped_halfway_is_named(browser, site, faults):
    faults[WHEEL] = "drop"
    state, text, _ = fall_back(browser, site, config={"stall": 5000})
    assert state == "fallback"
    # How much had arrived depends on whether the worker read the first half before the end
    # came (a busy worker reads late, and Chromium drops what it held): it is said either way.
    assert re.search(r"the connection dropped while downloading NumPy \([\d.]+ MB had arrived\)", text), text


def test_a_missing_file_says_what_the_server_answered(browser, site, faults):
    faults[WHEEL] = 404
    state, text, _ = fall_back(browser, site, config={"stall": 3000})
    assert state == "fallback"
    assert f"the server answered 404 (Not Found) for NumPy ({WHEEL})" in text, text


# --- The service worker: offline, private windows, new builds.


def ready_with_service_worker(page, url):
    page.goto(url)
    assert wait_settled(page)[0] == "ready"
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def test_a_second_visit_in_a_private_window_downloads_nothing_of_the_runtime_again(browser, site):
    context = new_context(browser, service_workers="allow")  # a fresh context is a private profile
    page = context.new_page()
    ready_with_service_worker(page, site.url + "load-near/")
    before = len(site.requests)
    page.close()
    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    again = site.requests[before:]
    assert not [p for p in again if "/vendor/pyodide" in p or "/py/demos-" in p], again
    context.close()


def test_a_post_read_once_opens_with_its_widget_live_when_the_network_is_gone(browser, site):
    context = new_context(browser, service_workers="allow")
    page = context.new_page()
    ready_with_service_worker(page, site.url + "load-near/")
    page.close()
    context.set_offline(True)
    try:
        page = context.new_page()
        page.goto(site.url + "load-near/")
        assert page.locator("h1").first.text_content().startswith("A widget near the top")
        state, text = wait_settled(page)
        assert state == "ready", text
    finally:
        context.set_offline(False)
        context.close()


def test_a_new_build_replaces_every_page_and_file_the_service_worker_kept(browser, site, tmp_path):
    context = new_context(browser, service_workers="allow")
    page = context.new_page()
    ready_with_service_worker(page, site.url + "load-near/")
    old_version = page.evaluate("caches.keys()")
    [old_demos] = site.folder.glob("py/demos-*.zip")

    # A new build: the post's words changed, and the demos package (so the runtime's version).
    project = copy_project(tmp_path)
    generated = project / "docs" / blocks.GENERATED
    fallback_png(generated / "checks/neuron.png", 0)
    write_manifest(project, {"checks/neuron.png": {}})
    for name, text in PAGES.items():
        (project / "docs" / f"{name}.md").write_text(text.replace("near the top", "near the top, rebuilt"))
    with open(project / "demos" / "__init__.py", "a") as f:
        f.write("# a change, so that the demos zip and the service worker's version change\n")
    (project / "mkdocs-loading.yml").write_text(site_config(project / "mkdocs.yml", [f"{name}.md" for name in PAGES]))
    build_site(project, site.folder, site.url, "-f", "mkdocs-loading.yml")
    [new_demos] = site.folder.glob("py/demos-*.zip")
    assert new_demos != old_demos and not old_demos.exists()

    page.goto(site.url + "load-near/")
    assert page.locator("h1").first.text_content().startswith("A widget near the top, rebuilt")
    assert wait_settled(page)[0] == "ready"
    wait_until(page, "(old) => caches.keys().then((keys) => keys.length === 1 && keys[0] !== old[0])", old_version)
    kept = page.evaluate("async () => (await (await caches.open((await caches.keys())[0])).keys()).map((r) => r.url)")
    assert not [url for url in kept if old_demos.name in url], kept
    context.close()


# --- The memory snapshot: a revisit starts from Python as the first visit left it.


# True once the page's cache holds a whole snapshot (its body readable, over a megabyte).
KEPT = """async () => {
    const name = (await caches.keys())[0];
    const cache = name && await caches.open(name);
    const kept = cache && (await cache.keys()).find((r) => r.url.endsWith('/snapshot.bin'));
    return Boolean(kept) && (await (await cache.match(kept)).arrayBuffer()).byteLength > 1e6;
}"""


def neuron_output(page):
    """What the neuron widget says for purple, after its preset is chosen: the model at work."""
    root = page.locator(".nn-widget").first
    root.get_by_role("button", name="Looks for purple").click()
    text = root.locator(".nn-output-text")
    page.wait_for_function("e => e.textContent.includes('For purple')", arg=text.element_handle())
    return text.text_content()


# When the runtime started, in ms after a moment of the page's loading (negative: before): once
# it was parsed (domInteractive; the async module may run, and scan, between that and
# DOMContentLoaded, as the page's stylesheets hold its deferred scripts), or once its
# DOMContentLoaded began.
STARTED_AFTER = """(moment) => nnWidgets.python.marks.start - performance.timeOrigin
    - performance.getEntriesByType("navigation")[0][moment]"""


def test_a_revisit_starts_python_as_the_page_begins(browser, site):
    context = new_context(browser, service_workers="allow")
    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    # A first visit starts once the page is parsed, when the widget near the top asks.
    assert page.evaluate(STARTED_AFTER, "domInteractive") >= 0
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    page.close()
    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    # Controlled by the service worker, which keeps the runtime: the module in the head starts it.
    assert page.evaluate(STARTED_AFTER, "domContentLoadedEventStart") < 0
    context.close()


def test_a_revisit_starts_python_from_the_snapshot_the_first_visit_kept(browser, site):
    context = new_context(browser)
    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    assert page.evaluate("nnWidgets.python.startedFrom") == "scratch"
    first = neuron_output(page)
    wait_until(page, KEPT)
    page.close()

    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    assert page.evaluate("nnWidgets.python.startedFrom") == "snapshot"
    assert neuron_output(page) == first
    versions = page.evaluate("nnWidgets.python.versions")
    assert versions["numpy"] == "2.0.2" and versions["python"].startswith("3.12")
    context.close()


def revisit_after(browser, site, tamper):
    """A second visit to a page whose first visit kept a snapshot, after `tamper` (a script given
    the page's cache and the snapshot's request) has changed what is kept. Returns the context
    and the second page, settled."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(site.url + "load-near/")
    assert wait_settled(page)[0] == "ready"
    wait_until(page, KEPT)
    page.evaluate(f"""async () => {{
        const cache = await caches.open((await caches.keys())[0]);
        const kept = (await cache.keys()).find((r) => r.url.endsWith('/snapshot.bin'));
        await ({tamper})(cache, kept);
    }}""")
    page.close()
    page = context.new_page()
    page.goto(site.url + "load-near/")
    state, text = wait_settled(page)
    assert state == "ready", text
    return context, page


def test_a_damaged_snapshot_is_dropped_and_python_starts_afresh(browser, site):
    # Garbage where the snapshot is kept, as a disk fault or a half-written entry would leave.
    context, page = revisit_after(browser, site, """(cache, kept) => cache.put(
        kept, new Response(new Uint8Array(1000), {headers: {'X-Libraries': '[]'}}))""")
    assert page.evaluate("nnWidgets.python.startedFrom") == "scratch"
    neuron_output(page)
    wait_until(page, KEPT)  # a good snapshot took the damaged one's place
    context.close()


def test_a_snapshot_whose_last_restore_never_ended_is_not_tried_again(browser, site):
    # A restore that crashed or hung leaves its mark (the page gave up on it after a while).
    context, page = revisit_after(browser, site, """(cache, kept) => cache.put(
        kept.url.replace('snapshot.bin', 'snapshot-restoring'), new Response(''))""")
    assert page.evaluate("nnWidgets.python.startedFrom") == "scratch"
    context.close()
