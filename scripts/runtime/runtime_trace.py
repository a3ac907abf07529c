"""Find which files of the browser's runtime the widgets really use, by running them.

Runs inside the pinned Pyodide under Node, started the way the reader's worker starts
it (``loadPyodide`` with NumPy named up front, see ``scripts/runtime/pyodide_run.mjs``), on
the complete, verified standard library and NumPy wheel::

    node scripts/runtime/pyodide_run.mjs --packages numpy PYODIDE_DIR scripts/runtime/runtime_trace.py DEMOS_PARENT OUT.json

It imports every widget model of ``demos.widgets`` and exercises each through the
worker's own entry points (``create``, ``call``, ``dispose``, with arrays passed as
raw bytes), including the paths the worker takes when something goes wrong (a
widget's error answer, a Python exception crossing into JavaScript) and the
worker's memory report. Then it writes ``OUT.json``::

    {"stdlib": [paths inside python_stdlib.zip], "numpy": [paths inside the wheel],
     "modules": [every module name imported]}

``scripts.runtime.vendor`` ships only those files (see ``prune_archive`` in
``scripts/runtime/bytecode.py``). A widget kind with no exercise below stops the trace: a
widget the trace has not run might import what the pruned runtime leaves out.
"""

import json
import sys

STDLIB_PREFIX = "/lib/python312.zip/"
SITE_PACKAGES = "/lib/python3.12/site-packages/"


def network_json(sizes, activations):
    from demos.nn import Network

    return Network(sizes, activations, seed=0).to_json()


def conv_json(input_shape, n_classes, layers):
    """An untrained network of the trained ones' kind: `layers` of 3x3 filters that keep the
    picture's size, each followed by 2x2 pooling."""
    from demos.conv import ConvNetwork

    return ConvNetwork(input_shape, conv=[[4, 3, 1, 1]] * layers, pool=2, dense=(), n_classes=n_classes,
                       seed=0).to_json()


def stroke(width, height):
    """A diagonal stroke of ink, ``(height * width,)`` uint8, as a canvas gives it."""
    import numpy as np

    y, x = np.mgrid[0:height, 0:width]
    return (np.abs(x - y) < max(2, width // 10)).astype(np.uint8).ravel() * 255


def exercises():
    """{widget kind: (options, [(method, args), ...])}: what each widget's page asks of its model.

    Every call must succeed, except those whose method is marked ``"!"`` (an error the page
    must be able to receive): a call that fails by accident exercises nothing.
    """
    import numpy as np

    from demos import conv, datasets
    from demos.widgets.filters import DIGIT_SAMPLES

    def kernel(name):
        return conv.kernel(name).ravel().tolist()  # the page sends a filter's 9 numbers

    return {
        "neuron": ({"preset": "purple"}, [
            ("evaluate", {"weights": [1.0, -2.0, 3.0], "bias": 0.5, "activation": a})
            for a in ("sigmoid", "tanh", "relu")]),
        "line": ({"dataset": "xor", "points": 40}, [
            ("step", {"epochs": 3}),
            ("set_points", {"points": np.array([0.1, 0.2, -0.3, 0.4, 0.5, -0.6]), "labels": [0, 1, 1]}),
            ("step", {"epochs": 2}), ("restore_points", {}), ("reset", {})]),
        "playground": ({"dataset": "spirals", "hidden": [4, 4]}, [
            ("step", {"epochs": 2}), ("reset", {}),
            *[("configure", {"dataset": "circles", "hidden": [3], "activation": a, "optimizer": o})
              for a, o in (("relu", "adam"), ("sigmoid", "momentum"))],
            ("step", {"epochs": 1}),
            # Three classes, extra inputs and points placed by hand; a neuron switched off; replay.
            ("configure", {"dataset": "spirals", "classes": 3, "features": ["x2", "sinx"], "hidden": [4],
                           "points": [[0.1, 0.2, 2]], "data_seed": 1}),
            ("step", {"epochs": 5}), ("silence", {"units": [1]}), ("replay", {"index": 1}),
            # An unknown setting: the model's error answer travels back as words.
            ("configure!", {"dataset": "no-such-set"})]),
        "labels": ({"epochs": 2, "hidden": 8}, [("step", {"batches": 5}), ("reset", {})]),
        "backprop": ({"seed": 1, "learning_rate": 0.5}, [
            ("forward", {}), ("backward", {}), ("update", {}),
            ("nudge", {"parameter": "W1[2][1]", "epsilon": 0.01}), ("nudge!", {"parameter": "W3", "epsilon": 0.01}),
            ("reset", {})]),
        "digit": ({"model_json": network_json([64, 8, 10], ["relu", "softmax"]),
                   "samples_json": json.dumps({"images": [[0] * 64], "labels": [3]})}, [
            ("classify", {"ink": stroke(140, 140), "width": 140, "height": 140}),
            ("classify", {"ink": np.zeros(140 * 140, np.uint8), "width": 140, "height": 140}),
            # Hidden units switched off: the drawing and the test digits read without them.
            ("classify", {"ink": stroke(140, 140), "width": 140, "height": 140, "silenced": [0, 3]}),
            ("test_accuracy", {"silenced": [3]})]),
        "shapes": ({"model_json": network_json([16 * 16 * 3, 8, len(datasets.SHAPES) + len(datasets.COLOURS)],
                                               ["relu", "sigmoid"])}, [
            ("classify_shape", {"shape": datasets.SHAPES[0], "colour": [1, 0, 0], "x": 0.5, "y": 0.5,
                                "size": 0.6}),
            ("classify_drawing", {"pixels": np.full(32 * 32 * 4, 200, np.uint8), "width": 32, "height": 32})]),
        "filters": ({"digits_json": conv_json((1, 8, 8), 10, 1),
                     "shapes_json": conv_json((3, 16, 16), len(datasets.SHAPES), 2)}, [
            ("pick", {"sample": 0, "kernel": kernel("vertical_edge")}),
            # The first shape after the digits: a coloured picture, read by the shapes network.
            ("pick", {"sample": len(DIGIT_SAMPLES), "kernel": [0, 1, 0, 1, -4, 1, 0, 1, 0]}),
            ("draw", {"ink": stroke(168, 168), "width": 168, "height": 168, "kernel": kernel("blur")}),
            ("apply", {"kernel": kernel("sharpen")})]),
        "convnet": ({"batch_size": 64, "seed": 2}, [
            ("step", {"batches": 8}), ("pick", {"sample": 4}),
            ("draw", {"ink": stroke(168, 168), "width": 168, "height": 168}),
            ("draw", {"ink": np.zeros(168 * 168, np.uint8), "width": 168, "height": 168}),
            ("step", {"batches": 3}), ("reset", {}), ("configure", {"learning_rate": 0.03, "batch_size": 16}),
            ("step!", {"batches": 0})]),
    }


def pack(args):
    """``args`` as the worker sends them: a JSON text, with each array replaced by a
    reference into a list of raw byte buffers."""
    import numpy as np

    buffers = []

    def swap(value):
        if isinstance(value, np.ndarray):
            buffers.append(value.tobytes())
            return {"__array__": len(buffers) - 1, "dtype": value.dtype.name, "shape": [value.size]}
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    return json.dumps(swap(args)), buffers


def exercise_every_widget():
    from demos import widgets

    plans = exercises()
    missing = sorted(set(widgets.WIDGETS) - set(plans))
    if missing:
        raise SystemExit(f"scripts/runtime/runtime_trace.py has no exercise for the widget(s) {', '.join(missing)}: "
                         "add one to exercises() that calls each of its METHODS, so the pruned runtime "
                         "ships what it imports")
    for kind, (options, calls) in plans.items():
        text, _ = widgets.create(f"trace-{kind}", kind, json.dumps(options))
        if "__error__" in json.loads(text):
            raise SystemExit(f"the trace could not make the {kind} widget's model: {text}")
        for method, args in calls:
            expect_error = method.endswith("!")
            text, _ = widgets.call(f"trace-{kind}", method.rstrip("!"), *pack(args))
            if ("__error__" in json.loads(text)) != expect_error:
                raise SystemExit(f"the trace's call {kind}.{method.rstrip('!')}({', '.join(args)}) "
                                 f"{'did not fail as expected' if expect_error else 'failed'}: {text[:500]}")
        widgets.dispose(f"trace-{kind}")


def cross_into_javascript_with_an_error():
    """A Python exception raised under a call from JavaScript, as when the worker's
    runPython fails: Pyodide turns it into a JavaScript error with its traceback."""
    from pyodide.code import run_js

    def fail():
        raise ValueError("the trace's deliberate error")

    caught = run_js("(f) => { try { f(); return 'no error'; } catch (error) { return error.message; } }")(fail)
    if "deliberate error" not in caught:
        raise SystemExit(f"the trace's error did not reach JavaScript as expected: {caught!r}")


def worker_memory_report():
    """What worker.js runs for its memory message."""
    import gc
    import tracemalloc

    tracemalloc.start()
    gc.collect()
    json.dumps(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()


def used_files(opened):
    """Paths inside the stdlib zip and inside the NumPy wheel of every imported module
    (a package's ``__init__`` included) and of every other file opened."""
    stdlib, numpy_files = set(), set()
    paths = set(opened)
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            paths.add(path)
    for path in paths:
        if path.startswith(STDLIB_PREFIX):
            stdlib.add(path[len(STDLIB_PREFIX):])
        elif path.startswith(SITE_PACKAGES + "numpy"):
            numpy_files.add(path[len(SITE_PACKAGES):])
    return sorted(stdlib), sorted(numpy_files)


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: runtime_trace.py DEMOS_PARENT OUT.json")
    demos_parent, out = argv
    opened = set()

    def watch(event, args):
        if event == "open" and isinstance(args[0], str):
            opened.add(args[0])

    sys.addaudithook(watch)
    sys.path.insert(0, demos_parent)
    import numpy  # noqa: F401  (the worker imports it before anything else)

    exercise_every_widget()
    cross_into_javascript_with_an_error()
    worker_memory_report()
    stdlib, numpy_files = used_files(opened)
    with open(out, "w") as f:
        json.dump({"stdlib": stdlib, "numpy": numpy_files, "modules": sorted(sys.modules)}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
