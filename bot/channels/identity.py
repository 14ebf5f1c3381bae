"""Who a message came from, as the channel that received it vouches: sealed, not trusted.

A channel knows things about a sender that nobody else may claim: the REST
channel's server-issued session, the source address, the phone number a
Twilio signature proved. It writes them into the message's metadata under
`IDENTITY_KEY` as a token sealed with the deployment's secret (HMAC-SHA256).
The action server unseals it; a client's own metadata is dropped by the
channel, and a token nobody sealed, or sealed too long ago, counts as no
identity at all. So neither a REST client nor a forged action-server request
can claim a session, an address or a verified phone.

Both Python environments import this module: the standard library only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

IDENTITY_KEY = "wismo_identity"
SECRET_ENV = "WISMO_SECRET"  # noqa: S105 (the name of the variable, not a secret)
SECRET_FILE_ENV = "WISMO_SECRET_FILE"  # noqa: S105
DEFAULT_SECRET_FILE = "var/wismo.secret"  # noqa: S105
# Sender ids the phone channels give their conversations (the phone, verified by a
# signature); no other channel may name a conversation so.
PHONE_SENDER_PREFIXES = ("sms:", "whatsapp:", "wa:")
# A message's actions run within seconds of it; a form may wait for the action server.
MAX_AGE_SECONDS = 600.0


class SecretMissing(RuntimeError):
    """No secret is configured where one must be."""


@dataclass(frozen=True)
class ClientIdentity:
    """What a channel vouches for about the sender of one message."""

    channel: str  # "rest", "socketio", "twilio", ...
    conversation: str  # Rasa's sender id
    subject: str  # the channel's own identity of the client: a session id, a phone
    address: str | None = None  # the source address, where the channel sees one
    phone: str | None = None  # a phone number the channel verified (E.164), else None
    issued_at: float = 0.0
    keyword: str | None = None  # an SMS keyword the channel read: "stop", "start" or "help"


def load_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The deployment's secret: `WISMO_SECRET`, or in development a file made once."""
    env = os.environ if environ is None else environ
    if env.get(SECRET_ENV):
        return env[SECRET_ENV].encode()
    if env.get("WISMO_ENV", "development") != "development":
        raise SecretMissing(f"{SECRET_ENV} must be set outside development")
    path = Path(env.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def derive(secret: bytes, purpose: str) -> bytes:
    """A key of its own for each use of the one secret."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


def sign(secret: bytes, purpose: str, payload: Mapping[str, object]) -> str:
    """`payload` as a URL-safe token that only a holder of `secret` can make."""
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).rstrip(b"=")
    mac = hmac.new(derive(secret, purpose), body, hashlib.sha256).digest()
    return f"{body.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def verify(secret: bytes, purpose: str, token: object) -> dict[str, object] | None:
    """The payload of a token `sign` made for this purpose, or None."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        return None
    body, _, mac = token.partition(".")
    expected = hmac.new(derive(secret, purpose), body.encode(), hashlib.sha256).digest()
    try:
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
        if not hmac.compare_digest(expected, given):
            return None
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def seal(identity: ClientIdentity, secret: bytes) -> str:
    """The identity as a token for the message's metadata, stamped now."""
    stamped = asdict(identity) | {"issued_at": identity.issued_at or time.time()}
    return sign(secret, "identity", stamped)


def unseal(
    token: object, secret: bytes, now: float | None = None, max_age: float = MAX_AGE_SECONDS
) -> ClientIdentity | None:
    """The identity a channel sealed, or None when forged, malformed or too old."""
    payload = verify(secret, "identity", token)
    if payload is None:
        return None
    try:
        identity = ClientIdentity(**payload)  # type: ignore[arg-type]
    except TypeError:
        return None
    age = (time.time() if now is None else now) - float(identity.issued_at)
    return identity if 0 <= age <= max_age or -5 < age < 0 else None


def action_token(secret: bytes) -> str:
    """The token Rasa presents to the action server, derived from the one secret."""
    return derive(secret, "action-server").hex()


def rasa_api_token(secret: bytes) -> str:
    """The token of Rasa's HTTP API (the notifier's `trigger_intent`), from the one secret."""
    return derive(secret, "rasa-api").hex()


def hash_id(value: str, key: bytes | None = None) -> str:
    """A sender id or other identifier as logs may show it: a short digest keyed with the
    deployment's secret, so that nobody can find whose it is by hashing every phone
    number (an SMS conversation is named after the phone)."""
    mac = hmac.new(_log_key() if key is None else key, value.encode("utf-8", "replace"), "sha256")
    return mac.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _log_key() -> bytes:
    """The key of the logs' digests, derived once per process from the secret."""
    return derive(load_secret(), "log-digest")
