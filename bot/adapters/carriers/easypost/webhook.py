"""EasyPost's webhook Events: their shape and their signature, pure.

EasyPost posts an Event (https://docs.easypost.com/docs/webhooks) whose `result` is the
Tracker for `tracker.created` and `tracker.updated`. It signs the raw body with the
webhook's secret: header `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256>`, the
secret normalized to Unicode NFKD first (as EasyPost's client libraries check it).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Mapping
from typing import TypedDict

from bot.adapters.carriers.easypost.parse import TrackerBody

SIGNATURE_HEADER = "X-Hmac-Signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})


class EventBody(TypedDict):
    """An EasyPost Event carrying a Tracker (the fields read or sent here)."""

    object: str
    id: str
    description: str
    mode: str
    result: TrackerBody
    created_at: str


def signature(secret: str, body: bytes) -> str:
    """The `X-Hmac-Signature` header value EasyPost sends with `body`."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def signed(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` with `secret`."""
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())


def tracker_of(event: object) -> Mapping[str, object] | None:
    """The Tracker a tracker Event carries, or None for any other event or shape."""
    if not isinstance(event, Mapping) or event.get("object") != "Event":
        return None
    if event.get("description") not in TRACKER_EVENTS:
        return None
    result = event.get("result")
    if not isinstance(result, Mapping) or result.get("object") != "Tracker":
        return None
    return result
