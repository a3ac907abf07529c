"""The asset build: what it rebuilds and why, parallel runs, atomic files, failures, options.

Every test builds a small project of its own in a temporary folder: a `demos`
package, a `recipes` package of tiny recipes that write text files, and an
assets root. Each recipe module appends its name to `imports.log` whenever it is
imported, so a test can tell whether the build had to import it.
"""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
from scripts.assets import plotting  # noqa: E402
from scripts.assets.build import BuildError, build, main  # noqa: E402

LOG_IMPORT = "Path(__file__).parent.parent.joinpath('imports.log').open('a').write(__name__ + '\\n')\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def recipe_module(body):
    header = "from pathlib import Path\nfrom scripts.assets.recipe import recipe\n"
    return header + LOG_IMPORT + textwrap.dedent(body)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Project:
    def __init__(self, root):
        self.root, self.assets = root / "proj", root / "assets"
        self.locations = {"recipe_package": "recipes", "project_root": self.root, "assets_root": self.assets}

    def write(self, relative, text):
        write(self.root / relative, text)

    def add_recipes(self, module, body):
        self.write(f"recipes/{module}.py", recipe_module(body))

    def build(self, **options):
        return build(**{"jobs": 2, **self.locations, **options})

    def main(self, *argv):
        return main(["--jobs", "2", *argv], **self.locations)

    def manifest(self):
        return json.loads((self.assets / "manifest.json").read_text())

    def imports(self):
        log = self.root / "imports.log"
        return log.read_text().split() if log.exists() else []


@pytest.fixture
def project(tmp_path):
    """post_a and post_c use demos.datasets (post_c through a helper), post_b uses demos.nn."""
    p = Project(tmp_path)
    p.write("demos/__init__.py", "")
    p.write("demos/datasets.py", "def points(n):\n    return list(range(n))\n")
    p.write("demos/nn.py", "def weights():\n    return [0.5, -0.5]\n")
    p.write("recipes/__init__.py", "")
    p.write("recipes/_shared.py", "from demos.datasets import points\n\n\ndef line(n):\n"
                                  "    return ' '.join(map(str, points(n)))\n")
    p.add_recipes("post_a", """
        from demos.datasets import points

        @recipe(outputs=["a/points.txt"], params={"n": 3})
        def points_file(out, params):
            out["a/points.txt"].write_text(str(points(params["n"])))
            return {"count": params["n"]}
        """)
    p.add_recipes("post_b", """
        import demos.nn

        @recipe(outputs=["b/weights.txt"])
        def weights_file(out, params):
            out["b/weights.txt"].write_text(str(demos.nn.weights()))

        @recipe(outputs=["b/copy/weights.txt", "b/copy/sum.txt"], params={"scale": 2})
        def weights_copy(out, params):
            w = [params["scale"] * v for v in demos.nn.weights()]
            out["b/copy/weights.txt"].write_text(str(w))
            out["b/copy/sum.txt"].write_text(str(sum(w)))
        """)
    p.add_recipes("post_c", """
        from . import _shared

        @recipe(outputs=["c/line.txt"], params={"n": 4})
        def line_file(out, params):
            out["c/line.txt"].write_text(_shared.line(params["n"]))
        """)
    return p


ALL = {"points_file", "weights_file", "weights_copy", "line_file"}


def test_first_build_writes_every_output_and_a_deterministic_manifest(project):
    summary = project.build()
    assert set(summary.built) == ALL and summary.ok and not summary.cached
    assert (project.assets / "a/points.txt").read_text() == "[0, 1, 2]"
    assert (project.assets / "b/copy/sum.txt").read_text() == "0.0"
    assert (project.assets / "c/line.txt").read_text() == "0 1 2 3"
    text = (project.assets / "manifest.json").read_text()
    manifest = json.loads(text)
    assert text == json.dumps(manifest, sort_keys=True, indent=1) + "\n"
    assert manifest["version"] == 1
    entry = manifest["recipes"]["points_file"]
    assert entry["module"] == "recipes.post_a" and entry["params"] == {"n": 3}
    assert entry["metrics"] == {"count": 3} and entry["outputs"] == ["a/points.txt"]
    assert manifest["recipes"]["weights_file"]["metrics"] is None
    assert set(manifest["assets"]) == {"a/points.txt", "b/weights.txt", "b/copy/weights.txt",
                                       "b/copy/sum.txt", "c/line.txt"}
    asset = manifest["assets"]["b/copy/sum.txt"]
    assert asset == {"sha256": sha256(project.assets / "b/copy/sum.txt"), "bytes": 3,
                     "recipe": "weights_copy"}


def test_a_second_build_does_nothing_and_imports_no_recipe(project, capsys):
    project.build()
    imported = project.imports()
    stamps = {p: p.stat().st_mtime_ns for p in project.assets.rglob("*") if p.is_file()}
    capsys.readouterr()
    summary = project.build()
    assert summary.built == [] and set(summary.cached) == ALL
    assert "nothing to do: all 4 recipes up to date" in capsys.readouterr().out
    assert project.imports() == imported
    assert {p: p.stat().st_mtime_ns for p in project.assets.rglob("*") if p.is_file()} == stamps


def test_editing_a_recipe_module_rebuilds_only_its_recipes(project):
    project.build()
    with open(project.root / "recipes/post_a.py", "a") as f:
        f.write("# a comment changes the source\n")
    assert project.build().built == ["points_file"]


def test_editing_a_demos_module_rebuilds_exactly_the_recipes_that_import_it(project):
    project.build()
    project.write("demos/datasets.py", "def points(n):\n    return list(range(1, n + 1))\n")
    summary = project.build()
    assert set(summary.built) == {"points_file", "line_file"}  # line_file through recipes._shared
    assert set(summary.cached) == {"weights_file", "weights_copy"}
    assert (project.assets / "c/line.txt").read_text() == "1 2 3 4"
    project.write("demos/nn.py", "def weights():\n    return [1.0, 2.0]\n")
    assert set(project.build().built) == {"weights_file", "weights_copy"}
    assert (project.assets / "b/copy/sum.txt").read_text() == "6.0"


def test_changing_shipped_data_rebuilds_the_recipes_whose_modules_read_it(project):
    project.write("demos/datasets.py", "import importlib.resources\n\n\ndef points(n):\n"
                                       "    return list(range(n))\n")
    project.write("demos/data/points.csv", "1,2,3\n")
    project.build()
    project.write("demos/data/points.csv", "1,2,4\n")
    summary = project.build()
    assert set(summary.built) == {"points_file", "line_file"}
    assert set(summary.cached) == {"weights_file", "weights_copy"}


def test_an_output_that_is_corrupted_or_missing_is_rebuilt(project):
    project.build()
    (project.assets / "b/copy/sum.txt").write_text("garbage")
    assert project.build().built == ["weights_copy"]
    assert (project.assets / "b/copy/sum.txt").read_text() == "0.0"
    (project.assets / "c/line.txt").unlink()
    assert project.build().built == ["line_file"]
    assert (project.assets / "c/line.txt").read_text() == "0 1 2 3"


def test_force_rebuilds_but_files_with_unchanged_bytes_keep_their_mtime(project):
    project.build()
    old = 1_000_000_000
    for path in project.assets.rglob("*.txt"):
        os.utime(path, (old, old))
    summary = project.build(force=True, names=["post_b"])
    assert set(summary.built) == {"weights_file", "weights_copy"}
    assert all(p.stat().st_mtime == old for p in project.assets.rglob("*.txt"))


def test_a_forced_rebuild_runs_a_recipe_with_its_params_in_their_declared_order(project):
    project.add_recipes("post_d", """
        @recipe(outputs=["d/order.txt"], params={"order": {"sgd": 1, "momentum": 2, "adam": 3}})
        def order_file(out, params):
            out["d/order.txt"].write_text(" ".join(params["order"]))
        """)
    project.build()
    assert list(project.manifest()["recipes"]["order_file"]["params"]["order"]) == ["adam", "momentum", "sgd"]
    assert project.build(force=True, names=["order_file"]).built == ["order_file"]
    assert (project.assets / "d/order.txt").read_text() == "sgd momentum adam"
    (project.assets / "d/order.txt").unlink()
    assert project.build().built == ["order_file"]
    assert (project.assets / "d/order.txt").read_text() == "sgd momentum adam"


def test_only_accepts_recipe_and_module_names_and_rejects_unknown_ones(project, capsys):
    project.build()
    assert project.build(force=True, names=["line_file", "post_a"]).built.__len__() == 2
    with pytest.raises(BuildError, match=r"'post_z'.*valid names: .*line_file.*post_b"):
        project.build(names=["post_z"])
    assert project.main("--only", "post_z") == 2
    assert "unknown recipe or module 'post_z'" in capsys.readouterr().err


def test_a_failing_recipe_is_reported_and_the_others_still_build(project, capsys):
    project.add_recipes("post_d", """
        @recipe(outputs=["d/never.txt"])
        def broken(out, params):
            raise ValueError("the data ran out")
        """)
    assert project.main() == 1
    out = capsys.readouterr().out
    assert "FAILED  post_d.broken" in out
    assert "ValueError: the data ran out" in out and "Traceback" in out and "post_d.py" in out
    assert "4 built, 0 cached, 1 failed" in out
    assert "broken" not in project.manifest()["recipes"]
    assert not (project.assets / "d/never.txt").exists()
    summary = project.build()  # not marked up to date: it runs again
    assert list(summary.failed) == ["broken"] and set(summary.cached) == ALL


def test_a_recipe_that_breaks_keeps_its_old_outputs_and_entry(project):
    project.build()
    entry = project.manifest()["recipes"]["points_file"]
    project.add_recipes("post_a", """
        @recipe(outputs=["a/points.txt"], params={"n": 3})
        def points_file(out, params):
            out["a/points.txt"].write_text("half")
            raise RuntimeError("crashed after writing")
        """)
    summary = project.build()
    assert "RuntimeError: crashed after writing" in summary.failed["points_file"]
    assert (project.assets / "a/points.txt").read_text() == "[0, 1, 2]"
    assert project.manifest()["recipes"]["points_file"] == entry
    assert list(project.build().failed) == ["points_file"]


def test_a_missing_or_empty_output_is_named(project):
    project.add_recipes("post_d", """
        @recipe(outputs=["d/one.txt", "d/two.txt"])
        def forgets_one(out, params):
            out["d/one.txt"].write_text("1")

        @recipe(outputs=["d/empty.txt"])
        def writes_nothing(out, params):
            out["d/empty.txt"].touch()
        """)
    summary = project.build()
    assert "did not write its declared output 'd/two.txt'" in summary.failed["forgets_one"]
    assert "empty file for its declared output 'd/empty.txt'" in summary.failed["writes_nothing"]
    assert not (project.assets / "d").exists()  # the output that was written is not installed alone


def test_two_recipes_declaring_one_output_is_an_error_naming_both(project):
    project.add_recipes("post_d", """
        @recipe(outputs=["c/line.txt"])
        def another_line(out, params):
            out["c/line.txt"].write_text("x")
        """)
    with pytest.raises(BuildError, match=r"'c/line.txt' is declared by both post_c.line_file and "
                                         r"post_d.another_line|'c/line.txt' is declared by both "
                                         r"post_d.another_line and post_c.line_file"):
        project.build()
    assert not project.assets.joinpath("c/line.txt").exists()


def test_bad_declarations_are_rejected_with_the_recipe_named(project):
    project.add_recipes("post_d", """
        @recipe(outputs=["../outside.txt"])
        def escapes(out, params):
            pass
        """)
    summary = project.build()
    assert "recipe escapes: output '../outside.txt' must be a plain relative path" in summary.failed["escapes"]
    project.add_recipes("post_d", """
        @recipe(outputs=["d/x.txt"])
        def weights_file(out, params):
            pass
        """)
    with pytest.raises(BuildError, match="'weights_file' is used in both recipes.post_b and recipes.post_d"):
        project.build()


def test_list_shows_status_and_outputs_without_building(project, capsys):
    project.build(names=["post_a"])
    capsys.readouterr()
    assert project.main("--list") == 0
    lines = {line.split()[1]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert lines["post_a.points_file"] == ["cached", "post_a.points_file", "a/points.txt"]
    assert lines["post_b.weights_copy"] == ["stale", "post_b.weights_copy", "b/copy/weights.txt,",
                                            "b/copy/sum.txt"]
    assert not (project.assets / "b").exists()


def test_removed_recipes_lose_their_files(project):
    project.build()
    (project.root / "recipes/post_c.py").unlink()
    summary = project.build()
    assert summary.built == [] and "line_file" not in project.manifest()["recipes"]
    assert "c/line.txt" not in project.manifest()["assets"]
    assert not (project.assets / "c/line.txt").exists()


def test_each_recipe_runs_with_matplotlib_reset_to_the_series_style(project):
    project.add_recipes("post_d", """
        import matplotlib
        import matplotlib.pyplot as plt

        @recipe(outputs=["d/first.txt"])
        def leaves_a_mess(out, params):
            matplotlib.rcParams["svg.hashsalt"] = "changed"
            plt.figure()
            out["d/first.txt"].write_text("x")

        @recipe(outputs=["d/state.txt"])
        def reports_state(out, params):
            out["d/state.txt"].write_text("x")
            return {"backend": matplotlib.get_backend().lower(), "figures": len(plt.get_fignums()),
                    "salt": matplotlib.rcParams["svg.hashsalt"], "font": matplotlib.rcParams["font.family"]}
        """)
    project.build(names=["post_d"], jobs=1)
    metrics = project.manifest()["recipes"]["reports_state"]["metrics"]
    assert metrics == {"backend": "agg", "figures": 0, "salt": plotting.RC_PARAMS["svg.hashsalt"],
                       "font": ["DejaVu Sans"]}


def test_a_killed_build_leaves_no_partial_output_and_the_next_build_resumes(project):
    project.add_recipes("post_d", """
        import os
        import time

        @recipe(outputs=["d/slow.bin"])
        def slow(out, params):
            with open(out["d/slow.bin"], "wb") as f:
                f.write(b"half" * 1000)
                f.flush()
                if os.environ.get("SLOW_RECIPE"):
                    time.sleep(600)
                f.write(b"rest" * 1000)
        """)
    code = ("import sys; from pathlib import Path; from scripts.assets.build import build; "
            f"build(jobs=2, recipe_package='recipes', project_root=Path({str(project.root)!r}), "
            f"assets_root=Path({str(project.assets)!r}))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, start_new_session=True,
                            env={**os.environ, "SLOW_RECIPE": "1"}, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a wait for the scene, not a timing assertion
        while not (list(project.assets.glob(".tmp-*/d/slow.bin")) and len(_built(project)) == 4):
            assert time.monotonic() < deadline and proc.poll() is None, "the build never got going"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)  # the build itself: its recipe process is orphaned
        proc.wait()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not (project.assets / "d/slow.bin").exists()
    assert list(project.assets.glob(".tmp-*"))  # the killed build's leftovers, for the next one
    summary = project.build()
    assert summary.built == ["slow"] and set(summary.cached) == ALL
    assert (project.assets / "d/slow.bin").read_bytes() == b"half" * 1000 + b"rest" * 1000
    assert not list(project.assets.glob(".tmp-*"))


def _built(project):
    try:
        return project.manifest()["recipes"]
    except (FileNotFoundError, ValueError):
        return {}


# --- The project's own recipes.


def project_imports(module):
    """The `scripts.*` and `demos.*` modules a source file of the project imports (by reading it)."""
    import ast

    tree = ast.parse((REPO / (module.replace(".", "/") + ".py")).read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return {name for name in names if name.split(".")[0] in ("scripts", "demos")}


def test_recipes_need_only_the_declaration_and_share_helpers_through_modules_of_their_own():
    recipes = sorted(p.stem for p in (REPO / "scripts" / "assets" / "recipes").glob("post*.py"))
    assert len(recipes) == 7
    for name in recipes:
        imported = project_imports(f"scripts.assets.recipes.{name}")
        assert "scripts.assets.recipe" in imported, name
        assert "scripts.assets.build" not in imported, name  # editing the build makes no asset stale
        assert not [m for m in imported if m.startswith("scripts.assets.recipes")], (name, imported)
    # The declaration imports nothing of the build, so a recipe pays for none of it either.
    assert project_imports("scripts.assets.recipe") == set()


def test_every_data_file_a_widget_is_made_from_is_an_output_of_a_recipe():
    import importlib
    import pkgutil

    from demos import widgets
    from scripts.assets import recipes

    outputs = set()
    for module in pkgutil.iter_modules(recipes.__path__):
        for fn in vars(importlib.import_module(f"scripts.assets.recipes.{module.name}")).values():
            outputs.update(getattr(fn, "__recipe__", ((), {}))[0])
    declared = {path for name in widgets.WIDGETS for path in widgets.widget(name).files.values()}
    assert declared and declared <= outputs, declared - outputs


# --- What the build shows while it runs.


def test_the_live_line_counts_recipes_names_the_running_ones_and_estimates_from_the_last_times(capsys):
    from types import SimpleNamespace

    from scripts.assets.progress import Progress

    a, b, c = (SimpleNamespace(name=n, label=f"post.{n}") for n in "abc")
    # a and b took 30 s and 10 s last time; c never ran, so it is taken to be typical (20 s).
    progress = Progress([a, b, c], {"a": 30.0, "b": 10.0, "other": None}, jobs=2, live=False)
    assert progress.line() == "0 of 3 recipes · running nothing · about 30 s left"
    progress.start(a)
    progress.start(b)
    assert progress.line().startswith("0 of 3 recipes · running post.a, post.b · about ")
    progress.finish(b, "  built   post.b")
    assert progress.line().startswith("1 of 3 recipes · running post.a · about ")
    assert capsys.readouterr().out == "  built   post.b\n"  # the plain line, as it is
    eight = [SimpleNamespace(name=f"r{i}", label=f"post.r{i}") for i in range(8)]
    assert Progress(eight, {r.name: 45.0 for r in eight}, jobs=2, live=False).line().endswith("about 3 min 0 s left")


def test_in_a_terminal_the_build_keeps_a_live_line_below_the_plain_ones(project):
    import pty

    project.build(names=["post_a"])  # the others run with a time to go by
    (project.root / "recipes/post_b.py").write_text((project.root / "recipes/post_b.py").read_text() + "\n# edited\n")
    code = ("import sys; from pathlib import Path; from scripts.assets.build import build; "
            f"build(jobs=1, recipe_package='recipes', project_root=Path({str(project.root)!r}), "
            f"assets_root=Path({str(project.assets)!r}))")
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, stdin=follower, stdout=follower,
                          stderr=follower, timeout=300, env={**os.environ, "COLUMNS": "200"})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    text = output.decode(errors="replace")
    assert done.returncode == 0, text
    # The live line, drawn while the recipes ran (how far it got between redraws depends on the machine).
    assert re.search(r"[0-3] of 3 recipes · running [\w., ]+ · about \d+ s left", text), text
    assert "  built   post_b.weights_file" in text and "  cached  post_a.points_file" in text
    assert "3 built, 1 cached, 0 failed" in text


def test_elsewhere_the_build_writes_only_the_plain_lines(project, capsys):
    project.build()
    out = capsys.readouterr().out
    assert "  built   post_a.points_file" in out and "recipes · running" not in out
