"""Settings of the phone channels (Twilio, WhatsApp Cloud): environment, defaults, secrets.

The defaults are the local fakes (`wismo fakes`, port 5090), so `make run`
works with no account. A token or secret left unset is derived from the
deployment's secret in development only; elsewhere it refuses to start
(`SecretMissing`), as `load_secret` does.

Both Python environments import this module: the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.channels.identity import SecretMissing, derive, load_secret

DEVELOPMENT = "development"


def secret_setting(environ: Mapping[str, str], name: str, purpose: str) -> str:
    """`environ[name]`, else (in development only) a value derived for `purpose`."""
    if environ.get(name):
        return environ[name]
    if environ.get("WISMO_ENV", DEVELOPMENT) != DEVELOPMENT:
        raise SecretMissing(f"{name} must be set outside development")
    return derive(load_secret(environ), purpose).hex()


# Twilio (SMS, and WhatsApp through Twilio): bot/channels/twilio.py.


@dataclass(frozen=True)
class TwilioSettings:
    """The Twilio account, numbers and URLs the Twilio channel uses."""

    account_sid: str
    auth_token: str
    number: str  # the SMS sender, E.164
    whatsapp_number: str  # the WhatsApp sender in Twilio's form: "whatsapp:+1..."
    public_url: str  # the exact URL Twilio calls: what its signature covers
    api_url: str  # Twilio's REST API (the fake in development)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> TwilioSettings:
        """The settings from `TWILIO_*` variables, defaults pointing at the local fake."""
        return cls(
            account_sid=environ.get("TWILIO_ACCOUNT_SID") or "ACdevelopment0000000000000000000000",
            auth_token=secret_setting(environ, "TWILIO_AUTH_TOKEN", "twilio-dev-token"),
            number=environ.get("TWILIO_NUMBER") or "+15550100000",
            whatsapp_number=environ.get("TWILIO_WHATSAPP_NUMBER") or "whatsapp:+15550100001",
            public_url=environ.get("TWILIO_PUBLIC_URL")
            or "http://127.0.0.1:5005/webhooks/twilio/webhook",
            api_url=(environ.get("TWILIO_API_URL") or "http://127.0.0.1:5090").rstrip("/"),
        )


# WhatsApp Cloud API: bot/channels/whatsapp_cloud.py (WhatsAppCloudSettings goes here).


@dataclass(frozen=True)
class WhatsAppCloudSettings:
    """The WhatsApp Business number, Meta app and Graph API the WhatsApp Cloud channel uses."""

    phone_number_id: str  # the business number's id in the Graph API, not the number
    access_token: str  # the Graph API's bearer token
    app_secret: str  # signs webhook bodies (X-Hub-Signature-256)
    verify_token: str  # what Meta presents in the webhook subscription handshake
    graph_url: str  # the Graph API (the fake in development)
    graph_version: str  # "v21.0"
    template: str  # the approved template that reaches a shopper outside 24 hours
    template_language: str
    # When each shopper last wrote (bot/channels/whatsapp_window.py): the window outlives
    # a restart.
    window_db: str = "var/whatsapp-window.db"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WhatsAppCloudSettings:
        """The settings from `WHATSAPP_*` variables, defaults pointing at the local fake."""
        return cls(
            phone_number_id=environ.get("WHATSAPP_PHONE_NUMBER_ID") or "100000000000001",
            access_token=secret_setting(
                environ, "WHATSAPP_ACCESS_TOKEN", "whatsapp-dev-access-token"
            ),
            app_secret=secret_setting(environ, "WHATSAPP_APP_SECRET", "whatsapp-dev-app-secret"),
            verify_token=secret_setting(
                environ, "WHATSAPP_VERIFY_TOKEN", "whatsapp-dev-verify-token"
            ),
            graph_url=(environ.get("WHATSAPP_GRAPH_URL") or "http://127.0.0.1:5090").rstrip("/"),
            graph_version=environ.get("WHATSAPP_GRAPH_VERSION") or "v21.0",
            template=environ.get("WHATSAPP_TEMPLATE") or "order_update",
            template_language=environ.get("WHATSAPP_TEMPLATE_LANGUAGE") or "en_US",
            window_db=environ.get("WHATSAPP_WINDOW_DB") or cls.window_db,
        )
