"""Serving a built site as GitHub Pages does, and the Chromium that opens it: shared by the
benchmark (scripts/bench.py) and the browser tests.

    server, base = serve(site_dir)        # http://127.0.0.1:PORT/REPO/, in a thread
    browser = launch(playwright)          # Debian's Chromium, driven by Playwright
    ...
    server.shutdown()

The site is served under the sub-path PREFIX, as a project site is on GitHub Pages,
so a link that forgets the sub-path fails here as it would there.
"""

import functools
import gzip
import hashlib
import http.server
import sys
import threading
from pathlib import Path

from scripts import github_pages

# Debian's Chromium (Playwright's own browser download is not reachable from every machine).
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
PREFIX = "/REPO/"


def launch(playwright):
    """Chromium, started by Playwright (``sync_playwright()``) from CHROMIUM."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder under `prefix` only, the way GitHub Pages serves a project site: text,
    JSON and WebAssembly gzipped for a browser that accepts it, an ETag that a revalidation
    answers with 304, ``max-age=600``, and the site's 404.html for a missing file."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".zip": "application/zip",
                      ".webmanifest": "application/manifest+json"}
    _encoded = {}  # (path, mtime, size) -> (etag, gzipped bytes or None), shared by all requests
    prefix = PREFIX

    def do_GET(self):
        self.respond(send_body=True)

    def do_HEAD(self):
        self.respond(send_body=False)

    def respond(self, send_body):
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        getattr(self.server, "requests", []).append(url_path)
        path = Path(self.translate_path(url_path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = path / "index.html"
        status = 200
        if not path.is_file():
            status, path = 404, Path(self.directory) / "404.html"
            if not path.is_file():
                self.send_error(404)
                return
        content_type = self.guess_type(str(path))
        etag, body = self.encoded(path, content_type)
        gzipped = body is not None and "gzip" in self.headers.get("Accept-Encoding", "")
        if status == 200 and etag in self.headers.get("If-None-Match", ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            getattr(self.server, "sent", []).append((url_path, 0))
            return
        data = body if gzipped else path.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        if body is not None:
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(data)
            getattr(self.server, "sent", []).append((url_path, len(data)))

    def encoded(self, path, content_type):
        """(ETag, the gzipped bytes or None when the type travels as it is), kept per file version."""
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._encoded:
            data = path.read_bytes()
            body = gzip.compress(data, 6, mtime=0) if github_pages.gzipped(path.name) else None
            self._encoded[key] = (f'"{hashlib.sha1(data).hexdigest()[:16]}"', body)
        return self._encoded[key]

    def end_headers(self):
        # As GitHub Pages does: a browser may reuse a file for 10 minutes without asking.
        self.send_header("Cache-Control", f"max-age={github_pages.MAX_AGE}")
        super().end_headers()

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path(path[len(self.prefix) - 1:])

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes while a video downloads is no error of the site.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(folder, handler=None, prefix=PREFIX):
    """Start serving `folder` (which may still be empty) under the path `prefix` in a thread;
    returns (server, its base URL). `server.requests` lists the path of every request, in order,
    and `server.sent` (path, bytes of the body sent) for every answer: what went over the wire.
    `handler`: a subclass of SubPathHandler to serve with instead."""
    handler = type("Handler", (handler or SubPathHandler,), {"prefix": prefix})
    server = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    server.requests, server.sent = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"
