"""The live widgets in a real browser: loading, operating each one, falling back, memory.

The site is built once for this file from a temporary copy of the project with one
extra page holding every widget, served under a sub-path (/REPO/) by a small
local server, and driven by Debian's Chromium through Playwright. Every request
to another host is refused, as a published page must need none. Fallback figures
are small stand-in pictures; the trained models the digit and shapes widgets
load are the asset build's when it has run, or else quickly trained stand-ins.
"""


import numpy as np
import pytest

from demos import widgets
from scripts.site import blocks
from tests.sites import (
    ROOT, assert_ready, bring_to, build_site, copy_project, draw, loads_widgets, new_page, pause, read_config,
    readout, site_config, status, wait_for_epoch, widget, widget_workers,
)
from tests.stand_ins import fallback_png, made, write_manifest

pytestmark = pytest.mark.xdist_group("browser")  # beside the other browser tests: one browser for them all

PAGE = "widgets-check/"

WIDGET_BLOCKS = {
    "neuron": "preset: purple",
    "playground": "dataset: circles\nhidden: [4]\nlearning_rate: 0.3",
    "line": "dataset: blobs\npoints: 40",
    "labels": "epochs: 3\nhidden: 16",
    "backprop": "seed: 0\nlearning_rate: 0.5",
    "digit": "",
    "shapes": "",
}


# --- The site: the project plus one page of widgets, built with the project's mkdocs.yml.

# Pages of the test site: the widgets, and a second page to move to and back.
OTHER_PAGE = "# Another page\n\nNo widgets here. [Back to the widgets](widgets-check.md)\n"


def test_the_site_config_loads_the_widgets():
    assert loads_widgets(read_config(ROOT / "mkdocs.yml")), (
        "mkdocs.yml must list javascripts/widgets/runtime.js under extra_javascript with `type: module` "
        "and stylesheets/widgets.css under extra_css, or no page starts its widgets")


@pytest.fixture(scope="module")
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
    # What the widgets' models are made from: the asset build's files when it has made them.
    for path in {path for name in WIDGET_BLOCKS for path in widgets.widget(name).files.values()}:
        (generated / path).parent.mkdir(parents=True, exist_ok=True)
        (generated / path).write_text(made(path))
        assets[path] = {}
    write_manifest(project, assets)
    (project / "docs" / "widgets-check.md").write_text("\n".join(page))
    (project / "docs" / "widgets-other.md").write_text(OTHER_PAGE)
    (project / "mkdocs-widgets.yml").write_text(site_config(project / "mkdocs.yml", ["widgets-check.md", "widgets-other.md"]))
    build_site(project, httpd.folder, httpd.url, "-f", "mkdocs-widgets.yml")
    return httpd.folder


@pytest.fixture(scope="module")
def server(site, httpd):
    return httpd.url


@pytest.fixture(scope="module")
def ready_page(browser, server):
    """One page with the runtime loaded, shared by the tests that operate widgets."""
    page = new_page(browser, server)
    page.goto(server + PAGE)
    page.context.pages  # keep a reference to the context through the page
    yield page
    page.context.close()


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
    # The live widget took the figure's place, unless its figure shows more (then it stays below).
    assert root.locator(".nn-widget-fallback img").is_visible() == widgets.widget("neuron").keeps_figure
    assert root.locator(".nn-widget-live").is_visible()


def test_neuron_weights_change_the_output_colour(ready_page):
    page = ready_page
    assert_ready(page, "neuron")
    root = widget(page, "neuron")
    lamp = root.locator(".nn-output-lamp .nn-lamp-fill")
    text = root.locator(".nn-output-text")
    before_colour = lamp.evaluate("e => e.style.height")
    before_text = text.text_content()
    # Keyboard: focus the bias slider and press End (its maximum): the neuron lights up.
    bias = root.get_by_label("Bias")
    bias.focus()
    page.keyboard.press("End")
    page.wait_for_function("([e, t]) => e.textContent !== t", arg=[text.element_handle(), before_text])
    after_colour = lamp.evaluate("e => e.style.height")
    assert after_colour != before_colour
    assert "fully on" in text.text_content()
    # A preset puts its weights back: the purple neuron is mostly on for purple.
    root.get_by_role("button", name="Looks for purple").click()
    page.wait_for_function("e => e.textContent.includes('For purple') && e.textContent.includes('0.82')",
                           arg=text.element_handle())
    assert root.get_by_label("Weight on green").input_value() == "-10"


# --- The playground.

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
    page.goto(server + PAGE + "#pg.lr=5&pg.l2=1")
    assert_ready(page, "playground")
    root = widget(page, "playground")
    assert root.get_by_label("Learning rate").input_value() == "0.3"  # the block's
    assert root.get_by_label("L2").input_value() == "0"
    assert "5" not in root.get_by_label("Learning rate").locator("option").all_text_contents()
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
    assert int(re.search(r"accuracy (\d+)\s%", text)[1]) >= 90, text


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

    return re.findall(r"(\d+)\s%", text)


# --- Draw a digit.


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


# --- Backpropagation, one step at a time.


def number(text):
    return float(text.replace("−", "-"))


def test_backprop_steps_forward_backward_update_and_checks_a_nudge(ready_page):
    from demos.widgets.backprop import BackpropModel

    page = ready_page
    assert_ready(page, "backprop")
    root = widget(page, "backprop")
    expected = BackpropModel(seed=0, learning_rate=0.5)
    forward, backward = expected.forward(), expected.backward()
    step = root.get_by_role("status").first
    assert root.get_by_role("button", name="Backward").is_disabled()
    assert root.get_by_role("button", name="Update").is_disabled()
    # The keyboard alone: focus Forward and press Enter.
    root.get_by_role("button", name="Forward").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("e => e.textContent.startsWith('Forward pass done')", arg=step.element_handle())
    assert f"the loss is {forward['loss']:.4f}" in step.text_content()
    root.get_by_role("button", name="Backward").click()
    page.wait_for_function("e => e.textContent.startsWith('Backward pass done')", arg=step.element_handle())
    # Every gradient in the table is the CPython model's, to the four places shown.
    rows = root.locator("table tbody tr")
    assert rows.count() == 9
    for k in range(9):
        assert number(rows.nth(k).locator("td").nth(1).text_content()) == pytest.approx(
            backward["gradients"][k], abs=6e-5)
    root.get_by_role("button", name="Update").click()
    page.wait_for_function("e => e.textContent.startsWith('Update 1')", arg=step.element_handle())
    expected.update()
    assert f"to {expected.loss():.4f}" in step.text_content()
    assert root.get_by_role("button", name="Update").is_disabled()  # a new step needs new gradients
    # The nudge: the loss's real change and gradient x epsilon agree.
    root.get_by_label("Weight to nudge").select_option("W1[2][1]")
    root.get_by_label("By ε").select_option("0.01")
    root.get_by_role("button", name="Nudge").click()
    said = root.get_by_role("status").nth(1)
    page.wait_for_function("e => e.textContent.startsWith('Raising W1[2][1] by 0.01')", arg=said.element_handle())
    nudge = expected.nudge("W1[2][1]", 0.01)
    text = said.text_content()
    assert f"by {nudge['change']:.4f}".replace("-", "−") in text
    assert text.endswith(f"= {nudge['predicted']:.4f}.".replace("-", "−"))


def shown_percent(share):
    """A share as the page writes it (ui.js percent: JavaScript's Math.round, halves up)."""
    return f"{int(np.floor(share * 100 + 0.5))}\u00a0%"


def test_digit_switches_hidden_neurons_off_as_cpython_computes(ready_page, site):
    from demos.widgets.digit import DigitModel

    model = DigitModel((site / "assets/generated/models/digits.json").read_text())
    page = ready_page
    assert_ready(page, "digit")
    root = widget(page, "digit")
    prediction, said = root.locator(".nn-prediction"), root.locator(".nn-silenced")
    units = root.locator(".nn-digit-units button")
    assert units.count() == model.network.n_hidden
    everything = model.test_accuracy()
    page.wait_for_function("([e, text]) => e.textContent === text", arg=[
        said.element_handle(), f"All {model.network.n_hidden} hidden neurons on: {shown_percent(everything['accuracy'])} "
                               f"of the {everything['total']} test digits read right."])
    root.get_by_role("button", name="Example 8").click()
    page.wait_for_function("e => e.textContent.startsWith('Read as')", arg=prediction.element_handle())
    # The drawing as the page sends it, read under CPython with each neuron off in turn: the one
    # that moves the bars most is switched off in the page.
    def page_ink():
        return np.array(page.evaluate("""c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height)
            .data).filter((_, i) => i % 4 === 3)""", root.locator("canvas.nn-drawing").element_handle()), np.uint8)

    ink = page_ink()
    side = int(np.sqrt(ink.size))
    whole = model.classify(ink, side, side)
    unit = max(range(model.network.n_hidden), key=lambda i: np.abs(
        model.classify(ink, side, side, [i])["probabilities"] - whole["probabilities"]).sum())

    def bars():
        return root.locator(".nn-bars .nn-value").all_text_contents()

    def expect(silenced):
        read, tested = model.classify(ink, side, side, silenced), model.test_accuracy(silenced)
        numbers = [str(i + 1) for i in silenced]
        which = (f"All {model.network.n_hidden} hidden neurons on" if not numbers else
                 f"Neuron {numbers[0]} is off" if len(numbers) == 1 else
                 f"Neurons {', '.join(numbers[:-1])} and {numbers[-1]} are off")
        text = f"{which}: {shown_percent(tested['accuracy'])} of the {tested['total']} test digits read right"
        page.wait_for_function("([e, text]) => e.textContent.startsWith(text)", arg=[said.element_handle(), text])
        assert bars() == [shown_percent(p) for p in read["probabilities"]]
        whole = f" (all on: {read['all_on']['digit']}, with {shown_percent(read['all_on']['probability'])})" \
            if silenced else ""
        assert prediction.text_content() == \
            f"Read as {read['digit']}, with {shown_percent(read['probability'])} probability{whole}."
        return tested

    assert bars() == [shown_percent(p) for p in whole["probabilities"]]
    units.nth(unit).click()
    assert units.nth(unit).get_attribute("aria-pressed") == "true"
    tested = expect([unit])
    assert bars() != [shown_percent(p) for p in whole["probabilities"]]  # the bars did change
    assert f"(all on: {shown_percent(everything['accuracy'])})" in said.text_content()
    assert f"(all on: {whole['digit']} with {shown_percent(whole['probability'])})" in said.text_content()
    assert tested["silenced"] == [unit]
    # The keyboard: one stop in the tab order, arrows to move, Space to switch.
    assert [units.nth(i).get_attribute("tabindex") for i in range(3)] == ["0", "-1", "-1"]
    units.nth(0).focus()
    page.keyboard.press("ArrowDown")  # a row of eight further on: neuron 9
    page.keyboard.press("ArrowRight")
    other = 9 if unit != 9 else 10
    if other == 10:
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert units.nth(other).get_attribute("aria-pressed") == "true"
    assert units.nth(other).get_attribute("tabindex") == "0" and units.nth(0).get_attribute("tabindex") == "-1"
    expect(sorted([unit, other]))
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        f"Switch neuron {model.network.n_hidden} off"
    # Drawing on with neurons off: the reading keeps its comparison, the words of the switch go.
    draw(page, root.locator("canvas.nn-drawing"), [(0.2, 0.9), (0.8, 0.9)])
    page.wait_for_function("e => !e.textContent.includes('The drawing:')", arg=said.element_handle())
    page.wait_for_timeout(300)  # let the last reading land
    ink = page_ink()
    read = model.classify(ink, side, side, sorted([unit, other]))
    assert bars() == [shown_percent(p) for p in read["probabilities"]]
    assert prediction.text_content().endswith(
        f" (all on: {read['all_on']['digit']}, with {shown_percent(read['all_on']['probability'])}).")
    # All on: every neuron back, the first readings again.
    root.get_by_role("button", name="All on").click()
    expect([])
    assert units.evaluate_all("bs => bs.filter(b => b.getAttribute('aria-pressed') === 'true').length") == 0
    assert root.get_by_role("button", name="All on").is_disabled()


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
