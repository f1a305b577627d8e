"""The health runs the five-minute check stores in `sdr_logs` (workflow `monitoring_alerts`),
and the other `sdr_logs` errors it counts (ops/health.py decides what they mean)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.db import Sessions
from storage.models import SdrLog

WORKFLOW = "monitoring_alerts"
TASK = "health_check"


class HealthLogRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def add(self, record: dict[str, Any], *, level: str, success: bool) -> None:
        row = SdrLog(
            workflow_id=WORKFLOW,
            task_id=TASK,
            log_level=level,
            message=f"health:{record['status']}",
            success=success,
            error_details=record,
        )
        async with self._sessions.begin() as session:
            session.add(row)

    async def last(self) -> dict[str, Any] | None:
        """The latest stored health run, or None."""
        runs = await self.history(limit=1)
        return runs[0] if runs else None

    async def history(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest stored health runs, newest first."""
        query = (
            sa.select(SdrLog.error_details)
            .where(SdrLog.workflow_id == WORKFLOW, SdrLog.task_id == TASK)
            .order_by(SdrLog.created_at.desc(), SdrLog.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [row for row in (await session.scalars(query)).all() if row]

    async def errors_between(self, start: datetime, end: datetime) -> int:
        """sdr_logs errors that are not the monitor's own rows."""
        query = sa.select(sa.func.count()).where(
            SdrLog.created_at >= start,
            SdrLog.created_at < end,
            SdrLog.success.is_(False),
            sa.or_(SdrLog.workflow_id.is_(None), SdrLog.workflow_id != WORKFLOW),
        )
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def runs_between(self, start: datetime, end: datetime) -> list[tuple[datetime, list[Any]]]:
        """(when, the checks it stored) of every run in [start, end)."""
        query = sa.select(SdrLog.created_at, SdrLog.error_details["checks"]).where(
            SdrLog.workflow_id == WORKFLOW,
            SdrLog.task_id == TASK,
            SdrLog.created_at >= start,
            SdrLog.created_at < end,
        )
        async with self._sessions() as session:
            return [(at, checks or []) for at, checks in (await session.execute(query)).all()]
