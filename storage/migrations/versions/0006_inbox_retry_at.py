"""Inbox retries with a due time: a failed turn is not handed out again before `retry_at`.

`attempts` now counts deterministic failures of the turn only (transient ones, a dependency
down, are retried until SILVIA_INBOX_RETRY_HOURS without counting).

Revision ID: 0006_inbox_retry_at
Revises: 0005_ratings_outcomes
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_inbox_retry_at"
down_revision: str | None = "0005_ratings_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_messages") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_messages") as batch:
        batch.drop_column("retry_at")
