"""The series' colours, declared once: the figures draw with them (scripts/assets/plotting.py),
and the site's build writes them for the page (:func:`stylesheet`, :func:`module`), so the live
widgets and their styles use the very same ones.

Colours keep one meaning across the series: orange is class 0 and negative weights, blue is
class 1 and positive weights (DIVERGING runs from one to the other through a light grey zero);
red, green and blue are the three inputs of the colour neuron. Purple (ACTIVE) is how strongly
a neuron fires, a class of its own: never a class, never a sign. Where there are more than two
classes (the playground's three- and four-class sets), CLASSES goes on from orange and blue with
Okabe and Ito's bluish green and yellow: no two of the four are confused by a reader without red
or without green cones (tests/test_colour_meaning.py).
"""

import json

ORANGE = "#e8710a"  # class 0, negative
BLUE = "#1a73e8"  # class 1, positive
RED = "#d93025"
GREEN = "#1e8e3e"
NEUTRAL = "#9aa0a6"  # things that belong to no class: unlabelled points, guides
CARD = "#f8f9fa"  # the background of every figure and video frame
TEXT = "#202124"
AXES = "#5f6368"  # spines, ticks and tick labels: mid-grey
ZERO = "#eceff1"  # a light grey: zero, between negative and positive
ACTIVE = "#8e24aa"  # how strongly a neuron fires: a purple that fills as its output grows
# Dark orange, orange, zero, blue, dark blue: the stops of the diverging map.
DIVERGING = ("#b3500a", ORANGE, ZERO, BLUE, "#0d47a1")
# One colour per class, class 0 first, and what the colour is called in a text alternative.
CLASSES = (ORANGE, BLUE, "#009e73", "#f0e442")
CLASS_NAMES = ("orange", "blue", "green", "yellow")
# Decision regions are shaded in the colour of the class that wins there, mixed with the card as
# its lead shrinks: the surest regions get this much of the class's colour (points stay readable).
REGION_STRENGTH = 0.55

NAMED = {"orange": ORANGE, "blue": BLUE, "red": RED, "green": GREEN, "neutral": NEUTRAL, "card": CARD,
         "text": TEXT, "axes": AXES, "zero": ZERO, "active": ACTIVE}


def rgb(colour):
    """``"#rrggbb"`` as ``[red, green, blue]``, each 0 to 255."""
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def stylesheet():
    """The colours as CSS custom properties: ``--nn-orange`` and so on."""
    lines = [f"  --nn-{name}: {colour};" for name, colour in NAMED.items()]
    return "/* Written by the build from scripts/assets/palette.py. */\n:root {\n" + "\n".join(lines) + "\n}\n"


def module():
    """The colours as a JavaScript module: ``COLOURS`` (name -> [r, g, b]), ``DIVERGING``, ``CLASSES``, ``CLASS_NAMES`` and ``REGION_STRENGTH``."""
    colours = json.dumps({name: rgb(colour) for name, colour in NAMED.items()})
    return ("// Written by the build from scripts/assets/palette.py.\n"
            f"export const COLOURS = {colours};\nexport const DIVERGING = {json.dumps([rgb(c) for c in DIVERGING])};\n"
            f"export const CLASSES = {json.dumps([rgb(c) for c in CLASSES])};\n"
            f"export const CLASS_NAMES = {json.dumps(CLASS_NAMES)};\n"
            f"export const REGION_STRENGTH = {REGION_STRENGTH};\n")
