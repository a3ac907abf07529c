"""The Python runtime as the reader's browser gets it: only the files the widgets run.

The pinned Pyodide (:mod:`scripts.runtime.vendor`) ships a whole standard library and a
whole NumPy; the widgets use a fraction of either. This module makes, from the
sha256-verified originals, the folder the site serves (``vendor/pyodide-<hash>/``):

1. **Trace.** Pyodide under Node starts the way the reader's worker starts it and
   runs every widget model (``scripts/runtime/runtime_trace.py``); what it imported and
   opened is the list of files to ship. The trace reruns when the originals, the
   tracer or the ``demos`` package change.
2. **Pack.** ``scripts/runtime/bytecode.py``, inside the same Pyodide, writes a standard
   library zip and a NumPy wheel holding only those files, each ``.py`` compiled to
   sourceless bytecode without docstrings and assertions (``OPTIMIZE``): bytecode
   because compiling the ~240 imported modules from source costs a reader's browser
   more time on every visit than the larger download costs once (see the README's
   benchmark), docstrings because nothing the widgets run reads them.
3. **Lock.** ``pyodide-lock.json`` names NumPy alone, with the new wheel's sha256,
   which Pyodide checks in the browser.

The served folder is named by the sha256 of what it holds, so every URL in it
names one content forever: browsers and the service worker may keep its files
without asking again. ``runtime.json`` in it lists each file's size as stored and
as sent (gzipped where GitHub Pages compresses it), for the loading progress the
reader sees, and its sha256.

Everything lands in ``<vendor cache>/runtime/``, keyed by content hashes of its
inputs, written to a temporary folder and renamed into place.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from scripts import github_pages
from scripts.atomic import write_atomic as _write_atomic
from scripts.runtime import vendor

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "scripts" / "runtime" / "pyodide_run.mjs"
TRACER = REPO / "scripts" / "runtime" / "runtime_trace.py"
INSTALLER = REPO / "docs" / "javascripts" / "widgets" / "wheel.js"  # how the worker installs NumPy
PACKER = REPO / "scripts" / "runtime" / "bytecode.py"
STDLIB = "python_stdlib.zip"
# Where Pyodide puts each archive's files at run time (the names tracebacks show).
PREFIXES = {STDLIB: "/lib/python312.zip/", vendor.NUMPY_WHEEL: "/lib/python3.12/site-packages/"}
# The core files the browser loads as they are: the worker is a classic worker, so it
# imports pyodide.js (pyodide.mjs is for modules and Node).
CORE = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm")
LOCK = "pyodide-lock.json"
SIZES = "runtime.json"
OPTIMIZE = 2  # compile() level: 2 leaves out docstrings and assert statements
NODE_TIMEOUT = 900


def _digest(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def demos_files(package_dir=None):
    """Every file of the demos package the browser gets, sorted: its Python modules and data."""
    package_dir = Path(package_dir or REPO / "demos")
    return sorted(p for p in package_dir.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
                  and not any(part.startswith(".") for part in p.relative_to(package_dir).parts))


def _node():
    node = shutil.which("node")
    if node is None:
        raise vendor.VendorError("assembling the browser runtime runs the pinned Pyodide under Node.js, which is "
                            "not installed: `apt-get install nodejs` (`make vendor` does this when run as root)")
    return node


def inside(path):
    """A host path as a script run by pyodide_run.mjs sees it."""
    return "/host" + str(Path(path).resolve())


def _run_in_pyodide(root, script, args, what, wheel=None):
    """Run `script` in the verified Pyodide of the cache `root`, started as the reader's worker
    starts it (`wheel`: installed as the worker installs NumPy's)."""
    command = [_node(), str(RUNNER), "--optimize", str(OPTIMIZE)]
    if wheel:
        command += ["--wheel", str(wheel)]
    command += [str(root / vendor.PYODIDE_DIR), str(script), *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=NODE_TIMEOUT)
    if done.returncode:
        raise vendor.VendorError(f"{what} failed:\n" + (done.stderr or done.stdout).strip()[-3000:])


def _replace_folder(work, folder):
    """Move the finished `work` folder to `folder`; another build that finished first wins."""
    try:
        work.rename(folder)
    except OSError:
        if not folder.is_dir():
            raise
        shutil.rmtree(work, ignore_errors=True)


def _drop_others(parent, prefix, keep):
    for old in parent.glob(prefix + "*"):
        if old.name != keep and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


def trace(root, package_dir=None, log=print):
    """{"stdlib": [...], "numpy": [...], "modules": [...]}: the files the widgets use (see module docstring)."""
    official = root / vendor.PYODIDE_DIR
    files = demos_files(package_dir)
    package_dir = Path(package_dir or REPO / "demos")
    key = _digest(*(vendor.file_hash(official / n).hexdigest() for n in (STDLIB, vendor.NUMPY_WHEEL, *CORE)),
                  *(vendor.file_hash(p).hexdigest() for p in (RUNNER, TRACER, INSTALLER)), OPTIMIZE,
                  *(f"{p.relative_to(package_dir).as_posix()}:{vendor.file_hash(p).hexdigest()}" for p in files))
    folder = root / "runtime"
    path = folder / f"trace-{key[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    _node()
    log("vendor: running every widget under Pyodide to find the files the browser needs (once, about 15 s)")
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".trace-", dir=folder))
    try:
        # The package as the browser unpacks it: a folder named demos holding only its files.
        for source in files:
            target = work / "demos" / source.relative_to(package_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        out = work / "used.json"
        _run_in_pyodide(root, TRACER, [inside(work), inside(out)], "tracing the widgets under Pyodide",
                        wheel=official / vendor.NUMPY_WHEEL)
        used = json.loads(out.read_text())
        _write_atomic(path, json.dumps(used, indent=1) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _drop_others(folder, "trace-", path.name)
    return used


def _problems(folder):
    """What is wrong with an assembled folder: its files against the sizes and hashes it records."""
    try:
        record = json.loads((folder / SIZES).read_text())["files"]
    except (OSError, ValueError, KeyError):
        return [f"{folder.name}/{SIZES} is missing or unreadable"]
    problems = [f"{name}: not recorded" for name in (*CORE, STDLIB, vendor.NUMPY_WHEEL, LOCK) if name not in record]
    for name, entry in record.items():
        path = folder / name
        if not path.is_file() or vendor.file_hash(path).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: missing or damaged")
    return problems


def assemble(cache_dir=None, package_dir=None, log=print):
    """Make (or reuse) the browser's runtime folder; return its path (``.../runtime/pyodide-<hash>``).

    Needs the verified cache (:func:`scripts.runtime.vendor.ensure_vendor`) and Node.js.
    """
    root = vendor.cache_root(cache_dir)
    official = root / vendor.PYODIDE_DIR
    used = trace(root, package_dir, log=log)
    key = _digest(*(vendor.file_hash(official / n).hexdigest() for n in (STDLIB, vendor.NUMPY_WHEEL, LOCK, *CORE)),
                  *(vendor.file_hash(p).hexdigest() for p in (RUNNER, PACKER)), json.dumps(used, sort_keys=True),
                  OPTIMIZE)
    parent = root / "runtime"
    pointer = parent / f"pack-{key[:16]}.json"  # names the folder this key made
    if pointer.is_file():
        folder = parent / json.loads(pointer.read_text())["folder"]
        if not _problems(folder):
            return folder
    _node()  # before saying what it is about to do
    log("vendor: packing the browser's standard library and NumPy: only what the widgets use, as bytecode")
    work = Path(tempfile.mkdtemp(prefix=".pack-", dir=parent))
    try:
        os.chmod(work, 0o755)
        arguments = []
        for name, prefix in PREFIXES.items():
            keep = work / f"{name}.keep.json"
            keep.write_text(json.dumps(used["stdlib" if name == STDLIB else "numpy"]))
            arguments += [inside(official / name), inside(work / name), prefix, inside(keep)]
        _run_in_pyodide(root, PACKER, ["--optimize", OPTIMIZE, *arguments], "packing the browser runtime")
        for keep in work.glob("*.keep.json"):
            keep.unlink()
        for name in CORE:
            shutil.copyfile(official / name, work / name)
        lock = json.loads((official / LOCK).read_text())
        numpy = dict(lock["packages"]["numpy"], sha256=vendor.file_hash(work / vendor.NUMPY_WHEEL).hexdigest())
        if numpy.get("depends"):
            raise vendor.VendorError(f"NumPy depends on {numpy['depends']} in {LOCK}: the browser runtime ships NumPy alone")
        (work / LOCK).write_text(json.dumps({"info": lock["info"], "packages": {"numpy": numpy}},
                                            separators=(",", ":")))
        files = {}
        for path in sorted(work.iterdir()):
            os.chmod(path, 0o644)
            data = path.read_bytes()
            files[path.name] = {"size": len(data), "transfer": github_pages.transferred_size(path.name, data),
                                "sha256": hashlib.sha256(data).hexdigest()}
        # The interpreter must run at the level the bytecode was compiled at: NumPy reads
        # sys.flags.optimize to know whether its functions have docstrings to add to.
        (work / SIZES).write_text(json.dumps({"optimize": OPTIMIZE, "files": files}, indent=1, sort_keys=True) + "\n")
        os.chmod(work / SIZES, 0o644)
        name = "pyodide-" + _digest(*(f"{n}:{e['sha256']}" for n, e in files.items()))[:12]
        folder = parent / name
        if folder.is_dir() and _problems(folder):
            shutil.rmtree(folder)
        _replace_folder(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    problems = _problems(folder)
    if problems:
        raise vendor.VendorError(f"the browser runtime in {folder} fails its check: {'; '.join(problems)}")
    _write_atomic(pointer, json.dumps({"folder": folder.name}) + "\n")
    _drop_others(parent, "pack-", pointer.name)
    _drop_others(parent, "pyodide-", folder.name)
    return folder


# --- The runtime in the site.


def pyodide_source():
    """``self`` (the site serves the runtime assembled here) or ``cdn`` (the complete
    Pyodide from the official CDN), from the PYODIDE_SOURCE variable."""
    value = os.environ.get("PYODIDE_SOURCE", "self")
    if value not in ("self", "cdn"):
        raise ValueError(f"PYODIDE_SOURCE must be 'self' or 'cdn', not {value!r}")
    return value


def base_url(site_base, folder=None):
    """Where pages load the runtime from: `site_base` + "vendor/" + the assembled `folder`'s
    name, or the official CDN. `site_base` is the site root as seen from the page
    ("" or "../" or "/blog/")."""
    if pyodide_source() == "cdn":
        return vendor.PYODIDE_CDN
    if folder is None:
        raise ValueError("the self-hosted runtime's folder is needed to name its URL")
    if site_base and not site_base.endswith("/"):
        site_base += "/"
    return f"{site_base}vendor/{Path(folder).name}/"


def copy_into(site_dir, folder, log=print):
    """Copy the assembled runtime `folder` to `site_dir`/vendor/<its name>/, and remove any other
    runtime folder a build left there; return the copied paths (none when PYODIDE_SOURCE=cdn)."""
    site_vendor = Path(site_dir) / "vendor"
    keep = None if pyodide_source() == "cdn" else Path(folder).name
    for old in site_vendor.glob("pyodide*"):
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    if keep is None:
        return []
    copied = []
    for path in sorted(Path(folder).iterdir()):
        target = site_vendor / keep / path.name
        if not (target.is_file() and target.stat().st_size == path.stat().st_size
                and vendor.file_hash(target).hexdigest() == vendor.file_hash(path).hexdigest()):
            with open(path, "rb") as f:
                vendor._write_atomic(target, f)
        copied.append(target)
    return copied
