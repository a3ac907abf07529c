"""The benchmark's pure helpers on small inputs (no timing is asserted anywhere)."""

import gzip

from scripts.bench import format_table, page_weight, row, runtime_weight

MACHINE = {"date": "2025-01-01 00:00", "cpu": "Test CPU", "cores": 2, "python": "3.11", "numpy": "2.0",
           "chromium": "1.0", "load_start": "0.10", "load_end": "0.20"}


def fake_site(tmp_path):
    site = tmp_path / "site"
    files = {
        "posts/one/index.html": '<link rel="stylesheet" href="../../s.css"><script src="../../a.js" type="module">'
                                '</script><img src="../../p.png"><video poster="../../v.png"><source src="../../v.mp4">'
                                '</video><img src="https://elsewhere.example/x.png"><script src="../../py/x.js"></script>',
        "s.css": "body { background: url('f.woff2') }",
        "f.woff2": "F" * 100,
        "a.js": 'import { x } from "./b.js";',
        "b.js": "export const x = 1;",
        "p.png": "P" * 50,
        "v.png": "V" * 20,
        "v.mp4": "M" * 1000,
        "unused.png": "U" * 5000,
        "py/x.js": "R" * 300,
        "py/demos-1.zip": "Z" * 400,
        "py/bundle.json": "{}",
        "vendor/pyodide/pyodide.mjs": "J" * 10,
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    return site, files


def test_page_weight_counts_what_the_page_references_and_keeps_videos_and_runtime_apart(tmp_path):
    site, files = fake_site(tmp_path)
    weight = page_weight(site, site / "posts/one/index.html")
    counted = ["posts/one/index.html", "s.css", "f.woff2", "a.js", "b.js", "p.png", "v.png"]
    assert weight["files"] == sorted(counted)
    assert weight["page"][0] == sum(len(files[f]) for f in counted)
    assert weight["page"][1] == sum(len(gzip.compress(files[f].encode(), 9, mtime=0)) for f in counted)
    assert weight["videos"][0] == 1000


def test_runtime_weight_counts_the_runtime_files_present(tmp_path):
    site, files = fake_site(tmp_path)
    assert runtime_weight(site)[0] == 10 + 400 + 2


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
