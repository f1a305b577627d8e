"""`SatisfactionPort` on SQLAlchemy: the `lead_ratings` table (one row per lead, ever).

The unique `lead_id` is what makes "never asked twice" hold across workers, restarts and a
lost conversation state: the insert that records the question fails for the second asker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent.ports import RatingRecord
from storage.models import LeadRating

Sessions = async_sessionmaker[AsyncSession]
COMMENT_MAX = 1000


def _record(row: LeadRating) -> RatingRecord:
    return RatingRecord(
        phone=row.lead_id,
        prompt_version=row.prompt_version,
        reason=row.reason,
        asked_via=row.asked_via,
        asked_at=row.asked_at,
        score=row.score,
        answer_channel=row.answer_channel,
        answered_at=row.answered_at,
        comment=row.comment,
    )


class RatingRepository:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def get(self, phone: str) -> RatingRecord | None:
        async with self._sessions() as session:
            row = await session.scalar(sa.select(LeadRating).where(LeadRating.lead_id == phone))
        return None if row is None else _record(row)

    async def record_ask(self, rating: RatingRecord) -> bool:
        row = LeadRating(
            lead_id=rating.phone,
            prompt_version=rating.prompt_version,
            reason=rating.reason[:20],
            asked_via=rating.asked_via[:40],
            asked_at=rating.asked_at,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:  # somebody (another worker, an earlier life of the thread) asked
            return False
        return True

    async def _update(self, phone: str, values: dict[str, Any]) -> None:
        async with self._sessions.begin() as session:
            await session.execute(sa.update(LeadRating).where(LeadRating.lead_id == phone).values(**values))

    async def record_score(self, phone: str, score: int, channel: str, at: datetime) -> None:
        if not 1 <= score <= 5:
            raise ValueError(f"a rating is 1 to 5, not {score}")
        await self._update(phone, {"score": score, "answer_channel": channel[:10], "answered_at": at})

    async def record_comment(self, phone: str, comment: str, at: datetime) -> None:
        await self._update(phone, {"comment": comment.strip()[:COMMENT_MAX], "comment_at": at})
