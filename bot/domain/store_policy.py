"""The store's written policy as values: windows, thresholds, remedies, per-carrier overrides.

The file format is documented in docs/policy.md; `bot.domain.policy_check` turns a parsed
file into a `StorePolicy` and `bot.adapters.policy_file` reads it. `DEFAULT_POLICY` is the
demo store's policy, the same values as policy/store.yml.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


class ClaimType(enum.StrEnum):
    """What a shopper claims about a parcel."""

    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    LOST = "lost"


class Offer(enum.StrEnum):
    """What the store may offer to put a claim right (what the shopper agrees to: claims.Remedy)."""

    RESHIP = "reship"
    REFUND = "refund"


class RefundBasis(enum.StrEnum):
    """What a refund is worth: the whole order, the item claimed, or the shipping paid."""

    ORDER = "order"
    ITEM = "item"
    SHIPPING = "shipping"


class Alternative(enum.StrEnum):
    """What a shopper can do once a parcel has shipped and can no longer be changed."""

    REFUSE_DELIVERY = "refuse_delivery"
    RETURN = "return"
    CARRIER_REDIRECT = "carrier_redirect"


@dataclass(frozen=True)
class ShipWindow:
    """How fast the store ships: business days after the order, counted from the cut-off."""

    business_days: int
    cutoff: time
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Stalled:
    """When a moving parcel counts as stalled, and when as likely lost."""

    domestic: timedelta
    international: timedelta
    past_estimate: timedelta
    lost_after: timedelta


@dataclass(frozen=True)
class ClaimWindow:
    """When a claim may be made, counted from the delivered scan."""

    wait: timedelta
    claim_within: timedelta
    photos_required: bool = False


@dataclass(frozen=True)
class ChangeRule:
    """Cancelling or changing the address: allowed before a parcel ships, then alternatives."""

    per_shipment: bool
    after_shipping: tuple[Alternative, ...]


@dataclass(frozen=True)
class Refunds:
    """When a person, not the bot, decides a claim."""

    person_above: Decimal
    repeat_within: timedelta


@dataclass(frozen=True)
class RemedyRule:
    """What one claim type earns: the remedies offered and what a refund covers."""

    offer: tuple[Offer, ...]
    refund: RefundBasis
    include_shipping: bool = False
    reship_up_to: Decimal | None = None


@dataclass(frozen=True)
class CarrierRules:
    """A carrier's own thresholds (None: the store's) and whether it can redirect a parcel."""

    redirect: bool = False
    wait: timedelta | None = None
    lost_after: timedelta | None = None
    domestic: timedelta | None = None
    international: timedelta | None = None


NO_OVERRIDES = CarrierRules()


@dataclass(frozen=True)
class StorePolicy:
    """Everything the store has written down about shipping, changes and claims."""

    name: str
    country: str
    timezone: str
    currency: str
    ship_window: ShipWindow
    grace: timedelta
    stalled: Stalled
    forgotten_label: timedelta
    delivered_not_received: ClaimWindow
    damaged: ClaimWindow
    cancel: ChangeRule
    address_change: ChangeRule
    refunds: Refunds
    remedies: Mapping[ClaimType, RemedyRule]
    carriers: Mapping[str, CarrierRules] = field(default_factory=dict)
    pickup_hold: timedelta = timedelta(days=5)  # how long a pickup point keeps a parcel

    @property
    def zone(self) -> ZoneInfo:
        """The store's time zone: its days, cut-off and business days."""
        return ZoneInfo(self.timezone)

    def carrier(self, code: str) -> CarrierRules:
        """A carrier's overrides (none for a carrier the policy does not name)."""
        return self.carriers.get(code.lower(), NO_OVERRIDES)

    def stalled_after(self, carrier: str, international: bool) -> timedelta:
        """How long a moving parcel may go without a scan before it counts as stalled."""
        rules = self.carrier(carrier)
        if international:
            return _either(rules.international, self.stalled.international)
        return _either(rules.domestic, self.stalled.domestic)

    def lost_after(self, carrier: str) -> timedelta:
        """How long without a scan before a parcel counts as likely lost."""
        return _either(self.carrier(carrier).lost_after, self.stalled.lost_after)

    def wait(self, carrier: str) -> timedelta:
        """How long after a delivered scan a missing parcel is still looked for, not claimed."""
        return _either(self.carrier(carrier).wait, self.delivered_not_received.wait)

    def can_redirect(self, carrier: str) -> bool:
        """Whether the carrier lets a shopper redirect a parcel in transit."""
        return self.carrier(carrier).redirect


def _either(override: timedelta | None, default: timedelta) -> timedelta:
    return default if override is None else override


DEFAULT_POLICY = StorePolicy(
    name="Woodland Market",
    country="US",
    timezone="America/New_York",
    currency="USD",
    ship_window=ShipWindow(
        business_days=2,
        cutoff=time(14, 0),
        holidays=frozenset({date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1)}),
    ),
    grace=timedelta(0),
    stalled=Stalled(
        domestic=timedelta(days=4),
        international=timedelta(days=7),
        past_estimate=timedelta(hours=48),
        lost_after=timedelta(days=10),
    ),
    forgotten_label=timedelta(days=3),
    delivered_not_received=ClaimWindow(wait=timedelta(hours=36), claim_within=timedelta(days=30)),
    damaged=ClaimWindow(wait=timedelta(0), claim_within=timedelta(days=14), photos_required=True),
    cancel=ChangeRule(True, (Alternative.REFUSE_DELIVERY, Alternative.RETURN)),
    address_change=ChangeRule(True, (Alternative.CARRIER_REDIRECT, Alternative.REFUSE_DELIVERY)),
    refunds=Refunds(person_above=Decimal("150.00"), repeat_within=timedelta(days=90)),
    remedies={
        ClaimType.NOT_RECEIVED: RemedyRule(
            (Offer.RESHIP, Offer.REFUND), RefundBasis.ORDER, True, Decimal("300.00")
        ),
        ClaimType.DAMAGED: RemedyRule(
            (Offer.RESHIP, Offer.REFUND), RefundBasis.ITEM, False, Decimal("300.00")
        ),
        ClaimType.LOST: RemedyRule(
            (Offer.RESHIP, Offer.REFUND), RefundBasis.ORDER, True, Decimal("300.00")
        ),
    },
    carriers={
        "ups": CarrierRules(redirect=True),
        "fedex": CarrierRules(redirect=True),
        "usps": CarrierRules(
            redirect=True, wait=timedelta(hours=48), lost_after=timedelta(days=15)
        ),
        "dhl": CarrierRules(
            redirect=False, lost_after=timedelta(days=21), international=timedelta(days=10)
        ),
    },
)
