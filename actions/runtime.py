"""The action server's one set of services, built on first use (not at import)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import render
from bot.bootstrap import Services, build
from bot.config import Settings

T = TypeVar("T")
Run = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[EventType]]]
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def services() -> Services:
    """The wired services of this process."""
    return build(Settings.from_env())


async def call(function: Callable[..., T], *args: object) -> T:
    """Run blocking core work (database, carrier HTTP) off the event loop."""
    return await asyncio.to_thread(function, *args)


def guarded(run: Run) -> Run:
    """The boundary of an action: a failure becomes an apology and a way out, never silence."""

    @functools.wraps(run)
    async def wrapper(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception:  # the boundary: logged, and the shopper is answered
            log.exception("action %s failed for %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(**render("something_went_wrong", {}))
            return [ActiveLoop(None), SlotSet("requested_slot", None)]

    return wrapper
