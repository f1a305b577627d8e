"""The lead's journey: where a contact came from, the conversation a specialist is handed, and
the data requests (erasure, copy) a lead makes in the chat, kept for the team to act on.

Revision ID: 0004_journey
Revises: 0003_handoffs
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_journey"
down_revision: str | None = "0003_handoffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ad | website_form | crm_import | inbound: what Sílvia says when asked "how did you get my number?"
    op.add_column("leads", sa.Column("source", sa.String(20)))
    op.add_column("handoffs", sa.Column("transcript", sa.Text))
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        # Not named phone/lead_id: `silvia lead forget` closes this row instead of deleting it,
        # so the audit of the erasure outlives the lead's data (the number itself is cleared).
        sa.Column("requester_phone", sa.String(32)),
        sa.Column("kind", sa.String(10), nullable=False),  # erase | copy
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),  # pending | done
        sa.Column("words", sa.Text),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("idx_data_requests_status", "data_requests", ["status"])


def downgrade() -> None:
    op.drop_index("idx_data_requests_status", table_name="data_requests")
    op.drop_table("data_requests")
    op.drop_column("handoffs", "transcript")
    op.drop_column("leads", "source")
