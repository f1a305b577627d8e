"""The `lead_outcomes` table: what the sales team reports after a handoff.

One row per (lead, outcome). Writing is idempotent: the same outcome with the same reason
again returns the stored row unchanged; a contradiction (signed after lost, lost with another
reason) raises `OutcomeConflictError` so the caller can answer 409 with the stored facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import LeadOutcome

Sessions = async_sessionmaker[AsyncSession]

# Outcomes that cannot both be true of one lead.
EXCLUSIVE: dict[str, str] = {"contract_signed": "lost", "lost": "contract_signed"}


class OutcomeConflictError(Exception):
    def __init__(self, message: str, existing: dict[str, Any]) -> None:
        super().__init__(message)
        self.existing = existing


def outcome_dict(row: LeadOutcome) -> dict[str, Any]:
    return {
        "phone": row.lead_id,
        "outcome": row.outcome,
        "reason": row.reason,
        "note": row.note,
        "reported_by": row.reported_by,
        "source": row.source,
        "occurred_at": row.occurred_at,
        "recorded_at": row.created_at,
    }


class OutcomeRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def for_lead(self, phone: str) -> list[dict[str, Any]]:
        query = (
            sa.select(LeadOutcome)
            .where(LeadOutcome.lead_id == phone)
            .order_by(LeadOutcome.occurred_at, LeadOutcome.id)
        )
        async with self._sessions() as session:
            return [outcome_dict(row) for row in (await session.scalars(query)).all()]

    async def record(
        self,
        phone: str,
        outcome: str,
        *,
        reason: str | None,
        note: str | None,
        reported_by: str,
        source: str,
        occurred_at: datetime,
    ) -> tuple[dict[str, Any], bool]:
        """Store the outcome; (row, True) when new, (stored row, False) when already there."""
        stored = {o["outcome"]: o for o in await self.for_lead(phone)}
        if outcome in stored:
            same = stored[outcome]
            if (same["reason"] or None) != (reason or None):
                raise OutcomeConflictError(
                    f"{phone} already has {outcome} with reason {same['reason']!r}", same
                )
            return same, False
        opposite = EXCLUSIVE.get(outcome)
        if opposite and opposite in stored:
            raise OutcomeConflictError(
                f"{phone} is already {opposite}: it cannot also be {outcome}", stored[opposite]
            )
        row = LeadOutcome(
            lead_id=phone,
            outcome=outcome,
            reason=reason,
            note=note,
            reported_by=reported_by,
            source=source,
            occurred_at=occurred_at,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
                await session.flush()
                created = outcome_dict(row)
        except IntegrityError:  # the same report raced in from elsewhere: it is stored now
            raced = {o["outcome"]: o for o in await self.for_lead(phone)}.get(outcome)
            if raced is None:
                raise
            return raced, False
        return created, True
