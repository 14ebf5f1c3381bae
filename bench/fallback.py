"""The fallback threshold, chosen on the held-out sets, with its precision and recall.

Rasa's FallbackClassifier answers "Sorry, I didn't get that" when the intent
classifier's top confidence is under `threshold`, or within
`ambiguity_threshold` of the runner-up. Firing on a message the model read
right costs the shopper a rephrase (the failure the issue measured: one message
in twelve that a person reads without trouble); not firing on one it read
wrong gives a wrong answer. Seen as a detector of misreadings:

- precision: of the messages it fires on, the share the model had misread;
- recall: of the misread messages, the share it catches;
- false alarms: of the messages read right, the share it still fires on.

The threshold chosen is the one that catches the most misreadings while firing
on at most MAX_FALSE_ALARMS of the messages read right, over both held-out sets
together (each message's ranking comes from the trained model, with the
fallback's own entry left out). `make eval` prints the sweep, the choice, and
the figures at the threshold config.yml has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the app env

from tests.nlu.test_heldout import nlu_messages
from tests.support.parsing import parse_with

MAX_FALSE_ALARMS = 0.02
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 19))


@dataclass(frozen=True)
class Reading:
    """One held-out message: its label and the classifier's top two (intent, confidence)."""

    label: str
    top: str
    confidence: float
    runner_up: float

    @property
    def right(self) -> bool:
        return self.top == self.label

    def fires(self, threshold: float, ambiguity: float) -> bool:
        return self.confidence < threshold or self.confidence - self.runner_up < ambiguity


def readings(model: Path, sets: Sequence[Path]) -> dict[str, list[Reading]]:
    """Every message of each set (by its file's stem), as the model ranks its intents.

    One parse for all the sets: each costs loading the model in the Rasa environment.
    """
    messages = {path.stem: nlu_messages(path) for path in sets}
    texts = [m.text for found in messages.values() for m in found]
    parsed = parse_with(model, texts)
    return {
        name: [_reading(m.intent, parsed[m.text]["ranking"]) for m in found]
        for name, found in messages.items()
    }


def _reading(intent: str, ranking: list[Any]) -> Reading:
    ranked = [r for r in ranking if r[0] != "nlu_fallback"]
    ranked += [("", 0.0)] * (2 - len(ranked))
    return Reading(intent.split("/")[0], ranked[0][0], ranked[0][1], ranked[1][1])


def figures(found: Sequence[Reading], threshold: float, ambiguity: float) -> dict[str, Any]:
    """Precision, recall and false alarms of the fallback at one threshold."""
    fired = [r for r in found if r.fires(threshold, ambiguity)]
    wrong = [r for r in found if not r.right]
    right = len(found) - len(wrong)
    caught = sum(1 for r in fired if not r.right)
    false_alarms = len(fired) - caught
    return {
        "threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "messages": len(found),
        "fired": len(fired),
        "precision": round(caught / len(fired), 4) if fired else None,
        "recall": round(caught / len(wrong), 4) if wrong else None,
        "false_alarm_rate": round(false_alarms / right, 4) if right else None,
        "accuracy_after_fallback": round(
            sum(1 for r in found if r.right and not r.fires(threshold, ambiguity)) / len(found), 4
        )
        if found
        else None,
    }


def choose(found: Sequence[Reading], ambiguity: float) -> dict[str, Any]:
    """The threshold with the best recall among those within the false-alarm limit."""
    sweep = [figures(found, t, ambiguity) for t in THRESHOLDS]
    allowed = [f for f in sweep if (f["false_alarm_rate"] or 0.0) <= MAX_FALSE_ALARMS]
    best = max(allowed, key=lambda f: (f["recall"] or 0.0, -f["threshold"]), default=sweep[0])
    return {"chosen": best, "sweep": sweep, "max_false_alarms": MAX_FALSE_ALARMS}


def configured(config: Path) -> tuple[float, float]:
    """The FallbackClassifier's threshold and ambiguity threshold in a Rasa config."""
    pipeline = yaml.safe_load(config.read_text(encoding="utf-8"))["pipeline"]
    step = next(s for s in pipeline if s["name"] == "FallbackClassifier")
    return float(step.get("threshold", 0.3)), float(step.get("ambiguity_threshold", 0.1))


def evaluate(model: Path, sets: Sequence[Path], config: Path) -> dict[str, Any]:
    """The sweep, the threshold it chooses, and the figures at config.yml's threshold, per set."""
    threshold, ambiguity = configured(config)
    per_set = readings(model, sets)
    pooled = [r for found in per_set.values() for r in found]
    result = choose(pooled, ambiguity)
    result["configured"] = {
        name: figures(found, threshold, ambiguity) for name, found in per_set.items()
    }
    result["configured"]["both"] = figures(pooled, threshold, ambiguity)
    return result


def lines(result: dict[str, Any]) -> list[str]:
    """The fallback's part of `make eval`'s table."""
    chosen = result["chosen"]
    limit = result["max_false_alarms"]
    out = [
        f"fallback threshold chosen on both sets (false alarms <= {limit:.0%}):"
        f" {chosen['threshold']:.2f}"
    ]
    for name, f in result["configured"].items():
        out.append(
            f"fallback at {f['threshold']:.2f} ({name}): fires on {f['fired']}/{f['messages']},"
            f" precision {_pct(f['precision'])}, recall {_pct(f['recall'])},"
            f" false alarms {_pct(f['false_alarm_rate'])}"
        )
    return out


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
