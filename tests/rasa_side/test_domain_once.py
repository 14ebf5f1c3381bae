"""The domain goes to the action server once (bot/rasa_server/domain_once.py), and every
action answers as it does when the domain comes with each call.

Against the real action server (the app environment's `python -m actions.server`), so
that the other side of the exchange is the SDK the project pins, not a stand-in.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels import identity
from bot.rasa_server import domain_once
from tests.support.stack import ROOT, free_port, serving

APP_PYTHON = ROOT / ".venv" / "bin" / "python"
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


class ActionServer:
    def __init__(self, workdir: Path) -> None:
        self.secret = secrets.token_hex(32)
        self.port = free_port()
        self.env = {
            **os.environ,
            "WISMO_SECRET": self.secret,
            "DATABASE_URL": f"sqlite:///{workdir / 'wismo.db'}",
        }
        self.log = workdir / "actions.log"

    def running(self) -> Any:
        command = [str(APP_PYTHON), "-m", "actions.server", "--port", str(self.port)]
        return serving(command, self.env, f"http://127.0.0.1:{self.port}/health", self.log)

    def endpoint(self) -> EndpointConfig:
        token = identity.action_token(self.secret.encode())
        return EndpointConfig(
            f"http://127.0.0.1:{self.port}/webhook",
            token=token,
            token_name="token",  # noqa: S106 (the query parameter's name)
        )


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Installed for the test; the bodies of the calls to the action server, in order."""
    bodies: list[dict[str, Any]] = []
    request = EndpointConfig.request

    async def recording(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        bodies.append(dict(kwargs.get("json") or {}))
        return await request(self, *args, **kwargs)

    monkeypatch.setattr(EndpointConfig, "request", recording)
    monkeypatch.setattr(RemoteAction, "_action_call_format", domain_once.action_call_format)
    monkeypatch.setattr(RemoteAction, "run", domain_once.remote_run)
    monkeypatch.setattr(domain_once, "_sent", {})
    yield bodies


def tracker() -> DialogueStateTracker:
    asked = UserUttered(
        "email me",
        intent={"name": "handoff_contact", "confidence": 1.0},
        entities=[{"entity": "contact", "value": "email"}],
    )
    return DialogueStateTracker.from_events(
        "shopper-1", [ActionExecuted("action_listen"), asked], slots=DOMAIN.slots
    )


async def said(action: RemoteAction) -> list[str]:
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = await action.run(CollectingOutputChannel(), nlg, tracker(), DOMAIN)
    return [getattr(e, "text", None) or "" for e in events]


async def stock(action: RemoteAction) -> list[str]:
    """What Rasa's own call (the domain in it) gets answered."""
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = await domain_once._remote_run(
        action, CollectingOutputChannel(), nlg, tracker(), DOMAIN
    )
    return [getattr(e, "text", None) or "" for e in events]


async def test_the_domain_goes_once_and_the_answers_stay_the_same(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    server = ActionServer(tmp_path)
    with server.running():
        action = RemoteAction("action_handoff_contact", server.endpoint())
        first, second = await said(action), await said(action)
        expected = await stock(action)
    assert first == second == expected and any(expected)
    assert "domain" in sent[0] and "domain" not in sent[1]
    assert sent[0]["domain_digest"] == sent[1]["domain_digest"]
    assert len(json.dumps(sent[1])) < len(json.dumps(sent[0])) / 2


async def test_an_action_server_that_restarted_gets_the_domain_again(
    tmp_path: Path, sent: list[dict[str, Any]]
) -> None:
    server = ActionServer(tmp_path)
    action = RemoteAction("action_handoff_contact", server.endpoint())
    with server.running():
        before = await said(action)
    with server.running():  # a new process: it holds no domain
        after = await said(action)
        again = await said(action)
    assert before == after == again and any(before)
    with_domain = ["domain" in body for body in sent]
    # The first call; after the restart, one without (answered 449), then one with it.
    assert with_domain == [True, False, True, False]
