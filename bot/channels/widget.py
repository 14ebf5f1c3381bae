"""Rasa's socket.io channel for the website widget, with server-issued sessions.

Stock `SocketIOInput` lets the browser name its conversation (`session_id` in
`session_request` and in every message) and passes on whatever `metadata` it
sends: anyone who learns a sender id joins that conversation. Here:

- a connection needs a genuine, unexpired widget token (`auth: {token}`), made
  by the web process (bot/channels/widget_token.py); without one it is refused
  with the reason `session_invalid`, and the widget asks for a new session;
- the conversation (Rasa's sender id) is the token's session id, never
  anything the client sends; every tab of one session joins its room and sees
  its replies, so a page reload finds the conversation where it was;
- a message's only metadata is the channel's sealed `ClientIdentity`, as on
  the REST channel; a message longer than `MAX_MESSAGE_CHARS` is answered with
  the limit and never parsed;
- only the configured origins (`WISMO_ALLOWED_ORIGINS`, comma-separated) may
  connect from a browser;
- after the last reply of a turn the channel sends `turn_done`, so the widget
  knows when to stop showing that the assistant is typing;
- a custom payload (the shipment card) reaches the client as
  `{"custom": {...}}` (stock Rasa passes its keys to `emit` as arguments).

    credentials.yml:  bot.channels.widget.SessionSocketIOInput:

Rasa side: Rasa, python-socketio (which Rasa pins) and the standard library.
"""

from __future__ import annotations

import logging
import os
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as Refused

from bot.channels import identity, widget_token
from bot.channels.identity import IDENTITY_KEY, ClientIdentity
from bot.channels.rest import client_address, message_limit, too_long_text

logger = logging.getLogger(__name__)

USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
TURN_DONE_EVENT = "turn_done"
EXPIRED_EVENT = "session_expired"
REFUSED_REASON = "session_invalid"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom payloads sent as one `{"custom": ...}` message."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SessionSocketIOInput(SocketIOInput):
    """`/socket.io`, for browsers holding a widget token the web process issued."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SessionSocketIOInput:
        return cls()

    def __init__(
        self,
        secret: bytes | None = None,
        max_message_chars: int | None = None,
        origins: Iterable[str] | None = None,
    ) -> None:
        super().__init__(USER_EVENT, BOT_EVENT, session_persistence=True)
        self.secret = identity.load_secret() if secret is None else secret
        self.max_message_chars = message_limit(max_message_chars)
        self.origins = (
            widget_token.parse_origins(os.environ.get(widget_token.ORIGINS_ENV))
            if origins is None
            else tuple(origins)
        )

    def get_output_channel(self) -> WidgetOutput | None:
        return None if self.sio is None else WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.origins))
        path = self.socketio_path or "/socket.io"
        blueprint = SocketBlueprint(sio, path, "socketio_webhook", __name__)
        self.sio = sio

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            token = auth.get("token") if isinstance(auth, dict) else None
            session = widget_token.check(self.secret, token)
            if session is None:
                raise Refused(REFUSED_REASON)
            request = environ.get("sanic.request")
            address = client_address(request) if request is not None else None
            await sio.save_session(
                sid,
                {"subject": session.session_id, "expires": session.expires_at, "address": address},
            )
            await sio.enter_room(sid, session.session_id)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            """Stock clients ask for a session: they get the token's, whatever they asked."""
            session = await sio.get_session(sid)
            await sio.emit("session_confirm", session["subject"], room=sid)

        @sio.on(USER_EVENT)
        async def handle_message(sid: str, data: Any = None) -> None:
            await self.handle_message(sio, sid, data, on_new_message)

        return blueprint

    async def handle_message(
        self, sio: AsyncServer, sid: str, data: Any, on_new_message: OnNewMessage
    ) -> None:
        """One message of a connected browser: checked, answered, then `turn_done`."""
        session = await sio.get_session(sid)
        if session["expires"] <= time.time():
            await sio.emit(EXPIRED_EVENT, {}, room=sid)
            await sio.disconnect(sid)
            return
        subject: str = session["subject"]
        text = data.get("message") if isinstance(data, dict) else None
        output = WidgetOutput(sio, self.bot_message_evt)
        if not isinstance(text, str) or not text.strip():
            await sio.emit(TURN_DONE_EVENT, {}, room=sid)
            return
        if len(text) > self.max_message_chars:
            await sio.emit(BOT_EVENT, {"text": too_long_text(self.max_message_chars)}, room=sid)
            await sio.emit(TURN_DONE_EVENT, {}, room=sid)
            return
        client = ClientIdentity(
            channel=self.name(), conversation=subject, subject=subject, address=session["address"]
        )
        metadata = {IDENTITY_KEY: identity.seal(client, self.secret)}
        try:
            await on_new_message(
                UserMessage(text, output, subject, input_channel=self.name(), metadata=metadata)
            )
        except CancelledError:
            logger.error("socket.io message of %s timed out", identity.hash_id(subject))
        except Exception:  # the boundary: logged; the widget hears the turn is over
            logger.exception("socket.io message of %s failed", identity.hash_id(subject))
        await sio.emit(TURN_DONE_EVENT, {}, room=subject)
