"""The website widget's session: a JWT the web process issues and the socket.io channel checks.

A browser cannot choose its conversation. The web process (bot/web/widget.py)
makes a random session id and hands it to the widget inside a JSON Web Token
signed with HS256 under a key derived from the deployment's secret; Rasa's
socket.io channel (bot/channels/widget.py) accepts a connection only with a
genuine, unexpired token and takes the conversation's sender id from it. So
guessing or copying a sender id joins nothing, and a page reload that presents
the same token again finds the same conversation.

The token is a standard JWT (RFC 7519; any JWT library verifies it with the
key `key(secret)`), written here with the standard library because both Python
environments import this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from bot.channels.identity import derive

PURPOSE = "widget-session"
AUDIENCE = "wismo-widget"
ALGORITHM = "HS256"
DEFAULT_LIFETIME_SECONDS = 24 * 3600
MAX_TOKEN_CHARS = 2048
# Where browsers may open the widget from: the web process's own address, unless configured.
ORIGINS_ENV = "WISMO_ALLOWED_ORIGINS"
DEFAULT_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")


@dataclass(frozen=True)
class WidgetSession:
    """One widget conversation: its id (Rasa's sender id) and until when it is good."""

    session_id: str
    expires_at: int  # seconds since the epoch


def key(secret: bytes) -> bytes:
    """The HS256 key of widget sessions: the deployment's secret, derived for this use."""
    return derive(secret, PURPOSE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(
    secret: bytes, lifetime: int = DEFAULT_LIFETIME_SECONDS, now: float | None = None
) -> tuple[str, WidgetSession]:
    """A new session and its token."""
    issued = int(time.time() if now is None else now)
    session = WidgetSession(secrets.token_urlsafe(18), issued + lifetime)
    claims = {"sub": session.session_id, "aud": AUDIENCE, "iat": issued, "exp": session.expires_at}
    header = _b64(json.dumps({"alg": ALGORITHM, "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key(secret), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}", session


def check(secret: bytes, token: object, now: float | None = None) -> WidgetSession | None:
    """The session a genuine, unexpired token names, or None."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        return None
    header, body, signature = token.split(".")
    expected = hmac.new(key(secret), f"{header}.{body}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        head, claims = json.loads(_unb64(header)), json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(head, dict) or head.get("alg") != ALGORITHM or not isinstance(claims, dict):
        return None
    sub, exp = claims.get("sub"), claims.get("exp")
    if claims.get("aud") != AUDIENCE or not isinstance(sub, str) or not sub:
        return None
    if not isinstance(exp, int) or exp <= (time.time() if now is None else now):
        return None
    return WidgetSession(sub, exp)


def parse_origins(raw: str | None) -> tuple[str, ...]:
    """`WISMO_ALLOWED_ORIGINS` (comma-separated origins), else `DEFAULT_ORIGINS`."""
    origins = tuple(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())
    return origins or DEFAULT_ORIGINS
