"""Hung carriers never delay database-only turns of the action server."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from actions.runtime import CARRIER_THREADS, call, call_store
from bot.adapters.carriers.easypost.client import EasyPostClient
from bot.domain.errors import CarrierUnavailable

CARRIER_TIMEOUT = 3.0
# More than either pool that could be shared has threads: asyncio.to_thread's default
# one (whatever the machine) or the carrier pool.
HUNG_CALLS = max(min(32, (os.cpu_count() or 1) + 4), CARRIER_THREADS) + 2


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A carrier that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for connection in held:
        connection.close()


async def test_hung_carrier_calls_do_not_delay_database_only_work(hung_port: int) -> None:
    client = EasyPostClient(f"http://127.0.0.1:{hung_port}/v2", "key", timeout=CARRIER_TIMEOUT)
    hung = [
        asyncio.ensure_future(call(client.track, "ups", f"1Z999AA1000000{n:04d}"))
        for n in range(HUNG_CALLS)
    ]
    await asyncio.sleep(0.3)  # the carrier calls have taken their threads

    started = time.monotonic()
    assert await call_store(lambda: "served") == "served"
    assert time.monotonic() - started < 0.5  # the carrier deadline is 3 s

    outcomes = await asyncio.gather(*hung, return_exceptions=True)
    assert all(isinstance(o, CarrierUnavailable) for o in outcomes)
