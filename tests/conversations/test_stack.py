"""The stack as `make run` starts it: one process runner, stopped as one by Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.chat import wait_until
from tests.support.stack import MODEL, ROOT, START_TIMEOUT, free_port

pytestmark = pytest.mark.conversation


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_procfile_stack_answers_and_ctrl_c_stops_all_of_it(tmp_path: Path) -> None:
    assert MODEL.exists(), "run `make test`, which trains the model"
    ports = {name: free_port() for name in ("SANDBOX_PORT", "ACTIONS_PORT", "RASA_PORT")}
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wismo.db'}",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    honcho = Path(sys.executable).parent / "honcho"
    with open(tmp_path / "honcho.log", "wb") as log:
        runner = subprocess.Popen(
            [str(honcho), "start", "-f", str(ROOT / "Procfile")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            wait_until(
                lambda: requests.get(f"{base['RASA_PORT']}/", timeout=2).ok,
                START_TIMEOUT,
                "starting the stack",
                [runner],
            )
            wait_until(
                lambda: requests.get(f"{base['ACTIONS_PORT']}/health", timeout=2).ok,
                30,
                "waiting for the action server",
                [runner],
            )
            wait_until(
                lambda: requests.get(f"{base['SANDBOX_PORT']}/healthz", timeout=2).ok,
                30,
                "waiting for the sandbox",
                [runner],
            )
            reply = requests.post(
                f"{base['RASA_PORT']}/webhooks/rest/webhook",
                json={"sender": "lifecycle", "message": "where is WM-104233, zip 94107"},
                timeout=60,
            ).json()
            # An empty store: the action server answers through the Procfile's wiring.
            assert "don't match" in " ".join(m.get("text", "") for m in reply)
            runner.send_signal(signal.SIGINT)
            runner.wait(timeout=60)
        finally:
            if runner.poll() is None:  # a failure above: still stop the stack as one
                runner.send_signal(signal.SIGINT)
                try:
                    runner.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    runner.kill()
    stopped = [port for port in ports.values() if not listening(port)]
    assert stopped == list(ports.values()), (tmp_path / "honcho.log").read_text()
