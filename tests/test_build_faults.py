"""The asset build killed at random moments never leaves a partial asset, and the next build completes.

A small project of its own (a `demos` package and a `recipes` package whose recipes
write their files in slow chunks) is built by `scripts.assets.build.main` in a child
process, as the command line runs it. Every trial first changes the project's
*generation*, so that every recipe is stale and every output gets new bytes, starts
a build, and stops it with SIGINT (to the whole process group, as Ctrl-C does),
SIGTERM or SIGKILL (to the build alone, as `kill` does): at a random time, or right
after a random number of recipes have been installed. Then:

- every file at a final path is absent or byte for byte what a clean build of the
  previous or of the new generation writes, and the manifest is whole JSON;
- the next build, not interrupted, completes: exit status 0, every output of the new
  generation, the manifest listing exactly them, no leftover temporary folder.

The random choices come from a fixed seed, printed with any failure, so a failing
trial can be replayed.
"""

import inspect
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = 20240607
TRIALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL] * 7  # 21 trials
CHUNKS = 6  # each output is written in this many pieces, with a pause between them
# recipe name -> its outputs (relative to the assets root)
RECIPES = {
    "points": ["a/points.txt"],
    "curve": ["a/curve.txt", "a/curve-poster.txt"],
    "weights": ["b/weights.txt"],
    "video": ["b/deep/video.bin", "b/deep/video-poster.txt", "b/deep/video.json"],
    "table": ["c/table.txt"],
    "summary": ["summary.txt"],
}


def content(output, generation):
    """The bytes a clean build of `generation` writes to `output`."""
    line = f"{output} of generation {generation}\n".encode()
    return line * (400 + 50 * len(output))


def recipe_source(name, outputs):
    return textwrap.dedent(f"""
        @recipe(outputs={outputs!r}, params={{"name": {name!r}}})
        def {name}(out, params):
            for output in {outputs!r}:
                data = content(output, GENERATION)
                size = len(data) // {CHUNKS} + 1
                with open(out[output], "wb") as f:
                    for start in range(0, len(data), size):
                        f.write(data[start:start + size])
                        f.flush()
                        time.sleep(0.005)
            return {{"generation": GENERATION}}
        """)


@pytest.fixture
def project(tmp_path):
    root, assets = tmp_path / "proj", tmp_path / "assets"
    (root / "demos").mkdir(parents=True)
    (root / "demos/__init__.py").write_text("")
    (root / "recipes").mkdir()
    (root / "recipes/__init__.py").write_text("")
    # The recipes import the generation from demos: changing it makes every recipe stale.
    header = ("import time\nfrom scripts.assets.recipe import recipe\nfrom demos.generation import GENERATION\n\n"
              + inspect.getsource(content))  # the recipes write what the test expects
    names = list(RECIPES)
    for module, chosen in (("post_one", names[:3]), ("post_two", names[3:])):
        (root / f"recipes/{module}.py").write_text(header + "".join(recipe_source(n, RECIPES[n]) for n in chosen))
    return root, assets


def set_generation(root, generation):
    (root / "demos/generation.py").write_text(f"GENERATION = {generation}\n")


def build_command(root, assets):
    code = ("import sys; from pathlib import Path; from scripts.assets.build import main; "
            f"sys.exit(main(['--jobs', '2'], recipe_package='recipes', project_root=Path({str(root)!r}), "
            f"assets_root=Path({str(assets)!r})))")
    return [sys.executable, "-c", code]


def start_build(root, assets):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(REPO))
    return subprocess.Popen(build_command(root, assets), cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def installed(assets):
    try:
        return len(json.loads((assets / "manifest.json").read_text())["recipes"])
    except (OSError, ValueError, KeyError):
        return 0


def end_group(proc):
    """Stop whatever the build left running (recipe processes orphaned by a kill)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def final_files(assets):
    """Files at final paths: everything but the lock and the temporary folders of a build."""
    return {p.relative_to(assets).as_posix(): p for p in assets.rglob("*")
            if p.is_file() and not p.relative_to(assets).parts[0].startswith(".")}


def check_no_partial_asset(assets, generations, where):
    expected_files = {o for outputs in RECIPES.values() for o in outputs} | {"manifest.json"}
    for name, path in final_files(assets).items():
        assert name in expected_files, f"{where}: unexpected file {name}"
        data = path.read_bytes()
        if name == "manifest.json":
            manifest = json.loads(data)  # whole JSON, never half written
            assert set(manifest["recipes"]) <= set(RECIPES), where
            continue
        assert any(data == content(name, g) for g in generations), \
            f"{where}: {name} is partial or mixed ({len(data)} bytes)"


def run_clean_build(root, assets, generation, where):
    proc = start_build(root, assets)
    try:
        output, _ = proc.communicate(timeout=300)
    finally:
        end_group(proc)
    assert proc.returncode == 0, f"{where}: the next build failed:\n{output}"
    files = final_files(assets)
    outputs = {o for outputs in RECIPES.values() for o in outputs}
    assert set(files) == outputs | {"manifest.json"}, f"{where}: {sorted(files)}"
    for name in outputs:
        assert files[name].read_bytes() == content(name, generation), f"{where}: {name} is not generation {generation}"
    manifest = json.loads((assets / "manifest.json").read_text())
    assert {n: e["metrics"] for n, e in manifest["recipes"].items()} == {n: {"generation": generation} for n in RECIPES}
    assert not [p for p in assets.iterdir() if p.name.startswith(".tmp-")], f"{where}: temporary folders left"


def test_a_build_killed_at_random_moments_never_leaves_a_partial_asset(project):
    root, assets = project
    rng = random.Random(SEED)
    set_generation(root, 0)
    started = time.monotonic()
    run_clean_build(root, assets, 0, "the first build")
    clean_seconds = time.monotonic() - started  # how long a whole build takes, to spread the kills over
    kinds = {}
    for trial, sig in enumerate(TRIALS, start=1):
        generation = trial
        set_generation(root, generation)
        by_progress = trial % 2 == 0
        after = rng.randint(0, len(RECIPES) - 1) if by_progress else None
        delay = rng.uniform(0, 0.05) if by_progress else rng.uniform(0.1, clean_seconds)
        where = (f"trial {trial} (seed {SEED}): {sig.name} "
                 + (f"{delay:.3f} s after {after} recipes were installed" if by_progress else f"at {delay:.2f} s"))
        proc = start_build(root, assets)
        try:
            if by_progress:
                deadline = time.monotonic() + 120  # waits for the scene, asserts no timing
                while installed(assets) < after and proc.poll() is None:
                    assert time.monotonic() < deadline, f"{where}: the build never got going"
                    time.sleep(0.005)
            time.sleep(delay)
            if proc.poll() is None:
                if sig == signal.SIGINT:
                    os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole foreground group
                else:
                    os.kill(proc.pid, sig)
            output, _ = proc.communicate(timeout=120)
            kinds[where] = "finished before the signal" if proc.returncode == 0 else f"exit {proc.returncode}"
            # A build that says it succeeded has made everything; one cut short made nothing by halves.
            try:
                check_no_partial_asset(assets, (generation,) if proc.returncode == 0 else (generation - 1, generation),
                                       f"{where}, exit {proc.returncode}")
            except AssertionError as error:
                raise AssertionError(f"{error}\nwhat the build printed:\n{output}") from None
            # Started while recipe processes the kill orphaned may still be running, as it would be.
            run_clean_build(root, assets, generation, where)
        finally:
            end_group(proc)
    interrupted = [w for w, k in kinds.items() if k != "finished before the signal"]
    # Most trials must really have been cut short, or the test proves nothing.
    assert len(interrupted) >= 15, "\n".join(f"{w}: {k}" for w, k in kinds.items())


def alive(pid):
    """Whether process `pid` still runs (a zombie, finished but not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_a_terminated_build_stops_its_recipe_processes(tmp_path):
    # `kill` (SIGTERM) ends a build as Ctrl-C does: its recipes stop too, rather than run
    # on unseen, and their temporary folders go.
    root, assets, started = tmp_path / "proj", tmp_path / "assets", tmp_path / "started"
    (root / "demos").mkdir(parents=True)
    (root / "demos/__init__.py").write_text("")
    (root / "recipes").mkdir()
    (root / "recipes/__init__.py").write_text("")
    started.mkdir()
    (root / "recipes/slow.py").write_text(textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from scripts.assets.recipe import recipe

        @recipe(outputs=["slow.txt"], params={{}})
        def slow(out, params):
            Path({str(started)!r}, str(os.getpid())).touch()
            time.sleep(120)
        """))
    proc = start_build(root, assets)
    try:
        deadline = time.monotonic() + 120
        while not any(started.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[0]
            time.sleep(0.05)
        recipe_pid = int(next(started.iterdir()).name)
        os.kill(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
        assert proc.returncode == 128 + signal.SIGTERM, output
        deadline = time.monotonic() + 10
        while alive(recipe_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(recipe_pid), f"the recipe's process {recipe_pid} still runs after the build ended"
        assert not [p for p in assets.iterdir() if p.name.startswith(".tmp-")], sorted(assets.iterdir())
    finally:
        end_group(proc)
