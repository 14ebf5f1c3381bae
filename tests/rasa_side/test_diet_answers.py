"""DIET's answer reused for features it has read (bot/rasa_server/patches.py), on the
trained model: the same intents and rankings as stock Rasa gives, message for message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

from bot.rasa_server import patches

MODEL = Path(__file__).resolve().parents[2] / "models" / "wismo.tar.gz"
TEXTS = [
    "where is my order WM-104260",
    "jane@example.com",
    "where is my order WM-777777",  # the same features as the first: a kind, not a value
    "yes",
    "thanks!",
    "jane@example.com",
    "I'd like to be reimbursed for the broken mug",
    "yes",
    "asdf qwerty",  # unread: the fallback puts its own entry at the top of the ranking
    "asdf qwerty",
    "where is my order WM-104260",
]


def reading(parsed: dict[str, Any]) -> tuple[str, list[tuple[str, float]]]:
    ranking = [(r["name"], round(r["confidence"], 6)) for r in parsed["intent_ranking"]]
    return parsed["intent"]["name"], ranking


@pytest.fixture(scope="module")
def stock() -> Agent:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    return Agent.load(str(MODEL))


async def test_reused_answers_are_the_answers_stock_rasa_gives(
    stock: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [reading(await stock.parse_message(text)) for text in TEXTS]
    calls = []
    original = patches._diet_process

    def counted(self: DIETClassifier, messages: list[Any]) -> list[Any]:
        calls.append([m.get("text") for m in messages])
        return original(self, messages)

    monkeypatch.setattr(patches, "_diet_process", counted)
    monkeypatch.setattr(DIETClassifier, "process", patches.diet_process)
    agent = Agent.load(str(MODEL))  # Rasa's graph takes `process` when it loads
    reused = []
    for text in TEXTS:
        parsed = await agent.parse_message(text)
        reused.append(reading(parsed))
        parsed["intent_ranking"].clear()  # what a caller does with it changes nothing kept
        parsed["intent"]["name"] = "tampered"
    assert reused == expected
    # DIET ran once per distinct set of features: the two order numbers are one.
    assert len(calls) == 6
    assert [reading(await agent.parse_message(text)) for text in TEXTS] == expected
    assert len(calls) == 6
