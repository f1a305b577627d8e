"""Business storage: migrations and `LeadRepository` / `RegistrationRepository`.

Every test runs on SQLite (a temp file) and on PostgreSQL when TEST_DATABASE_URL is set
(each test gets its own schema, dropped afterwards). SILVIA_REQUIRE_SERVICES=1 turns a
missing TEST_DATABASE_URL into a failure instead of a skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agent.ports import LeadRecord, TurnRecord
from agent.state import Stage
from storage import migrate
from storage.db import create_engine, session_factory, sync_url
from storage.models import Base, LeadInteraction, ResponseCache, SdrLog
from storage.repositories import LeadRepository, RegistrationRepository
from tests.backends import pg_schema

PHONE = "5581999990001"
OTHER = "5581999990002"
DAY1 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
DAY2 = datetime(2025, 3, 11, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/data/silvia.db"
        return
    with pg_schema("storage") as url:
        yield url


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    migrate.upgrade(db_url)
    engine = create_engine(db_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def repo(sessions: async_sessionmaker[AsyncSession]) -> LeadRepository:
    return LeadRepository(sessions)


def turn(phone: str = PHONE, at: datetime = DAY1, **kw: object) -> TurnRecord:
    fields: dict[str, object] = {
        "phone": phone,
        "interaction_type": "message",
        "message_received": "oi",
        "message_sent": "Olá! Sou a Sílvia 😊",
        "response_time_ms": 100,
        "layer": "L1",
        "prompt_version": "v2.1_interactive",
        "intent": "greeting",
        "stage": Stage.GREETED.value,
        "at": at,
    }
    fields.update(kw)
    return TurnRecord.model_validate(fields)


# --- migrations -----------------------------------------------------------------------------


def test_upgrade_is_idempotent(db_url: str) -> None:
    assert migrate.current(db_url) is None
    assert migrate.upgrade(db_url) == migrate.head()
    assert migrate.upgrade(db_url) == migrate.head()
    assert migrate.current(db_url) == migrate.head()
    migrate.ensure_current(db_url)


def test_ensure_current_raises_on_empty_db(db_url: str) -> None:
    with pytest.raises(migrate.SchemaBehindError, match="silvia db upgrade"):
        migrate.ensure_current(db_url)


def test_models_match_migration(db_url: str) -> None:
    migrate.upgrade(db_url)
    engine = sa.create_engine(sync_url(db_url))
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()


# --- leads and turns ------------------------------------------------------------------------


async def test_upsert_and_get_lead(repo: LeadRepository) -> None:
    assert await repo.get_lead(PHONE) is None
    await repo.upsert_lead(LeadRecord(phone=PHONE, name="Ana", city="Recife", state="PE", bill_amount=350.5))
    await repo.upsert_lead(LeadRecord(phone=PHONE, name="Ana Maria", city="Recife", state="PE"))
    lead = await repo.get_lead(PHONE)
    assert lead == LeadRecord(phone=PHONE, name="Ana Maria", city="Recife", state="PE", bill_amount=None)


async def test_record_turn_writes_both_tables(repo: LeadRepository) -> None:
    meta = {"model": "gpt-4o-mini", "tokens_in": 120, "tokens_out": 40, "template": "greet"}
    await repo.record_turn(turn(layer="L4", metadata=meta))
    await repo.record_turn(
        turn(
            at=DAY1 + timedelta(minutes=5),
            stage="qualified",
            intent="provide_info",
            layer="L2",
            bill_amount=420.0,
            consumption_kwh=380.0,
            qualified=True,
            interaction_type="qualification",
        )
    )
    await repo.record_turn(turn(at=DAY2, stage="registered", layer="L1", intent="affirm"))

    assert await repo.count_interactions(PHONE) == 3
    rows = await repo.recent_interactions(PHONE, limit=2)
    assert [r["stage"] for r in rows] == ["qualified", "registered"]  # oldest first
    first = (await repo.recent_interactions(PHONE))[0]
    assert first["layer"] == "L4" and first["intent"] == "greeting"
    assert (first["model"], first["tokens_in"], first["tokens_out"]) == ("gpt-4o-mini", 120, 40)
    assert first["metadata"]["template"] == "greet" and first["metadata"]["layer"] == "L4"
    assert first["prompt_version"] == "v2.1_interactive"
    assert first["created_at"] == DAY1

    status = await repo.get_status(PHONE)
    assert status is not None
    assert status["lead_stage"] == "registered"
    assert status["interaction_count"] == 3
    assert status["bill_amount"] == 420.0 and status["consumption_kwh"] == 380.0
    assert status["status"] == "qualified"
    assert status["qualification_date"] == DAY1 + timedelta(minutes=5)  # first qualification kept
    assert status["last_interaction_date"] == DAY2


async def test_model_defaults_to_null(repo: LeadRepository) -> None:
    await repo.record_turn(turn())
    (row,) = await repo.recent_interactions(PHONE)
    assert row["model"] is None and row["success"] is True


async def test_set_stage_fields(repo: LeadRepository) -> None:
    await repo.set_stage_fields(OTHER, opted_out_at=DAY2, opt_out_words="pare")
    await repo.set_stage_fields(OTHER, serena_lead_id="SRN-000007", specialist_name="Carla")
    status = await repo.get_status(OTHER)
    assert status is not None
    assert status["opted_out_at"] == DAY2 and status["opt_out_words"] == "pare"
    assert (status["serena_lead_id"], status["specialist_name"]) == ("SRN-000007", "Carla")
    with pytest.raises(ValueError, match="interaction_count"):
        await repo.set_stage_fields(OTHER, interaction_count=99)


async def test_log_and_cache_hits(repo: LeadRepository, sessions: async_sessionmaker[AsyncSession]) -> None:
    await repo.log("error", "MCP timeout", phone=PHONE, details={"execution_id": "ex-1", "tool": "x"})
    await repo.count_cache_hit("k1", "greeting", "greet_v1")
    await repo.count_cache_hit("k1", "greeting", "greet_v1")
    await repo.count_cache_hit("x" * 200, "ask_price", "price_v1")
    async with sessions() as session:
        log = await session.scalar(sa.select(SdrLog))
        hits = {c.response_text: c.hit_count for c in await session.scalars(sa.select(ResponseCache))}
    assert log is not None
    assert (log.lead_id, log.log_level, log.success, log.execution_id) == (PHONE, "ERROR", False, "ex-1")
    assert log.error_details == {"tool": "x"}
    assert hits == {"greet_v1": 2, "price_v1": 1}


# --- metrics, erasure, registrations --------------------------------------------------------


async def test_daily_metrics_view(repo: LeadRepository) -> None:
    await repo.record_turn(turn(response_time_ms=100))
    await repo.record_turn(turn(response_time_ms=300, interaction_type="qualification", qualified=True))
    await repo.record_turn(turn(OTHER, response_time_ms=200, success=False, error_message="boom"))
    await repo.record_turn(turn(at=DAY2, response_time_ms=50, interaction_type="contract_created"))

    metrics = await repo.daily_metrics()
    assert metrics == [
        {"date": date(2025, 3, 11), "unique_leads": 1, "total_interactions": 1, "avg_response_time": 50.0,
         "qualifications": 0, "contracts": 1, "errors": 0},
        {"date": date(2025, 3, 10), "unique_leads": 2, "total_interactions": 3, "avg_response_time": 200.0,
         "qualifications": 1, "contracts": 0, "errors": 1},
    ]  # fmt: skip


async def test_forget_removes_everything(repo: LeadRepository, sessions) -> None:
    registrations = RegistrationRepository(sessions)
    for phone in (PHONE, OTHER):
        await repo.upsert_lead(LeadRecord(phone=phone, name="Ana"))
        await repo.record_turn(turn(phone))
        await repo.record_turn(turn(phone, at=DAY2))
        await repo.log("INFO", "turn", phone=phone)
        await registrations.register({"phone": phone, "name": "Ana"})

    removed = await repo.forget(PHONE)
    assert removed == {"leads": 1, "lead_status": 1, "lead_interactions": 2, "sdr_logs": 1,
                       "serena_registrations": 1}  # fmt: skip
    assert await repo.get_lead(PHONE) is None
    assert await repo.get_status(PHONE) is None
    assert await repo.count_interactions(PHONE) == 0
    assert await repo.forget(PHONE) == dict.fromkeys(removed, 0)
    # The other lead is untouched.
    assert await repo.get_lead(OTHER) is not None
    assert await repo.count_interactions(OTHER) == 2
    assert await registrations.get("SRN-000002") is not None


async def test_registration_ids_unique_and_sequential(sessions) -> None:
    registrations = RegistrationRepository(sessions)
    ids = [await registrations.register({"phone": f"55819999900{i}", "plan": "p1"}) for i in range(3)]
    assert ids == ["SRN-000001", "SRN-000002", "SRN-000003"]
    stored = await registrations.get("SRN-000002")
    assert stored is not None and stored["phone"] == "558199999001"
    assert stored["payload"] == {"phone": "558199999001", "plan": "p1"}
    assert await registrations.get("SRN-999999") is None
    # Ids are never reused, even after the newest registration is erased.
    await LeadRepository(sessions).forget("558199999002")
    assert await registrations.register({"phone": OTHER}) == "SRN-000004"


async def test_interactions_are_indexed(sessions) -> None:
    async with sessions() as session:
        names = await session.run_sync(
            lambda s: {i["name"] for i in sa.inspect(s.get_bind()).get_indexes(LeadInteraction.__tablename__)}
        )
    assert "idx_interactions_lead_created" in names
