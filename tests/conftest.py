"""What several test files share: one Chromium per test process, and a local server per test
file that builds a site of its own (tests/sites.py holds the rest of what they share).

Playwright's sync API allows one running instance per process, so every browser
test file takes its browser from here rather than starting its own.
"""

from pathlib import Path

import pytest

from scripts.serving import CHROMIUM, launch
from tests.sites import serving


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Chromium: run `make browser` (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def httpd(tmp_path_factory):
    """A local server under the sub-path /REPO/ for the test file's own site, built into its `folder`."""
    with serving(tmp_path_factory.mktemp("served")) as httpd:
        yield httpd
