"""Settings.from_env: the only module that reads the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.channels.identity import SecretMissing, derive, load_secret
from bot.channels.widget_token import DEFAULT_ORIGINS, ORIGINS_ENV, parse_origins
from bot.domain.clock import Clock
from bot.domain.tickets import parse_hours

DEFAULT_CARRIER_KEY = "sandbox-key"
# The demo store's policy, found from the package (not the working directory).
DEFAULT_STORE_POLICY = str(Path(__file__).resolve().parent.parent / "policy" / "store.yml")


class SettingsError(ValueError):
    """The environment asks for something unsafe or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything a process of the stack is configured with."""

    env: str = "development"
    database_url: str = "sqlite:///var/wismo.db"
    clock: Clock = field(default_factory=Clock)
    carrier_api_url: str = "http://127.0.0.1:5080/v2"
    carrier_api_key: str = DEFAULT_CARRIER_KEY
    carrier_timeout: float = 4.0
    carrier_breaker_failures: int = 5
    carrier_breaker_reset_seconds: float = 30.0
    database_connect_timeout: float = 3.0
    database_statement_timeout_ms: int = 5000
    tracking_cache_seconds: int = 300
    order_prefix: str = "WM-"
    order_digits: int = 6
    max_verify_attempts: int = 3
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 5080
    store_timezone: str = "America/New_York"
    secret: bytes = field(default=b"", repr=False)
    grant_idle_minutes: float = 15.0
    check_window_minutes: float = 15.0
    max_failed_checks: int = 5
    max_failed_checks_per_address: int = 20
    verify_floor_seconds: float = 0.05
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "Woodland Market <orders@woodland-market.example>"
    store_policy: str = DEFAULT_STORE_POLICY
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # The reverse proxy in front of the web process (its address as the process sees it),
    # whose X-Forwarded-For names the browser: login limits count browsers, not the proxy.
    web_trusted_proxy: str = ""
    rasa_url: str = "http://127.0.0.1:5005"  # the Rasa server, as the stack reaches it
    rasa_public_url: str = "http://localhost:5005"  # the Rasa server, as browsers reach it
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS
    widget_session_hours: float = 24.0
    max_message_chars: int = 2000
    rasa_token: str = field(default="", repr=False)  # Rasa's HTTP API (`--auth-token`)
    easypost_webhook_secret: str = field(default="", repr=False)
    notifier_interval_seconds: float = 5.0
    notifier_sweep_seconds: float = 60.0  # how often the poll and the risk check run
    notifier_poll_seconds: float = 600.0  # poll a parcel no webhook told of for this long
    notifier_timeout: float = 10.0
    quiet_hours_start: str = "21:00"  # the shopper's local time
    quiet_hours_end: str = "08:00"
    sandbox_webhook_url: str = ""  # where the sandbox posts tracker events; "" sends none
    sandbox_webhook_seconds: float = 2.0
    fakes_port: int = 5090  # `wismo fakes`: Twilio's and Meta's APIs, played locally
    support_hours: str = "mon-fri 09:00-18:00"  # when people answer hand-offs
    support_timezone: str = ""  # the team's time zone; "" reads as store_timezone
    support_holidays: str = "US"  # a country (or country-subdivision) whose holidays close
    support_minutes_per_ticket: float = 10.0  # the wait each ticket ahead adds
    web_public_url: str = "http://localhost:8000"  # the web process (console), as people reach it
    helpdesk_webhook_url: str = field(default="", repr=False)  # "" sends no webhook
    helpdesk_webhook_secret: str = field(default="", repr=False)
    handoff_take_minutes: float = 15.0  # working minutes before an untaken shopper is told
    console_idle_minutes: float = 30.0  # a console session ends this long unused
    console_session_hours: float = 12.0  # and this long after login at the latest
    console_max_failed_logins: int = 5  # per username, per CHECK_WINDOW_MINUTES
    events_db: str = "var/events.db"  # the event broker's SQLite file (endpoints.yml)
    events_batch_size: int = 200  # events copied per transaction by `wismo events`
    events_poll_seconds: float = 0.5  # how often `wismo events` looks when idle
    events_release_seconds: float = 60.0  # how often it lets the broker's file forget

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        try:
            settings = cls(
                env=env.get("WISMO_ENV", "development"),
                database_url=env.get("DATABASE_URL", cls.database_url),
                clock=Clock.from_iso(env.get("WISMO_NOW")),
                carrier_api_url=env.get("EASYPOST_API_URL", cls.carrier_api_url).rstrip("/"),
                carrier_api_key=env.get("EASYPOST_API_KEY", DEFAULT_CARRIER_KEY),
                carrier_timeout=float(env.get("CARRIER_TIMEOUT", cls.carrier_timeout)),
                carrier_breaker_failures=int(
                    env.get("CARRIER_BREAKER_FAILURES", cls.carrier_breaker_failures)
                ),
                carrier_breaker_reset_seconds=float(
                    env.get("CARRIER_BREAKER_RESET_SECONDS", cls.carrier_breaker_reset_seconds)
                ),
                database_connect_timeout=float(
                    env.get("DATABASE_CONNECT_TIMEOUT", cls.database_connect_timeout)
                ),
                database_statement_timeout_ms=int(
                    env.get("DATABASE_STATEMENT_TIMEOUT_MS", cls.database_statement_timeout_ms)
                ),
                tracking_cache_seconds=int(
                    env.get("TRACKING_CACHE_SECONDS", cls.tracking_cache_seconds)
                ),
                order_prefix=env.get("ORDER_PREFIX", cls.order_prefix),
                order_digits=int(env.get("ORDER_DIGITS", cls.order_digits)),
                max_verify_attempts=int(env.get("MAX_VERIFY_ATTEMPTS", cls.max_verify_attempts)),
                sandbox_host=env.get("SANDBOX_HOST", cls.sandbox_host),
                sandbox_port=int(env.get("SANDBOX_PORT", cls.sandbox_port)),
                store_timezone=env.get("STORE_TIMEZONE", cls.store_timezone),
                secret=load_secret(env),
                grant_idle_minutes=float(env.get("GRANT_IDLE_MINUTES", cls.grant_idle_minutes)),
                check_window_minutes=float(
                    env.get("CHECK_WINDOW_MINUTES", cls.check_window_minutes)
                ),
                max_failed_checks=int(env.get("MAX_FAILED_CHECKS", cls.max_failed_checks)),
                max_failed_checks_per_address=int(
                    env.get("MAX_FAILED_CHECKS_PER_ADDRESS", cls.max_failed_checks_per_address)
                ),
                verify_floor_seconds=float(
                    env.get("VERIFY_FLOOR_SECONDS", cls.verify_floor_seconds)
                ),
                smtp_host=env.get("SMTP_HOST", cls.smtp_host),
                smtp_port=int(env.get("SMTP_PORT", cls.smtp_port)),
                mail_from=env.get("MAIL_FROM", cls.mail_from),
                store_policy=env.get("STORE_POLICY", cls.store_policy),
                web_host=env.get("WEB_HOST", cls.web_host),
                web_port=int(env.get("WEB_PORT", cls.web_port)),
                web_trusted_proxy=env.get("WEB_TRUSTED_PROXY", cls.web_trusted_proxy).strip(),
                rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
                rasa_public_url=env.get("RASA_PUBLIC_URL", cls.rasa_public_url).rstrip("/"),
                allowed_origins=parse_origins(env.get(ORIGINS_ENV)),
                widget_session_hours=float(
                    env.get("WIDGET_SESSION_HOURS", cls.widget_session_hours)
                ),
                max_message_chars=int(env.get("MAX_MESSAGE_CHARS", cls.max_message_chars)),
                **_notifier_settings(env),
                fakes_port=int(env.get("FAKES_PORT", cls.fakes_port)),
                **_support_settings(env),
                **_helpdesk_settings(env),
                **_console_settings(env),
                **_events_settings(env),
            )
        except (ValueError, SecretMissing) as exc:
            raise SettingsError(str(exc)) from exc
        if settings.env != "development" and settings.carrier_api_key == DEFAULT_CARRIER_KEY:
            raise SettingsError("EASYPOST_API_KEY must be set outside development")
        return settings


def _notifier_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The notifier's and the webhooks' settings; secrets default to keys derived from
    WISMO_SECRET (Rasa's API token must be the one the Procfile gives Rasa)."""
    secret = load_secret(env)
    web_port = env.get("WEB_PORT", str(Settings.web_port))
    quiet = {
        name: _clock_time(env.get(var, getattr(Settings, name)), var)
        for name, var in (
            ("quiet_hours_start", "QUIET_HOURS_START"),
            ("quiet_hours_end", "QUIET_HOURS_END"),
        )
    }
    return {
        "rasa_token": env.get("RASA_TOKEN") or derive(secret, "rasa-api").hex(),
        "easypost_webhook_secret": env.get("EASYPOST_WEBHOOK_SECRET")
        or derive(secret, "easypost-webhook").hex(),
        "notifier_interval_seconds": float(
            env.get("NOTIFIER_INTERVAL_SECONDS", Settings.notifier_interval_seconds)
        ),
        "notifier_sweep_seconds": float(
            env.get("NOTIFIER_SWEEP_SECONDS", Settings.notifier_sweep_seconds)
        ),
        "notifier_poll_seconds": float(
            env.get("NOTIFIER_POLL_SECONDS", Settings.notifier_poll_seconds)
        ),
        "notifier_timeout": float(env.get("NOTIFIER_TIMEOUT", Settings.notifier_timeout)),
        "sandbox_webhook_url": env.get(
            "SANDBOX_WEBHOOK_URL", f"http://127.0.0.1:{web_port}/webhooks/easypost"
        ).strip(),
        "sandbox_webhook_seconds": float(
            env.get("SANDBOX_WEBHOOK_SECONDS", Settings.sandbox_webhook_seconds)
        ),
        **quiet,
    }


def _support_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The support team's hours, zone, holidays and pace; a ValueError names the variable."""
    hours = env.get("SUPPORT_HOURS", Settings.support_hours)
    zone = env.get("SUPPORT_TIMEZONE") or env.get("STORE_TIMEZONE", Settings.store_timezone)
    holidays = env.get("SUPPORT_HOLIDAYS", Settings.support_holidays).strip().upper()
    minutes = env.get("SUPPORT_MINUTES_PER_TICKET", str(Settings.support_minutes_per_ticket))
    try:
        parse_hours(hours)
    except ValueError as exc:
        raise ValueError(f"SUPPORT_HOURS: {exc}") from None
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"SUPPORT_TIMEZONE: {zone!r} is not a time zone") from None
    if holidays and not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]{1,3})?", holidays):
        raise ValueError(f"SUPPORT_HOLIDAYS: {holidays!r} is not a country code like US")
    try:
        per_ticket = float(minutes)
    except ValueError:
        per_ticket = -1.0
    if not per_ticket > 0:
        raise ValueError(f"SUPPORT_MINUTES_PER_TICKET: {minutes!r} is not a number above 0")
    return {
        "support_hours": hours,
        "support_timezone": zone,
        "support_holidays": holidays,
        "support_minutes_per_ticket": per_ticket,
        "handoff_take_minutes": _minutes_above_zero(env, "HANDOFF_TAKE_MINUTES"),
    }


def _minutes_above_zero(env: Mapping[str, str], name: str) -> float:
    """A number of minutes above 0 from `env` (else the default), or a ValueError naming it."""
    text = env.get(name, str(getattr(Settings, name.lower())))
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not minutes > 0:
        raise ValueError(f"{name}: {text!r} is not a number above 0")
    return minutes


def _console_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The agent console's session lengths and login limit; each must be above 0."""
    return _positive(
        env,
        ("console_idle_minutes", "CONSOLE_IDLE_MINUTES", float),
        ("console_session_hours", "CONSOLE_SESSION_HOURS", float),
        ("console_max_failed_logins", "CONSOLE_MAX_FAILED_LOGINS", int),
    )


def _events_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The event consumer's source and pace (docs/conversations.md); numbers above 0."""
    return {
        "events_db": env.get("EVENTS_DB", Settings.events_db),
        **_positive(
            env,
            ("events_batch_size", "EVENTS_BATCH_SIZE", int),
            ("events_poll_seconds", "EVENTS_POLL_SECONDS", float),
            ("events_release_seconds", "EVENTS_RELEASE_SECONDS", float),
        ),
    }


def _positive(env: Mapping[str, str], *wanted: tuple[str, str, type]) -> dict[str, Any]:
    """Numbers read from variables (name, variable, int or float), each above 0, else a
    ValueError naming the variable; an unset one is the setting's default."""
    values: dict[str, Any] = {}
    for name, var, kind in wanted:
        raw = env.get(var, str(getattr(Settings, name)))
        try:
            value = kind(raw)
        except ValueError:
            value = 0
        if not value > 0:
            raise ValueError(f"{var}: {raw!r} is not a number above 0")
        values[name] = value
    return values


def _helpdesk_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The store's helpdesk webhook (docs/helpdesk-webhook.md); a ValueError names the
    variable. The signing secret defaults to a key derived from WISMO_SECRET."""
    url = env.get("HELPDESK_WEBHOOK_URL", "").strip()
    if url and not _web_url(url):
        raise ValueError("HELPDESK_WEBHOOK_URL must be an http:// or https:// URL with a host")
    secret = env.get("HELPDESK_WEBHOOK_SECRET", "").strip()
    if env.get("HELPDESK_WEBHOOK_SECRET") is not None and len(secret) < 16:
        raise ValueError("HELPDESK_WEBHOOK_SECRET must be at least 16 characters")
    web_port = env.get("WEB_PORT", str(Settings.web_port))
    public = env.get("WEB_PUBLIC_URL", f"http://localhost:{web_port}").strip().rstrip("/")
    if not _web_url(public):
        raise ValueError("WEB_PUBLIC_URL must be an http:// or https:// URL with a host")
    return {
        "web_public_url": public,
        "helpdesk_webhook_url": url,
        "helpdesk_webhook_secret": secret or derive(load_secret(env), "helpdesk-webhook").hex(),
    }


def _web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _clock_time(value: str, name: str) -> str:
    """`value` if it is a wall-clock time HH:MM, else a ValueError naming the variable."""
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"{name} must be a time like 21:00, not {value!r}")
    return f"{int(hours):02d}:{int(minutes):02d}"


def phone_environment(environ: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """The variables the phone channels' settings are read from (bot/channels/
    messaging_settings.py): the fakes read the same, so that they sign and accept alike."""
    return os.environ if environ is None else environ
