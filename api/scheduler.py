"""The follow-up scheduler `silvia serve` runs: APScheduler cron jobs in the app's event loop.

* `followup-pass`: 09:00, 14:00 and 18:00 America/Recife, Monday–Friday; national holidays
  are skipped inside the job (cron cannot express them).
* `document-reminders`: every few minutes in business hours, only the seed's 1-hour bill
  reminder, so it goes out about an hour after the bill was asked for, not at the next pass.

Every process of a multi-process deployment runs the same jobs; the pass claim in
`FollowupRunner` (Redis `SET NX` when `REDIS_URL` is set) lets exactly one of them send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from agent.policy.followups import PASS_GRACE, PASS_TIMES, current_slot
from agent.policy.hours import holiday_name, local
from api.followups import DOCUMENT_SWEEP, FollowupRunner
from api.services import Services
from storage.db import session_factory
from storage.followups import FollowupStore
from storage.locks import build_deduplicator

log = logging.getLogger(__name__)

PASS_JOB, SWEEP_JOB = "followup-pass", "document-reminders"


def utc_now() -> datetime:
    return datetime.now(UTC)


class FollowupScheduler:
    def __init__(
        self,
        runner: FollowupRunner,
        timezone: str,
        *,
        sweep_minutes: int = 5,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.runner = runner
        self.timezone = timezone
        self.sweep_minutes = sweep_minutes
        self.clock = clock
        self.scheduler = AsyncIOScheduler(timezone=timezone)
        grace = int(PASS_GRACE.total_seconds())
        hours = ",".join(str(t.hour) for t in PASS_TIMES)
        self.scheduler.add_job(
            self.scheduled_pass,
            CronTrigger(day_of_week="mon-fri", hour=hours, minute=0, timezone=timezone),
            id=PASS_JOB,
            name="follow-up pass",
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
        )
        if sweep_minutes > 0:
            self.scheduler.add_job(
                self.scheduled_sweep,
                CronTrigger(
                    day_of_week="mon-fri", hour="9-17", minute=f"*/{sweep_minutes}", timezone=timezone
                ),
                id=SWEEP_JOB,
                name="1-hour bill reminders",
                misfire_grace_time=grace,
                coalesce=True,
                max_instances=1,
            )

    def start(self) -> None:
        self.scheduler.start()
        for job in self.scheduler.get_jobs():
            log.info("scheduled %s: next at %s", job.name, job.next_run_time)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    async def scheduled_pass(self) -> None:
        now = self.clock()
        slot = current_slot(now, self.timezone)
        if slot is None:  # a holiday, or fired too late (the policy would skip everyone anyway)
            holiday = holiday_name(local(now, self.timezone).date())
            log.info("no follow-up pass at %s%s", now.isoformat(), f" ({holiday})" if holiday else "")
            return
        report = await self.runner.run_pass(slot)
        log.info(
            "follow-up pass %s: %d sent, %d closed, %d skipped%s",
            slot.isoformat(),
            report.count("sent"),
            report.count("closed"),
            report.count("skip", "not sent"),
            "" if report.claimed else " (run by another process)",
        )

    async def scheduled_sweep(self) -> None:
        now = self.clock()
        minute = now.replace(second=0, microsecond=0)
        minute -= timedelta(minutes=minute.minute % max(1, self.sweep_minutes))
        report = await self.runner.run_pass(minute, only=DOCUMENT_SWEEP, name="sweep")
        if report.count("sent"):
            log.info("bill reminders at %s: %d sent", minute.isoformat(), report.count("sent"))


async def run_until(scheduler: FollowupScheduler, stop: asyncio.Event) -> None:
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown()


async def followup_service(services: Services, stop: asyncio.Event) -> None:
    """The background service `silvia serve` runs (api/background.py)."""
    settings = services.settings
    if not settings.followups_enabled:  # SILVIA_FOLLOWUPS=0
        await stop.wait()
        return
    claims = build_deduplicator(settings)
    runner = FollowupRunner(
        services.silvia,
        FollowupStore(session_factory(services.engine)),
        claims,
        services.locks,
        settings.timezone,
    )
    scheduler = FollowupScheduler(
        runner,
        settings.timezone,
        sweep_minutes=settings.followup_sweep_minutes,
        clock=services.silvia.deps.clock,
    )
    try:
        await run_until(scheduler, stop)
    finally:
        await claims.aclose()
