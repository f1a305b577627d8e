"""The five-minute health check: measure, evaluate, remember in sdr_logs, tell Slack on change.

`measure` probes the MCP servers, the database, Redis and the model (when configured) and reads
the last hour of `lead_interactions`/`sdr_logs`; `HealthMonitor.run_once` feeds that to the
`AlertEngine` and stores the result as an `sdr_logs` row (workflow `monitoring_alerts`), from
which the engine's state is restored after a restart, so a restart never re-alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import httpx

from agent.context import utc_now
from agent.policy.hours import is_business_hours
from ops import metrics
from ops.alerts import RANK, AlertEngine, CheckResult, Snapshot, evaluate
from ops.queries import answered
from ops.slack import SlackNotifier, alert_payload
from settings import Settings
from storage.activity import ActivityQueries
from storage.db import Sessions, ping_sessions
from storage.health_log import HealthLogRepository
from storage.redis.client import redis_from_url

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0
_LEVEL = {"healthy": "INFO", "degraded": "WARNING", "critical": "CRITICAL"}


async def probe_mcp(connection: Any) -> tuple[bool, str]:
    """Remote servers: GET /health (as the seed does); in-process: list the tools."""
    try:
        if getattr(connection, "is_remote", False):
            url = str(connection.target).rstrip("/").removesuffix("/mcp") + "/health"
            async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
                response = await client.get(url)
            return response.status_code == 200, f"HTTP {response.status_code}"
        tools = await asyncio.wait_for(connection.list_tools(), PROBE_TIMEOUT)
        return bool(tools), f"{len(tools)} tools"
    except Exception as exc:
        return False, repr(exc)[:200]


async def probe_database(sessions: Sessions) -> bool:
    try:
        await asyncio.wait_for(ping_sessions(sessions), PROBE_TIMEOUT)
        return True
    except Exception as exc:
        log.warning("database probe failed: %r", exc)
        return False


async def probe_redis(url: str) -> bool:
    client = redis_from_url(url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT)
    try:
        return bool(await client.ping())
    except Exception as exc:
        log.warning("redis probe failed: %r", exc)
        return False
    finally:
        await client.aclose()


async def probe_model(settings: Settings) -> bool:
    """The OpenAI-compatible server lists its models (costs no tokens)."""
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
            response = await client.get(
                f"{base}/models", headers={"Authorization": f"Bearer {settings.openai_api_key}"}
            )
        return response.status_code == 200
    except httpx.HTTPError as exc:
        log.warning("model probe failed: %r", exc)
        return False


async def measure(
    settings: Settings, sessions: Sessions, connections: dict[str, Any], now: datetime
) -> Snapshot:
    """Everything one health run looks at."""
    mcp_results = await asyncio.gather(*(probe_mcp(c) for c in connections.values()))
    snapshot = Snapshot(
        at=now,
        mcp={name: ok for name, (ok, _) in zip(connections, mcp_results, strict=True)},
        mcp_errors={name: why for name, (ok, why) in zip(connections, mcp_results, strict=True) if not ok},
        database=await probe_database(sessions),
        redis=await probe_redis(settings.redis_url) if settings.redis_url else None,
        model=await probe_model(settings) if settings.openai_api_key else None,
        business_hours=is_business_hours(now, settings.timezone),
    )
    if not snapshot.database:
        return snapshot
    hour_ago = now - timedelta(hours=1)
    rows = await ActivityQueries(sessions).interactions_between(hour_ago, now)
    times = [float(r["response_time_ms"] or 0) for r in answered(rows)]
    snapshot.avg_response_ms = sum(times) / len(times) if times else None
    failed_turns = sum(1 for r in rows if r["success"] is False)
    snapshot.errors_1h = failed_turns + await HealthLogRepository(sessions).errors_between(hour_ago, now)
    snapshot.leads_1h = len({r["lead_id"] for r in rows if r["message_received"]})
    return snapshot


class HealthMonitor:
    """Runs the checks, keeps the alert state, stores each run and notifies Slack on change."""

    def __init__(
        self,
        settings: Settings,
        sessions: Sessions,
        connections: dict[str, Any],
        notifier: SlackNotifier,
        clock: Any = None,
    ) -> None:
        self.settings = settings
        self.log = HealthLogRepository(sessions)
        self.sessions = sessions
        self.connections = connections
        self.notifier = notifier
        self.clock = clock
        self.engine: AlertEngine | None = None
        self.inbox: Any = None  # set by the app (api.services): parked messages are an alert
        self.last: dict[str, Any] | None = None

    def now(self) -> datetime:
        return (self.clock or utc_now)()

    async def restore(self) -> AlertEngine:
        """The engine as the last stored run left it (a fresh one on a new database)."""
        if self.engine is None:
            last = await self.log.last()
            state = (last or {}).get("engine")
            self.engine = AlertEngine.from_dict(state) if state else AlertEngine()
        return self.engine

    async def run_once(self) -> dict[str, Any]:
        now = self.now()
        engine = await self.restore()
        snapshot = await measure(self.settings, self.sessions, self.connections, now)
        if self.inbox is not None:
            with contextlib.suppress(Exception):  # the inbox's storage down is its own check
                snapshot.inbox_parked = (await self.inbox.counts()).get("failed", 0)
        results = evaluate(snapshot)
        notes = engine.update(results, now)
        self.last = record = self._record(snapshot, results, engine)
        self._export(results, engine)
        if snapshot.database:
            await self._store(record)
        for note in notes:
            record.setdefault("notified", []).append(
                {
                    "kind": note.kind,
                    "sent": await self.notifier.post(alert_payload(note, self.settings.timezone)),
                }
            )
        return record

    @staticmethod
    def _record(snapshot: Snapshot, results: list[CheckResult], engine: AlertEngine) -> dict[str, Any]:
        return {
            "status": engine.status,
            "at": snapshot.at.isoformat(timespec="seconds"),
            "issues": [r.detail for r in results if not r.ok],
            "firing": engine.firing(),
            "checks": [asdict(r) for r in results],
            "mcp_errors": snapshot.mcp_errors,
            "metrics": {
                "avg_response_ms": snapshot.avg_response_ms,
                "errors_1h": snapshot.errors_1h,
                "leads_1h": snapshot.leads_1h,
                "business_hours": snapshot.business_hours,
            },
            "incident": {"id": engine.incident_id, "opened_at": engine.incident_opened_at},
            "engine": engine.to_dict(),
        }

    @staticmethod
    def _export(results: list[CheckResult], engine: AlertEngine) -> None:
        metrics.HEALTH.set(RANK[engine.status])
        for result in results:
            metrics.HEALTH_CHECK_OK.labels(result.name).set(1 if result.ok else 0)

    async def _store(self, record: dict[str, Any]) -> None:
        status = record["status"]
        await self.log.add(record, level=_LEVEL[status], success=status == "healthy")
