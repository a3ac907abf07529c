"""The playground beyond two classes (issue 18), in a real browser at a laptop's 1280x800: three
and four classes, points placed by hand (kept in the link), extra inputs, the network drawn live
(a neuron pointed at shows large on the plane, a hidden one clicked is switched off), a replay of
the run, more points and Regenerate.

The site is built once for this file from a copy of the project with one page holding a
playground, as a post places it.
"""

import re

import pytest

from scripts.site import blocks
from tests.sites import (
    assert_ready, build_site, copy_project, new_page, pause, readout, site_config, status, wait_for_epoch, widget,
)
from tests.stand_ins import fallback_png, write_manifest

pytestmark = pytest.mark.xdist_group("browser")

PAGE = "playground-check/"
WIDE = {"viewport": {"width": 1280, "height": 800}}
HEADER = 48  # px: Material's header, which covers the top of the page
BLOCK = "dataset: spirals\nhidden: [8, 8]\nlearning_rate: 0.03"


@pytest.fixture(scope="module")
def site(tmp_path_factory, httpd):
    project = copy_project(tmp_path_factory.mktemp("playground"))
    generated = project / "docs" / blocks.GENERATED
    fallback_png(generated / "checks/playground.png", 3)
    write_manifest(project, {"checks/playground.png": {}})
    text = "\n\n".join(f"Paragraph {k} before the playground." for k in range(6))
    (project / "docs" / "playground-check.md").write_text(
        f"# The playground\n\n{text}\n\n```widget\nname: playground\n{BLOCK}\nfallback: checks/playground.png\n```\n\n"
        + "\n\n".join(f"Paragraph {k} after it." for k in range(20)) + "\n")
    (project / "mkdocs-playground.yml").write_text(site_config(project / "mkdocs.yml", ["playground-check.md"]))
    build_site(project, httpd.folder, httpd.url, "-f", "mkdocs-playground.yml")
    return httpd.folder


@pytest.fixture(scope="module")
def server(site, httpd):
    return httpd.url


def open_playground(browser, server, hash=""):
    page = new_page(browser, server, **WIDE)
    page.goto(server + PAGE + hash)
    assert_ready(page, "playground")
    root = widget(page, "playground")
    # As a reader at a laptop reads it: the top of the widget just under the header.
    root.locator(".nn-pg-main").evaluate(f"e => window.scrollBy(0, e.getBoundingClientRect().top - {HEADER + 8})")
    return page, root


def picture(locator):
    return locator.evaluate("c => c.toDataURL()")


def changed(page, locator, before, timeout=60_000):
    """Wait until the canvas `locator` shows something other than `before`."""
    page.wait_for_function("([c, before]) => c.toDataURL() !== before", arg=[locator.element_handle(), before],
                           timeout=timeout)


def on_screen(page, locator):
    b = locator.bounding_box()
    return b["y"] >= HEADER - 1 and b["y"] + b["height"] <= page.viewport_size["height"] + 1


def configured(page, root, text):
    """Wait until the plane's description (set from each answer) includes `text`."""
    page.wait_for_function("([c, text]) => c.getAttribute('aria-label').includes(text)",
                           arg=[root.locator("canvas.nn-plane").element_handle(), text], timeout=60_000)


def reads(page, root, start, timeout=60_000):
    """Wait until the readout starts with `start`."""
    page.wait_for_function("([e, start]) => e.textContent.startsWith(start)",
                           arg=[root.locator(".nn-readout").element_handle(), start], timeout=timeout)


def done(page):
    assert not page.problems, page.problems
    page.context.close()


def shift_click(page, x, y):
    page.keyboard.down("Shift")
    page.mouse.click(x, y)
    page.keyboard.up("Shift")


def epoch_of(root):
    return int(re.match(r"Epoch (\d+)", root.locator(".nn-readout").text_content())[1])


# --- The reader's scenario, at 1280x800: every step on screen with what it changes.


def test_three_class_spiral_own_points_features_neuron_switched_off_and_replay(browser, server):
    page, root = open_playground(browser, server)
    plane = root.locator("canvas.nn-plane")
    # 1. A three-class spiral: picked beside the plane; the key and the data follow.
    classes = root.get_by_label("Classes", exact=True)
    assert on_screen(page, classes) and on_screen(page, plane)
    classes.select_option("3")
    configured(page, root, "in 3 classes")
    assert "pg.classes=3" in page.evaluate("location.hash")
    assert root.locator(".nn-pg-classes input[type=radio]").count() == 3
    label = plane.get_attribute("aria-label")
    assert "green where it answers class 2" in label, label
    # Only the data sets with more classes are offered.
    disabled = root.get_by_label("Data", exact=True).locator("option[disabled]").all_text_contents()
    assert disabled and "spirals" not in disabled and "blobs" not in disabled
    # 2. The reader's own points: a click adds one of the chosen class (a square), the keyboard too.
    root.get_by_label("class 2 (green)").check()
    before = picture(plane)
    box = plane.bounding_box()
    for fx, fy in ((0.2, 0.2), (0.8, 0.25), (0.5, 0.85)):
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    configured(page, root, "3 of the points are yours")
    plane.focus()
    page.keyboard.press("a")
    configured(page, root, "4 of the points are yours")
    changed(page, plane, before)
    own = re.search(r"pg\.own=([^&]+)", page.evaluate("location.hash"))[1].split(",")
    assert len(own) == 12 and own[2::3] == ["2"] * 4 and own[9:11] == ["0", "0"]
    # 3. Extra inputs x² and sin πx: the network's first column gains them, pictures and all.
    more = root.locator(".nn-pg-inputs")
    more.get_by_label("x²").check()
    more.get_by_label("sin πx").check()
    page.wait_for_function("() => location.hash.includes('pg.inputs=x2,sinx')")
    network = root.locator(".nn-pg-network")
    page.wait_for_function("e => e.getAttribute('aria-label').includes('4 inputs (x, y, x², sin πx)')",
                           arg=network.locator(".nn-net").element_handle())
    # 4. Train: the loss falls; the neurons' pictures move as it trains.
    root.get_by_label("Speed").select_option("fast")
    neuron = network.get_by_role("button", name="Switch off layer 1, neuron 2")
    unit = neuron.locator("canvas")
    unit.scroll_into_view_if_needed()
    start_unit = picture(unit)
    root.locator(".nn-pg-main").evaluate(f"e => window.scrollBy(0, e.getBoundingClientRect().top - {HEADER + 8})")
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 150)
    pause(page)
    epoch, loss, _ = readout(page)
    assert epoch >= 150 and loss < 1.0, (epoch, loss)
    unit.scroll_into_view_if_needed()  # the network draws while it is on screen
    changed(page, unit, start_unit)
    # 5. Point at a neuron: its picture fills the plane, and its weights are read out. The plane is
    # out of sight down here: its copy beside the network (the lens) shows the neuron large.
    regions = picture(plane)
    lens = network.locator("canvas.nn-pg-lens")
    lens_words = network.locator(".nn-pg-lens-words")
    lens_regions = picture(lens)
    assert lens_words.text_content() == "The network's answer, as the plane shows it"
    neuron.hover()
    changed(page, plane, regions, timeout=10_000)
    changed(page, lens, lens_regions, timeout=10_000)
    assert on_screen(page, lens) and on_screen(page, neuron)
    assert lens_words.text_content() == "Layer 1, neuron 2, as the plane shows it"
    assert "The picture of layer 1, neuron 2" in plane.get_attribute("aria-label")
    words = network.locator(".nn-net-words").text_content()
    assert words.startswith("Layer 1, neuron 2; bias ") and "weights in: input x " in words
    assert "input sin πx" in words and "weights out: layer 2, neuron 1 " in words, words
    # 6. Switch it off: at once (paused), the regions and the scores change.
    accuracy = root.locator(".nn-readout").text_content().split("accuracy")[1]
    neuron_picture = picture(lens)
    neuron.click()
    page.wait_for_function("e => e.getAttribute('aria-pressed') === 'true'", arg=neuron.element_handle())
    # Still pointed at, a neuron switched off shows what the network answers without it.
    page.wait_for_function("c => c.getAttribute('aria-label').startsWith('Decision regions')",
                           arg=plane.element_handle())
    assert lens_words.text_content() == "Layer 1, neuron 2 is off: the network's answer without it"
    changed(page, lens, neuron_picture)
    without = picture(plane)
    assert without != regions
    root.locator(".nn-readout").hover()  # the pointer leaves the diagram: the plane shows the same regions
    page.wait_for_function("e => e.textContent.startsWith('The network')", arg=lens_words.element_handle())
    assert picture(plane) == without
    assert "switched off" in status(page, "playground")
    page.wait_for_function("([e, before]) => e.textContent.split('accuracy')[1] !== before",
                           arg=[root.locator(".nn-readout").element_handle(), accuracy])
    assert epoch_of(root) == epoch  # nothing trained: the change is the neuron's alone
    # 7. Scrub back to epoch 50: the regions, the neurons and the loss chart as they were then.
    root.locator(".nn-pg-main").evaluate(f"e => window.scrollBy(0, e.getBoundingClientRect().top - {HEADER + 8})")
    now_regions = picture(plane)
    replay = root.get_by_label("Go back to")
    assert on_screen(page, replay)
    index = replay.evaluate("e => Number(e.max)")
    assert index >= 150 // 5
    replay.evaluate("e => { e.value = 10; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    reads(page, root, "Epoch 50 (going back")
    assert root.locator(".nn-pg-replay output").text_content() == "epoch 50"
    changed(page, plane, now_regions)
    page.wait_for_function("c => c.getAttribute('aria-label').startsWith('loss over 50 epochs')",
                           arg=root.locator("canvas.nn-chart").element_handle())
    # Forward to now again, and training goes on from where it was.
    replay.evaluate("e => { e.value = e.max; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    reads(page, root, f"Epoch {epoch} ")
    root.get_by_role("button", name="Step").click()
    reads(page, root, f"Epoch {epoch + 1} ")
    done(page)


def test_the_plane_its_main_controls_and_the_loss_still_fit_one_laptop_screen(browser, server):
    page, root = open_playground(browser, server)
    main = root.locator(".nn-pg-main")
    assert main.bounding_box()["height"] <= 800 - HEADER, main.bounding_box()
    for locator in (root.locator("canvas.nn-plane"), root.locator(".nn-readout"), root.locator("canvas.nn-chart"),
                    root.get_by_label("Classes", exact=True), root.get_by_label("Data", exact=True),
                    root.get_by_label("Go back to"), root.get_by_role("button", name="Train")):
        assert on_screen(page, locator), locator
    page.context.close()


# --- Each control on its own.


def test_a_link_brings_back_the_readers_points_classes_and_inputs(browser, server):
    hash = "#pg.classes=4&pg.dataset=blobs&pg.inputs=xy&pg.own=0.5,0.5,3,-0.25,0.1,1&pg.n=100&pg.data=2"
    page, root = open_playground(browser, server, hash)
    plane = root.locator("canvas.nn-plane")
    label = plane.get_attribute("aria-label")
    assert "in 4 classes" in label and "yellow where it answers class 3" in label
    assert "2 of the points are yours" in label
    # 100 points of the data, half of them training, and the reader's first point training too.
    assert "of the 51 training points and" in label and "of the 51 test points" in label, label
    assert root.get_by_label("Points", exact=True).input_value() == "100"
    assert root.locator(".nn-pg-inputs").get_by_label("x·y").is_checked()
    # A link with a class the data does not have, or too many numbers, is ignored.
    done(page)
    page, root = open_playground(browser, server, "#pg.own=0.5,0.5,3")
    assert "of the points are yours" not in root.locator("canvas.nn-plane").get_attribute("aria-label")
    page.context.close()


def test_points_are_moved_removed_and_cleared_with_mouse_and_keyboard(browser, server):
    page, root = open_playground(browser, server)
    plane = root.locator("canvas.nn-plane")
    box = plane.bounding_box()
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])  # noqa: E731
    page.mouse.click(*at(0.25, 0.25))
    shift_click(page, *at(0.75, 0.75))  # the next class
    configured(page, root, "2 of the points are yours")
    assert re.search(r"pg\.own=([^&]+)", page.evaluate("location.hash"))[1].split(",")[2::3] == ["0", "1"]
    # Drag the first to the middle.
    page.mouse.move(*at(0.25, 0.25))
    page.mouse.down()
    page.mouse.move(*at(0.5, 0.5), steps=6)
    page.mouse.up()
    page.wait_for_function("() => /pg\\.own=-?0(\\.0\\d?)?,-?0(\\.0\\d?)?,0,/.test(location.hash)")
    # Keyboard: select with ], change its class with C, move it with an arrow, remove it with Delete.
    plane.focus()
    page.keyboard.press("]")  # the second point; once more, round to the first (the one dragged)
    page.keyboard.press("]")
    page.keyboard.press("c")
    page.wait_for_function("() => /pg\\.own=[^&]*,1,[^&]*,1(&|$)/.test(location.hash)")
    page.keyboard.press("Delete")
    configured(page, root, "1 of the points are yours")
    # Alt-click removes a point; Clear removes them all.
    page.keyboard.press("a")
    page.keyboard.press("a")
    configured(page, root, "3 of the points are yours")
    page.keyboard.down("Alt")
    page.mouse.click(*at(0.5, 0.5))
    page.keyboard.up("Alt")
    configured(page, root, "2 of the points are yours")
    root.get_by_role("button", name="Clear your points").click()
    page.wait_for_function("c => !c.getAttribute('aria-label').includes('of the points are yours')",
                           arg=plane.element_handle())
    assert "pg.own" not in page.evaluate("location.hash")
    # Only the reader's points: no data at all, and training waits for some training points.
    points = root.get_by_label("Points", exact=True)
    points.evaluate("e => { e.value = 0; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    configured(page, root, "of the 0 training points")
    root.get_by_role("button", name="Train").click()
    page.wait_for_function("e => e.textContent.includes('there are no training points')",
                           arg=root.locator(".nn-widget-status").element_handle())
    assert root.get_attribute("data-state") == "ready"
    page.mouse.click(*at(0.3, 0.3))
    shift_click(page, *at(0.7, 0.7))
    configured(page, root, "2 of the points are yours")
    root.get_by_role("button", name="Step").click()
    reads(page, root, "Epoch 1 ")
    done(page)


def test_more_points_a_smaller_share_and_regenerate(browser, server):
    page, root = open_playground(browser, server)
    plane = root.locator("canvas.nn-plane")
    root.get_by_label("Points", exact=True).evaluate(
        "e => { e.value = 500; e.dispatchEvent(new Event('input', {bubbles: true})); }")
    configured(page, root, "of the 250 training points")
    before = picture(plane)
    root.get_by_role("button", name="Regenerate").click()
    page.wait_for_function("() => location.hash.includes('pg.data=1')")
    changed(page, plane, before)
    assert "pg.seed=0" in page.evaluate("location.hash")  # the network's start stays
    page.context.close()


def test_the_network_is_reached_and_read_with_the_keyboard(browser, server):
    page, root = open_playground(browser, server)
    network = root.locator(".nn-pg-network")
    # One stop in the tab order, then the arrow keys: input x, across to the first hidden layer.
    first = network.locator(".nn-neuron").first
    first.focus()
    assert first.get_attribute("aria-label") == "Input x"
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Switch off layer 1, neuron"), focused
    assert network.locator("[tabindex='0']").count() == 1
    page.keyboard.press("ArrowDown")
    words = network.locator(".nn-net-words").text_content()
    assert re.match(r"Layer 1, neuron \d+; bias -?\d", words) and "weights in: input x" in words, words
    assert "The picture of layer 1" in root.locator("canvas.nn-plane").get_attribute("aria-label")
    # Enter switches it off; the text says so, and Enter again switches it back on.
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.getAttribute('aria-pressed') === 'true'")
    page.wait_for_function("e => e.textContent.includes('(switched off)')",
                           arg=network.locator(".nn-net-words").element_handle())
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.getAttribute('aria-pressed') === 'false'")
    # Leaving the diagram gives the plane back to the regions.
    page.keyboard.press("Shift+Tab")
    page.wait_for_function("c => c.getAttribute('aria-label').startsWith('Decision regions')",
                           arg=root.locator("canvas.nn-plane").element_handle())
    done(page)


def test_reset_with_the_same_seed_replays_the_same_snapshots(browser, server):
    page, root = open_playground(browser, server)
    replay = root.get_by_label("Go back to")
    plane = root.locator("canvas.nn-plane")
    text = root.locator(".nn-readout")

    def run_then_back_to_50():
        root.get_by_label("Speed").select_option("fast")
        root.get_by_role("button", name="Train").click()
        wait_for_epoch(page, 60)
        pause(page)
        replay.evaluate("e => { e.value = 10; e.dispatchEvent(new Event('input', {bubbles: true})); }")
        reads(page, root, "Epoch 50 (going back")
        page.wait_for_timeout(500)  # the pictures are drawn in a task of their own
        return picture(plane), text.text_content().split("·", 1)[1]

    first = run_then_back_to_50()
    root.get_by_role("button", name="Reset").click()
    reads(page, root, "Epoch 0")
    assert run_then_back_to_50() == first
    page.context.close()


def test_a_neuron_switched_off_while_training_stays_off(browser, server):
    page, root = open_playground(browser, server)
    neuron = root.locator(".nn-pg-network").get_by_role("button", name="Switch off layer 2, neuron 1")
    root.get_by_label("Speed").select_option("fast")
    root.get_by_role("button", name="Train").click()
    wait_for_epoch(page, 20)
    neuron.click()  # while it trains
    page.wait_for_function("e => e.getAttribute('aria-pressed') === 'true'", arg=neuron.element_handle())
    at = epoch_of(root)
    wait_for_epoch(page, at + 30)
    pause(page)
    # Its picture is blank (silent everywhere), and it still is after Reset.
    blank = neuron.locator("canvas").evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return d.every((v, i) => v === d[i % 4]); }")
    assert blank
    root.get_by_role("button", name="Reset").click()
    reads(page, root, "Epoch 0")
    assert neuron.get_attribute("aria-pressed") == "true"
    done(page)


def test_train_pressed_while_a_reset_is_on_its_way_trains_and_says_so(browser, server):
    page, root = open_playground(browser, server)
    root.get_by_role("button", name="Step").click()
    reads(page, root, "Epoch 1 ")
    # Both in one go: Train lands before the reset's answer does.
    root.evaluate("""e => {
        const named = (name) => [...e.querySelectorAll('button')].find((b) => b.textContent === name);
        named('Reset').click();
        named('Train').click();
    }""")
    page.wait_for_function("e => Number(/Epoch (\\d+)/.exec(e.textContent)[1]) >= 5",
                           arg=root.locator(".nn-readout").element_handle())
    train = root.locator(".nn-pg-side button[aria-pressed]")
    assert train.get_attribute("aria-pressed") == "true" and train.text_content() == "Pause"
    pause(page)
    done(page)
