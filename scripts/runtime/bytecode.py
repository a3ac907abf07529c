"""Compile the Python sources inside a zip or wheel to bytecode, for the browser's runtime.

The pinned runtime ships its standard library (``python_stdlib.zip``) and NumPy's
wheel as ``.py`` sources, so a reader's browser compiles every module it imports,
every visit: about 60 % of the time from page load to a live widget. Compiling them
once at build time moves that work here.

Bytecode belongs to one Python version, so this script must run inside the runtime
itself (Pyodide under Node, see ``scripts/runtime/pyodide_run.mjs``), never under the build's
own CPython::

    node scripts/runtime/pyodide_run.mjs PYODIDE_DIR scripts/runtime/bytecode.py [--optimize N] SOURCE TARGET PREFIX KEEP [...]

Each ``SOURCE`` archive is rewritten as ``TARGET`` with only the files that ``KEEP``
names (a JSON file holding a list of paths inside the archive, as
``scripts/runtime/runtime_trace.py`` finds them; ``all`` keeps every file; a wheel's
``.dist-info`` always stays): every kept ``module.py`` becomes a sourceless
``module.pyc`` beside it (Python imports those when no source is present), compiled
with the file name ``PREFIX + path`` that the runtime will see, so that tracebacks
name real paths, at ``compile()``'s optimisation level N (default 0; 2 leaves out
docstrings and assert statements; NumPy's ``DOCSTRINGS_ONLY`` modules then ship
empty). Files only a compiler needs (type stubs, C headers and sources, static
libraries) are left out. A wheel's ``RECORD`` is rewritten to list what the
new wheel holds. Entries carry no timestamps and come in the source's order, so
the same input gives the same bytes (with ``PYTHONHASHSEED=0``, which
``pyodide_run.mjs`` sets: set constants are ordered by hash).
"""

import base64
import hashlib
import importlib.util
import json
import marshal
import sys
import zipfile

# Files the running interpreter never reads.
BUILD_ONLY = (".pyi", ".pxd", ".pyx", ".h", ".c", ".a", ".pc")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# NumPy's modules that do nothing but attach docstrings to its compiled functions: thousands of
# calls on every `import numpy` (a tenth of its import time) and 60 kB of the wheel. At level 2,
# which leaves out every other docstring, they ship empty: nothing the widgets run reads one.
DOCSTRINGS_ONLY = ("numpy/_core/_add_newdocs.py", "numpy/_core/_add_newdocs_scalars.py")


def pyc_bytes(code):
    """A sourceless .pyc file: magic number, flags 0, then a zero source time and size
    (nothing to check them against), then the marshalled code object."""
    return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)


def kept(name, keep):
    """Whether the archive entry `name` ships: `keep` is a set of paths, or None for all."""
    return keep is None or name in keep or name.split("/", 1)[0].endswith(".dist-info")


def compiled_entries(archive, prefix, keep=None, optimize=0):
    """[(name, bytes, external_attr)] of the zip `archive`, only what `keep` names, sources compiled."""
    entries = []
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or name.endswith(BUILD_ONLY) or not kept(name, keep):
            continue
        data = archive.read(info)
        if name.endswith(".py"):
            if optimize >= 2 and name in DOCSTRINGS_ONLY:
                data = b""
            try:
                code = compile(data, prefix + name, "exec", dont_inherit=True, optimize=optimize)
            except SyntaxError as error:
                raise SystemExit(f"{archive.filename}: {name} does not compile: {error}") from None
            name, data = name + "c", pyc_bytes(code)
        entries.append((name, data, info.external_attr))
    return entries


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def with_new_record(entries):
    """The entries of a wheel with its .dist-info/RECORD listing them as they now are."""
    records = [i for i, (name, _, _) in enumerate(entries) if name.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        raise SystemExit(f"a wheel holds one .dist-info/RECORD; this one holds {len(records)}")
    index = records[0]
    record_name, _, attr = entries[index]
    lines = [record_line(name, data) for name, data, _ in entries if name != record_name]
    lines.append(f"{record_name},,")
    entries[index] = (record_name, ("\n".join(lines) + "\n").encode(), attr)
    return entries


def read_keep(path):
    """The set of paths a KEEP argument names, or None for ``all``."""
    if path == "all":
        return None
    with open(path) as f:
        names = json.load(f)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SystemExit(f"{path} must hold a JSON list of paths inside the archive")
    return set(names)


def compile_archive(source, target, prefix, keep=None, optimize=0):
    with zipfile.ZipFile(source) as archive:
        entries = compiled_entries(archive, prefix, keep, optimize)
    if source.endswith(".whl"):
        entries = with_new_record(entries)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data, attr in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, attr
            out.writestr(info, data)


def main(argv):
    if sys.platform != "emscripten":
        raise SystemExit("bytecode.py must run inside the browser's runtime (see scripts/runtime/pyodide_run.mjs): "
                         f"this Python is {sys.version.split()[0]} on {sys.platform}")
    optimize = 0
    if argv[:1] == ["--optimize"]:
        optimize, argv = int(argv[1]), argv[2:]
    if not argv or len(argv) % 4:
        raise SystemExit("usage: bytecode.py [--optimize N] SOURCE TARGET PREFIX KEEP [SOURCE TARGET PREFIX KEEP ...]")
    for i in range(0, len(argv), 4):
        source, target, prefix, keep = argv[i:i + 4]
        compile_archive(source, target, prefix, read_keep(keep), optimize)


if __name__ == "__main__":
    main(sys.argv[1:])
