"""How GitHub Pages serves a site, as far as a reader's bytes and waits depend on it.

One place for these facts: the local server of the bench and the tests serves a
built site by them, the bench counts bytes on the wire by them, and the browser
runtime's ``runtime.json`` reports its files' sizes by them.
"""

import gzip

# Files GitHub Pages sends gzipped to a browser that accepts it; the rest (pictures,
# videos, fonts, zips, wheels) travel as they are, being compressed already.
GZIPPED_SUFFIXES = (".html", ".css", ".js", ".mjs", ".svg", ".json", ".txt", ".xml", ".wasm", ".webmanifest")
# Seconds a browser may reuse a file without asking (its Cache-Control header).
MAX_AGE = 600


def gzipped(name):
    """Whether GitHub Pages compresses the file `name` on the way out."""
    return name.lower().endswith(GZIPPED_SUFFIXES)


def gzip_size(data):
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def transferred_size(name, data):
    """Bytes GitHub Pages sends for the file `name` holding `data`."""
    return gzip_size(data) if gzipped(name) else len(data)
