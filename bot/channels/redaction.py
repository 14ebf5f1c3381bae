"""No personal data in logs: emails, phones, postcodes and street lines masked, sender ids hashed.

`install()` puts a log record factory in front of whatever logging does next
(Rasa's structlog renders through the standard `logging` too): each record's
message is formatted at once (msg % args), masked, and its arguments dropped;
an exception is formatted at once into `exc_text`, masked. So no handler,
formatter or `repr` of an argument sees the clear text. Warnings go through
logging as well.

Besides what `redact` masks, log lines that name a conversation (Rasa's
"sender 'x'", "conversation ID 'x'", structlog's `sender_id=x`, JSON's
"sender_id": "x") show `identity.hash_id` of it, and a `token=` query
parameter (the action server's secret, in a URL) is hidden.

Every pattern here can start only at a boundary and has no nested unbounded
repetition, so masking a long line costs time in proportion to its length.

Both Python environments import this module: the standard library only.
"""

from __future__ import annotations

import logging
import re

from bot.channels.identity import hash_id

# A local part may hold an apostrophe (o'neil@...), but does not start with one.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?<![A-Za-z0-9._%+-]')"
    r"[A-Za-z0-9._%+-][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
# E.164 (+14155550134, +1 415 555 0134, +44 (0)20 7946 0958) and North American
# numbers written in groups: (415) 555-0134, 415-555-0134, 1-800-555-0199, 415.555.0134.
_PHONE = re.compile(
    r"(?<![\w+])\+\d(?:[ .()-]{0,2}\d){6,14}(?!\d)"
    r"|(?<![\w+(])(?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|[.,]\d)"
)
_POSTCODE = re.compile(
    # US ZIP and ZIP+4; not a port (:5005), a decimal, a price, a time or part of an id.
    r"(?<![\w.,:/\[#$-])\d{5}(?:-\d{4})?(?![\w-]|[.,:/]\d|\s*(?:ms|s|objects|bytes)\b)"
    # UK: SW1A 1AA, M15 4AB, ec1a1bb.
    r"|(?<![\w-])(?i:[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?![\w-])"
    # Canada: K1A 0B1, M5J 0B8, v6b-1g3.
    r"|(?<![\w-])(?i:[ABCEGHJ-NPRSTVXY]\d[A-Z][ -]?\d[A-Z]\d)(?![\w-])"
)
_SUFFIXES = (
    "St|Street|Ave|Avenue|Av|Rd|Road|Blvd|Boulevard|Ln|Lane|Dr|Drive|Ct|Court|Pl|Place"
    "|Ter|Terrace|Pkwy|Parkway|Hwy|Highway|Cir|Circle|Cres|Crescent|Sq|Square|Trl|Trail"
    "|Quay|Close|Row|Walk|Plaza|Broadway|Alley|Loop|Pike"
)
# A house number, up to four words, a street suffix ("Way" only capitalised: "on
# the way" is not an address), and a direction; or a grid address: 480 E 900 S.
_STREET = re.compile(
    r"(?<![\w.,:/#$-])\d{1,6}[A-Za-z]?(?:\s+[A-Za-z0-9.'-]+){0,4}?"
    rf"\s+(?:(?i:{_SUFFIXES})|Way)\b\.?(?:\s+(?i:[NS][EW]?|[EW])\b)?"
    r"|(?<![\w.,:/#$-])\d{1,6}\s+(?i:[NSEW])\s+\d{1,6}\s+(?i:[NSEW])\b"
)
_SENDER = re.compile(
    r"""(\b(?:sender(?:[ _]id)?|conversation(?:[ _](?i:id))?|recipient_id)"""
    r"""(?:['"]?\s*[:=]\s*['"]?|\s+['"]))([^\s'",}]{1,256})"""
)
_TOKEN = re.compile(r"(\btoken=)[^&\s'\"]+")

MASKS = (
    (_EMAIL, "<email>"),
    (_STREET, "<street>"),
    (_PHONE, "<phone>"),
    (_POSTCODE, "<postcode>"),
)


def redact(text: str) -> str:
    """The text with emails, phone numbers, postcodes and street lines masked."""
    for pattern, mask in MASKS:
        text = pattern.sub(mask, text)
    return text


def redact_log_line(text: str) -> str:
    """`redact`, plus conversation ids hashed and tokens hidden, as logs show them."""
    text = _SENDER.sub(lambda m: m.group(1) + hash_id(m.group(2)), text)
    return redact(_TOKEN.sub(r"\1<hidden>", text))


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what logging would have printed
        message = f"{record.msg!r} {record.args!r}"
    record.msg = redact_log_line(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact_log_line(record.exc_text)
    record.exc_info = None  # formatted above: no handler formats it again in clear
    if record.stack_info:
        record.stack_info = redact_log_line(record.stack_info)
    return record


def install() -> None:
    """Mask personal data in every log record created from now on; route warnings to logs."""
    current = logging.getLogRecordFactory()
    if getattr(current, "wismo_redacting", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return _redacted(current(*args, **kwargs))

    factory.wismo_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
