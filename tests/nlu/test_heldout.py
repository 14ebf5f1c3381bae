"""Guards of the held-out NLU test set (tests/nlu/heldout.yml).

The held-out set measures how the NLU model does on messages it never saw, so it
must stay apart from the training data, cover every intent and entity of the NLU
names (docs/nlu.md) and be annotated well enough for Rasa to
read. These tests read the YAML files themselves and do not import Rasa.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).with_name("heldout.yml")
DATA = REPO / "data"
DOMAIN = REPO / "domain.yml"
CONTRACT = REPO / "docs" / "nlu.md"

MIN_MESSAGES = 300
MIN_PER_INTENT = 10
MIN_PER_ENTITY = 10

# `[text](entity)` or `[text]{"entity": "...", ...}`, as in Rasa's YAML format.
ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]*)\](?:\((?P<name>[^()]*)\)|(?P<json>\{[^{}]*\}))")


@dataclass(frozen=True)
class Entity:
    text: str
    name: str | None
    source: str  # the annotation as written


@dataclass(frozen=True)
class Message:
    intent: str
    raw: str  # the example line without its "- " prefix

    @property
    def text(self) -> str:
        """The message as the shopper typed it, annotations reduced to their text."""
        return ANNOTATION.sub(lambda m: m.group("text"), self.raw)

    @property
    def entities(self) -> list[Entity]:
        return [_entity(m) for m in ANNOTATION.finditer(self.raw)]


def _entity(match: re.Match[str]) -> Entity:
    if match.group("json") is None:
        return Entity(match.group("text"), match.group("name"), match.group(0))
    try:
        name = json.loads(match.group("json")).get("entity")
    except (json.JSONDecodeError, AttributeError):
        name = None
    return Entity(match.group("text"), name, match.group(0))


def normalise(text: str) -> str:
    """Lower case, whitespace collapsed, trailing punctuation removed."""
    collapsed = " ".join(text.lower().split())
    return collapsed.rstrip(string.punctuation + string.whitespace)


def parse_examples(block: str) -> Iterator[str]:
    """The lines of an `examples: |` block, without their "- " prefix."""
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            yield line[2:].strip()
        elif line == "-":
            yield ""


def nlu_messages(path: Path) -> list[Message]:
    """The intent examples of one Rasa NLU YAML file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Message(item["intent"], raw)
        for item in document.get("nlu") or []
        if isinstance(item, dict) and "intent" in item
        for raw in parse_examples(item.get("examples") or "")
    ]


def _user_texts(node: object) -> Iterator[str]:
    """Every examples line and end-to-end `user:` message anywhere in a training file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, str):
                yield from parse_examples(value)
            elif key == "user" and isinstance(value, str):
                yield value
            else:
                yield from _user_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _user_texts(value)


@cache
def heldout() -> tuple[Message, ...]:
    return tuple(nlu_messages(HELDOUT))


@cache
def training_texts() -> dict[str, Path]:
    """Normalised text of every message under data/, with the file it is in."""
    texts: dict[str, Path] = {}
    for path in sorted(DATA.rglob("*")):
        if path.suffix not in {".yml", ".yaml"}:
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in _user_texts(document):
            texts.setdefault(normalise(Message("", raw).text), path)
    return texts


@cache
def contract_names(section: str) -> tuple[str, ...]:
    """The names in the first column of a table of the NLU contract ("Intents", "Entities")."""
    if not CONTRACT.is_file():
        pytest.fail(f"NLU names not found at {CONTRACT}")
    names: list[str] = []
    current = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            current = line.lstrip("#").strip().lower()
        elif current == section.lower() and line.startswith("| `"):
            names.append(line.split("|")[1].strip().strip("`"))
    assert names, f"no rows in the {section} table of {CONTRACT}"
    return tuple(names)


@cache
def domain() -> dict[str, list[str]]:
    document = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    return {
        "intents": [next(iter(i)) if isinstance(i, dict) else i for i in document["intents"]],
        "entities": [next(iter(e)) if isinstance(e, dict) else e for e in document["entities"]],
    }


def base_intent(intent: str) -> str:
    """`faq/returns` -> `faq`: a retrieval intent counts for its base intent."""
    return intent.split("/", 1)[0]


def test_parser_reads_both_annotation_forms() -> None:
    message = Message(
        "inform", 'order [WM-104233](order_number) to [SW1A 1AA]{"entity": "zip_code"}'
    )
    assert message.text == "order WM-104233 to SW1A 1AA"
    assert [(e.text, e.name) for e in message.entities] == [
        ("WM-104233", "order_number"),
        ("SW1A 1AA", "zip_code"),
    ]
    assert normalise("  Where IS\tmy   Order?? ") == "where is my order"


def test_heldout_has_enough_messages() -> None:
    assert len(heldout()) >= MIN_MESSAGES


@pytest.mark.parametrize("intent", contract_names("Intents"))
def test_every_contract_intent_has_enough_messages(intent: str) -> None:
    count = sum(base_intent(m.intent) == intent for m in heldout())
    assert count >= MIN_PER_INTENT, f"{intent}: {count} held-out messages"


@pytest.mark.parametrize("entity", contract_names("Entities"))
def test_every_contract_entity_has_enough_annotations(entity: str) -> None:
    count = sum(e.name == entity for m in heldout() for e in m.entities)
    assert count >= MIN_PER_ENTITY, f"{entity}: {count} annotated occurrences"


def test_every_heldout_intent_is_a_domain_intent() -> None:
    unknown = {m.intent for m in heldout()} - set(domain()["intents"])
    assert not {i for i in unknown if base_intent(i) not in domain()["intents"]}


def test_every_trained_faq_topic_is_covered() -> None:
    trained = {
        m.intent
        for path in sorted(DATA.rglob("*.yml"))
        for m in nlu_messages(path)
        if m.intent.startswith("faq/")
    }
    assert trained - {m.intent for m in heldout()} == set()


def test_no_heldout_message_occurs_in_training_data() -> None:
    leaked = {
        m.text: str(training_texts()[normalise(m.text)].relative_to(REPO))
        for m in heldout()
        if normalise(m.text) in training_texts()
    }
    assert leaked == {}


def test_no_heldout_message_occurs_twice() -> None:
    counts = Counter(normalise(m.text) for m in heldout())
    assert [text for text, n in counts.items() if n > 1] == []


def test_no_heldout_message_is_empty() -> None:
    assert [m.intent for m in heldout() if not normalise(m.text)] == []


def test_every_annotation_names_a_known_entity() -> None:
    known = set(contract_names("Entities")) | set(domain()["entities"])
    bad = [e.source for m in heldout() for e in m.entities if e.name not in known]
    assert bad == []


def test_every_annotation_is_well_formed() -> None:
    """No stray brackets, and each span is exactly the entity: no padding or punctuation."""
    stray = [m.raw for m in heldout() if re.search(r"[\[\]]", ANNOTATION.sub("", m.raw))]
    padded = [
        e.source
        for m in heldout()
        for e in m.entities
        if not e.text or e.text != e.text.strip() or e.text[-1] in ".,;:!?" or e.text[0] in ".,;:!?"
    ]
    assert (stray, padded) == ([], [])
