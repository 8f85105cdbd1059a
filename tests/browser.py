"""Debian's Chromium, headless, driven by Playwright: one way to launch it for every browser test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

from tests.support import ROOT, chromium_path, require

# Without the background-networking flags Chromium keeps dialling out, and this machine has no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "artifacts"  # screenshots for people to look at (git-ignored)


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    executable = require(chromium_path(), "chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()
