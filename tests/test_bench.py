"""The benchmark's pure helpers on small inputs, and what it counts as a page's weight in
Chromium (no timing is asserted anywhere)."""

import gzip

import pytest

from scripts.bench import (fetched_by_page, format_table, row, runtime_weight, site_path, transferred_size, weigh_fetched,
                           widget_data)
from scripts.serving import serve
from scripts.site import blocks

MACHINE = {"date": "2025-01-01 00:00", "cpu": "Test CPU", "cores": 2, "python": "3.11", "numpy": "2.0",
           "chromium": "1.0", "load_start": "0.10", "load_end": "0.20"}


def fake_site(tmp_path):
    site = tmp_path / "site"
    files = {
        "posts/one/index.html": "<p>" + "text " * 200 + "</p>",
        "s.css": "body { color: black } " * 50,
        "a.js": "export const x = 1;",
        "p.webp": "P" * 50,
        "f.woff2": "F" * 100,
        "v.mp4": "M" * 1000,
        "unused.png": "U" * 5000,
        "py/demos-1.zip": "Z" * 400,
        "vendor/pyodide-abc/pyodide.js": "J" * 10,
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    return site, files


def test_a_url_of_the_site_names_its_file_and_a_folder_its_index():
    base = "http://127.0.0.1:8000/REPO/"
    assert site_path(base, base) == "index.html"
    assert site_path(base, base + "posts/one/#a-heading") == "posts/one/index.html"
    assert site_path(base, base + "s.css?v=2") == "s.css"
    assert site_path(base, "http://127.0.0.1:8000/other/s.css") is None
    assert site_path(base, "https://elsewhere.example/x.png") is None


def test_text_travels_gzipped_and_pictures_fonts_and_videos_as_they_are():
    text = b"body { color: black } " * 50
    for name in ("a.html", "a.css", "a.js", "a.mjs", "a.svg", "a.json"):
        assert transferred_size(name, text) == len(gzip.compress(text, 6, mtime=0)) < len(text), name
    for name in ("a.png", "a.webp", "a.woff2", "a.mp4"):
        assert transferred_size(name, text) == len(text), name


def test_what_the_browser_fetched_is_weighed_with_videos_and_the_runtime_apart(tmp_path):
    site, files = fake_site(tmp_path)
    fetched = ["posts/one/index.html", "s.css", "a.js", "p.webp", "f.woff2", "v.mp4", "py/demos-1.zip",
               "vendor/pyodide-abc/pyodide.js", "missing.png"]
    weight = weigh_fetched(site, fetched)
    counted = ["posts/one/index.html", "s.css", "a.js", "p.webp", "f.woff2"]
    assert weight["files"] == sorted(counted)  # not the runtime, not the video, not what is not there
    assert weight["page"][0] == sum(len(files[f]) for f in counted)
    assert weight["page"][1] == sum(len(gzip.compress(files[f].encode(), 6, mtime=0)) for f in counted[:3]) + 50 + 100
    assert weight["videos"] == (1000, 1000)


@pytest.mark.xdist_group("browser")
def test_chromium_fetches_lazy_pictures_far_down_and_no_runtime(browser, tmp_path):
    site = tmp_path / "site"
    files = {
        "posts/one/index.html": '<link rel="stylesheet" href="../../s.css"><div style="height: 20000px"></div>'
                                '<img src="../../far.webp" loading="lazy" alt="far down">'
                                '<video preload="none" poster="../../poster.webp"><source src="../../v.mp4"></video>'
                                '<script>fetch("../../py/demos-1.zip")</script>',
        "s.css": "body { margin: 0 }",
        "far.webp": "W" * 10,
        "poster.webp": "P" * 10,
        "v.mp4": "M" * 10,
        "py/demos-1.zip": "Z",
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    server, base = serve(site)
    try:
        fetched = fetched_by_page(browser, base, "posts/one/", quiet_ms=300)
    finally:
        server.shutdown()
    # The video is named, not played (preload="none"): it counts as what a reader who plays it gets.
    assert fetched == {"posts/one/index.html", "s.css", "far.webp", "poster.webp", "v.mp4"}


def test_runtime_weight_counts_the_runtime_files_present(tmp_path):
    site, files = fake_site(tmp_path)
    assert runtime_weight(site) == (10 + 400, len(gzip.compress(b"J" * 10, 6, mtime=0)) + 400)


def test_widget_data_is_what_the_placeholders_of_the_widgets_on_the_page_name():
    page = "".join(blocks.render_widget(blocks.check("widget", source))
                   for source in ("name: digit", "name: neuron\npreset: red", "name: digit\ncaption: again"))
    assert widget_data(page) == ["assets/generated/models/digits-samples.json",
                                 "assets/generated/models/digits.json"]
    assert widget_data(blocks.render_widget(blocks.check("widget", "name: neuron\npreset: red"))) == []
    assert widget_data("<p>no widget</p>") == []


def test_the_table_has_a_line_per_row_with_median_min_max_and_verdict():
    rows = [row("site build", [3.0, 1.0, 2.0], "s", "< 10 s", True),
            row("page weight a|b", [600], "KB", "< 500 KB", False, "gzip 300 KB"),
            row("maps", [5], "maps/s")]
    table = format_table(rows, MACHINE)
    assert "Test CPU (2 cores)" in table and "Chromium 1.0" in table
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(lines) == 2 + len(rows)
    assert lines[2] == "| site build (s) | 2 | 1 | 3 | 3 | < 10 s | met |  |"
    assert "| missed | gzip 300 KB |" in lines[3] and "a/b" in lines[3]
    assert "| — | — |" in lines[4]


def test_the_server_sends_text_and_wasm_gzipped_with_etags_as_github_pages_does(tmp_path):
    import urllib.error
    import urllib.request
    site = tmp_path / "site"
    (site / "vendor").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>" * 100)
    (site / "404.html").write_text("not here")
    (site / "vendor" / "x.wasm").write_bytes(bytes(50_000))
    (site / "vendor" / "x.zip").write_bytes(bytes(50_000))
    server, base = serve(site)

    def get(path, **headers):
        try:
            return urllib.request.urlopen(urllib.request.Request(base + path, headers=headers))
        except urllib.error.HTTPError as error:
            return error

    try:
        wasm = get("vendor/x.wasm", **{"Accept-Encoding": "gzip, br"})
        assert wasm.status == 200 and wasm.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(wasm.read()) == bytes(50_000)
        assert wasm.headers["Cache-Control"] == "max-age=600" and wasm.headers["Vary"] == "Accept-Encoding"
        plain = get("vendor/x.wasm")
        assert plain.headers["Content-Encoding"] is None and len(plain.read()) == 50_000
        assert get("vendor/x.wasm", **{"If-None-Match": wasm.headers["ETag"]}).status == 304
        archive = get("vendor/x.zip", **{"Accept-Encoding": "gzip"})
        assert archive.headers["Content-Encoding"] is None and len(archive.read()) == 50_000
        assert get("", **{"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
        missing = get("nothing/here.js")
        assert missing.status == 404 and missing.read() == b"not here"
    finally:
        server.shutdown()


def test_the_site_is_served_under_the_path_of_the_address_it_was_built_for(tmp_path):
    import urllib.request
    from scripts.bench import address_path
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("home")
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.test/watch/posts/one/</loc></url>"
        "<url><loc>https://example.test/watch/</loc></url></urlset>")
    assert address_path(site) == "/watch/"
    server, base = serve(site, prefix=address_path(site))
    try:
        assert base.endswith("/watch/")
        assert urllib.request.urlopen(base).read() == b"home"
    finally:
        server.shutdown()
