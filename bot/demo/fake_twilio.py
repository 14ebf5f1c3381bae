"""A fake Twilio: the Messages API and signed inbound webhooks, over real HTTP.

    POST   /2010-04-01/Accounts/<sid>/Messages.json   send a message (basic auth sid:token)
    POST   /_fake/twilio/inbound    {"from", "body", "channel": "sms"|"whatsapp"}: deliver a
                                    shopper's message, signed, to the channel's webhook
    GET    /_fake/twilio/messages   ?to=<number>: the messages the API accepted, in order
    DELETE /_fake/twilio/messages   forget them (and the opt-outs)
    POST   /_fake/twilio/fail       {"status": 500, "times": 2}: the next calls fail so

The API answers as Twilio does (https://www.twilio.com/docs/messaging/api/message-resource):
201 with the message resource, queued; 401 (20003) without the account's
credentials; 400 with Twilio's error codes for a bad `To` (21211), a `From`
that is not the account's (21606), an SMS/WhatsApp mix (21910), no body
(21602), a body over 1,600 characters (21617) and, as Twilio's default STOP
filtering does, a number that replied STOP on SMS (21610) until it replies START.

Webhooks are signed as Twilio signs them
(https://www.twilio.com/docs/usage/webhooks/webhooks-security): HMAC-SHA1 with
the auth token over the URL followed by each form key and value, keys sorted,
base64-encoded, in `X-Twilio-Signature`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import requests
from flask import Blueprint, Flask, Response, jsonify, request

from bot.channels.texting import keyword_of

API_VERSION = "2010-04-01"
BODY_LIMIT = 1600
WHATSAPP = "whatsapp:"
_PHONE = re.compile(r"\+[1-9]\d{6,14}")
# GSM 03.38's basic character set: a message of these alone is sent 7-bit.
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


@dataclass(frozen=True)
class FakeTwilioConfig:
    """The account the fake serves and where it delivers inbound messages."""

    account_sid: str
    auth_token: str
    webhook_url: str  # the Rasa channel's webhook, as configured in Twilio's console
    number: str = "+15550100000"
    whatsapp_number: str = "whatsapp:+15550100001"
    # Twilio's default: after an SMS STOP, messages to that number fail (21610) until START.
    stop_filtering: bool = True


@dataclass
class _State:
    messages: list[dict[str, Any]] = field(default_factory=list)
    opted_out: set[str] = field(default_factory=set)
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The `X-Twilio-Signature` Twilio sends with a form POST of `params` to `url`."""
    data = url + "".join(key + params[key] for key in sorted(params))
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for a body: GSM-7 160/153, else UCS-2 70/67."""
    single, multi = (160, 153) if set(body) <= _GSM else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // multi)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _error(status: int, code: int, message: str) -> tuple[Response, int]:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return jsonify(body), status


def blueprint(config: FakeTwilioConfig) -> Blueprint:
    """The fake's routes, for `config`'s account; the state lives with the blueprint."""
    fake = Blueprint("fake_twilio", __name__)
    state = _State()

    @fake.post(f"/{API_VERSION}/Accounts/<sid>/Messages.json")
    def create_message(sid: str) -> tuple[Response, int]:
        auth = request.authorization
        if (
            auth is None
            or not hmac.compare_digest(str(auth.username), config.account_sid)
            or not hmac.compare_digest(str(auth.password), config.auth_token)
            or sid != config.account_sid
        ):
            return _error(401, 20003, "Authenticate")
        with state.lock:
            if state.failures:
                status = state.failures.pop()
                return _error(status, 20500, "Internal Server Error")
            problem = _problem(config, state, request.form)
            if problem:
                return _error(400, *problem)
            message = _message(config, request.form)
            state.messages.append(message)
        return jsonify(message), 201

    @fake.post("/_fake/twilio/inbound")
    def inbound() -> Response:
        given = request.get_json(force=True)
        form = _inbound_form(config, given)
        if config.stop_filtering and form["From"].startswith("+"):  # on SMS only
            with state.lock:
                _note_keyword(state, form["From"], form["Body"])
        headers = {
            "X-Twilio-Signature": twilio_signature(config.auth_token, config.webhook_url, form)
        }
        started = time.monotonic()
        answer = requests.post(config.webhook_url, data=form, headers=headers, timeout=30)
        seconds = time.monotonic() - started
        return jsonify(
            {"status": answer.status_code, "seconds": seconds, "message_sid": form["MessageSid"]}
        )

    @fake.get("/_fake/twilio/messages")
    def messages() -> Response:
        to = request.args.get("to")
        with state.lock:
            found = [m for m in state.messages if to is None or m["to"] == to]
        return jsonify(found)

    @fake.delete("/_fake/twilio/messages")
    def forget() -> Response:
        with state.lock:
            state.messages.clear()
            state.opted_out.clear()
            state.failures.clear()
        return jsonify({"status": "ok"})

    @fake.post("/_fake/twilio/fail")
    def fail() -> Response:
        given = request.get_json(force=True)
        status, times = int(given.get("status", 500)), int(given.get("times", 1))
        with state.lock:
            state.failures[:] = [status] * times
        return jsonify({"status": status, "times": times})

    return fake


def _problem(
    config: FakeTwilioConfig, state: _State, form: Mapping[str, str]
) -> tuple[int, str] | None:
    """Twilio's error code and message for a message it would refuse, else None."""
    to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
    if not _PHONE.fullmatch(to.removeprefix(WHATSAPP)):
        return 21211, f"The 'To' number {to} is not a valid phone number."
    if sender not in (config.number, config.whatsapp_number):
        return 21606, (
            f"The From phone number {sender} is not a valid, SMS-capable inbound phone number"
            " or short code for your account."
        )
    if to.startswith(WHATSAPP) != sender.startswith(WHATSAPP):
        return 21910, "Invalid From and To pair. From and To should be of the same channel"
    if not body:
        return 21602, "Message body is required."
    if len(body) > BODY_LIMIT:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    if to in state.opted_out:
        return 21610, "Attempt to send to unsubscribed recipient"
    return None


def _message(config: FakeTwilioConfig, form: Mapping[str, str]) -> dict[str, Any]:
    """The message resource Twilio answers with, queued."""
    sid = _sid("SM")
    now = format_datetime(datetime.now(UTC))
    uri = f"/{API_VERSION}/Accounts/{config.account_sid}/Messages/{sid}.json"
    return {
        "account_sid": config.account_sid,
        "api_version": API_VERSION,
        "body": form["Body"],
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form["From"],
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": str(num_segments(form["Body"])),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        "to": form["To"],
        "uri": uri,
    }


def _inbound_form(config: FakeTwilioConfig, given: Mapping[str, Any]) -> dict[str, str]:
    """The form Twilio posts to a messaging webhook for one incoming message."""
    whatsapp = given.get("channel") == "whatsapp"
    phone, body = str(given["from"]).removeprefix(WHATSAPP), str(given.get("body", ""))
    sid = str(given.get("message_sid") or _sid("SM"))
    form = {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": config.whatsapp_number if whatsapp else config.number,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": config.account_sid,
        "From": WHATSAPP + phone if whatsapp else phone,
        "ApiVersion": API_VERSION,
    }
    if whatsapp:
        form |= {"ProfileName": str(given.get("profile_name", "Shopper")), "WaId": phone[1:]}
        form |= {"MessageType": "text", "ReferralNumMedia": "0"}
    else:
        form |= {"FromCountry": "US", "FromState": "", "FromCity": "", "FromZip": ""}
    return form


def _note_keyword(state: _State, phone: str, body: str) -> None:
    keyword = keyword_of(body)
    if keyword == "stop":
        state.opted_out.add(phone)
    elif keyword == "start":
        state.opted_out.discard(phone)


def create_app(config: FakeTwilioConfig) -> Flask:
    """The fake as an app of its own."""
    app = Flask(__name__)
    app.register_blueprint(blueprint(config))
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    return app
