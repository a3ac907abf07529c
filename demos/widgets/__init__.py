"""The Python half of the live widgets: what each widget asks the network to compute.

Each widget on a page has a *model* here, one small class per widget in its own
module (``neuron.py``, ``line.py``, ``playground.py``, ...), which ends with the
widget's declaration (``WIDGET``, see ``options.py``): its options and data files.
A model holds the widget's network and data and answers method calls with plain
numbers and NumPy arrays; the widget's JavaScript draws the answers. Nothing here
draws, reads files or keeps time, so the same models run under CPython in the
tests and under Pyodide in the reader's browser.

The browser's worker talks to the models through three functions, with messages
that cross the JavaScript/Python boundary as a JSON text plus a list of arrays:

``create(key, kind, options_json)``
    makes the model of widget ``kind`` (e.g. ``"playground"``) from its options and
    the text of its data files (under their argument names), keeps it under ``key``
    (the widget's id on the page) and answers with its ``describe()`` and ``spec``,
    the options it declares (menus, limits).
``call(key, method, args_json, buffers)``
    calls one of the model's ``METHODS`` with keyword arguments and returns
    ``(json_text, arrays)``: every NumPy array in the answer is replaced by
    ``{"__array__": i, "dtype": ..., "shape": [...]}`` and travels as
    ``arrays[i]``, so the worker can hand it to the page as a typed array
    without copying it element by element. Arrays in the arguments arrive the
    same way: ``buffers[i]`` holds the raw bytes of the ``i``-th one.
``dispose(key)``
    forgets the model.

A failure comes back as ``{"__error__": {"type": ..., "message": ...}}`` rather
than as an exception, so the page can tell "training diverged" from a bug.
"""

import importlib
import json

import numpy as np

# Every widget, in the order the series meets them: each is the module demos.widgets.NAME,
# imported on first use so a page with one widget does not pay for the others (but see import_all).
WIDGETS = ("neuron", "labels", "line", "playground", "backprop", "digit", "shapes", "filters", "convnet")
# Array types the page can receive as typed arrays (Float32Array, Float64Array, ...).
DTYPES = ("float32", "float64", "int32", "uint8")
# NumPy's modules that NumPy imports only when first used (np.random.*).
NUMPY_ON_FIRST_USE = ("numpy.random",)

_models = {}


def widget(kind):
    """The declaration of widget ``kind`` (see ``options.py``); a clear ValueError lists the known ones."""
    if kind not in WIDGETS:
        raise ValueError(f"unknown widget {kind!r}; known widgets: {', '.join(WIDGETS)}")
    return importlib.import_module(f"{__name__}.{kind}").WIDGET


def create(key, kind, options_json):
    """Make the model of widget ``kind`` from ``options_json`` (a JSON object of its options
    and its data files' text). Returns ``describe()`` and ``spec``, packed like ``call``'s.
    """

    def make():
        declared = widget(kind)
        model = declared.model(**_loads(options_json, "options"))
        _models[key] = model
        return {**model.describe(), "spec": declared.options}

    return _answer(make)


def call(key, method, args_json, buffers=()):
    """Call ``method`` of the model kept under ``key``; see the module docstring."""

    def run():
        model = _models.get(key)
        if model is None:
            raise ValueError(f"no widget model {key!r} (it was disposed or never created)")
        if method not in type(model).METHODS:
            raise ValueError(f"{type(model).__name__} has no method {method!r}; "
                             f"it answers {', '.join(type(model).METHODS)}")
        args = _unpack(_loads(args_json, "arguments"), buffers)
        return getattr(model, method)(**args)

    return _answer(run)


def import_all():
    """Import every widget's module and what they use, NumPy's lazily imported parts included
    (``numpy.random`` alone takes a fifth of a second in the browser). The browser's worker
    calls this once, before it keeps a snapshot of Python for the reader's next visit, so that
    every widget on every page starts from that snapshot without importing or compiling anything."""
    for name in NUMPY_ON_FIRST_USE:
        importlib.import_module(name)
    for kind in WIDGETS:
        widget(kind)


def dispose(key):
    """Forget the model kept under ``key`` (nothing happens if there is none)."""
    _models.pop(key, None)


def n_models():
    """How many models are alive: the page disposes each one it leaves."""
    return len(_models)


# --- Packing answers and unpacking arguments.


def _loads(text, what):
    value = json.loads(text) if text else {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _answer(compute):
    """Run ``compute()`` and pack its value, or pack the error it raised."""
    arrays = []
    try:
        # No NaN or infinity: the page's JSON.parse would refuse them.
        return json.dumps(_pack(compute(), arrays), allow_nan=False), arrays
    except Exception as error:  # every failure goes back to the page, in words
        return json.dumps({"__error__": {"type": type(error).__name__, "message": str(error)}}), []


def _pack(value, arrays):
    """``value`` with every NumPy array swapped for a reference into ``arrays``."""
    if isinstance(value, np.ndarray):
        if value.dtype.name not in DTYPES:
            raise TypeError(f"cannot send an array of {value.dtype} to the page; use one of {DTYPES}")
        arrays.append(np.ascontiguousarray(value))
        return {"__array__": len(arrays) - 1, "dtype": value.dtype.name, "shape": list(value.shape)}
    if isinstance(value, dict):
        return {str(k): _pack(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack(v, arrays) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _unpack(value, buffers):
    """The inverse of ``_pack`` for arguments: references become NumPy arrays."""
    if isinstance(value, dict):
        if "__array__" in value:
            dtype = value.get("dtype")
            if dtype not in DTYPES:
                raise ValueError(f"array argument has dtype {dtype!r}; expected one of {DTYPES}")
            buffer = buffers[int(value["__array__"])]
            # In the browser a buffer is a JavaScript typed array; in tests, bytes or an array.
            data = buffer.to_bytes() if hasattr(buffer, "to_bytes") else bytes(buffer)
            return np.frombuffer(data, dtype=dtype).reshape(value["shape"]).copy()
        return {k: _unpack(v, buffers) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v, buffers) for v in value]
    return value
