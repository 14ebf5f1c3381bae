"""The base of the forms' validation actions: guarded, and keeping their bookkeeping slots.

rasa-sdk's `FormValidationAction` drops every slot an `extract_<slot>` method set
that is not one of the form's required slots. The forms here also set slots that
are not asked for (how many answers missed, whether a code was sent, a claim
reference seen in passing): `KEPT` names them, and `run` sends them on.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.runtime import guarded


class FormValidation(FormValidationAction, metaclass=ABCMeta):
    """A form's validation action that also sends the bookkeeping slots it set.

    Abstract (rasa-sdk registers only concrete actions): each form's own names itself.
    """

    KEPT: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def name(self) -> str:
        """The validation action's name: `validate_<form>`."""

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        before: dict[str, Any] = {name: tracker.get_slot(name) for name in self.KEPT}
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        sent = {e.get("name") for e in events if e.get("event") == "slot"}
        for name in self.KEPT:
            value = tracker.slots.get(name)
            if name not in sent and value != before[name]:
                events.append(SlotSet(name, value))
        return events
