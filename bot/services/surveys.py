"""The NPS survey at the end of a conversation the bot resolved: asked, scored, explained.

"The same shopper" is a keyed digest, never an address in clear: of the order's email
when the conversation proved the order (so a shopper is asked once a week whether they
write from the widget, by SMS or on WhatsApp), else of the channel's client (the phone
on SMS and WhatsApp, the session on the widget). The conversation counts too: one is
never asked twice within the week, whoever it proves to be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.access import Client, Level
from bot.domain.clock import Clock
from bot.domain.identity import normalize_email
from bot.domain.nps import Survey, may_ask, net_promoter_score, read_reason
from bot.services.access import Access, Digest
from bot.services.ports import SurveyStore


@dataclass
class Surveys:
    """The NPS survey's use cases, over the survey store and what access proved."""

    store: SurveyStore
    access: Access
    digest: Digest
    clock: Clock

    def shopper(self, client: Client, order_number: str | None) -> str:
        """Who the shopper is, as a digest: the proven order's email, else the client."""
        grant = self.access.grants(client).get(order_number) if order_number else None
        if order_number and grant is not None and grant.allows(Level.STATUS):
            order = self.access.orders.get_by_number(order_number)
            email = normalize_email(order.customer.email) if order else None
            if email:
                return self.digest(f"email:{email}")
        return self.digest(f"client:{client.binding}")

    def should_ask(self, client: Client, order_number: str | None, person_involved: bool) -> bool:
        """Whether the survey is due: resolved by the bot, and not asked this week."""
        resolved = bool(order_number)
        if not resolved or person_involved:
            return False
        shopper = self.shopper(client, order_number)
        last = self.store.last_asked(shopper, client.channel, client.conversation)
        return may_ask(resolved=True, person_involved=False, last_asked=last, now=self.clock.now())

    def asked(self, client: Client, order_number: str | None) -> Survey:
        """Record that the survey was just asked in this conversation."""
        survey = Survey(
            shopper=self.shopper(client, order_number),
            channel=client.channel,
            conversation=client.conversation,
            order_number=order_number,
            asked_at=self.clock.now(),
        )
        return self.store.add(survey)

    def ask(self, client: Client, order_number: str | None, person_involved: bool) -> bool:
        """Record the ask if the survey is due; whether it is to be asked now."""
        if not self.should_ask(client, order_number, person_involved):
            return False
        self.asked(client, order_number)
        return True

    def score(self, client: Client, score: int) -> bool:
        """Record the conversation's answer to the question; False if nothing was asked."""
        survey = self.store.open_for(client.channel, client.conversation)
        if survey is None or survey.id is None or survey.score is not None:
            return False
        return self.store.answer_score(survey.id, score, self.clock.now())

    def reason(self, client: Client, text: str) -> bool:
        """Record the reason for the score as typed; False when none was given (or asked)."""
        reason = read_reason(text)
        survey = self.store.open_for(client.channel, client.conversation)
        if reason is None or survey is None or survey.id is None or survey.score is None:
            return False
        return self.store.answer_reason(survey.id, reason)

    def net_promoter(self, since: datetime, until: datetime) -> float | None:
        """The net promoter score of the answers in [since, until); None without answers."""
        return net_promoter_score(self.store.scores(since, until))
