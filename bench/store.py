"""The order store at scale: import N synthetic orders, then time the lookups the bot makes.

    python -m bench.store --orders 1000000 --out var/bench/store.json \\
        --sqlite var/bench/store.db \\
        --postgres postgresql+psycopg2://postgres@127.0.0.1:5432/wismo_bench_store

For each backend: a fresh database (the PostgreSQL one is created, and dropped afterwards
unless --keep), migrated; the data file generated once per (orders, seed) and reused; then
`wismo import` in a child process (its time and peak memory), then lookups through
`SqlOrderRepository` as the bot wires it: by order number, email and tracking number, for
random existing keys and a few missing ones. Figures go to a table on stdout and to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from bench.orders import (
    FIRST_NUMBER,
    GENERATOR_VERSION,
    order_document,
    unused_tracking_number,
    write_orders,
)
from bot.adapters.db.engine import make_engine, migrate
from bot.adapters.db.repository import SqlOrderRepository
from bot.domain.clock import Clock
from bot.domain.orders import Order

Json = dict[str, Any]
KINDS = ("order_number", "email", "tracking_number")
WARM_UP = 50  # lookups per kind before timing: connections and statement caches ready
IMPORT = "import sys; from bot.cli import main; sys.exit(main())"


@dataclass(frozen=True)
class DataFile:
    """A generated import file and what it took to make."""

    path: Path
    orders: int
    seed: int
    generator_seconds: float
    reused: bool


@dataclass(frozen=True)
class Key:
    """One lookup: what is asked, and the order number that must come back (None: missing)."""

    kind: str
    value: str
    expected: str | None


def data_file(directory: Path, orders: int, seed: int, *, progress: bool = True) -> DataFile:
    """The data file of (orders, seed), generated unless a complete one is already there."""
    path = directory / f"orders-{orders}-seed{seed}.json"
    meta = path.with_suffix(".meta.json")
    if path.is_file() and meta.is_file():
        known = json.loads(meta.read_text())
        if known == {**known, **_identity(path, orders, seed)}:
            return DataFile(path, orders, seed, known["generator_seconds"], reused=True)
    seconds = write_orders(path, orders, seed, progress=progress)
    record = {**_identity(path, orders, seed), "generator_seconds": round(seconds, 3)}
    meta.write_text(json.dumps(record) + "\n")
    return DataFile(path, orders, seed, seconds, reused=False)


def _identity(path: Path, orders: int, seed: int) -> Json:
    """What makes a data file the one asked for (a new generator makes other files)."""
    return {
        "generator": GENERATOR_VERSION,
        "orders": orders,
        "seed": seed,
        "bytes": path.stat().st_size,
    }


def lookup_keys(orders: int, seed: int, per_kind: int, missing: int) -> list[Key]:
    """Random existing keys of each kind (rebuilt from the generator) and a few missing ones."""
    rng = random.Random(seed + 1)  # noqa: S311 (sampling, not secrets)
    keys: dict[str, list[Key]] = {kind: [] for kind in KINDS}
    for index in rng.sample(range(orders), orders):
        if min(len(found) for found in keys.values()) >= per_kind:
            break
        order = order_document(orders, seed, index)
        number, shipments = order["order_number"], order["shipments"]
        values = {"order_number": number, "email": order["customer"]["email"]}
        if shipments:
            values["tracking_number"] = rng.choice(shipments)["tracking_number"]
        for kind, value in values.items():
            if len(keys[kind]) < per_kind:
                keys[kind].append(Key(kind, value, number))
    for k in range(missing):
        keys["order_number"].append(Key("order_number", f"WM-{FIRST_NUMBER + orders + k}", None))
        keys["email"].append(Key("email", f"nobody.{k}@example.invalid", None))
        unused = unused_tracking_number(orders, seed, k)
        keys["tracking_number"].append(Key("tracking_number", unused, None))
    for found in keys.values():
        rng.shuffle(found)
    return [key for kind in KINDS for key in keys[kind]]


def timed_import(url: str, path: Path) -> Json:
    """`wismo import PATH` in a child process: its wall time and peak resident memory."""
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", IMPORT, "import", str(path)], env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"wismo import failed with exit status {child.returncode}")
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def time_lookups(url: str, keys: Sequence[Key]) -> tuple[Json, int]:
    """Per kind: latency percentiles in ms; and how many answers were wrong."""
    repository = SqlOrderRepository.on(make_engine(url))  # as bootstrap.build_repository does
    try:
        return _time_lookups(repository, keys)
    finally:
        repository.dispose()


def _time_lookups(repository: SqlOrderRepository, keys: Sequence[Key]) -> tuple[Json, int]:
    calls: dict[str, Callable[[str], list[Order]]] = {
        "order_number": lambda value: _listed(repository.get_by_number(value)),
        "email": repository.find_by_email,
        "tracking_number": lambda value: _listed(repository.get_by_tracking(value)),
    }
    for kind in KINDS:
        for key in [key for key in keys if key.kind == kind][:WARM_UP]:
            calls[kind](key.value)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    found: dict[str, list[int]] = {kind: [] for kind in KINDS}
    wrong = 0
    for key in keys:
        started = time.perf_counter_ns()
        answer = calls[key.kind](key.value)
        times[key.kind].append((time.perf_counter_ns() - started) / 1e6)
        numbers = [order.order_number for order in answer]
        wrong += (key.expected not in numbers) if key.expected else bool(numbers)
        found[key.kind].append(len(numbers))
    return {kind: _summary(times[kind], found[kind]) for kind in KINDS}, wrong


def _listed(order: Order | None) -> list[Order]:
    return [] if order is None else [order]


def _summary(millis: list[float], found: list[int]) -> Json:
    ordered = sorted(millis)
    return {
        "lookups": len(ordered),
        "missing": found.count(0),
        "orders_per_lookup": round(sum(found) / len(found), 2),
        "p50_ms": round(percentile(ordered, 50), 3),
        "p90_ms": round(percentile(ordered, 90), 3),
        "p99_ms": round(percentile(ordered, 99), 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(sum(ordered) / len(ordered), 3),
    }


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile of sorted values, by linear interpolation between ranks."""
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@contextmanager
def sqlite_database(path: Path, *, keep: bool) -> Iterator[str]:
    """A fresh SQLite file (removed afterwards unless `keep`)."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    for file in files:
        file.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield f"sqlite:///{path.resolve()}"
    finally:
        for file in files if not keep else ():
            file.unlink(missing_ok=True)


@contextmanager
def postgres_database(url: str, *, keep: bool) -> Iterator[str]:
    """The database of `url`, made afresh on its server (dropped afterwards unless `keep`)."""
    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:  # it is dropped first: never a database of real orders
        raise SystemExit(f"refusing to recreate database {name!r}: its name must say 'bench'")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(drop)
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.exec_driver_sql(drop)
        admin.dispose()


def database_bytes(url: str) -> int:
    """The size of the store on disk: the SQLite file (and its WAL), or the PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        files = [path, path.with_name(path.name + "-wal")]
        return sum(file.stat().st_size for file in files if file.exists())
    engine = create_engine(parsed)
    try:
        with engine.connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())"))
            return int(size.scalar_one())
    finally:
        engine.dispose()


def run_backend(name: str, url: str, data: DataFile, keys: Sequence[Key]) -> Json:
    """Migrate, import and time the lookups on one backend."""
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    _say(f"{name}: importing {data.orders} orders")
    imported = timed_import(url, data.path)
    size = database_bytes(url)
    _say(f"{name}: imported in {imported['seconds']} s; timing {len(keys)} lookups")
    lookups, wrong = time_lookups(url, keys)
    return {
        "import_seconds": imported["seconds"],
        "orders_per_second": round(data.orders / imported["seconds"]),
        "import_peak_rss_mib": imported["peak_rss_mib"],
        "db_bytes": size,
        "lookups": lookups,
        "wrong_answers": wrong,
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(urls: dict[str, str]) -> Json:
    """Where the figures were measured."""
    found: Json = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
    }
    if "postgresql" in urls:
        engine = create_engine(make_url(urls["postgresql"]).set(database="postgres"))
        with engine.connect() as connection:
            found["postgresql"] = connection.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    return found


def table(report: Json) -> str:
    """The report as a readable table."""
    data, backends = report["data_file"], report["backends"]
    made = "reused" if data["reused"] else "generated"
    lines = [
        f"order store benchmark: {report['orders']} orders (seed {report['seed']}), "
        f"{data['bytes'] / 2**20:.0f} MiB data file {made} in {data['generator_seconds']:.1f} s",
        "",
        f"{'backend':<12}{'import s':>10}{'orders/s':>10}{'peak RSS MiB':>14}{'DB MiB':>9}",
    ]
    for name, figures in backends.items():
        lines.append(
            f"{name:<12}{figures['import_seconds']:>10.1f}{figures['orders_per_second']:>10}"
            f"{figures['import_peak_rss_mib']:>14.0f}{figures['db_bytes'] / 2**20:>9.0f}"
        )
    lines += ["", f"{'lookup, ms':<18}" + "".join(f"{n + ' p50':>18}{'p99':>8}" for n in backends)]
    for kind in KINDS:
        cells = "".join(
            f"{b['lookups'][kind]['p50_ms']:>18.2f}{b['lookups'][kind]['p99_ms']:>8.2f}"
            for b in backends.values()
        )
        lines.append(f"{kind:<18}{cells}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000, help="how many orders")
    parser.add_argument("--seed", type=int, default=1, help="the data set's seed")
    parser.add_argument("--out", type=Path, default=Path("var/bench/store.json"))
    parser.add_argument("--data", type=Path, default=Path("var/bench"), help="data file folder")
    parser.add_argument("--sqlite", type=Path, help="SQLite file (default: var/bench/store.db)")
    parser.add_argument("--postgres", help="PostgreSQL URL of a database to create and drop")
    parser.add_argument("--lookups", type=int, default=2000, help="existing keys per kind")
    parser.add_argument("--missing", type=int, default=20, help="missing keys per kind")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when every lookup found what it should, else 1."""
    args = parse_args(argv)
    started = time.perf_counter()
    urls: dict[str, str] = {}
    if args.sqlite or not args.postgres:
        urls["sqlite"] = str(args.sqlite or args.data / "store.db")
    if args.postgres:
        urls["postgresql"] = args.postgres
    data = data_file(args.data, args.orders, args.seed, progress=not args.quiet)
    keys = lookup_keys(args.orders, args.seed, args.lookups, args.missing)
    backends: Json = {}
    for name, where in urls.items():
        database = (
            sqlite_database(Path(where), keep=args.keep)
            if name == "sqlite"
            else postgres_database(where, keep=args.keep)
        )
        with database as url:
            backends[name] = run_backend(name, url, data, keys)
    report = {
        "orders": args.orders,
        "seed": args.seed,
        "measured_at": Clock().now().isoformat(timespec="seconds"),  # the real clock
        "data_file": {
            "path": str(data.path),
            "bytes": data.path.stat().st_size,
            "generator_seconds": round(data.generator_seconds, 2),
            "reused": data.reused,
        },
        "backends": backends,
        "environment": environment(urls),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    return 1 if any(figures["wrong_answers"] for figures in backends.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
