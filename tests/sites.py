"""Building a test site: a copy of the project with pages of a test's own, built by mkdocs.

The browser test files each serve such a site; they share this so that every one of
them builds it exactly as `make site` does (same hooks, same theme overrides).
"""

import base64
import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.utils.yaml import get_yaml_loader

from scripts.site import blocks, hooks

from scripts.runtime import vendor

ROOT = Path(__file__).resolve().parent.parent
# What `mkdocs build` reads: the config, the pages, the theme overrides and the hooks' code.
SITE_SOURCES = ("docs", "scripts", "demos", "overrides")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAAB"
                       "JRU5ErkJggg==")


def copy_project(parent):
    """Copy mkdocs.yml and SITE_SOURCES into `parent`/project, leaving out generated assets
    (a test puts in the ones its pages need); returns the project folder."""
    project = Path(parent) / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project)
    for name in SITE_SOURCES:
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__", "generated"))
    return project


def build_site(project, folder, url, *options, **env):
    """`mkdocs build [options] -d folder` in `project`, for a site served at `url` (instant
    navigation follows only links inside site_url), with the self-hosted runtime. Fails the
    test with mkdocs' output when the site does not build."""
    # The project's verified runtime cache: a copy of the project has none of its own.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYODIDE_SOURCE": "self", "SITE_URL": url,
           "VENDOR_CACHE": str(vendor.cache_root()), **env}
    command = [sys.executable, "-m", "mkdocs", "build", *options, "-d", str(folder)]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        pytest.fail(f"the site did not build:\n{done.stdout}\n{done.stderr}")


def write_manifest(project, assets, recipes=None):
    """Write `project`'s asset manifest: `assets` ({path under assets/generated/: entry}),
    `recipes`, and the icons its mkdocs.yml names, each with a stand-in picture where the
    project has none (the build stops on a missing icon as on a missing figure)."""
    generated = project / "docs" / blocks.GENERATED
    config = yaml.load((project / "mkdocs.yml").read_text(), Loader=get_yaml_loader())
    assets = dict(assets)
    for _, path in hooks.config_references(config):
        if not (generated / path).is_file():
            (generated / path).parent.mkdir(parents=True, exist_ok=True)
            (generated / path).write_bytes(PNG)
        assets.setdefault(path, {"recipe": "stand-in made by tests/sites.py"})
    (generated / "manifest.json").parent.mkdir(parents=True, exist_ok=True)
    (generated / "manifest.json").write_text(json.dumps({"assets": assets, "recipes": recipes or {}}))


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
