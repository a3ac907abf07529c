"""Building a test site: a copy of the project with pages of a test's own, built by mkdocs.

The browser test files each serve such a site; they share this so that every one of
them builds it exactly as `make site` does (same hooks, same theme overrides).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import vendor

ROOT = Path(__file__).resolve().parent.parent
# What `mkdocs build` reads: the config, the pages, the theme overrides and the hooks' code.
SITE_SOURCES = ("docs", "scripts", "demos", "overrides")


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
