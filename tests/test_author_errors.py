"""An author's mistakes, end to end: the real commands stop and say where and what to do.

Each case writes one small post with one mistake into a temporary project (this
project's mkdocs.yml, scripts/, demos/, overrides/ and stylesheets, with a two-page
nav and a manifest listing the one generated picture the good blocks use) and runs
`mkdocs build`: it must fail with exactly one message, `docs/posts/draft.md:LINE:`
followed by what is wrong and how to fix it. Broken recipes are added to a copy of
the recipe package and built with `python -m scripts.assets --only`: the build
must fail naming the recipe and what it did wrong, and install nothing of it.
(The unit tests of the same checks are in tests/test_blocks.py, tests/test_site.py,
tests/test_maths.py and tests/test_build_assets.py.)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts.runtime import vendor
from scripts.site import blocks, hooks
from tests.stand_ins import write_manifest

ROOT = Path(__file__).resolve().parent.parent
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201c5d4b6a50000000049454e44ae426082")
POST = "docs/posts/draft.md"
# Above each mistake: a title, a paragraph and a good widget, so the line numbers are a post's.
HEAD = """---
description: "A draft post."
date: 2026-11-29
image: draft/card.png
---

# A draft

Some text before the mistake.

```widget
name: line
dataset: blobs
fallback: draft/line.png
```

"""
FIRST = HEAD.count("\n") + 1  # the line where the mistake starts


def env():
    # The runtime files come from this project's verified cache, as in a real build.
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", PYODIDE_SOURCE="self", OPENBLAS_NUM_THREADS="1",
                SITE_URL="https://example.test/watch/", VENDOR_CACHE=str(vendor.cache_root()))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project with the real build and a docs folder of two pages; returns its folder."""
    root = tmp_path_factory.mktemp("author") / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root)
    for name in ("scripts", "demos", "overrides", "docs/javascripts", "docs/stylesheets"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "docs/index.md").write_text("# Home\n\nThe series.\n")
    generated = root / "docs" / blocks.GENERATED
    (generated / "draft").mkdir(parents=True)
    (generated / "draft/line.png").write_bytes(PNG)
    (generated / "draft/card.png").write_bytes(PNG)
    write_manifest(root, {"draft/line.png": {"recipe": "draft_line"}, "draft/card.png": {"recipe": "draft_line"}},
                   {"draft_line": {"metrics": {"accuracy": 0.9}}})
    (root / "mkdocs-draft.yml").write_text("INHERIT: mkdocs.yml\nnav:\n  - index.md\n  - posts/draft.md\n")
    return root


def build_site(project, mistake):
    """Write the draft with `mistake` after HEAD and build; returns (exit code, the output)."""
    (project / POST).parent.mkdir(parents=True, exist_ok=True)
    (project / POST).write_text(HEAD + textwrap.dedent(mistake))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", "mkdocs-draft.yml", "-d", "site"],
                          cwd=project, env=env(), capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_the_draft_builds_without_its_mistake(project):
    code, output = build_site(project, "The rest of the post, and {{ draft_line.accuracy:.0% }}.\n")
    assert code == 0, output
    assert "90%" in (project / "site/posts/draft/index.html").read_text()


# (what the author wrote, the line of the mistake counted from FIRST, what the message must say)
MISTAKES = {
    "unknown widget": ("```widget\nname: playgrond\ndataset: xor\n```\n", 0,
                       ['widget "playgrond" is unknown; known widgets: neuron, labels, line, playground',
                        'did you mean "playground"?']),
    "unknown option": ("```widget\nname: line\ndataset: xor\nlerning_rate: 0.5\n```\n", 0,
                       ['widget "line": option "lerning_rate" is unknown; known options: dataset, points, '
                        'learning_rate', 'did you mean "learning_rate"?']),
    "value of the wrong type": ("```widget\nname: line\ndataset: xor\npoints: many\n```\n", 0,
                                ['widget "line": option "points" must be a whole number from 10 to 500; '
                                 'got "many"']),
    "value out of range": ("```widget\nname: playground\ndataset: moons\nnoise: 0.9\n```\n", 0,
                           ['widget "playground": option "noise" must be in [0, 0.5]; got 0.9']),
    "required option missing": ("```widget\nname: playground\n```\n", 0,
                                ['option "dataset" is required', 'add a line such as "dataset: blobs"']),
    "asset no recipe makes": ("Text.\n\n![A figure](../assets/generated/draft/lines.png)\n", 2,
                              ["assets/generated/draft/lines.png is not in docs/assets/generated/manifest.json: "
                               "no recipe makes it — run `make assets` or fix the name",
                               'did you mean "assets/generated/draft/line.png"?']),
    "video without a description": ("```video\nsrc: draft/clip.mp4\ncaption: A clip.\n```\n", 0,
                                    ['video block needs "description:" (what the video shows, in words, '
                                     "for readers who cannot watch it (required))"]),
    "block never closed": ("```widget\nname: line\ndataset: xor\n", 0,
                           ["widget block is never closed; end it with a line of ```"]),
    "block that is not key: value lines": ("```widget\nname: line\ndataset xor\n```\n", 0,
                                           ["widget block is not valid YAML at line 2 of the block",
                                            'write one "key: value" per line']),
    "unknown metric": ("Accuracy: {{ draft_line.acuracy }}.\n", 0,
                       ["{{ draft_line.acuracy }}: recipe 'draft_line' reports no metric 'acuracy' "
                        "(it reports: accuracy)"]),
    "formula KaTeX cannot read": ("Text.\n\nThe output is $\\sigmoid(z)$, between 0 and 1.\n", 2,
                                  ["\\sigmoid(z): KaTeX parse error: Undefined control sequence: \\sigmoid"]),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_a_mistake_stops_the_build_with_one_message_naming_file_line_and_fix(project, kind):
    mistake, offset, expected = MISTAKES[kind]
    code, output = build_site(project, mistake)
    assert code != 0, f"the build accepted a {kind}:\n{output}"
    messages = re.findall(rf"^.*{re.escape(POST)}:(\d+): (.*)$", output, re.M)
    assert len(messages) == 1, f"expected one message for a {kind}, got:\n{output}"
    line, message = messages[0]
    assert int(line) == FIRST + offset, f"the message names line {line}, the mistake is on {FIRST + offset}"
    for words in expected:
        assert words in message, f"{words!r} not in {message!r}"
    assert "Traceback" not in output


# --- Recipes.


BROKEN_RECIPES = '''
from scripts.assets.recipe import recipe


@recipe(outputs=["draft/raises.png"])
def draft_raises(out, params):
    raise ValueError("the learning rate made the loss explode")


@recipe(outputs=["draft/forgets.png", "draft/forgets.mp4"])
def draft_forgets(out, params):
    out["draft/forgets.png"].write_bytes(b"a picture")


@recipe(outputs=["draft/good.txt"])
def draft_good(out, params):
    out["draft/good.txt"].write_text("fine")
'''


def test_a_recipe_that_raises_or_makes_no_file_fails_the_asset_build_naming_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("scripts", "demos"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "scripts/assets/recipes/draft.py").write_text(BROKEN_RECIPES)
    done = subprocess.run([sys.executable, "-m", "scripts.assets", "--only", "draft", "--jobs", "2"],
                          cwd=project, env=env(), capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert re.search(r"FAILED\s+draft\.draft_raises", output), output
    assert "ValueError: the learning rate made the loss explode" in output
    assert re.search(r"FAILED\s+draft\.draft_forgets", output), output
    assert "recipe draft_forgets did not write its declared output 'draft/forgets.mp4'" in output
    assert re.search(r"built\s+draft\.draft_good", output) and "1 built, 0 cached, 2 failed" in output
    generated = project / "docs" / blocks.GENERATED
    assert sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file()
                  and not p.name.startswith(".")) == ["draft/good.txt", "manifest.json"]
