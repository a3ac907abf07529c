"""Post 7's live convolutional network in a real browser: it trains, pauses where it says,
resets to the very starting weights, reads a drawn digit with the network as it stands,
follows a shared link's seed and works from the keyboard.

As in test_browser_filters.py: the site is built from a temporary copy of the project with one
page holding post 7's own convnet block, served under a sub-path (/REPO/) on 127.0.0.1 and
driven by Debian's Chromium through Playwright; every request to another host is refused.
The numbers are checked against the same model under CPython (demos/widgets/convnet.py).
"""

import re

import numpy as np
import pytest

from demos.widgets.convnet import ConvTrainingModel
from scripts.assets.recipes.post7_convolution import CONV_DIGITS_WIDGET
from scripts.site import blocks
from tests.sites import ROOT, bring_to, build_site, copy_project, draw, new_page, site_config
from tests.stand_ins import add_stand_ins, write_manifest

pytestmark = pytest.mark.xdist_group("browser")  # beside the other browser tests, on one worker

POST = ROOT / "docs" / "posts" / "07-convolutional-neural-networks.md"
PAGE = "convnet-check/"
SIDE = 168  # the page's drawing canvas


def post_block():
    """The body of post 7's ```widget block for the convnet widget."""
    for match in re.finditer(r"^```widget\n(.*?)^```", POST.read_text(), re.S | re.M):
        if re.search(r"^name: convnet$", match[1], re.M):
            return match[1]
    raise AssertionError(f"{POST.name} has no convnet widget block")


@pytest.fixture(scope="module")
def server(tmp_path_factory, httpd):
    """The project's site with one page, post 7's convnet block, built with --strict; returns its URL."""
    project = copy_project(tmp_path_factory.mktemp("convnet"))
    # The fallback is listed under the recipe that draws it, with the options it drew it with.
    write_manifest(project, {})
    fallback = blocks.check("widget", post_block())["fallback"]
    add_stand_ins(project, [fallback, blocks.poster_for(fallback)])
    (project / "docs" / "convnet-check.md").write_text(f"# Training live\n\n```widget\n{post_block()}```\n")
    (project / "mkdocs-convnet.yml").write_text(site_config(project / "mkdocs.yml", ["convnet-check.md"]))
    build_site(project, httpd.folder, httpd.url, "--strict", "-f", "mkdocs-convnet.yml")
    return httpd.url


def open_widget(browser, server, hash=""):
    page = new_page(browser, server)
    page.goto(server + PAGE + hash)
    state = bring_to(page, "convnet")
    root = page.locator(".nn-widget[data-widget='convnet']")
    assert state == "ready", f"the widget ended in {state}: {root.locator('.nn-widget-status').text_content()}"
    return page, root


@pytest.fixture(scope="module")
def ready(browser, server):
    page, root = open_widget(browser, server)
    yield page, root
    page.context.close()


def filters(root):
    """The eight filters' weights as the page shows them ``(8, 9)``, rounded to 1e-4."""
    canvases = root.locator("canvas.nn-filter-weights")
    return np.array([[float(v) for v in canvases.nth(f).get_attribute("data-values").split()]
                     for f in range(canvases.count())])


def steps(root):
    match = re.match(r"(\d+) mini-batch", root.locator(".nn-readout").first.text_content())
    return int(match[1])


def wait_for_steps(page, root, n):
    page.wait_for_function("([el, n]) => parseInt(el.textContent) >= n",
                           arg=[root.locator(".nn-readout").first.element_handle(), n], timeout=120_000)


def drawn(page):
    """Wait until the pictures show the last answer: the status line takes an answer at once,
    the canvases in the next animation frame."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def pause(page, root):
    root.get_by_role("button", name="Pause").click()
    page.wait_for_function("e => e.textContent.startsWith('Paused')",
                           arg=root.locator(".nn-widget-status").element_handle())
    drawn(page)


def cpython_model(**settings):
    """The page's model in CPython: the options post 7's block starts from (its recipe's), and `settings`."""
    return ConvTrainingModel(**{**CONV_DIGITS_WIDGET["options"], **settings})


def cpython_filters(**settings):
    model = cpython_model(**settings)
    return model, np.round(model.describe()["filters"].reshape(8, 9).astype(float), 4)


# --- Tests.


def test_it_starts_from_the_seeds_weights_on_a_test_digit(ready):
    page, root = ready
    assert steps(root) == 0
    _, expected = cpython_filters()
    assert np.allclose(filters(root), expected, atol=2e-4)
    assert root.locator("canvas.nn-convnet-picture").get_attribute("aria-label").startswith(
        "The picture: test digit 0")
    for f in range(8):
        assert root.locator("canvas.nn-filter-map").nth(f).get_attribute("aria-label").startswith(
            f"Feature map of filter {f + 1} over test digit 0:")
        assert root.locator("canvas.nn-filter-weights").nth(f).get_attribute("aria-label").startswith(
            f"Filter {f + 1}: ")
    assert not page.problems, page.problems


def test_train_pause_and_reset_to_the_same_weights(ready):
    page, root = ready
    start = filters(root)
    root.get_by_role("button", name="Train").click()
    wait_for_steps(page, root, 30)
    pause(page, root)
    done = steps(root)
    status = root.locator(".nn-widget-status").text_content()
    assert status.startswith(f"Paused after {done} mini-batches")
    trained = filters(root)
    assert not np.allclose(trained, start, atol=1e-3)  # the filters moved
    # The page shows what the same number of mini-batches gives under CPython.
    model, _ = cpython_filters()
    model.step(done)
    assert np.allclose(trained, model.network.layers[0]["W"].reshape(8, 9), atol=2e-4)
    accuracy = root.locator("canvas.nn-chart").nth(1).get_attribute("aria-label")
    assert accuracy.startswith("accuracy over ")
    # Paused means paused.
    page.wait_for_timeout(500)
    assert steps(root) == done
    root.get_by_role("button", name="Reset").click()
    page.wait_for_function("e => e.textContent.startsWith('Reset')",
                           arg=root.locator(".nn-widget-status").element_handle())
    # The status line says so at once, the pictures and the readout in the next frame.
    page.wait_for_function("e => e.textContent.startsWith('0 mini-batches,')",
                           arg=root.locator(".nn-readout").first.element_handle())
    assert np.array_equal(filters(root), start)
    root.get_by_role("button", name="Step one mini-batch").click()
    page.wait_for_function("e => e.textContent.startsWith('1 mini-batch,')",
                           arg=root.locator(".nn-readout").first.element_handle())
    model, _ = cpython_filters()
    model.step(1)
    assert np.allclose(filters(root), model.network.layers[0]["W"].reshape(8, 9), atol=2e-4)
    assert not page.problems, page.problems


def test_the_live_network_reads_a_drawn_digit(ready):
    page, root = ready
    root.get_by_label("Speed").select_option("fast")
    root.get_by_role("button", name="Train").click()
    wait_for_steps(page, root, 130)  # about three epochs
    pause(page, root)
    done = steps(root)
    canvas = root.locator("canvas.nn-convnet-picture")
    draw(page, canvas, [(0.5, 0.1), (0.5, 0.9)])  # a 1
    page.wait_for_function("e => e.textContent.includes('your drawing')",
                           arg=root.locator(".nn-prediction").element_handle())
    prediction = root.locator(".nn-prediction").text_content()
    assert prediction.startswith("The network as it stands reads your drawing as 1"), prediction
    # The same ink and the same mini-batches under CPython give the probability the page shows.
    ink = np.array(page.evaluate("""(canvas) => Array.from(
        canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data.filter((_, i) => i % 4 === 3))""",
                                 canvas.element_handle()), dtype=np.uint8)
    model = cpython_model()
    model.step(done)
    answer = model.draw(ink, SIDE, SIDE)
    assert f"with {round(answer['probability'] * 100)}\u00a0% probability" in prediction
    assert canvas.get_attribute("aria-label") == "The picture: your drawing, which the network reads as 1"
    # A test digit again, by its button.
    root.get_by_role("button", name="Test digit 7").click()
    page.wait_for_function("e => e.textContent.includes('test digit 7')",
                           arg=root.locator(".nn-prediction").element_handle())
    root.get_by_label("Speed").select_option("normal")
    assert not page.problems, page.problems


def test_a_shared_link_sets_the_seed_and_the_settings(browser, server):
    page, root = open_widget(browser, server, "#cn.seed=5&cn.batch=64&cn.lr=nonsense")
    assert root.get_by_label("Seed").input_value() == "5"
    assert root.get_by_label("Batch size").input_value() == "64"
    assert root.get_by_label("Learning rate").input_value() == "0.01"  # a bad value is ignored
    _, expected = cpython_filters(seed=5, batch_size=64)
    assert np.allclose(filters(root), expected, atol=2e-4)
    # A new seed typed in goes into the link and gives its own weights.
    seed = root.get_by_label("Seed")
    seed.fill("6")
    seed.press("Enter")
    page.wait_for_function("() => location.hash.includes('cn.seed=6')")
    _, expected = cpython_filters(seed=6, batch_size=64)
    page.wait_for_function("e => e.textContent.includes('seed 6')",
                           arg=root.locator(".nn-widget-status").element_handle())
    drawn(page)
    assert np.allclose(filters(root), expected, atol=2e-4)
    assert not page.problems, page.problems
    page.context.close()


def test_the_keyboard_trains_pauses_and_picks(browser, server):
    page, root = open_widget(browser, server)
    train = root.locator("button[aria-pressed]")  # Train, then Pause
    assert train.text_content() == "Train"
    train.focus()
    page.keyboard.press("Enter")
    wait_for_steps(page, root, 3)
    assert train.get_attribute("aria-pressed") == "true" and train.text_content() == "Pause"
    page.keyboard.press("Space")  # the same button, now Pause
    page.wait_for_function("e => e.textContent.startsWith('Paused')",
                           arg=root.locator(".nn-widget-status").element_handle())
    root.get_by_role("button", name="Test digit 2").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("e => e.textContent.includes('test digit 2')",
                           arg=root.locator(".nn-prediction").element_handle())
    # Every control has a name.
    for control in root.locator("button, select, input").all():
        assert control.evaluate("e => e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim()")
    assert not page.problems, page.problems
    page.context.close()


def test_slow_speed_trains_a_few_mini_batches_a_second(browser, server):
    page, root = open_widget(browser, server)
    root.get_by_label("Speed").select_option("slow")
    root.get_by_role("button", name="Train").click()
    page.wait_for_timeout(2000)
    pause(page, root)
    assert 1 <= steps(root) <= 12  # five a second at most
    page.context.close()


def test_a_long_run_keeps_the_worker_memory_flat(browser, server):
    page, root = open_widget(browser, server)
    root.get_by_label("Speed").select_option("fast")
    page.evaluate("window.nnWidgets.memory(true)")  # Python counts what it holds from here on

    def train(n):
        root.get_by_role("button", name="Train").click()
        wait_for_steps(page, root, steps(root) + n)
        pause(page, root)
        return page.evaluate("window.nnWidgets.memory(false)"), steps(root)

    # Warmed up: every code path has run, and the training digits' shuffled copy (800 kB, made
    # anew each epoch) is among what Python holds.
    before, start = train(100)
    after, end = train(400)
    # A point of the curves (three numbers) every 14 mini-batches; anything kept per call (the
    # maps, the filters, a proxy) would add kilobytes a call.
    assert after["python"] - before["python"] < 20 * (end - start) + 50_000, (before, after, end - start)
    assert after["heap"] == before["heap"], (before, after)
    page.context.close()


def test_the_bench_reads_the_live_network_as_it_trains(browser, server):
    # The bench's rows for post 7 come from the widget's own words: they must still parse.
    from scripts import bench

    rows = bench.convnet_rows(browser, server, PAGE, repeat=1, seconds=3)
    by_unit = {(r["figure"].split(":")[-1], r["unit"]): r["median"] for r in rows}
    assert len(rows) == 6 and all(np.isfinite(r["median"]) for r in rows)
    assert by_unit[(f"{bench.CONVNET} in Chromium, full speed", "mini-batches/s")] > 5
    test = by_unit[(" test accuracy after 3 s of training, default speed", "%")]
    assert 0 <= test <= 100
    assert 0 < by_unit[(" Train to the first filter redrawn", "s")] < 3
