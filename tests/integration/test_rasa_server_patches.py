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
