"""The whole stack, as `make run` starts it, on free ports, for conversation tests.

The trained model (models/wismo.tar.gz, built by `make test`) answers over the
REST channel, started by the Procfile's own lines (bot.bench.stack); the action
server, the sandbox carrier and a fresh SQLite database with the demo data sit
behind it; the clock is fixed so answers read the same
on any day.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import create_engine

from bot.bench.stack import (  # noqa: F401 (START_TIMEOUT, ROOT, free_port: for test_stack)
    MODEL,
    RASA,
    ROOT,
    START_TIMEOUT,
    Stack,
    free_port,
    start_wismo,
)

NOW = "2026-11-20T15:00:00-05:00"


def wait_until(check, timeout: float, what: str, procs: list[subprocess.Popen]) -> None:  # type: ignore[type-arg, no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} while {what}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"timed out while {what}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every Procfile process, as `make run` starts them, on free ports."""
    if not MODEL.exists() or not RASA.exists():
        pytest.fail("no trained model or Rasa environment: run `make test`, which builds both")
    running = start_wismo(
        tmp_path_factory.mktemp("stack"), {"WISMO_NOW": NOW, "TRACKING_CACHE_SECONDS": "0"}
    )
    try:
        running.wait_for_first_answer()
        yield running
    finally:
        running.stop()


@dataclass
class Chat:
    """One shopper talking to the bot over the REST channel."""

    url: str
    sender: str = field(default_factory=lambda: f"shopper-{uuid.uuid4().hex[:10]}")
    last: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    # The REST channel's session token comes back as a cookie; the session keeps it.
    http: requests.Session = field(default_factory=requests.Session)

    def say(self, text: str) -> str:
        """Send one message in this chat's session; the bot's replies joined by newlines."""
        response = self.http.post(
            self.url, json={"sender": self.sender, "message": text}, timeout=60
        )
        response.raise_for_status()
        self.last = response.json()
        return "\n".join(m.get("text", "") for m in self.last)

    def buttons(self) -> list[dict]:  # type: ignore[type-arg]
        """Buttons offered in the last replies."""
        return [b for m in self.last for b in m.get("buttons", [])]


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack.rest_url)


@pytest.fixture(autouse=True)
def no_failed_checks_yet(request: pytest.FixtureRequest) -> None:
    """Each conversation test starts with no failed checks counted in the stack's store.

    Every test talks from the same address, so one test's lockouts would otherwise
    lock out the next.
    """
    if "stack" not in request.fixturenames:
        return
    running: Stack = request.getfixturevalue("stack")
    engine = create_engine(running.env["DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM check_failures")
    finally:
        engine.dispose()
