"""What became of a claim: asked in any conversation, after the shopper proved the order."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.replies import say
from actions.runtime import call_store, services
from bot.domain.access import Client
from bot.domain.claims import Claim, ClaimState, ClaimType, Remedy, normalize_reference
from bot.domain.errors import NotOrderOwner
from bot.domain.wording import day_label, money


async def tell_claims(
    dispatcher: CollectingDispatcher, client: Client, order_number: str, reference: object
) -> None:
    """The claim named (among the client's orders), or every claim of the chosen order."""
    changes = services().changes
    if isinstance(reference, str) and normalize_reference(reference):
        try:
            claim = await call_store(changes.find_claim, client, reference)
        except NotOrderOwner:  # no such claim, or on an order not proven here: the same words
            say(dispatcher, "utter_claim_not_found", {"reference": reference.upper()})
            return
        tell(dispatcher, claim)
        return
    claims = await call_store(changes.claims_of, client, order_number)
    if not claims:
        say(dispatcher, "utter_no_claims", {"order_number": order_number})
    for claim in claims:
        tell(dispatcher, claim)


def tell(dispatcher: CollectingDispatcher, claim: Claim) -> None:
    """One claim: what, since when, the remedy chosen, where it stands and what comes next."""
    values = {
        "reference": claim.reference,
        "order_number": claim.order_number,
        "opened": day_label(claim.opened_at.date()),
        "follow_up_on": day_label(claim.follow_up_on),
        "refund": money(claim.amount, claim.currency) if claim.amount is not None else "",
    }
    say(dispatcher, f"utter_claim_found_{claim.type}", values)
    say(dispatcher, f"utter_claim_remedy_{claim.remedy}", values)
    say(dispatcher, f"utter_claim_state_{claim.state}", values)


def possible_responses() -> set[str]:
    """Every name `tell` can build, for the checks of the domain's responses."""
    names = {f"utter_claim_found_{t}" for t in ClaimType}
    names |= {f"utter_claim_remedy_{r}" for r in Remedy}
    return names | {f"utter_claim_state_{s}" for s in ClaimState}
