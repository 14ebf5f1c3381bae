"""Settings of the phone channels (bot/channels/messaging_settings.py): Twilio's part."""

from __future__ import annotations

import pytest

from bot.channels.identity import SecretMissing, derive
from bot.channels.messaging_settings import TwilioSettings

DEV = {"WISMO_ENV": "development", "WISMO_SECRET": "s3cret"}


def test_with_nothing_configured_twilio_is_the_local_fake_with_a_token_from_the_secret() -> None:
    settings = TwilioSettings.from_env(DEV)
    assert settings == TwilioSettings(
        account_sid="ACdevelopment0000000000000000000000",
        auth_token=derive(b"s3cret", "twilio-dev-token").hex(),
        number="+15550100000",
        whatsapp_number="whatsapp:+15550100001",
        public_url="http://127.0.0.1:5005/webhooks/twilio/webhook",
        api_url="http://127.0.0.1:5090",
    )
    assert TwilioSettings.from_env({**DEV, "WISMO_SECRET": "other"}).auth_token != (
        settings.auth_token
    )


def test_configured_values_win() -> None:
    given = {
        **DEV,
        "TWILIO_ACCOUNT_SID": "AC123",
        "TWILIO_AUTH_TOKEN": "tok",
        "TWILIO_NUMBER": "+14155550100",
        "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155550101",
        "TWILIO_PUBLIC_URL": "https://bot.example/webhooks/twilio/webhook",
        "TWILIO_API_URL": "https://api.twilio.com/",
    }
    settings = TwilioSettings.from_env(given)
    assert (settings.account_sid, settings.auth_token, settings.api_url) == (
        "AC123",
        "tok",
        "https://api.twilio.com",
    )
    assert settings.public_url == "https://bot.example/webhooks/twilio/webhook"


def test_outside_development_a_missing_auth_token_refuses_to_start() -> None:
    with pytest.raises(SecretMissing, match="TWILIO_AUTH_TOKEN"):
        TwilioSettings.from_env({"WISMO_ENV": "production", "WISMO_SECRET": "s3cret"})
    production = {"WISMO_ENV": "production", "TWILIO_AUTH_TOKEN": "tok"}
    assert TwilioSettings.from_env(production).auth_token == "tok"  # noqa: S105
