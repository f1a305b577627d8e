"""What the business KPIs cost to compute: 30 days of leads, outcomes, ratings and health runs.

    .venv/bin/python benchmarks/kpi_report.py                      # 1000 leads, SQLite
    .venv/bin/python benchmarks/kpi_report.py --leads 3000 --database-url postgresql+psycopg://...

Prints the time of `build_kpi_report` over 30 days (overall, per day, week and version), of the
daily report's KPI rows (what the 18:00 report and every dashboard load add), and the seeded sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ops.kpi_report import build_kpi_report
from ops.report import build_daily_report
from storage.db import create_engine, session_factory
from storage.health_log import TASK, WORKFLOW
from storage.migrate import upgrade
from storage.models import Handoff, LeadInteraction, LeadOutcome, LeadRating, LeadStatus, SdrLog

DAY = date(2026, 11, 24)
TZ = "America/Recife"
VERSIONS = ("v2.0_casual", "v2.0_premium")


def lead_rows(i: int, rng: random.Random) -> list[object]:
    phone = f"+55819{i:08d}"
    start = datetime(2026, 10, 26, 12, tzinfo=UTC) + timedelta(minutes=rng.randrange(30 * 24 * 60))
    version = VERSIONS[i % 2]
    turns = rng.randint(1, 10)
    qualified = turns >= 5 and rng.random() < 0.6
    rows: list[object] = [
        LeadInteraction(
            lead_id=phone, interaction_type="message", message_received="oi", message_sent="Oi! 😊",
            response_time_ms=rng.randint(20, 900), prompt_version=version,
            stage="handed_off" if qualified and t == turns - 1 else "greeted",
            success=rng.random() > 0.005, layer="L3", meta={"ab_version": version, "templates": ["x"]},
            created_at=start + timedelta(minutes=3 * t),
        )
        for t in range(turns)
    ]  # fmt: skip
    rows.append(LeadStatus(lead_id=phone, lead_stage="handed_off" if qualified else "greeted",
                           qualification_date=start if qualified else None))  # fmt: skip
    if qualified:
        rows.append(Handoff(lead_id=phone, reason="qualified", specialist_name="Ana", created_at=start))
        rows.append(LeadRating(lead_id=phone, prompt_version=version, reason="handed_off", asked_via="list",
                               asked_at=start, score=rng.randint(3, 5)))  # fmt: skip
        for outcome in rng.sample(["meeting_held", "proposal_sent", "contract_signed"], rng.randint(0, 2)):
            rows.append(
                LeadOutcome(
                    lead_id=phone, outcome=outcome, reported_by="Ana", source="crm", occurred_at=start
                )
            )
    return rows


def health_rows() -> list[object]:
    start = datetime(2026, 10, 26, 3, tzinfo=UTC)
    checks = [{"name": "mcp_whatsapp", "ok": True}, {"name": "database", "ok": True}]
    return [
        SdrLog(workflow_id=WORKFLOW, task_id=TASK, error_details={"checks": checks},
               created_at=start + timedelta(minutes=5 * i))
        for i in range(30 * 24 * 12)
    ]  # fmt: skip


async def timed(work: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await work()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times


async def main(leads: int, url: str, repeat: int) -> None:
    upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(20)
    rows = [row for i in range(leads) for row in lead_rows(i, rng)] + health_rows()
    async with sessions.begin() as session:
        session.add_all(rows)
    kpis = await timed(lambda: build_kpi_report(sessions, DAY - timedelta(days=29), DAY, TZ), repeat)
    daily = await timed(lambda: build_daily_report(sessions, DAY, TZ), repeat)
    report = await build_kpi_report(sessions, DAY - timedelta(days=29), DAY, TZ)
    await engine.dispose()
    print(f"seeded: {leads} leads, {len(rows)} rows ({30 * 24 * 12} health runs), {url.split(':')[0]}")
    for name, times in (("build_kpi_report, 30 days", kpis), ("daily report incl. KPIs", daily)):
        print(f"{name}: median {statistics.median(times) * 1000:.0f} ms (max {max(times) * 1000:.0f})")
    conversion = report.overall["conversion_rate"]
    print(f"conversion {conversion.value:.3f} n={conversion.n}; versions: "
          + ", ".join(f"{r['version']} {r['verdict']}" for r in report.versions))  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/kpis.db"
        asyncio.run(main(args.leads, url, args.repeat))
