"""The machine's Chromium under Playwright, shared by the browser tests: launching it, a tab, screenshots.

The machine's Chromium is used (Debian's ``chromium`` at /usr/bin/chromium, or
``CHROMIUM`` if set); Playwright never downloads a browser of its own.  Without
Chromium the browser tests skip and say why, except in CI (``CI=true``), where
they fail.  Screenshots go under ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import Server, serve

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT_MS = 15_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium is not at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    return None


def require_browser() -> None:
    """Skip (fail in CI) when Chromium or Playwright is missing."""
    why = browser_unavailable()
    if why is None:
        return
    if IN_CI:
        pytest.fail(f"{why}, and CI is set: browser tests must run in CI")
    pytest.skip(why)


@contextmanager
def launched() -> Iterator[Any]:
    """Chromium, headless, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def tab(browser: Any, console_errors: bool = True, **options: Any) -> Iterator[Any]:
    """A tab in a context of its own (``options`` for the context, a desktop by default).

    The page's script errors (and, unless ``console_errors`` is false, what it
    logs as errors) fail the test once it is done with the tab.
    """
    context = browser.new_context(**{**DESKTOP, **options})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if console_errors:
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page reported errors: {errors}"


@contextmanager
def seeded_server(folder: Path, workers: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """A real ``serve`` on an SQLite log in ``folder`` holding the seed article (skipped without a browser)."""
    require_browser()
    with serve(f"sqlite:///{folder / 'log.db'}", folder, workers=workers, extra_env=extra_env) as running:
        assert "developments added: 21" in running.cli("import", "--example", "seed-article")
        yield running


def screenshot(page: Any, name: str) -> None:
    """Save the whole page under ``test-artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
