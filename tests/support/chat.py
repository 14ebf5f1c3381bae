"""A shopper talking to the bot over the REST channel, and the fixed clock of the stack."""

from __future__ import annotations

import subprocess
import time
import uuid
from dataclasses import dataclass, field

import requests

# The stack of the conversation tests runs with WISMO_NOW set to this, so answers read
# the same on any day.
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
