"""Sílvia's throughput and cost per turn next to the framework's floor, and a scale-out run.

    .venv/bin/python benchmarks/throughput.py \
        --redis-url redis://127.0.0.1:6379/15 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--leads 40 --turns 8 --in-flight 8] [--long-turns 30] [--scale-out 1,2,4]

In one process, N leads talk at once (at most `--in-flight` turns running) through the
template script of `benchmarks/turn_latency.py`, each turn as the inbox worker runs it
(`api.turns.run_turn`, durability="sync") on Redis + PostgreSQL. Printed: turns/s, p50/p95
latency, CPU per turn (this process; Redis and PostgreSQL servers not included) and Redis
bytes per lead (MEMORY USAGE of its checkpoint keys) after `--turns` and after
`--long-turns`. The same leads, turns and concurrency then run on a bare 12-node LangGraph
graph with the in-memory checkpointer (`benchmarks/framework_floor.py`): the floor.

`--scale-out 1,2,4` adds the multi-process run of `benchmarks/scale_out.py`: `silvia serve
--workers 2` taking signed webhooks plus 1, 2 and 4 `silvia worker` processes on one Redis
and one PostgreSQL, turns/s for each, and a check that every lead's messages were answered
once and in order. Everything runs under its own key prefix / schema and is removed after.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.inbound import Inbound
from agent.ports import LeadRecord
from api.turns import run_turn
from benchmarks.bench_services import bench_schema, drop_prefix, production_settings
from benchmarks.framework_floor import build_floor_graph, floor_turn
from benchmarks.turn_latency import CITIES, SCRIPT, pct
from settings import Settings
from wiring import open_silvia

Turn = Callable[[int, int, str], Awaitable[None]]  # (lead number, turn number, text)


@dataclass
class RunFigures:
    turns: int
    seconds: float
    cpu_seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds

    @property
    def cpu_ms_per_turn(self) -> float:
        return self.cpu_seconds * 1000 / self.turns


def script(turns: int) -> list[str]:
    return (SCRIPT * (turns // len(SCRIPT) + 1))[:turns]


async def drive(leads: int, turns: int, in_flight: int, turn: Turn) -> RunFigures:
    """Every lead talks its script in order; leads run at once, at most `in_flight` turns."""
    gate = asyncio.Semaphore(in_flight)
    latencies: list[float] = []

    async def lead(n: int) -> None:
        for t, text in enumerate(script(turns)):
            async with gate:
                started = time.perf_counter()
                await turn(n, t, text)
                latencies.append((time.perf_counter() - started) * 1000)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(lead(n) for n in range(leads)))
    return RunFigures(leads * turns, time.perf_counter() - wall, time.process_time() - cpu, latencies)


def phone_of(n: int) -> str:
    return f"+5581{9_0000_0000 + n:09d}"


async def silvia_run(
    settings: Settings, leads: int, turns: int, in_flight: int, first: int = 0
) -> RunFigures:
    async with open_silvia(settings) as silvia:
        for n in range(first, first + leads):
            city, uf = CITIES[n % len(CITIES)]
            record = LeadRecord(phone=phone_of(n), name=f"Lead {n}", city=city, state=uf, bill_amount=300 + n)
            await silvia.leads.upsert_lead(record)

        async def turn(n: int, t: int, text: str) -> None:
            inbound = Inbound(
                phone=phone_of(first + n), kind="text", text=text, message_id=f"wamid.{first + n}.{t}"
            )
            # The inbox id a Redis stream would give the lead's t-th message: ids grow per lead.
            result = await run_turn(silvia, inbound, f"{t + 1}-0")
            if result is None or not result.replies:
                raise AssertionError(f"turn {t} of lead {first + n} was not answered")

        return await drive(leads, turns, in_flight, turn)


async def floor_run(leads: int, turns: int, in_flight: int) -> RunFigures:
    graph = build_floor_graph()

    async def turn(n: int, t: int, text: str) -> None:
        if await floor_turn(graph, f"lead:{n}", text, durability="sync") != 1:
            raise AssertionError("the floor graph did not reply")

    return await drive(leads, turns, in_flight, turn)


def checkpoint_bytes_per_lead(url: str, prefix: str, phones: list[str]) -> float:
    """Mean MEMORY USAGE of every key of a lead's checkpoint thread (all keys share its tag)."""
    client = redis.Redis.from_url(url)
    try:
        totals = []
        for phone in phones:
            keys = client.scan_iter(match=f"{prefix}cp:{{lead:{phone}}}*", count=1000)
            totals.append(sum(int(client.memory_usage(key, samples=0) or 0) for key in keys))
    finally:
        client.close()
    return statistics.mean(totals)


def row(name: str, figures: RunFigures, memory: str) -> str:
    lat = figures.latencies_ms
    return (
        f"{name:<44} {figures.per_second:>8.1f} {statistics.median(lat):>8.1f} {pct(lat, 0.95):>8.1f}"
        f" {figures.cpu_ms_per_turn:>10.1f} {memory:>22}"
    )


async def in_process(args: argparse.Namespace, data_dir: Path) -> None:
    prefix = f"silvia-bench:{uuid.uuid4().hex[:8]}:"
    with bench_schema(args.database_url) as database_url:
        settings = production_settings(data_dir, database_url, args.redis_url, prefix)
        try:
            await silvia_run(settings, 2, 3, 2, first=10_000)  # warm-up: imports, pools, caches
            silvia = await silvia_run(settings, args.leads, args.turns, args.in_flight)
            short = checkpoint_bytes_per_lead(
                args.redis_url, prefix, [phone_of(n) for n in range(args.leads)]
            )
            long_leads = max(1, args.leads // 10)
            await silvia_run(settings, long_leads, args.long_turns, args.in_flight, first=20_000)
            long = checkpoint_bytes_per_lead(
                args.redis_url, prefix, [phone_of(20_000 + n) for n in range(long_leads)]
            )
        finally:
            drop_prefix(args.redis_url, prefix)
    await floor_run(2, 3, 2)  # warm-up
    floor = await floor_run(args.leads, args.turns, args.in_flight)

    print(
        f"\n{args.leads} leads x {args.turns} turns, {args.in_flight} turns in flight, durability=sync,"
        " template script (no LLM)"
    )
    print(f"{'':<44} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/turn':>10} {'Redis per lead':>22}")
    memory = f"{short / 1024:.1f} KiB @{args.turns}, {long / 1024:.1f} KiB @{args.long_turns}"
    print(row("Sílvia, Redis + PostgreSQL, one process", silvia, memory))
    print(row("bare LangGraph, 12 nodes, in-memory saver", floor, "—"))
    print(
        f"ratio: CPU per turn {silvia.cpu_ms_per_turn / floor.cpu_ms_per_turn:.1f}x the floor,"
        f" turns/s {silvia.per_second / floor.per_second:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--leads", type=int, default=40)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument(
        "--long-turns", type=int, default=30, help="turns of the memory-after-a-long-talk leads"
    )
    parser.add_argument("--scale-out", default="", help="worker counts for the multi-process run, e.g. 1,2,4")
    parser.add_argument("--port", type=int, default=18300, help="first port for the scale-out servers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(in_process(args, Path(tmp) / "in-process"))
        if args.scale_out:
            from benchmarks.scale_out import scale_out

            counts = [int(n) for n in args.scale_out.split(",")]
            scale_out(args.redis_url, args.database_url, counts, args.leads, args.turns, args.port, Path(tmp))


if __name__ == "__main__":
    main()
