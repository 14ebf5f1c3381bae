"""Rasa's REST channel, vouching only for what it saw itself.

Stock `RestInput` passes on whatever `metadata` (and `input_channel`) a client
sends, so any client could claim `wismo_verified_phone`. Here the client's
metadata is dropped; the one piece of metadata a message carries is the
channel's sealed `ClientIdentity` (bot/channels/identity.py): the sender id
the client chose (the conversation), a server-issued session id (the
subject) and the source address. The session id comes back to the client as
a signed token, in the `X-Wismo-Session` header and an HttpOnly cookie, so a
browser or a `requests.Session` presents it again by itself; a token that is
absent, forged or altered gets a fresh session.

A message longer than `MAX_MESSAGE_CHARS` (default 2000) is answered at once
and never parsed: the NLU's cost grows with the text, and a stranger's 100 KB
must not delay other shoppers. A sender id that is not a short string is a
client error (HTTP 400).

    credentials.yml:  bot.channels.rest.SessionRestInput:

Rasa side: Rasa and the standard library only.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels import identity
from bot.channels.identity import IDENTITY_KEY, ClientIdentity

logger = logging.getLogger(__name__)

SESSION_COOKIE = "wismo_session"
SESSION_HEADER = "X-Wismo-Session"
SESSION_PURPOSE = "rest-session"
MAX_MESSAGE_CHARS_ENV = "MAX_MESSAGE_CHARS"
DEFAULT_MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def message_limit(given: int | None = None) -> int:
    """The longest message a channel reads: `given`, else `MAX_MESSAGE_CHARS`, else 2,000."""
    if given is not None:
        return given
    raw = os.environ.get(MAX_MESSAGE_CHARS_ENV, "")
    return int(raw) if raw.strip() else DEFAULT_MAX_MESSAGE_CHARS


def too_long_text(limit: int) -> str:
    """What a shopper reads when the message is over the limit."""
    return (
        "That message is too long for me to read. "
        f"Please send a shorter one (up to {limit:,} characters)."
    )


def client_address(request: Request) -> str:
    """The address a request came from: the peer's, or behind a reverse proxy the one it
    forwarded for, when the operator said how many proxies there are
    (`SANIC_PROXIES_COUNT`, Sanic's own setting); never a header a client wrote alone."""
    return str(request.remote_addr or request.ip)


class SessionRestInput(RestInput):
    """`/webhooks/rest/webhook`, with server-issued sessions and sealed identity."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SessionRestInput:
        return cls()

    def __init__(self, secret: bytes | None = None, max_message_chars: int | None = None) -> None:
        self.secret = identity.load_secret() if secret is None else secret
        self.max_message_chars = message_limit(max_message_chars)

    def session(self, request: Request) -> tuple[str, str]:
        """The client's session id and its token: the one presented if genuine, else new."""
        for token in (request.cookies.get(SESSION_COOKIE), request.headers.get(SESSION_HEADER)):
            payload = identity.verify(self.secret, SESSION_PURPOSE, token)
            sid = payload.get("sid") if payload else None
            if isinstance(sid, str) and sid and isinstance(token, str):
                return sid, token
        sid = secrets.token_urlsafe(18)
        return sid, identity.sign(self.secret, SESSION_PURPOSE, {"sid": sid})

    def metadata_for(self, request: Request, sender: str, sid: str) -> dict[str, Any]:
        """The message's whole metadata: the identity this channel vouches for."""
        client = ClientIdentity(
            channel=self.name(), conversation=sender, subject=sid, address=client_address(request)
        )
        return {IDENTITY_KEY: identity.seal(client, self.secret)}

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Nothing the client sent: see `metadata_for`."""
        return None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse | ResponseStream:
            return await self.receive(request, on_new_message)

        return webhook

    async def receive(
        self, request: Request, on_new_message: OnNewMessage
    ) -> HTTPResponse | ResponseStream:
        """One message: checked, answered, and the session token handed back."""
        sid, token = self.session(request)
        body = _json_body(request)
        sender = body.get("sender") if body is not None else None
        text = body.get("message") if body is not None else None
        problem = _problem(body, sender, text)
        if problem:
            return self.with_session(response.json({"error": problem}, status=400), request, token)
        assert isinstance(sender, str) and isinstance(text, str)  # checked by _problem
        stream = bool_arg(request, "stream", default=False)
        if len(text) > self.max_message_chars:
            refusal = {"recipient_id": sender, "text": too_long_text(self.max_message_chars)}
            return self.with_session(_answer([refusal], stream), request, token)
        metadata = self.metadata_for(request, sender, sid)
        if stream:
            # Rasa types its streamer as returning an Awaitable, Sanic wants a coroutine
            # function: it is one (an `async def` inside RestInput.stream_response).
            streamed = response.stream(
                self.stream_response(on_new_message, text, sender, self.name(), metadata),  # type: ignore[arg-type]
                content_type="text/event-stream",
            )
            return self.with_session(streamed, request, token)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
            )
        except CancelledError:
            logger.error("REST message of %s timed out", identity.hash_id(sender))
        except Exception:  # the boundary: logged, and the client gets what was said so far
            logger.exception("REST message of %s failed", identity.hash_id(sender))
        return self.with_session(response.json(collector.messages), request, token)

    @staticmethod
    def with_session(
        answer: HTTPResponse | ResponseStream, request: Request, token: str
    ) -> HTTPResponse | ResponseStream:
        """The answer carrying the session token, as a header and an HttpOnly cookie."""
        answer.headers[SESSION_HEADER] = token
        answer.cookies[SESSION_COOKIE] = token
        cookie = answer.cookies[SESSION_COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/webhooks/rest"
        if request.scheme == "https":
            cookie["secure"] = True
        return answer


def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        body = request.json
    except Exception:  # Sanic raises its own error for a body that is not JSON
        return None
    return body if isinstance(body, dict) else None


def _problem(body: dict[str, Any] | None, sender: object, text: object) -> str:
    """Why the request cannot be a message; empty when it can."""
    if body is None:
        return "The body must be a JSON object with 'sender' and 'message'."
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters."
    if sender.lower().startswith(identity.PHONE_SENDER_PREFIXES):
        return "'sender' may not start with a phone channel's prefix (sms:, whatsapp:, wa:)."
    if not isinstance(text, str):
        return "'message' must be a string."
    return ""


def _answer(messages: list[dict[str, Any]], stream: bool) -> HTTPResponse | ResponseStream:
    if not stream:
        return response.json(messages)

    async def write(resp: Any) -> None:
        for message in messages:
            await resp.write(json.dumps(message) + "\n")

    return response.stream(write, content_type="text/event-stream")
