"""Proactive messages: the notices the notifier sends, and the rules they follow.

A notice is one message for one shopper (a channel and the Rasa sender id there),
kept in a ledger under a unique key, so that the same change seen twice (by a
webhook and by a poll, or by two processes) is one notice. It is sent once: the
action that utters it claims it (pending -> sent) and only one claim wins.
Messages wait out the shopper's quiet hours, read in the time zone of the
order's shipping address; a failed send is tried again later, then given up.
Facts are words-ready values, never an address line, an email or a phone.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.orders import Address
from bot.domain.shipments import (
    DELAY_DETAILS,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    parse_detail,
)
from bot.domain.verdicts import Situation

# One minute, then 5, 15 and 60; the fifth failure is the last.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = 5
QUIET_START, QUIET_END = time(21, 0), time(8, 0)


class NoticeKind(enum.StrEnum):
    """Why the assistant writes first."""

    STATUS_CHANGE = "status_change"
    CHECK_BACK = "check_back"
    AT_RISK = "at_risk"
    HANDOFF_OVERDUE = "handoff_overdue"  # nobody on the team took the shopper's ticket in time


class NoticeState(enum.StrEnum):
    """Where a notice stands; `sent` and `failed` are final."""

    PENDING = "pending"
    DEFERRED = "deferred"  # waiting out quiet hours
    SENT = "sent"
    FAILED = "failed"


class Risk(enum.StrEnum):
    """What puts a parcel at risk, announced before the shopper asks."""

    STALLED = "stalled"
    TRENDING_LATE = "trending_late"
    LABEL_NOT_SCANNED = "label_not_scanned"


# The policy's reading of a parcel (bot.domain.readings) that counts as each risk.
RISK_OF_SITUATION = {
    Situation.STALLED: Risk.STALLED,
    Situation.LIKELY_LOST: Risk.STALLED,
    Situation.TRENDING_LATE: Risk.TRENDING_LATE,
    Situation.LATE: Risk.TRENDING_LATE,
    Situation.FORGOTTEN_LABEL: Risk.LABEL_NOT_SCANNED,
}

# Details that make a change worth a message on their own; plain scans
# (arrival, departure) inside one status are not.
NOTABLE_DETAILS = DELAY_DETAILS | {
    StatusDetail.ADDRESS_ISSUE,
    StatusDetail.RECIPIENT_UNAVAILABLE,
    StatusDetail.REFUSED,
    StatusDetail.DAMAGED,
    StatusDetail.LOST,
    StatusDetail.HELD_AT_FACILITY,
    StatusDetail.RETURNED,
}


@dataclass(frozen=True)
class Notice:
    """One proactive message for one shopper, as the ledger keeps it."""

    key: str
    kind: NoticeKind
    order_number: str | None  # None: a hand-off notice of a conversation with no order
    tracking_number: str | None
    channel: str
    recipient: str  # the Rasa sender id on `channel`
    facts: dict[str, str]  # words-ready values: never an address line, an email or a phone
    created_at: datetime
    next_attempt_at: datetime
    state: NoticeState = NoticeState.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    triggered_at: datetime | None = None  # Rasa took the trigger; the action claims it
    last_error: str | None = None
    check_back_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Subscription:
    """A shopper's consent to updates on one order, on one channel."""

    order_number: str
    channel: str
    recipient: str
    consented_at: datetime
    stopped_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        """Whether updates are still wanted."""
        return self.stopped_at is None


@dataclass(frozen=True)
class StatusChange:
    """A parcel's notable state as a carrier reported it, and since when."""

    tracking_number: str
    status: ShipmentStatus
    detail: StatusDetail | str | None
    since: datetime | None  # the first scan of the current state, None without scans

    @property
    def key(self) -> str:
        """The same for the same change however it is learnt (webhook or poll)."""
        since = self.since.isoformat() if self.since else "-"
        return f"{self.tracking_number}|{self.status.value}|{self.detail or '-'}|{since}"


def notable_detail(detail: StatusDetail | str | None) -> StatusDetail | None:
    """The detail if it matters to the shopper on its own, else None."""
    known = parse_detail(detail) if isinstance(detail, str) else detail
    return known if isinstance(known, StatusDetail) and known in NOTABLE_DETAILS else None


def status_change(tracking: Tracking) -> StatusChange:
    """The parcel's notable state: its status (and notable detail) since the scan that began it."""
    detail = notable_detail(tracking.detail)
    since = None
    for event in reversed(tracking.events):
        if event.status is not tracking.status or notable_detail(event.detail) != detail:
            break
        since = event.time
    return StatusChange(tracking.tracking_number, tracking.status, detail, since)


def notice_key(kind: NoticeKind, subject: str, channel: str, recipient: str) -> str:
    """The ledger key of a notice: what it is about, for whom (hashed: no phone in the key)."""
    digest = hashlib.sha256(f"{subject}\n{channel}\n{recipient}".encode()).hexdigest()
    return f"{kind.value}:{digest[:40]}"


def check_back_key(check_back_id: int) -> str:
    """The ledger key of the notice that delivers a check-back."""
    return f"check_back:{check_back_id}"


def status_facts(tracking: Tracking, carrier_label: str) -> dict[str, str]:
    """Words-ready facts of a status change: status, detail, estimate, city, carrier."""
    facts = {"status": tracking.status.value, "carrier": carrier_label}
    if tracking.detail:
        facts["status_detail"] = str(tracking.detail)
    if tracking.estimated_delivery:
        facts["estimated_date"] = tracking.estimated_delivery.isoformat()
    last = tracking.last_event
    if last is not None and last.location is not None and last.location.city:
        facts["city"] = last.location.city
    return facts


def backoff(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed sends; None: give up (the notice failed)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]


@dataclass(frozen=True)
class QuietHours:
    """Hours, local to the shopper, in which nothing is sent (start may be after end)."""

    start: time = QUIET_START
    end: time = QUIET_END

    def quiet_at(self, local: time) -> bool:
        """Whether a local wall-clock time falls in the quiet hours."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now: datetime, zone: ZoneInfo) -> datetime:
        """`now` if a message may go now, else the end of these quiet hours, in `zone`."""
        local = now.astimezone(zone)
        if not self.quiet_at(local.time()):
            return now
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return end


@dataclass(frozen=True)
class Zones:
    """Time zones of shipping addresses; `default` (the store's) when the address says none."""

    default: str = "America/New_York"
    by_region: Mapping[tuple[str, str], str] = field(default_factory=lambda: REGION_ZONES)
    by_country: Mapping[str, str] = field(default_factory=lambda: COUNTRY_ZONES)

    def of(self, address: Address | None) -> ZoneInfo:
        """The shopper's time zone, read from the address's region and country."""
        name = self.default
        if address is not None:
            country = address.country.strip().upper()
            region = (address.region or "").strip().upper()
            name = self.by_region.get((country, region)) or self.by_country.get(country, name)
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def _regions(country: str, zones: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """`{zone: "AB CD"}` as `{(country, "AB"): zone, (country, "CD"): zone}`."""
    return {(country, code): zone for zone, codes in zones.items() for code in codes.split()}


# A state or province in more than one zone gets the zone most of its people live in.
REGION_ZONES: dict[tuple[str, str], str] = {
    **_regions(
        "US",
        {
            "America/New_York": "CT DC DE FL GA IN MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
            "America/Chicago": "AL AR IA IL KS KY LA MN MO MS ND NE OK SD TN TX WI",
            "America/Denver": "CO MT NM UT WY ID",
            "America/Phoenix": "AZ",
            "America/Los_Angeles": "CA NV OR WA",
            "America/Anchorage": "AK",
            "Pacific/Honolulu": "HI",
            "America/Puerto_Rico": "PR VI",
            "Pacific/Guam": "GU MP",
        },
    ),
    **_regions(
        "CA",
        {
            "America/Toronto": "ON QC",
            "America/Halifax": "NS NB PE",
            "America/St_Johns": "NL",
            "America/Winnipeg": "MB",
            "America/Regina": "SK",
            "America/Edmonton": "AB NT",
            "America/Vancouver": "BC",
            "America/Whitehorse": "YT",
            "America/Iqaluit": "NU",
        },
    ),
}

COUNTRY_ZONES: dict[str, str] = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "IT": "Europe/Rome",
    "CH": "Europe/Zurich",
    "AT": "Europe/Vienna",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw",
    "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "CN": "Asia/Shanghai",
    "IN": "Asia/Kolkata",
    "SG": "Asia/Singapore",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg",
    "US": "America/New_York",
    "CA": "America/Toronto",
}
