"""The live widgets when things go wrong: too big a network, a missing download, a crashed
worker, and many page changes without a reload.

A small site of its own (four short pages) is built from the project like the one of
test_browser_widgets.py, with the same helpers (tests/sites.py), and served under /REPO/.
"""


import pytest

from scripts.site import blocks
from tests.sites import (
    assert_ready, bring_to, build_site, copy_project, new_page, pause, readout, site_config, status,
    wait_for_epoch, widget, widget_workers,
)
from tests.stand_ins import fallback_png, write_manifest

pytestmark = pytest.mark.xdist_group("browser")  # one browser per session, shared with the other browser tests

NEURON = "name: neuron\npreset: purple\nfallback: checks/neuron.png"
LINE = "name: line\ndataset: blobs\npoints: 20\nfallback: checks/line.png"
PAGES = {
    # Two light pages linking each other, with one and two widgets.
    "faults-a": f"# Page A\n\n[Page B](faults-b.md)\n\n```widget\n{NEURON}\n```\n",
    "faults-b": f"# Page B\n\n[Page A](faults-a.md)\n\n```widget\n{NEURON}\n```\n\n```widget\n{LINE}\n```\n",
    "faults-playground": "# Playground\n\n```widget\nname: playground\ndataset: circles\nhidden: [4]\n"
                         "learning_rate: 0.3\nfallback: checks/playground.png\n```\n",
    # Off the menus, as only an author may set: such a rate with such an L2 makes the weights explode.
    "faults-diverge": "# Diverging\n\n```widget\nname: playground\ndataset: xor\nhidden: [4]\n"
                      "learning_rate: 10\nl2: 1\nseed: 7\nfallback: checks/playground.png\n```\n",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, httpd):
    project = copy_project(tmp_path_factory.mktemp("faults"))
    generated = project / "docs" / blocks.GENERATED
    assets = {}
    for i, name in enumerate(("neuron", "line", "playground")):
        fallback_png(generated / f"checks/{name}.png", i)
        assets[f"checks/{name}.png"] = {}
    write_manifest(project, assets)
    for name, text in PAGES.items():
        (project / "docs" / f"{name}.md").write_text(text)
    (project / "mkdocs-faults.yml").write_text(site_config(project / "mkdocs.yml", [f"{name}.md" for name in PAGES]))
    build_site(project, httpd.folder, httpd.url, "-f", "mkdocs-faults.yml")
    return httpd.url


def widths(root):
    return [int(value) for value in root.locator(".nn-widths input[type=range]").evaluate_all(
        "inputs => inputs.map((i) => i.value)")]


# --- 1. A network too big to train smoothly is narrowed, and the status line says so.


def test_a_link_asking_for_too_big_a_network_is_capped(browser, server):
    page = new_page(browser, server)
    page.goto(server + "faults-playground/#pg.hidden=16,16,16,16&pg.batch=1&pg.split=0.9")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    # 225 training points in batches of 1: 225 updates per epoch leave room for 7 hidden neurons.
    text = status(page, "playground")
    assert "capped at 7 hidden neurons (2, 2, 2, 1) instead of 64" in text, text
    assert "225 weight updates per epoch (batch size 1)" in text, text
    assert root.get_by_label("Hidden layers").input_value() == "4"
    assert widths(root) == [2, 2, 2, 1]
    assert root.locator("button.nn-neuron").count() == 7
    assert root.get_by_label("Batch size").input_value() == "1"
    # Larger batches leave room again: a wider first layer is kept as asked...
    root.get_by_label("Batch size").select_option("10")
    first = root.get_by_label("Neurons in layer 1")
    first.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => location.hash.includes('pg.hidden=16,2,2,1')")
    assert widths(root) == [16, 2, 2, 1]
    # ...until the controls ask for batches of 1 again: capped, and said so.
    root.get_by_label("Batch size").select_option("1")
    page.wait_for_function("e => e.textContent.includes('instead of 21')",
                           arg=root.locator(".nn-widget-status").element_handle())
    assert widths(root) == [2, 2, 2, 1]
    page.wait_for_function("() => location.hash.includes('pg.hidden=2,2,2,1')")
    # The capped network trains.
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 2)
    pause(page)
    assert not page.problems, page.problems
    page.context.close()


def test_an_authors_rate_off_the_menu_is_kept_and_divergence_is_reported(browser, server):
    page = new_page(browser, server)
    page.goto(server + "faults-diverge/")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    assert root.get_by_label("Learning rate").input_value() == "10"
    assert root.get_by_label("L2").input_value() == "1"
    root.get_by_role("button", name="Train").click()
    page.wait_for_function("e => e.textContent.includes('diverged')",
                           arg=root.locator(".nn-widget-status").element_handle(), timeout=60_000)
    assert root.get_attribute("data-state") == "ready"
    assert root.get_by_role("button", name="Train").is_visible()  # stopped, not paused mid-air
    assert "nn-attention" in root.get_by_role("button", name="Reset").get_attribute("class")
    root.get_by_role("button", name="Reset").click()
    page.wait_for_function("e => e.textContent.startsWith('Epoch 0')", arg=root.locator(".nn-readout").element_handle())
    page.context.close()


# --- 2. The demos package cannot be downloaded.


def test_a_missing_demos_package_is_named_and_retry_recovers(browser, server):
    blocked = ["/py/"]  # read at each request: emptied below, as when the connection is back
    page = new_page(browser, server, block=blocked)
    page.goto(server + "faults-a/")
    assert bring_to(page, "neuron", states=("fallback",), timeout=120_000) == "fallback"
    text = status(page, "neuron")
    assert "could not start" in text and "the connection failed while downloading the widgets' Python code" in text, text
    root = widget(page, "neuron")
    assert root.locator(".nn-widget-fallback").is_visible()
    retry = root.get_by_role("button", name="Try the live version again")
    assert retry.is_visible()
    blocked.clear()
    retry.click()
    assert_ready(page, "neuron")
    assert len(widget_workers(page)) == 1
    page.context.close()


# --- 2b. The page compiles the runtime's WebAssembly for the worker (so browsers keep the
# machine code for the next visit); a browser that cannot still gets a working widget.


@pytest.mark.parametrize("streaming", [True, False], ids=["page-compiles", "worker-compiles"])
def test_the_runtime_module_is_compiled_once_by_the_page_or_else_by_the_worker(browser, server, streaming):
    page = new_page(browser, server)
    wasm_requests = []
    page.context.on("request", lambda request: request.url.endswith("/pyodide.asm.wasm")
                    and wasm_requests.append(request.url))
    if not streaming:
        page.add_init_script("delete WebAssembly.compileStreaming")
    page.goto(server + "faults-a/")
    assert_ready(page, "neuron")
    assert page.evaluate("window.nnWidgets.python.wasmFrom") == ("page" if streaming else "worker")
    assert len(wasm_requests) == 1  # never downloaded twice
    page.context.close()


# --- 3. The worker dies while training.

# Appended to worker.js for this test only: a message that makes the worker throw, as an
# uncaught error in the runtime would.
CRASH_HOOK = """
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "crash-for-test") setTimeout(() => { throw new Error("worker crashed on purpose"); });
});
"""


def test_a_worker_crash_while_training_ends_in_error_and_retry_recovers(browser, server):
    page = new_page(browser, server)

    def crashable(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + CRASH_HOOK)

    page.context.route("**/javascripts/widgets/worker.js", crashable)
    page.goto(server + "faults-playground/")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 5)
    page.evaluate("window.nnWidgets.python.worker.postMessage({type: 'crash-for-test'})")
    assert bring_to(page, "playground", states=("error", "fallback"), timeout=30_000) == "error"
    text = status(page, "playground")
    assert "stopped" in text and "worker crashed on purpose" in text, text
    assert root.locator(".nn-widget-live").count() == 0
    assert root.locator(".nn-widget-fallback").is_visible()
    retry = root.get_by_role("button", name="Try the live version again")
    assert retry.is_visible()
    retry.click()
    assert_ready(page, "playground")
    assert len(widget_workers(page)) == 1  # the dead one is gone, one new one serves the page
    assert readout(page)[0] == 0
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 5)
    pause(page)
    assert page.evaluate("window.nnWidgets.memory()")["models"] == 1
    page.context.close()


# --- 4. Many page changes leave one worker, the current page's models, and a flat heap.


def test_fifty_page_changes_keep_one_worker_and_flat_memory(browser, server):
    page = new_page(browser, server)
    page.goto(server + "faults-a/")
    page.evaluate("window.sameDocument = true")
    # The new page's content is in (instant navigation changes the URL first) and every
    # widget on it is live.
    everything_ready = ("(title) => { const roots = [...document.querySelectorAll('.nn-widget')];"
                        " return document.querySelector('.md-content h1')?.textContent.startsWith(title)"
                        " && roots.length > 0 && window.nnWidgets.hosts.size === roots.length"
                        " && roots.every((r) => r.dataset.state === 'ready'); }")
    page.wait_for_function(everything_ready, arg="Page A", timeout=180_000)
    names = ["Page B", "Page A"]
    heap = None
    for switch in range(50):
        name = names[switch % 2]
        page.locator(".md-content").get_by_role("link", name=name).click()
        page.wait_for_function(everything_ready, arg=name, timeout=60_000)
        memory = page.evaluate("window.nnWidgets.memory()")
        on_page = page.locator(".nn-widget").count()
        assert on_page == (2 if switch % 2 == 0 else 1)
        assert memory["models"] == on_page, (switch, memory)
        assert len(widget_workers(page)) == 1, switch
        if switch == 3:  # warmed up: both pages have been made twice
            heap = memory["heap"]
    assert page.evaluate("window.sameDocument"), "Material's instant navigation did not handle the links"
    assert memory["heap"] == heap, (heap, memory)
    assert not page.problems, page.problems
    page.context.close()
