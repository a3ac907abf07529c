"""What a widget lets an author set, and what its model is made from: declared once, beside the model.

Each widget module ends with ``WIDGET = Widget(Model, post, alt, options, files)``. An option is plain
data: ``{"choice": [values], "labels": {value: menu text}}``, ``{"number": [low, high]}`` (``"whole"``,
``"low_open"``: low excluded; for the page, a slider's ``"step"`` or a ``"menu"`` of values a link
cannot leave), ``{"widths": [max_layers, max_width]}`` or ``{"flags": [names], "labels": ...}`` (any of
the names, each once), with a line of ``"help"``; its ``"default"``
is ``Model.__init__``'s own (without one it is ``"required"``). ``files`` maps arguments of ``Model``
to data files under the generated assets. The build checks blocks against it (scripts/site/blocks.py);
the page builds its menus, sliders and links from it (``spec`` in ``demos.widgets.create``'s answer).
"""

from demos.nn import ACTIVATIONS, OPTIMIZERS


class Widget:
    """``keeps_figure``: the fallback figure shows what the live widget does not (the neuron's cut
    through the colour cube, a full-length run), so it stays on the page below the live widget."""

    def __init__(self, model, post, alt, options=None, files=None, keeps_figure=False):
        self.model, self.post, self.alt, self.files = model, post, alt, dict(files or {})
        self.keeps_figure = keeps_figure
        self.name = model.__module__.rpartition(".")[2]
        code, defaults = model.__init__.__code__, model.__init__.__defaults__ or ()
        given = dict(zip(code.co_varnames[code.co_argcount - len(defaults):code.co_argcount], defaults))
        self.options = {name: {**option, "required": name not in given, "default": given.get(name)}
                        for name, option in (options or {}).items()}


def check_choice(option, value, name):
    """``value`` if ``option`` (a choice) offers it, or a ValueError naming ``name``."""
    if value not in option["choice"]:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(option['choice'])}")
    return value


# What several widgets offer alike.
SEED = {"number": [0, 2**31 - 1], "whole": True, "help": "seed of the random start; Reset replays it"}
LEARNING_RATE = {"number": [0, 10], "low_open": True, "menu": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
                 "help": "step size of each weight update"}
ACTIVATION = {"choice": [name for name, a in ACTIVATIONS.items() if a.hidden],
              "labels": {name: a.label for name, a in ACTIVATIONS.items() if a.label != name}}
L2 = {"number": [0, 1], "menu": [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1],
      "help": "weight decay: pulls every weight towards zero"}
OPTIMIZER = {"choice": list(OPTIMIZERS), "labels": {name: optimizer.__name__ for name, optimizer in OPTIMIZERS.items()}}
