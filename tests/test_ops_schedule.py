"""The ops jobs as `silvia serve` schedules them: health every interval, the report at 18:00 local."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ops.service import Ops, schedule
from tests.conftest import MARIA, make_settings
from tests.slack_fake import SlackFake
from wiring import Silvia


async def test_jobs_run_the_health_check_and_post_the_daily_report(
    silvia: Silvia, clock: list[datetime], tmp_path: Path
) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")
    with SlackFake() as slack:
        settings = make_settings(
            tmp_path, SLACK_WEBHOOK_URL=slack.url, SILVIA_PUBLIC_URL="https://silvia.example"
        )
        ops = Ops(settings, silvia, clock=lambda: clock[0] + timedelta(minutes=1))
        scheduler = AsyncIOScheduler(timezone=settings.timezone)
        schedule(scheduler, ops)
        report_job, health_job = scheduler.get_job("ops-daily-report"), scheduler.get_job("ops-health")
        assert str(report_job.trigger) == "cron[hour='18', minute='0']"
        assert str(report_job.trigger.timezone) == "America/Recife"
        assert health_job.trigger.interval == timedelta(minutes=5)

        await health_job.func()
        assert ops.monitor.last is not None and ops.monitor.last["status"] == "healthy"
        await report_job.func()
    assert len(slack.received) == 1  # healthy: no alert; the report is posted
    report = slack.received[0]
    assert "Relatório Diário" in report["text"] and "24/11/2026" in report["text"]
    assert any("https://silvia.example/dashboard/reports/2026-11-24" in t for t in slack.texts())
    assert (tmp_path / "reports" / "daily-2026-11-24.html").exists()
