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

from collections.abc import Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.lookup import entity_values
from actions.replies import say, wording
from actions.runtime import call, call_store, guarded, services
from bot.adapters.rasa_conversations import ENTITY as CONSOLE_ENTITY
from bot.adapters.rasa_conversations import read_console_token
from bot.domain.tickets import ConsoleEvent, Contact, Trigger
from bot.domain.wording import clock_time, relative_day
from bot.services.handoff import ContactResult, HandoffResult, Reach

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
    dispatcher: CollectingDispatcher, tracker: Tracker, trigger: Trigger, note: str | None = None
) -> list[EventType]:
    """Open (or find) the conversation's ticket and say truthfully what happens next;
    `note` tells the team what this turn did (it is not in the tracker yet)."""
    wired = services()
    order_number = tracker.get_slot("last_order")
    result = await call(
        wired.handoff.hand_off,
        client_of(tracker),
        trigger,
        str(order_number) if order_number else None,
        [*lines_told(tracker), *([note] if note else [])],
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


class ActionConsoleEvent(Action):
    """What the agent console tells the conversation, said in the assistant's words.

    The console triggers `EXTERNAL_console` with a token it signed for this conversation
    (bot/adapters/rasa_conversations.py); anything else is ignored, so typing the intent
    pauses nobody. A person joined: said (the rules end a form in progress first), and
    the assistant is paused (Rasa's ConversationPaused). Handed back or closed: said (the
    console resumed the conversation first), with the order the assistant still knows,
    and a person may be offered again later.
    """

    def name(self) -> str:
        return "action_console_event"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        token = next(iter(entity_values(tracker, CONSOLE_ENTITY)), "")
        said = read_console_token(services().settings.secret, token, tracker.sender_id)
        if said is None:
            return []
        values = {"agent": said["agent"], "reference": said["reference"]}
        if said["event"] == ConsoleEvent.JOINED:
            say(dispatcher, "utter_agent_joined", values)
            return [ConversationPaused()]
        order = tracker.get_slot("last_order")
        if said["event"] == ConsoleEvent.CLOSED:
            say(dispatcher, "utter_agent_closed", values)
        elif order:
            say(dispatcher, "utter_agent_handed_back_order", values | {"order_number": str(order)})
        else:
            say(dispatcher, "utter_agent_handed_back", values)
        return [SlotSet(OFFERED, None)]


CONTACT_ENTITY = "contact"  # from the buttons of the "nobody took it yet" notice
ARRANGED = {
    Contact.CALLBACK: "utter_handoff_contact_callback",
    Contact.EMAIL: "utter_handoff_contact_email",
}
# Where the team will answer, as the shopper is told it: never the number or the address.
WHERE = {
    Reach.THIS_PHONE: "utter_handoff_where_this_phone",
    Reach.ORDER_PHONE: "utter_handoff_where_order_phone",
    Reach.ORDER_EMAIL: "utter_handoff_where_order_email",
}


class ActionHandoffContact(Action):
    """The shopper's answer to "nobody took it yet": a call back, an email, or waiting here,
    each promised only when the team can truly answer that way (and recorded for it)."""

    def name(self) -> str:
        return "action_handoff_contact"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        wanted = contact_of(tracker)
        result = await call_store(services().handoff.ask_contact, client_of(tracker), wanted)
        words = wording(domain, tracker.get_latest_input_channel())
        response, values = contact_reply(result, words)
        say(dispatcher, response, values)
        return []


def contact_of(tracker: Tracker) -> Contact | None:
    """The way to be answered the shopper picked; None to keep waiting (or when unclear)."""
    value = next(
        (
            str(e.get("value"))
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == CONTACT_ENTITY
        ),
        "",
    )
    return next((c for c in Contact if c.value == value), None)


def contact_reply(
    result: ContactResult, words: Callable[[str, dict[str, str]], str]
) -> tuple[str, dict[str, str]]:
    """The response that answers the shopper's choice truthfully, and its values."""
    if result.ticket is None:
        return "utter_handoff_contact_gone", {}
    values = {"reference": result.ticket.reference}
    if result.wanted is None:
        return "utter_handoff_contact_wait", values
    if result.reach is None:
        return "utter_handoff_contact_unknown", values
    where = words(WHERE[result.reach], {"order_number": result.ticket.order_number or ""})
    return ARRANGED[result.wanted], values | {"where": where}
