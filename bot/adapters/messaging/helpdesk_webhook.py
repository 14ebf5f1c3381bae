"""The store's helpdesk webhook over HTTP: a `WebhookSender`.

    POST {HELPDESK_WEBHOOK_URL}
    Content-Type: application/json
    X-Wismo-Signature: t=...,v1=...   X-Wismo-Event: ...   X-Wismo-Delivery: ...

One request per attempt, with a timeout and without following redirects (a redirect
could carry the signed body somewhere the store did not configure). The receiver's
body is never read. No answer at all (refused, timed out, a broken connection) leaves
this module as `MessagingUnavailable` naming the exception's kind, never the URL.
"""

from __future__ import annotations

from collections.abc import Mapping

import requests

from bot.domain.errors import MessagingUnavailable

USER_AGENT = "wismo-helpdesk-webhook/1"


class HttpWebhookSender:
    """A `WebhookSender` posting to one URL with requests."""

    def __init__(
        self, url: str, timeout: float = 10.0, session: requests.Session | None = None
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return "HttpWebhookSender(<url hidden>)"  # the URL may hold the receiver's token

    def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        """Send the body; the receiver's HTTP status (MessagingUnavailable without one)."""
        sent = {**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT}
        try:
            answer = self._session.post(
                self._url,
                data=body,
                headers=sent,
                timeout=self._timeout,
                allow_redirects=False,
                stream=True,  # the status is enough: the body is not downloaded
            )
        except requests.RequestException as exc:
            raise MessagingUnavailable(f"no answer: {type(exc).__name__}") from None
        answer.close()
        return answer.status_code
