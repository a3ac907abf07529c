"""Write the handwritten digits the posts train on into ``demos/data/digits.csv.gz``.

The images are the 8x8 UCI optical digits (1,797 images) as scikit-learn ships
them in its wheel. They are copied once into the ``demos`` package so that the
browser, which has no scikit-learn, reads exactly the same numbers as the build.

The file is a gzip-compressed CSV: a header line ``p0,...,p63,label``, then one
line per image with its 64 pixel counts (0..16, row by row) and its label. The
gzip header carries no file name and a zero time stamp, so running this script
again writes the same bytes (for the same zlib).

Command line: ``python -m scripts.assets.make_digits_data`` (needs scikit-learn);
``--check`` only compares the shipped file with scikit-learn's copy and exits
with status 1 if they differ.
"""

import argparse
import gzip
import io
import sys
from pathlib import Path

import numpy as np

from scripts.atomic import write_atomic

TARGET = Path(__file__).resolve().parents[2] / "demos" / "data" / "digits.csv.gz"


def digits_csv_gz():
    """The bytes of the digits file, built from scikit-learn's copy of the data."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.data.astype(np.int64)
    labels = digits.target.astype(np.int64)
    text = io.StringIO()
    text.write(",".join([f"p{i}" for i in range(images.shape[1])] + ["label"]) + "\n")
    for image, label in zip(images, labels):
        text.write(",".join(str(v) for v in image) + f",{label}\n")
    # mtime=0 and no file name in the header: the same data always gives the same bytes.
    return gzip.compress(text.getvalue().encode("ascii"), compresslevel=9, mtime=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    data = digits_csv_gz()
    if args.check:
        same = TARGET.exists() and TARGET.read_bytes() == data
        print(f"{TARGET}: {'up to date' if same else 'differs from scikit-learn copy'}")
        return 0 if same else 1
    write_atomic(TARGET, data)
    print(f"wrote {TARGET} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
