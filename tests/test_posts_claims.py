"""What the posts say, held against the network and the manifest: the code a post shows runs
and agrees with ``demos``, and the sentences that describe a figure hold for the numbers the
recipe that drew it reported."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from demos.nn import Network
from scripts.assets.build import ASSETS_ROOT

POSTS = Path(__file__).parent.parent / "docs" / "posts"
MANIFEST = ASSETS_ROOT / "manifest.json"


def python_blocks(post):
    """The ```python blocks of ``post`` (a file name in docs/posts), in order."""
    return re.findall(r"^```python\n(.*?)^```", (POSTS / post).read_text(), flags=re.S | re.M)


@pytest.fixture(scope="module")
def metrics():
    if not MANIFEST.exists():
        pytest.skip("no asset manifest: run `make assets` (make test does) to check the posts' claims")
    recipes = json.loads(MANIFEST.read_text())["recipes"]
    return {name: recipe["metrics"] for name, recipe in recipes.items()}


def test_post4s_backward_pass_gives_the_networks_own_gradients():
    [code] = [block for block in python_blocks("04-how-a-network-learns.md") if "def gradients" in block]
    lines = [line for line in code.strip().splitlines() if line.strip()]
    assert len(lines) <= 12, "the post promises a backward pass of about ten lines"
    namespace = {}
    exec(code, namespace)
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(7, 2)), rng.integers(0, 2, (7, 1)).astype(float)
    net = Network([2, 5, 1], ["tanh", "sigmoid"], seed=2)
    _, grads = net.gradients(X, y, "binary_cross_entropy")
    theirs = namespace["gradients"](X, y, net.layers[0]["W"], net.layers[0]["b"], net.layers[1]["W"],
                                    net.layers[1]["b"])
    ours = [grads[0]["W"], grads[0]["b"], grads[1]["W"], grads[1]["b"]]
    for got, expected in zip(theirs, ours):
        assert got.shape == expected.shape
        assert np.allclose(got, expected, atol=1e-12)


def test_post1s_sentences_hold(metrics):
    neuron = metrics["neuron_video"]
    # "no blue at all, so the rule says no, yet ... the neuron answers" more than a half.
    assert not neuron["false_positive_is_purple"] and neuron["false_positive_blue"] == 0
    assert neuron["false_positive_output"] > 0.5
    labels = metrics["real_vs_random"]
    assert abs(labels["shuffled_test_accuracy"] - 0.1) < 0.05  # "about what guessing gives"
    assert (labels["hidden"], labels["activation"]) != (metrics["simple_nodes"]["hidden"], "relu")


def test_post3s_sentences_hold(metrics):
    sweep = metrics["width_depth"]
    assert sweep["weights_two_32"] > 2 * sweep["weights_one_32"]  # "more than twice the weights"
    for n in (4, 8, 16):  # the figure's alt text: "well below the other at 4, 8 and 16 neurons"
        assert sweep[f"accuracy_two_{n}"] < sweep[f"accuracy_one_{n}"] - 0.05
    assert abs(sweep["accuracy_two_32"] - sweep["accuracy_one_32"]) < 0.02  # "catches up only at 32"


def test_post4s_sentences_hold(metrics):
    batches = metrics["batch_sizes"]
    # "This figure does not show it": single examples took more updates to leave the flat stretch.
    assert batches["batch1_updates_to_target"] > batches["batch10_updates_to_target"]
    assert batches["batch1_epochs_to_target"] < batches["batch10_epochs_to_target"]


def test_post5s_network_is_chosen_on_validation_digits_not_test_digits(metrics):
    from scripts.assets.shared import DIGITS_TRAINING

    digits = metrics["digits_model"]
    assert digits["seed"] == DIGITS_TRAINING["seed"] == digits["seed_best_on_validation"]
    assert digits["seeds"][int(np.argmax(digits["seeds_validation_accuracy"]))] == digits["seed"]
    # The confusion matrix's sentences: the most-missed digit's row has the fewest right answers.
    assert digits["most_missed_right"] == digits["diagonal_min"]
    assert digits["most_missed_errors"] * 3 > digits["test_errors"]  # "not spread evenly"


def test_post6s_sentences_hold(metrics):
    shapes = metrics["shapes_model"]
    assert shapes["shape_train_accuracy"] < 0.9  # "underfitting": short of its own training pictures
    assert abs(metrics["shapes_shift"]["shape_accuracy_unseen"] - 1 / 3) < 0.05


def test_post7s_sentences_hold(metrics):
    compared = metrics["conv_vs_dense"]
    assert compared["conv_digits_errors"] < compared["dense_digits_errors"]
    assert compared["conv_digits_parameters"] < compared["dense_digits_parameters"]
    # "Trained with the convolutional network's settings, the dense network does worse, not better."
    assert compared["dense_shapes_conv_settings_accuracy"] < compared["dense_shapes_accuracy"]
    assert (compared["dense_shapes_learning_rate"], compared["dense_shapes_activation"]) != (
        compared["conv_shapes_learning_rate"], compared["conv_shapes_activation"])


def prose_words(markdown):
    """The words a reader reads as running text: without the front matter, fenced blocks
    (code, videos, widgets), display maths, pictures' alt text and HTML tags; a quoted
    number counts as one word."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"^## References\n.*?(?=^## |^---$|\Z)", "", text, flags=re.S | re.M)  # a list, not prose
    text = re.sub(r"^(```+|~~~+).*?^\1\s*$", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link reads as its text
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\{\{.*?\}\}", "N", text)
    return len(re.findall(r"[A-Za-z0-9][\w'’.,%-]*", text))


def test_prose_words_count_running_text_only():
    assert prose_words("---\ndate: 2026\n---\n# A title\n\nTwo words {{ a.b:.1% }}.\n"
                       "```widget\nname: line\n```\n![alt text here](x.svg)\n$$a + b$$\n") == 5


def test_every_post_reads_between_1200_and_2800_words():
    for post in sorted(POSTS.glob("*.md")):
        assert 1200 <= prose_words(post.read_text()) <= 2800, post.name


def test_post4s_question_about_a_gradients_sign_holds_for_the_widgets_start():
    from demos.widgets import widget
    from scripts.assets.recipes.post4_learning import BACKPROP_PARAMS

    drawn_with = BACKPROP_PARAMS["widget"]
    model = widget(drawn_with["name"]).model(**drawn_with["options"])
    names = model.describe()["parameters"]
    gradient = dict(zip(names, model.backward()["gradients"]))
    weights = dict(zip(names, model.weights()))
    assert model.forward()["p"] < model.y[0, 0] and model.x[0, 1] < 0 and weights["W2[1]"] < 0
    assert gradient["W1[2][1]"] < 0
    assert model.nudge("W1[2][1]", 0.01)["change"] < 0  # "Lower it."


def test_every_widget_is_preceded_by_a_question_with_its_answer_folded_away():
    for post in sorted(POSTS.glob("*.md")):
        text = post.read_text()
        starts = [m.start() for m in re.finditer(r"^```widget\n", text, flags=re.M)]
        for before, start in zip([0, *starts], starts):
            between = text[before:start]
            assert '??? note "Check your answer"' in between[-1200:], f"{post.name}: a widget without a question"


def test_every_post_ends_with_references_and_its_glossary_links_land_on_a_term():
    glossary = (POSTS.parent / "glossary.md").read_text()
    terms = {re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
             for heading in re.findall(r"^## (.+)$", glossary, flags=re.M)}
    linked = set()
    for post in sorted(POSTS.glob("*.md")):
        text = post.read_text()
        assert re.search(r"^## References\n\n- ", text, flags=re.M), f"{post.name}: no references"
        linked |= set(re.findall(r"\]\(\.\./glossary\.md#([a-z0-9-]+)\)", text))
    assert linked and linked <= terms, sorted(linked - terms)


def test_post5s_templates_sentences_hold(metrics):
    votes = metrics["digits_templates"]
    assert votes["units_for"] > votes["n_hidden"] * 3 / 4  # "almost all of them"
    assert votes["top3_share"] < 0.4  # "the three largest bring only" a small part


def test_post7s_shift_test_sentences_hold(metrics):
    shift = metrics["conv_shift"]
    # Shared filters alone do not carry a shape to the unseen half; global max pooling does.
    assert shift["conv_accuracy_seen"] > 0.95 and shift["conv_accuracy_unseen"] < 0.6
    assert shift["global_accuracy_unseen"] > 0.95 and shift["global_parameters"] < shift["conv_parameters"]
    # The figure's description: the blue line falls below the chance line in the unseen half.
    assert shift["conv_worst_column_accuracy"] < 1 / 3
    # Equivariance: the moved map is the map moved; invariance: the pooled numbers barely move.
    assert shift["map_shift_gap"] <= 1e-9 * shift["map_largest"]  # "exactly"
    assert shift["pooled_gap"] < 0.1 * shift["pooled_largest"]
    assert metrics["multichannel"]["weights"] == 27
