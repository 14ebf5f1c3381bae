"""Nothing a stranger sends is served: the action server wants Rasa's token, the Rasa
launcher refuses an open API, and the tracker store forgets and caps conversations.

The tracker store and the launcher run in the Rasa environment (Python 3.10):
their checks run there, in a subprocess.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.bench.stack import RASA, ROOT, free_port
from bot.channels import identity

RASA_PYTHON = str(RASA.parent / "python")

TRACKER_STORE_CHECKS = textwrap.dedent(
    """
    import asyncio, os
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from bot.channels.tracker_store import BoundedInMemoryTrackerStore

    # endpoints.yml's section makes Rasa create this store, with its two keys.
    os.environ.setdefault("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    os.environ.setdefault("ACTION_SERVER_TOKEN", "x")
    config = read_endpoint_config("endpoints.yml", "tracker_store")
    created = TrackerStore.create(config, Domain.empty())
    assert type(created) is BoundedInMemoryTrackerStore, type(created)
    assert (created.idle_seconds, created.max_conversations) == (3600.0, 10000)

    now = [1000.0]
    store = BoundedInMemoryTrackerStore(
        Domain.empty(), idle_seconds=60, max_conversations=3, clock=lambda: now[0]
    )

    def tracker(sender):
        t = DialogueStateTracker(sender, [])
        t.update(UserUttered(f"hello from {sender}"))
        return t

    async def checks():
        for sender in "abcd":
            await store.save(tracker(sender))
            now[0] += 1
        # At most three: the least recently used ("a") went first.
        assert sorted(await store.keys()) == ["b", "c", "d"], await store.keys()
        assert await store.retrieve("a") is None
        # Reading a conversation makes it recently used: "c" goes next, not "b".
        assert (await store.retrieve("b")).sender_id == "b"
        await store.save(tracker("e"))
        assert sorted(await store.keys()) == ["b", "d", "e"], await store.keys()
        # Idle longer than a minute: forgotten, while one still talking stays.
        now[0] += 59
        await store.save(tracker("e"))
        now[0] += 2
        assert sorted(await store.keys()) == ["e"], await store.keys()
        assert await store.retrieve("b") is None
        assert (await store.retrieve_full_tracker("e")).sender_id == "e"
        now[0] += 61
        assert await store.retrieve("e") is None
        assert list(await store.keys()) == []
        assert len(store.store) == 0 and len(store.used) == 0

    asyncio.run(checks())
    print("checked the bounded tracker store")
    """
)


def in_rasa_env(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RASA_PYTHON, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )


def test_the_tracker_store_forgets_idle_conversations_and_caps_their_number() -> None:
    done = in_rasa_env(TRACKER_STORE_CHECKS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked the bounded tracker store" in done.stdout


@pytest.mark.parametrize(
    "flags", [["--enable-api"], ["--enable-api", "--auth-token="], ["--enable"]]
)
def test_the_launcher_refuses_an_api_without_a_token(flags: list[str]) -> None:
    done = subprocess.run(
        [RASA_PYTHON, "-m", "bot.channels.server", "run", "--model", "nowhere.tar.gz", *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "WISMO_SECRET": "s"},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "--auth-token or --jwt-secret" in done.stderr


def test_the_launcher_lets_an_api_with_a_token_start() -> None:
    checks = textwrap.dedent(
        """
        from bot.channels.server import body_limit, open_api_refusal
        assert open_api_refusal(["run", "--enable-api"])
        # Without the API, whose model uploads are large, a body is at most 1 MB.
        assert body_limit(["run", "--port", "5005"]) == {"SANIC_REQUEST_MAX_SIZE": "1000000"}
        assert body_limit(["run", "--enable-api", "-t", "x"]) == {}
        for flags in (["--auth-token", "t"], ["-t", "t"], ["--jwt-secret=k"], []):
            api = ["--enable-api"] if flags else []
            assert open_api_refusal(["run", *api, *flags]) is None, flags
        print("ok")
        """
    )
    done = in_rasa_env(checks)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-2000:]


def test_the_procfile_binds_rasa_to_the_loopback_and_named_origins() -> None:
    rasa = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("rasa:")
    )
    assert "--interface ${RASA_HOST:-127.0.0.1}" in rasa
    assert "--cors ${WISMO_ALLOWED_ORIGINS:-http://localhost:8000}" in rasa
    assert '"*"' not in rasa and "--enable-api" not in rasa


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
    log_path = Path(workdir / "actions.log")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log_path.read_text()[-2000:]
                assert time.monotonic() < deadline, "the action server did not start"
                try:
                    if requests.get(f"{base}/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.25)
            yield base, identity.action_token(secret.encode())
        finally:
            proc.terminate()
            proc.wait(timeout=20)


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
