"""The fallback threshold's figures and choice (bench/fallback.py), on readings worked by hand."""

from __future__ import annotations

from bench.fallback import MAX_FALSE_ALARMS, Reading, choose, figures


def reading(label: str, top: str, confidence: float, runner_up: float = 0.0) -> Reading:
    return Reading(label, top, confidence, runner_up)


# Four read right (confidences 0.95, 0.9, 0.5, 0.35), two misread (0.4 and 0.3).
FOUND = [
    reading("order_status", "order_status", 0.95),
    reading("faq", "faq", 0.9),
    reading("greet", "greet", 0.5),
    reading("deny", "deny", 0.35),
    reading("request_refund", "out_of_scope", 0.4),
    reading("out_of_scope", "faq", 0.3),
]


def test_precision_recall_and_false_alarms_at_a_threshold() -> None:
    at = figures(FOUND, threshold=0.45, ambiguity=0.0)
    # Fires on 0.35 (right), 0.4 and 0.3 (both misread).
    assert at["fired"] == 3
    assert at["precision"] == round(2 / 3, 4)
    assert at["recall"] == 1.0
    assert at["false_alarm_rate"] == 0.25
    assert at["accuracy_after_fallback"] == 0.5


def test_a_close_runner_up_fires_the_fallback() -> None:
    close = [reading("affirm", "affirm", 0.5, runner_up=0.48)]
    assert figures(close, threshold=0.1, ambiguity=0.05)["fired"] == 1
    assert figures(close, threshold=0.1, ambiguity=0.01)["fired"] == 0


def test_the_choice_catches_most_misreadings_within_the_false_alarm_limit() -> None:
    many_right = [reading("thank", "thank", 0.99)] * 100
    found = [*many_right, reading("deny", "deny", 0.36), *FOUND[4:]]
    # 0.35 catches the misreading at 0.3; 0.45 catches both, and fires on the right
    # 0.36 too: 1 in 101 read right, within the limit. Higher thresholds catch no
    # more: of equals, the lowest wins.
    chosen = choose(found, ambiguity=0.0)["chosen"]
    assert chosen["threshold"] == 0.45
    assert chosen["recall"] == 1.0
    assert chosen["false_alarm_rate"] == round(1 / 101, 4) <= MAX_FALSE_ALARMS
