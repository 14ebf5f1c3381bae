"""Logs show no personal data: emails, phones, postcodes and street lines are masked."""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from collections.abc import Iterator

import pytest

from bot.channels import redaction
from bot.channels.identity import hash_id
from bot.channels.redaction import redact, redact_log_line


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("my email is jane.doe@example.com thanks", "jane.doe@example.com"),
        ("liam.o'neil@example.ie", "liam.o'neil@example.ie"),
        ("it is 'jane.doe@example.com'", "jane.doe@example.com"),
        ("k.obrien+shop@mail.co.uk.", "k.obrien+shop@mail.co.uk"),
        ("call +14155550134", "+14155550134"),
        ("call +1 415 555 0134 please", "+1 415 555 0134"),
        ("+44 (0)20 7946 0958", "7946 0958"),
        ("(415) 555-0134", "555-0134"),
        ("415-555-0134", "415-555-0134"),
        ("415.555.0134", "415.555.0134"),
        ("1-800-555-0199", "800-555-0199"),
        ("zip is 94107", "94107"),
        ("zip 94107-1234.", "94107-1234"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("postcode m15 4ab", "m15 4ab"),
        ("K1A 0B1", "K1A 0B1"),
        ("m5v3l9", "m5v3l9"),
        ("send it to 500 Terry Francois St please", "500 Terry Francois St"),
        ("2104 E Cesar Chavez St, Austin", "Cesar Chavez"),
        ("745 Edgewood Ave NE", "745 Edgewood Ave NE"),
        ("820 S Broadway", "820 S Broadway"),
        ("88 Queens Quay W", "88 Queens Quay"),
        ("27 Elgin Crescent", "27 Elgin Crescent"),
        ("480 E 900 S", "480 E 900 S"),
        ("12 oak lane", "12 oak lane"),
        ("1 Infinite Loop", "1 Infinite Loop"),
        ("77 Massachusetts Avenue", "77 Massachusetts Avenue"),
        ("1200 Villa Pl", "1200 Villa Pl"),
        ("9 Elm Terrace", "9 Elm Terrace"),
        ("42 Ocean Pkwy", "42 Ocean Pkwy"),
        ("100 Main Road", "100 Main Road"),
        ("3 Abbey Rd", "3 Abbey Rd"),
        ("4 Sunset Blvd", "4 Sunset Blvd"),
        ("5 Court Ct", "5 Court Ct"),
        ("6 Mulholland Drive", "6 Mulholland Drive"),
        ("7 Park Dr", "7 Park Dr"),
        ("8 Penny Ln", "8 Penny Ln"),
        ("10 Milky Way", "10 Milky Way"),
    ],
)
def test_personal_data_is_masked(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert "<" in masked


@pytest.mark.parametrize(
    "text",
    [
        "where is my order WM-104233?",
        "order wm104233 and #WM-104233",
        "2026-11-20T15:00:00-05:00",
        "on 2026-11-20 at 15:00:00",
        "tracking 1Z999AA10123456784 says delivered",
        "FedEx 9400111899223344556677 and 1234 5678 9012",
        "your parcel is on the way, 2 items left the depot",
        "it took 3 weeks and 2 days",
        "Starting Rasa server on http://127.0.0.1:5005",
        "listening on 127.0.0.1:50551",
        "Froze 670000 objects in 12.5 s",
        "the order total was $10000.00",
        "parsed in 0.12345 seconds",
        "the turn took 12345 ms",
        "Twilio refused a message to 3f2a: HTTP 400, error #21610: Attempt to send",
    ],
)
def test_ordinary_text_order_numbers_dates_and_tracking_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_a_quoted_email_keeps_its_quotes() -> None:
    assert redact("heard 'jane.doe@example.com'") == "heard '<email>'"


def test_log_lines_name_conversations_only_by_a_digest_and_hide_tokens() -> None:
    line = redact_log_line(
        "Stopped predicting more actions for sender 'shopper-1'. "
        "POST /webhook?token=abc123&x=1 sender_id=shopper-2 "
        '{"sender_id": "shopper-3"} conversation ID \'shopper-4\''
    )
    for sender in ("shopper-1", "shopper-2", "shopper-3", "shopper-4", "abc123"):
        assert sender not in line
    assert hash_id("shopper-1") in line and hash_id("shopper-3") in line


def test_masking_takes_linear_time_on_hostile_text() -> None:
    for unit in ("a'", "a.", "1 ", "1 a ", "a@a.", "+1 ", "1-", "A1 "):
        started = time.perf_counter()
        redact_log_line(unit * 50_000)
        assert time.perf_counter() - started < 1.0, unit


@pytest.fixture
def installed() -> Iterator[pytest.LogCaptureFixture]:
    before = logging.getLogRecordFactory()
    redaction.install()
    yield
    logging.setLogRecordFactory(before)
    logging.captureWarnings(False)


def test_an_installed_factory_masks_messages_arguments_and_exceptions(
    installed: None, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("tests.redaction")
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        logger.info("verified %s with zip %s for %s", "jane.doe@example.com", "94107", "WM-104233")
        try:
            raise ValueError("no order for jane.doe@example.com at 500 Terry Francois St")
        except ValueError:
            logger.exception("lookup failed for phone %s", "+1 415 555 0134")
    text = caplog.text
    assert "jane.doe@example.com" not in text
    assert "94107" not in text and "Terry Francois" not in text and "555 0134" not in text
    assert "WM-104233" in text and "ValueError" in text and "<email>" in text
    record = caplog.records[-1]
    assert record.args is None and record.exc_info is None
    assert "jane.doe" not in (record.exc_text or "") and "ValueError" in (record.exc_text or "")


def test_warnings_are_logged_and_masked(installed: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="py.warnings"), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("odd address jane.doe@example.com", UserWarning, stacklevel=1)
    assert "<email>" in caplog.text and "jane.doe@example.com" not in caplog.text


def test_a_logged_digest_cannot_be_found_again_without_the_deployments_secret() -> None:
    # Hashing every phone number would otherwise tell whose SMS conversation a log line is.
    sender = "sms:+14155550134"
    assert hash_id(sender, b"one secret") == hash_id(sender, b"one secret")
    assert hash_id(sender, b"one secret") != hash_id(sender, b"another")
    assert hash_id(sender) != hashlib.sha256(sender.encode()).hexdigest()[:12]
