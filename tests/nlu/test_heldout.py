"""Guards of the held-out NLU test sets (tests/nlu/heldout.yml, heldout_styles.yml).

A held-out set measures how the NLU model does on messages it never saw, so each
must stay apart from the training data and from the other set, cover every intent
and entity of the NLU names (docs/nlu.md) and be annotated well enough for Rasa to
read. The second set (heldout_styles.yml) is written by another method: situations
rendered in writer styles the training data lacks (its header says how). Every
test runs on both sets. These tests read the YAML files themselves and do not
import Rasa.
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
import yaml  # type: ignore[import-untyped]  # no stubs in the app env

REPO = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).with_name("heldout.yml")
STYLES = Path(__file__).with_name("heldout_styles.yml")
DATA = REPO / "data"
DOMAIN = REPO / "domain.yml"
CONTRACT = REPO / "docs" / "nlu.md"

MIN_PER_ENTITY = 10

# `[text](entity)` or `[text]{"entity": "...", ...}`, as in Rasa's YAML format.
ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]*)\](?:\((?P<name>[^()]*)\)|(?P<json>\{[^{}]*\}))")


@dataclass(frozen=True)
class HeldOutSet:
    path: Path
    min_messages: int
    min_per_intent: int


SETS = {
    "heldout": HeldOutSet(HELDOUT, min_messages=300, min_per_intent=10),
    "heldout_styles": HeldOutSet(STYLES, min_messages=400, min_per_intent=12),
}


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
def heldout(name: str = "heldout") -> tuple[Message, ...]:
    return tuple(nlu_messages(SETS[name].path))


@pytest.fixture(params=sorted(SETS))
def held_out(request: pytest.FixtureRequest) -> str:
    """The name of a held-out set: every test that takes it runs on each."""
    name: str = request.param
    return name


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


def test_heldout_has_enough_messages(held_out: str) -> None:
    assert len(heldout(held_out)) >= SETS[held_out].min_messages


@pytest.mark.parametrize("intent", contract_names("Intents"))
def test_every_contract_intent_has_enough_messages(held_out: str, intent: str) -> None:
    count = sum(base_intent(m.intent) == intent for m in heldout(held_out))
    minimum = SETS[held_out].min_per_intent
    assert count >= minimum, f"{intent}: {count} messages in {held_out}"


@pytest.mark.parametrize("entity", contract_names("Entities"))
def test_every_contract_entity_has_enough_annotations(held_out: str, entity: str) -> None:
    count = sum(e.name == entity for m in heldout(held_out) for e in m.entities)
    assert count >= MIN_PER_ENTITY, f"{entity}: {count} annotated occurrences in {held_out}"


def test_every_heldout_intent_is_a_domain_intent(held_out: str) -> None:
    unknown = {m.intent for m in heldout(held_out)} - set(domain()["intents"])
    assert not {i for i in unknown if base_intent(i) not in domain()["intents"]}


def test_every_trained_intent_is_covered(held_out: str) -> None:
    """Every intent of the training data, each faq/<topic> on its own.

    The out_of_scope topics (docs/nlu.md) count as out_of_scope: what the sets
    measure there is that the request is seen as not ours.
    """
    trained = {
        m.intent.split("/")[0] if m.intent.startswith("out_of_scope/") else m.intent
        for path in sorted(DATA.rglob("*.yml"))
        for m in nlu_messages(path)
    }
    assert trained - {m.intent for m in heldout(held_out)} == set()


def test_no_heldout_message_occurs_in_training_data(held_out: str) -> None:
    leaked = {
        m.text: str(training_texts()[normalise(m.text)].relative_to(REPO))
        for m in heldout(held_out)
        if normalise(m.text) in training_texts()
    }
    assert leaked == {}


def test_no_heldout_message_occurs_in_the_other_set(held_out: str) -> None:
    others = {normalise(m.text): name for name in SETS if name != held_out for m in heldout(name)}
    shared = {
        m.text: others[normalise(m.text)] for m in heldout(held_out) if normalise(m.text) in others
    }
    assert shared == {}


def test_no_heldout_message_occurs_twice(held_out: str) -> None:
    counts = Counter(normalise(m.text) for m in heldout(held_out))
    assert [text for text, n in counts.items() if n > 1] == []


def test_no_heldout_message_is_empty(held_out: str) -> None:
    assert [m.intent for m in heldout(held_out) if not normalise(m.text)] == []


def test_every_annotation_names_a_known_entity(held_out: str) -> None:
    known = set(contract_names("Entities")) | set(domain()["entities"])
    bad = [e.source for m in heldout(held_out) for e in m.entities if e.name not in known]
    assert bad == []


def test_every_annotation_is_well_formed(held_out: str) -> None:
    """No stray brackets, and each span is exactly the entity: no padding or punctuation."""
    stray = [m.raw for m in heldout(held_out) if re.search(r"[\[\]]", ANNOTATION.sub("", m.raw))]
    padded = [
        e.source
        for m in heldout(held_out)
        for e in m.entities
        if not e.text or e.text != e.text.strip() or e.text[-1] in ".,;:!?" or e.text[0] in ".,;:!?"
    ]
    assert (stray, padded) == ([], [])
