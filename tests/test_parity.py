"""Parity: the browser's Python gives the same numbers as the build's.

The same training runs (same seeds, same steps) go through the widgets' models
twice: here under CPython, and under Pyodide in Node (tests/node/parity.mjs)
with the Pyodide folder and the demos zip exactly as the site serves them.
Pyodide's NumPy has no BLAS, so matrix products may differ in the last bits:
losses and weights must agree to 1e-9 relative, not bit for bit.
"""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from scripts.runtime import browser_runtime
from scripts.site.hooks import demos_bundle

ROOT = Path(__file__).resolve().parent.parent
RTOL = 1e-9
ATOL = 1e-12  # for entries that are zero up to rounding, where relative error means nothing

# Runs in both interpreters; leaves a JSON text in `result`.
SCENARIOS = r'''
import json
import numpy as np
from demos import datasets
from demos.nn import Network, Trainer, make_optimizer
from demos.widgets import create, call
from demos.widgets.playground import PlaygroundModel
from demos.widgets.labels import LabelsModel
from demos.widgets.line import LineModel
from demos.widgets.convnet import ConvTrainingModel
from demos.widgets.digit import DigitModel


def weights(network):
    return [[layer["W"].ravel().tolist(), layer["b"].tolist()] for layer in network.layers]


def playground(epochs, **settings):
    model = PlaygroundModel(**settings)
    losses = []
    for _ in range(epochs):
        answer = model.step(1)
        losses += answer["train_loss"] + answer["test_loss"]
    return {"losses": losses, "weights": weights(model.network),
            "output": answer["output"].astype(float).tolist()[::97]}


out = {
    # The benchmark configuration of the playground, and one run per optimiser and activation.
    "spirals_sgd": playground(20, dataset="spirals", hidden=[8, 8], activation="tanh",
                              learning_rate=0.03, batch_size=10, seed=0),
    "moons_adam_l2": playground(10, dataset="moons", noise=0.2, hidden=[6], activation="relu",
                                learning_rate=0.01, batch_size=16, optimizer="adam", l2=0.001, seed=4),
    "circles_momentum": playground(10, dataset="circles", hidden=[5, 3], activation="sigmoid",
                                   learning_rate=0.2, batch_size=7, optimizer="momentum", split=0.7, seed=9),
}

# Three classes (softmax, categorical cross-entropy) with extra inputs and points placed by hand;
# two hidden neurons switched off mid-run, and a snapshot replayed.
model = PlaygroundModel(dataset="spirals", classes=3, features=["x2", "sinx"], hidden=[6, 5], activation="relu",
                        learning_rate=0.01, optimizer="adam", n_samples=120, seed=5,
                        points=[[0.2, 0.3, 2], [-0.4, 0.1, 1], [0.5, -0.6, 0]])
first = model.step(10)
off = model.silence([1, 6 + 4])
later = model.step(10)
replayed = model.replay(2)
out["multiclass"] = {
    "losses": first["train_loss"] + first["test_loss"] + later["train_loss"] + later["test_loss"],
    "weights": weights(model.network),
    "silenced": off["output"].astype(float).ravel().tolist()[::97] + [off["train_accuracy"], off["test_accuracy"]],
    "replayed": replayed["output"].astype(float).ravel().tolist()[::97] + [replayed["train_accuracy"]],
}

# Real digits against shuffled labels: softmax, categorical cross-entropy, 64 inputs.
labels = LabelsModel(epochs=2, hidden=16, seed=2)
history = [labels.step(15) for _ in range(7)]
out["labels"] = {"runs": [[a[run][key] for run in ("real", "shuffled") for key in a[run]] for a in history],
                 "weights": weights(labels.networks["real"]) + weights(labels.networks["shuffled"])}

# One neuron on points the reader placed, through the same message packing the worker uses.
text, arrays = create("line-1", "line", json.dumps({"dataset": "xor", "points": 40, "seed": 3}))
text, arrays = call("line-1", "step", json.dumps({"epochs": 25}))
answer = json.loads(text)
out["line"] = {"loss": answer["loss"], "boundary": [answer["weights"], answer["bias"]]}

# One step of backpropagation, factor by factor, and a finite-difference nudge, through the packing.
create("backprop-1", "backprop", json.dumps({"seed": 5, "learning_rate": 0.5}))
steps = [json.loads(call("backprop-1", method, json.dumps(args))[0]) for method, args in (
    ("forward", {}), ("update", {}), ("update", {}), ("nudge", {"parameter": "W1[1][2]", "epsilon": 0.001}))]
text, arrays = call("backprop-1", "backward", "{}")
out["backprop"] = {"losses": [steps[0]["loss"], steps[1]["loss"], steps[2]["loss"]],
                   "nudge": [steps[3]["change"], steps[3]["predicted"]],
                   "backward": [np.asarray(a).tolist() for a in arrays]}

# The data the widgets train on, and the preprocessing of a drawing.
y, x = np.mgrid[0:140, 0:140]
stroke = ((np.abs(x - 70 - 0.2 * (y - 70)) < 9) & (y > 15) & (y < 125)).astype(float)

# Post 7's convolutional network trained live: convolutions, pooling, Adam, the curves' points
# and the feature maps of a drawing read by the network as it stands.
convnet = ConvTrainingModel(batch_size=64, seed=3)  # 22 mini-batches an epoch: a point every 7
steps = [convnet.step(n) for n in (1, 4, 10)]
drawn = convnet.draw((stroke * 255).astype(np.uint8).ravel(), 140, 140)
out["convnet"] = {
    "curves": [steps[-1][key].astype(float).tolist() for key in ("loss", "train_accuracy", "test_accuracy")],
    "filters": [answer["filters"].astype(float).ravel().tolist() for answer in steps],
    "weights": weights(convnet.network),
    "maps": drawn["maps"].astype(float).ravel().tolist()[::3],
    "probabilities": drawn["probabilities"].astype(float).tolist(),
}
# The trained digits network read with hidden units switched off: a drawing and the test digits.
digits_network = Network([64, 32, 10], ["tanh", "softmax"], seed=1)
X_train, _, y_train, _ = datasets.digits_split()
Trainer(digits_network, X_train / 16, datasets.one_hot(y_train, 10), "categorical_cross_entropy",
        make_optimizer("adam", 0.01), batch_size=32, seed=1).run(2)
digit = DigitModel(digits_network.to_json())
silenced = [0, 5, 17, 31]
read = digit.classify((stroke * 255).astype(np.uint8).ravel(), 140, 140, silenced=silenced)
tested = [digit.test_accuracy(units) for units in ([], silenced)]
out["digit"] = {
    "probabilities": read["probabilities"].astype(float).tolist(),
    "hidden": read["hidden"].astype(float).tolist(),
    "test": [[answer["right"], *answer["by_digit"].astype(float).tolist()] for answer in tested],
}
out["data"] = {
    "toy": [datasets.toy(name, 30, 0.2, seed=5)[0].ravel().tolist() for name in datasets.TOY_DATASETS],
    "toy_classes": [datasets.toy(name, 30, 0.2, seed=5, n_classes=k)[0].ravel().tolist()
                    for name in datasets.MULTICLASS for k in (3, 4)],
    "drawing": datasets.drawing_to_digit(stroke).tolist(),
    "shapes": datasets.coloured_shapes(6, seed=1, size=12)[0].ravel().tolist()[::7],
}
result = json.dumps(out)
'''


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The runtime folder and the demos zip, exactly as the site serves them."""
    site = tmp_path_factory.mktemp("site")
    runtime = browser_runtime.assemble(log=lambda *args: None)
    browser_runtime.copy_into(site, runtime)
    name, data = demos_bundle(ROOT / "demos")
    (site / name).write_bytes(data)
    return site / "vendor" / runtime.name, site / name


def run_in_pyodide(pyodide_dir, demos, code):
    node = shutil.which("node")
    if node is None:
        pytest.fail("the parity test needs Node.js 18 or newer on PATH (Debian: apt-get install nodejs)")
    done = subprocess.run([node, str(ROOT / "tests" / "node" / "parity.mjs"), str(pyodide_dir), str(demos)],
                          input=code, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"Pyodide run failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


def run_in_cpython(code):
    namespace = {}
    exec(compile(code, "<scenarios>", "exec"), namespace)
    return json.loads(namespace["result"])


def assert_same(browser, build, where="result"):
    assert type(browser) is type(build) or {type(browser), type(build)} <= {int, float}, where
    if isinstance(build, dict):
        assert browser.keys() == build.keys(), where
        for key in build:
            assert_same(browser[key], build[key], f"{where}.{key}")
    elif isinstance(build, list) and build and isinstance(build[0], (list, dict)):
        assert len(browser) == len(build), where
        for i, (a, b) in enumerate(zip(browser, build)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        np.testing.assert_allclose(browser, build, rtol=RTOL, atol=ATOL, err_msg=where)


def test_pyodide_in_node_matches_cpython(served):
    pyodide_dir, demos_zip = served
    browser = run_in_pyodide(pyodide_dir, demos_zip, SCENARIOS)
    build = run_in_cpython(SCENARIOS)
    assert_same(browser, build)
    # The runs really trained: losses moved, so agreement is not agreement on the starting point.
    losses = build["spirals_sgd"]["losses"]
    assert losses[-2] < losses[0]
    multiclass = build["multiclass"]["losses"]
    assert multiclass[19] < multiclass[0] and build["multiclass"]["silenced"] != build["multiclass"]["replayed"]
    assert build["labels"]["runs"][-1] == [[]] * 6  # the last call found training done
    assert build["backprop"]["losses"][2] < build["backprop"]["losses"][0]
    assert len(build["backprop"]["backward"]) == 4  # the hidden errors, slopes, z1 errors and gradients
    loss = build["convnet"]["curves"][0]
    assert len(loss) == 2 and loss[1] < loss[0]
    assert build["digit"]["test"][0][0] != build["digit"]["test"][1][0]  # the silenced units mattered


def test_comparison_catches_a_difference():
    """The comparison itself fails when one number is off by more than the tolerance."""
    build = run_in_cpython(SCENARIOS)
    changed = json.loads(json.dumps(build))
    changed["spirals_sgd"]["weights"][1][0][3] *= 1 + 1e-7
    with pytest.raises(AssertionError):
        assert_same(changed, build)
