"""A tiny `make eval`: the trained model on a slice of the held-out set.

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


@pytest.fixture(scope="module")
def small_heldout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three messages of every intent of the held-out set, and one of every entity."""
    data = yaml.safe_load(evaluate.HELDOUT.read_text())
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
    assert not wanted, f"the held-out set has no message with {sorted(wanted)}"
    path = tmp_path_factory.mktemp("nlu") / "small.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_evaluation_reports_every_figure(small_heldout: Path, tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make test`, which trains it")
    evaluate.main(
        [
            "--out",
            str(tmp_path),
            "--nlu",
            str(small_heldout),
            "--skip",
            "baseline",
            "cv",
            "conversations",
        ]
    )
    results = evaluate.json.loads((tmp_path / "eval.json").read_text())
    heldout = results["heldout"]
    assert "order_status" in heldout["intent_f1"] and "out_of_scope" in heldout["intent_f1"]
    assert 0 < heldout["intent_macro_f1"] <= 1
    assert set(heldout["entities"]) >= ENTITIES
    assert (tmp_path / "heldout" / "intent_confusion_matrix.png").exists()
    line = evaluate.summary_line(results)
    pattern = r"intent_macro_f1=\d\.\d{3} entity_f1=\d\.\d{3} baseline_intent_macro_f1=n/a"
    assert re.fullmatch(pattern, line), line
