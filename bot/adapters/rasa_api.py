"""Rasa's HTTP API as the notifier uses it: start a turn that utters a notice.

    POST {RASA_URL}/conversations/{sender id}/trigger_intent?output_channel=..&token=..
    {"name": "EXTERNAL_notice", "entities": {"notice": "<signed token naming the notice>"}}

Rasa runs `action_send_notice`, which checks the token and the recipient, claims the
notice and utters it on the shopper's channel. Every failure (refused, timed out, a
non-2xx answer) leaves this module as `MessagingUnavailable`.
"""

from __future__ import annotations

from urllib.parse import quote

import requests

from bot.channels.identity import derive, sign, verify
from bot.domain.errors import MessagingUnavailable
from bot.domain.notices import Notice

INTENT = "EXTERNAL_notice"
ENTITY = "notice"
PURPOSE = "notice"


def rasa_token(secret: bytes) -> str:
    """The token of Rasa's HTTP API (`--auth-token`), derived from the one secret."""
    return derive(secret, "rasa-api").hex()


class SignedNoticeTokens:
    """`NoticeTokens` signed with the deployment's secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def token(self, notice_id: int) -> str:
        """A token naming the notice."""
        return sign(self._secret, PURPOSE, {"id": notice_id})

    def notice_id(self, token: str) -> int | None:
        """The notice a valid token names, else None."""
        payload = verify(self._secret, PURPOSE, token)
        value = payload.get("id") if payload else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class RasaConversationTrigger:
    """A `ConversationTrigger` over Rasa's `trigger_intent` endpoint."""

    def __init__(
        self,
        rasa_url: str,
        api_token: str,
        tokens: SignedNoticeTokens,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self._url = rasa_url.rstrip("/")
        self._api_token = api_token
        self._tokens = tokens
        self._timeout = timeout
        self._session = session or requests.Session()

    def trigger(self, notice: Notice) -> None:
        """Ask Rasa to run the notice's turn in the recipient's conversation."""
        if notice.id is None:
            raise ValueError("only a kept notice can be sent")
        # Rasa's Sanic does not percent-decode a path parameter: `sms%3A%2B1...` would be
        # another conversation. `:` and `+` are legal in a path as they are.
        path = quote(notice.recipient, safe=":+")
        url = f"{self._url}/conversations/{path}/trigger_intent"
        body = {"name": INTENT, "entities": {ENTITY: self._tokens.token(notice.id)}}
        params = {"output_channel": notice.channel, "token": self._api_token}
        try:
            answer = self._session.post(url, params=params, json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise MessagingUnavailable(f"Rasa did not answer: {type(exc).__name__}") from None
        if not answer.ok:
            raise MessagingUnavailable(f"Rasa answered {answer.status_code}")
