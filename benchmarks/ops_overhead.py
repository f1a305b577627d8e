"""What watching Sílvia costs: per-turn overhead and the ops queries on a busy day.

    .venv/bin/python benchmarks/ops_overhead.py              # 500 leads, 6000 interactions, SQLite
    .venv/bin/python benchmarks/ops_overhead.py --leads 2000 --database-url postgresql+psycopg://...

Prints: metrics bookkeeping per recorded turn, the takeover check per turn (one query), a
/metrics scrape (gauges refreshed from the database + exposition), the dashboard summary, the
daily report and one health-check evaluation.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.ports import TurnRecord
from agent.state import FUNNEL_ORDER as FUNNEL
from ops.dashboard import summary
from ops.health import measure
from ops.metrics import exposition
from ops.observe import observe_turn, refresh_gauges
from ops.report import build_daily_report
from settings import Settings
from storage.activity import ActivityQueries
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Lead, LeadInteraction, LeadStatus
from storage.takeover import TakeoverRepository

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 17:00 in Recife


async def seed(sessions, leads: int, per_lead: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    stages = [s.value for s in FUNNEL]
    async with sessions.begin() as session:
        for i in range(leads):
            phone = f"+55819{i:08d}"
            furthest = rng.randrange(1, len(stages))
            session.add(
                Lead(
                    phone_number=phone, name=f"Lead {i}", created_at=NOW - timedelta(hours=rng.randrange(48))
                )
            )
            session.add(LeadStatus(lead_id=phone, lead_stage=stages[furthest], last_interaction_date=NOW))
            for j in range(per_lead):
                session.add(
                    LeadInteraction(
                        lead_id=phone, interaction_type="faq", message_received="oi", message_sent="Oi!",
                        response_time_ms=rng.randrange(20, 400), layer=rng.choice(["L1", "L2", "L3", "L3"]),
                        intent=rng.choice(["greeting", "ask_price", "affirm", "ask_trust"]),
                        stage=stages[min(furthest, 1 + j * furthest // per_lead)],
                        created_at=NOW - timedelta(minutes=rng.randrange(60 * 30)),
                    )
                )  # fmt: skip


async def timed(label: str, work, runs: int = 5) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<44} median {statistics.median(times):8.2f} ms   (min {min(times):.2f}, {runs} runs)")


async def main(leads: int, per_lead: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        await seed(sessions, leads, per_lead)
        print(f"{leads} leads, {leads * per_lead} interactions on {engine.dialect.name}")

        turn = TurnRecord(
            phone="+5581900000001", interaction_type="faq", message_sent="Oi", response_time_ms=42,
            layer="L3",
            prompt_version="v2.0_casual", stage="greeted", intent="greeting", at=NOW,
            metadata={"llm_calls": [{"model": "gpt-4o-mini", "tokens_in": 900, "tokens_out": 120}]},
        )  # fmt: skip
        n = 20_000
        started = time.perf_counter()
        for _ in range(n):
            observe_turn(turn)
        print(f"{'metrics per recorded turn':<44} {(time.perf_counter() - started) / n * 1e6:8.1f} µs")

        takeover = TakeoverRepository(sessions)
        await timed("takeover check per turn (is_paused)", lambda: takeover.is_paused("+5581900000001"), 50)

        async def scrape() -> None:
            await refresh_gauges(ActivityQueries(sessions))
            exposition()

        await timed("/metrics scrape (gauges + exposition)", scrape)
        await timed("dashboard summary", lambda: summary(sessions, NOW, "America/Recife", {}))
        await timed("daily report", lambda: build_daily_report(sessions, NOW.date(), "America/Recife"))
        settings = Settings(_env_file=None)
        await timed("health check measurement (DB part)", lambda: measure(settings, sessions, {}, NOW))
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--per-lead", type=int, default=12)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.leads, args.per_lead, args.database_url))
