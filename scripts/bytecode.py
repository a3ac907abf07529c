"""Compile the Python sources inside a zip or wheel to bytecode, for the browser's runtime.

The pinned runtime ships its standard library (``python_stdlib.zip``) and NumPy's
wheel as ``.py`` sources, so a reader's browser compiles every module it imports,
every visit: about 60 % of the time from page load to a live widget. Compiling them
once at build time moves that work here.

Bytecode belongs to one Python version, so this script must run inside the runtime
itself (Pyodide under Node, see ``scripts/pyodide_run.mjs``), never under the build's
own CPython::

    node scripts/pyodide_run.mjs PYODIDE_DIR scripts/bytecode.py SOURCE TARGET PREFIX [SOURCE TARGET PREFIX ...]

Each ``SOURCE`` archive is rewritten as ``TARGET``: every ``module.py`` becomes a
sourceless ``module.pyc`` beside it (Python imports those when no source is present),
compiled with the file name ``PREFIX + path`` that the runtime will see, so that
tracebacks name real paths. Files only a compiler needs (type stubs, C headers and
sources, static libraries) are left out. A wheel's ``RECORD`` is rewritten to list what
the new wheel holds. Entries carry no timestamps and come in the source's order, so
the same input gives the same bytes (with ``PYTHONHASHSEED=0``, which
``pyodide_run.mjs`` sets: set constants are ordered by hash).
"""

import base64
import hashlib
import importlib.util
import marshal
import sys
import zipfile

# Files the running interpreter never reads.
BUILD_ONLY = (".pyi", ".pxd", ".pyx", ".h", ".c", ".a", ".pc")
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def pyc_bytes(code):
    """A sourceless .pyc file: magic number, flags 0, then a zero source time and size
    (nothing to check them against), then the marshalled code object."""
    return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)


def compiled_entries(archive, prefix):
    """[(name, bytes, external_attr)] of the zip `archive` with sources compiled."""
    entries = []
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or name.endswith(BUILD_ONLY):
            continue
        data = archive.read(info)
        if name.endswith(".py"):
            try:
                code = compile(data, prefix + name, "exec", dont_inherit=True)
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


def compile_archive(source, target, prefix):
    with zipfile.ZipFile(source) as archive:
        entries = compiled_entries(archive, prefix)
    if source.endswith(".whl"):
        entries = with_new_record(entries)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data, attr in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, attr
            out.writestr(info, data)


def main(argv):
    if sys.platform != "emscripten":
        raise SystemExit("bytecode.py must run inside the browser's runtime (see scripts/pyodide_run.mjs): "
                         f"this Python is {sys.version.split()[0]} on {sys.platform}")
    if not argv or len(argv) % 3:
        raise SystemExit("usage: bytecode.py SOURCE TARGET PREFIX [SOURCE TARGET PREFIX ...]")
    for i in range(0, len(argv), 3):
        compile_archive(*argv[i:i + 3])


if __name__ == "__main__":
    main(sys.argv[1:])
