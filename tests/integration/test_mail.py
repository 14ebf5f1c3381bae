"""One-time codes by email, through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from bot.adapters.messaging.smtp import PrintingHandler, SmtpMailer
from bot.domain.errors import MessagingUnavailable
from bot.domain.identity import OrderRef, RefKind
from tests.unit.builders import CLIENT, FakeOrders, make_access, order


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[PrintingHandler, int]]:
    handler, port = PrintingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_a_code_reaches_the_orders_email_and_proves_the_change_level(
    mailbox: tuple[PrintingHandler, int], caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = mailbox
    access = make_access(FakeOrders([order()]))
    access.mailer = SmtpMailer("127.0.0.1", port, "orders@woodland-market.example")
    number = OrderRef(RefKind.ORDER_NUMBER, "WM-104233")
    with caplog.at_level(logging.INFO, logger="bot.adapters.messaging.smtp"):
        access.send_code(CLIENT, number)
    (mail,) = handler.received
    assert mail["To"] == "jane.doe@example.com"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    assert "Mail to" in caplog.text and code in caplog.text  # the demo user reads it there
    assert access.confirm_code(CLIENT, number, code).proven == ("WM-104233",)


def test_a_mail_server_that_is_down_is_an_error_not_a_hang() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), "orders@woodland-market.example", timeout=2)
    with pytest.raises(MessagingUnavailable):
        mailer.send("jane.doe@example.com", "subject", "body")
