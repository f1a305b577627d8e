"""The facts the business KPIs are computed from, read once per period (`ops.kpis` defines them).

* `LeadFacts`: one per lead whose FIRST interaction falls in the period (a cohort, so each lead
  counts once, in the period and prompt version it started with, however long its sale takes);
* `TurnFacts`: every turn Sílvia handled in the period (error rate).

The health runs behind availability come from `storage.health_log`.

Portable SQL; the per-lead reduction happens in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Sessions
from storage.models import Handoff, LeadInteraction, LeadOutcome, LeadRating, LeadStatus

# Only the metadata fields the KPIs read are extracted in SQL: decoding whole metadata and
# health records in Python was most of the time (benchmarks/kpi_report.py).
PAUSED = LeadInteraction.meta["paused"].as_boolean().label("paused")
AB_VERSION = LeadInteraction.meta["ab_version"].as_string().label("ab_version")
TEMPLATES = LeadInteraction.meta["templates"].label("templates")
HANDED_OFF_STAGES = frozenset({"handed_off"})
QUALIFIED_STAGES = frozenset({"qualified", "registered", "handed_off"})
FALLBACK_TEMPLATE = "error.generic_fallback"


@dataclass
class LeadFacts:
    phone: str
    first_at: datetime
    version: str
    first_reply_ms: int | None = None  # response time of Sílvia's first reply
    answered_first_reply: bool = False  # the lead wrote again after Sílvia's first message
    qualified: bool = False
    handed_off: bool = False  # given to a specialist (qualified, or asked for a human)
    outcomes: set[str] = field(default_factory=set)
    rating: int | None = None


@dataclass
class TurnFacts:
    at: datetime
    version: str
    failed: bool  # delivery failed, or the generic fallback went out instead of the answer


async def _cohort_rows(session: AsyncSession, start: datetime, end: datetime) -> list[Any]:
    first = (
        sa.select(LeadInteraction.lead_id, sa.func.min(LeadInteraction.created_at).label("first_at"))
        .group_by(LeadInteraction.lead_id)
        .subquery()
    )
    cohort = sa.select(first.c.lead_id).where(first.c.first_at >= start, first.c.first_at < end)
    query = (
        sa.select(
            LeadInteraction.id,
            LeadInteraction.lead_id,
            LeadInteraction.created_at,
            LeadInteraction.message_received,
            LeadInteraction.message_sent,
            LeadInteraction.response_time_ms,
            LeadInteraction.prompt_version,
            LeadInteraction.stage,
            PAUSED,
            AB_VERSION,
        )
        .where(LeadInteraction.lead_id.in_(cohort))
        .order_by(LeadInteraction.lead_id, LeadInteraction.created_at, LeadInteraction.id)
    )
    return list((await session.execute(query)).mappings().all())


def _lead_from_rows(phone: str, rows: list[Any]) -> LeadFacts:
    version = str(rows[0]["ab_version"] or rows[0]["prompt_version"] or "?")
    facts = LeadFacts(phone=phone, first_at=rows[0]["created_at"], version=version)
    replied_at: int | None = None
    for index, row in enumerate(rows):
        if row["paused"]:
            continue  # a specialist had the lead: nothing Sílvia did
        if replied_at is None and row["message_sent"]:
            replied_at, facts.first_reply_ms = index, row["response_time_ms"]
        elif replied_at is not None and row["message_received"] is not None:
            facts.answered_first_reply = True
        facts.qualified |= row["stage"] in QUALIFIED_STAGES
        facts.handed_off |= row["stage"] in HANDED_OFF_STAGES
    return facts


class KpiQueries:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def lead_facts(self, start: datetime, end: datetime) -> list[LeadFacts]:
        """The cohort of leads whose first interaction is in [start, end), with what became of them."""
        async with self._sessions() as session:
            rows = await _cohort_rows(session, start, end)
            by_lead: dict[str, list[Any]] = defaultdict(list)
            for row in rows:
                by_lead[row["lead_id"]].append(row)
            phones = list(by_lead)
            leads = {phone: _lead_from_rows(phone, lead_rows) for phone, lead_rows in by_lead.items()}
            if not phones:
                return []
            qualified = await session.scalars(
                sa.select(LeadStatus.lead_id).where(
                    LeadStatus.lead_id.in_(phones), LeadStatus.qualification_date.is_not(None)
                )
            )
            handed = await session.scalars(sa.select(Handoff.lead_id).where(Handoff.lead_id.in_(phones)))
            outcomes = await session.execute(
                sa.select(LeadOutcome.lead_id, LeadOutcome.outcome).where(LeadOutcome.lead_id.in_(phones))
            )
            ratings = await session.execute(
                sa.select(LeadRating.lead_id, LeadRating.score).where(
                    LeadRating.lead_id.in_(phones), LeadRating.score.is_not(None)
                )
            )
            for phone in qualified:
                leads[phone].qualified = True
            for phone in handed:
                leads[phone].handed_off = True
            for phone, outcome in outcomes.all():
                leads[phone].outcomes.add(outcome)
            for phone, score in ratings.all():
                leads[phone].rating = int(score)
        return sorted(leads.values(), key=lambda lead: lead.first_at)

    async def turn_facts(self, start: datetime, end: datetime) -> list[TurnFacts]:
        """Every turn Sílvia handled in [start, end) (a paused lead's recorded message is not one)."""
        query = sa.select(
            LeadInteraction.created_at,
            LeadInteraction.prompt_version,
            LeadInteraction.success,
            PAUSED,
            AB_VERSION,
            TEMPLATES,
        ).where(LeadInteraction.created_at >= start, LeadInteraction.created_at < end)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        turns = []
        for at, version, success, paused, ab_version, templates in rows:
            if paused:
                continue  # a specialist had the lead: nothing Sílvia did
            fell_back = FALLBACK_TEMPLATE in (templates or [])
            turns.append(TurnFacts(at, str(ab_version or version or "?"), success is False or fell_back))
        return turns
