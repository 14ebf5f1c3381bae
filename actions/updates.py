"""Updates the shopper asked for, sent before they ask: consent, STOP, and the notices.

"Text me updates" subscribes the order the lookup proved, on the channel the
shopper wrote from, if that channel can reach them later (SMS and WhatsApp);
"stop updates" stops them, without a lookup (stopping discloses nothing). The
SMS keywords the Twilio channel reads (STOP, START, HELP) come as the intent
`sms_keyword` with the keyword in the channel's sealed identity, so no client
can send them for someone else.

A notice (a status change, a check-back come due, an order at risk, a hand-off nobody
took in time) reaches the conversation from the notifier through Rasa's `trigger_intent`
as `EXTERNAL_notice`, naming the notice in a token only the stack can sign. The
action claims it in the store before it speaks, and a notice already claimed
says nothing: a notice is sent once, whoever retries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards import CARD_STATUSES
from actions.clients import client_of
from actions.lookup import entity_values
from actions.render import CUSTOMS, HELD
from actions.replies import say, wording
from actions.runtime import call_store, guarded, services
from bot.channels.identity import IDENTITY_KEY, unseal
from bot.domain.access import Client
from bot.domain.claims import CheckBackKind
from bot.domain.notices import Notice, NoticeKind, Risk
from bot.domain.wording import day_label

# Channels that can reach a shopper who is not in the conversation right now.
PROACTIVE_CHANNELS = ("twilio", "whatsapp_cloud")
KEYWORD_CHANNEL = "twilio"
KEYWORD_RESPONSES = {"stop": "utter_sms_stopped", "start": "utter_sms_started"}
HELP_RESPONSE = "utter_sms_help"
HANDOFF_OVERDUE_RESPONSE = "utter_notice_handoff_overdue"
# Added by the action: Rasa's templating reads `{...}` in a response's payload as a variable.
# Each title is a response's text; the payload gives `action_handoff_contact` the choice.
HANDOFF_CONTACT_BUTTONS = (
    ("utter_handoff_button_callback", '/handoff_contact{"contact":"callback"}'),
    ("utter_handoff_button_email", '/handoff_contact{"contact":"email"}'),
    ("utter_handoff_button_wait", '/handoff_contact{"contact":"wait"}'),
)


def reachable(client: Client) -> str | None:
    """Where a promised check-back can reach this shopper later: the conversation on a
    phone channel; None elsewhere (a website chat may be closed by then)."""
    return client.conversation if client.channel in PROACTIVE_CHANNELS else None


class ActionSubscribeUpdates(Action):
    """ "Text me updates": on a phone channel, find and prove the order first; elsewhere,
    say where updates can be had."""

    def name(self) -> str:
        return "action_subscribe_updates"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_latest_input_channel() not in PROACTIVE_CHANNELS:
            say(dispatcher, "utter_updates_not_here")
            return []
        return [FollowupAction("order_lookup_form")]


async def subscribe(dispatcher: CollectingDispatcher, tracker: Tracker, order_number: str) -> None:
    """The end of the lookup a subscription started: the consent stored, then confirmed."""
    channel = str(tracker.get_latest_input_channel())
    updates = services().updates
    await call_store(
        updates.subscribe, client_of(tracker), order_number, channel, tracker.sender_id
    )
    say(dispatcher, "utter_updates_on", {"order_number": order_number})


class ActionUnsubscribeUpdates(Action):
    """ "Stop updates": every order's updates to this conversation stop, no proof needed."""

    def name(self) -> str:
        return "action_unsubscribe_updates"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        channel = tracker.get_latest_input_channel()
        if channel not in PROACTIVE_CHANNELS:
            say(dispatcher, "utter_updates_none_here")
            return []
        named = [
            number
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == "order_number"
            and (number := services().numbers.normalize(str(e.get("value"))))
        ]
        order_number = named[0] if named else None  # "stop updates for WM-104233": that one
        stopped = await call_store(
            services().updates.unsubscribe, str(channel), tracker.sender_id, order_number
        )
        if stopped and order_number:
            say(dispatcher, "utter_updates_off_order", {"order_number": order_number})
        else:
            say(dispatcher, "utter_updates_off" if stopped else "utter_updates_none")
        return []


class ActionSmsKeyword(Action):
    """STOP, START and HELP as carriers require; only the Twilio channel can send them."""

    def name(self) -> str:
        return "action_sms_keyword"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        keyword = keyword_of(tracker)
        updates = services().updates
        if keyword == "stop":
            await call_store(updates.opt_out, KEYWORD_CHANNEL, tracker.sender_id)
        elif keyword == "start":
            await call_store(updates.opt_in, KEYWORD_CHANNEL, tracker.sender_id)
        elif keyword != "help":
            say(dispatcher, "utter_default")
            return []
        say(dispatcher, KEYWORD_RESPONSES.get(keyword, HELP_RESPONSE))
        return []


def keyword_of(tracker: Tracker) -> str | None:
    """The keyword the Twilio channel sealed into this message, or None."""
    metadata = tracker.latest_message.get("metadata") or {}
    token = metadata.get(IDENTITY_KEY) if isinstance(metadata, dict) else None
    sealed = unseal(token, services().settings.secret)
    if sealed is None or sealed.channel != KEYWORD_CHANNEL:
        return None
    if sealed.conversation != tracker.sender_id:
        return None
    return sealed.keyword


class ActionSendNotice(Action):
    """Says a notice the notifier triggered, once: claimed in the store before it is said."""

    def name(self) -> str:
        return "action_send_notice"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        token = next(iter(entity_values(tracker, "notice")), "")
        updates = services().updates
        notice = await call_store(updates.open_notice, token, tracker.sender_id)
        if notice is None or not await call_store(updates.claim, notice.id):
            return []
        words = wording(domain, tracker.get_latest_input_channel())
        response, values = notice_reply(notice, words)
        say(dispatcher, response, values, notice_buttons(notice, words))
        return [SlotSet("last_order", notice.order_number)] if notice.order_number else []


def notice_reply(
    notice: Notice, words: Callable[[str, dict[str, str]], str]
) -> tuple[str, dict[str, str]]:
    """The response that says a notice, and its values: status words from the card's."""
    facts = notice.facts
    if notice.kind is NoticeKind.HANDOFF_OVERDUE:
        return HANDOFF_OVERDUE_RESPONSE, {"reference": facts.get("reference", "")}
    values = {
        "order_number": notice.order_number or "",
        "status": words(f"utter_card_status_{card_status(facts)}", {}),
        "eta": _day(facts.get("estimated_date")),
    }
    if notice.kind is NoticeKind.STATUS_CHANGE:
        name = "utter_notice_status_eta" if values["eta"] else "utter_notice_status"
    elif notice.kind is NoticeKind.AT_RISK:
        name = f"utter_notice_at_risk_{facts.get('risk', Risk.STALLED)}"
    else:
        name = f"utter_notice_check_back_{facts.get('check_back_kind', 'delivery_window_end')}"
    return name, values


def notice_buttons(
    notice: Notice, words: Callable[[str, dict[str, str]], str]
) -> list[dict[str, str]] | None:
    """The buttons a notice's message offers: for a hand-off nobody took, other ways to be
    answered (a call, an email) or to keep waiting."""
    if notice.kind is not NoticeKind.HANDOFF_OVERDUE:
        return None
    return [{"title": words(title, {}), "payload": load} for title, load in HANDOFF_CONTACT_BUTTONS]


def card_status(facts: dict[str, str]) -> str:
    """The card status a notice's facts name (a customs hold told apart), else unknown."""
    status = facts.get("status", "")
    if status == "exception" and facts.get("status_detail") in CUSTOMS:
        return HELD
    return status if status in CARD_STATUSES else "unknown"


def _day(iso: str | None) -> str:
    try:
        return day_label(date.fromisoformat(iso[:10])) if iso else ""
    except ValueError:
        return ""


def possible_responses() -> set[str]:
    """Every response name `notice_reply` can build."""
    names = {"utter_notice_status", "utter_notice_status_eta", HANDOFF_OVERDUE_RESPONSE}
    names |= {f"utter_notice_at_risk_{risk}" for risk in Risk}
    return names | {f"utter_notice_check_back_{kind}" for kind in CheckBackKind}
