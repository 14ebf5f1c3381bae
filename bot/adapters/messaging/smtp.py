"""Email over SMTP: the `Mailer` port, and the development mailbox `make run` starts.

The mailbox is a real SMTP server (aiosmtpd) on loopback that keeps nothing and
prints each message it receives, so the demo user can read a one-time code in
the stack's output. Addresses are masked in its log like everywhere else.
"""

from __future__ import annotations

import email.message
import email.policy
import logging
import smtplib
import time
from email.parser import BytesParser
from typing import Any

from bot.domain.errors import MessagingUnavailable

log = logging.getLogger(__name__)


class SmtpMailer:
    """A `Mailer` over one SMTP server, with a timeout on every step."""

    def __init__(self, host: str, port: int, sender: str, timeout: float = 5.0) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text email; MessagingUnavailable when the server fails."""
        message = email.message.EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MessagingUnavailable(f"the mail server failed: {type(exc).__name__}") from exc


class PrintingHandler:
    """An aiosmtpd handler that logs each message's subject and body, and keeps them."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Called by aiosmtpd for each message."""
        parsed = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, email.message.EmailMessage)
        self.received.append(parsed)
        body = parsed.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("Mail to %s: %s\n%s", parsed["To"], parsed["Subject"], text.strip())
        return "250 Message accepted for delivery"


def serve_mailbox(host: str, port: int) -> None:
    """Run the development mailbox until interrupted."""
    from aiosmtpd.controller import Controller

    controller = Controller(PrintingHandler(), hostname=host, port=port)
    controller.start()
    log.info("Development mailbox listening on %s:%d; mail is printed here.", host, port)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
