"""The ``@recipe`` declaration: what a recipe makes, and from which parameters.

    from scripts.assets.recipe import recipe

    @recipe(outputs=["post1/neuron.mp4", "post1/neuron-poster.webp"], params={"seed": 0})
    def neuron_video(out, params):
        ...                          # write each out["post1/..."] (a pathlib.Path)
        return {"final_loss": 0.1}   # metrics for the manifest, or None

Outputs are paths under ``docs/assets/generated/``. The declaration is checked here
and kept on the function; the build (:mod:`scripts.assets.build`) does the rest.
A recipe module imports this and nothing of the build, so editing the build never
makes an asset stale.
"""

import json
from pathlib import PurePosixPath

MANIFEST = "manifest.json"  # the build's record in the assets root: no recipe may write it


def recipe(outputs, params=None):
    """Declare a recipe: ``fn(out, params)`` writes ``outputs`` and returns metrics or None."""
    def declare(fn):
        where = f"recipe {fn.__name__}"
        if isinstance(outputs, str) or not outputs or len(set(outputs)) != len(outputs):
            raise ValueError(f"{where}: outputs must be a list of distinct paths, got {outputs!r}")
        for o in outputs:  # no absolute paths, no way out of the assets root, no hidden names
            if not isinstance(o, str) or o == MANIFEST or str(PurePosixPath(o)) != o or any(
                    part.startswith(".") or part == "/" for part in PurePosixPath(o).parts):
                raise ValueError(f"{where}: output {o!r} must be a plain relative path like 'post1/a.svg'")
        try:
            fn.__recipe__ = (list(outputs), json.loads(json.dumps(dict(params or {}))))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: params must be a dict of JSON values: {exc}") from None
        return fn
    return declare
