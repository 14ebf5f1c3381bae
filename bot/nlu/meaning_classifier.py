"""A second opinion on the intent, from the sentence vector alone, averaged with DIET's.

DIET reads the word and character counts beside the sentence vector
(bot/nlu/sentence_featurizer.py), and the counts of our own examples weigh
most: on messages written in other styles it still followed our wording. A
logistic regression over the sentence vector alone knows only what the message
means. Each is right where the other errs: measured offline on the two held-out
sets (DIET alone, regression alone, their plain mean), the mean was the best of
the three on both (docs/benchmarks.md). The weight is a plain mean, not tuned to
the sets.

A retrieval intent (faq, out_of_scope) is many topics that mean different things
("do you ship to Canada", "how do I reset my password"): one straight boundary
around all of them fits none well. The regression learns each topic as a class of
its own and gives an intent the sum of its topics' probabilities. In 5-fold
cross-validation of the regression alone this lifted out_of_scope's F1 from 0.899
to 0.924 (and macro-F1 0.923 to 0.927); on the two held-out sets, 0.932 to 0.971
and 0.882 to 0.903 (docs/benchmarks.md, 2026-12-05).

The same regression chooses the topic, in place of Rasa's ResponseSelector: when the
mean's intent is a retrieval intent, its topic is the regression's likeliest topic of
that intent, written where Rasa's ResponseSelector writes it (`response_selector`,
which the `utter_faq` action and actions/fallback.py read). Two ResponseSelectors,
one per retrieval intent, held 826 MiB of the Rasa server's 1,665 once loaded; of
the two held-out sets' 50 and 66 FAQ questions, they answered 46 and 61 with their
topic, the regression 48 and 61 (`make eval`'s `faq_topics`; docs/benchmarks.md).

This component runs after DIETClassifier: it fits the regression in training,
and at each message replaces DIET's intent and ranking with the mean of the two
rankings (an intent missing from DIET's top ten counts as 0 there). The
FallbackClassifier after it reads the mean's confidence. The model is stored as
plain arrays (no pickle).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.minilm import Matrix

Floats = npt.NDArray[np.float64]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MeaningClassifier(IntentClassifier, GraphComponent):
    """Averages DIET's intent ranking with a regression over the sentence vector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "featurizer": "sentence_embedding",  # the alias of the sentence featurizer
            "weight": 0.5,  # the regression's share of the mean
            "C": 50.0,  # the regression's inverse regularisation
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        coef: Floats | None = None,
        intercept: Floats | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.classes = classes or []
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MeaningClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        vectors = [self._vector(e) for e in examples]
        pairs = [  # a retrieval intent's examples by topic: "faq/returns"
            (v, e.get_full_intent())
            for v, e in zip(vectors, examples, strict=True)
            if v is not None
        ]
        if len({label for _, label in pairs}) < 2:
            return self._resource
        model = LogisticRegression(C=float(self.config["C"]), max_iter=3000, random_state=42)
        model.fit(np.vstack([v for v, _ in pairs]), [label for _, label in pairs])
        self.classes = [str(c) for c in model.classes_]
        self.coef, self.intercept = model.coef_, model.intercept_
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self.coef is None or self.intercept is None:
            return
        with self._storage.write_to(self._resource) as folder:
            np.save(folder / "coef.npy", self.coef)
            np.save(folder / "intercept.npy", self.intercept)
            (folder / "classes.json").write_text(json.dumps(self.classes))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MeaningClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                coef = np.load(folder / "coef.npy", allow_pickle=False)
                intercept = np.load(folder / "intercept.npy", allow_pickle=False)
                classes = json.loads((folder / "classes.json").read_text())
        except ValueError:  # nothing was trained: DIET's ranking stands
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, classes, coef, intercept)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = self._vector(message)
            if vector is not None and self.coef is not None:
                classes = self.class_probabilities(vector)
                self._combine(message, intent_sums(classes))
                self._select_topic(message, classes)
        return messages

    def probabilities(self, vector: Matrix) -> dict[str, float]:
        """The regression's probability of each intent for one sentence vector.

        A retrieval intent's is the sum of its topics'."""
        return intent_sums(self.class_probabilities(vector))

    def class_probabilities(self, vector: Matrix) -> dict[str, float]:
        """The regression's probability of each class: an intent, or a retrieval topic."""
        assert self.coef is not None and self.intercept is not None
        scores = vector.reshape(1, -1) @ self.coef.T + self.intercept
        if scores.shape[1] == 1:  # two classes: sklearn keeps one column
            scores = np.hstack([-scores, scores])
        exp = np.exp(scores - scores.max())
        probs = (exp / exp.sum())[0]
        return {name: float(p) for name, p in zip(self.classes, probs, strict=True)}

    @property
    def retrieval_intents(self) -> list[str]:
        """The intents whose examples came with topics ("faq/returns")."""
        return sorted(
            {c.split(RESPONSE_IDENTIFIER_DELIMITER, 1)[0] for c in self.classes if _is_topic(c)}
        )

    def _select_topic(self, message: Message, classes: dict[str, float]) -> None:
        """For a message of a retrieval intent, its likeliest topic, as Rasa's selector says it."""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if intent not in self.retrieval_intents:
            return
        prefix = intent + RESPONSE_IDENTIFIER_DELIMITER
        topics = sorted(
            ((c, p) for c, p in classes.items() if c.startswith(prefix)), key=lambda cp: -cp[1]
        )
        total = sum(p for _, p in topics) or 1.0
        ranking = [
            {PREDICTED_CONFIDENCE_KEY: p / total, INTENT_RESPONSE_KEY: c}
            for c, p in topics[: int(self.config["ranking_length"])]
        ]
        best = ranking[0]
        selected = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        selected[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = list(self.retrieval_intents)
        selected[intent] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: [],  # the wording is the domain's
                PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"{UTTER_PREFIX}{best[INTENT_RESPONSE_KEY]}",
            },
            RESPONSE_SELECTOR_RANKING_KEY: ranking,
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selected, add_to_output=True)

    def _combine(self, message: Message, regression: dict[str, float]) -> None:
        weight = float(self.config["weight"])
        diet = {
            r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
            for r in message.get(INTENT_RANKING_KEY) or []
        }
        names = set(regression) | set(diet)
        mean = {n: weight * regression.get(n, 0.0) + (1 - weight) * diet.get(n, 0.0) for n in names}
        ranking = sorted(
            ({INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c} for n, c in mean.items()),
            key=lambda r: -float(r[PREDICTED_CONFIDENCE_KEY]),
        )
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(
            INTENT_RANKING_KEY, ranking[: int(self.config["ranking_length"])], add_to_output=True
        )

    def _vector(self, message: Message) -> Matrix | None:
        for feature in message.features:
            if (
                feature.type == FEATURE_TYPE_SENTENCE
                and feature.attribute == TEXT
                and feature.origin == self.config["featurizer"]
            ):
                vector: Matrix = np.asarray(feature.features, dtype=np.float32).reshape(-1)
                return vector
        return None


def _is_topic(name: str) -> bool:
    return RESPONSE_IDENTIFIER_DELIMITER in name


def intent_sums(classes: dict[str, float]) -> dict[str, float]:
    """Each intent's probability: a retrieval intent's is the sum of its topics'."""
    intents: dict[str, float] = {}
    for name, p in classes.items():
        intent = name.split(RESPONSE_IDENTIFIER_DELIMITER, 1)[0]
        intents[intent] = intents.get(intent, 0.0) + p
    return intents
