"""The ops room running inside `silvia serve`: health every 5 minutes, the report at 18:00.

`Ops` bundles what the jobs, the routes and the CLI share (settings, database sessions, the
Slack notifier, the health monitor). `ops_service` is the app's background service: an
APScheduler `AsyncIOScheduler` (the scheduler library the follow-ups use too) with an interval
job and a cron job in the business time zone. With Redis configured, each run first takes a
short Redis lock for its time slot, so several `silvia serve` processes alert and report once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from agent.context import utc_now
from ops.health import HealthMonitor
from ops.report import DailyReport, build_daily_report
from ops.report_html import daily_report_payload, write_daily_html
from ops.slack import SlackNotifier
from settings import Settings
from storage.activity import ActivityQueries
from storage.outcomes import OutcomeRepository
from storage.redis.client import redis_from_url
from storage.takeover import TakeoverRepository

log = logging.getLogger(__name__)


def mcp_connections(silvia: Any) -> dict[str, Any]:
    """The MCP connections behind Sílvia's ports, by server name."""
    return {
        name: port.connection
        for name, port in (("whatsapp", silvia.deps.whatsapp), ("serena", silvia.deps.serena))
        if hasattr(port, "connection")
    }


class Ops:
    """What the ops jobs, routes and commands share."""

    def __init__(self, settings: Settings, silvia: Any, *, clock: Any = None) -> None:
        self.settings = settings
        self.silvia = silvia
        self.sessions = silvia.sessions
        self.clock = clock or utc_now
        self.notifier = SlackNotifier(settings.slack_webhook_url)
        self.monitor = HealthMonitor(
            settings, self.sessions, mcp_connections(silvia), self.notifier, self.clock
        )
        self.takeover = TakeoverRepository(self.sessions)
        self.outcomes = OutcomeRepository(self.sessions)
        self.activity = ActivityQueries(self.sessions)

    @property
    def reports_dir(self) -> Path:
        return self.settings.data_dir / "reports"

    def today(self) -> date:
        return self.clock().astimezone(ZoneInfo(self.settings.timezone)).date()

    async def daily_report(
        self, day: date | None = None, *, post: bool = True
    ) -> tuple[DailyReport, Path, bool]:
        """Build the day's report, write its HTML page and (optionally) post it to Slack."""
        report = await build_daily_report(self.sessions, day or self.today(), self.settings.timezone)
        path = write_daily_html(report, self.reports_dir)
        link = (
            f"{self.settings.public_url.rstrip('/')}/dashboard/reports/{report.day.isoformat()}"
            if self.settings.public_url
            else None
        )
        posted = await self.notifier.post(daily_report_payload(report, link)) if post else False
        return report, path, posted


async def _once_per_slot(settings: Settings, job: str, slot: datetime, ttl: timedelta) -> bool:
    """True for exactly one process per (job, slot) when Redis is shared; always True without it."""
    if not settings.redis_url:
        return True
    client = redis_from_url(settings.redis_url, socket_timeout=5.0, socket_connect_timeout=5.0)
    try:
        key = f"{settings.redis_prefix}ops:{job}:{slot.isoformat(timespec='minutes')}"
        return bool(await client.set(key, "1", nx=True, ex=int(ttl.total_seconds())))
    except Exception as exc:  # better a duplicate alert than a missed one
        log.warning("ops run lock unavailable (%r): running anyway", exc)
        return True
    finally:
        await client.aclose()


def schedule(scheduler: AsyncIOScheduler, ops: Ops) -> None:
    """Add the health check (every SILVIA_HEALTH_INTERVAL) and the daily report (18:00 local)."""
    settings = ops.settings
    interval = settings.health_interval_seconds

    async def health_job() -> None:
        now = ops.clock()
        slot = datetime.fromtimestamp(now.timestamp() // interval * interval, now.tzinfo)
        if await _once_per_slot(settings, "health", slot, timedelta(seconds=interval)):
            record = await ops.monitor.run_once()
            log.info("health check: %s", record["status"], extra={"issues": record["issues"]})

    async def report_job() -> None:
        if await _once_per_slot(
            settings, "daily-report", ops.clock().replace(second=0, microsecond=0), timedelta(hours=1)
        ):
            report, path, posted = await ops.daily_report()
            log.info("daily report for %s written to %s (Slack: %s)", report.day, path, posted)

    hour, minute = (int(part) for part in settings.daily_report_time.split(":"))
    common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 600}
    scheduler.add_job(
        health_job,
        IntervalTrigger(seconds=interval),
        id="ops-health",
        next_run_time=datetime.now(ZoneInfo("UTC")),
        **common,
    )
    scheduler.add_job(
        report_job,
        CronTrigger(hour=hour, minute=minute, timezone=settings.timezone),
        id="ops-daily-report",
        **common,
    )


async def ops_service(services: Any, stop: asyncio.Event) -> None:
    """The app's background service (api.background): run the ops schedule of `services.ops`
    (the same `Ops` the routes read) until `stop`."""
    ops: Ops = services.ops
    scheduler = AsyncIOScheduler(timezone=ops.settings.timezone)
    schedule(scheduler, ops)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
