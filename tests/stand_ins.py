"""Stand-ins for what the asset build makes, for tests that must not wait for it: small files
a page can reference, listed in a manifest as the build would list them, pictures the size of
a real figure, and quickly trained networks of the asset build's form for the widgets' models.

``made(path)`` gives the asset build's own file when it has made it, else the stand-in.
"""

import base64
import importlib
import json
import pkgutil
from pathlib import Path

import numpy as np

from demos import conv, datasets
from demos.nn import Network, Trainer, make_optimizer

GENERATED = Path(__file__).resolve().parent.parent / "docs" / "assets" / "generated"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"  # a header only: tests never play it
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def write_stand_in(path):
    """A tiny file of the kind `path`'s suffix names (a video, an SVG, else a PNG)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes({".mp4": MP4, ".svg": SVG}.get(path.suffix, PNG))


def fallback_png(path, seed):
    """A small picture standing in for a widget's pre-rendered figure."""
    import matplotlib.image

    path.parent.mkdir(parents=True, exist_ok=True)
    # The size of a real figure, so the page is as long as a real one; smooth, so the file is small.
    y, x = np.mgrid[0:1:432j, 0:1:768j]
    matplotlib.image.imsave(path, np.stack([x, y, np.full_like(x, (seed % 7) / 7)], axis=-1))


def stand_in_figure():
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="768" height="432" viewBox="0 0 768 432">'
            '<rect width="768" height="432" fill="#dde"/></svg>')


def _trained(network, X, Y, loss, learning_rate, seed, epochs):
    Trainer(network, X, Y, loss, make_optimizer("adam", learning_rate), batch_size=32, seed=seed).run(epochs)
    return network.to_json()


def digits_model():
    """A digits network like the asset build's: pixels / 16 in, ten probabilities out."""
    X_train, _, y_train, _ = datasets.digits_split()
    return _trained(Network([64, 32, 10], ["tanh", "softmax"], seed=0), X_train / datasets.PIXEL_MAX,
                    datasets.one_hot(y_train, 10), "categorical_cross_entropy", 0.01, 0, 15)


def digits_samples():
    _, X_test, _, y_test = datasets.digits_split()
    shown = [int(np.flatnonzero(y_test == digit)[0]) for digit in range(10)]
    return json.dumps({"images": X_test[shown].astype(int).tolist(), "labels": y_test[shown].tolist()})


def shapes_model():
    """A quickly trained shapes network of the asset build's form: 768 inputs, 6 sigmoid outputs."""
    images, shapes, colours = datasets.coloured_shapes(600, seed=0)
    targets = np.concatenate([datasets.one_hot(shapes, 3), datasets.one_hot(colours, 3)], axis=1)
    return _trained(Network([768, 24, 6], ["tanh", "sigmoid"], seed=0), images.reshape(len(images), -1), targets,
                    "binary_cross_entropy", 0.003, 0, 8)


def conv_digits(epochs=10):
    """A convolutional digits network of the asset build's form, trained briefly."""
    X_train, _, y_train, _ = datasets.digits_split()
    network = conv.ConvNetwork((1, 8, 8), conv=[(8, 3, 1, 1)], pool=2, n_classes=10, seed=1)
    return _trained(network, X_train / datasets.PIXEL_MAX, datasets.one_hot(y_train, 10), "categorical_cross_entropy",
                    0.01, 1, epochs)


def conv_shapes(epochs=4):
    """A convolutional shapes network of the asset build's form (no training for `epochs` 0)."""
    network = conv.ConvNetwork((3, 16, 16), conv=[(8, 3, 1, 1), (16, 3, 1, 1)], pool=2, n_classes=3, seed=0)
    if not epochs:
        return network.to_json()
    images, labels, _ = datasets.coloured_shapes(900, seed=0)
    return _trained(network, images.transpose(0, 3, 1, 2).reshape(len(images), -1), datasets.one_hot(labels, 3),
                    "categorical_cross_entropy", 0.01, 0, epochs)


# What the widgets' models are made from, stood in for: digit, shapes, filters.
MODELS = {"models/digits.json": digits_model, "models/digits-samples.json": digits_samples,
          "models/shapes.json": shapes_model, "models/conv-digits.json": conv_digits,
          "models/conv-shapes.json": conv_shapes}


def made(path, stand_in=None):
    """The text of the asset build's file `path` (under assets/generated/) when it has made it,
    else of its stand-in (`stand_in()`, or the one MODELS names)."""
    if (GENERATED / path).is_file():
        return (GENERATED / path).read_text()
    return (stand_in or MODELS[path])()


def drawn_with():
    """{recipe name: (its outputs, its ``widget`` param)} for every recipe that draws a widget's
    fallback with the widget's own options: what a stand-in manifest must record for a page's
    widget block to take them (see scripts/site/hooks.load_drawn_with)."""
    from scripts.assets import recipes

    found = {}
    for module in pkgutil.iter_modules(recipes.__path__):
        for fn in vars(importlib.import_module(f"{recipes.__name__}.{module.name}")).values():
            outputs, params = getattr(fn, "__recipe__", ((), {}))
            if "widget" in params:
                found[fn.__name__] = (outputs, params["widget"])
    return found


def referenced(project):
    """Every generated file `project` shows: the icons its mkdocs.yml names, and what its pages
    show (their cards too) or their widgets' models are made from."""
    from scripts.site import hooks
    from tests.sites import read_config

    drawn = {output: widget for outputs, widget in drawn_with().values() for output in outputs}
    found = {path for _, path in hooks.config_references(read_config(project / "mkdocs.yml"))}
    for page in (project / "docs").rglob("*.md"):
        found.update(hooks.page_references(page.read_text(), drawn))
    return found


def write_manifest(project, assets, recipes=None):
    """Write `project`'s asset manifest: `assets` ({path under assets/generated/: entry}),
    `recipes`, and the icons its mkdocs.yml names, each with a stand-in picture where the
    project has none (the build stops on a missing icon as on a missing figure)."""
    from scripts.site import hooks
    from tests.sites import read_config

    generated = project / "docs" / "assets" / "generated"
    assets = dict(assets)
    for _, path in hooks.config_references(read_config(project / "mkdocs.yml")):
        if not (generated / path).is_file():
            (generated / path).parent.mkdir(parents=True, exist_ok=True)
            (generated / path).write_bytes(PNG)
        assets.setdefault(path, {"recipe": "stand-in made by tests/stand_ins.py"})
    (generated / "manifest.json").parent.mkdir(parents=True, exist_ok=True)
    (generated / "manifest.json").write_text(json.dumps({"assets": assets, "recipes": recipes or {}}))


def add_stand_ins(project, paths):
    """Give each of `paths` (under assets/generated/) that the asset build has not made a stand-in,
    listed in the project's manifest: under the recipe that makes it if that recipe draws a widget's
    fallback (with its widget options, as the asset build records them)."""
    generated = project / "docs" / "assets" / "generated"
    manifest_path = generated / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest.setdefault("assets", {})
    drawing = {output: (name, widget) for name, (outputs, widget) in drawn_with().items() for output in outputs}
    for path in sorted(paths):
        if path in manifest["assets"] and (generated / path).is_file():
            continue
        if not (generated / path).is_file():
            write_stand_in(generated / path)
        recipe, widget = drawing.get(path, ("stand-in made by the tests", None))
        manifest["assets"][path] = {"recipe": recipe}
        if widget:
            manifest.setdefault("recipes", {}).setdefault(recipe, {"metrics": {}})["params"] = {"widget": widget}
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1))
