"""A ResponseSelector that answers only the messages classified as its retrieval intent.

config.yml has two: the FAQ's topic (`faq/<topic>`) and the redirect of a
request that is not ours (`out_of_scope/<topic>`, actions/fallback.py).

Rasa's ResponseSelector runs its network on every message, although its answer
is read only when the intent is its retrieval intent. Profiling showed
it at about a quarter of the Rasa server's time per turn. This one runs after
the intent classifier and skips every other message; for `faq` messages it is
the stock component, trained the same way.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalSelector(ResponseSelector):
    """ResponseSelector limited to messages of its `retrieval_intent`."""

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.retrieval_intent:
            return super().process(messages)
        asked = [m for m in messages if self._intent_of(m) == self.retrieval_intent]
        if asked:
            super().process(asked)
        return messages

    @staticmethod
    def _intent_of(message: Message) -> str | None:
        intent = message.get(INTENT) or {}
        return intent.get(INTENT_NAME_KEY)
