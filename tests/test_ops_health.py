"""Health checks on a real Sílvia: MCP over HTTP going down and up, Slack through a local webhook."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.context import utc_now
from ops.health import HealthMonitor, measure
from ops.slack import SlackNotifier, alert_test_payload
from storage.health_log import WORKFLOW, HealthLogRepository
from storage.models import SdrLog
from tests.conftest import MARIA
from tests.slack_fake import SlackFake
from tools.client import McpConnection
from tools.http import BackgroundHttpServer, free_port
from tools.whatsapp_server import SandboxBackend, build_whatsapp_server
from wiring import Silvia

ROOT = Path(__file__).resolve().parent.parent


async def test_mcp_outage_alerts_once_and_recovery_is_announced(
    silvia: Silvia, clock: list[datetime], tmp_path: Path
) -> None:
    await silvia.leads.upsert_lead(MARIA)
    await silvia.say(MARIA.phone, "oi")  # a lead in the last hour, in business hours
    port = free_port()
    whatsapp = McpConnection.remote(f"http://127.0.0.1:{port}/mcp")  # nothing listens yet
    connections = {"whatsapp": whatsapp, "serena": silvia.deps.serena.connection}  # type: ignore[attr-defined]
    with SlackFake() as slack:
        monitor = HealthMonitor(
            silvia_settings(tmp_path),
            silvia.sessions,
            connections,
            SlackNotifier(slack.url),
            lambda: clock[0],
        )
        for _ in range(3):
            clock[0] += timedelta(minutes=5)
            record = await monitor.run_once()
            assert record["status"] == "critical" and record["firing"] == ["mcp_whatsapp"]
        assert len(slack.received) == 1, "one message per incident, not one per check"
        alert = "\n".join(slack.texts())
        assert (
            "ALERTA CRÍTICO" in alert
            and "MCP whatsapp indisponível" in alert
            and "desde 24/11 14:05" in alert
        )

        # A restarted monitor picks up the open incident from sdr_logs instead of alerting again.
        monitor = HealthMonitor(
            silvia_settings(tmp_path),
            silvia.sessions,
            connections,
            SlackNotifier(slack.url),
            lambda: clock[0],
        )
        clock[0] += timedelta(minutes=5)
        await monitor.run_once()
        assert len(slack.received) == 1

        server = BackgroundHttpServer(build_whatsapp_server(SandboxBackend(tmp_path / "media")), port)
        await server.start()
        try:
            await silvia.say(MARIA.phone, "sim")
            for _ in range(2):  # clearing needs two good runs in a row
                clock[0] += timedelta(minutes=5)
                record = await monitor.run_once()
        finally:
            await server.stop()
        assert record["status"] == "healthy"
        assert len(slack.received) == 2 and "recuperada" in slack.received[1]["text"]
        assert slack.refused == []

    stored = await HealthLogRepository(silvia.sessions).last()
    assert stored is not None and stored["status"] == "healthy"
    async with silvia.sessions() as session:
        levels = (
            await session.scalars(sa.select(SdrLog.log_level).where(SdrLog.workflow_id == WORKFLOW))
        ).all()
    assert levels == ["CRITICAL"] * 4 + ["CRITICAL", "INFO"]


def silvia_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    return make_settings(tmp_path)


async def test_errors_and_latency_come_from_the_last_hour(silvia: Silvia, tmp_path: Path) -> None:
    for i in range(11):
        await silvia.leads.log("ERROR", "delivery_failed", details={"n": i})
    now = utc_now() + timedelta(seconds=1)
    connections = {"serena": silvia.deps.serena.connection}  # type: ignore[attr-defined]
    snapshot = await measure(silvia_settings(tmp_path), silvia.sessions, connections, now)
    assert snapshot.errors_1h == 11 and snapshot.mcp == {"serena": True} and snapshot.database
    later = await measure(silvia_settings(tmp_path), silvia.sessions, connections, now + timedelta(hours=2))
    assert later.errors_1h == 0


async def test_slack_retries_transient_failures_and_reports_refusals() -> None:
    with SlackFake() as slack:
        slack.fail_next = [500, 429]
        notifier = SlackNotifier(slack.url, backoff=0.01)
        assert await notifier.post(alert_test_payload(utc_now()))
        assert len(slack.received) == 1
        assert not await notifier.post({"text": "no blocks"})  # Slack says invalid_blocks
        slack.fail_next = [503, 503, 503]
        assert not await notifier.post(alert_test_payload(utc_now()))
    assert not await SlackNotifier("").post(alert_test_payload(utc_now()))  # not configured


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    environ = {k: v for k, v in os.environ.items() if not k.endswith("_MCP_URL") and k != "SLACK_WEBHOOK_URL"}
    environ |= {"SILVIA_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=environ,
    )


def test_cli_alerts_test_posts_to_the_webhook(tmp_path: Path) -> None:
    with SlackFake() as slack:
        result = _cli(["alerts", "test"], tmp_path, SLACK_WEBHOOK_URL=slack.url)
    assert result.returncode == 0, result.stderr
    assert "test alert sent" in result.stdout
    assert "Teste de alerta" in slack.received[0]["text"]
    unset = _cli(["alerts", "test"], tmp_path)
    assert unset.returncode == 2 and "SLACK_WEBHOOK_URL" in unset.stderr


def test_cli_health_prints_every_check_and_exits_by_status(tmp_path: Path) -> None:
    result = _cli(["health", "--json"], tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == {"healthy": 0, "degraded": 1, "critical": 2}[report["status"]]
    names = {c["name"]: c["ok"] for c in report["checks"]}
    assert names["mcp_whatsapp"] and names["mcp_serena"] and names["database"]
    broken = _cli(["health"], tmp_path, SERENA_MCP_URL=f"http://127.0.0.1:{free_port()}/mcp")
    assert broken.returncode != 0 or "FAIL" in broken.stdout


@pytest.mark.parametrize("bad", ["2026-13-01"])
def test_cli_report_rejects_a_bad_date(tmp_path: Path, bad: str) -> None:
    result = _cli(["report", "daily", "--date", bad], tmp_path)
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr
