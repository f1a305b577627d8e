"""The `handoffs` table: persisting each lead handed to a specialist, and reading them back.

Also the round-robin memory of the roster: "who was assigned least recently" is a query
here, so every worker and every restart agree on whose turn it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent.ports import HandoffRecord, StoreError
from storage.models import Handoff, LeadStatus


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class HandoffRepository:
    """Implements tools.specialists.HandoffLog on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record(self, handoff: HandoffRecord) -> None:
        """One `handoffs` row; the lead's `lead_status` row learns its specialist too."""
        row = Handoff(
            lead_id=handoff.phone,
            reason=handoff.reason,
            lead_name=handoff.lead_name[:200] or None,
            city=handoff.city,
            state=(handoff.state or "")[:2] or None,
            bill_amount=handoff.bill_amount,
            bill_source=handoff.bill_source,
            consumption_kwh=handoff.consumption_kwh,
            plan=handoff.plan,
            monthly_savings=handoff.monthly_savings,
            serena_lead_id=handoff.serena_lead_id,
            specialist_name=handoff.specialist_name,
            specialist_phone=handoff.specialist_phone or None,
            on_duty=handoff.on_duty,
            contact_at=None if handoff.contact_at is None else _utc(handoff.contact_at),
            template=handoff.template,
            message_id=handoff.message_id,
            transcript=handoff.transcript or None,
            created_at=_utc(handoff.at),
        )
        status: dict[str, Any] = {"specialist_name": handoff.specialist_name}
        if handoff.serena_lead_id:
            status["serena_lead_id"] = handoff.serena_lead_id
        try:
            async with self._sessions.begin() as session:
                session.add(row)
                await session.execute(
                    sa.update(LeadStatus).where(LeadStatus.lead_id == handoff.phone).values(**status)
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"handoff of {handoff.phone[-4:]} not recorded: {type(exc).__name__}") from exc

    async def last_assigned(self, names: Iterable[str]) -> dict[str, datetime]:
        wanted = list(names)
        if not wanted:
            return {}
        query = (
            sa.select(Handoff.specialist_name, sa.func.max(Handoff.created_at))
            .where(Handoff.specialist_name.in_(wanted))
            .group_by(Handoff.specialist_name)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return {name: _as_utc(at) for name, at in rows if at is not None}

    async def recent(self, limit: int = 20, phone: str | None = None) -> list[dict[str, Any]]:
        """The newest handoffs first, as plain dicts (for `silvia handoffs`)."""
        query = sa.select(Handoff).order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit)
        if phone:
            query = query.where(Handoff.lead_id == phone)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [_row(r) for r in rows]


def _as_utc(value: Any) -> datetime:
    # max() over a SQLite column comes back as text, not through the column's type.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _utc(value)


def _row(row: Handoff) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in sa.inspect(Handoff).column_attrs}
