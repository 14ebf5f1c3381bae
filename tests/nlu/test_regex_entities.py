"""What the patterns of data/nlu/regex.yml extract, as Rasa's RegexEntityExtractor runs them.

The extractor reports every match of every pattern, with no overlap resolution
(`re.finditer(pattern, text, flags=re.IGNORECASE)` for each line of each regex
entry). The entity masker (bot/nlu/entity_masker.py) needs the training examples
annotated exactly as the patterns extract at inference; and no text may become two
entities. These tests run the patterns themselves and do not import Rasa.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest

from tests.nlu.test_heldout import ANNOTATION, HELDOUT, nlu_messages
from tests.nlu.test_regex_linear import patterns

DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"
CLAIM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # bot/domain/claims.py

Found = tuple[int, int, str]  # start, end, entity


@cache
def compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((entity, re.compile(p, flags=re.IGNORECASE)) for entity, p in patterns())


def extract(text: str) -> list[Found]:
    return sorted((m.start(), m.end(), e) for e, c in compiled() for m in c.finditer(text))


def values(text: str) -> list[tuple[str, str]]:
    return [(e, text[s:t]) for s, t, e in extract(text)]


def annotated(raw: str) -> tuple[str, list[Found]]:
    """The text of an example line and its annotations as (start, end, entity)."""
    text, spans, position = "", [], 0
    for match in ANNOTATION.finditer(raw):
        text += raw[position : match.start()]
        start = len(text)
        text += match.group("text")
        spans.append((start, len(text), match.group("name")))
        position = match.end()
    return text + raw[position:], sorted(spans)


def example_files() -> list[Path]:
    return [*sorted(DATA.glob("*.yml")), HELDOUT]


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_is_annotated_exactly_as_the_patterns_extract(path: Path) -> None:
    wrong = []
    for message in nlu_messages(path):
        text, spans = annotated(message.raw)
        if extract(text) != spans:
            wrong.append((message.intent, text, spans, extract(text)))
    assert wrong == []


def claim_references(n: int, seed: int) -> list[str]:
    """Random references as the store makes them (CL- and six of the alphabet)."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    return ["CL-" + "".join(rng.choice(CLAIM_ALPHABET) for _ in range(6)) for _ in range(n)]


def typed(reference: str) -> list[str]:
    """The ways a shopper types one reference that the pattern reads."""
    body = reference[3:]
    forms = [reference, reference.lower(), "#" + reference, "cl-" + body.lower()]
    if any(c.isdigit() for c in body):
        forms += ["CL" + body, "cl" + body.lower(), "CL " + body, "cl " + body.lower()]
    return forms


@pytest.mark.parametrize(
    "context",
    [
        "{}",
        "what happened to my claim {}?",
        "any news on claim {} please",
        "claim ref: {}",
        "({}) order WM-104233",
        "it's {}, zip 94107",
        "{}. thanks",
    ],
)
def test_a_claim_reference_is_one_claim_reference_whole(context: str) -> None:
    for reference in claim_references(300, seed=20261204):
        for form in typed(reference):
            text = context.format(form)
            found = [(e, v) for e, v in values(text) if e == "claim_reference"]
            others = [(s, t) for s, t, e in extract(text) if e != "claim_reference"]
            start = text.index(form)
            assert found == [("claim_reference", form)], text
            assert all(t <= start or s >= start + len(form) for s, t in others), values(text)


@pytest.mark.parametrize(
    "text",
    [
        "CL-7F3K9O",  # O is not in the alphabet
        "CL-7F3K90",  # nor 0
        "CL-7F3K9",  # five
        "CL-7F3K9QX",  # seven
        "clenched",  # a word: six letters after "cl", no dash
        "the clearest answer",
        "the clatters and clangers",
        "CL ABCDEF",  # letters only, typed without the dash: not read
        "cl7f3k9q@example.com",  # inside an email
        "juan.cl7f3k9q@example.com",
        "juan@mail.cl 7f3k9q",
        "a 75 cl bottle",
    ],
)
def test_what_is_not_a_claim_reference(text: str) -> None:
    assert "claim_reference" not in [e for e, _ in values(text)], values(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A postcode shape typed after "CL ": the reference, not the postcode.
        ("CL A2B3C4", [("claim_reference", "CL A2B3C4")]),
        ("cl ab23de", [("claim_reference", "cl ab23de")]),
        # A UPU item number that starts with CL stays a tracking number.
        ("CL 234567 892 US", [("tracking_number", "CL 234567 892 US")]),
        ("CL234567892US", [("tracking_number", "CL234567892US")]),
        ("CL234567 892US", [("tracking_number", "CL234567 892US")]),
        # The entities around a reference are still read, each once.
        (
            "claim CL-7F3K9Q for WM-104233, zip 94107",
            [
                ("claim_reference", "CL-7F3K9Q"),
                ("order_number", "WM-104233"),
                ("zip_code", "94107"),
            ],
        ),
        ("K1A 0B1", [("zip_code", "K1A 0B1")]),
        ("SW1A 1AA", [("zip_code", "SW1A 1AA")]),
        ("94107", [("zip_code", "94107")]),
    ],
)
def test_claim_references_beside_other_entities(text: str, expected: list[tuple[str, str]]) -> None:
    assert sorted(values(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "483920",
        "the code is 483920",
        "code: 483920",
        "code: 48 39 20",
        "483 920",
        "48-39-20",
        "my code is 083920.",
    ],
)
def test_a_six_digit_one_time_code_is_no_entity(text: str) -> None:
    """Codes mailed to the shopper: not a zip code (five digits), phone or tracking number."""
    assert values(text) == []
