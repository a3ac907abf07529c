"""Colours a colour-blind reader reads right (issue 14): what the figures tell apart by colour,
they also tell apart by line style, unless the two colours stay distinct for a reader without
red or without green cones (simulated with Machado, Oliveira and Fernandes' 2009 model).
"""

import numpy as np
import pytest

from scripts.assets import palette
from scripts.assets.recipes import post4_learning

# Machado et al. (2009), severity 1: linear RGB as a protanope and a deuteranope see it.
SIMULATIONS = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
# CIE76 distance below which two colours of thin lines pass for one.
CONFUSED = 20


def linear(colour):
    c = np.array(palette.rgb(colour)) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb_linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a, b, simulation=None):
    m = SIMULATIONS[simulation] if simulation else np.eye(3)
    return float(np.linalg.norm(lab(np.clip(m @ linear(a), 0, 1)) - lab(np.clip(m @ linear(b), 0, 1))))


def confused(a, b):
    return min(distance(a, b, s) for s in SIMULATIONS) < CONFUSED


def test_the_simulation_tells_the_known_cases():
    # Red and green: the classic confusion; the class colours orange and blue: safe.
    assert confused(palette.RED, palette.GREEN)
    assert not confused(palette.ORANGE, palette.BLUE)
    assert distance(palette.RED, palette.GREEN) > 40  # to a trichromat they are far apart


@pytest.mark.parametrize("name, styles", [
    ("descent video: optimisers", [(colour, line) for _, colour, line, _ in post4_learning.OPTIMIZER_STYLE.values()]),
    ("learning-rate plot: rates", list(zip(post4_learning.RATE_COLOURS, post4_learning.RATE_LINES))),
])
def test_curves_a_colour_blind_reader_would_confuse_differ_in_line_style(name, styles):
    for i, (colour_a, line_a) in enumerate(styles):
        for colour_b, line_b in styles[i + 1:]:
            if confused(colour_a, colour_b):
                assert line_a != line_b, f"{name}: {colour_a} and {colour_b} look alike and share the line {line_a!r}"
    assert len({line for _, line in styles}) == len(styles), f"{name}: each curve has a line style of its own"


def test_how_strongly_a_neuron_fires_reads_by_lightness_alone():
    # The ramp from silent (the light grey of zero) to firing (purple) is a step in lightness
    # for every reader, so it needs no hue to be read: pale is silent, dark fires.
    for simulation in (None, *SIMULATIONS):
        m = SIMULATIONS[simulation] if simulation else np.eye(3)
        silent, firing = (lab(np.clip(m @ linear(c), 0, 1))[0] for c in (palette.ZERO, palette.ACTIVE))
        assert silent - firing > 40, (simulation, silent, firing)


def test_where_the_class_and_the_weight_colours_meet_the_caption_tells_them_apart():
    # Post 1's network diagram draws classes (its points), outputs and weight signs in orange
    # and blue: its caption says which is which.
    from tests.sites import ROOT

    post = (ROOT / "docs" / "posts" / "01-introduction.md").read_text()
    caption = next(line for line in post.splitlines() if "network_diagram.n_parameters" in line and "figcaption" in line)
    for words in ("blue high, orange low", "blue positive, orange negative", "two classes"):
        assert words in caption, words


def test_the_class_colours_stay_apart_for_every_reader():
    # The playground's three and four classes: no two class colours pass for one without red or
    # without green cones, and none is the purple of a neuron firing.
    classes = palette.CLASSES
    assert classes[:2] == (palette.ORANGE, palette.BLUE) and len(set(classes)) == len(classes) == 4
    for i, a in enumerate(classes):
        assert distance(a, palette.ACTIVE) > 40, a
        for b in classes[i + 1:]:
            assert not confused(a, b), (a, b)
