"""The NPS survey: when a shopper may be asked, how an answer is read, and the score.

The question ("how likely are you to recommend us, 0 to 10?") is asked at the end of a
conversation the bot resolved on its own: it answered about an order, and no person
was offered or handed the conversation. A shopper is asked at most once in
`ASK_EVERY`, whatever the channel or conversation. The net promoter score of a set of
answers is the share of promoters (9-10) minus the share of detractors (0-6), in percent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

ASK_EVERY = timedelta(days=7)
LOWEST, HIGHEST = 0, 10
PROMOTER_FROM = 9  # 9 and 10
DETRACTOR_UP_TO = 6  # 0 to 6; 7 and 8 are passives
REASON_MAX_CHARS = 1000  # what is kept of a reason; the rest is cut

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# Answers that say "no survey" (to the score) or "no reason" (to the reason), as typed
# (lower case, marks dropped). Words, not intents: a short reason may read as a goodbye.
DECLINES = frozenset(
    {
        "no",
        "nope",
        "nah",
        "no thanks",
        "no thank you",
        "no thx",
        "not now",
        "skip",
        "skip it",
        "pass",
        "rather not",
        "id rather not",
        "i would rather not",
        "no comment",
        "none",
        "nothing",
        "no reason",
        "na",
        "n a",
        "bye",
        "ok bye",
        "goodbye",
        "bye bye",
    }
)
MAX_SCORE_WORDS = 8  # "I'd give it a 9 out of 10" reads; a paragraph is not a score
_OUT_OF_TEN = re.compile(r"\s*(?:/|\bout of\b|\bof\b)\s*10\b")
_TOKEN = re.compile(r"-?\d+(?:[.,]\d+)?|[a-z]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Survey:
    """One time a shopper was asked, and what they answered (nothing yet: None)."""

    shopper: str  # a keyed digest: the order's email when proven, else the channel's client
    channel: str
    conversation: str
    order_number: str | None
    asked_at: datetime
    score: int | None = None
    reason: str | None = None  # as typed: the lead pages mask it when they show it
    answered_at: datetime | None = None
    id: int | None = None


def may_ask(
    *, resolved: bool, person_involved: bool, last_asked: datetime | None, now: datetime
) -> bool:
    """Whether the survey may be asked: the bot resolved the conversation by itself, and
    the shopper was not asked within `ASK_EVERY`."""
    if not resolved or person_involved:
        return False
    return last_asked is None or now - last_asked >= ASK_EVERY


def read_score(text: str) -> int | None:
    """The score 0-10 a short answer gives ("8", "8/10", "eight", "a 9 out of 10"), or
    None: no number, more than one, out of range, or not a whole number."""
    lowered = _OUT_OF_TEN.sub(" ", text.strip().lower())
    tokens = _TOKEN.findall(lowered)
    if not tokens or len(tokens) > MAX_SCORE_WORDS:
        return None
    numbers = [t for t in tokens if t in NUMBER_WORDS or not t.isalpha()]
    if len(numbers) != 1:
        return None
    found = numbers[0]
    if found in NUMBER_WORDS:
        return NUMBER_WORDS[found]
    if not found.isdigit():
        return None
    value = int(found)
    return value if LOWEST <= value <= HIGHEST else None


def declines(text: str) -> bool:
    """Whether an answer says no ("no", "no thanks", "skip"), whatever its case or marks."""
    return _NOT_WORD.sub(" ", text.lower().replace("'", "")).strip() in DECLINES


def read_reason(text: str) -> str | None:
    """The reason as typed (cut to `REASON_MAX_CHARS`), or None when the shopper gave none."""
    reason = text.strip()
    if not reason or declines(reason):
        return None
    return reason[:REASON_MAX_CHARS]


def net_promoter_score(scores: Iterable[int]) -> float | None:
    """Promoters minus detractors, in percent of all answers (-100 to 100); None for none."""
    answers = list(scores)
    if not answers:
        return None
    promoters = sum(1 for s in answers if s >= PROMOTER_FROM)
    detractors = sum(1 for s in answers if s <= DETRACTOR_UP_TO)
    return round(100 * (promoters - detractors) / len(answers), 1)
