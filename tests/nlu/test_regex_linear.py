"""Every pattern of data/nlu/regex.yml runs in time linear in the message.

Rasa's RegexEntityExtractor runs each pattern with Python's backtracking `re`
(`re.finditer(pattern, text, flags=re.IGNORECASE)` unless the extractor is
case sensitive, which ours is not). A pattern that can restart at every
character of a long run and rescan the run each time is quadratic: the email
pattern once took 4.7 s on 20 KB of "a'a'a'...", minutes on 100 KB. Here each
pattern meets 100 KB of hostile text and must be done in well under that.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest
import yaml

REGEX_FILE = Path(__file__).resolve().parents[2] / "data" / "nlu" / "regex.yml"
SIZE = 100_000
BOUND_SECONDS = 1.0
REPEATED = [
    "a'",
    "a.",
    "a-",
    "a+",
    "a",
    "1 ",
    "1",
    "1-",
    "1.",
    "1Z ",
    "1z1 ",
    "A1 ",
    "a@a.",
    "a'a@",
    "WM-",
    "CL-",
    "cl ",
    "cl2",
    "#CL2 ",
    "+1 ",
    "(1) ",
    "12345 a ",
    "1 a. ",
    "  ",
]
ALPHABETS = [
    "a1' .@-",
    "1 -.",
    "aZ1 -",
    "1+() .-",
    "a@.-1",
    "az' .",
    "12345 ab.'",
    "cl2 -#.@",
]


def patterns(path: Path = REGEX_FILE) -> list[tuple[str, str]]:
    """(entity, pattern) for every line of every regex entry, as Rasa reads them."""
    document = yaml.safe_load(path.read_text())
    found = []
    for entry in document["nlu"]:
        if "regex" not in entry:
            continue
        for line in entry["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.append((entry["regex"], line[2:]))
    return found


def hostile_texts() -> dict[str, str]:
    """100 KB each: short units repeated, and random mixes of the patterns' characters."""
    texts = {f"{unit!r} repeated": (unit * (SIZE // len(unit) + 1))[:SIZE] for unit in REPEATED}
    rng = random.Random(20261204)  # noqa: S311 (test text, not secrets)
    for alphabet in ALPHABETS:
        texts[f"mix of {alphabet!r}"] = "".join(rng.choice(alphabet) for _ in range(SIZE))
    return texts


def slowest(pattern: str, texts: dict[str, str]) -> tuple[float, str]:
    compiled = re.compile(pattern, flags=re.IGNORECASE)
    worst = (0.0, "")
    for name, text in texts.items():
        started = time.perf_counter()
        for _ in compiled.finditer(text):
            pass
        elapsed = time.perf_counter() - started
        if elapsed > worst[0]:
            worst = (elapsed, name)
        if elapsed > BOUND_SECONDS:
            break
    return worst


PATTERNS = patterns()


def test_the_patterns_are_read() -> None:
    entities = {entity for entity, _ in PATTERNS}
    assert {
        "order_number",
        "email",
        "tracking_number",
        "zip_code",
        "phone_number",
        "claim_reference",
    } <= entities
    assert len(PATTERNS) >= 11


@pytest.mark.parametrize(
    ("entity", "pattern"), PATTERNS, ids=[f"{i}-{e}" for i, (e, _) in enumerate(PATTERNS)]
)
def test_each_pattern_takes_linear_time_on_hostile_text(entity: str, pattern: str) -> None:
    seconds, text = slowest(pattern, hostile_texts())
    assert seconds < BOUND_SECONDS, f"{entity} took {seconds:.2f} s on 100 KB of {text}"


def test_the_check_catches_a_quadratic_pattern() -> None:
    """The email pattern as it was: every "a" after a "'" was a new start.

    Even a fifth of the size takes it past the bound (100 KB would take minutes).
    """
    old_email = (
        r"(?<![\w.%+-])[A-Za-z0-9._%+-]+(?:'[A-Za-z0-9._%+-]+)*"
        r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
    )
    seconds, text = slowest(old_email, {"'a\\'' repeated": "a'" * (SIZE // 10)})
    assert seconds > BOUND_SECONDS, f"the old email pattern took only {seconds:.2f} s"
