"""A tiny `make eval`: the trained model on a slice of each held-out set.

The real evaluation also trains the baseline and cross-validates; this keeps
the report reading and the summary line working on Rasa's real output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench import evaluate
from tests.support.stack import MODEL

pytestmark = pytest.mark.conversation


ENTITIES = {"order_number", "email", "tracking_number", "zip_code", "phone_number"}
ANNOTATED = re.compile(r"\]\((\w+)\)")


def small(source: Path, path: Path) -> Path:
    """Three messages of every intent of a held-out set, and one of every entity."""
    data = yaml.safe_load(source.read_text())
    wanted = set(ENTITIES)
    for block in data["nlu"]:
        lines = [line for line in block["examples"].splitlines() if line.strip()]
        kept = lines[:3]
        wanted -= {e for line in kept for e in ANNOTATED.findall(line)}
        for line in lines[3:]:
            if wanted & set(ANNOTATED.findall(line)):
                kept.append(line)
                wanted -= set(ANNOTATED.findall(line))
        block["examples"] = "\n".join(kept) + "\n"
    assert not wanted, f"{source.name} has no message with {sorted(wanted)}"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def small_heldout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small(evaluate.HELDOUT, tmp_path_factory.mktemp("nlu") / "small.yml")


@pytest.fixture(scope="module")
def small_styles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small(evaluate.STYLES, tmp_path_factory.mktemp("nlu") / "small_styles.yml")


def test_the_evaluation_reports_every_figure(
    small_heldout: Path, small_styles: Path, tmp_path: Path
) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    evaluate.main(
        [
            "--out",
            str(tmp_path),
            "--nlu",
            str(small_heldout),
            "--styles",
            str(small_styles),
            "--skip",
            "baseline",
            "cv",
            "conversations",
        ]
    )
    results = evaluate.json.loads((tmp_path / "eval.json").read_text())
    for key, reports in (
        ("heldout", tmp_path / "heldout"),
        ("heldout_styles", tmp_path / "heldout_styles" / "ours"),
    ):
        heldout = results[key]
        assert "order_status" in heldout["intent_f1"] and "out_of_scope" in heldout["intent_f1"]
        assert 0 < heldout["intent_macro_f1"] <= 1
        assert set(heldout["entities"]) >= ENTITIES
        assert (reports / "intent_confusion_matrix.png").exists()
    for path in (small_heldout, small_styles):
        topics = results["faq_topics"][path.stem]
        asked = [m for m in evaluate.nlu_messages(path) if m.intent.startswith("faq/")]
        assert topics["questions"] == len(asked) > 0
        # Most FAQ questions get their own topic's answer; each miss names what it got.
        assert topics["answered_right"] >= 0.8 * len(asked), topics["wrong"]
        assert len(topics["wrong"]) == len(asked) - topics["answered_right"]
    both = results["fallback"]["configured"]["both"]
    sizes = [len(evaluate.fallback.nlu_messages(p)) for p in (small_heldout, small_styles)]
    assert both["messages"] == sum(sizes)
    assert results["fallback"]["chosen"]["threshold"] in evaluate.fallback.THRESHOLDS
    assert len(results["fallback"]["sweep"]) == len(evaluate.fallback.THRESHOLDS)
    line = evaluate.summary_line(results)
    pattern = (
        r"intent_macro_f1=\d\.\d{3} entity_f1=\d\.\d{3} baseline_intent_macro_f1=n/a"
        r" styles_intent_macro_f1=\d\.\d{3} styles_entity_f1=\d\.\d{3}"
        r" styles_baseline_intent_macro_f1=n/a"
    )
    assert re.fullmatch(pattern, line), line
