"""The action server's one set of services, built on first use (not at import)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from bot.bootstrap import Services, build
from bot.config import Settings

T = TypeVar("T")


@lru_cache(maxsize=1)
def services() -> Services:
    """The wired services of this process."""
    return build(Settings.from_env())


async def call(function: Callable[..., T], *args: object) -> T:
    """Run blocking core work (database, carrier HTTP) off the event loop."""
    return await asyncio.to_thread(function, *args)
