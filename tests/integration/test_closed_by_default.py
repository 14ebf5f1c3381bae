"""Nothing a stranger sends is served: the action server wants Rasa's token, and the
Procfile starts Rasa on the loopback for named origins only.

The Rasa launcher's refusal of an open API and the bounded tracker store run in
the Rasa environment (Python 3.10): their tests are in tests/rasa_side.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator

import pytest
import requests

from bot.channels import identity
from tests.support.stack import ROOT, free_port, serving


def test_the_procfile_binds_rasa_to_the_loopback_and_named_origins() -> None:
    rasa = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("rasa:")
    )
    assert "--interface ${RASA_HOST:-127.0.0.1}" in rasa
    assert "--cors ${WISMO_ALLOWED_ORIGINS:-http://localhost:8000}" in rasa
    assert '"*"' not in rasa
    # Rasa's HTTP API is on for the notifier's trigger_intent, only with the token the
    # launcher derives from the deployment's secret (tests/rasa_side/test_launch.py).
    assert rasa.count("--enable-api") == rasa.count("--enable-api --auth-token-from-secret") == 1


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`python -m actions.server` on a free port, and the token it expects."""
    secret = secrets.token_hex(32)
    port = free_port()
    workdir = tmp_path_factory.mktemp("actions")
    env = {
        **os.environ,
        "WISMO_SECRET": secret,
        "DATABASE_URL": f"sqlite:///{workdir / 'wismo.db'}",
    }
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "actions.server", "--port", str(port)]
    with serving(command, env, f"{base}/health", workdir / "actions.log", timeout=60):
        yield base, identity.action_token(secret.encode())


CALL = {
    "next_action": "action_session_start",
    "sender_id": "x",
    "tracker": {"sender_id": "x", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.2",
}


@pytest.mark.parametrize("token", [None, "", "wrong", "0" * 64])
def test_the_action_server_refuses_a_call_without_rasas_token(
    action_server: tuple[str, str], token: str | None
) -> None:
    base, _ = action_server
    params = {} if token is None else {"token": token}
    for path in ("/webhook", "/actions"):
        response = requests.post(f"{base}{path}", params=params, json=CALL, timeout=10)
        if path == "/actions":
            response = requests.get(f"{base}{path}", params=params, timeout=10)
        assert response.status_code == 403, (path, response.text)
        assert "token" in response.json()["error"]


def test_the_action_server_runs_a_call_with_rasas_token(action_server: tuple[str, str]) -> None:
    base, token = action_server
    assert requests.get(f"{base}/health", timeout=10).status_code == 200
    listed = requests.get(f"{base}/actions", params={"token": token}, timeout=10)
    assert listed.status_code == 200 and listed.json(), listed.text
    # The call reaches the executor, which answers for the action it was asked to run.
    response = requests.post(f"{base}/webhook", params={"token": token}, json=CALL, timeout=30)
    assert response.status_code == 404, response.text
    assert response.json()["action_name"] == "action_session_start"
