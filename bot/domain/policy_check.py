"""Checking a parsed policy file into a `StorePolicy`: every problem, each with its key.

The file is read elsewhere (`bot.adapters.policy_file`); this module sees only the mapping
it parsed to, so it stays pure. Problems read `delivered_not_received.wait_hours: must be a
number of hours > 0`; all of them are raised together in one `PolicyInvalid`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import PolicyInvalid
from bot.domain.policy_fields import MISSING, Section
from bot.domain.store_policy import (
    Alternative,
    CarrierRules,
    ChangeRule,
    ClaimType,
    ClaimWindow,
    Offer,
    RefundBasis,
    Refunds,
    RemedyRule,
    ShipWindow,
    Stalled,
    StorePolicy,
)


def check_policy(data: object, source: str = "the store policy") -> StorePolicy:
    """The policy a parsed file describes, or PolicyInvalid listing every problem."""
    problems: list[str] = []
    top = Section(problems, "", data)
    policy = _policy(top)
    top.done()
    if problems:
        raise PolicyInvalid(problems, source)
    return policy


def _policy(top: Section) -> StorePolicy:
    store = top.section("store")
    name, country = store.text("name"), store.text("country", "a two-letter country code")
    zone, currency = _zone(store), store.text("currency", "a three-letter currency code")
    if country and len(country) != 2:
        store.problem("country", "must be a two-letter country code")
    store.done()
    return StorePolicy(
        name=name,
        country=country.upper(),
        timezone=zone,
        currency=currency.upper(),
        ship_window=_ship_window(top.section("ship_window")),
        grace=_grace(top.section("lateness")),
        stalled=_stalled(top.section("stalled")),
        forgotten_label=_one(top.section("forgotten_label"), "days", "days"),
        pickup_hold=_one(top.section("pickup"), "hold_days", "days"),
        delivered_not_received=_not_received(top.section("delivered_not_received")),
        damaged=_damaged(top.section("damaged")),
        cancel=_change(top.section("cancel")),
        address_change=_change(top.section("address_change")),
        refunds=_refunds(top.section("refunds")),
        remedies=_remedies(top.section("remedies")),
        carriers=_carriers(top),
    )


def _zone(store: Section) -> str:
    zone = store.text("timezone", "a time zone name, like America/New_York")
    try:
        if zone:
            ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        store.problem("timezone", "must be a time zone name, like America/New_York")
    return zone


def _one(section: Section, name: str, unit: str, positive: bool = True) -> timedelta:
    value = section.duration(name, unit, positive)
    section.done()
    return value


def _grace(s: Section) -> timedelta:
    grace = timedelta(days=s.count("grace_days"))
    s.done()
    return grace


def _ship_window(s: Section) -> ShipWindow:
    window = ShipWindow(s.count("business_days"), s.clock_time("cutoff"), s.dates("holidays"))
    s.done()
    return window


def _stalled(s: Section) -> Stalled:
    stalled = Stalled(
        domestic=s.duration("domestic_days", "days"),
        international=s.duration("international_days", "days"),
        past_estimate=s.duration("past_estimate_hours", "hours", positive=False),
        lost_after=s.duration("lost_after_days", "days"),
    )
    longest = max(stalled.domestic, stalled.international)
    if stalled.lost_after and longest and stalled.lost_after <= longest:
        s.problem("lost_after_days", "must be more than domestic_days and international_days")
    s.done()
    return stalled


def _not_received(s: Section) -> ClaimWindow:
    window = ClaimWindow(s.duration("wait_hours", "hours"), s.duration("claim_days", "days"))
    if window.wait and window.claim_within and window.claim_within <= window.wait:
        s.problem("claim_days", "must be longer than wait_hours")
    s.done()
    return window


def _damaged(s: Section) -> ClaimWindow:
    window = ClaimWindow(timedelta(0), s.duration("claim_days", "days"), s.flag("photos_required"))
    s.done()
    return window


def _change(s: Section) -> ChangeRule:
    rule = ChangeRule(s.flag("per_shipment"), s.choices("after_shipping", Alternative))
    s.done()
    return rule


def _refunds(s: Section) -> Refunds:
    refunds = Refunds(
        s.money("person_above") or Decimal(0), s.duration("repeat_claims_within_days", "days")
    )
    s.done()
    return refunds


def _remedies(s: Section) -> dict[ClaimType, RemedyRule]:
    rules = {}
    for claim in ClaimType:
        r = s.section(claim.value)
        rules[claim] = RemedyRule(
            offer=r.choices("offer", Offer),
            refund=r.choice("refund", RefundBasis) or RefundBasis.ITEM,
            include_shipping=r.flag("include_shipping", required=False),
            reship_up_to=r.money("reship_up_to", required=False),
        )
        r.done()
    s.done()
    return rules


def _carriers(top: Section) -> dict[str, CarrierRules]:
    value = top.get("carriers", required=False)
    carriers = Section(top.problems, "carriers", {} if value is MISSING else value)
    rules = {}
    for code in carriers.data:
        c = carriers.section(str(code))
        rules[str(code).lower()] = CarrierRules(
            redirect=c.flag("redirect", required=False),
            wait=c.optional_duration("wait_hours", "hours"),
            lost_after=c.optional_duration("lost_after_days", "days"),
            domestic=c.optional_duration("domestic_days", "days"),
            international=c.optional_duration("international_days", "days"),
        )
        c.done()
    return rules
