"""Meta's WhatsApp Cloud API shapes: the webhook it posts, the messages we send it.

Pure: no I/O, no logging, no Rasa, no web framework; bot/channels/whatsapp_cloud.py
imports it. A webhook body becomes `Inbound` messages (receipts, reactions and
other business numbers' messages left out); a reply becomes a text message's
parts, a reply-button message, or one template parameter, within Meta's limits.

Rasa side: the standard library and bot.channels.texting only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.texting import WHATSAPP_LIMIT, split_message

SENDER_PREFIX = "wa:+"
WEBHOOK_OBJECT = "whatsapp_business_account"
# Reply buttons: https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
MAX_REPLY_BUTTONS, MAX_BUTTON_TITLE, MAX_REPLY_ID, MAX_INTERACTIVE_BODY = 3, 20, 256, 1024
TEMPLATE_PARAMETER_LIMIT = 1024
_WA_ID = re.compile(r"[1-9][0-9]{5,14}")
_IGNORED_KINDS = frozenset({"reaction", "system"})


@dataclass(frozen=True)
class Inbound:
    """One shopper message of a webhook body: text, a payload (a tap), or another kind."""

    wa_id: str
    message_id: str
    kind: str  # "text" | "payload" | "other"
    text: str = ""
    sent_at: float | None = None


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is `sha256=` and the body's HMAC with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256=") :].strip().lower())


def parse_webhook(body: object, phone_number_id: str) -> list[Inbound]:
    """The messages of a webhook body sent to this business number; receipts left out."""
    if not isinstance(body, dict) or body.get("object") != WEBHOOK_OBJECT:
        return []
    found = []
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if not isinstance(metadata, dict) or metadata.get("phone_number_id") != phone_number_id:
                continue
            found += [m for m in map(_inbound, _dicts(value.get("messages"))) if m is not None]
    return found


def _inbound(message: Mapping[str, Any]) -> Inbound | None:
    wa_id, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not isinstance(wa_id, str) or not _WA_ID.fullmatch(wa_id) or not isinstance(message_id, str):
        return None
    if kind in _IGNORED_KINDS:
        return None
    raw_time = message.get("timestamp")
    sent_at = float(raw_time) if isinstance(raw_time, str) and raw_time.isdigit() else None
    content = message.get(kind) if isinstance(kind, str) else None
    content = content if isinstance(content, dict) else {}
    if kind == "text" and isinstance(content.get("body"), str):
        return Inbound(wa_id, message_id, "text", content["body"], sent_at)
    payload: object = None
    if kind == "interactive":
        reply = content.get(str(content.get("type")))  # button_reply or list_reply
        payload = reply.get("id") if isinstance(reply, dict) else None
    elif kind == "button":
        payload = content.get("payload") or content.get("text")
    if isinstance(payload, str) and payload:
        return Inbound(wa_id, message_id, "payload", payload, sent_at)
    return Inbound(wa_id, message_id, "other", "", sent_at)


def _dicts(items: object) -> Iterator[dict[str, Any]]:
    return (
        (item for item in items if isinstance(item, dict)) if isinstance(items, list) else iter(())
    )


def split_text(text: str) -> list[dict[str, Any]]:
    """A text message's `text` objects: parts of at most WhatsApp's limit, links not unfurled."""
    return [{"body": part, "preview_url": False} for part in split_message(text, WHATSAPP_LIMIT)]


def template_text(texts: Sequence[str]) -> str:
    """Texts as one template parameter: no newlines or runs of spaces (Meta refuses them)."""
    lines = (" ".join(line.split()) for text in texts for line in text.splitlines())
    joined = " · ".join(line for line in lines if line)
    return (
        joined
        if len(joined) <= TEMPLATE_PARAMETER_LIMIT
        else joined[: TEMPLATE_PARAMETER_LIMIT - 1] + "…"
    )


def fits_reply_buttons(text: str, buttons: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the text and buttons fit Meta's reply buttons (else a numbered list)."""
    if not (0 < len(buttons) <= MAX_REPLY_BUTTONS and 0 < len(text) <= MAX_INTERACTIVE_BODY):
        return False
    titles = [b.get("title") for b in buttons]
    payloads = [b.get("payload") for b in buttons]
    return (
        all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_BUTTON_TITLE for t in titles)
        and all(isinstance(p, str) and 0 < len(p) <= MAX_REPLY_ID for p in payloads)
        and len(set(payloads)) == len(payloads)
    )


def reply_buttons(wa_id: str, text: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An interactive message with a reply button per button; each tap returns its payload."""
    replies = [
        {"type": "reply", "reply": {"id": b["payload"], "title": b["title"].strip()}}
        for b in buttons
    ]
    return {
        "to": wa_id,
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": text}, "action": {"buttons": replies}},
    }


def wa_id_of(recipient_id: str) -> str | None:
    """The WhatsApp number (wa_id) a `wa:+<wa_id>` sender id names; None for any other id."""
    wa_id = recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else ""
    return wa_id if _WA_ID.fullmatch(wa_id) else None
