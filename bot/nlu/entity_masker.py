"""Intent classification sees an entity's kind, never its value.

A postcode, order number or phone number is a pattern, not a word: which one a
shopper types says nothing about what they want. Left as it is, the character
n-grams of "V5K 0A1" in one training example ("update the postal code to V5K
0A1") pulled a bare "V5K 0A1" to change_address. This component sets the lemma
of every token inside an entity to the entity's name ("__zip_code__"); the
CountVectorsFeaturizers read lemmas, so the classifiers learn "a message that is
only a postcode" rather than that postcode. The token's text stays as typed:
Rasa's entity evaluation measures tokens by their text. (No featurizer of the
pipeline reads the text itself: a regex featurizer would tell a UPS number from a
USPS one, config.yml.)

In training the entities are the annotations of the examples; at inference they
are what RegexEntityExtractor found, so it must come before this component in
the pipeline. Training examples must be annotated exactly as the regexes extract,
or training and inference see different placeholders.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.fingerprint import source_digest


def placeholder(entity: str) -> str:
    return f"__{entity}__"


def mask(message: Message) -> None:
    """Set the lemma of each token inside one of the message's entities to a placeholder."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    spans = [(e["start"], e["end"], e["entity"]) for e in message.get(ENTITIES) or []]
    if not tokens or not spans:
        return
    for token in tokens:
        for start, end, entity in spans:
            if token.start < end and start < token.end:
                token.lemma = placeholder(entity)
                break


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EntityMasker(GraphComponent):
    """Sets the lemma of each entity's tokens to a placeholder naming its kind."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityMasker:
        return cls()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return source_digest(__name__)  # `mask` is outside the class

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            mask(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            mask(message)
        return messages
