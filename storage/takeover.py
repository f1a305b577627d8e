"""Human takeover: a specialist pauses Sílvia for one lead and hands the lead back later.

The flag lives in the lead's `leads.additional_data["takeover"]` (no schema change; the
conversation upserts never touch that column), so every process sharing the database — the
API, the worker, the CLI — sees the same pause. `agent.ports.TakeoverPort` is what the graph
asks at the start of a turn: while paused, the lead's message is recorded and not answered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from storage.db import Sessions, engine_of
from storage.models import Lead

KEY = "takeover"
# Asked at the start of every turn: built once, run with the phone as a parameter (building the
# SELECT each time cost more CPU than running it).
_TAKEOVER_OF = sa.select(Lead.__table__.c.additional_data).where(
    Lead.__table__.c.phone_number == sa.bindparam("phone")
)


class LeadNotFoundError(LookupError):
    """Only a lead Sílvia knows can be taken over."""


class TakeoverRepository:
    """Pause/resume per lead; implements `agent.ports.TakeoverPort`."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)

    async def is_paused(self, phone: str) -> bool:
        return (await self.get(phone) or {}).get("paused", False)

    async def get(self, phone: str) -> dict[str, Any] | None:
        # On a connection, not an ORM session: asked at the start of every turn.
        async with self._engine.connect() as conn:
            data = await conn.scalar(_TAKEOVER_OF, {"phone": phone})
        takeover = (data or {}).get(KEY)
        return dict(takeover) if isinstance(takeover, dict) else None

    async def pause(self, phone: str, by: str, reason: str = "") -> dict[str, Any]:
        entry = {"paused": True, "by": by[:100], "reason": reason[:500], "since": _now()}
        return await self._write(phone, entry)

    async def resume(self, phone: str, by: str) -> dict[str, Any]:
        previous = await self.get(phone) or {}
        entry = {"paused": False, "by": by[:100], "resumed_at": _now(), "paused_since": previous.get("since")}
        return await self._write(phone, entry)

    async def paused_leads(self) -> dict[str, dict[str, Any]]:
        """Every paused lead's takeover entry, by phone (small: a handful at a time)."""
        query = sa.select(Lead.phone_number, Lead.additional_data).where(Lead.additional_data.is_not(None))
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return {
            phone: dict(data[KEY])
            for phone, data in rows
            if isinstance(data, dict) and isinstance(data.get(KEY), dict) and data[KEY].get("paused")
        }

    async def _write(self, phone: str, entry: dict[str, Any]) -> dict[str, Any]:
        async with self._sessions.begin() as session:
            lead = await session.scalar(sa.select(Lead).where(Lead.phone_number == phone).with_for_update())
            if lead is None:
                raise LeadNotFoundError(phone)
            # A new dict: SQLAlchemy only notices a JSON column change on reassignment.
            lead.additional_data = {**(lead.additional_data or {}), KEY: entry}
        return entry


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
