"""Writing a file so that no reader ever sees half of it: into a temporary file beside it, renamed
into place only once complete, and removed whatever goes wrong. Every script writes files this way.

Temporary files are named ``.tmp-NAME.XXXX.part``: a process killed mid-write leaves one that the
asset build recognises and clears (scripts/assets/build.py)."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

TEMP_PREFIX = ".tmp-"

@contextlib.contextmanager
def atomic_file(dest):
    """Yield (open binary file, its temporary path) beside `dest`; it becomes `dest`, readable by
    everyone, only if the block succeeds."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out, tmp
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; a web server must be able to read them
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(dest, data):
    """Write `data` to `dest` through :func:`atomic_file`: bytes, text (as UTF-8) or an open binary file."""
    with atomic_file(dest) as (out, _):
        if hasattr(data, "read"):
            shutil.copyfileobj(data, out)
        else:
            out.write(data.encode() if isinstance(data, str) else data)
