"""Turn latency by layer, embedded vs Redis + PostgreSQL, and Redis memory per lead thread.

    .venv/bin/python benchmarks/turn_latency.py --leads 20 --turns 8 \
        --redis-url redis://127.0.0.1:6379/15 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

N simulated leads talk M turns each through the real graph (`open_silvia`): greeting, "sim",
then FAQ questions that repeat across leads, so later leads are answered from the L1 cache.
A turn's latency is the wall-clock time of `Silvia.say`, grouped by the layer of its first
reply. The production run uses its own Redis key prefix and PostgreSQL schema and removes
them afterwards. Seed targets: L1 < 50 ms, template (L2/L3) < 200 ms, p95 < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.ports import LeadRecord
from benchmarks.bench_services import bench_schema, drop_prefix, production_settings
from settings import Settings
from wiring import open_silvia

SCRIPT = [
    "oi",
    "sim",
    "como funciona?",
    "isso é golpe?",
    "tem fidelidade?",
    "precisa instalar alguma coisa?",
    "obrigado",
    "como funciona?",
    "quanto custa?",
    "isso é golpe?",
]
CITIES = [("Recife", "PE"), ("Fortaleza", "CE"), ("Salvador", "BA"), ("Natal", "RN")]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(settings: Settings, leads: int, turns: int) -> dict[str, list[float]]:
    by_layer: dict[str, list[float]] = defaultdict(list)
    async with open_silvia(settings) as silvia:
        for n in range(leads):
            phone = f"+5581{9_0000_0000 + n:09d}"
            city, uf = CITIES[n % len(CITIES)]
            await silvia.leads.upsert_lead(
                LeadRecord(phone=phone, name=f"Lead {n}", city=city, state=uf, bill_amount=300 + 10 * n)
            )
            for text in (SCRIPT * (turns // len(SCRIPT) + 1))[:turns]:
                started = time.perf_counter()
                result = await silvia.say(phone, text)
                elapsed = (time.perf_counter() - started) * 1000
                layer = result.replies[0]["layer"] if result.replies else "none"
                by_layer[layer].append(elapsed)
                by_layer["all"].append(elapsed)
    return by_layer


def report(title: str, by_layer: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"  {'layer':<6} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for layer in sorted(by_layer, key=lambda k: (k == "all", k)):
        values = by_layer[layer]
        print(
            f"  {layer:<6} {len(values):>6} {statistics.median(values):>8.1f}"
            f" {pct(values, 0.95):>8.1f} {max(values):>8.1f}"
        )


def redis_memory_per_thread(url: str, prefix: str) -> tuple[int, float, float]:
    """(threads, mean bytes, max bytes) of checkpoint keys per lead thread (MEMORY USAGE)."""
    client = redis.Redis.from_url(url)
    per_thread: dict[str, int] = defaultdict(int)
    try:
        for key in client.scan_iter(match=f"{prefix}cp:*", count=1000):
            name = key.decode()
            if "{" not in name:
                continue  # run index
            thread = name[name.index("{") : name.index("}") + 1]
            per_thread[thread] += int(client.memory_usage(key, samples=0) or 0)
    finally:
        client.close()
    sizes = list(per_thread.values()) or [0]
    return len(per_thread), statistics.mean(sizes), max(sizes)


async def production(args: argparse.Namespace, data_dir: Path) -> None:
    prefix = f"silvia-bench:{uuid.uuid4().hex[:8]}:"
    try:
        with bench_schema(args.database_url) as url:
            settings = production_settings(data_dir, url, args.redis_url, prefix)
            report("Redis + PostgreSQL", await run(settings, args.leads, args.turns))
            threads, mean, biggest = redis_memory_per_thread(args.redis_url, prefix)
            print(
                f"\n  Redis memory per lead thread ({args.turns} turns): mean {mean / 1024:.1f} KiB,"
                f" max {biggest / 1024:.1f} KiB over {threads} threads"
            )
    finally:
        drop_prefix(args.redis_url, prefix)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=20)
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    print(f"{args.leads} leads x {args.turns} turns, no LLM (layers L1-L3)")
    with tempfile.TemporaryDirectory() as tmp:
        embedded = Settings(_env_file=None, SILVIA_DATA_DIR=str(Path(tmp) / "embedded"))  # type: ignore[call-arg]
        report(
            "Embedded (SQLite checkpointer + SQLite business data, in-process cache)",
            await run(embedded, args.leads, args.turns),
        )
        if args.redis_url and args.database_url:
            await production(args, Path(tmp) / "production")
        else:
            print("\n(Redis + PostgreSQL skipped: pass --redis-url and --database-url)")


if __name__ == "__main__":
    asyncio.run(main())
