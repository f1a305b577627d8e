"""Initial schema: the seed's tables, Sílvia's additions, and the daily_metrics view.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models.py does.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")
MONEY = sa.Numeric(10, 2)
PHONE = sa.String(32)


def _ts(name: str, **kw: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _now(name: str, nullable: bool = False) -> sa.Column:
    return _ts(name, server_default=sa.func.now(), nullable=nullable)


DAILY_METRICS = """
CREATE VIEW daily_metrics AS
SELECT
    DATE(created_at) AS date,
    COUNT(DISTINCT lead_id) AS unique_leads,
    COUNT(*) AS total_interactions,
    AVG(response_time_ms) AS avg_response_time,
    COUNT(*) FILTER (WHERE interaction_type = 'qualification') AS qualifications,
    COUNT(*) FILTER (WHERE interaction_type = 'contract_created') AS contracts,
    COUNT(*) FILTER (WHERE success = false) AS errors
FROM lead_interactions
GROUP BY DATE(created_at)
ORDER BY date DESC
"""


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("phone_number", PHONE, nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(100)),
        sa.Column("city", sa.String(50)),
        sa.Column("state", sa.String(2)),
        sa.Column("invoice_amount", MONEY),
        sa.Column("client_type", sa.String(20), server_default="residential"),
        sa.Column("lead_source", sa.String(50), server_default="whatsapp_silvia"),
        sa.Column("additional_data", JSON, server_default=sa.text("'{}'")),
        sa.Column("initial_template_sent", sa.Boolean, server_default=sa.false()),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_index("idx_leads_phone", "leads", ["phone_number"])

    op.create_table(
        "lead_status",
        sa.Column("lead_id", PHONE, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("lead_stage", sa.String(30), server_default="new"),
        sa.Column("qualification_score", sa.Integer, server_default="0"),
        sa.Column("bill_amount", MONEY),
        sa.Column("consumption_kwh", MONEY),
        sa.Column("interaction_count", sa.Integer, server_default="0"),
        sa.Column("followup_count", sa.Integer, server_default="0"),
        _now("last_interaction_date", nullable=True),
        _ts("last_followup_date"),
        sa.Column("last_followup_type", sa.String(30)),
        _ts("qualification_date"),
        _ts("contract_created_date"),
        sa.Column("preferred_style", sa.String(20), server_default="casual"),
        sa.Column("notes", sa.Text),
        _ts("opted_out_at"),
        sa.Column("opt_out_words", sa.Text),
        sa.Column("serena_lead_id", sa.String(20)),
        sa.Column("specialist_name", sa.String(100)),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_index("idx_lead_status_stage", "lead_status", ["lead_stage", "last_interaction_date"])

    op.create_table(
        "lead_interactions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", PHONE, nullable=False),
        sa.Column("interaction_type", sa.String(30), nullable=False),
        sa.Column("message_sent", sa.Text),
        sa.Column("message_received", sa.Text),
        sa.Column("response_time_ms", sa.Integer),
        sa.Column("ai_model_used", sa.String(50)),
        sa.Column("prompt_version", sa.String(30)),
        sa.Column("success", sa.Boolean, server_default=sa.true()),
        sa.Column("error_message", sa.Text),
        sa.Column("metadata", JSON, server_default=sa.text("'{}'")),
        sa.Column("layer", sa.String(2)),
        sa.Column("intent", sa.String(30)),
        sa.Column("stage", sa.String(30)),
        sa.Column("tokens_in", sa.Integer),
        sa.Column("tokens_out", sa.Integer),
        _now("created_at"),
    )
    op.create_index(
        "idx_interactions_lead_created", "lead_interactions", ["lead_id", sa.text("created_at DESC")]
    )

    op.create_table(
        "sdr_logs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("execution_id", sa.String(50)),
        sa.Column("workflow_id", sa.String(50)),
        sa.Column("task_id", sa.String(50)),
        sa.Column("lead_id", PHONE),
        sa.Column("log_level", sa.String(10), server_default="INFO"),
        sa.Column("message", sa.Text),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("success", sa.Boolean, server_default=sa.true()),
        sa.Column("error_details", JSON),
        _now("created_at"),
    )
    op.create_index("idx_logs_execution", "sdr_logs", ["execution_id", sa.text("created_at DESC")])

    op.create_table(
        "response_cache",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cache_key", sa.String(64), unique=True),
        sa.Column("intent_type", sa.String(30)),
        sa.Column("response_text", sa.Text),
        sa.Column("hit_count", sa.Integer, server_default="0"),
        _now("last_used", nullable=True),
        _ts("expires_at"),
        _now("created_at"),
    )
    op.create_index("idx_cache_key", "response_cache", ["cache_key", "expires_at"])

    op.create_table(
        "serena_registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("serena_lead_id", sa.String(20), nullable=False, unique=True),
        sa.Column("phone", PHONE),
        sa.Column("payload", JSON, nullable=False),
        _now("created_at"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_serena_registrations_phone", "serena_registrations", ["phone"])

    op.execute(DAILY_METRICS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS daily_metrics")
    for table in (
        "serena_registrations",
        "response_cache",
        "sdr_logs",
        "lead_interactions",
        "lead_status",
        "leads",
    ):
        op.drop_table(table)
