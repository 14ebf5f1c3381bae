"""What the console calls a channel and a proof, in the team's words, not the code's.

The store keeps a conversation's channel as Rasa names it (`socketio`, `twilio`,
`whatsapp_cloud`, `rest`) and a ticket's proof as the grant levels it reached
(`status+channel_phone`). An agent reading a ticket wants "SMS" and "the order, to
see it (two of its details)". Twilio carries SMS and WhatsApp: the conversation id's
prefix tells them apart, and only the prefix is read (the rest is the phone).
"""

from __future__ import annotations

CHANNELS = {
    "socketio": "website chat",
    "rest": "REST API",
    "whatsapp_cloud": "WhatsApp",
}
TWILIO_WHATSAPP_PREFIX = "whatsapp:"
# The grant levels (bot/domain/access.py `level_of`): what each proof allowed.
PROOFS = {
    "parcel": "one parcel (its tracking number and postal code)",
    "status": "the order, to see it (two of its details)",
    "change": "the order, to change it (its number and email, or a one-time code)",
    "channel_phone": "the phone they write from",
}


def channel_label(channel: str | None, conversation: str = "") -> str:
    """A channel as the team calls it; an unknown one as it is stored."""
    if channel == "twilio":
        return "WhatsApp (Twilio)" if conversation.startswith(TWILIO_WHATSAPP_PREFIX) else "SMS"
    return CHANNELS.get(channel or "", channel or "unknown")


def proof_label(how: str) -> str:
    """What a shopper proved, each part in words ("none": nothing)."""
    parts = [part for part in how.split("+") if part and part != "none"]
    return "; ".join(PROOFS.get(part, part.replace("_", " ")) for part in parts) or "nothing"
