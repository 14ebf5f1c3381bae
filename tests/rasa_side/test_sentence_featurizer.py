"""The pretrained sentence encoder and its Rasa component (bot/nlu/).

The encoder is all-MiniLM-L6-v2 run with NumPy: its vectors must be the ones
sentence-transformers gives for the same weights (data/minilm_reference.json,
produced once with sentence-transformers and PyTorch, which the project does
not install), or the "pretrained knowledge" would be noise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.minilm import SentenceEncoder, model_dir
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer, masked_text
from bot.nlu.wordpiece import WordPiece, basic_words

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(model_dir())


def featurizer() -> SentenceEmbeddingFeaturizer:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "batch_size": 2}
    return SentenceEmbeddingFeaturizer(config, "sentence")


def test_vectors_are_the_ones_sentence_transformers_gives(encoder: SentenceEncoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    # Batches of two: padding inside a batch must not change a vector.
    ours = encoder.encode(reference["texts"], batch_size=2)
    assert np.abs(ours - np.array(reference["vectors"])).max() < 1e-5


def test_words_are_cut_as_bert_cuts_them(encoder: SentenceEncoder) -> None:
    assert basic_words("Naïve CAFÉ—order?!") == ["naive", "cafe", "—", "order", "?", "!"]
    vocab = encoder.tokenizer.vocab
    pieces = encoder.tokenizer.pieces("pakage")
    assert len(pieces) > 1 and all(p != encoder.tokenizer.unk for p in pieces)
    assert encoder.tokenizer.pieces("😀") == [encoder.tokenizer.unk]
    assert WordPiece(vocab).ids("a " * 400, max_length=8)[-1] == encoder.tokenizer.sep


def test_a_paraphrase_in_words_we_never_wrote_lies_near_the_request(
    encoder: SentenceEncoder,
) -> None:
    refund, reimburse, where = encoder.encode(
        ["I want a refund", "I'd like to be reimbursed", "where is my parcel"]
    )
    assert refund @ reimburse > refund @ where + 0.2


def test_entities_are_encoded_as_their_kind_in_words() -> None:
    message = Message({TEXT: "is WM-104233 coming to 94107?"})
    message.set(
        ENTITIES,
        [
            {"start": 3, "end": 12, "entity": "order_number", "value": "WM-104233"},
            {"start": 23, "end": 28, "entity": "zip_code", "value": "94107"},
        ],
    )
    assert masked_text(message) == "is order number coming to postal code?"


def test_every_message_with_text_gets_one_sentence_vector_and_no_sequence() -> None:
    messages = [Message({TEXT: t}) for t in ("where is my order", "yes", "thanks a lot")]
    featurizer().process_training_data(TrainingData(messages + [Message({})]))
    for message in messages:
        features = message.features
        assert [f.type for f in features] == [FEATURE_TYPE_SENTENCE]
        assert features[0].features.shape == (1, 384)
        assert features[0].attribute == TEXT


def test_the_same_words_with_another_order_number_get_the_same_vector() -> None:
    first, second = Message({TEXT: "where is WM-104233"}), Message({TEXT: "where is WM-555001"})
    first.set(ENTITIES, [{"start": 9, "end": 18, "entity": "order_number", "value": "x"}])
    second.set(ENTITIES, [{"start": 9, "end": 18, "entity": "order_number", "value": "y"}])
    featurizer().process([first, second])
    assert np.array_equal(first.features[0].features, second.features[0].features)


def test_a_missing_model_package_says_how_to_install_it() -> None:
    with pytest.raises(RuntimeError, match="make install"):
        model_dir("no_such_model_package")


def test_a_text_said_again_is_not_encoded_again_and_the_cache_stays_bounded() -> None:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "cache_size": 2}
    component = SentenceEmbeddingFeaturizer(config, "sentence")
    for text in ("yes", "no", "yes", "thanks", "no"):
        component.process([Message({TEXT: text})])
    # yes, no (misses); yes (hit); thanks (miss, drops no); no (miss, drops yes)
    assert (component.recent.hits, component.recent.misses) == (1, 4)
    assert list(component.recent.vectors) == ["thanks", "no"]
    again = Message({TEXT: "no"})
    component.process([again])
    assert np.array_equal(again.features[0].features[0], component.encoder.encode(["no"])[0])
