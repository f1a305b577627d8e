"""Read-only activity queries the ops room shares: funnel, windows of activity, conversations,
the day's counts for the report and the dashboard's follow-up queue.

Portable SQL (SQLite and PostgreSQL); anything dialect-specific (percentiles, JSON fields) is
computed by the caller in Python on the few rows a window holds (`ops/queries.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from agent.policy.followups import EXCLUDED_STAGES
from agent.state import FUNNEL_ORDER, Stage
from storage.db import Sessions
from storage.models import Lead, LeadInteraction, LeadStatus, SerenaRegistration

# What `recorded_since` hands out: the ORM rows themselves, read-only once their session closed
# (`silvia eval record` reads their columns; it writes nothing).
InteractionRow = LeadInteraction
LeadRow = Lead

_ORDER = {stage.value: i for i, stage in enumerate(FUNNEL_ORDER)}
_ORDER[Stage.NOT_QUALIFIED.value] = _ORDER[Stage.DOCUMENT_RECEIVED.value]  # got as far as the bill


class ActivityQueries:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def _count(self, query: Any) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def stage_counts(self) -> dict[str, int]:
        """Leads per current stage (every stage present, zeros included)."""
        query = sa.select(LeadStatus.lead_stage, sa.func.count()).group_by(LeadStatus.lead_stage)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        counts = dict.fromkeys((s.value for s in Stage), 0)
        for stage, count in rows:
            counts[str(stage)] = counts.get(str(stage), 0) + int(count)
        return counts

    async def funnel_reached(
        self, cohort: set[str] | None = None, until: datetime | None = None
    ) -> dict[str, int]:
        """How many leads ever reached each funnel stage (of `cohort`, by `until`), in funnel order."""
        query = sa.select(LeadInteraction.lead_id, LeadInteraction.stage).distinct()
        if until is not None:
            query = query.where(LeadInteraction.created_at < until)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        furthest: dict[str, int] = {}
        for lead, stage in rows:
            if (cohort is None or lead in cohort) and stage in _ORDER:
                furthest[lead] = max(furthest.get(lead, 0), _ORDER[stage])
        return {
            stage.value: sum(1 for v in furthest.values() if v >= i) for i, stage in enumerate(FUNNEL_ORDER)
        }

    async def interactions_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The window's interactions as small dicts (what reports and health checks aggregate)."""
        query = sa.select(
            LeadInteraction.lead_id,
            LeadInteraction.interaction_type,
            LeadInteraction.response_time_ms,
            LeadInteraction.layer,
            LeadInteraction.intent,
            LeadInteraction.stage,
            LeadInteraction.success,
            LeadInteraction.model,
            LeadInteraction.tokens_in,
            LeadInteraction.tokens_out,
            LeadInteraction.message_received,
            LeadInteraction.message_sent,
            LeadInteraction.meta,
            LeadInteraction.created_at,
        ).where(LeadInteraction.created_at >= start, LeadInteraction.created_at < end)
        async with self._sessions() as session:
            rows = (await session.execute(query.order_by(LeadInteraction.created_at))).mappings().all()
        return [dict(row) for row in rows]

    async def conversations(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recently active leads with their stage and counters."""
        query = (
            sa.select(
                LeadStatus.lead_id,
                LeadStatus.lead_stage,
                LeadStatus.last_interaction_date,
                LeadStatus.interaction_count,
                LeadStatus.followup_count,
                LeadStatus.specialist_name,
                Lead.name,
                Lead.city,
                Lead.state,
            )
            .join(Lead, Lead.phone_number == LeadStatus.lead_id, isouter=True)
            .order_by(LeadStatus.last_interaction_date.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [dict(row) for row in rows]

    async def transcript(self, phone: str, limit: int = 200) -> list[dict[str, Any]]:
        """One lead's interactions, oldest first: what the lead said and what Sílvia answered."""
        query = (
            sa.select(
                LeadInteraction.created_at,
                LeadInteraction.message_received,
                LeadInteraction.message_sent,
                LeadInteraction.interaction_type,
                LeadInteraction.layer,
                LeadInteraction.stage,
                LeadInteraction.intent,
                LeadInteraction.meta.label("metadata"),
            )
            .where(LeadInteraction.lead_id == phone)
            .order_by(LeadInteraction.created_at.desc(), LeadInteraction.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [dict(row) for row in reversed(rows)]

    async def new_leads(self, start: datetime, end: datetime) -> int:
        return await self._count(
            sa.select(sa.func.count()).where(Lead.created_at >= start, Lead.created_at < end)
        )

    async def qualified(self, start: datetime, end: datetime) -> int:
        return await self._count(
            sa.select(sa.func.count()).where(
                LeadStatus.qualification_date >= start, LeadStatus.qualification_date < end
            )
        )

    async def registered(self, start: datetime, end: datetime) -> int:
        return await self._count(
            sa.select(sa.func.count()).where(
                SerenaRegistration.created_at >= start, SerenaRegistration.created_at < end
            )
        )

    async def first_reached(self, stage: str, start: datetime, end: datetime) -> int:
        """Leads whose first interaction at `stage` happened in the window."""
        first = (
            sa.select(LeadInteraction.lead_id, sa.func.min(LeadInteraction.created_at).label("at"))
            .where(LeadInteraction.stage == stage)
            .group_by(LeadInteraction.lead_id)
            .subquery()
        )
        return await self._count(sa.select(sa.func.count()).where(first.c.at >= start, first.c.at < end))

    async def lead_messages_since(self, phones: set[str], since: datetime) -> list[tuple[str, datetime]]:
        """(lead, when) of every message these leads wrote since `since`."""
        query = sa.select(LeadInteraction.lead_id, LeadInteraction.created_at).where(
            LeadInteraction.lead_id.in_(phones),
            LeadInteraction.message_received.is_not(None),
            LeadInteraction.created_at >= since,
        )
        async with self._sessions() as session:
            return [(lead, at) for lead, at in (await session.execute(query)).all()]

    async def last_inbound(self, phones: list[str]) -> dict[str, datetime]:
        """When each of these leads last wrote."""
        query = (
            sa.select(LeadInteraction.lead_id, sa.func.max(LeadInteraction.created_at))
            .where(LeadInteraction.lead_id.in_(phones), LeadInteraction.message_received.is_not(None))
            .group_by(LeadInteraction.lead_id)
        )
        async with self._sessions() as session:
            return {phone: at for phone, at in (await session.execute(query)).all()}

    async def leads_in_play(self, limit: int) -> list[dict[str, Any]]:
        """`lead_status` rows of leads a follow-up may still reach, longest quiet first."""
        query = (
            sa.select(
                LeadStatus.lead_id,
                LeadStatus.lead_stage,
                LeadStatus.followup_count,
                LeadStatus.last_followup_date,
                LeadStatus.last_followup_type,
                LeadStatus.bill_amount,
            )
            .where(LeadStatus.lead_stage.not_in([s.value for s in EXCLUDED_STAGES]))
            .order_by(LeadStatus.last_interaction_date.asc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def recorded_since(self, start: datetime) -> tuple[list[InteractionRow], list[LeadRow]]:
        """Every interaction since `start` (by lead, then time) and the leads they belong to."""
        query = (
            sa.select(LeadInteraction)
            .where(LeadInteraction.created_at >= start)
            .order_by(LeadInteraction.lead_id, LeadInteraction.created_at, LeadInteraction.id)
        )
        async with self._sessions() as session:
            rows = list((await session.scalars(query)).all())
            phones = {r.lead_id for r in rows}
            leads = list((await session.scalars(sa.select(Lead).where(Lead.phone_number.in_(phones)))).all())
        return rows, leads
