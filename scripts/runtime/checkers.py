"""Pinned checkers that the tests run on the built site; none of them is part of it.

Each comes from an npm tarball verified against its registry integrity (sha512)
before anything is taken out of it, into the vendor cache (``scripts/runtime/vendor.py``):

- axe-core (``axe.min.js``), injected into pages by the accessibility tests;
- the Nu HTML checker, ``vnu.jar`` (npm ``vnu-jar``, the W3C validator's own
  build), run with Debian's Java (``make test`` installs ``default-jre-headless``).

    python -m scripts.runtime.checkers        # fetch what is missing, print the paths
"""

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile

from scripts.runtime import vendor

AXE = vendor.Pin("axe-core", "4.14.1", "axe-core-4.14.1.tgz",
                 "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
                 ("https://registry.npmjs.org/axe-core/-/axe-core-4.14.1.tgz", "npm:axe-core@4.14.1"))
AXE_MEMBER = "package/axe.min.js"
VNU = vendor.Pin("vnu-jar", "26.9.27", "vnu-jar-26.9.27.tgz",
                 "sha512-TkQd5DFfOaWC9ebtvozTsrH2Vaod3jYg+vrOeREzIXxBexLz9+rS2DNtjn7+RPUiZhgli0SghgBX6RJRNea0KA==",
                 ("https://registry.npmjs.org/vnu-jar/-/vnu-jar-26.9.27.tgz", "npm:vnu-jar@26.9.27"))
VNU_MEMBER = "package/build/dist/vnu.jar"


class CheckerError(RuntimeError):
    """A checker could not run; the message says what is missing."""


def ensure_npm_file(pin, member, cache_dir=None, log=print):
    """Path of `member` of the npm tarball `pin`, fetched and verified into the vendor cache
    if need be, as ``<cache>/<name>-<version>/<file name>``."""
    root = vendor.cache_root(cache_dir)
    tarball = root / "downloads" / pin.file
    if not (tarball.is_file() and vendor.integrity_of(tarball, pin.integrity) == pin.integrity):
        log(f"{pin.name}: fetching {pin.file}")
        vendor.fetch_verified(tarball, pin.integrity, pin.sources, log)
    target = root / f"{pin.name}-{pin.version}" / member.rsplit("/", 1)[1]
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(member).read()
    # Taken from the verified tarball whenever it differs, so a damaged copy mends itself.
    if not target.is_file() or hashlib.sha256(target.read_bytes()).digest() != hashlib.sha256(data).digest():
        vendor._write_atomic(target, io.BytesIO(data))
    return target


def ensure_axe(cache_dir=None, log=print):
    return ensure_npm_file(AXE, AXE_MEMBER, cache_dir, log)


def ensure_vnu(cache_dir=None, log=print):
    return ensure_npm_file(VNU, VNU_MEMBER, cache_dir, log)


def html_errors(paths, cache_dir=None):
    """The Nu HTML checker's errors for the HTML files `paths`, as [(path, line, message)]."""
    java = shutil.which("java")
    if java is None:
        raise CheckerError("the Nu HTML checker needs Java: `apt-get install default-jre-headless` "
                           "(`make test` does this when run as root)")
    jar = ensure_vnu(cache_dir, log=lambda message: None)
    done = subprocess.run([java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json",
                           *map(str, paths)], capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError):
        raise CheckerError(f"the Nu HTML checker did not report (exit {done.returncode}): "
                           f"{(done.stderr or done.stdout)[-1000:]}") from None
    return [(message.get("url", "").removeprefix("file:"), message.get("lastLine"), message["message"])
            for message in messages if message.get("type") in ("error", "non-document-error")]


if __name__ == "__main__":
    try:
        print(ensure_axe())
        print(ensure_vnu())
    except vendor.VendorError as error:
        print(f"checkers: {error}", file=sys.stderr)
        sys.exit(1)
