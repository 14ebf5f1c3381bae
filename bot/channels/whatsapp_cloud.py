"""WhatsApp through Meta's Cloud API: the webhook Meta calls, and the Graph API it answers by.

    GET  /webhooks/whatsapp_cloud/webhook   the subscription handshake (hub.verify_token)
    POST /webhooks/whatsapp_cloud/webhook   messages and receipts, signed X-Hub-Signature-256

A POST whose signature (HMAC-SHA256 of the raw body with the app secret) is
missing or wrong gets a 403 and nothing reaches Rasa. A genuine one gets a 200
at once, as Meta wants, and its messages are handled in the background: text,
a reply-button tap or a template's quick reply (their id is the payload) reach
Rasa from `wa:+<wa_id>` with the phone sealed in the metadata; receipts are
ignored, other kinds (photos, voice notes) get a line saying only text is read.
Meta delivers a webhook again when unsure, so message ids are deduplicated.

Replies go to the Graph API's messages endpoint: 1-3 short buttons as reply
buttons, more as a numbered list a digit answers (`texting.pick_button`). Free
text reaches only someone who wrote in the last 24 hours (Meta's customer
service window): anyone else, as a proactive notice from the notifier, gets the
turn's texts joined into one approved template (`WHATSAPP_TEMPLATE`). The
channel remembers who wrote when, in memory and in a small file
(bot/channels/whatsapp_window.py), so a restart closes nobody's window.

    credentials.yml:  bot.channels.whatsapp_cloud.WhatsAppCloudInput:

Meta's webhook and message shapes, pure, are in bot/channels/whatsapp_payloads.py.

Rasa side: Rasa, aiohttp, sanic, the standard library and bot.channels.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY, ClientIdentity
from bot.channels.messaging_settings import WhatsAppCloudSettings
from bot.channels.rest import message_limit, too_long_text
from bot.channels.texting import keyword_of, numbered_buttons, pick_button
from bot.channels.whatsapp_payloads import (
    SENDER_PREFIX,
    Inbound,
    fits_reply_buttons,
    parse_webhook,
    reply_buttons,
    signature_valid,
    split_text,
    template_text,
    wa_id_of,
)
from bot.channels.whatsapp_window import WindowLedger

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp_cloud"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# The one line the channel words itself (like rest.too_long_text): Rasa never sees the message.
ONLY_TEXT_TEXT = "Sorry, I can only read text messages. Please type your question."
# Meta's customer service window, less a margin for clocks and slow turns.
WINDOW_SECONDS = 24 * 3600 - 300
MEMORY_SIZE = 10_000  # wa_ids (and message ids) remembered; the oldest are forgotten
TEMPLATE_QUIET_SECONDS = 0.5  # a proactive turn's texts arrive together; then one template
RETRY_DELAYS = (0.5, 1.0, 2.0)
TIMEOUT_SECONDS = 10.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class Memory:
    """What the channel remembers of shoppers, bounded: when each last wrote, the numbered
    buttons each may answer, the message ids seen; and the background tasks it runs."""

    def __init__(self, size: int = MEMORY_SIZE, ledger: WindowLedger | None = None) -> None:
        self.size = size
        self.ledger = ledger  # when each shopper wrote, on disk: read for the ones not here
        self.wrote_at: OrderedDict[str, float] = OrderedDict()
        self.buttons: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.tasks: set[asyncio.Task[None]] = set()

    def wrote(self, wa_id: str, at: float | None = None) -> None:
        """The shopper wrote (at `at`, else now): their window opens."""
        now = time.time()
        wrote_at = now if at is None else min(at, now)
        _put(self.wrote_at, wa_id, wrote_at, self.size)
        if self.ledger is not None:
            self.ledger.wrote(wa_id, wrote_at)

    def in_window(self, wa_id: str) -> bool:
        """Whether free text may reach the shopper (they wrote within 24 hours)."""
        wrote_at = self.wrote_at.get(wa_id)
        if wrote_at is None and self.ledger is not None:
            wrote_at = self.ledger.wrote_at(wa_id)
            if wrote_at is not None:
                _put(self.wrote_at, wa_id, wrote_at, self.size)
        return wrote_at is not None and time.time() - wrote_at < WINDOW_SECONDS

    def offer(self, wa_id: str, buttons: Sequence[dict[str, Any]]) -> None:
        """A numbered list went out: the next reply may pick from it."""
        _put(self.buttons, wa_id, list(buttons), self.size)

    def take_offer(self, wa_id: str) -> list[dict[str, Any]]:
        """The buttons the shopper's reply may pick from; forgotten after this reply."""
        return self.buttons.pop(wa_id, [])

    def first_time(self, message_id: str) -> bool:
        """Whether this message id is new (Meta retries a delivery it was unsure of)."""
        if message_id in self.seen:
            return False
        _put(self.seen, message_id, None, self.size)
        return True

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` in the background, keeping it referenced until it ends."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


def _put(memory: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > size:
        memory.popitem(last=False)


class Graph:
    """The Graph API's messages endpoint, over one lazily made aiohttp session."""

    def __init__(self, settings: WhatsAppCloudSettings) -> None:
        self.url = (
            f"{settings.graph_url}/{settings.graph_version}/{settings.phone_number_id}/messages"
        )
        self.headers = {"Authorization": f"Bearer {settings.access_token}"}
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: dict[str, Any]) -> bool:
        """Send one message; retried on 5xx and connection errors; never raises."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **message}
        who = identity.hash_id(str(message.get("to")))
        for delay in (*RETRY_DELAYS, None):
            try:
                async with self.session().post(self.url, json=body, headers=self.headers) as answer:
                    if answer.status < 300:
                        return True
                    detail = (await answer.text())[:300]
                    if answer.status < 500:
                        logger.error(
                            "Graph refused a message to %s: %s %s", who, answer.status, detail
                        )
                        return False
                    logger.warning("Graph answered %s for %s: %s", answer.status, who, detail)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("Graph unreachable for %s: %r", who, error)
            except Exception:  # the boundary: Rasa's turn must not fail on a send
                logger.exception("sending to %s failed", who)
                return False
            if delay is not None:
                await asyncio.sleep(delay)
        logger.error("gave up sending a message to %s", who)
        return False

    def session(self) -> aiohttp.ClientSession:
        """The shared session, made on first use inside the running loop."""
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def close(self) -> None:
        """Close the session, if one was made."""
        if self._session is not None:
            await self._session.close()


class WhatsAppCloudOutput(OutputChannel):
    """Replies through the Graph API; outside the 24-hour window one template per turn."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, graph: Graph, memory: Memory, settings: WhatsAppCloudSettings) -> None:
        self.graph, self.memory, self.settings = graph, memory, settings
        self._held: dict[str, list[str]] = {}
        self._templated: set[str] = set()
        self._flush_task: asyncio.Task[None] | None = None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        wa_id = _recipient(recipient_id)
        if wa_id is None or not text.strip():
            return
        if not self.memory.in_window(wa_id):
            self._hold(wa_id, text)
            return
        for part in split_text(text):
            await self.graph.send({"to": wa_id, "type": "text", "text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        wa_id = _recipient(recipient_id)
        if wa_id is None:
            return
        if self.memory.in_window(wa_id) and fits_reply_buttons(text, buttons):
            await self.graph.send(reply_buttons(wa_id, text, buttons))
            return
        if buttons:
            self.memory.offer(wa_id, buttons)
        await self.send_text_message(recipient_id, numbered_buttons(text, buttons))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A custom payload's text, if it has one; a card has no place on WhatsApp."""
        text = json_message.get("text")
        if isinstance(text, str):
            await self.send_text_message(recipient_id, text)

    def _hold(self, wa_id: str, text: str) -> None:
        if wa_id in self._templated:
            logger.warning("%s is outside the window and had a template this turn", _who(wa_id))
            return
        self._held.setdefault(wa_id, []).append(text)
        if self._flush_task is None:
            self._flush_task = self.memory.spawn(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(TEMPLATE_QUIET_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        """Send the texts held for people outside the window: one template each."""
        held, self._held = self._held, {}
        for wa_id, texts in held.items():
            self._templated.add(wa_id)
            await self.graph.send(self._template(wa_id, texts))

    def _template(self, wa_id: str, texts: Sequence[str]) -> dict[str, Any]:
        parameter = {"type": "text", "text": template_text(texts)}
        return {
            "to": wa_id,
            "type": "template",
            "template": {
                "name": self.settings.template,
                "language": {"code": self.settings.template_language},
                "components": [{"type": "body", "parameters": [parameter]}],
            },
        }


def _recipient(recipient_id: str) -> str | None:
    """The wa_id of a `wa:+<wa_id>` sender id; None, logged, for an id not ours."""
    wa_id = wa_id_of(recipient_id)
    if wa_id is None:
        logger.warning("not a WhatsApp Cloud recipient: %s", identity.hash_id(recipient_id))
    return wa_id


def _who(wa_id: str) -> str:
    return identity.hash_id(SENDER_PREFIX + wa_id)


class WhatsAppCloudInput(InputChannel):
    """`/webhooks/whatsapp_cloud/webhook`, for Meta's signed deliveries."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppCloudInput:
        return cls()

    def __init__(
        self,
        settings: WhatsAppCloudSettings | None = None,
        secret: bytes | None = None,
        max_message_chars: int | None = None,
    ) -> None:
        self.settings = settings or WhatsAppCloudSettings.from_env(os.environ)
        self.secret = identity.load_secret() if secret is None else secret
        self.max_message_chars = message_limit(max_message_chars)
        self.memory = Memory(ledger=WindowLedger(self.settings.window_db, self.secret))
        self.graph = Graph(self.settings)

    def get_output_channel(self) -> WhatsAppCloudOutput:
        return WhatsAppCloudOutput(self.graph, self.memory, self.settings)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def handshake(request: Request) -> HTTPResponse:
            return self.handshake(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return self.receive(request, on_new_message)

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.graph.close()
            if self.memory.ledger is not None:
                self.memory.ledger.close()

        return webhook

    def handshake(self, request: Request) -> HTTPResponse:
        """Meta's subscription check: the challenge back when the verify token is ours."""
        token = request.args.get("hub.verify_token") or ""
        challenge = request.args.get("hub.challenge") or ""
        if (
            request.args.get("hub.mode") == "subscribe"
            and hmac.compare_digest(token.encode(), self.settings.verify_token.encode())
            and 0 < len(challenge) <= 128
        ):
            return response.text(challenge)
        return response.text("forbidden", status=403)

    def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """A delivery: checked, acknowledged at once, its messages handled in the background."""
        body = request.body or b""
        if not signature_valid(
            self.settings.app_secret, body, request.headers.get(SIGNATURE_HEADER)
        ):
            return response.text("forbidden", status=403)
        try:
            parsed = json.loads(body)
        except ValueError:
            return response.text("not JSON", status=400)
        fresh = [
            m
            for m in parse_webhook(parsed, self.settings.phone_number_id)
            if self.memory.first_time(m.message_id)
        ]
        if fresh:
            self.memory.spawn(self.handle(fresh, on_new_message))
        return response.text("ok")

    async def handle(self, messages: Sequence[Inbound], on_new_message: OnNewMessage) -> None:
        """The messages of one delivery, in order, each a turn of its own."""
        for message in messages:
            self.memory.wrote(message.wa_id, message.sent_at)
            output = self.get_output_channel()
            try:
                await self.handle_one(message, output, on_new_message)
            except asyncio.CancelledError:
                logger.error("WhatsApp message of %s timed out", _who(message.wa_id))
            except Exception:  # the boundary: logged; the next message still gets its turn
                logger.exception("WhatsApp message of %s failed", _who(message.wa_id))
            await output.flush()

    async def handle_one(
        self, message: Inbound, output: WhatsAppCloudOutput, on_new_message: OnNewMessage
    ) -> None:
        """One message: to Rasa with the sealed phone, or answered here when it cannot go."""
        sender = SENDER_PREFIX + message.wa_id
        offer = self.memory.take_offer(message.wa_id)
        if message.kind == "other":
            await output.send_text_message(sender, ONLY_TEXT_TEXT)
            return
        if len(message.text) > self.max_message_chars:
            await output.send_text_message(sender, too_long_text(self.max_message_chars))
            return
        text, keyword = message.text, None
        if message.kind == "text":
            picked = pick_button(text, offer) if offer else None
            text, keyword = (picked, None) if picked else (text, keyword_of(text))
        phone = "+" + message.wa_id
        client = ClientIdentity(
            channel=CHANNEL, conversation=sender, subject=phone, phone=phone, keyword=keyword
        )
        metadata = {IDENTITY_KEY: identity.seal(client, self.secret)}
        await on_new_message(
            UserMessage(text, output, sender, input_channel=CHANNEL, metadata=metadata)
        )
