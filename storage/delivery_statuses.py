"""Delivery status of what Sílvia sent (`outbound_messages`), from Meta's `statuses` webhooks.

The worker records each outbound WhatsApp id when a turn ends; Meta then reports sent →
delivered → read (or failed). Statuses can arrive out of order or before we recorded the
message, so a status only ever moves forward, and an unknown id creates its row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.models import OutboundMessage

RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


def _insert(dialect: str) -> Any:
    return postgresql.insert(OutboundMessage) if dialect == "postgresql" else sqlite.insert(OutboundMessage)


class DeliveryStatusRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def record_sent(self, phone: str, message_ids: Iterable[str]) -> None:
        rows = [{"message_id": m, "lead_id": phone, "status": "accepted"} for m in message_ids if m]
        if not rows:
            return
        async with self.sessions() as session, session.begin():
            insert = _insert(self.engine.dialect.name).values(rows)
            # A status that arrived first already made the row: just attach the lead.
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["message_id"], set_={"lead_id": insert.excluded.lead_id}
                )
            )

    async def record_status(
        self, message_id: str, status: str, at: datetime | None, phone: str | None, errors: list[Any]
    ) -> None:
        """Move the message's status forward (never back: `read` stays `read` if `sent` is late)."""
        if status not in RANK:
            return
        table = OutboundMessage.__table__
        values = {
            "message_id": message_id,
            "lead_id": phone,
            "status": status,
            "status_at": at or datetime.now(UTC),
            "errors": errors or None,
        }
        rank = sa.case(RANK, value=table.c.status, else_=0)
        async with self.sessions() as session, session.begin():
            insert = _insert(self.engine.dialect.name).values(values)
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["message_id"],
                    set_={
                        "status": insert.excluded.status,
                        "status_at": insert.excluded.status_at,
                        "errors": sa.func.coalesce(insert.excluded.errors, table.c.errors),
                        "updated_at": sa.func.now(),
                    },
                    where=rank < RANK[status],
                )
            )

    async def get(self, message_id: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            row = await session.get(OutboundMessage, message_id)
        if row is None:
            return None
        return {
            "lead_id": row.lead_id,
            "status": row.status,
            "status_at": row.status_at,
            "errors": row.errors,
        }
