"""The composition root: the one place that builds adapters from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.repository import SqlOrderRepository
from bot.config import Settings
from bot.domain.identity import OrderNumberFormat
from bot.services.wismo import Wismo


def build_repository(settings: Settings) -> SqlOrderRepository:
    """The order store of `settings.database_url`, migrated to the latest schema."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    return SqlOrderRepository.on(engine)


@dataclass(frozen=True)
class Services:
    """Everything an action server (or another process) needs, wired once."""

    settings: Settings
    wismo: Wismo
    numbers: OrderNumberFormat


def build_carrier(settings: Settings) -> EasyPostClient:
    """The tracking API client: EasyPost, or the sandbox speaking its wire format."""
    return EasyPostClient(
        settings.carrier_api_url,
        settings.carrier_api_key,
        settings.carrier_timeout,
        clock=settings.clock,
    )


def build(settings: Settings) -> Services:
    """Wire the order store, the carrier client and the use cases from settings."""
    repository = build_repository(settings)
    wismo = Wismo(
        repository,
        build_carrier(settings),
        settings.clock,
        timedelta(seconds=settings.tracking_cache_seconds),
    )
    numbers = OrderNumberFormat(settings.order_prefix, settings.order_digits)
    return Services(settings, wismo, numbers)
