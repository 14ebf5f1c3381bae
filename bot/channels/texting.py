"""Plain text for phone channels (SMS, WhatsApp): long replies, buttons, carrier keywords.

A phone shows no buttons and cuts long messages, so a reply goes out as parts
cut at sentence ends, and buttons as a numbered list the shopper answers with
a number or the button's title. Payloads (`/intent{...}`) are never shown.
Carriers act on a few keywords sent as a whole message (STOP, START, HELP:
Twilio's lists); old GSM phones send `¡` for `@`, which breaks email addresses.

Both Python environments import this module: the standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

SMS_LIMIT = 320  # characters per SMS message we send (2 segments)
WHATSAPP_LIMIT = 4096  # WhatsApp's text body limit

# Twilio's default opt-out, opt-in and help keywords:
# "Twilio support for opt-out keywords (SMS STOP filtering)",
# https://help.twilio.com/articles/223134027
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

REPLY_HINT = "Reply with a number."

# The end of a sentence: its punctuation (and closing quotes or brackets) before a space,
# or the end of a line.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|(?=\n)")
_NUMBER_REPLY = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")
_OLD_PHONE_EMAIL = re.compile(
    r"(?<![\w.%+-])([\w.%+-]+)¡([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w-])"
)
_TRAILING_PUNCTUATION = ".!?,;:"


def split_message(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` chars, cut at sentence ends (then at spaces, then hard)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`): a late sentence end, else a space, else hard."""
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if 0 < m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return ends[-1]
    spaces = [i for i, char in enumerate(window) if char.isspace() and 0 < i <= limit]
    if spaces:
        return spaces[-1]
    return limit


def numbered_buttons(text: str, buttons: Sequence[Mapping[str, Any]]) -> str:
    """`text`, then `1. Title` per button, then 'Reply with a number.'; payloads never shown."""
    if not buttons:
        return text
    lines = [text] if text else []
    lines += [f"{n}. {_title(button, n)}" for n, button in enumerate(buttons, start=1)]
    lines.append(REPLY_HINT)
    return "\n".join(lines)


def _title(button: Mapping[str, Any], number: int) -> str:
    title = button.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else f"Option {number}"


def pick_button(reply: str, buttons: Sequence[Mapping[str, Any]]) -> str | None:
    """The payload of the button a reply names: its number ("1", "1.", " 2 ") or its title
    (case- and space-insensitive), else None."""
    number = _NUMBER_REPLY.fullmatch(reply)
    if number:
        index = int(number.group(1)) - 1
        return _payload(buttons[index]) if 0 <= index < len(buttons) else None
    wanted = _folded(reply)
    if not wanted:
        return None
    for n, button in enumerate(buttons, start=1):
        if _folded(_title(button, n)) == wanted:
            return _payload(button)
    return None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _payload(button: Mapping[str, Any]) -> str:
    payload = button.get("payload")
    return payload if isinstance(payload, str) and payload else str(button.get("title", ""))


def keyword_of(text: str) -> str | None:
    """The carrier keyword a whole message is: "stop", "start", "help", or None."""
    word = text.strip().rstrip(_TRAILING_PUNCTUATION + " ").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def read_old_phone_text(text: str) -> str:
    """The text with `¡` read as `@` where it makes an email address ("ann¡example.com")."""
    return _OLD_PHONE_EMAIL.sub(r"\1@\2", text)
