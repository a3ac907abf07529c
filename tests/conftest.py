"""What several test files share: one Chromium per test process.

Playwright's sync API allows one running instance per process, so every browser
test file takes its browser from here rather than starting its own.
"""

from pathlib import Path

import pytest

from scripts.serving import CHROMIUM, launch


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Chromium: run `make browser` (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
