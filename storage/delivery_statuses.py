"""Delivery status of what Sílvia sent (`outbound_messages`), from Meta's `statuses` webhooks.

The worker records each outbound WhatsApp id when a turn ends; Meta then reports sent →
delivered → read (or failed). Statuses can arrive out of order or before we recorded the
message, so a status only ever moves forward, and an unknown id creates its row. A webhook's
statuses are applied in one transaction, and applying them again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.models import OutboundMessage, SdrLog

RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


@dataclass(frozen=True)
class StatusUpdate:
    """One entry of a `statuses` webhook."""

    message_id: str
    status: str
    at: datetime | None = None
    phone: str | None = None
    errors: list[Any] = field(default_factory=list)


def _failure_log(update: StatusUpdate) -> SdrLog:
    return SdrLog(
        lead_id=update.phone,
        log_level="ERROR",
        message="whatsapp_delivery_failed",
        success=False,
        error_details={"message_id": update.message_id, "errors": update.errors},
    )


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

    async def record_statuses(self, updates: Sequence[StatusUpdate]) -> list[StatusUpdate]:
        """Apply one webhook's statuses in one transaction: all of them or none (an error leaves
        nothing half-written, the webhook answers 503 and Meta sends it again).

        Each moves its message forward only (`read` stays `read` if `sent` is late). A `failed`
        that moved a message is logged in `sdr_logs` (the alerts read it) in the same transaction,
        so a redelivered webhook changes nothing and logs nothing twice. Returns the updates that
        moved a message. Rows are written in message-id order, so two webhooks touching the same
        messages lock them in the same order (no deadlock)."""
        known = sorted((u for u in updates if u.status in RANK), key=lambda u: (u.message_id, RANK[u.status]))
        moved: list[StatusUpdate] = []
        if not known:
            return moved
        async with self.sessions() as session, session.begin():
            for update in known:
                if await session.scalar(self._forward(update)) is None:
                    continue  # already there or further: a redelivery, or a late status
                moved.append(update)
                if update.status == "failed":
                    session.add(_failure_log(update))
        return moved

    def _forward(self, update: StatusUpdate) -> Any:
        table = OutboundMessage.__table__
        insert = _insert(self.engine.dialect.name).values(
            message_id=update.message_id,
            lead_id=update.phone,
            status=update.status,
            status_at=update.at or datetime.now(UTC),
            errors=update.errors or None,
        )
        rank = sa.case(RANK, value=table.c.status, else_=0)
        return insert.on_conflict_do_update(
            index_elements=["message_id"],
            set_={
                "status": insert.excluded.status,
                "status_at": insert.excluded.status_at,
                "errors": sa.func.coalesce(insert.excluded.errors, table.c.errors),
                "updated_at": sa.func.now(),
            },
            where=rank < RANK[update.status],
        ).returning(table.c.message_id)

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
