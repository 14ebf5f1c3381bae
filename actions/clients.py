"""Who sent the message an action answers: the channel's sealed word, never a slot.

A message without a valid seal (a forged action request, a channel that vouches
for nothing) gets a client of its own that no grant can ever match. The
identifier a lookup is waiting to check rides in a slot encrypted when it is an
email, so the tracker keeps no address in clear.
"""

from __future__ import annotations

import base64
import secrets

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from rasa_sdk import Tracker

from actions.runtime import services
from bot.channels.identity import IDENTITY_KEY, derive, unseal
from bot.domain.access import Client
from bot.domain.identity import OrderRef, RefKind

UNVERIFIED = "unverified"


def client_of(tracker: Tracker) -> Client:
    """The client the channel vouched for in the latest message, or an unmatchable one."""
    metadata = tracker.latest_message.get("metadata") or {}
    token = metadata.get(IDENTITY_KEY) if isinstance(metadata, dict) else None
    identity = unseal(token, services().settings.secret)
    if identity is None or identity.conversation != tracker.sender_id:
        return Client(UNVERIFIED, tracker.sender_id, secrets.token_hex(16))
    return Client(
        identity.channel, identity.conversation, identity.subject, identity.address, identity.phone
    )


def _fernet() -> Fernet:
    key = derive(services().settings.secret, "slot-ref")
    return Fernet(base64.urlsafe_b64encode(key))


def seal_ref(ref: OrderRef) -> str:
    """The slot value of an identifier: an email is encrypted, numbers are kept as typed."""
    if ref.kind is RefKind.EMAIL:
        return f"{ref.kind.value}:{_fernet().encrypt(ref.value.encode()).decode()}"
    return ref.encode()


def open_ref(value: object) -> OrderRef | None:
    """The identifier a slot holds, or None when the slot holds nothing usable."""
    if not isinstance(value, str) or ":" not in value:
        return None
    try:
        ref = OrderRef.decode(value)
        if ref.kind is RefKind.EMAIL:
            return OrderRef(RefKind.EMAIL, _fernet().decrypt(ref.value.encode()).decode())
    except (ValueError, InvalidToken):
        return None
    return ref


def e164(phone: str | None) -> str | None:
    """A phone number a channel verified, as the order store keeps phones (E.164), or None
    when it is not a possible number. Twilio sends `+14155550134`; WhatsApp's wa_id comes
    as `+14155550134` too; other formats are normalized the same way."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
