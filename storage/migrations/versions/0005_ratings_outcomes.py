"""Lead satisfaction ratings and the sales team's outcomes (the business KPIs).

Revision ID: 0005_ratings_outcomes
Revises: 0004_journey
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_ratings_outcomes"
down_revision: str | None = "0004_journey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models.py does.
PHONE = sa.String(32)


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def upgrade() -> None:
    op.create_table(
        "lead_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", PHONE, nullable=False, unique=True),
        sa.Column("prompt_version", sa.String(30)),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("asked_via", sa.String(40), nullable=False),
        _ts("asked_at", nullable=False),
        sa.Column("score", sa.SmallInteger),
        sa.Column("answer_channel", sa.String(10)),
        _ts("answered_at"),
        sa.Column("comment", sa.Text),
        _ts("comment_at"),
        _ts("created_at", server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="ck_lead_ratings_score"),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_lead_ratings_asked", "lead_ratings", ["asked_at"])
    op.create_table(
        "lead_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", PHONE, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        _ts("occurred_at", nullable=False),
        _ts("created_at", server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("lead_id", "outcome", name="uq_lead_outcomes_lead_outcome"),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_lead_outcomes_occurred", "lead_outcomes", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("idx_lead_outcomes_occurred", table_name="lead_outcomes")
    op.drop_table("lead_outcomes")
    op.drop_index("idx_lead_ratings_asked", table_name="lead_ratings")
    op.drop_table("lead_ratings")
