"""`rasa train` retrains our components when a helper outside their class changes.

Rasa keys its training cache on a component class's own source, config and inputs:
an edited `mask` or encoder would otherwise leave the old vectors in the new model.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from rasa.engine.graph import GraphComponent
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from bot.nlu.entity_masker import EntityMasker
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer


def key(component: type[GraphComponent]) -> str:
    return calculate_fingerprint_key(component, {}, {"data": "the same training data"})


@pytest.mark.parametrize(
    ("component", "helper"),
    [
        (EntityMasker, "bot.nlu.entity_masker"),
        (SentenceEmbeddingFeaturizer, "bot.nlu.sentence_featurizer"),
        (SentenceEmbeddingFeaturizer, "bot.nlu.minilm"),
        (SentenceEmbeddingFeaturizer, "bot.nlu.wordpiece"),
    ],
)
def test_an_edited_helper_module_changes_the_components_training_key(
    component: type[GraphComponent], helper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = key(component)
    assert key(component) == before  # nothing changed: the cache is used
    edited = tmp_path / "edited.py"
    source = Path(sys.modules[helper].__file__ or "")
    edited.write_text(source.read_text() + "\n# one line more\n")
    stand_in = types.ModuleType(helper)
    stand_in.__file__ = str(edited)
    monkeypatch.setitem(sys.modules, helper, stand_in)
    assert key(component) != before
