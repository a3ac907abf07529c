"""Build every generated figure, video and model of the series, redoing only what changed.

A *recipe* is a function in a module of ``scripts/assets/recipes/`` (one module per
post), declared with ``@recipe(outputs=[...], params={...})`` (:mod:`scripts.assets.recipe`).
A recipe's name is its function's name, unique across the series. Write
``@recipe(...)`` directly above the ``def``: the build finds recipes by reading the
source. Recipes share helpers through modules of their own, never by importing
another post's recipes.

A recipe is rebuilt when its *input hash* changes (the source of its module and of
every ``demos.*``/``scripts.*`` module that imports, transitively; its params; the
Python, NumPy, Matplotlib and imageio-ffmpeg versions), or when an output is
missing or differs from the manifest. That check parses sources with ``ast`` and
imports nothing, so a build with nothing to do takes a fraction of a second.

Stale recipes run several at once, each in a fresh process with the series'
Matplotlib style, writing into a temporary folder inside the assets root. Their
files move into place (only if their bytes changed) once the recipe succeeded
and wrote every output; the manifest is rewritten after each success, so an
interrupted build resumes where it stopped. Stopped by Ctrl-C or `kill`, the build
stops its recipes' processes too.

    python -m scripts.assets [--force] [--only NAME ...] [--list] [--jobs N]
"""

import argparse
import ast
import fcntl
import hashlib
import importlib
import importlib.metadata
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scripts.assets.progress import Progress
from scripts.assets.recipe import MANIFEST
from scripts.atomic import TEMP_PREFIX, write_atomic

# Recipes already run side by side, one process per core, and their matrices are small:
# a BLAS thread pool in each would only fight over the same cores (10x slower here).
# Set before the recipe processes start, so NumPy reads it when they import it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
ASSETS_ROOT = ROOT / "docs" / "assets" / "generated"
RECIPE_PACKAGE = "scripts.assets.recipes"
PROJECT_PACKAGES = ("demos", "scripts")  # imports of these are followed and hashed
DECLARATION = "scripts.assets.recipe"  # only checks declarations: editing it makes no asset stale
VERSIONED = ("numpy", "matplotlib", "imageio-ffmpeg")


class BuildError(ValueError):
    """The recipes or the command line are wrong; nothing was built."""


@dataclass
class Recipe:
    name: str
    module: str
    outputs: list = None  # known once read from a trusted manifest entry or from an import
    params: dict = None
    input_hash: str = None
    status: str = "stale"  # cached, stale or failed
    error: str = None

    @property
    def label(self):
        return f"{self.module.rpartition('.')[2]}.{self.name}"


@dataclass
class Summary:
    built: list = field(default_factory=list)
    cached: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # name -> error and traceback
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.failed


# --- What a recipe depends on, read from the source files without importing them.

class Sources:
    """Finds and hashes the project modules a module imports, transitively."""

    def __init__(self, project_root, packages):
        self.root, self.packages = Path(project_root), set(packages)
        self._parsed = {}
        self._imports = {}  # module -> the project modules it imports (each file is walked once)
        self._data = {}  # module -> its data files' hashes
        self.broken = {}  # path -> SyntaxError

    def file(self, module):
        base = self.root.joinpath(*module.split("."))
        return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)

    def parse(self, path):
        if path not in self._parsed:
            data = path.read_bytes()
            try:
                tree = ast.parse(data, filename=str(path))
            except SyntaxError as exc:  # importing it will fail and name the line; hash it anyway
                tree = ast.Module(body=[], type_ignores=[])
                self.broken[path] = exc
            self._parsed[path] = (hashlib.sha256(data).hexdigest(), tree)
        return self._parsed[path]

    def imports(self, module):
        """Project modules that ``module`` imports, with the packages they sit in."""
        if module not in self._imports:
            self._imports[module] = self._find_imports(module)
        return self._imports[module]

    def _find_imports(self, module):
        path = self.file(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names = []
        for node in ast.walk(self.parse(path)[1]):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from ..demos import y
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                names += [base] + [f"{base}.{alias.name}" for alias in node.names]
        parents = {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 2)}
        return {m for m in parents  # importing a.b.c runs a and a.b too
                if m.split(".")[0] in self.packages and m != DECLARATION and self.file(m)}

    def closure(self, module):
        """``{relative path: sha256}`` of ``module`` and every project module it needs."""
        seen, todo = set(), [module.rsplit(".", i)[0] for i in range(module.count(".") + 1)]
        while todo:
            name = todo.pop()
            if name not in seen and self.file(name):
                seen.add(name)
                todo += self.imports(name)
        hashes = {self.file(m).relative_to(self.root).as_posix(): self.parse(self.file(m))[0] for m in seen}
        for m in seen:
            hashes.update(self.data_files(m))
        return hashes

    def data_files(self, module):
        """A module that reads package resources depends on its package's ``data/``
        folder (the shipped digits): ``{relative path: sha256}`` of those files."""
        if module not in self._data:
            self._data[module] = self._find_data_files(module)
        return self._data[module]

    def _find_data_files(self, module):
        tree = self.parse(self.file(module))[1]
        reads = any(isinstance(n, ast.Import) and any(a.name == "importlib.resources" for a in n.names)
                    or isinstance(n, ast.ImportFrom) and n.module == "importlib.resources"
                    for n in ast.walk(tree))
        folder = self.file(module).parent / "data"
        if not reads or not folder.is_dir():
            return {}
        return {p.relative_to(self.root).as_posix(): sha256_file(p)
                for p in sorted(folder.rglob("*")) if p.is_file()}

    def recipe_names(self, module):
        """Functions of ``module`` written with ``@recipe(...)`` or ``@x.recipe(...)`` above them."""
        def is_recipe(d):
            f = d.func if isinstance(d, ast.Call) else d
            return getattr(f, "id", None) == "recipe" or getattr(f, "attr", None) == "recipe"
        path = self.file(module)
        tree = self.parse(path)[1]
        if path in self.broken:  # no names to report it under: stop the build
            raise BuildError(f"cannot read the recipes of {path}: {self.broken[path]}")
        return [n.name for n in tree.body
                if isinstance(n, ast.FunctionDef) and any(map(is_recipe, n.decorator_list))]


def environment():
    """The interpreter and library versions that can change what a recipe draws."""
    return {"python": "%d.%d" % sys.version_info[:2], **{n: importlib.metadata.version(n) for n in VERSIONED}}


def input_hash(sources, params, env):
    text = json.dumps({"sources": sources, "params": params, "environment": env}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --- In child processes: one per recipe, plus one that imports modules to read their recipes.

@contextmanager
def _terminate_as_exit():
    """While recipes run, SIGTERM (`kill`) ends the build as Ctrl-C does: through the
    clean-up that stops the recipes' processes and removes their temporary folders.
    Python's default would end the build at once and leave the recipes running."""
    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)  # the exit status a shell reports for a kill by this signal

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _child(conn, project_root, task, args):
    """Run ``task(*args)`` in this fresh process and send back its result or its error."""
    os.environ["MPLBACKEND"] = "Agg"
    sys.path.insert(0, project_root)
    try:
        result = ("ok", task(*args))
    except BaseException as exc:
        result = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    conn.send(result)
    conn.close()


def _describe(modules):
    """Import each module and list its recipes: ``{module: ("ok", [(name, outputs, params)])}``."""
    found = {}
    for module in modules:
        try:
            mod = importlib.import_module(module)
            found[module] = ("ok", [(fn.__name__, *fn.__recipe__) for fn in vars(mod).values()
                                    if hasattr(fn, "__recipe__") and fn.__module__ == module])
        except BaseException as exc:
            found[module] = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return found


def _run_recipe(module, name, params, outputs, temp_dir):
    import matplotlib.pyplot as plt

    from scripts.assets import plotting  # imported here: the build's own process never needs Matplotlib
    plotting.style()  # Matplotlib's defaults, then the series' look
    fn = getattr(importlib.import_module(module), name)
    out = {o: Path(temp_dir, o) for o in outputs}
    for path in out.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        metrics = fn(out, params)
    finally:
        plt.close("all")
    try:
        if not isinstance(metrics, (dict, type(None))):
            raise TypeError(f"got a {type(metrics).__name__}")
        return json.loads(json.dumps(metrics))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"recipe {name} must return a dict of JSON values or None: {exc}") from None


# --- The build

@contextmanager
def _exclusive(assets_root):
    """Hold the assets root for this build; clean up what a killed build left behind."""
    with open(assets_root / ".build.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is running in {assets_root}") from None
        for leftover in assets_root.glob(TEMP_PREFIX + "*"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        yield


def _discover(project_root, recipe_package, sources):
    folder = Path(project_root).joinpath(*recipe_package.split("."))
    if not folder.is_dir():
        raise BuildError(f"no recipe package {recipe_package!r} at {folder}")
    recipes = {}
    for path in sorted(folder.glob("*.py")):
        module = f"{recipe_package}.{path.stem}"
        for name in [] if path.name.startswith("_") else sources.recipe_names(module):
            if name in recipes:
                raise BuildError(f"recipe name {name!r} is used in both {recipes[name].module} and {module}")
            recipes[name] = Recipe(name, module)
    return recipes


def _select(recipes, names):
    if not names:
        return list(recipes.values())
    keys = {r.name: {r.name, r.module, r.module.rpartition(".")[2]} for r in recipes.values()}
    for name in names:
        if not any(name in k for k in keys.values()):
            valid = sorted(recipes) + sorted({r.module.rpartition(".")[2] for r in recipes.values()})
            raise BuildError(f"unknown recipe or module {name!r}; valid names: {', '.join(valid)}")
    return [r for r in recipes.values() if keys[r.name] & set(names)]


class _Build:
    """One run over one assets root: the manifest, the child processes, the report."""

    def __init__(self, recipe_package, assets_root, project_root, project_packages):
        self.package, self.assets, self.root = recipe_package, Path(assets_root), Path(project_root)
        self.sources = Sources(project_root, {*project_packages, recipe_package.split(".")[0]})
        self.env = environment()
        self.summary = Summary()
        self.progress = None  # the live report, while recipes run
        # A fork server with the heavy libraries preloaded starts each recipe's process
        # quickly, and each starts clean: never a copy of the build's own state.
        # (ProcessPoolExecutor's max_tasks_per_child can hang on Python 3.11: gh-115634.)
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["numpy", "matplotlib", "matplotlib.pyplot"])
        self.manifest = {"version": 1, "recipes": {}, "assets": {}}
        if (self.assets / MANIFEST).exists():
            try:
                manifest = json.loads((self.assets / MANIFEST).read_text())
            except ValueError:
                manifest = None
            if isinstance(manifest, dict) and manifest.get("version") == 1:
                self.manifest = manifest
            else:
                print(f"  {MANIFEST} is unreadable or of another version: rebuilding everything")

    def start(self, task, args):
        receiver, sender = self.ctx.Pipe(duplex=False)
        process = self.ctx.Process(target=_child, args=(sender, str(self.root), task, args))
        process.start()
        sender.close()  # the child holds the only sender: its end means end of file here
        return receiver, process

    @staticmethod
    def receive(conn, process):
        try:
            result = conn.recv()
        except EOFError:  # killed, or the interpreter itself failed
            process.join()
            result = ("error", f"its process died (exit code {process.exitcode})", "")
        process.join()
        conn.close()
        return result

    def plan(self, names, force):
        """All recipes by name, each with a status, and the chosen ones. Imports only if it must."""
        recipes = _discover(self.root, self.package, self.sources)
        chosen = _select(recipes, names)
        for r in recipes.values():  # trust the manifest's entry while the recipe's inputs are unchanged
            entry = self.manifest["recipes"].get(r.name)
            if entry and entry["module"] == r.module:
                h = input_hash(self.sources.closure(r.module), entry["params"], self.env)
                if h == entry["input_hash"]:
                    r.outputs, r.params, r.input_hash = entry["outputs"], entry["params"], h
                    if not (force and r in chosen) and self.current(entry["outputs"]):
                        r.status = "cached"
        # A recipe that runs takes its params from its module: the manifest's copy went through JSON,
        # which sorts a dict's keys (a recipe may draw in its params' order).
        self.read_recipes({r.module for r in chosen if r.status != "cached"}, recipes)
        owner = {}
        for r in recipes.values():
            for o in r.outputs or ():
                if o in owner:
                    raise BuildError(f"output {o!r} is declared by both {owner[o]} and {r.label}")
                owner[o] = r.label
        return recipes, chosen

    def read_recipes(self, modules, recipes):
        """Import ``modules`` in a child process to learn their recipes' outputs and params."""
        if not modules:
            return
        status, *result = self.receive(*self.start(_describe, (sorted(modules),)))
        found = result[0] if status == "ok" else {m: ("error", *result) for m in modules}
        for module, (status, *details) in found.items():
            in_module = [r for r in recipes.values() if r.module == module]
            if status == "error":
                for r in in_module:
                    if r.status != "cached":
                        r.status, r.error = "failed", f"importing {module} failed: {details[0]}\n{details[1]}"
                continue
            if {r.name for r in in_module} != {name for name, _, _ in details[0]}:
                raise BuildError(f"{module}: the recipes in its source ({sorted(r.name for r in in_module)}) "
                                 f"differ from those it registers ({sorted(n for n, _, _ in details[0])}); "
                                 "write @recipe(...) directly above each recipe's def")
            for name, outputs, params in details[0]:
                r = recipes[name]
                r.outputs, r.params = outputs, params
                r.input_hash = input_hash(self.sources.closure(module), params, self.env)

    def current(self, outputs):
        """Do these outputs all exist with the bytes the manifest recorded?"""
        for path in outputs:
            asset, file = self.manifest["assets"].get(path), self.assets / path
            if asset is None or not file.is_file() or sha256_file(file) != asset["sha256"]:
                return False
        return True

    def run(self, stale, jobs, live=None):
        """Run the ``stale`` recipes, ``jobs`` at a time, installing each one's files as it succeeds;
        ``live``: show a live progress line (default: in a terminal; see scripts/assets/progress.py)."""
        queue, running = list(stale), {}  # running: connection -> (recipe, process, temp dir, start)
        last = {name: entry.get("seconds") for name, entry in self.manifest["recipes"].items()}
        self.progress = Progress(stale, last, jobs, live)
        with _terminate_as_exit():
            try:
                while queue or running:
                    while queue and len(running) < jobs:
                        r = queue.pop(0)
                        self.progress.start(r)
                        temp_dir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self.assets))
                        args = (r.module, r.name, r.params, r.outputs, str(temp_dir))
                        conn, process = self.start(_run_recipe, args)
                        running[conn] = (r, process, temp_dir, time.perf_counter())
                    for conn in multiprocessing.connection.wait(list(running)):
                        r, process, temp_dir, start = running.pop(conn)
                        status, *result = self.receive(conn, process)
                        seconds = time.perf_counter() - start
                        if status == "ok":
                            error = self.install(r, temp_dir, result[0], seconds)
                        else:
                            error = "\n".join(result)
                        shutil.rmtree(temp_dir, ignore_errors=True)
                        self.report(r, seconds, error)
            finally:
                self.progress.close()
                for r, process, temp_dir, _ in running.values():  # interrupted: stop the rest, clean up
                    process.kill()
                    process.join()
                    shutil.rmtree(temp_dir, ignore_errors=True)

    def install(self, r, temp_dir, metrics, seconds):
        """Move a successful recipe's outputs into place and record them; or say what is wrong."""
        for o in r.outputs:
            if not (temp_dir / o).is_file():
                return f"recipe {r.name} did not write its declared output {o!r}"
            if (temp_dir / o).stat().st_size == 0:
                return f"recipe {r.name} wrote an empty file for its declared output {o!r}"
        self.forget(r.name, keep=r.outputs)
        for o in r.outputs:
            file, final = temp_dir / o, self.assets / o
            digest = sha256_file(file)
            if not final.is_file() or sha256_file(final) != digest:  # unchanged files keep their mtime
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, final)
            self.manifest["assets"][o] = {"sha256": digest, "bytes": final.stat().st_size, "recipe": r.name}
        self.manifest["recipes"][r.name] = {
            "module": r.module, "input_hash": r.input_hash, "params": r.params, "metrics": metrics,
            "seconds": round(seconds, 2), "outputs": r.outputs}
        self.save_manifest()

    def forget(self, name, keep=()):
        """Delete the files and asset records of recipe ``name``, except ``keep``."""
        for path, asset in list(self.manifest["assets"].items()):
            if asset["recipe"] == name and path not in keep:
                (self.assets / path).unlink(missing_ok=True)
                del self.manifest["assets"][path]

    def save_manifest(self):
        path = self.assets / MANIFEST
        text = json.dumps(self.manifest, sort_keys=True, indent=1) + "\n"
        if not path.exists() or path.read_text() != text:
            write_atomic(path, text)

    def report(self, r, seconds, error=None):
        if error:
            self.summary.failed[r.name] = error
            text = f"  FAILED  {r.label:<40} {seconds:6.1f} s\n    " + error.strip().replace("\n", "\n    ")
        else:
            self.summary.built.append(r.name)
            text = f"  built   {r.label:<40} {seconds:6.1f} s"
        if self.progress is not None:
            self.progress.finish(r, text)
        else:
            print(text)


def build(names=None, force=False, jobs=None, recipe_package=RECIPE_PACKAGE, assets_root=ASSETS_ROOT,
          project_root=ROOT, project_packages=PROJECT_PACKAGES, list_only=False, live=None):
    """Bring the assets up to date and return a ``Summary``; ``BuildError`` if the recipes are wrong.

    ``names``: recipe or module names to consider (default: all); ``force``: rebuild them even
    if up to date; ``jobs``: recipes run at once (default: CPU count); ``list_only``: print
    each recipe's status and outputs, build nothing; ``live``: a live progress line (default: in
    a terminal). The other arguments say where things are.
    Recipes run in child processes: a script calling this needs ``if __name__ == "__main__":``.
    """
    started = time.perf_counter()
    jobs = os.cpu_count() or 1 if jobs is None else jobs
    if jobs < 1:
        raise BuildError(f"--jobs must be at least 1, got {jobs}")
    Path(assets_root).mkdir(parents=True, exist_ok=True)
    os.environ["MPLBACKEND"] = "Agg"  # before the fork server starts: the children inherit it
    with _exclusive(Path(assets_root)):
        run = _Build(recipe_package, assets_root, project_root, project_packages)
        recipes, chosen = run.plan(names, force)
        if list_only:
            for r in chosen:
                print(f"  {r.status:<7} {r.label:<40} {', '.join(r.outputs or ['?'])}")
            return run.summary
        if not names:  # recipes that no longer exist: their files go too
            for gone in set(run.manifest["recipes"]) - set(recipes):
                run.forget(gone)
                del run.manifest["recipes"][gone]
            run.save_manifest()
        for r in chosen:
            if r.status == "cached":
                run.summary.cached.append(r.name)
                print(f"  cached  {r.label}")
            elif r.status == "failed":
                run.report(r, 0.0, r.error)
        run.run([r for r in chosen if r.status == "stale"], jobs, live)
    summary = run.summary
    summary.seconds = time.perf_counter() - started
    if not summary.built and not summary.failed:
        print(f"nothing to do: all {len(summary.cached)} recipes up to date")
    else:
        print(f"{len(summary.built)} built, {len(summary.cached)} cached, "
              f"{len(summary.failed)} failed in {summary.seconds:.1f} s")
    return summary


def main(argv=None, **locations):
    """The command line; ``locations`` (recipe_package, assets_root, ...) go to ``build``."""
    parser = argparse.ArgumentParser(prog="python -m scripts.assets", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="recipe or module names (e.g. post1_intro)")
    parser.add_argument("--list", action="store_true", help="show recipes, outputs and status; build nothing")
    parser.add_argument("--jobs", type=int, metavar="N", help="recipes built at once (default: CPU count)")
    args = parser.parse_args(argv)
    try:
        summary = build(args.only, args.force, args.jobs, list_only=args.list, **locations)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if summary.ok else 1

