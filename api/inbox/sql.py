"""The embedded inbox: the `inbox_messages` table (SQLite by default; works on PostgreSQL too).

Only the oldest unfinished message of each lead is ever handed out, and only when no other
message of that lead is being processed, so order per lead holds in the table itself. One
`silvia serve` process owns an embedded inbox: on start it takes back whatever a crashed
predecessor left half-done; claims older than `reclaim_seconds` are taken back as well.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from api.inbox.base import MAX_ATTEMPTS, InboxEntry
from storage.models import InboxMessage

_UNFINISHED = ("pending", "processing")
_POLL_SECONDS = 0.05


def _now() -> datetime:
    return datetime.now(UTC)


def _entry(row: InboxMessage) -> InboxEntry:
    return InboxEntry(
        entry_id=str(row.id),
        message_id=row.message_id,
        phone=row.phone,
        source=row.source,
        payload=dict(row.payload or {}),
        attempts=row.attempts,
    )


class SqlInbox:
    def __init__(
        self, engine: AsyncEngine, reclaim_seconds: float = 60.0, *, own_engine: bool = False
    ) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.reclaim_seconds = reclaim_seconds
        self._own_engine = own_engine
        self._arrived = asyncio.Event()  # put() wakes a waiting take() in this process

    async def put(self, message_id: str, phone: str, source: str, payload: dict[str, Any]) -> bool:
        row = InboxMessage(message_id=message_id, phone=phone, source=source, payload=payload)
        try:
            async with self.sessions() as session, session.begin():
                session.add(row)
        except IntegrityError:  # unique message_id: Meta delivered it again
            return False
        self._arrived.set()
        return True

    async def recover(self) -> int:
        """On start: entries a dead process was working on go back to pending."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                sa.update(InboxMessage)
                .where(InboxMessage.status == "processing")
                .values(status="pending", claimed_by=None)
            )
        return result.rowcount or 0

    async def take(self, consumer: str, count: int, wait_seconds: float) -> list[InboxEntry]:
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            self._arrived.clear()
            taken = await self._claim(consumer, count)
            remaining = deadline - asyncio.get_running_loop().time()
            if taken or remaining <= 0:
                return taken
            with contextlib.suppress(TimeoutError):  # wake on a local put; poll for other writers
                await asyncio.wait_for(self._arrived.wait(), min(remaining, _POLL_SECONDS * 10))

    async def _claim(self, consumer: str, count: int) -> list[InboxEntry]:
        stale = _now() - timedelta(seconds=self.reclaim_seconds)
        m, x, t = InboxMessage, sa.orm.aliased(InboxMessage), InboxMessage.__table__
        oldest_unfinished = (
            sa.select(sa.func.min(x.id))
            .where(x.phone == m.phone, x.status.in_(_UNFINISHED))
            .scalar_subquery()
        )
        claimable = sa.or_(m.status == "pending", sa.and_(m.status == "processing", m.claimed_at < stale))
        taken: list[InboxEntry] = []
        async with self.sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    sa.select(m).where(claimable, m.id == oldest_unfinished).order_by(m.id).limit(count)
                )
            ).all()
            for row in rows:
                # Compare-and-set: another process may have claimed it since the select.
                # (Core table, not the ORM entity: the loaded row must keep its old values.)
                claimed = await session.execute(
                    sa.update(t)
                    .where(t.c.id == row.id, t.c.status == row.status, t.c.attempts == row.attempts)
                    .values(
                        status="processing", claimed_by=consumer, claimed_at=_now(), attempts=t.c.attempts + 1
                    )
                )
                if claimed.rowcount:
                    entry = _entry(row)
                    entry.attempts = row.attempts + 1
                    taken.append(entry)
        return taken

    async def head(self, phone: str) -> InboxEntry | None:
        async with self.sessions() as session:
            row = await session.scalar(
                sa.select(InboxMessage)
                .where(InboxMessage.phone == phone, InboxMessage.status.in_(_UNFINISHED))
                .order_by(InboxMessage.id)
                .limit(1)
            )
        return _entry(row) if row is not None else None

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        async with self.sessions() as session:
            rows = await session.scalars(
                sa.select(InboxMessage)
                .where(InboxMessage.phone == phone, InboxMessage.status.in_(_UNFINISHED))
                .order_by(InboxMessage.id)
                .limit(limit)
            )
            return [_entry(row) for row in rows]

    async def done(self, entry: InboxEntry) -> None:
        await self._set(entry, status="done", processed_at=_now(), error=None)

    async def _set(self, entry: InboxEntry, **values: Any) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                sa.update(InboxMessage)
                .where(InboxMessage.id == int(entry.entry_id), InboxMessage.status.in_(_UNFINISHED))
                .values(**values)
            )

    async def retry_later(self, entry: InboxEntry, error: str) -> None:
        status = "failed" if entry.attempts >= MAX_ATTEMPTS else "pending"
        await self._set(entry, status=status, error=error[:2000], claimed_by=None)
        self._arrived.set()

    async def counts(self) -> dict[str, int]:
        async with self.sessions() as session:
            rows = await session.execute(
                sa.select(InboxMessage.status, sa.func.count()).group_by(InboxMessage.status)
            )
        return {status: n for status, n in rows.all()}

    async def get(self, message_id: str) -> dict[str, Any] | None:
        """One entry with its state (tests and operators)."""
        async with self.sessions() as session:
            row = await session.scalar(sa.select(InboxMessage).where(InboxMessage.message_id == message_id))
        if row is None:
            return None
        return {"status": row.status, "attempts": row.attempts, "error": row.error, "payload": row.payload}

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def aclose(self) -> None:
        if self._own_engine:
            await self.engine.dispose()
