"""A dense sentence feature from a pretrained encoder: what a message means, not only its words.

The count featurizers know only the words and character n-grams of our own
examples: a word we never wrote ("reimbursement", "restitution") means nothing
to them. This component adds one 384-number vector per message from
all-MiniLM-L6-v2 (bot/nlu/minilm.py), pretrained on a billion sentence pairs,
in which "reimbursement" lies near "refund". DIET reads it beside the sparse
features (config.yml).

As the EntityMasker does for the counts, an entity's value is replaced by its
kind in words before encoding ("WM-104233 hasn't come" is encoded as "order
number hasn't come"): which order a shopper names says nothing about what they
want. The entities are the examples' annotations in training and what
RegexEntityExtractor found at inference, so it comes before this component.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import ENTITIES, FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.fingerprint import source_digest
from bot.nlu.minilm import PACKAGE, Matrix, SentenceEncoder, model_dir

# How each entity reads in the text the encoder sees.
ENTITY_WORDS = {
    "order_number": "order number",
    "email": "email address",
    "tracking_number": "tracking number",
    "zip_code": "postal code",
    "phone_number": "phone number",
}


def masked_text(message: Message) -> str:
    """The message's text with each entity's value replaced by its kind in words."""
    text: str = message.get(TEXT) or ""
    spans = sorted(
        ((e["start"], e["end"], e["entity"]) for e in message.get(ENTITIES) or []),
        reverse=True,
    )
    taken = len(text) + 1
    for start, end, entity in spans:
        if end > taken:  # overlapping spans: the first one wins
            continue
        words = ENTITY_WORDS.get(entity, entity.replace("_", " "))
        text = text[:start] + words + text[end:]
        taken = start
    return text


class RecentVectors:
    """The vectors of the latest distinct texts, so that a text said again costs nothing.

    Many turns are the same few words once entities are masked: "order number",
    "email address", "yes", "no", "thanks". 4,096 vectors take 6 MB.
    """

    def __init__(self, encoder: SentenceEncoder, size: int) -> None:
        self.encoder, self.size = encoder, size
        self.vectors: OrderedDict[str, Matrix] = OrderedDict()
        self.hits = self.misses = 0

    def vector(self, text: str) -> Matrix:
        found = self.vectors.get(text)
        if found is not None:
            self.hits += 1
            self.vectors.move_to_end(text)
            return found
        self.misses += 1
        vector: Matrix = self.encoder.encode([text])[0]
        vector.setflags(write=False)
        self.vectors[text] = vector
        if len(self.vectors) > self.size:
            self.vectors.popitem(last=False)
        return vector


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a pretrained sentence vector to each message's text."""

    _encoders: dict[str, SentenceEncoder] = {}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "package": PACKAGE,
            "batch_size": 32,
            "cache_size": 4096,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        model_dir(config["package"])  # raises with the fix if the package is missing

    @staticmethod
    def required_packages() -> list[str]:
        return [PACKAGE, "safetensors"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # The masking and the encoder are outside the class.
        return source_digest(__name__, "bot.nlu.minilm", "bot.nlu.wordpiece")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.batch_size = int(config["batch_size"])
        self.encoder = self._shared_encoder(config["package"])
        self.recent = RecentVectors(self.encoder, int(config["cache_size"]))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name or "sentence_embedding")

    @classmethod
    def _shared_encoder(cls, package: str) -> SentenceEncoder:
        # One copy of the weights per process, however many graphs load this component.
        if package not in cls._encoders:
            cls._encoders[package] = SentenceEncoder(model_dir(package))
        return cls._encoders[package]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        texts = [masked_text(m) for m in examples]
        self._add(examples, self.encoder.encode(texts, self.batch_size))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        self._add(with_text, [self.recent.vector(masked_text(m)) for m in with_text])
        return messages

    def _add(self, messages: list[Message], vectors: Sequence[Matrix] | Matrix) -> None:
        for message, vector in zip(messages, vectors, strict=True):
            # A sentence feature only: DIET without transformer layers reads the
            # sequence through the sparse counts, and this one vector beside them.
            sentence = Features(
                vector[np.newaxis, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier
            )
            message.add_features(sentence)
