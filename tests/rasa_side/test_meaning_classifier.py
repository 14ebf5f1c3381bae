"""The regression over the sentence vector, and its mean with DIET's ranking (bot/nlu/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.meaning_classifier import MeaningClassifier
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer

EXAMPLES = {
    "request_refund": ["I want a refund", "give me my money back", "refund my order please"],
    "order_status": ["where is my parcel", "track my package", "has my order shipped yet"],
}
# A retrieval intent: topics that mean different things, learnt apart, answered as one intent.
TOPICS = {
    "out_of_scope/account": ["I forgot my password", "how do I change my login email"],
    "out_of_scope/products": ["is this jacket waterproof", "do the shoes run small"],
}


def featurized(*messages: Message) -> list[Message]:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": "sentence_embedding"}
    SentenceEmbeddingFeaturizer(config, "sentence_embedding").process(list(messages))
    return list(messages)


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def trained(storage: LocalModelStorage) -> MeaningClassifier:
    examples = [Message({TEXT: t, INTENT: i}) for i, ts in EXAMPLES.items() for t in ts]
    examples += [
        Message({TEXT: t, INTENT: topic.split("/")[0], INTENT_RESPONSE_KEY: topic})
        for topic, ts in TOPICS.items()
        for t in ts
    ]
    context = ExecutionContext(GraphSchema({}), "test")
    component = MeaningClassifier.create({}, storage, Resource("meaning"), context)
    component.train(TrainingData(featurized(*examples)))
    return component


def diet_says(message: Message, ranking: dict[str, float]) -> Message:
    ordered = sorted(ranking.items(), key=lambda kv: -kv[1])
    message.set(INTENT, {"name": ordered[0][0], "confidence": ordered[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ordered])
    return message


def test_the_intent_is_the_mean_of_diets_ranking_and_the_regressions(
    trained: MeaningClassifier,
) -> None:
    [message] = featurized(Message({TEXT: "I'd like to be reimbursed"}))
    diet_says(message, {"order_status": 0.6, "request_refund": 0.4})
    regression = trained.probabilities(message.features[0].features[0])
    assert regression["request_refund"] > 0.6  # words never in its examples
    trained.process([message])
    intent = message.get(INTENT)
    assert intent["name"] == "request_refund"
    assert intent["confidence"] == pytest.approx(0.5 * regression["request_refund"] + 0.2)
    confidences = [r["confidence"] for r in message.get(INTENT_RANKING_KEY)]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_the_stored_model_loads_and_answers_the_same(
    trained: MeaningClassifier, storage: LocalModelStorage
) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = MeaningClassifier.load({}, storage, Resource("meaning"), context)
    [message] = featurized(Message({TEXT: "track my order"}))
    vector = message.features[0].features[0]
    assert loaded.probabilities(vector) == pytest.approx(trained.probabilities(vector))


def test_a_message_without_a_sentence_vector_keeps_diets_intent(
    trained: MeaningClassifier,
) -> None:
    message = diet_says(Message({TEXT: "where is my parcel"}), {"greet": 0.7, "order_status": 0.3})
    trained.process([message])
    assert message.get(INTENT)["name"] == "greet"


def test_a_retrieval_intents_topics_are_learnt_apart_and_answered_as_the_intent(
    trained: MeaningClassifier,
) -> None:
    assert "out_of_scope/account" in trained.classes  # a class of its own
    [password, sizes] = featurized(
        Message({TEXT: "I can't log in to my account"}),
        Message({TEXT: "are these boots true to size"}),
    )
    for message in (password, sizes):
        regression = trained.probabilities(message.features[0].features[0])
        assert set(regression) == {"request_refund", "order_status", "out_of_scope"}
        assert sum(regression.values()) == pytest.approx(1.0)
        diet_says(message, {"order_status": 0.5, "out_of_scope": 0.3, "request_refund": 0.2})
        trained.process([message])
        assert message.get(INTENT)["name"] == "out_of_scope"


def test_a_retrieval_intents_message_gets_its_topic_where_rasas_faq_action_reads_it(
    trained: MeaningClassifier,
) -> None:
    [message] = featurized(Message({TEXT: "I can't remember my password"}))
    diet_says(message, {"out_of_scope": 0.6, "order_status": 0.4})
    trained.process([message])
    selected = message.get("response_selector")
    assert selected["all_retrieval_intents"] == ["out_of_scope"]
    response = selected["out_of_scope"]["response"]
    assert response["intent_response_key"] == "out_of_scope/account"
    assert response["utter_action"] == "utter_out_of_scope/account"
    ranking = selected["out_of_scope"]["ranking"]
    assert [r["intent_response_key"] for r in ranking] == [
        "out_of_scope/account",
        "out_of_scope/products",
    ]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert response["confidence"] == ranking[0]["confidence"] > 0.5


def test_a_message_of_another_intent_gets_no_topic(trained: MeaningClassifier) -> None:
    [message] = featurized(Message({TEXT: "where is my parcel"}))
    diet_says(message, {"order_status": 0.9, "out_of_scope": 0.1})
    trained.process([message])
    assert message.get(INTENT)["name"] == "order_status"
    assert message.get("response_selector") is None
