"""SMS and WhatsApp through Twilio, answering only what Twilio signed.

Stock `TwilioInput` trusts any POST, so anyone could speak as any phone
number. Here a message counts only with a valid `X-Twilio-Signature` over the
configured public URL (`TWILIO_PUBLIC_URL`, never the Host or forwarded
headers a proxy or a forger sets): else 403. Then:

- Twilio gets an empty TwiML answer at once and the turn runs in the
  background (Twilio gives up on a webhook after 15 s and retries it); a
  `MessageSid` seen before is acknowledged and not run again;
- the conversation is `sms:+15551234567`, or Twilio's own
  `whatsapp:+15551234567`, and the only metadata is the channel's sealed
  `ClientIdentity`, the phone number included (bot/channels/identity.py);
- on SMS a whole message STOP, START or HELP (and their aliases,
  bot/channels/texting.py) reaches Rasa as `/sms_keyword`, the keyword in the
  identity: Twilio has already opted the number out or in, the bot records it;
- buttons go out as a numbered list; a reply naming one (by number or title)
  reaches Rasa as that button's payload; `¡` written for `@` in an email is
  read as `@`; a message over `MAX_MESSAGE_CHARS` is answered with the limit.

Replies go to Twilio's Messages API (`TWILIO_API_URL`) with aiohttp, split at
sentence ends (320 characters for SMS, 1,600 for WhatsApp), retrying 5xx and
connection errors (bot/channels/twilio_api.py); nothing raises into Rasa.

    credentials.yml:  bot.channels.twilio.SignedTwilioInput:

Rasa side: Rasa, what it pins (sanic, aiohttp, twilio) and the standard library.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY, ClientIdentity
from bot.channels.messaging_settings import TwilioSettings
from bot.channels.rest import message_limit, too_long_text
from bot.channels.texting import (
    SMS_LIMIT,
    keyword_of,
    numbered_buttons,
    pick_button,
    read_old_phone_text,
    split_message,
)
from bot.channels.twilio_api import TwilioApi

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Buttons = Sequence[Mapping[str, Any]]

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
KEYWORD_TEXT = "/sms_keyword"
WHATSAPP_PREFIX = "whatsapp:"
SMS_PREFIX = "sms:"
TWILIO_WHATSAPP_LIMIT = 1600  # Twilio's body limit for WhatsApp messages
E164 = re.compile(r"\+[1-9]\d{6,14}")
REMEMBERED = 10_000  # message ids, and senders' last buttons, kept in memory
BUTTONS_LIFETIME = 24 * 3600.0  # a reply "2" a day later no longer picks a button


class ButtonMemory:
    """The buttons last sent to each sender, shared by the input and output channels."""

    def __init__(self, size: int = REMEMBERED, lifetime: float = BUTTONS_LIFETIME) -> None:
        self.size, self.lifetime = size, lifetime
        self._sent: OrderedDict[str, tuple[float, list[dict[str, Any]]]] = OrderedDict()

    def remember(self, sender: str, buttons: Buttons) -> None:
        """These buttons are now the ones a reply of `sender` may pick."""
        self._sent.pop(sender, None)
        self._sent[sender] = (time.monotonic(), [dict(button) for button in buttons])
        while len(self._sent) > self.size:
            self._sent.popitem(last=False)

    def take(self, sender: str) -> list[dict[str, Any]]:
        """The buttons the sender's next message may pick: they count for one reply only."""
        sent_at, buttons = self._sent.pop(sender, (0.0, []))
        return buttons if time.monotonic() - sent_at <= self.lifetime else []


class SeenIds:
    """The last `size` message ids: Twilio retries a webhook it thinks failed."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, message_id: str) -> bool:
        """True the first time an id is seen, False after."""
        if message_id in self._ids:
            return False
        self._ids[message_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def _who(recipient: str) -> str:
    return identity.hash_id(recipient)


class TwilioOutput(OutputChannel):
    """Replies as Twilio messages: split, buttons numbered, cards left to the widget."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(
        self, settings: TwilioSettings, buttons: ButtonMemory, api: TwilioApi, batch: bool = False
    ) -> None:
        self.settings, self.buttons, self.api = settings, buttons, api
        # A shopper's turn is sent as one text, split only where the limit says: a status
        # answer is several sentences, and five texts for one question read (and bill) badly.
        self.pending: list[tuple[str, str]] | None = [] if batch else None

    def route(self, recipient_id: str) -> tuple[str, str, int] | None:
        """To, From and the part length for a sender id; None for one not ours."""
        if recipient_id.startswith(SMS_PREFIX):
            return recipient_id[len(SMS_PREFIX) :], self.settings.number, SMS_LIMIT
        if recipient_id.startswith(WHATSAPP_PREFIX):
            return recipient_id, self.settings.whatsapp_number, TWILIO_WHATSAPP_LIMIT
        return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if self.pending is not None:
            self.pending.append((recipient_id, text))
            return
        await self.deliver(recipient_id, text)

    async def flush(self) -> None:
        """The turn's texts, kept back by a batching output, joined and sent."""
        pending, self.pending = self.pending or [], None
        for recipient in dict.fromkeys(r for r, _ in pending):
            await self.deliver(recipient, "\n\n".join(t for r, t in pending if r == recipient))

    async def deliver(self, recipient_id: str, text: str) -> None:
        """One text to a sender id, in parts within the channel's limit, in order."""
        route = self.route(recipient_id)
        if route is None:
            logger.error("no Twilio address for the sender id %s", _who(recipient_id))
            return
        to, sender, limit = route
        for part in split_message(text, limit):
            if not await self.api.send(to, sender, part):
                return  # the rest would read wrong without this part

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.buttons.remember(recipient_id, buttons)
        await self.send_text_message(recipient_id, numbered_buttons(text, buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Only a payload's `text` is sent: cards are for the widget."""
        text = json_message.get("text")
        if isinstance(text, str) and text.strip():
            await self.send_text_message(recipient_id, text)


class SignedTwilioInput(InputChannel):
    """`/webhooks/twilio/webhook`, for requests Twilio signed."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SignedTwilioInput:
        return cls()

    def __init__(
        self,
        settings: TwilioSettings | None = None,
        secret: bytes | None = None,
        max_message_chars: int | None = None,
    ) -> None:
        self.settings = TwilioSettings.from_env(os.environ) if settings is None else settings
        self.secret = identity.load_secret() if secret is None else secret
        self.max_message_chars = message_limit(max_message_chars)
        self.validator = RequestValidator(self.settings.auth_token)
        self.buttons = ButtonMemory()
        self.seen = SeenIds()
        self.api = TwilioApi(self.settings)
        self.tasks: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.settings, self.buttons, self.api)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Nothing the request carried: the identity is sealed in `receive`."""
        return None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"twilio_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return self.receive(request, on_new_message)

        return webhook

    def signed(self, request: Request, form: RequestParameters) -> bool:
        """Whether Twilio signed this request (its form) for the configured URL."""
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        return bool(self.validator.validate(self.settings.public_url, form, signature))

    def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """One webhook call: checked, acknowledged now, its turn run in the background."""
        form = _form(request)
        if not self.signed(request, form):
            logger.warning("Twilio webhook call without a valid signature refused")
            return response.text("invalid signature", status=403)
        phone = str(form.get("From") or "")
        text = str(form.get("Body") or "")
        message_id = str(form.get("MessageSid") or "") or None
        if message_id is not None and not self.seen.first_time(message_id):
            return _acknowledged()
        whatsapp = phone.startswith(WHATSAPP_PREFIX)
        if whatsapp:
            phone = phone[len(WHATSAPP_PREFIX) :]
        if not E164.fullmatch(phone) or not text.strip():
            logger.info("Twilio message without a phone number or text ignored")
            return _acknowledged()
        sender = f"{WHATSAPP_PREFIX if whatsapp else SMS_PREFIX}{phone}"
        self.start(self.handle(sender, phone, text, message_id, whatsapp, on_new_message))
        return _acknowledged()

    def start(self, turn: Coroutine[Any, Any, None]) -> None:
        """Run a turn in the background, holding on to it until it ends."""
        task = asyncio.create_task(turn)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def handle(
        self,
        sender: str,
        phone: str,
        text: str,
        message_id: str | None,
        whatsapp: bool,
        on_new_message: OnNewMessage,
    ) -> None:
        """One shopper's message through Rasa; every failure logged, none raised."""
        output = TwilioOutput(self.settings, self.buttons, self.api, batch=True)
        try:
            if len(text) > self.max_message_chars:
                await output.send_text_message(sender, too_long_text(self.max_message_chars))
                return
            keyword = None if whatsapp else keyword_of(text)
            metadata = self.metadata_for(sender, phone, keyword)
            await on_new_message(
                UserMessage(
                    self.text_for(sender, text, keyword),
                    output,
                    sender,
                    input_channel=self.name(),
                    message_id=message_id,
                    metadata=metadata,
                )
            )
        except asyncio.CancelledError:
            logger.error("Twilio message of %s cancelled", _who(sender))
        except Exception:  # the boundary: Twilio was answered already; log it
            logger.exception("Twilio message of %s failed", _who(sender))
        finally:
            await output.flush()

    def text_for(self, sender: str, text: str, keyword: str | None) -> str:
        """What Rasa reads: a keyword's intent, a picked button's payload, or the text."""
        buttons = self.buttons.take(sender)
        if keyword is not None:
            return KEYWORD_TEXT
        picked = pick_button(text, buttons)
        return picked if picked is not None else read_old_phone_text(text)

    def metadata_for(self, sender: str, phone: str, keyword: str | None) -> dict[str, Any]:
        """The message's whole metadata: the phone number Twilio's signature vouches for."""
        client = ClientIdentity(
            channel=self.name(), conversation=sender, subject=phone, phone=phone, keyword=keyword
        )
        return {IDENTITY_KEY: identity.seal(client, self.secret)}


def _form(request: Request) -> RequestParameters:
    """The posted form, empty fields kept: Twilio signs them too (Sanic's `form` drops them)."""
    if not request.content_type.startswith("application/x-www-form-urlencoded"):
        return RequestParameters()
    body = request.body.decode("utf-8", "replace")
    return RequestParameters(parse_qs(body, keep_blank_values=True))


def _acknowledged() -> HTTPResponse:
    return response.text(EMPTY_TWIML, content_type="text/xml")
