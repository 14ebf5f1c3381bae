"""The whole stack, as `make run` starts it, on free ports, for conversation tests.

The trained model (models/wismo.tar.gz, built by `make test`) answers over the
REST channel; the action server, the sandbox carrier and a fresh SQLite database
with the demo data sit behind it; the clock is fixed so answers read the same
on any day.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "wismo.tar.gz"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
NOW = "2026-11-20T15:00:00-05:00"
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
class Stack:
    rest_url: str
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)  # type: ignore[type-arg]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists() or not RASA.exists():
        pytest.fail("no trained model or Rasa environment: run `make test`, which builds both")
    tmp = tmp_path_factory.mktemp("stack")
    ports = {name: free_port() for name in ("sandbox", "actions", "rasa")}
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'wismo.db'}",
        "WISMO_NOW": NOW,
        "TRACKING_CACHE_SECONDS": "0",
        "SANDBOX_PORT": str(ports["sandbox"]),
        "EASYPOST_API_URL": f"http://127.0.0.1:{ports['sandbox']}/v2",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports["actions"]}/webhook"\n'
    )
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "wismo"), "demo", "--load"], env=env, check=True, cwd=ROOT)
    commands = {
        "sandbox": [str(bin_dir / "wismo"), "sandbox"],
        "actions": [
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(ports["actions"]),
        ],
        "rasa": [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--port",
            str(ports["rasa"]),
        ],
    }
    stack = Stack(f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook", env)
    logs = {}
    try:
        for name, command in commands.items():
            logs[name] = open(tmp / f"{name}.log", "wb")  # noqa: SIM115
            stack.procs[name] = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=logs[name], stderr=subprocess.STDOUT
            )
        procs = list(stack.procs.values())
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{ports['rasa']}/", timeout=2).ok,
            START_TIMEOUT,
            "starting Rasa",
            procs,
        )
        wait_until(
            lambda: (
                requests.post(
                    stack.rest_url, json={"sender": "warmup", "message": "hi"}, timeout=30
                ).json()
                != []
            ),
            60,
            "waiting for the first answer",
            procs,
        )
        yield stack
    finally:
        for proc in stack.procs.values():
            proc.terminate()
        for proc in stack.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs.values():
            log.close()


@dataclass
class Chat:
    """One shopper talking to the bot over the REST channel."""

    url: str
    sender: str = field(default_factory=lambda: f"shopper-{uuid.uuid4().hex[:10]}")
    last: list[dict] = field(default_factory=list)  # type: ignore[type-arg]

    def say(self, text: str) -> str:
        """Send one message; the bot's replies joined by newlines."""
        response = requests.post(
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
