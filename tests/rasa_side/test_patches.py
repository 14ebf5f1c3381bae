"""The Rasa server's patches (bot/rasa_server/patches.py) answer exactly as Rasa does.

Each patch on its own: the warm-up, the heap freeze, the event-class lookup
cache, the action answer validator and the keep-alive sessions; and `install`
puts each in Rasa's place.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import rasa.core.run
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import patches


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The heap as it was: whatever a test froze is given back to the collector."""
    yield
    gc.unfreeze()


class FakeAgent:
    """An agent that records what it was asked to parse."""

    def __init__(self, ready: bool = True) -> None:
        self.ready = ready
        self.parsed: list[str] = []

    def is_ready(self) -> bool:
        return self.ready

    async def parse_message(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        return {"text": text}


def test_the_warm_up_texts_run_from_one_word_to_the_whole_sentence() -> None:
    texts = patches.warm_up_texts()
    assert [len(t.split()) for t in texts] == list(range(1, len(texts) + 1))
    assert len(texts) > 40
    assert any("@" in t for t in texts) and any(any(c.isdigit() for c in t) for t in texts)


async def test_a_loaded_model_is_warmed_up_then_the_heap_frozen(
    monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    agent = FakeAgent()

    async def load(*args: Any, **kwargs: Any) -> FakeAgent:
        assert (args, kwargs) == (("model.tar.gz",), {"remote_storage": None})
        return agent

    monkeypatch.setattr(patches, "_load_agent", load)
    gc.unfreeze()
    assert await patches.load_and_warm_up("model.tar.gz", remote_storage=None) is agent
    assert agent.parsed == patches.warm_up_texts() * patches.WARM_UP_ROUNDS
    assert gc.get_freeze_count() > 0


async def test_an_agent_without_a_model_is_not_warmed_up_but_the_heap_is_frozen(
    monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    agent = FakeAgent(ready=False)

    async def load(*args: Any, **kwargs: Any) -> FakeAgent:
        return agent

    monkeypatch.setattr(patches, "_load_agent", load)
    gc.unfreeze()
    assert await patches.load_and_warm_up() is agent
    assert agent.parsed == []
    assert gc.get_freeze_count() > 0


def test_freezing_the_heap_moves_every_live_object_out_of_the_collectors_sight(
    unfrozen: None,
) -> None:
    gc.unfreeze()
    kept = [[n] for n in range(10_000)]  # tracked containers, alive across the freeze
    patches.freeze_heap()
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    assert all(not any(x is obj for x in gc.get_objects()) for obj in kept[:3])
    gc.collect()
    assert gc.get_freeze_count() == frozen  # a collection leaves the frozen objects alone


def test_every_event_class_is_found_by_its_name_as_rasa_finds_it() -> None:
    names = sorted({cls.type_name for cls in all_subclasses(Event)})
    assert len(names) > 20, names
    for name in names * 2:
        assert patches.resolve_by_type(name) is Event.resolve_by_type(name), name
    # Unknown names: the default when there is one, else Rasa's error; "topic" is no event.
    assert patches.resolve_by_type("no-such-event", Event) is Event
    with pytest.raises(ValueError):
        patches.resolve_by_type("no-such-event")
    assert patches.resolve_by_type("topic") is None


def test_each_event_name_is_looked_up_in_rasa_once(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def rasas(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        asked.append(type_name)
        return Event.resolve_by_type(type_name, default)

    monkeypatch.setattr(patches, "_resolve_by_type", rasas)
    monkeypatch.setattr(patches, "_event_classes", {})
    for _ in range(3):
        assert patches.resolve_by_type("slot").type_name == "slot"  # type: ignore[union-attr]
        assert patches.resolve_by_type("no-such-event", Event) is Event
    # Found classes are remembered; a miss that took the default is asked again.
    assert asked == ["slot", "no-such-event", "no-such-event", "no-such-event"]


def test_action_answers_are_still_checked_against_rasas_schema() -> None:
    remote = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "proof", "value": "ok"}], "responses": []}
    assert patches.validate_action_result(remote, good) is True
    for bad in ({"events": [{"event": "no-such-event"}]}, {"events": "slot"}):
        with pytest.raises(jsonschema.ValidationError) as raised:
            patches.validate_action_result(remote, bad)  # type: ignore[arg-type]
        assert "Failed to validate Action server response" in raised.value.message


def _answer(*events: object) -> dict[str, object]:
    return {"events": list(events), "responses": [{"text": "hi"}]}


ANSWERS: list[object] = [
    _answer(),
    {"events": [], "responses": []},
    {"responses": []},
    _answer({"event": "slot", "name": "proof", "value": None, "timestamp": None}),
    _answer({"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0}),
    _answer({"event": "bot", "text": "hello", "data": {}}),
    _answer({"event": "active_loop", "name": None}),
    _answer({"event": "followup", "name": "action_order_status"}),
    _answer({"event": "reset_slots"}, {"event": "restart"}),
    _answer({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}),
    _answer({"event": "slot", "name": 7, "value": "x"}),
    _answer({"event": "slot", "value": "x"}),
    _answer({"event": "slot", "name": "proof", "timestamp": "now"}),
    _answer({"event": "action", "name": "x", "confidence": "high"}),
    _answer({"event": "no-such-event"}),
    _answer({"name": "proof"}),
    _answer({"event": 3}),
    _answer("slot"),
    _answer({"event": "slot", "name": "proof"}, {"event": "bot", "text": 3}),
    {"events": {"event": "slot"}},
    {"events": [], "responses": ["hi"]},
    "events",
    None,
]


def test_the_quick_check_passes_an_answer_exactly_when_rasas_whole_check_does() -> None:
    for candidate in ANSWERS:
        whole = patches._response_validator.is_valid(candidate)
        assert patches._valid_quickly(candidate) == whole, candidate
    assert sum(patches._response_validator.is_valid(a) for a in ANSWERS) >= 9


async def test_calls_to_an_endpoint_share_one_keep_alive_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    peers = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))  # type: ignore[union-attr]
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        monkeypatch.setattr(EndpointConfig, "session", patches.shared_session)
        replies = [await endpoint.request(json={"n": n}) for n in range(5)]
    finally:
        await runner.cleanup()
        connector = patches._connectors.pop(asyncio.get_running_loop(), None)
        if connector is not None:
            await connector.close()
    assert replies == [{"events": [], "responses": []}] * 5, replies
    assert len(peers) == 5 and len(set(peers)) == 1, peers


def test_install_puts_each_patch_in_rasas_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set each to what it is now, so that the monkeypatch gives it back after the test.
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    patches.install()
    assert rasa.core.run.load_agent_on_start is patches.load_and_warm_up
    assert RemoteAction._validate_action_result is patches.validate_action_result
    assert Event.resolve_by_type is patches.resolve_by_type
    assert EndpointConfig.session is patches.shared_session
