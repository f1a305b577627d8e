"""The seed's Supabase tables as SQLAlchemy 2 models, portable between SQLite and PostgreSQL.

Differences from the seed, all deliberate:
* phone / `lead_id` columns are 32 chars (E.164 plus room for WhatsApp ids), `prompt_version` 30;
* `lead_interactions` gains `layer`, `intent`, `stage`, `tokens_in`, `tokens_out`, and
  `ai_model_used` (attribute `model`) defaults to NULL: L1–L3 turns use no model at all;
* `lead_status` gains `opted_out_at`, `opt_out_words`, `serena_lead_id`, `specialist_name`,
  and `lead_stage` defaults to `Stage.NEW` (the app's stage vocabulary);
* `serena_registrations` records what the Serena MCP server's `cadastrar_lead` accepted.

The `daily_metrics` view is created by the migration only (it is read with plain SQL).
Schema changes go through a new Alembic revision in `storage/migrations/versions`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from agent.state import Stage

PHONE_LEN = 32

# JSONB on PostgreSQL (indexable, as in the seed), plain JSON text elsewhere.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`timestamptz` on PostgreSQL; on SQLite, UTC stored naive and read back aware.

    SQLite keeps no offset, so without this the same column would come back naive on one
    backend and aware on the other.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Floats in Python (the ports speak float), NUMERIC(10,2) in the database.
Money = sa.Numeric(10, 2, asdecimal=False)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utc_now, server_default=sa.func.now())


def _updated() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now, server_default=sa.func.now())


class Base(DeclarativeBase):
    pass


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (sa.Index("idx_leads_phone", "phone_number"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    phone_number: Mapped[str] = mapped_column(sa.String(PHONE_LEN), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(100))
    city: Mapped[str | None] = mapped_column(sa.String(50))
    state: Mapped[str | None] = mapped_column(sa.String(2))
    invoice_amount: Mapped[float | None] = mapped_column(Money)
    client_type: Mapped[str | None] = mapped_column(
        sa.String(20), default="residential", server_default="residential"
    )
    lead_source: Mapped[str | None] = mapped_column(
        sa.String(50), default="whatsapp_silvia", server_default="whatsapp_silvia"
    )
    # Where the contact came from: ad | website_form | crm_import | inbound (the lead wrote first).
    source: Mapped[str | None] = mapped_column(sa.String(20))
    additional_data: Mapped[dict[str, Any] | None] = mapped_column(
        JSONType, default=dict, server_default=sa.text("'{}'")
    )
    initial_template_sent: Mapped[bool | None] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class LeadStatus(Base):
    __tablename__ = "lead_status"
    __table_args__ = (sa.Index("idx_lead_status_stage", "lead_stage", "last_interaction_date"),)

    lead_id: Mapped[str] = mapped_column(sa.String(PHONE_LEN), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="new", server_default="new")
    lead_stage: Mapped[str | None] = mapped_column(
        sa.String(30), default=Stage.NEW.value, server_default=Stage.NEW.value
    )
    qualification_score: Mapped[int | None] = mapped_column(sa.Integer, default=0, server_default="0")
    bill_amount: Mapped[float | None] = mapped_column(Money)
    consumption_kwh: Mapped[float | None] = mapped_column(Money)
    interaction_count: Mapped[int | None] = mapped_column(sa.Integer, default=0, server_default="0")
    followup_count: Mapped[int | None] = mapped_column(sa.Integer, default=0, server_default="0")
    last_interaction_date: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utc_now, server_default=sa.func.now()
    )
    last_followup_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_followup_type: Mapped[str | None] = mapped_column(sa.String(30))
    qualification_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contract_created_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    preferred_style: Mapped[str | None] = mapped_column(
        sa.String(20), default="casual", server_default="casual"
    )
    notes: Mapped[str | None] = mapped_column(sa.Text)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opt_out_words: Mapped[str | None] = mapped_column(sa.Text)
    serena_lead_id: Mapped[str | None] = mapped_column(sa.String(20))
    specialist_name: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class LeadInteraction(Base):
    __tablename__ = "lead_interactions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(sa.String(PHONE_LEN))
    interaction_type: Mapped[str] = mapped_column(sa.String(30))
    message_sent: Mapped[str | None] = mapped_column(sa.Text)
    message_received: Mapped[str | None] = mapped_column(sa.Text)
    response_time_ms: Mapped[int | None] = mapped_column(sa.Integer)
    model: Mapped[str | None] = mapped_column("ai_model_used", sa.String(50))
    prompt_version: Mapped[str | None] = mapped_column(sa.String(30))
    success: Mapped[bool | None] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    # `metadata` is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata", JSONType, default=dict, server_default=sa.text("'{}'")
    )
    layer: Mapped[str | None] = mapped_column(sa.String(2))
    intent: Mapped[str | None] = mapped_column(sa.String(30))
    stage: Mapped[str | None] = mapped_column(sa.String(30))
    tokens_in: Mapped[int | None] = mapped_column(sa.Integer)
    tokens_out: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = _created()


sa.Index("idx_interactions_lead_created", LeadInteraction.lead_id, LeadInteraction.created_at.desc())


class SdrLog(Base):
    __tablename__ = "sdr_logs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    execution_id: Mapped[str | None] = mapped_column(sa.String(50))
    workflow_id: Mapped[str | None] = mapped_column(sa.String(50))
    task_id: Mapped[str | None] = mapped_column(sa.String(50))
    lead_id: Mapped[str | None] = mapped_column(sa.String(PHONE_LEN))
    log_level: Mapped[str | None] = mapped_column(sa.String(10), default="INFO", server_default="INFO")
    message: Mapped[str | None] = mapped_column(sa.Text)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
    success: Mapped[bool | None] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    error_details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = _created()


sa.Index("idx_logs_execution", SdrLog.execution_id, SdrLog.created_at.desc())


class ResponseCache(Base):
    __tablename__ = "response_cache"
    __table_args__ = (sa.Index("idx_cache_key", "cache_key", "expires_at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    cache_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    intent_type: Mapped[str | None] = mapped_column(sa.String(30))
    response_text: Mapped[str | None] = mapped_column(sa.Text)
    hit_count: Mapped[int | None] = mapped_column(sa.Integer, default=0, server_default="0")
    last_used: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utc_now, server_default=sa.func.now()
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created()


class Handoff(Base):
    """A lead handed to a human specialist (issue 6): who, why, when, and the lead summary.

    Holds no CPF and no street address (LGPD): only what the specialist needs to call.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        sa.Index("idx_handoffs_created", "created_at"),
        sa.Index("idx_handoffs_specialist", "specialist_name", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(sa.String(PHONE_LEN), index=True)
    reason: Mapped[str] = mapped_column(sa.String(20))
    lead_name: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(2))
    bill_amount: Mapped[float | None] = mapped_column(Money)
    bill_source: Mapped[str | None] = mapped_column(sa.String(10))
    consumption_kwh: Mapped[float | None] = mapped_column(Money)
    plan: Mapped[str | None] = mapped_column(sa.String(50))
    monthly_savings: Mapped[float | None] = mapped_column(Money)
    serena_lead_id: Mapped[str | None] = mapped_column(sa.String(20))
    specialist_name: Mapped[str] = mapped_column(sa.String(100))
    specialist_phone: Mapped[str | None] = mapped_column(sa.String(PHONE_LEN))
    on_duty: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    template: Mapped[str | None] = mapped_column(sa.String(100))
    message_id: Mapped[str | None] = mapped_column(sa.String(128))
    transcript: Mapped[str | None] = mapped_column(sa.Text)  # the conversation the specialist got
    created_at: Mapped[datetime] = _created()


class SerenaRegistration(Base):
    __tablename__ = "serena_registrations"
    # AUTOINCREMENT on SQLite: a forgotten lead's SRN id must never be handed out again.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    serena_lead_id: Mapped[str] = mapped_column(sa.String(20), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(PHONE_LEN), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = _created()


class InboxMessage(Base):
    """The embedded webhook inbox (storage/inbox): each inbound message, raw, until processed.

    `message_id` (WhatsApp's wamid) is unique, so a webhook Meta retries is stored once.
    """

    __tablename__ = "inbox_messages"
    __table_args__ = (
        sa.Index("idx_inbox_status", "status", "id"),
        sa.Index("idx_inbox_phone", "phone", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(128), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(PHONE_LEN))
    source: Mapped[str] = mapped_column(sa.String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")  # failed turns
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # not handed out before
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = _created()


class OutboundMessage(Base):
    """A message Sílvia sent, by WhatsApp message id, with the last delivery status Meta reported."""

    __tablename__ = "outbound_messages"

    message_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    lead_id: Mapped[str | None] = mapped_column(sa.String(PHONE_LEN), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="accepted", server_default="accepted")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    errors: Mapped[list[Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()


class DataRequest(Base):
    """A lead's LGPD request made in the chat (erase their data, or get a copy), for the team.

    `requester_phone` is cleared when the erasure is done (`silvia lead forget`); the row stays
    as the audit that it was asked for and carried out.
    """

    __tablename__ = "data_requests"
    __table_args__ = (sa.Index("idx_data_requests_status", "status"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    requester_phone: Mapped[str | None] = mapped_column(sa.String(PHONE_LEN))
    kind: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", server_default="pending")
    words: Mapped[str | None] = mapped_column(sa.Text)
    requested_at: Mapped[datetime] = _created()
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LeadRating(Base):
    """The lead's satisfaction survey (issue 20): asked once per lead when Sílvia's part ends.

    The row is written when the question goes out (so a lead is never asked twice, even if
    the conversation state is lost) and completed when the lead answers 1–5.
    """

    __tablename__ = "lead_ratings"
    __table_args__ = (
        sa.Index("idx_lead_ratings_asked", "asked_at"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="ck_lead_ratings_score"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(sa.String(PHONE_LEN), unique=True)
    prompt_version: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str] = mapped_column(sa.String(20))  # handed_off | requested | not_qualified
    asked_via: Mapped[str] = mapped_column(sa.String(40))  # list | template:<name>
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    answer_channel: Mapped[str | None] = mapped_column(sa.String(10))  # list | typed | emoji
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(sa.Text)
    comment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created()


class LeadOutcome(Base):
    """What the sales team reports after the handoff: meeting, proposal, contract or loss.

    One row per (lead, outcome): reporting the same outcome again changes nothing (idempotent);
    every accepted report is also audited in `sdr_logs` (`lead_outcome`).
    """

    __tablename__ = "lead_outcomes"
    __table_args__ = (
        sa.UniqueConstraint("lead_id", "outcome", name="uq_lead_outcomes_lead_outcome"),
        sa.Index("idx_lead_outcomes_occurred", "occurred_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(sa.String(PHONE_LEN))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    reported_by: Mapped[str] = mapped_column(sa.String(100))
    source: Mapped[str] = mapped_column(sa.String(20))  # api | dashboard | cli | crm
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created()
