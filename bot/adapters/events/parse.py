"""Rasa's event JSON (`Event.as_dict()` plus `sender_id`) into a `ConversationEvent`. Pure.

Rasa's JSON never travels past this module. What is dropped here: the metadata (but
the agent of a console line and the response a bot line came from), the values of
withheld entities, slot values other than orders, a bot line's buttons and payloads.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.conversations import (
    ORDER_ENTITY,
    ORDER_SLOTS,
    WITHHELD_ENTITIES,
    ConversationEvent,
    Entity,
)

KIND_CHARS = 32
NAME_CHARS = 128
# A console line (bot/adapters/rasa_conversations.py) names its agent in the metadata.
AGENT_KEYS = ("agent", "agent_name")


class Unreadable(ValueError):
    """A broker row that is not a Rasa event (it is skipped, and logged by the caller)."""


def parse_event(number: int, sender_id: object, data: object) -> ConversationEvent:
    """The event of one broker row; `Unreadable` when it is not one."""
    try:
        event = json.loads(data) if isinstance(data, str | bytes) else None
    except ValueError:
        raise Unreadable(f"event {number} is not JSON") from None
    if not isinstance(event, dict):
        raise Unreadable(f"event {number} is not an object")
    conversation = _text(sender_id) or _text(event.get("sender_id"))
    kind = _text(event.get("event"))
    timestamp = event.get("timestamp")
    if not conversation or not kind or not isinstance(timestamp, int | float):
        raise Unreadable(f"event {number} lacks its conversation, type or time")
    parsed = ConversationEvent(
        number=number,
        conversation=conversation,
        kind=kind[:KIND_CHARS],
        at=datetime.fromtimestamp(timestamp, UTC),
    )
    reader = _READERS.get(kind)
    return reader(parsed, event) if reader else parsed


def _user(parsed: ConversationEvent, event: dict[str, Any]) -> ConversationEvent:
    parse_data = _dict(event.get("parse_data"))
    intent = _dict(parse_data.get("intent"))
    confidence = intent.get("confidence")
    entities = tuple(_entity(e) for e in parse_data.get("entities") or () if isinstance(e, dict))
    return replace(
        parsed,
        intent=_name(intent.get("name")),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        text=_text(event.get("text")),
        entities=tuple(e for e in entities if e.name),
        input_channel=_name(event.get("input_channel")),
        orders=tuple(e.value for e in entities if e.name == ORDER_ENTITY and e.value),
    )


def _entity(entity: dict[str, Any]) -> Entity:
    name = _text(entity.get("entity")) or ""
    value = entity.get("value")
    shown = None if name in WITHHELD_ENTITIES or value is None else str(value)
    return Entity(name[:NAME_CHARS], shown)


def _bot(parsed: ConversationEvent, event: dict[str, Any]) -> ConversationEvent:
    metadata = _dict(event.get("metadata"))
    details = {key: metadata[key] for key in AGENT_KEYS if isinstance(metadata.get(key), str)}
    return replace(
        parsed,
        text=_text(event.get("text")),
        action=_name(metadata.get("utter_action")),
        details=details,
    )


def _action(parsed: ConversationEvent, event: dict[str, Any]) -> ConversationEvent:
    confidence = event.get("confidence")
    return replace(
        parsed,
        action=_name(event.get("name")),
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
    )


def _slot(parsed: ConversationEvent, event: dict[str, Any]) -> ConversationEvent:
    name, value = _name(event.get("name")), event.get("value")
    if name is None:
        return parsed
    if name in ORDER_SLOTS and isinstance(value, str) and value:
        return replace(parsed, details={"slot": name, "value": value}, orders=(value,))
    return replace(parsed, details={"slot": name})


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _name(value: object) -> str | None:
    text = _text(value)
    return text[:NAME_CHARS] if text else None


_READERS = {"user": _user, "bot": _bot, "action": _action, "slot": _slot}
