"""The embedded inbox: the `inbox_messages` table (SQLite by default; works on PostgreSQL too).

Only the oldest unfinished message of each lead is ever handed out, and only when no other
message of that lead is being processed, so order per lead holds in the table itself. One
`silvia serve` process owns an embedded inbox: on start it takes back whatever a crashed
predecessor left half-done; claims older than `reclaim_seconds` are taken back as well. A
turn given back with `retry_in` stays `pending` but is not handed out before its `retry_at`.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.inbox.base import InboxEntry, ParkedEntry
from storage.models import InboxMessage

_UNFINISHED = ("pending", "processing")
_TABLE = InboxMessage.__table__
_POLL_SECONDS = 0.05


def _now() -> datetime:
    return datetime.now(UTC)


def _entry(row: Any) -> InboxEntry:
    """From an ORM row or a Core row of `inbox_messages` (the same attribute names)."""
    received = row.received_at or _now()
    received = received if received.tzinfo else received.replace(tzinfo=UTC)
    return InboxEntry(
        entry_id=str(row.id),
        message_id=row.message_id,
        phone=row.phone,
        source=row.source,
        payload=dict(row.payload or {}),
        failures=row.attempts,
        received_at=received.timestamp(),
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
        # Core statements on one connection, not the ORM session: its unit of work and update
        # synchronisation cost more CPU than these two statements (the hot path of every message).
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    _TABLE.insert().values(message_id=message_id, phone=phone, source=source, payload=payload)
                )
                # A new message makes the lead's waiting entries due now (as a new stream entry
                # does on Redis): a burst's last piece, or proof the database is back.
                await conn.execute(
                    _TABLE.update()
                    .where(_TABLE.c.phone == phone, _TABLE.c.status == "pending")
                    .where(_TABLE.c.retry_at.is_not(None))
                    .values(retry_at=None)
                )
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
        now = _now()
        stale = now - timedelta(seconds=self.reclaim_seconds)
        t, x = _TABLE, _TABLE.alias("x")
        oldest_unfinished = (
            sa.select(sa.func.min(x.c.id))
            .where(x.c.phone == t.c.phone, x.c.status.in_(_UNFINISHED))
            .scalar_subquery()
        )
        due = sa.or_(t.c.retry_at.is_(None), t.c.retry_at <= now)
        claimable = sa.or_(
            sa.and_(t.c.status == "pending", due),
            sa.and_(t.c.status == "processing", t.c.claimed_at < stale),
        )
        taken: list[InboxEntry] = []
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(t).where(claimable, t.c.id == oldest_unfinished).order_by(t.c.id).limit(count)
                )
            ).all()
            for row in rows:
                # Compare-and-set: another process may have claimed it since the select.
                same_claim = (
                    t.c.claimed_at.is_(None) if row.claimed_at is None else t.c.claimed_at == row.claimed_at
                )
                claimed = await conn.execute(
                    sa.update(t)
                    .where(t.c.id == row.id, t.c.status == row.status, same_claim)
                    .values(status="processing", claimed_by=consumer, claimed_at=_now())
                )
                if claimed.rowcount:
                    taken.append(_entry(row))
        return taken

    async def head(self, phone: str) -> InboxEntry | None:
        entries = await self.pending(phone, 1)
        return entries[0] if entries else None

    async def pending(self, phone: str, limit: int) -> list[InboxEntry]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(_TABLE)
                .where(_TABLE.c.phone == phone, _TABLE.c.status.in_(_UNFINISHED))
                .order_by(_TABLE.c.id)
                .limit(limit)
            )
            return [_entry(row) for row in rows]

    async def done(self, entry: InboxEntry) -> None:
        await self._set(entry, status="done", processed_at=_now(), error=None, retry_at=None)

    async def _set(self, entry: InboxEntry, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                _TABLE.update()
                .where(_TABLE.c.id == int(entry.entry_id), _TABLE.c.status.in_(_UNFINISHED))
                .values(**values)
            )

    async def retry_in(self, entry: InboxEntry, seconds: float, error: str, *, failed: bool) -> None:
        if failed:
            entry.failures += 1
        due = _now() + timedelta(seconds=max(0.0, seconds))
        await self._set(
            entry,
            status="pending",
            error=error[:2000],
            claimed_by=None,
            retry_at=due,
            attempts=entry.failures,
        )
        self._arrived.set()

    async def park(self, entry: InboxEntry, error: str) -> None:
        await self._set(
            entry,
            status="failed",
            error=error[:2000],
            claimed_by=None,
            retry_at=None,
            attempts=entry.failures,
        )

    async def parked(self, limit: int = 100) -> list[ParkedEntry]:
        async with self.sessions() as session:
            rows = await session.scalars(
                sa.select(InboxMessage)
                .where(InboxMessage.status == "failed")
                .order_by(InboxMessage.id)
                .limit(limit)
            )
            return [
                ParkedEntry(str(r.id), r.message_id, r.phone, r.source, r.error or "", dict(r.payload or {}))
                for r in rows
            ]

    async def unpark(self, message_id: str) -> bool:
        """A new row (a later id than anything a turn finished), so it is answered, not skipped."""
        async with self.sessions() as session, session.begin():
            row = await session.scalar(
                sa.select(InboxMessage).where(
                    InboxMessage.message_id == message_id, InboxMessage.status == "failed"
                )
            )
            if row is None:
                return False
            copy = InboxMessage(
                message_id=row.message_id, phone=row.phone, source=row.source, payload=row.payload
            )
            await session.delete(row)
            await session.flush()
            session.add(copy)
        self._arrived.set()
        return True

    async def drop(self, message_id: str) -> bool:
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                sa.delete(InboxMessage).where(
                    InboxMessage.message_id == message_id, InboxMessage.status == "failed"
                )
            )
        return bool(result.rowcount)

    async def counts(self) -> dict[str, int]:
        waiting = sa.and_(InboxMessage.status == "pending", InboxMessage.retry_at > _now())
        state = sa.case((waiting, "waiting"), else_=InboxMessage.status)
        async with self.sessions() as session:
            rows = await session.execute(sa.select(state, sa.func.count()).group_by(state))
        return {status: n for status, n in rows.all()}

    async def oldest_age(self) -> float:
        query = sa.select(sa.func.min(InboxMessage.received_at)).where(InboxMessage.status.in_(_UNFINISHED))
        async with self.sessions() as session:
            oldest = await session.scalar(query)
        if oldest is None:
            return 0.0
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        return max(0.0, (_now() - oldest).total_seconds())

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
