"""Twilio's Messages API, the way the Twilio channel sends its replies.

One aiohttp session (made in the running loop, basic auth with the account's
SID and token); a 5xx or a connection error is retried after each of
`RETRY_DELAYS`, a 4xx is logged with Twilio's error code and given up. Nothing
raises: `send` says whether Twilio accepted the message.

Rasa side: aiohttp, the standard library and bot.channels.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aiohttp

from bot.channels import identity
from bot.channels.messaging_settings import TwilioSettings

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0)  # after a 5xx or a connection error
API_TIMEOUT = 10.0


class TwilioApi:
    """Twilio's Messages API: one aiohttp session, made when first needed."""

    def __init__(self, settings: TwilioSettings, delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.settings, self.delays = settings, tuple(delays)
        self.url = f"{settings.api_url}/2010-04-01/Accounts/{settings.account_sid}/Messages.json"
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                auth=aiohttp.BasicAuth(self.settings.account_sid, self.settings.auth_token),
                timeout=aiohttp.ClientTimeout(total=API_TIMEOUT),
            )
            self._loop = loop
        return self._session

    async def send(self, to: str, sender: str, body: str) -> bool:
        """Post one message; True once Twilio accepted it, False when it never did."""
        form = {"To": to, "From": sender, "Body": body}
        for delay in (*self.delays, None):
            try:
                async with self.session().post(self.url, data=form) as answer:
                    if answer.status < 300:
                        return True
                    error = await _error_of(answer)
                    logger.warning("Twilio refused a message to %s: %s", _who(to), error)
                    if answer.status < 500:
                        return False
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.warning("Twilio unreachable for a message to %s: %r", _who(to), exc)
            if delay is not None:
                await asyncio.sleep(delay)
        logger.error("gave up sending a message to %s", _who(to))
        return False


async def _error_of(answer: aiohttp.ClientResponse) -> str:
    """Twilio's error code and message (e.g. 21610: the number replied STOP). The code is
    written `#21610`: logs mask a bare five-digit number as a ZIP code."""
    try:
        body = await answer.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return f"HTTP {answer.status}"
    if not isinstance(body, dict):
        return f"HTTP {answer.status}"
    return f"HTTP {answer.status}, error #{body.get('code')}: {body.get('message')}"


def _who(recipient: str) -> str:
    return identity.hash_id(recipient)
