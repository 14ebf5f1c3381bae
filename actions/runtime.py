"""The action server's one set of services, built on first use (not at import)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.bootstrap import Services, build
from bot.channels.identity import hash_id
from bot.config import Settings

T = TypeVar("T")
Run = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[EventType]]]
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def services() -> Services:
    """The wired services of this process."""
    return build(Settings.from_env())


# Two pools, so that turns waiting on a slow carrier never take the threads that
# database-only turns need (asyncio.to_thread's one default pool had 6 on 2 cores).
CARRIER_THREADS = 32  # use cases that may ask a carrier: mostly waiting on the network
STORE_THREADS = 8  # database-only use cases: short, and bounded by the store's timeouts


@lru_cache(maxsize=1)
def _carrier_pool() -> ThreadPoolExecutor:
    """The threads of use cases that may ask a carrier, started on first use."""
    return ThreadPoolExecutor(CARRIER_THREADS, thread_name_prefix="carrier-work")


@lru_cache(maxsize=1)
def _store_pool() -> ThreadPoolExecutor:
    """The threads of database-only use cases, started on first use."""
    return ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="store-work")


async def _run_in(pool: ThreadPoolExecutor, function: Callable[..., T], *args: object) -> T:
    """`function(*args)` on one of `pool`'s threads, awaited without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, functools.partial(function, *args))


async def call(function: Callable[..., T], *args: object) -> T:
    """Run blocking core work that may ask a carrier (a report) off the event loop."""
    return await _run_in(_carrier_pool(), function, *args)


async def call_store(function: Callable[..., T], *args: object) -> T:
    """Run database-only core work (find, verify, list orders) off the event loop.

    Its threads are never taken by carrier calls, so a hung carrier cannot delay it.
    """
    return await _run_in(_store_pool(), function, *args)


def in_background(function: Callable[..., object], *args: object) -> None:
    """Database-only work the shopper's answer does not wait for (statistics): run on the
    store's threads after the turn, its failure logged."""
    future = _store_pool().submit(function, *args)
    future.add_done_callback(_log_failure)


def _log_failure(future: Future[object]) -> None:
    error = future.exception()
    if error is not None:
        log.error("background store work failed: %s", type(error).__name__)


def guarded(run: Run) -> Run:
    """The boundary of an action: a failure becomes an apology and a way out, never silence."""

    @functools.wraps(run)
    async def wrapper(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception:  # the boundary: logged, and the shopper is answered
            log.exception("action %s failed for %s", self.name(), hash_id(tracker.sender_id))
            dispatcher.utter_message(response="utter_something_went_wrong")
            return [ActiveLoop(None), SlotSet("requested_slot", None)]

    return wrapper
