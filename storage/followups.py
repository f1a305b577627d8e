"""Follow-up queries: leads a pass should look at, and what follow-ups achieved (report).

Both read the seed's tables: `lead_status` (stage, last_interaction_date = the lead's last
message, followup_count, last_followup_date/type) and `lead_interactions` (one row per turn;
follow-up turns carry `followup_kind` in their metadata).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent.policy.followups import DOCUMENT_REMINDER_AFTER, EXCLUDED_STAGES, LeadFacts, complained, said_no
from agent.policy.reminders import Reminder, reminder_from
from agent.state import FUNNEL_ORDER, Stage
from storage.models import Lead, LeadInteraction, LeadStatus

# A lead's last message (intent, text) and latest reminder, as the follow-up policy reads them.
LeadWords = tuple[str | None, str | None, Reminder | None]
# Funnel order, to tell whether a lead moved forward after a follow-up.
FUNNEL = FUNNEL_ORDER
ANSWER_WINDOW = timedelta(hours=24)


def funnel_rank(stage: str | None) -> int:
    """Position in the funnel; side exits (opted_out, lost, not_qualified) rank nowhere."""
    try:
        return FUNNEL.index(Stage(stage or ""))
    except ValueError:
        return -1


@dataclass
class KindStats:
    sent: int = 0
    answered_24h: int = 0
    advanced: int = 0  # the lead reached a later funnel stage afterwards
    leads: set[str] = field(default_factory=set)


class FollowupStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def candidates(self, now: datetime, limit: int = 200) -> list[LeadFacts]:
        """Leads that may be due now (the policy decides), best prospects first (seed order)."""
        quiet_since = now - DOCUMENT_REMINDER_AFTER  # the shortest delay of any kind
        query = (
            sa.select(LeadStatus, Lead.invoice_amount)
            .join(Lead, Lead.phone_number == LeadStatus.lead_id, isouter=True)
            .where(
                LeadStatus.lead_stage.not_in([s.value for s in EXCLUDED_STAGES]),
                LeadStatus.last_interaction_date <= quiet_since,
            )
            .order_by(
                sa.func.coalesce(LeadStatus.qualification_score, 0).desc(),
                LeadStatus.last_interaction_date.asc(),
            )
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
            phones = [status.lead_id for status, _ in rows]
            last = await _last_lead_messages(session, phones)
            reminders = await _last_reminders(session, phones)
        return [
            _facts(status, invoice, *last.get(status.lead_id, (None, None)), reminders.get(status.lead_id))
            for status, invoice in rows
        ]

    async def lead_words(
        self, phones: list[str]
    ) -> dict[str, tuple[str | None, str | None, Reminder | None]]:
        """Each lead's last message (intent, text) and latest reminder: what the policy reads beside
        `lead_status`, for any other view of the plan (the dashboard's queue) to agree with it."""
        async with self._sessions() as session:
            last = await _last_lead_messages(session, phones)
            reminders = await _last_reminders(session, phones)
        return {phone: (*last.get(phone, (None, None)), reminders.get(phone)) for phone in phones}

    async def report(self, since: datetime) -> dict[str, KindStats]:
        """Per follow-up kind: sent, answered within 24 h, moved the lead to a later stage."""
        followups = sa.select(LeadInteraction).where(
            LeadInteraction.created_at >= since, LeadInteraction.interaction_type == "followup"
        )
        async with self._sessions() as session:
            sent = (await session.scalars(followups.order_by(LeadInteraction.created_at))).all()
            phones = sorted({row.lead_id for row in sent})
            later = (
                await session.scalars(
                    sa.select(LeadInteraction)
                    .where(LeadInteraction.lead_id.in_(phones), LeadInteraction.created_at >= since)
                    .order_by(LeadInteraction.created_at, LeadInteraction.id)
                )
            ).all()
        by_lead: dict[str, list[LeadInteraction]] = defaultdict(list)
        for row in later:
            by_lead[row.lead_id].append(row)
        stats: dict[str, KindStats] = defaultdict(KindStats)
        for row in sent:
            kind = (row.meta or {}).get("followup_kind") or "unknown"
            after = [r for r in by_lead[row.lead_id] if r.created_at > row.created_at]
            entry = stats[kind]
            entry.sent += 1
            entry.leads.add(row.lead_id)
            answers = [r for r in after if r.message_received is not None]
            entry.answered_24h += any(r.created_at - row.created_at <= ANSWER_WINDOW for r in answers)
            entry.advanced += any(funnel_rank(r.stage) > funnel_rank(row.stage) for r in after)
        return dict(stats)


async def _last_lead_messages(
    session: AsyncSession, phones: list[str]
) -> dict[str, tuple[str | None, str | None]]:
    """The intent and text of each lead's last message (follow-up turns carry no message from the lead)."""
    if not phones:
        return {}
    latest = (
        sa.select(sa.func.max(LeadInteraction.id).label("id"))
        .where(LeadInteraction.lead_id.in_(phones), LeadInteraction.message_received.is_not(None))
        .group_by(LeadInteraction.lead_id)
        .subquery()
    )
    query = sa.select(LeadInteraction.lead_id, LeadInteraction.intent, LeadInteraction.message_received).join(
        latest, LeadInteraction.id == latest.c.id
    )
    return {phone: (intent, text) for phone, intent, text in (await session.execute(query)).all()}


async def _last_reminders(session: AsyncSession, phones: list[str]) -> dict[str, Reminder]:
    """Each lead's latest reminder request (the turn `record` wrote as interaction type 'reminder',
    with the day in its metadata): whether it is still owed the policy decides."""
    if not phones:
        return {}
    latest = (
        sa.select(sa.func.max(LeadInteraction.id).label("id"))
        .where(LeadInteraction.lead_id.in_(phones), LeadInteraction.interaction_type == "reminder")
        .group_by(LeadInteraction.lead_id)
        .subquery()
    )
    query = sa.select(LeadInteraction.lead_id, LeadInteraction.meta).join(
        latest, LeadInteraction.id == latest.c.id
    )
    found = {
        phone: reminder_from((meta or {}).get("reminder"))
        for phone, meta in (await session.execute(query)).all()
    }
    return {phone: reminder for phone, reminder in found.items() if reminder is not None}


def _facts(
    status: LeadStatus,
    invoice_amount: float | None,
    last_intent: str | None = None,
    last_text: str | None = None,
    reminder: Reminder | None = None,
) -> LeadFacts:
    stage = Stage(status.lead_stage or Stage.NEW)
    return LeadFacts(
        phone=status.lead_id,
        stage=stage,
        said_no=said_no(stage, last_intent),
        complained=complained(last_text),
        reminder=reminder,
        last_inbound_at=status.last_interaction_date,
        followup_count=int(status.followup_count or 0),
        last_followup_at=status.last_followup_date,
        last_followup_kind=status.last_followup_type,
        has_savings_figure=bool(status.bill_amount or invoice_amount),
    )


def as_row(facts: LeadFacts) -> dict[str, Any]:
    return {
        "phone": facts.phone,
        "stage": facts.stage.value,
        "last_inbound_at": facts.last_inbound_at.isoformat() if facts.last_inbound_at else None,
        "followup_count": facts.followup_count,
    }
