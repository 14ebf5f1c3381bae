"""The website widget's path under load: the REST shoppers' conversations, over socket.io.

The same scripts, the same pauses (`Shoppers.pause`: `think` +/- `spread`) and
the same arrivals spread over one pause as bench.load's shoppers; only the way
in differs. Each conversation does what the widget in a browser does: it gets a
session from the web process (`POST /widget/session`, not timed), opens one
socket to Rasa (`auth: {token}`, WebSocket only), says each turn with
`user_uttered` and hears `bot_uttered` until the channel's `turn_done`. A turn
is timed from the emit to `turn_done` and judged as a REST turn is
(`bench.load.judge_replies`); then the socket is closed.

A turn that times out, or a socket the server closes, ends its conversation:
the replies of that turn may still come, and would be heard as the next one's.
A session or connection that fails is the first turn's error (the shopper got
no answer), its time that of the attempt; the shopper pauses and starts anew.

All shoppers are tasks of one asyncio event loop in a thread of its own. That
client must not be what limits the figures, so every run also measures it
(`client` in the summary): the CPU the loop's thread used as a share of the
run's wall time (one core is 1.0), and how late the loop woke a 50 ms timer (its
lag, p99 and max). A share well below 1 and a lag of a few ms say the turn times
are the server's; the time of a session and connection is there too.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio  # type: ignore[import-untyped]
from socketio.exceptions import SocketIOError  # type: ignore[import-untyped]

from bench.load import Record, Run, Script, Shoppers, Turn, judge_replies, percentile_ms

SESSION_PATH = "/widget/session"
SOCKETIO_PATH = "/socket.io"
LAG_PROBE_S = 0.05
STOP_MARGIN_S = 0.01  # a timer may fire a little early: wake past the window's end


class SetupFailed(Exception):
    """The web process did not give a session."""


@dataclass
class WidgetRun(Run):
    """A run's turns, as bench.load's, and what the client itself cost."""

    setups: list[float] = field(default_factory=list)  # session and connection, seconds
    loop_lags: list[float] = field(default_factory=list)  # seconds late, one per probe
    client_cpu_s: float = 0.0
    client_wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "client": self.client_figures()}

    def client_figures(self) -> dict[str, float | None]:
        """Whether the load generator kept up: its CPU share, its loop's lag, its setups."""
        setups, lags = sorted(self.setups), sorted(self.loop_lags)
        wall = self.client_wall_s
        return {
            "cpu_share": round(self.client_cpu_s / wall, 3) if wall else None,
            "loop_lag_p99_ms": percentile_ms(lags, 99),
            "loop_lag_max_ms": percentile_ms(lags, 100),
            "conversations": len(setups),
            "setup_p50_ms": percentile_ms(setups, 50),
            "setup_p95_ms": percentile_ms(setups, 95),
        }


class Chat:
    """One widget conversation: its socket, and what it heard in the turn under way."""

    def __init__(self) -> None:
        # Its own HTTP session, as a browser tab's, closed with the socket (a shared one
        # would be closed by any engine.io client the garbage collector takes).
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.heard: list[dict[str, Any]] = []
        self.done = asyncio.Event()
        self.done_at = 0.0
        self.lost = ""  # why the socket can carry the conversation no further
        self.sio.on("bot_uttered", self._uttered)
        self.sio.on("turn_done", self._turn_done)
        self.sio.on("session_expired", self._expired)
        self.sio.on("disconnect", self._disconnected)

    def _uttered(self, data: Any = None) -> None:
        self.heard.append(data if isinstance(data, dict) else {"text": str(data)})

    def _turn_done(self, *_: Any) -> None:
        self.done_at = time.monotonic()  # when it arrived, not when the waiter ran
        self.done.set()

    def _expired(self, *_: Any) -> None:
        self._lose("session expired")

    def _disconnected(self, *_: Any) -> None:
        self._lose("disconnected")

    def _lose(self, why: str) -> None:
        self.lost = self.lost or why
        self.done_at = time.monotonic()
        self.done.set()

    async def say(self, text: str, timeout: float) -> tuple[list[dict[str, Any]], float]:
        """Send a message; the replies of its turn and the seconds until `turn_done`.

        Raises TimeoutError when the turn does not end in `timeout` seconds.
        """
        self.heard, started = [], time.monotonic()
        self.done.clear()
        await self.sio.emit("user_uttered", {"message": text})
        await asyncio.wait_for(self.done.wait(), timeout)
        return self.heard, self.done_at - started

    async def close(self) -> None:
        self.lost = self.lost or "closed"
        await self.sio.disconnect()


class WidgetShoppers:
    """Drive `shoppers` concurrent conversations through the widget's socket.io channel.

    The contract of `bench.load.Shoppers.run`; its pacing and its supply of scripts
    are a `Shoppers`' own (`self.pacing`), so the two paths differ only in transport.
    """

    def __init__(
        self,
        rasa_url: str,
        web_url: str,
        scripts: Iterator[Script],
        *,
        timeout: float = 30.0,
        seed: int = 7,
        spread: float = 0.5,
        origin: str | None = None,
    ) -> None:
        self.rasa_url = rasa_url
        self.web_url = web_url
        self.timeout = timeout
        # A browser on the demo store sends its page's origin, which Rasa must allow.
        self.headers = {"Origin": web_url if origin is None else origin}
        self.pacing = Shoppers(rasa_url, scripts, timeout=timeout, seed=seed, spread=spread)

    def run(self, name: str, shoppers: int, think: float, seconds: float) -> WidgetRun:
        run = WidgetRun(name, shoppers, think, seconds)
        jitters = [random.Random(self.pacing.random.random()) for _ in range(shoppers)]  # noqa: S311
        stop_at = time.monotonic() + seconds
        loop = threading.Thread(
            target=lambda: asyncio.run(self._drive(run, stop_at, jitters)), daemon=True
        )
        loop.start()
        loop.join(timeout=seconds + self.timeout + 30)
        return run

    async def _drive(self, run: WidgetRun, stop_at: float, jitters: list[random.Random]) -> None:
        wall, cpu = time.monotonic(), time.thread_time()
        probe = asyncio.create_task(self._probe_lag(run.loop_lags))
        # The sessions' requests, unqueued; each socket has an HTTP session of its own (Chat).
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar()
        ) as http:
            tasks = [asyncio.create_task(self._shopper(http, run, stop_at, j)) for j in jitters]
            if tasks:
                _, late = await asyncio.wait(
                    tasks, timeout=max(0.0, stop_at - time.monotonic()) + self.timeout + 10
                )
                for task in late:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        probe.cancel()
        run.client_cpu_s = time.thread_time() - cpu
        run.client_wall_s = time.monotonic() - wall

    @staticmethod
    async def _probe_lag(lags: list[float]) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_PROBE_S)
            lags.append(max(0.0, time.monotonic() - before - LAG_PROBE_S))

    async def _shopper(
        self, http: aiohttp.ClientSession, run: WidgetRun, stop_at: float, jitter: random.Random
    ) -> None:
        await asyncio.sleep(jitter.uniform(0, run.think))  # arrivals spread over one pause
        while time.monotonic() < stop_at:
            await self._conversation(http, run, stop_at, jitter, self.pacing.next_script())

    async def _conversation(
        self,
        http: aiohttp.ClientSession,
        run: WidgetRun,
        stop_at: float,
        jitter: random.Random,
        script: Script,
    ) -> None:
        started = time.monotonic()
        chat = Chat()
        try:
            try:
                await self._open(http, chat)
            except (SetupFailed, aiohttp.ClientError, SocketIOError, TimeoutError) as error:
                self._record(run, Record(started, time.monotonic() - started, False, 0), error)
                await self._pause(jitter, run.think, stop_at)
                return
            run.setups.append(time.monotonic() - started)
            for step, turn in enumerate(script):
                if time.monotonic() >= stop_at:
                    return
                going_on = await self._turn(chat, run, turn, step)
                await self._pause(jitter, run.think, stop_at)
                if not going_on:
                    return  # the socket is out of step with the script: a new conversation
        finally:
            await chat.close()

    async def _open(self, http: aiohttp.ClientSession, chat: Chat) -> None:
        """A session from the web process, then the socket it opens: what a page load does."""
        async with http.post(
            self.web_url + SESSION_PATH,
            headers=self.headers,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as answer:
            if answer.status != 200:
                raise SetupFailed(f"session HTTP {answer.status}")
            token = (await answer.json())["token"]
        await chat.sio.connect(
            self.rasa_url,
            socketio_path=SOCKETIO_PATH,
            transports=["websocket"],
            auth={"token": token},
            headers=self.headers,
            wait_timeout=self.timeout,
        )

    async def _turn(self, chat: Chat, run: WidgetRun, turn: Turn, step: int) -> bool:
        """Say one turn and record it; whether the conversation can go on."""
        started = time.monotonic()
        try:
            replies, elapsed = await chat.say(turn.text, self.timeout)
        except (TimeoutError, SocketIOError) as error:
            self._record(run, Record(started, time.monotonic() - started, False, step), error)
            return False
        problem = chat.lost or judge_replies(replies, turn)
        self._record(run, Record(started, elapsed, not problem, step), problem)
        return not chat.lost

    async def _pause(self, jitter: random.Random, think: float, stop_at: float) -> None:
        """The shopper's pause, cut short when the window closes first: no turn follows it."""
        pause = self.pacing.pause(jitter, think)
        await asyncio.sleep(min(pause, max(0.0, stop_at - time.monotonic()) + STOP_MARGIN_S))

    def _record(self, run: Run, record: Record, problem: str | BaseException) -> None:
        kind = problem if isinstance(problem, str) else failure_kind(problem)
        with self.pacing.lock:
            run.records.append(record)
            if kind:
                run.failures[kind] = run.failures.get(kind, 0) + 1


def failure_kind(error: BaseException) -> str:
    """An error's kind, as a failure count names it: what the web process said, or its type."""
    if isinstance(error, SetupFailed):
        return str(error)
    return type(error).__name__
