"""A fake of Meta's WhatsApp Cloud API: the Graph API's messages endpoint, and Meta's webhooks.

    POST /<version>/<phone_number_id>/messages   send a message (bearer token)
    POST /_fake/whatsapp/inbound     {"from", "text"} | {"from", "button_id", "button_title"}
                                     | {"from", "status": "read"} | {"from", "type": "image"}:
                                     a shopper's message (or a receipt) as Meta's signed
                                     webhook to the channel; answers {"status", "seconds"}
    POST /_fake/whatsapp/verify      Meta's subscription handshake against the webhook
    GET  /_fake/whatsapp/messages    ?to=<number>: the messages sent, in order
    DELETE /_fake/whatsapp/messages  forget them
    POST /_fake/whatsapp/fail        {"status": 500, "times": 2}: the next sends fail so

As Meta does, a message other than a template reaches only a number whose
shopper wrote in the last 24 hours (counted from the messages this fake
delivered), else error 131047 "Re-engagement message"; a bad token gets
OAuthException 190, a malformed body error 100. Errors have the Graph API's
shape: https://developers.facebook.com/docs/graph-api/guides/error-handling
(Meta reports 131047 later, in a `failed` status webhook; answering it at once
makes the refusal visible to a test.)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import waitress
from flask import Blueprint, Flask, Response, jsonify, request

from bot.channels.messaging_settings import WhatsAppCloudSettings

WINDOW_SECONDS = 24 * 3600
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:5005/webhooks/whatsapp_cloud/webhook"
_NUMBER = re.compile(r"\+?([1-9][0-9]{5,14})")


@dataclass(frozen=True)
class FakeGraphConfig:
    """The business number, app and webhook the fake plays Meta for."""

    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str
    webhook_url: str = DEFAULT_WEBHOOK_URL
    graph_version: str = "v21.0"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FakeGraphConfig:
        """The same values the channel reads (`WHATSAPP_*`), and `WHATSAPP_WEBHOOK_URL`."""
        settings = WhatsAppCloudSettings.from_env(environ)
        return cls(
            phone_number_id=settings.phone_number_id,
            access_token=settings.access_token,
            app_secret=settings.app_secret,
            verify_token=settings.verify_token,
            webhook_url=environ.get("WHATSAPP_WEBHOOK_URL") or DEFAULT_WEBHOOK_URL,
            graph_version=settings.graph_version,
        )


class GraphError(Exception):
    """An error answer in the Graph API's shape."""

    def __init__(self, status: int, code: int, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.title = status, code, message, title

    def answer(self) -> tuple[Response, int]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": secrets.token_urlsafe(9),
        }
        if self.title:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.title}
        return jsonify({"error": error}), self.status


@dataclass
class FakeGraphState:
    """What the fake has seen: messages sent, shoppers' last messages, failures to come."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    wrote_at: dict[str, float] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def blueprint(config: FakeGraphConfig) -> Blueprint:
    """The fake's routes, over a state of their own."""
    fake = Blueprint("fake_graph", __name__)
    state = FakeGraphState()

    @fake.post("/<version>/<phone_number_id>/messages")
    def send(version: str, phone_number_id: str) -> tuple[Response, int]:
        try:
            return _send(config, state, version, phone_number_id)
        except GraphError as error:
            return error.answer()

    @fake.post("/_fake/whatsapp/inbound")
    def inbound() -> Response:
        return jsonify(_deliver(config, state, request.get_json(silent=True) or {}))

    @fake.post("/_fake/whatsapp/verify")
    def verify() -> Response:
        return jsonify(_verify(config, request.get_json(silent=True) or {}))

    @fake.get("/_fake/whatsapp/messages")
    def messages() -> Response:
        wanted = _NUMBER.fullmatch(request.args.get("to", ""))
        with state.lock:
            sent = [m for m in state.messages if not wanted or m.get("to") == wanted.group(1)]
        return jsonify(sent)

    @fake.delete("/_fake/whatsapp/messages")
    def forget() -> Response:
        with state.lock:
            state.messages.clear()
            state.failures.clear()
        return jsonify({"status": "ok"})

    @fake.post("/_fake/whatsapp/fail")
    def fail() -> Response:
        body = request.get_json(silent=True) or {}
        status, times = int(body.get("status", 500)), int(body.get("times", 1))
        with state.lock:
            state.failures = [status] * times
        return jsonify({"status": status, "times": times})

    return fake


def create_app(config: FakeGraphConfig) -> Flask:
    """The fake as an app of its own."""
    app = Flask(__name__)
    app.register_blueprint(blueprint(config))
    return app


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the app with waitress until the process is stopped."""
    waitress.serve(app, host=host, port=port)


def _send(
    config: FakeGraphConfig, state: FakeGraphState, version: str, phone_number_id: str
) -> tuple[Response, int]:
    if version != config.graph_version or phone_number_id != config.phone_number_id:
        raise GraphError(400, 100, f"Unsupported post request. Object with ID '{phone_number_id}'")
    header = request.headers.get("Authorization", "")
    given = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
    if not hmac.compare_digest(given.encode(), config.access_token.encode()):
        raise GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token")
    with state.lock:
        failure = state.failures.pop(0) if state.failures else None
    if failure is not None:
        raise GraphError(failure, 2, "Service temporarily unavailable")
    body, to = _checked(request.get_json(silent=True))
    with state.lock:
        wrote_at = state.wrote_at.get(to)
        if body["type"] != "template" and (
            wrote_at is None or time.time() - wrote_at > WINDOW_SECONDS
        ):
            raise GraphError(
                400,
                131047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
            )
        state.messages.append(body)
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [{"input": body["to"], "wa_id": to}],
        "messages": [{"id": "wamid." + secrets.token_urlsafe(24)}],
    }
    return jsonify(answer), 200


def _checked(body: Any) -> tuple[dict[str, Any], str]:
    """The recipient's wa_id of a well-formed message body; GraphError 100 otherwise."""
    problem = _problem(body)
    if problem:
        raise GraphError(400, 100, f"(#100) {problem}")
    match = _NUMBER.fullmatch(body["to"])
    assert isinstance(body, dict) and match is not None  # checked by _problem
    return body, match.group(1)


def _problem(body: Any) -> str:
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required."
    if not isinstance(body.get("to"), str) or not _NUMBER.fullmatch(body["to"]):
        return "Invalid parameter: to"
    kind = body.get("type", "text")
    content = body.get(kind)
    if kind not in {"text", "interactive", "template"} or not isinstance(content, dict):
        return f"Param {kind} is required"
    if kind == "text":
        text = content.get("body")
        ok = isinstance(text, str) and 0 < len(text) <= 4096
        return "" if ok else "Param text['body'] must be 1 to 4096 characters"
    if kind == "interactive":
        return _interactive_problem(content)
    return _template_problem(content)


def _interactive_problem(content: dict[str, Any]) -> str:
    text = (content.get("body") or {}).get("text")
    buttons = (content.get("action") or {}).get("buttons")
    if content.get("type") != "button" or not isinstance(text, str) or not 0 < len(text) <= 1024:
        return "Param interactive['body']['text'] must be 1 to 1024 characters"
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "Param interactive['action']['buttons'] must have 1 to 3 buttons"
    replies = [b.get("reply") if isinstance(b, dict) else None for b in buttons]
    for reply in replies:
        if not isinstance(reply, dict) or not isinstance(reply.get("title"), str):
            return "Param interactive['action']['buttons'][]['reply'] is required"
        if not 0 < len(reply["title"]) <= 20 or not 0 < len(str(reply.get("id") or "")) <= 256:
            return "Button title length invalid. Min length: 1, Max length: 20"
    return ""


def _template_problem(content: dict[str, Any]) -> str:
    language = content.get("language")
    if not isinstance(content.get("name"), str) or not isinstance(language, dict):
        return "Param template['name'] and template['language'] are required"
    for component in content.get("components") or []:
        for parameter in component.get("parameters") or []:
            text = parameter.get("text", "")
            if not isinstance(text, str) or re.search(r"[\n\t]| {5,}", text) or len(text) > 1024:
                return (
                    "Param text cannot have new-line/tab characters or more than 4 "
                    "consecutive spaces"
                )
    return ""


def _deliver(
    config: FakeGraphConfig, state: FakeGraphState, given: dict[str, Any]
) -> dict[str, Any]:
    """A shopper's message as Meta's webhook, signed and posted to the channel."""
    match = _NUMBER.fullmatch(str(given.get("from", "")))
    if match is None:
        return {"status": 0, "error": "'from' must be a phone number"}
    wa_id = match.group(1)
    value = _value(config, wa_id, given)
    if "messages" in value:
        with state.lock:
            state.wrote_at[wa_id] = time.time()
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "0", "changes": [{"value": value, "field": "messages"}]}],
        }
    ).encode()
    signature = hmac.new(config.app_secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}
    started = time.monotonic()
    answer = requests.post(config.webhook_url, data=body, headers=headers, timeout=30)
    return {"status": answer.status_code, "seconds": round(time.monotonic() - started, 3)}


def _value(config: FakeGraphConfig, wa_id: str, given: dict[str, Any]) -> dict[str, Any]:
    """The `value` of one webhook change: a message, or a status receipt."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "15550100002",
            "phone_number_id": given.get("phone_number_id") or config.phone_number_id,
        },
    }
    now = str(int(time.time()))
    message_id = given.get("id") or "wamid." + secrets.token_urlsafe(24)
    if given.get("status"):
        value["statuses"] = [
            {"id": message_id, "status": given["status"], "timestamp": now, "recipient_id": wa_id}
        ]
        return value
    message: dict[str, Any] = {"from": wa_id, "id": message_id, "timestamp": now}
    if given.get("button_id"):
        reply = {"id": given["button_id"], "title": given.get("button_title") or ""}
        message |= {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": reply},
        }
    elif "text" in given:
        message |= {"type": "text", "text": {"body": str(given["text"])}}
    else:
        kind = str(given.get("type") or "image")
        message |= {"type": kind, kind: {"id": secrets.token_hex(8), "mime_type": "image/jpeg"}}
    value["contacts"] = [{"profile": {"name": given.get("name") or "Shopper"}, "wa_id": wa_id}]
    value["messages"] = [message]
    return value


def _verify(config: FakeGraphConfig, given: dict[str, Any]) -> dict[str, Any]:
    """Meta's subscription handshake against the webhook, and what it answered."""
    challenge = str(secrets.randbelow(10**9))
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": str(given.get("verify_token") or config.verify_token),
        "hub.challenge": challenge,
    }
    answer = requests.get(config.webhook_url, params=params, timeout=10)
    verified = answer.status_code == 200 and answer.text == challenge
    return {"status": answer.status_code, "body": answer.text, "verified": verified}
