"""The action server's services over in-memory fakes, patched into the action modules."""

from __future__ import annotations

from datetime import timedelta

import pytest

import actions.clients
import actions.handoff
import actions.lookup
import actions.nps
import actions.status
import actions.updates
from bot.bootstrap import Services
from bot.config import Settings
from bot.domain.clock import Clock
from bot.domain.identity import OrderNumberFormat
from bot.services.access import Access
from bot.services.changes import Changes
from bot.services.notify import Updates
from bot.services.wismo import Wismo
from tests.unit.builders import NOW, FakeCarrier, FakeClaims, FakeOrders, make_access
from tests.unit.fake_surveys import FakeSurveyStore, make_surveys
from tests.unit.fake_tickets import FakeTickets, make_handoff
from tests.unit.fake_updates import FakeNotices, FakeSubscriptions, FakeTokens

# Every action module that reaches the services through its own `services` name.
ACTION_MODULES = (
    actions.lookup,
    actions.status,
    actions.clients,
    actions.updates,
    actions.handoff,
    actions.nps,
)


def wire_actions(
    monkeypatch: pytest.MonkeyPatch,
    orders: FakeOrders,
    carrier: FakeCarrier,
    secret: bytes,
    *,
    access: Access | None = None,
    tickets: FakeTickets | None = None,
    surveys: FakeSurveyStore | None = None,
) -> Services:
    """Services over `orders` and `carrier`, at the tests' fixed `NOW`, that the actions use."""
    access = access or make_access(orders)
    wismo = Wismo(orders, carrier, Clock(NOW), timedelta(0), access=access)
    notices, tickets = FakeNotices(), tickets if tickets is not None else FakeTickets()
    wired = Services(
        Settings(clock=Clock(NOW), secret=secret),
        wismo,
        access,
        OrderNumberFormat(),
        Changes(orders, FakeClaims(orders), notices.check_backs, access, clock=Clock(NOW)),
        Updates(
            access,
            FakeSubscriptions(),
            notices,
            notices.check_backs,
            FakeTokens(),
            Clock(NOW),
            tickets,
        ),
        make_handoff(access, wismo, tickets),
        make_surveys(access, Clock(NOW), surveys),
    )
    for module in ACTION_MODULES:
        monkeypatch.setattr(module, "services", lambda: wired)
    return wired
