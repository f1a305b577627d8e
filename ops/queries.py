"""Read-only queries the ops room shares: funnel, windows of activity, conversations.

Portable SQL (SQLite and PostgreSQL); anything dialect-specific (percentiles, JSON fields) is
computed in Python on the few rows a window holds.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent.state import FUNNEL_ORDER, Stage
from storage.models import Lead, LeadInteraction, LeadStatus

Sessions = async_sessionmaker[AsyncSession]

FUNNEL = list(FUNNEL_ORDER)
_ORDER = {stage.value: i for i, stage in enumerate(FUNNEL)}
_ORDER[Stage.NOT_QUALIFIED.value] = _ORDER[Stage.DOCUMENT_RECEIVED.value]  # got as far as the bill


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight to local midnight, in UTC."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


async def stage_counts(sessions: Sessions) -> dict[str, int]:
    """Leads per current stage (every stage present, zeros included)."""
    query = sa.select(LeadStatus.lead_stage, sa.func.count()).group_by(LeadStatus.lead_stage)
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    counts = dict.fromkeys((s.value for s in Stage), 0)
    for stage, count in rows:
        counts[str(stage)] = counts.get(str(stage), 0) + int(count)
    return counts


async def funnel_reached(
    sessions: Sessions, cohort: set[str] | None = None, until: datetime | None = None
) -> dict[str, int]:
    """How many leads ever reached each funnel stage (of `cohort`, by `until`), in funnel order."""
    query = sa.select(LeadInteraction.lead_id, LeadInteraction.stage).distinct()
    if until is not None:
        query = query.where(LeadInteraction.created_at < until)
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    furthest: dict[str, int] = {}
    for lead, stage in rows:
        if (cohort is None or lead in cohort) and stage in _ORDER:
            furthest[lead] = max(furthest.get(lead, 0), _ORDER[stage])
    return {stage.value: sum(1 for v in furthest.values() if v >= i) for i, stage in enumerate(FUNNEL)}


def conversions(reached: dict[str, int]) -> list[tuple[str, str, float | None]]:
    """(from, to, share of `from` that reached `to`) for each step of the funnel."""
    steps = list(reached.items())
    return [(a, b, (nb / na) if na else None) for (a, na), (b, nb) in pairwise(steps)]


async def interactions_between(sessions: Sessions, start: datetime, end: datetime) -> list[dict[str, Any]]:
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
    async with sessions() as session:
        rows = (await session.execute(query.order_by(LeadInteraction.created_at))).mappings().all()
    return [dict(row) for row in rows]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return float(ordered[int(rank) - 1])


def answered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Interactions where Sílvia replied (the ones with a response time that means something)."""
    return [r for r in rows if r["message_sent"] and r["layer"] not in (None, "none")]


def latency_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Average and p95 response time overall and per layer, and the L1 cache hit rate."""
    replies = answered(rows)
    times = [float(r["response_time_ms"] or 0) for r in replies]
    by_layer: dict[str, list[float]] = {}
    for r in replies:
        by_layer.setdefault(r["layer"], []).append(float(r["response_time_ms"] or 0))
    return {
        "replies": len(replies),
        "avg_ms": (sum(times) / len(times)) if times else None,
        "p95_ms": percentile(times, 95),
        "cache_hit_rate": (len(by_layer.get("L1", [])) / len(replies)) if replies else None,
        "layers": {
            layer: {"count": len(v), "avg_ms": sum(v) / len(v), "p95_ms": percentile(v, 95)}
            for layer, v in sorted(by_layer.items())
        },
    }


def top(counter: Counter[str], n: int = 5) -> list[tuple[str, int]]:
    return [(k, v) for k, v in counter.most_common(n) if k]


async def conversations(sessions: Sessions, limit: int = 50) -> list[dict[str, Any]]:
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
    async with sessions() as session:
        rows = (await session.execute(query)).mappings().all()
    return [dict(row) for row in rows]


async def transcript(sessions: Sessions, phone: str, limit: int = 200) -> list[dict[str, Any]]:
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
    async with sessions() as session:
        rows = (await session.execute(query)).mappings().all()
    return [dict(row) for row in reversed(rows)]
