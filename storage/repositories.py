"""`LeadStorePort` and the Serena registration log on SQLAlchemy (SQLite or PostgreSQL).

Upserts use the dialect's `INSERT ... ON CONFLICT DO UPDATE` (SQLite and PostgreSQL spell it
the same), so two workers touching one lead never race into a duplicate-key error and
counters are incremented in the database, not read-modify-written in Python.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from agent.ports import LeadRecord, TurnRecord
from agent.state import Stage
from storage.db import engine_of
from storage.models import (
    Base,
    DataRequest,
    Lead,
    LeadInteraction,
    LeadStatus,
    ResponseCache,
    SdrLog,
    SerenaRegistration,
    utc_now,
)

# Columns `set_stage_fields` may write: the ops/CLI-facing part of lead_status.
STAGE_FIELDS = frozenset(
    {
        "opted_out_at",
        "opt_out_words",
        "serena_lead_id",
        "specialist_name",
        "lead_stage",
        "status",
        "notes",
        "qualification_score",
        "followup_count",
        "last_followup_date",
        "last_followup_type",
        "contract_created_date",
        "preferred_style",
    }
)
_ERROR_LEVELS = frozenset({"ERROR", "CRITICAL", "FATAL"})
_CACHE_KEY_LEN = 64


def _insert(session: AsyncSession, model: type[Base]) -> Any:
    """A dialect `insert()` that has `on_conflict_do_update` (SQLite and PostgreSQL only)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"Upserts are implemented for SQLite and PostgreSQL, not {dialect}")


# Statements built once per dialect and run with parameters: building an INSERT … ON CONFLICT
# with its values every turn cost more CPU than running it (issue 16).
_INTERACTION_INSERT = LeadInteraction.__table__.insert()
# Columns of a turn's lead_status row that an existing row does not simply take over.
_STATUS_INSERT_ONLY = frozenset(
    {"lead_id", "interaction_count", "created_at", "followup_count", "qualification_date"}
)


@functools.cache
def _lead_upsert(dialect: str) -> Any:
    table = Lead.__table__
    stmt = _dialect_insert(dialect, table)
    refreshed: dict[str, Any] = {
        column: stmt.excluded[column]
        for column in ("name", "city", "state", "invoice_amount", "client_type", "updated_at")
    }
    # The first known source wins: a later turn never turns an ad lead into "inbound".
    refreshed["source"] = sa.func.coalesce(table.c.source, stmt.excluded.source)
    return stmt.on_conflict_do_update(index_elements=[table.c.phone_number], set_=refreshed)


@functools.cache
def _status_upsert(dialect: str, changed: frozenset[str]) -> Any:
    """The lead_status upsert of a turn that sets the `changed` columns (one per shape).

    Run with the inserted row as parameters: `changed` plus `lead_id`, `interaction_count`,
    `created_at` (and `followup_count`, `qualification_date` when the turn sets them). An
    existing row takes the same values (`excluded`) and counts the turn.
    """
    table = LeadStatus.__table__
    stmt = _dialect_insert(dialect, table)
    updated: dict[str, Any] = {column: stmt.excluded[column] for column in changed}
    updated["interaction_count"] = sa.func.coalesce(table.c.interaction_count, 0) + 1
    if "last_followup_type" in changed:
        updated["followup_count"] = sa.func.coalesce(table.c.followup_count, 0) + 1
    if "status" in changed:
        # The first qualification is the one that counts for the funnel.
        updated["qualification_date"] = sa.func.coalesce(
            table.c.qualification_date, stmt.excluded.qualification_date
        )
    return stmt.on_conflict_do_update(index_elements=[table.c.lead_id], set_=updated)


@functools.cache
def _cache_hit_upsert(dialect: str) -> Any:
    table = ResponseCache.__table__
    stmt = _dialect_insert(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.cache_key],
        set_={"hit_count": sa.func.coalesce(table.c.hit_count, 0) + 1, "last_used": stmt.excluded.last_used},
    )


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"Upserts are implemented for SQLite and PostgreSQL, not {dialect}")


def _utc(at: datetime) -> datetime:
    """Naive datetimes are taken as UTC (the ports' convention)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _plain(value: Any) -> Any:
    """Database values as JSON-friendly Python (Decimal -> float, SQLite date text -> date)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row_dict(obj: Base) -> dict[str, Any]:
    mapper = sa.inspect(type(obj))
    # `meta` only dodges a declarative reserved name; callers see the column's own name.
    return {
        ("metadata" if attr.key == "meta" else attr.key): _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
    }


def cache_key_for_db(key: str) -> str:
    """`response_cache.cache_key` is 64 chars (a sha256 in hex); longer keys are hashed."""
    if len(key) <= _CACHE_KEY_LEN:
        return key
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class LeadRepository:
    """Business data about leads: implements `agent.ports.LeadStorePort` plus ops queries.

    `lead_id` in lead_status, lead_interactions and sdr_logs is the lead's phone number.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)

    # --- LeadStorePort ------------------------------------------------------------------

    async def get_lead(self, phone: str) -> LeadRecord | None:
        async with self._sessions() as session:
            lead = await session.scalar(sa.select(Lead).where(Lead.phone_number == phone))
        if lead is None:
            return None
        return LeadRecord(
            phone=lead.phone_number,
            name=lead.name,
            city=lead.city,
            state=lead.state,
            bill_amount=lead.invoice_amount,
            client_type=lead.client_type or "residential",
            source=lead.source,
        )

    async def upsert_lead(self, lead: LeadRecord) -> None:
        async with self._engine.begin() as conn:
            await self._upsert_lead_in(conn, lead)

    @staticmethod
    async def _upsert_lead_in(conn: AsyncConnection, lead: LeadRecord) -> None:
        params = {
            "phone_number": lead.phone,
            "source": lead.source,
            "name": lead.name,
            "city": lead.city,
            "state": lead.state,
            "invoice_amount": lead.bill_amount,
            "client_type": lead.client_type,
            "updated_at": utc_now(),
        }
        await conn.execute(_lead_upsert(conn.dialect.name), params)

    async def request_data(self, phone: str, kind: str, words: str) -> None:
        """One pending `data_requests` row (the team's queue) and its `sdr_logs` audit line."""
        async with self._sessions.begin() as session:
            session.add(DataRequest(requester_phone=phone, kind=kind, words=words[:500]))
        await self.log("INFO", f"data_request_{kind}", phone=phone, details={"words": words[:200]})

    async def record_turn(self, turn: TurnRecord) -> None:
        """One `lead_interactions` row and the matching `lead_status` update (and the lead's
        profile when the turn carries it), atomically."""
        at = _utc(turn.at)
        meta = {**turn.metadata, "layer": turn.layer, "intent": turn.intent, "stage": turn.stage}
        interaction = dict(
            lead_id=turn.phone,
            interaction_type=turn.interaction_type,
            message_sent=turn.message_sent,
            message_received=turn.message_received,
            response_time_ms=turn.response_time_ms,
            ai_model_used=turn.metadata.get("model"),
            prompt_version=turn.prompt_version,
            success=turn.success,
            error_message=turn.error_message,
            metadata=meta,
            # L1..L4; a turn that sent nothing ("none") has no layer. The column is 2 chars,
            # which PostgreSQL enforces (SQLite does not).
            layer=turn.layer if turn.layer in ("L1", "L2", "L3", "L4") else None,
            intent=turn.intent,
            stage=turn.stage,
            tokens_in=turn.metadata.get("tokens_in"),
            tokens_out=turn.metadata.get("tokens_out"),
            created_at=at,
        )
        status = self._status_row(turn, at)
        # Core statements built once, on one connection: the ORM session's unit of work
        # (identity map, flush planning, fetching the new id) cost more CPU than the rows, and
        # nothing reads them back.
        async with self._engine.begin() as conn:
            if turn.lead is not None:
                await self._upsert_lead_in(conn, turn.lead)
            await conn.execute(_INTERACTION_INSERT, interaction)
            changed = frozenset(status) - _STATUS_INSERT_ONLY
            await conn.execute(_status_upsert(conn.dialect.name, changed), status)
            if turn.cache_hit is not None:
                await self._count_cache_hit_in(conn, *turn.cache_hit, at=at)

    @staticmethod
    def _status_row(turn: TurnRecord, at: datetime) -> dict[str, Any]:
        """The lead_status row a turn inserts (an existing row takes its changed columns)."""
        changes: dict[str, Any] = {"lead_stage": turn.stage, "updated_at": at}
        if turn.message_received is not None:
            # The lead's own activity: follow-ups (no inbound message) must not reset the clock
            # the follow-up policy and WhatsApp's 24-hour window run on.
            changes["last_interaction_date"] = at
        changes |= _followup_and_opt_out(turn, at)
        if turn.bill_amount is not None:
            changes["bill_amount"] = turn.bill_amount
        if turn.consumption_kwh is not None:
            changes["consumption_kwh"] = turn.consumption_kwh
        if turn.qualified is not None:
            changes["status"] = "qualified" if turn.qualified else "not_qualified"
        inserted = {**changes, "lead_id": turn.phone, "interaction_count": 1, "created_at": at}
        if "last_followup_type" in changes:
            inserted["followup_count"] = 1
        if "status" in changes:
            # Only a qualification sets the date; a row inserted as not qualified has none.
            inserted["qualification_date"] = at if turn.qualified else None
        return inserted

    async def log(
        self, level: str, message: str, *, phone: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        details = dict(details or {})
        level = level.upper()
        row = SdrLog(
            execution_id=_str_or_none(details.pop("execution_id", None)),
            workflow_id=_str_or_none(details.pop("workflow_id", None)),
            task_id=_str_or_none(details.pop("task_id", None)),
            duration_ms=details.pop("duration_ms", None),
            lead_id=phone,
            log_level=level[:10],
            message=message,
            success=level not in _ERROR_LEVELS,
            error_details=details or None,
        )
        async with self._sessions.begin() as session:
            session.add(row)

    async def count_cache_hit(self, cache_key: str, intent: str, template_id: str) -> None:
        async with self._engine.begin() as conn:
            await self._count_cache_hit_in(conn, cache_key, intent, template_id, at=utc_now())

    @staticmethod
    async def _count_cache_hit_in(
        conn: AsyncConnection, cache_key: str, intent: str, template_id: str, *, at: datetime
    ) -> None:
        params = {
            "cache_key": cache_key_for_db(cache_key),
            "intent_type": intent,
            "response_text": template_id,  # we cache template ids, never rendered text
            "hit_count": 1,
            "last_used": at,
            "created_at": at,
        }
        await conn.execute(_cache_hit_upsert(conn.dialect.name), params)

    # --- Queries for the CLI and ops ----------------------------------------------------

    async def get_status(self, phone: str) -> dict[str, Any] | None:
        async with self._sessions() as session:
            status = await session.get(LeadStatus, phone)
        return None if status is None else _row_dict(status)

    async def recent_interactions(self, phone: str, limit: int = 10) -> list[dict[str, Any]]:
        """The lead's last `limit` interactions, oldest first (conversation order)."""
        query = (
            sa.select(LeadInteraction)
            .where(LeadInteraction.lead_id == phone)
            .order_by(LeadInteraction.created_at.desc(), LeadInteraction.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [_row_dict(row) for row in reversed(rows)]

    async def count_interactions(self, phone: str) -> int:
        query = sa.select(sa.func.count()).where(LeadInteraction.lead_id == phone)
        async with self._sessions() as session:
            return int(await session.scalar(query) or 0)

    async def set_stage_fields(self, phone: str, **fields: Any) -> None:
        """Write lead_status columns (opt-out, Serena id, specialist...), creating the row if needed."""
        unknown = set(fields) - STAGE_FIELDS
        if unknown:
            raise ValueError(f"Not settable through set_stage_fields: {sorted(unknown)}")
        if isinstance(fields.get("lead_stage"), Stage):
            fields["lead_stage"] = fields["lead_stage"].value
        now = utc_now()
        changes = {**fields, "updated_at": now}
        async with self._sessions.begin() as session:
            stmt = _insert(session, LeadStatus).values(lead_id=phone, created_at=now, **changes)
            stmt = stmt.on_conflict_do_update(index_elements=[LeadStatus.lead_id], set_=changes)
            await session.execute(stmt)

    async def forget(self, phone: str) -> dict[str, int]:
        """Delete everything stored about `phone` (LGPD erasure); rows removed per table."""
        targets: list[tuple[str, Any]] = [
            ("leads", sa.delete(Lead).where(Lead.phone_number == phone)),
            ("lead_status", sa.delete(LeadStatus).where(LeadStatus.lead_id == phone)),
            ("lead_interactions", sa.delete(LeadInteraction).where(LeadInteraction.lead_id == phone)),
            ("sdr_logs", sa.delete(SdrLog).where(SdrLog.lead_id == phone)),
            ("serena_registrations", sa.delete(SerenaRegistration).where(SerenaRegistration.phone == phone)),
        ]
        removed: dict[str, int] = {}
        async with self._sessions.begin() as session:
            for table, stmt in targets:
                result = await session.execute(stmt.execution_options(synchronize_session=False))
                removed[table] = int(getattr(result, "rowcount", 0) or 0)
        return removed

    async def daily_metrics(self) -> list[dict[str, Any]]:
        """Rows of the `daily_metrics` view, newest day first, with backend-neutral types."""
        query = sa.text(
            "SELECT date, unique_leads, total_interactions, avg_response_time, qualifications,"
            " contracts, errors FROM daily_metrics ORDER BY date DESC"
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [_metrics_row(row) for row in rows]


def _metrics_row(row: Any) -> dict[str, Any]:
    day = row["date"]
    avg = row["avg_response_time"]
    return {
        # SQLite's DATE() returns text, PostgreSQL's a date.
        "date": date.fromisoformat(day) if isinstance(day, str) else day,
        "unique_leads": int(row["unique_leads"]),
        "total_interactions": int(row["total_interactions"]),
        "avg_response_time": None if avg is None else float(avg),
        "qualifications": int(row["qualifications"]),
        "contracts": int(row["contracts"]),
        "errors": int(row["errors"]),
    }


def _followup_and_opt_out(turn: TurnRecord, at: datetime) -> dict[str, Any]:
    """lead_status columns a turn's metadata sets: a follow-up sent, an opt-out (time and words)."""
    changes: dict[str, Any] = {}
    kind = turn.metadata.get("followup_kind")
    if kind and turn.message_sent:
        changes |= {"last_followup_date": at, "last_followup_type": str(kind)[:30]}
    opted_out_at = turn.metadata.get("opted_out_at")
    if turn.stage == Stage.OPTED_OUT and opted_out_at:
        changes["opted_out_at"] = _utc(datetime.fromisoformat(str(opted_out_at)))
        changes["opt_out_words"] = turn.metadata.get("opt_out_words")
    return changes


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)[:50]


class RegistrationRepository:
    """What the Serena MCP server's `cadastrar_lead` accepted, with its `SRN-000001` ids."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def register(self, payload: dict[str, Any]) -> str:
        """Store `payload`; the id is derived from the row's sequence, so it is unique and ordered."""
        phone = payload.get("phone") or payload.get("phone_number") or payload.get("telefone")
        # The real id needs the row id, so insert under a unique placeholder, then rename.
        row = SerenaRegistration(
            serena_lead_id=f"tmp-{uuid.uuid4().hex[:16]}",
            phone=None if phone is None else str(phone),
            payload=dict(payload),
        )
        async with self._sessions.begin() as session:
            session.add(row)
            await session.flush()
            row.serena_lead_id = f"SRN-{row.id:06d}"
        return row.serena_lead_id

    async def get(self, lead_id: str) -> dict[str, Any] | None:
        query = sa.select(SerenaRegistration).where(SerenaRegistration.serena_lead_id == lead_id)
        async with self._sessions() as session:
            row = await session.scalar(query)
        return None if row is None else _row_dict(row)
