"""The demo store and its widget in headless Chromium, against the stack `make run` starts.

Debian's Chromium (/usr/bin/chromium), driven by Playwright's Python package;
no browser is ever downloaded. The stack is the shared `stack` fixture
(tests/conftest.py): the web process serves the page, the widget talks to Rasa's
socket.io channel. Each test gets a fresh browser context: its own storage, as
a new visitor has. Screenshots go to var/test-artifacts/.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, sync_playwright

from tests.support.stack import ROOT, Stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "var" / "test-artifacts"
HOSTILE_ORDERS = ROOT / "tests" / "fixtures" / "orders_hostile.json"


@dataclass
class Visitor:
    """One browser context on the demo store, and what happened in it."""

    context: BrowserContext
    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, for one module: Playwright's sync API runs an event loop on this thread
    while it is open, which the asyncio tests after this module must not find running."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def store(stack: Stack) -> str:
    """The demo store's address, once the web process answers; with the hostile order loaded."""
    stack.wait_until(
        lambda: requests.get(f"{stack.web_url}/healthz", timeout=2).ok, 60, "starting the web"
    )
    wismo = ROOT / ".venv" / "bin" / "wismo"
    subprocess.run([str(wismo), "import", str(HOSTILE_ORDERS)], env=stack.env, check=True)
    return stack.web_url


def visit(browser: Browser, url: str, **options: object) -> Visitor:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    page = context.new_page()
    visitor = Visitor(context, page)

    def dismiss(dialog: Dialog) -> None:
        visitor.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.on("pageerror", lambda error: visitor.errors.append(str(error)))
    page.goto(url)
    return visitor


@pytest.fixture
def visitor(browser: Browser, store: str) -> Iterator[Visitor]:
    """A new visitor on the demo store's page."""
    opened = visit(browser, store)
    yield opened
    opened.context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
