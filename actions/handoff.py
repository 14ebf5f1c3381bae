"""Handing the conversation to a person: the ticket, and the truth about when they answer.

What leads here: the shopper asks for a person; a second frustrated message; a second
message in a row the bot did not understand; a policy answer that needs a person, or a
verification lockout (both offer a person, and the shopper taps "Talk to a person").
A person is offered once: the slot `handoff_offered` remembers the offer (and why), and
the next reason hands off at once, so the shopper is never asked to confirm twice (a
lockout is said each time, and never files a ticket by itself). The ticket is stored
before the shopper is told anything; asking again finds the same ticket.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.replies import say
from actions.runtime import call, guarded, services
from bot.domain.tickets import Trigger
from bot.domain.wording import clock_time, relative_day
from bot.services.handoff import HandoffResult

OFFERED = "handoff_offered"  # the slot: why a person was offered (or handed off), else None
LINES_TOLD = 5


def lines_told(tracker: Tracker) -> list[str]:
    """The last lines the bot said in this conversation, oldest first."""
    said = [str(e.get("text")) for e in tracker.events if e.get("event") == "bot" and e.get("text")]
    return said[-LINES_TOLD:]


def offered(tracker: Tracker) -> bool:
    """Whether this conversation was already offered a person (or handed to one)."""
    return bool(tracker.get_slot(OFFERED))


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, trigger: Trigger
) -> list[EventType]:
    """Open (or find) the conversation's ticket and say truthfully what happens next."""
    wired = services()
    order_number = tracker.get_slot("last_order")
    result = await call(
        wired.handoff.hand_off,
        client_of(tracker),
        trigger,
        str(order_number) if order_number else None,
        lines_told(tracker),
        wired.settings.clock.now(),
    )
    response, values = handoff_reply(result)
    say(dispatcher, response, values)
    return [SlotSet(OFFERED, str(trigger))]


def handoff_reply(result: HandoffResult) -> tuple[str, dict[str, str]]:
    """The response that tells the shopper where their ticket stands, and its values."""
    values = {"reference": result.ticket.reference}
    if result.place == 0:
        return "utter_handoff_taken", values
    if result.open_now:
        if result.place == 1:
            return "utter_handoff_next", values
        values |= {"place": str(result.place), "minutes": str(result.wait_minutes)}
        return "utter_handoff_queued", values
    opens = result.opens_at
    if opens is None:
        return "utter_handoff_later", values
    today = result.ticket.created_at.astimezone(opens.tzinfo).date()
    values |= {
        "day": relative_day(opens.date(), today),
        "time": clock_time(opens),
        "zone": opens.strftime("%Z"),
    }
    return "utter_handoff_closed", values


async def offer_or_hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer: str, trigger: Trigger
) -> list[EventType]:
    """Offer a person with `offer`, the first time; once offered, hand off at once."""
    if offered(tracker):
        return await hand_off(dispatcher, tracker, trigger)
    say(dispatcher, offer)
    return [SlotSet(OFFERED, str(trigger))]


class ActionFrustrated(Action):
    """A frustrated message: the first offers a person, the second hands off."""

    def name(self) -> str:
        return "action_frustrated"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await offer_or_hand_off(dispatcher, tracker, "utter_frustrated", Trigger.FRUSTRATED)


async def locked_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Verification locked out: said every time, with a person offered (its button files
    a ticket for the lockout). Never a ticket by itself: a stranger trying details can
    lock out at will, and a ticket per try would flood the team's queue."""
    say(dispatcher, "utter_verification_locked")
    return [SlotSet(OFFERED, str(Trigger.LOCKED_OUT))]
