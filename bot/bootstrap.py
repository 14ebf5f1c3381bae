"""The composition root: the one place that builds adapters from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.carriers.base import GuardedCarrier
from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.adapters.db.access import SqlAccessStore
from bot.adapters.db.accounts import SqlAccountStore
from bot.adapters.db.claims import SqlCheckBackStore, SqlClaimStore
from bot.adapters.db.conversation_reader import SqlConversationReader
from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.helpdesk import SqlHelpdeskDeliveries
from bot.adapters.db.notices import SqlNoticeStore, SqlSubscriptionStore
from bot.adapters.db.repository import SqlOrderRepository
from bot.adapters.db.surveys import SqlSurveyStore
from bot.adapters.db.tickets import SqlTicketStore
from bot.adapters.db.trends import SqlTrends
from bot.adapters.holidays import holiday_calendar
from bot.adapters.messaging.helpdesk_webhook import HttpWebhookSender
from bot.adapters.messaging.smtp import SmtpMailer
from bot.adapters.passwords import Argon2Passwords
from bot.adapters.policy_file import load_policy
from bot.adapters.rasa_api import RasaConversationTrigger, SignedNoticeTokens
from bot.adapters.rasa_conversations import RasaConversations
from bot.channels.identity import derive
from bot.channels.redaction import redact
from bot.config import Settings, SettingsError
from bot.domain.access import Limits
from bot.domain.clock import Clock
from bot.domain.identity import OrderNumberFormat
from bot.domain.notices import QuietHours, Zones
from bot.domain.tickets import BusinessHours, parse_hours
from bot.services.access import Access, keyed_digest
from bot.services.accounts import Accounts
from bot.services.changes import Changes
from bot.services.console import Console
from bot.services.handoff import Handoff
from bot.services.helpdesk import HelpdeskWebhook
from bot.services.leads import Leads
from bot.services.notify import Notifier, Updates
from bot.services.overdue import OverdueTickets
from bot.services.surveys import Surveys
from bot.services.trends import Trends
from bot.services.wismo import Wismo


def build_repository(settings: Settings) -> SqlOrderRepository:
    """The order store of `settings.database_url`, migrated to the latest schema."""
    engine = make_engine(
        settings.database_url,
        settings.database_connect_timeout,
        settings.database_statement_timeout_ms,
    )
    migrate(engine)
    return SqlOrderRepository.on(engine)


def build_access(settings: Settings, repository: SqlOrderRepository) -> Access:
    """The access service, its state in the same database as the orders."""
    limits = Limits(
        window=timedelta(minutes=settings.check_window_minutes),
        per_reference=settings.max_failed_checks,
        per_email=settings.max_failed_checks,
        per_client=settings.max_verify_attempts,
        per_conversation=settings.max_verify_attempts,
        per_address=settings.max_failed_checks_per_address,
        idle=timedelta(minutes=settings.grant_idle_minutes),
    )
    return Access(
        SqlAccessStore.on(repository.engine),
        repository,
        keyed_digest(derive(settings.secret, "access")),
        SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from),
        limits,
        floor_seconds=settings.verify_floor_seconds,
    )


@dataclass(frozen=True)
class Services:
    """Everything an action server (or another process) needs, wired once."""

    settings: Settings
    wismo: Wismo
    access: Access
    numbers: OrderNumberFormat
    changes: Changes
    updates: Updates
    handoff: Handoff
    surveys: Surveys


def build_carrier(settings: Settings) -> GuardedCarrier:
    """The tracking API client: EasyPost, or the sandbox speaking its wire format."""
    client = EasyPostClient(
        settings.carrier_api_url,
        settings.carrier_api_key,
        settings.carrier_timeout,
        clock=settings.clock,
    )
    return GuardedCarrier(
        client, settings.carrier_breaker_failures, settings.carrier_breaker_reset_seconds
    )


def build(settings: Settings) -> Services:
    """Wire the order store, the carrier client and the use cases from settings."""
    policy = load_policy(settings.store_policy)  # a bad file stops the process here
    repository = build_repository(settings)
    access = build_access(settings, repository)
    wismo = Wismo(
        repository,
        build_carrier(settings),
        settings.clock,
        timedelta(seconds=settings.tracking_cache_seconds),
        access=access,
        wait_for=timedelta(seconds=settings.carrier_timeout + 1),
        policy=policy,
        told=SqlTrends.on(repository.engine),
    )
    changes = Changes(
        repository,
        SqlClaimStore.on(repository.engine),
        SqlCheckBackStore.on(repository.engine),
        access,
        policy,
        settings.clock,  # the store's "now", as the report reads it (WISMO_NOW in demos)
    )
    numbers = OrderNumberFormat(settings.order_prefix, settings.order_digits)
    updates = Updates(
        access,
        SqlSubscriptionStore.on(repository.engine),
        SqlNoticeStore.on(repository.engine),
        SqlCheckBackStore.on(repository.engine),
        SignedNoticeTokens(settings.secret),
        settings.clock,
        SqlTicketStore.on(repository.engine),
    )
    handoff = build_handoff(settings, repository, access, wismo)
    surveys = Surveys(
        SqlSurveyStore.on(repository.engine),
        access,
        keyed_digest(derive(settings.secret, "surveys")),
        Clock(),  # real time, as access windows: "once a week" is elapsed time, even in demos
    )
    return Services(settings, wismo, access, numbers, changes, updates, handoff, surveys)


def business_hours(settings: Settings) -> BusinessHours:
    """The support team's hours, in its zone, closed on its country's holidays."""
    try:
        holiday = holiday_calendar(settings.support_holidays)
    except ValueError as exc:
        raise SettingsError(f"SUPPORT_HOLIDAYS: {exc}") from exc
    zone = ZoneInfo(settings.support_timezone or settings.store_timezone)
    return BusinessHours(parse_hours(settings.support_hours), zone, holiday)


def build_handoff(
    settings: Settings, repository: SqlOrderRepository, access: Access, wismo: Wismo
) -> Handoff:
    """Hand-offs to the team: tickets in the order store, the team's hours, masked lines."""
    return Handoff(
        SqlTicketStore.on(repository.engine),
        access,
        wismo,
        business_hours(settings),
        redact,
        settings.support_minutes_per_ticket,
        outbox=SqlHelpdeskDeliveries.on(repository.engine)
        if settings.helpdesk_webhook_url
        else None,
    )


def build_helpdesk_webhook(
    settings: Settings, repository: SqlOrderRepository
) -> HelpdeskWebhook | None:
    """The notifier's webhook step to the store's helpdesk; None when no URL is set."""
    if not settings.helpdesk_webhook_url:
        return None
    return HelpdeskWebhook(
        SqlHelpdeskDeliveries.on(repository.engine),
        SqlTicketStore.on(repository.engine),
        HttpWebhookSender(settings.helpdesk_webhook_url, settings.notifier_timeout),
        settings.helpdesk_webhook_secret,
        settings.web_public_url,
    )


def build_notifier(settings: Settings, repository: SqlOrderRepository | None = None) -> Notifier:
    """The notifier's use cases: the store, the carrier, Rasa's trigger API, quiet hours."""
    repository = repository or build_repository(settings)
    trigger = RasaConversationTrigger(
        settings.rasa_url,
        settings.rasa_token,
        SignedNoticeTokens(settings.secret),
        settings.notifier_timeout,
    )
    return Notifier(
        repository,
        build_carrier(settings),
        SqlNoticeStore.on(repository.engine),
        SqlSubscriptionStore.on(repository.engine),
        trigger,
        load_policy(settings.store_policy),
        QuietHours(
            time.fromisoformat(settings.quiet_hours_start),
            time.fromisoformat(settings.quiet_hours_end),
        ),
        Zones(settings.store_timezone),
        timedelta(seconds=settings.notifier_poll_seconds),
        handoffs=OverdueTickets(
            SqlTicketStore.on(repository.engine),
            SqlNoticeStore.on(repository.engine),
            business_hours(settings),
            settings.handoff_take_minutes,
        ),
    )


def build_accounts(settings: Settings, repository: SqlOrderRepository) -> Accounts:
    """Console accounts: argon2 hashes, sessions and login failures in the order store."""
    return Accounts(
        SqlAccountStore.on(repository.engine),
        SqlAccessStore.on(repository.engine),
        Argon2Passwords(),
        keyed_digest(derive(settings.secret, "console-login")),
        idle=timedelta(minutes=settings.console_idle_minutes),
        lifetime=timedelta(hours=settings.console_session_hours),
        window=timedelta(minutes=settings.check_window_minutes),
        max_failures=settings.console_max_failed_logins,
        max_failures_per_address=settings.max_failed_checks_per_address,
    )


def build_console(settings: Settings, repository: SqlOrderRepository) -> Console:
    """The agent console's use cases: the ticket store and Rasa's HTTP API."""
    control = RasaConversations(
        settings.rasa_url, settings.rasa_token, settings.secret, settings.notifier_timeout
    )
    return Console(SqlTicketStore.on(repository.engine), control, settings.clock, redact)


def build_leads(settings: Settings, repository: SqlOrderRepository) -> Leads:
    """The leads' conversations: the log the event consumer keeps, masked by the orders."""
    return Leads(
        SqlConversationReader.on(repository.engine),
        repository,
        SqlTicketStore.on(repository.engine),
        redact,
        Clock(),  # a reveal is recorded at the real time, even when the demo fixes "now"
    )


def build_trends(settings: Settings, repository: SqlOrderRepository) -> Trends:
    """The leads' trends, days in the store's zone, on real time: the conversation log's
    times are Rasa's, whatever WISMO_NOW fixes for a demo."""
    return Trends(SqlTrends.on(repository.engine), Clock(), ZoneInfo(settings.store_timezone))
