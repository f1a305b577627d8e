"""Handoffs: each lead handed to a human specialist, with the summary they received.

Revision ID: 0003_handoffs
Revises: 0002_webhook_inbox
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_handoffs"
down_revision: str | None = "0002_webhook_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models.py does.
MONEY = sa.Numeric(10, 2)
PHONE = sa.String(32)


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", PHONE, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("lead_name", sa.String(200)),
        sa.Column("city", sa.String(120)),
        sa.Column("state", sa.String(2)),
        sa.Column("bill_amount", MONEY),
        sa.Column("bill_source", sa.String(10)),
        sa.Column("consumption_kwh", MONEY),
        sa.Column("plan", sa.String(50)),
        sa.Column("monthly_savings", MONEY),
        sa.Column("serena_lead_id", sa.String(20)),
        sa.Column("specialist_name", sa.String(100), nullable=False),
        sa.Column("specialist_phone", PHONE),
        sa.Column("on_duty", sa.Boolean, server_default=sa.true(), nullable=False),
        _ts("contact_at"),
        sa.Column("template", sa.String(100)),
        sa.Column("message_id", sa.String(128)),
        _ts("created_at", server_default=sa.func.now(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_handoffs_created", "handoffs", ["created_at"])
    op.create_index("idx_handoffs_specialist", "handoffs", ["specialist_name", "created_at"])
    op.create_index("ix_handoffs_lead_id", "handoffs", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_lead_id", table_name="handoffs")
    op.drop_index("idx_handoffs_specialist", table_name="handoffs")
    op.drop_index("idx_handoffs_created", table_name="handoffs")
    op.drop_table("handoffs")
