"""Webhook service: the embedded inbox and the delivery status of outbound messages.

Revision ID: 0002_webhook_inbox
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_webhook_inbox"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
PHONE = sa.String(32)


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def upgrade() -> None:
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.String(128), nullable=False, unique=True),
        sa.Column("phone", PHONE, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(64)),
        _ts("claimed_at"),
        _ts("processed_at"),
        sa.Column("error", sa.Text),
        _ts("received_at", nullable=False, server_default=sa.func.now()),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_inbox_status", "inbox_messages", ["status", "id"])
    op.create_index("idx_inbox_phone", "inbox_messages", ["phone", "id"])

    op.create_table(
        "outbound_messages",
        sa.Column("message_id", sa.String(128), primary_key=True),
        sa.Column("lead_id", PHONE),
        sa.Column("status", sa.String(12), nullable=False, server_default="accepted"),
        _ts("status_at"),
        sa.Column("errors", JSON),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        _ts("updated_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_outbound_messages_lead_id", "outbound_messages", ["lead_id"])


def downgrade() -> None:
    op.drop_table("outbound_messages")
    op.drop_table("inbox_messages")
