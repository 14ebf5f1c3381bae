"""Rasa's HTTP API as the agent console drives a conversation (a `ConversationControl`).

    announce   POST /conversations/{id}/trigger_intent?output_channel={channel}
               {"name": "EXTERNAL_console", "entities": {"console": "<signed token>"}}
               `action_console_event` checks the token and says, in the assistant's
               words, that a person joined (and pauses the bot: ConversationPaused),
               handed back, or closed the conversation.
    resume     POST /conversations/{id}/tracker/events
               [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
               (a paused Rasa runs no action, not even action_listen, so without it the
               tracker is not listening and the rule for EXTERNAL_console does not match)
    say        POST /conversations/{id}/tracker/events?execute_side_effects=true
                    &output_channel={channel}
               [{"event": "bot", "text": "Ana: ...", "metadata": {"agent": "ana", ...}}]
               Rasa keeps the line in the tracker and sends it through the shopper's
               channel (widget room, Twilio, WhatsApp); the metadata marks it the agent's.
    transcript GET /conversations/{id}/tracker?include_events=ALL

The token names the conversation, the ticket, the event and the person, signed with
the deployment's secret: typing `/EXTERNAL_console` pauses nobody. Every failure
(refused, timed out, a non-2xx answer) leaves this module as `MessagingUnavailable`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from bot.channels.identity import sign, verify
from bot.domain.accounts import Account
from bot.domain.errors import MessagingUnavailable
from bot.domain.tickets import ConsoleEvent, Line, Speaker, Ticket

INTENT = "EXTERNAL_console"
ENTITY = "console"
PURPOSE = "console"
EXTERNAL = "EXTERNAL: "  # how Rasa writes a triggered intent's user event
LISTEN = "action_listen"
NOTES = {"pause": "The assistant stepped aside.", "resume": "The assistant is answering again."}


def console_token(secret: bytes, ticket: Ticket, event: ConsoleEvent, agent_name: str) -> str:
    """A token that makes the assistant say `event` in the ticket's conversation."""
    payload = {
        "conversation": ticket.conversation,
        "reference": ticket.reference,
        "event": event.value,
        "agent": agent_name,
    }
    return sign(secret, PURPOSE, payload)


def read_console_token(secret: bytes, token: str, conversation: str) -> dict[str, str] | None:
    """What a valid token for this conversation says (event, reference, agent); else None."""
    payload = verify(secret, PURPOSE, token)
    if not payload or payload.get("conversation") != conversation:
        return None
    values = {key: payload.get(key) for key in ("event", "reference", "agent")}
    if not all(isinstance(value, str) for value in values.values()):
        return None
    if values["event"] not in set(ConsoleEvent):
        return None
    return {key: str(value) for key, value in values.items()}


class RasaConversations:
    """A `ConversationControl` over Rasa's HTTP API."""

    def __init__(
        self,
        rasa_url: str,
        api_token: str,
        secret: bytes,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self._url = rasa_url.rstrip("/")
        self._api_token = api_token
        self._secret = secret
        self._timeout = timeout
        self._session = session or requests.Session()

    def announce(self, ticket: Ticket, event: ConsoleEvent, agent_name: str) -> None:
        """Have the assistant tell the shopper that a person joined, handed back or closed."""
        body = {
            "name": INTENT,
            "entities": {ENTITY: console_token(self._secret, ticket, event, agent_name)},
        }
        self._call("POST", ticket, "trigger_intent", {"output_channel": ticket.channel}, body)

    def resume(self, ticket: Ticket) -> None:
        """Let the assistant answer the conversation again, listening: the pause stopped it
        right after `action_console_event`, and Rasa's rules (the hand-back's greeting
        too) read a user's intent only after `action_listen`."""
        events = [{"event": "resume"}, {"event": "action", "name": LISTEN}]
        self._call("POST", ticket, "tracker/events", {}, events)

    def say(self, ticket: Ticket, agent: Account, text: str) -> None:
        """A person's words, sent on the shopper's channel and kept as theirs."""
        event = {
            "event": "bot",
            "text": f"{agent.name}: {text}",
            "metadata": {"agent": agent.username, "agent_name": agent.name},
            "timestamp": datetime.now(UTC).timestamp(),
        }
        params = {"execute_side_effects": "true", "output_channel": ticket.channel}
        self._call("POST", ticket, "tracker/events", params, [event])

    def transcript(self, ticket: Ticket) -> list[Line]:
        """The conversation's lines, oldest first."""
        tracker = self._call("GET", ticket, "tracker", {"include_events": "ALL"}, None)
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return lines_of(events if isinstance(events, list) else [])

    def _call(
        self, method: str, ticket: Ticket, endpoint: str, params: dict[str, str], body: Any
    ) -> Any:
        # Rasa's Sanic does not percent-decode a path parameter: keep `:` and `+` as they are.
        url = f"{self._url}/conversations/{quote(ticket.conversation, safe=':+')}/{endpoint}"
        try:
            answer = self._session.request(
                method,
                url,
                params={**params, "token": self._api_token},
                json=body,
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise MessagingUnavailable(f"Rasa did not answer: {type(exc).__name__}") from None
        if not answer.ok:
            raise MessagingUnavailable(f"Rasa answered {answer.status_code}")
        try:
            return answer.json()
        except ValueError:
            raise MessagingUnavailable("Rasa's answer was not JSON") from None


def lines_of(events: list[Any]) -> list[Line]:
    """A tracker's events as transcript lines: what the shopper, the assistant and
    people said, and where the assistant stepped aside or came back."""
    lines = []
    for event in events:
        if not isinstance(event, dict):
            continue
        kind = event.get("event")
        at = _time(event.get("timestamp"))
        text = event.get("text")
        if kind == "user" and isinstance(text, str) and not text.startswith(EXTERNAL):
            lines.append(
                Line(Speaker.SHOPPER, _tapped(event) if text.startswith("/") else text, at)
            )
        elif kind == "bot" and isinstance(text, str) and text:
            metadata = event.get("metadata") or {}
            agent = metadata.get("agent_name") if isinstance(metadata, dict) else None
            if isinstance(agent, str) and agent:
                said = text.removeprefix(f"{agent}: ")  # the shopper reads "Ana: ..."
                lines.append(Line(Speaker.AGENT, said, at, agent))
            else:
                lines.append(Line(Speaker.BOT, text, at))
        elif kind in NOTES:
            lines.append(Line(Speaker.NOTE, NOTES[str(kind)], at))
    return lines


def _tapped(event: dict[str, Any]) -> str:
    """A button's payload as what the shopper did, never the payload's values."""
    parsed = event.get("parse_data") or {}
    intent = parsed.get("intent") if isinstance(parsed, dict) else None
    name = intent.get("name") if isinstance(intent, dict) else None
    return f"(tapped a button: {name})" if isinstance(name, str) else "(tapped a button)"


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None
