"""The runtime the reader's browser gets: only what the widgets run, as bytecode, content-addressed.

The parity suite (test_parity.py) and the browser tests run on exactly these files; the
tests here check what the folder holds, that it is made again identically, and that a
widget the trace has not run, or an import it never reached, fails here with a message
that says what to do, not in a reader's browser.
"""

import ast
import base64
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from scripts import github_pages
from scripts.runtime import browser_runtime, bytecode, vendor

REPO = Path(__file__).resolve().parent.parent
WHEEL = vendor.NUMPY_WHEEL


def quiet(message):
    pass


@pytest.fixture(scope="module")
def runtime():
    vendor.ensure_vendor(log=quiet)
    return browser_runtime.assemble(log=quiet)


@pytest.fixture(scope="module")
def used():
    return browser_runtime.trace(vendor.cache_root(), log=quiet)


def test_the_runtime_ships_what_the_trace_found_and_nothing_more(runtime, used):
    official = vendor.cache_root() / vendor.PYODIDE_DIR
    with zipfile.ZipFile(official / "python_stdlib.zip") as whole, \
            zipfile.ZipFile(runtime / "python_stdlib.zip") as shipped:
        assert len(whole.namelist()) > 500
        assert set(shipped.namelist()) == {name + "c" for name in used["stdlib"]}
        assert {"json/__init__.pyc", "asyncio/__init__.pyc", "traceback.pyc"} <= set(shipped.namelist())
        assert "unittest/__init__.pyc" not in shipped.namelist()  # never imported by a widget
        pyc = shipped.read("json/__init__.pyc")
    # Sourceless bytecode of the runtime's Python 3.12: its magic number, then 12 zero bytes,
    # compiled under the name the runtime gives the module (tracebacks name real paths)...
    assert pyc[2:4] == b"\r\n" and int.from_bytes(pyc[:2], "little") in range(3531, 3600) and pyc[4:16] == bytes(12)
    assert b"/lib/python312.zip/json/__init__.py" in pyc and b"/host/" not in pyc
    # ...without docstrings (optimisation level 2).
    assert b"JSON (JavaScript Object Notation)" in whole_source("python_stdlib.zip", "json/__init__.py")
    assert b"JSON (JavaScript Object Notation)" not in pyc

    with zipfile.ZipFile(runtime / WHEEL) as wheel:
        names = set(wheel.namelist())
        core = "numpy/_core/_multiarray_umath.cpython-312-wasm32-emscripten.so"
        assert core in names and "numpy/__init__.pyc" in names
        unused = ("numpy/fft/", "numpy/f2py/", "numpy/polynomial/", "numpy/testing/")
        assert not [n for n in names if n.startswith(unused)]
        assert not [n for n in names if n.endswith((".py", ".pyi", ".h", ".a"))]
        assert {n for n in names if not n.startswith("numpy-2.0.2.dist-info/")} == \
            {n + "c" if n.endswith(".py") else n for n in used["numpy"] if not n.endswith(".pyc")}
        record = wheel.read("numpy-2.0.2.dist-info/RECORD").decode().splitlines()
        listed = {line.split(",")[0]: line.split(",")[1] for line in record}
        assert set(listed) == names
        # NumPy's modules that only attach docstrings ship empty (they were 60 kB compressed).
        for name in bytecode.DOCSTRINGS_ONLY:
            assert len(whole_source(vendor.NUMPY_WHEEL, name)) > 5000 and len(wheel.read(name + "c")) < 300
        digest = hashlib.sha256(wheel.read("numpy/__init__.pyc")).digest()
        assert listed["numpy/__init__.pyc"] == "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def whole_source(archive, member):
    with zipfile.ZipFile(vendor.cache_root() / vendor.PYODIDE_DIR / archive) as whole:
        return whole.read(member)


def test_the_lock_names_numpy_alone_and_runtime_json_describes_every_file(runtime):
    lock = json.loads((runtime / "pyodide-lock.json").read_text())
    original = json.loads((vendor.cache_root() / vendor.PYODIDE_DIR / "pyodide-lock.json").read_text())
    assert list(lock["packages"]) == ["numpy"] and lock["info"] == original["info"]
    assert lock["packages"]["numpy"]["sha256"] == hashlib.sha256((runtime / WHEEL).read_bytes()).hexdigest()
    assert {k: v for k, v in lock["packages"]["numpy"].items() if k != "sha256"} == \
        {k: v for k, v in original["packages"]["numpy"].items() if k != "sha256"}

    info = json.loads((runtime / "runtime.json").read_text())
    assert info["optimize"] == browser_runtime.OPTIMIZE == 2
    files = {p.name for p in runtime.iterdir()} - {"runtime.json"}
    assert set(info["files"]) == files == {*browser_runtime.CORE, "python_stdlib.zip", WHEEL, "pyodide-lock.json"}
    for name, entry in info["files"].items():
        data = (runtime / name).read_bytes()
        assert entry == {"size": len(data), "transfer": github_pages.transferred_size(name, data),
                         "sha256": hashlib.sha256(data).hexdigest()}, name
    assert info["files"]["pyodide.asm.wasm"]["transfer"] < info["files"]["pyodide.asm.wasm"]["size"] / 2  # gzipped
    assert info["files"][WHEEL]["transfer"] == info["files"][WHEEL]["size"]  # sent as it is
    # The folder is named by what it holds.
    assert runtime.name.startswith("pyodide-") and len(runtime.name) == len("pyodide-") + 12


def test_the_runtime_is_reused_remade_when_damaged_and_reproducible(runtime, tmp_path, monkeypatch):
    # (Not the work folders another test process may have in the real cache right now.)
    cache = Path(shutil.copytree(vendor.cache_root(), tmp_path / "vendor", ignore=shutil.ignore_patterns(".*")))
    folder = cache / "runtime" / runtime.name
    good = {p.name: p.read_bytes() for p in folder.iterdir()}
    messages = []
    assert browser_runtime.assemble(cache, log=messages.append) == folder
    assert messages == []  # up to date: nothing to do

    (folder / "python_stdlib.zip").write_bytes(b"damaged")
    monkeypatch.setattr(browser_runtime.shutil, "which", lambda name: None)
    with pytest.raises(vendor.VendorError, match="runs the pinned Pyodide under Node.js, which is not installed"):
        browser_runtime.assemble(cache, log=messages.append)
    monkeypatch.undo()

    assert browser_runtime.assemble(cache, log=messages.append) == folder
    assert messages == ["vendor: packing the browser's standard library and NumPy: only what the widgets use, "
                        "as bytecode"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == good  # the same bytes again
    assert not [p for p in (cache / "runtime").iterdir() if p.name.startswith(".")]  # no work folder left


def test_a_widget_the_trace_cannot_run_stops_the_build_with_what_to_do(tmp_path):
    package = Path(shutil.copytree(REPO / "demos", tmp_path / "demos", ignore=shutil.ignore_patterns("__pycache__")))
    registry = package / "widgets" / "__init__.py"
    text = registry.read_text()
    assert 'WIDGETS = ("neuron", ' in text
    registry.write_text(text.replace('WIDGETS = ("neuron", ', 'WIDGETS = ("neuron", "abacus", '))
    shutil.copy(package / "widgets" / "neuron.py", package / "widgets" / "abacus.py")  # a widget like the neuron
    with pytest.raises(vendor.VendorError) as caught:
        browser_runtime.trace(vendor.cache_root(), package, log=quiet)
    assert "has no exercise for the widget(s) abacus" in str(caught.value)
    assert "add one to exercises()" in str(caught.value)


def imports_of(path):
    """(line, top-level module) of every import statement in the Python file `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_everything_the_demos_package_imports_is_in_the_runtime(used):
    """An import the trace never reached (say, inside a function no widget calls yet) would
    fail only in a reader's browser: every import in demos/ must name a module the trace
    saw loaded."""
    loaded = set(used["modules"])
    missing = []
    for path in sorted((REPO / "demos").rglob("*.py")):
        for line, module in imports_of(path):
            if module.split(".")[0] != "demos" and module not in loaded:
                missing.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not missing, (
        "the browser's runtime ships only the modules its trace saw the widgets load, and these are not among "
        "them:\n  " + "\n  ".join(missing) + "\nWhat to do: make scripts/runtime/runtime_trace.py exercise the code that "
        "imports them (its exercises()), then rebuild (`make site`).")


def test_the_import_check_sees_an_import_hidden_in_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("import json\n\ndef f():\n    import statistics\n    from numpy import fft\n")
    assert imports_of(module) == [(1, "json"), (4, "statistics"), (5, "numpy")]


def test_site_urls_name_the_runtime_folder_or_the_cdn(runtime, monkeypatch, tmp_path):
    monkeypatch.delenv("PYODIDE_SOURCE", raising=False)
    assert browser_runtime.base_url("", runtime) == f"vendor/{runtime.name}/"
    assert browser_runtime.base_url("../../", runtime) == f"../../vendor/{runtime.name}/"
    site = tmp_path / "site"
    (site / "vendor" / "pyodide-old").mkdir(parents=True)
    copied = browser_runtime.copy_into(site, runtime, log=quiet)
    assert sorted(p.name for p in (site / "vendor").iterdir()) == [runtime.name]  # the old build's is gone
    assert {p.name for p in copied} == {p.name for p in runtime.iterdir()}
    assert all((site / "vendor" / runtime.name / p.name).read_bytes() == p.read_bytes() for p in runtime.iterdir())

    monkeypatch.setenv("PYODIDE_SOURCE", "cdn")
    assert browser_runtime.base_url("../") == "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"
    assert browser_runtime.copy_into(site, runtime, log=quiet) == []
    assert not list((site / "vendor").glob("pyodide*"))
    monkeypatch.setenv("PYODIDE_SOURCE", "mirror")
    with pytest.raises(ValueError, match="PYODIDE_SOURCE must be 'self' or 'cdn', not 'mirror'"):
        browser_runtime.base_url("", runtime)
