"""The live widgets in a real browser: loading, operating each one, falling back, memory.

The site is built once per session from a temporary copy of the project with one
extra page holding every widget, served under a sub-path (/REPO/) by a small
local server, and driven by Debian's Chromium through Playwright. Every request
to another host is refused, as a published page must need none. Fallback figures
are small stand-in pictures; the trained models the digit and shapes widgets
load are the asset build's when it has run, or else quickly trained stand-ins.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from scripts.site import blocks
from scripts.serving import serve
from tests.sites import build_site, copy_project, write_manifest

pytestmark = pytest.mark.xdist_group("browser")  # one site, server and browser per session

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "docs" / blocks.GENERATED
PAGE = "widgets-check/"
READY_TIMEOUT = 180_000  # ms: a cold start on a busy two-core machine is slow

WIDGET_BLOCKS = {
    "neuron": "preset: purple",
    "playground": "dataset: circles\nhidden: [4]\nlearning_rate: 0.3",
    "line": "dataset: blobs\npoints: 40",
    "labels": "epochs: 3\nhidden: 16",
    "digit": "",
    "shapes": "",
}


# --- The site: the project plus one page of widgets, built with the project's mkdocs.yml.


def fallback_png(path, seed):
    """A small picture standing in for a widget's pre-rendered figure."""
    import matplotlib.image

    path.parent.mkdir(parents=True, exist_ok=True)
    # The size of a real figure, so the page is as long as a real one; smooth, so the file is small.
    y, x = np.mgrid[0:1:432j, 0:1:768j]
    matplotlib.image.imsave(path, np.stack([x, y, np.full_like(x, (seed % 7) / 7)], axis=-1))


def digits_model():
    """A digits network like the asset build's: pixels / 16 in, ten probabilities out."""
    from demos import datasets
    from demos.nn import Network, Trainer, make_optimizer

    X_train, _, y_train, _ = datasets.digits_split()
    network = Network([64, 32, 10], ["tanh", "softmax"], seed=0)
    Trainer(network, X_train / 16.0, datasets.one_hot(y_train, 10), "categorical_cross_entropy",
            make_optimizer("adam", 0.01), batch_size=32, seed=0).run(15)
    return network.to_json()


def digits_samples():
    from demos import datasets

    _, X_test, _, y_test = datasets.digits_split()
    shown = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    return json.dumps({"images": X_test[shown].astype(int).tolist(), "labels": y_test[shown].tolist()})


def shapes_model():
    """A quickly trained shapes network of the asset build's form: 768 inputs, 6 sigmoid outputs."""
    from demos import datasets
    from demos.nn import Network, Trainer, make_optimizer

    images, shapes, colours = datasets.coloured_shapes(600, seed=0, size=16)
    targets = np.concatenate([datasets.one_hot(shapes, 3), datasets.one_hot(colours, 3)], axis=1)
    network = Network([768, 24, 6], ["tanh", "sigmoid"], seed=0)
    Trainer(network, images.reshape(len(images), -1), targets, "binary_cross_entropy",
            make_optimizer("adam", 0.003), batch_size=32, seed=0).run(8)
    return network.to_json()


# What the digit and shapes widgets load: the asset build's files when it has made them.
MODELS = {"models/digits.json": digits_model, "models/digits-samples.json": digits_samples,
          "models/shapes.json": shapes_model}
# Pages of the test site: the widgets, and a second page to move to and back.
OTHER_PAGE = "# Another page\n\nNo widgets here. [Back to the widgets](widgets-check.md)\n"


RUNTIME_JS = "javascripts/widgets/runtime.js"
WIDGETS_CSS = "stylesheets/widgets.css"


def loads_widgets(config):
    """Whether an mkdocs config puts the widget runtime (as a module) and its styles on every page."""
    scripts = [s if isinstance(s, dict) else {"path": s} for s in config.get("extra_javascript") or []]
    module = any(s.get("path") == RUNTIME_JS and s.get("type") == "module" for s in scripts)
    return module and WIDGETS_CSS in (config.get("extra_css") or [])


def read_config(path):
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    return yaml.load(path.read_text(), Loader=get_yaml_loader())


def widget_config(mkdocs_yml):
    """The config of the test site: the project's, with its own two pages instead of the
    posts. Should the project's config not load the widgets, they are added here so the
    widgets can still be tested; test_the_site_config_loads_the_widgets reports the omission."""
    config = read_config(mkdocs_yml)
    extra = {
        "INHERIT": "mkdocs.yml",
        "nav": ["widgets-check.md", "widgets-other.md"],
        "exclude_docs": f"{config.get('exclude_docs') or ''}\n/index.md\n/posts/\n",
    }
    if not loads_widgets(config):
        scripts = [s for s in config.get("extra_javascript") or [] if s != RUNTIME_JS]
        extra["extra_javascript"] = scripts + [{"path": RUNTIME_JS, "type": "module"}]
        extra["extra_css"] = [c for c in config.get("extra_css") or [] if c != WIDGETS_CSS] + [WIDGETS_CSS]
    return json.dumps(extra)  # JSON is YAML


def test_the_site_config_loads_the_widgets():
    assert loads_widgets(read_config(ROOT / "mkdocs.yml")), (
        f"mkdocs.yml must list {RUNTIME_JS} under extra_javascript with `type: module` "
        f"and {WIDGETS_CSS} under extra_css, or no page starts its widgets")


@pytest.fixture(scope="session")
def httpd(tmp_path_factory):
    """A local server for the site, under the sub-path /REPO/; the site is built into its folder."""
    folder = tmp_path_factory.mktemp("served")
    httpd, url = serve(folder)
    httpd.folder, httpd.url = folder, url
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory, httpd):
    """The site of the project's mkdocs.yml and docs/, with the posts left out (they need the
    asset build) and two pages of its own in their place, built for the local server's URL
    (instant navigation follows only links within site_url)."""
    project = copy_project(tmp_path_factory.mktemp("widgets"))
    generated = project / "docs" / blocks.GENERATED
    assets = {}
    page = ["# Every widget\n\n[Another page](widgets-other.md)\n"]
    for i, (name, options) in enumerate(WIDGET_BLOCKS.items()):
        fallback = f"checks/{name}.png"
        fallback_png(generated / fallback, i)
        assets[fallback] = {}
        page.append(f"## {name}\n\n```widget\nname: {name}\n{options}\nfallback: {fallback}\n```\n")
        # Text between the widgets, as in a post: the page is long, the widgets far apart.
        page.append("\n\n".join(f"Paragraph {k} between the widgets." for k in range(25)) + "\n")
    for path, make in MODELS.items():
        target = generated / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if (GENERATED / path).is_file():
            shutil.copy(GENERATED / path, target)
        else:
            target.write_text(make())
        assets[path] = {}
    write_manifest(project, assets)
    (project / "docs" / "widgets-check.md").write_text("\n".join(page))
    (project / "docs" / "widgets-other.md").write_text(OTHER_PAGE)
    (project / "mkdocs-widgets.yml").write_text(widget_config(project / "mkdocs.yml"))
    build_site(project, httpd.folder, httpd.url, "-f", "mkdocs-widgets.yml")
    return httpd.folder


@pytest.fixture(scope="session")
def server(site, httpd):
    return httpd.url


def new_page(browser, server, block=()):
    """A fresh page (own cache) that may only talk to the local server; `block` lists
    URL fragments whose requests fail, as an unreachable host would."""
    # Requests are routed here, which a service worker would bypass: pages run without one
    # (tests/test_browser_loading.py is where the service worker is tried).
    context = browser.new_context(viewport={"width": 1100, "height": 900}, service_workers="block")
    errors = []

    def route(request_route):
        url = request_route.request.url
        if not url.startswith(server) or any(fragment in url for fragment in block):
            request_route.abort()
        else:
            request_route.continue_()

    context.route("**/*", route)
    # The site's Content-Security-Policy must never have to refuse anything the widgets do.
    context.add_init_script("window.nnViolations = []; document.addEventListener('securitypolicyviolation', "
                            "(e) => nnViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`))")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def widget(page, name):
    return page.locator(f".nn-widget[data-widget='{name}']")


def bring_to(page, name, states=("ready",), timeout=READY_TIMEOUT):
    """Scroll the widget into view and wait until it reaches one of `states` (waiting for
    ready also ends at fallback or error, so a failure shows at once); returns the state."""
    root = widget(page, name)
    root.scroll_into_view_if_needed()
    settled = list(states) + (["error", "fallback"] if "ready" in states else [])
    page.wait_for_function("([root, states]) => states.includes(root.dataset.state)",
                           arg=[root.element_handle(), settled], timeout=timeout)
    return root.get_attribute("data-state")


def status(page, name):
    return widget(page, name).locator(".nn-widget-status").text_content()


@pytest.fixture(scope="module")
def ready_page(browser, server):
    """One page with the runtime loaded, shared by the tests that operate widgets."""
    page = new_page(browser, server)
    page.goto(server + PAGE)
    page.context.pages  # keep a reference to the context through the page
    yield page
    page.context.close()


def assert_ready(page, name):
    state = bring_to(page, name)
    assert state == "ready", f"{name} ended in {state}: {status(page, name)}"
    assert not page.errors, page.errors
    assert not page.evaluate("window.nnViolations"), page.evaluate("window.nnViolations")


# --- Loading.


def test_widgets_start_idle_showing_their_figure(browser, server):
    page = new_page(browser, server)
    page.goto(server + PAGE)
    # Far below the first screen, the last widget has not started anything yet.
    last = widget(page, "shapes")
    assert last.get_attribute("data-state") == "idle"
    # ...while the first, near the top, starts the page's runtime by itself.
    assert bring_to(page, "neuron", states=("loading", "ready"), timeout=10_000) in ("loading", "ready")
    assert last.get_attribute("data-state") == "idle"
    # Its figure is there (loaded lazily, so only once scrolled to).
    assert last.locator(".nn-widget-fallback img").get_attribute("src").endswith("checks/shapes.png")
    page.context.close()


def test_a_widget_is_ready_and_reports_its_stages(ready_page):
    page = ready_page
    seen = page.evaluate("""() => new Promise((resolve) => {
        const root = document.querySelector(".nn-widget[data-widget='neuron']");
        const texts = new Set([root.querySelector(".nn-widget-status").textContent]);
        const watch = new MutationObserver(() => {
            texts.add(root.querySelector(".nn-widget-status").textContent);
            if (root.dataset.state !== "loading") { watch.disconnect(); resolve([...texts]); }
        });
        if (root.dataset.state !== "loading") resolve([...texts]);
        watch.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
    })""")
    assert_ready(page, "neuron")
    versions = page.evaluate("window.nnWidgets.python.versions")
    assert versions == {"pyodide": "0.27.7", "python": versions["python"], "numpy": "2.0.2"}
    assert versions["python"].startswith("3.12")
    # Unless the runtime loaded before the page could look, the stages were named on the way.
    assert any("NumPy" in text or "network" in text or "runtime" in text for text in seen), seen
    # The live widget replaced the figure; only one worker serves the page.
    root = widget(page, "neuron")
    assert not root.locator(".nn-widget-fallback").is_visible()
    assert root.locator(".nn-widget-live").is_visible()


def test_neuron_weights_change_the_output_colour(ready_page):
    page = ready_page
    assert_ready(page, "neuron")
    root = widget(page, "neuron")
    lamp = root.locator(".nn-output-lamp")
    text = root.locator(".nn-output-text")
    before_colour = lamp.evaluate("e => getComputedStyle(e).backgroundColor")
    before_text = text.text_content()
    # Keyboard: focus the bias slider and press End (its maximum): the neuron lights up.
    bias = root.get_by_label("Bias")
    bias.focus()
    page.keyboard.press("End")
    page.wait_for_function("([e, t]) => e.textContent !== t", arg=[text.element_handle(), before_text])
    after_colour = lamp.evaluate("e => getComputedStyle(e).backgroundColor")
    assert after_colour != before_colour
    assert "fully on" in text.text_content()
    # A preset puts its weights back: the purple neuron is mostly on for purple.
    root.get_by_role("button", name="Looks for purple").click()
    page.wait_for_function("e => e.textContent.includes('For purple') && e.textContent.includes('0.82')",
                           arg=text.element_handle())
    assert root.get_by_label("Weight on green").input_value() == "-10"


# --- The playground.

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


def test_playground_trains_the_loss_falls_and_reset_replays_the_seed(ready_page):
    page = ready_page
    assert_ready(page, "playground")
    root = widget(page, "playground")
    root.get_by_role("button", name="Step").click()
    wait_for_epoch(page, 1)
    epoch, first_loss, _ = readout(page)
    assert epoch == 1
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 60)
    pause(page)
    epoch, loss, test_loss = readout(page)
    assert epoch >= 60 and loss < 0.8 * first_loss, (first_loss, loss)
    assert "Paused" in status(page, "playground")
    # The picture says in words what it shows.
    label = root.locator("canvas.nn-plane").get_attribute("aria-label")
    assert f"after {epoch} epochs" in label and "circles" in label
    # Reset replays the seed: the same first step again, to the last digit shown.
    root.get_by_role("button", name="Reset").click()
    page.wait_for_function("e => e.textContent.startsWith('Epoch 0')", arg=root.locator(".nn-readout").element_handle())
    root.get_by_role("button", name="Step").click()
    wait_for_epoch(page, 1)
    assert readout(page)[1] == first_loss
    # Settings go into the URL, to share.
    root.get_by_label("Data", exact=True).select_option("moons")
    page.wait_for_function("() => location.hash.includes('pg.dataset=moons')")
    assert "pg.hidden=4" in page.evaluate("location.hash")


def test_playground_reads_a_shared_link_and_ignores_garbage(browser, server):
    page = new_page(browser, server)
    page.goto(server + PAGE + "#pg.dataset=xor&pg.lr=3&pg.l2=0.1&pg.batch=7&pg.hidden=%3Cimg%20src=x%3E"
              "&pg.noise=lots&pg.split=0.55&pg.seed=7")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    assert root.get_by_label("Data", exact=True).input_value() == "xor"
    assert root.get_by_label("Learning rate").input_value() == "3"
    assert root.get_by_label("L2").input_value() == "0.1"
    assert root.get_by_label("Seed").input_value() == "7"
    assert root.get_by_label("Hidden layers").input_value() == "1"  # the block's [4]: the garbage was ignored
    assert root.get_by_label("Noise").input_value() == "0.1"
    assert root.get_by_label("Training share").input_value() == "0.5"  # 0.55 is not on the slider's steps
    # A batch size that is not among the menu's choices is refused, not added to the menu.
    assert root.get_by_label("Batch size").input_value() == "10"
    assert "7" not in root.get_by_label("Batch size").locator("option").all_text_contents()
    assert root.locator("img").count() == 1  # only the fallback figure: nothing from the link became HTML
    page.context.close()


def test_a_link_cannot_set_a_value_off_the_menus(browser, server):
    page = new_page(browser, server)
    page.goto(server + PAGE + "#pg.lr=10&pg.l2=1")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    assert root.get_by_label("Learning rate").input_value() == "0.3"  # the block's
    assert root.get_by_label("L2").input_value() == "0"
    assert "10" not in root.get_by_label("Learning rate").locator("option").all_text_contents()
    page.context.close()


def test_training_keeps_the_worker_memory_flat(ready_page):
    page = ready_page
    assert_ready(page, "playground")
    root = widget(page, "playground")
    root.get_by_role("button", name="Reset").click()
    page.wait_for_function("e => e.textContent.startsWith('Epoch 0')", arg=root.locator(".nn-readout").element_handle())
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 20)  # warmed up: every code path has run once
    pause(page)
    before = page.evaluate("window.nnWidgets.memory(true)")
    start_epoch = readout(page)[0]
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, start_epoch + 250)  # 250 epochs of 13 batches of 10 points: 3,250 steps
    pause(page)
    after = page.evaluate("window.nnWidgets.memory(false)")
    epochs = readout(page)[0] - start_epoch
    # Each epoch adds one float to the trainer's history; anything leaking per frame (an
    # array of the 100x100 grid, a proxy) would add tens of kilobytes per call.
    assert after["python"] - before["python"] < 100 * epochs + 50_000, (before, after, epochs)
    assert after["heap"] == before["heap"], (before, after)


# --- Without the runtime: every widget keeps its figure and says why.


def test_without_the_runtime_every_widget_falls_back_to_its_figure(browser, server):
    page = new_page(browser, server, block=("vendor/pyodide",))
    page.goto(server + PAGE)
    for name in WIDGET_BLOCKS:
        assert bring_to(page, name, states=("fallback",), timeout=60_000) == "fallback"
        root = widget(page, name)
        figure = root.locator(".nn-widget-fallback img")
        figure.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
        assert figure.is_visible()
        assert "could not start" in status(page, name)
        assert "the Python runtime" in status(page, name)
        assert root.get_by_role("button", name="Try the live version again").is_visible()
        assert root.locator(".nn-widget-live").count() == 0
    page.context.close()


def test_a_missing_numpy_is_named_in_the_fallback(browser, server):
    page = new_page(browser, server, block=(".whl",))
    page.goto(server + PAGE)
    assert bring_to(page, "neuron", states=("fallback",), timeout=60_000) == "fallback"
    text = status(page, "neuron")
    assert "the connection failed while downloading NumPy" in text, text
    page.context.close()


def test_a_stalled_download_ends_in_fallback_and_retry_recovers(browser, server):
    page = new_page(browser, server)
    page.add_init_script("globalThis.NN_WIDGET_CONFIG = {stall: 4000}")
    stalled = []
    # The wasm file never arrives: the request hangs, as on a dead connection.
    page.context.route("**/pyodide.asm.wasm", lambda route: stalled.append(route))
    page.goto(server + PAGE)
    assert bring_to(page, "neuron", states=("fallback",), timeout=60_000) == "fallback"
    assert "the download of the Python runtime stopped: nothing arrived for 4 s" in status(page, "neuron")
    assert widget(page, "neuron").locator(".nn-widget-fallback").is_visible()
    # The connection is back: trying again brings the widget to life.
    page.context.unroute("**/pyodide.asm.wasm")
    page.evaluate("globalThis.NN_WIDGET_CONFIG = null")
    widget(page, "neuron").get_by_role("button", name="Try the live version again").click()
    assert_ready(page, "neuron")
    page.context.close()


# --- One neuron draws a line.


def plane_label(page, name):
    return widget(page, name).locator("canvas.nn-plane").get_attribute("aria-label")


def test_line_points_can_be_added_moved_and_learned(ready_page):
    import re

    page = ready_page
    assert_ready(page, "line")
    root = widget(page, "line")
    plane = root.locator("canvas.nn-plane")
    def counts():
        return tuple(map(int, re.search(r"(\d+) orange and (\d+) blue", plane_label(page, "line")).groups()))

    orange, blue = counts()
    assert orange + blue == 40
    # A click adds a point of the chosen class (blue), shift-click one of the other.
    plane.click(position={"x": 30, "y": 30})
    plane.click(position={"x": 370, "y": 370}, modifiers=["Shift"])
    assert counts() == (orange + 1, blue + 1)
    # Keyboard: select the point added before last (the blue one), move it right, change its class.
    plane.focus()
    page.keyboard.press("[")
    assert "Selected: a blue point" in plane_label(page, "line")
    before = float(re.search(r"at x (-?[\d.]+)", plane_label(page, "line"))[1])
    page.keyboard.press("Shift+ArrowRight")
    after = float(re.search(r"at x (-?[\d.]+)", plane_label(page, "line"))[1])
    assert after == pytest.approx(before + 0.1, abs=1e-3)
    page.keyboard.press("c")
    assert counts() == (orange + 2, blue)
    page.keyboard.press("Delete")
    assert counts() == (orange + 1, blue)
    # Train: the loss falls and the line ends up separating most points.
    root.get_by_role("button", name="Step").click()
    page.wait_for_function("e => e.textContent.startsWith('Step 1 ')", arg=root.locator(".nn-readout").element_handle())
    first = float(re.search(r"loss (\S+)", root.locator(".nn-readout").text_content())[1])
    root.get_by_role("button", name="Train").click()
    page.wait_for_function("e => Number(/Step (\\d+)/.exec(e.textContent)[1]) >= 100",
                           arg=root.locator(".nn-readout").element_handle(), timeout=120_000)
    pause(page, "line")
    text = root.locator(".nn-readout").text_content()
    assert float(re.search(r"loss (\S+)", text)[1]) < 0.5 * first, (first, text)
    assert int(re.search(r"accuracy (\d+) %", text)[1]) >= 90, text


# --- Real labels against shuffled ones.


def test_labels_trains_both_networks_to_the_end(ready_page):
    page = ready_page
    assert_ready(page, "labels")
    root = widget(page, "labels")
    root.get_by_role("button", name="Step one epoch").click()
    page.wait_for_function("e => e.textContent.startsWith('Epoch 1 of 3')",
                           arg=root.locator(".nn-readout").element_handle())
    root.get_by_role("button", name="Train").click()
    page.wait_for_function("e => e.textContent.startsWith('Done')",
                           arg=root.locator(".nn-widget-status").element_handle(), timeout=120_000)
    rows = root.locator("table.nn-accuracy-table tr").all_text_contents()
    real, shuffled = (list(map(int, re_percentages(row))) for row in rows[1:])
    # The real labels are learnt and carry over to new digits; the shuffled ones cannot.
    assert real[0] > 90 and real[1] > 85, rows
    assert shuffled[1] < 25, rows
    assert root.get_by_role("button", name="Train").is_disabled()
    assert "accuracy over 3 epochs" in root.locator("canvas.nn-chart").get_attribute("aria-label")


def re_percentages(text):
    import re

    return re.findall(r"(\d+) %", text)


# --- Draw a digit.


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


def test_digit_reads_a_drawn_one(ready_page):
    page = ready_page
    assert_ready(page, "digit")
    root = widget(page, "digit")
    prediction = root.locator(".nn-prediction")
    assert prediction.text_content() == "Draw a digit first."
    canvas = root.locator("canvas.nn-drawing")
    draw(page, canvas, [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_function("e => e.textContent.startsWith('Read as')", arg=prediction.element_handle())
    page.wait_for_timeout(300)  # let the last reading land
    assert prediction.text_content().startswith("Read as 1,"), prediction.text_content()
    assert "read as 1" in canvas.get_attribute("aria-label")
    shown = [int(text.split()[0]) for text in root.locator(".nn-bars .nn-value").all_text_contents()]
    assert len(shown) == 10 and 95 <= sum(shown) <= 105 and max(shown) == shown[1]  # rounded percentages
    # Clearing empties the drawing: the widget asks for one again.
    root.get_by_role("button", name="Clear").click()
    page.wait_for_function("e => e.textContent === 'Draw a digit first.'", arg=prediction.element_handle())
    # Keyboard readers start from a test digit instead of drawing.
    example = root.get_by_role("button", name="Example 0")
    example.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("e => e.textContent.startsWith('Read as 0,')", arg=prediction.element_handle())


# --- Colour and shape.


def test_shapes_names_the_shape_and_colour_it_is_shown(ready_page, site):
    from demos.widgets.shapes import ShapesModel

    model = ShapesModel((site / "assets/generated/models/shapes.json").read_text())
    page = ready_page
    assert_ready(page, "shapes")
    root = widget(page, "shapes")
    answer = root.locator(".nn-prediction")
    page.wait_for_function("e => e.textContent.startsWith('The network sees')", arg=answer.element_handle())
    root.get_by_label("Shape", exact=True).select_option("triangle")
    for colour in ("blue", "green"):
        root.get_by_role("button", name=f"Colour: {colour}").click()
        # The browser answers what the network computes under CPython for the same picture.
        hex_colour = root.get_by_label("Colour", exact=True).input_value()
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        expected = model.classify_shape("triangle", rgb, 0.5, 0.5, 0.6)
        said = f"The network sees a {model.describe()['colours'][expected['colour']]} " \
               f"{model.describe()['shapes'][expected['shape']]}."
        assert colour in said  # the colour question is the easy one: any trained model gets it
        page.wait_for_function("([e, said]) => e.textContent === said", arg=[answer.element_handle(), said])
    assert "firing strongly" in root.locator("canvas.nn-hidden-grid").get_attribute("aria-label")
    # Drawing: a red scribble is read as red, whatever shape it is taken for.
    root.get_by_label("drawing", exact=True).check()
    root.get_by_role("button", name="Colour: red").click()
    draw(page, root.locator("canvas.nn-shape-picture"), [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)])
    page.wait_for_function("e => e.textContent.includes(' red ')", arg=answer.element_handle())


# --- Instant navigation: pages change without a reload.


def widget_workers(page):
    """The page's workers running the widgets (Material runs one of its own for search)."""
    return [worker for worker in page.workers if worker.url.endswith("/javascripts/widgets/worker.js")]


def test_leaving_a_page_unmounts_its_widgets_and_keeps_one_worker(browser, server):
    page = new_page(browser, server)
    page.goto(server + PAGE)
    assert_ready(page, "neuron")
    page.evaluate("window.sameDocument = true")
    assert page.evaluate("window.nnWidgets.memory()")["models"] >= 1
    assert len(widget_workers(page)) == 1
    page.locator(".md-content").get_by_role("link", name="Another page").click()
    page.wait_for_url("**/widgets-other/")
    assert page.evaluate("window.sameDocument"), "Material's instant navigation did not handle the link"
    page.wait_for_function("() => window.nnWidgets.hosts.size === 0")
    assert page.evaluate("window.nnWidgets.memory()")["models"] == 0  # every model disposed
    page.locator(".md-content").get_by_role("link", name="Back to the widgets").click()
    page.wait_for_url("**/widgets-check/")
    assert_ready(page, "neuron")
    assert page.evaluate("window.sameDocument")
    assert len(widget_workers(page)) == 1  # the same worker, not a second one
    assert page.evaluate("window.nnWidgets.memory()")["models"] >= 1
    page.context.close()
