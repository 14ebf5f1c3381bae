"""What a shopper's free-text answer to a question of the assistant says (pure).

The request form asks for a remedy, a one-time code or a yes; shoppers answer in
their own words ("just send me a new one", "the code is 483 920"), so the words
are read here, not only the intent the NLU gave the message.
"""

from __future__ import annotations

import re

from bot.domain.store_policy import Offer

# Six digits standing alone, a space or dash allowed between any two ("48 39 20"); not
# part of a longer number ("415 555 0134") or of an order number ("WM-104233").
_CODE = re.compile(r"(?<![\w-])(?<!\d[ -])(\d(?:[ -]?\d){5})(?![\w-])(?![ -]\d)")
_NEW_CODE = re.compile(
    r"\b(new code|another code|resend|re-send|send (?:it )?again|didn'?t get|no code|"
    r"not received|never got)\b"
)
_RESHIP = re.compile(
    r"\b(re-?ship|replace|replacement|new one|another one|send (?:it|one|me one) again|"
    r"resend it|send (?:me )?another|exchange)\b"
)
_REFUND = re.compile(r"\b(refund|money back|reimburse|my money)\b")


def one_time_code(text: str) -> str | None:
    """The six digits of a one-time code in the text ("483920", "483 920", "48 39 20")."""
    found = _CODE.search(text)
    return re.sub(r"[ -]", "", found.group(1)) if found else None


def wants_new_code(text: str) -> bool:
    """Whether the shopper asks for the code again."""
    return bool(_NEW_CODE.search(text.lower()))


def chosen_remedy(text: str) -> Offer | None:
    """The remedy the text picks; None when it names neither or both."""
    lowered = text.lower()
    reship, refund = bool(_RESHIP.search(lowered)), bool(_REFUND.search(lowered))
    if reship == refund:
        return None
    return Offer.RESHIP if reship else Offer.REFUND
