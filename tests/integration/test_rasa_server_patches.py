"""The Rasa server's shortcuts (bot/channels/server.py) answer exactly as Rasa does.

They run inside the Rasa environment (Python 3.10), so the checks run there too.
"""

from __future__ import annotations

import subprocess
import textwrap

from bot.bench.stack import RASA, ROOT

CHECKS = textwrap.dedent(
    """
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from bot.channels import server

    # Every event class Rasa knows is found by its name, the same one Rasa finds, every time.
    names = sorted({cls.type_name for cls in all_subclasses(Event)})
    assert len(names) > 20, names
    for name in names * 2:
        assert server.resolve_by_type(name) is Event.resolve_by_type(name), name
    # Unknown names: the default when there is one, else Rasa's error; "topic" is no event.
    assert server.resolve_by_type("no-such-event", Event) is Event
    try:
        server.resolve_by_type("no-such-event")
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown event name was accepted")
    assert server.resolve_by_type("topic") is None

    # The action server's answers are still checked against Rasa's schema.
    remote = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "proof", "value": "ok"}], "responses": []}
    assert server.validate_action_result(remote, good) is True
    for bad in ({"events": [{"event": "no-such-event"}]}, {"events": "slot"}):
        try:
            server.validate_action_result(remote, bad)
        except jsonschema.ValidationError as error:
            assert "Failed to validate Action server response" in error.message
        else:
            raise AssertionError(f"accepted {bad}")

    # The quick check passes an answer exactly when Rasa's whole check does.
    def answer(*events):
        return {"events": list(events), "responses": [{"text": "hi"}]}

    answers = [
        answer(),
        {"events": [], "responses": []},
        {"responses": []},
        answer({"event": "slot", "name": "proof", "value": None, "timestamp": None}),
        answer({"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0}),
        answer({"event": "bot", "text": "hello", "data": {}}),
        answer({"event": "active_loop", "name": None}),
        answer({"event": "followup", "name": "action_order_status"}),
        answer({"event": "reset_slots"}, {"event": "restart"}),
        answer({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}),
        answer({"event": "slot", "name": 7, "value": "x"}),
        answer({"event": "slot", "value": "x"}),
        answer({"event": "slot", "name": "proof", "timestamp": "now"}),
        answer({"event": "action", "name": "x", "confidence": "high"}),
        answer({"event": "no-such-event"}),
        answer({"name": "proof"}),
        answer({"event": 3}),
        answer("slot"),
        answer({"event": "slot", "name": "proof"}, {"event": "bot", "text": 3}),
        {"events": {"event": "slot"}},
        {"events": [], "responses": ["hi"]},
        "events",
        None,
    ]
    for candidate in answers:
        whole = server._response_validator.is_valid(candidate)
        assert server._valid_quickly(candidate) == whole, candidate
    assert sum(server._response_validator.is_valid(a) for a in answers) >= 9

    # Calls to an endpoint share one keep-alive connection instead of opening one each.
    import asyncio
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    async def calls():
        peers = []

        async def webhook(request):
            peers.append(request.transport.get_extra_info("peername"))
            return web.json_response({"events": [], "responses": []})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        EndpointConfig.session = server.shared_session
        answers = [await endpoint.request(json={"n": n}) for n in range(5)]
        await runner.cleanup()
        return answers, peers

    replies, peers = asyncio.run(calls())
    assert replies == [{"events": [], "responses": []}] * 5, replies
    assert len(peers) == 5 and len(set(peers)) == 1, peers
    print("checked", len(names), "event names")
    """
)


def test_events_are_read_and_action_answers_checked_exactly_as_rasa_does() -> None:
    done = subprocess.run(
        [str(RASA.parent / "python"), "-c", CHECKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked" in done.stdout
