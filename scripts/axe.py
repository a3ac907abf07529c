"""Fetch the pinned accessibility checker that the browser tests inject into every page.

axe-core is a test tool, never part of the published site: it lands, verified, in the
same cache as the vendored runtime (``scripts/vendor.py``), as
``<cache>/axe-core-<version>/axe.min.js``. The npm tarball is checked against its
registry integrity (sha512) before anything is taken out of it.

    python -m scripts.axe        # fetch if missing, print the path
"""

import hashlib
import io
import sys
import tarfile

from scripts import vendor

AXE = vendor.Pin("axe-core", "4.14.1", "axe-core-4.14.1.tgz",
                 "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
                 ("https://registry.npmjs.org/axe-core/-/axe-core-4.14.1.tgz", "npm:axe-core@4.14.1"))
MEMBER = "package/axe.min.js"


def ensure_axe(cache_dir=None, log=print):
    """Path of a verified ``axe.min.js``, fetched into the vendor cache if need be."""
    root = vendor.cache_root(cache_dir)
    tarball = root / "downloads" / AXE.file
    if not (tarball.is_file() and vendor.integrity_of(tarball, AXE.integrity) == AXE.integrity):
        log(f"axe: fetching {AXE.file}")
        vendor.fetch_verified(tarball, AXE.integrity, AXE.sources, log)
    script = root / f"axe-core-{AXE.version}" / "axe.min.js"
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(MEMBER).read()
    # The script is taken from the verified tarball whenever it differs, so a damaged copy mends itself.
    if not script.is_file() or hashlib.sha256(script.read_bytes()).digest() != hashlib.sha256(data).digest():
        vendor._write_atomic(script, io.BytesIO(data))
    return script


if __name__ == "__main__":
    try:
        print(ensure_axe())
    except vendor.VendorError as error:
        print(f"axe: {error}", file=sys.stderr)
        sys.exit(1)
