"""Who gets a lead: coverage, working hours, round-robin, nobody on duty (tools/specialists.py).

The round-robin memory is the persisted `handoffs` table, so these tests also run the roster on
the real repository (SQLite here; PostgreSQL in tests/test_handoff_storage.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.policy.handoff import contact_phrase
from agent.ports import Assignment, HandoffRecord, Specialist
from storage import migrate
from storage.db import create_engine, session_factory
from storage.handoffs import HandoffRepository
from tools.specialists import RosterError, SpecialistRoster

TZ = "America/Recife"  # UTC-3, no daylight saving
ROSTER = [
    {
        "name": "Ana Ribeiro",
        "phone": "+5581988880001",
        "states": ["PE", "RN"],
        "hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "17:00"},
    },
    {
        "name": "Eduardo Lins",
        "phone": "+5581988880005",
        "states": ["PE"],
        "cities": ["Recife", "Jaboatão"],
        "hours": {"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "start": "10:00", "end": "19:00"},
    },
    {"name": "Bruno Carvalho", "phone": "+5571988880002", "states": ["BA"]},
    {"name": "Diego Albuquerque", "phone": "+5581988880004", "states": ["*"]},
]


def recife(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 given in Recife time (24 Nov 2026 is a Tuesday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def record(assignment: Assignment, at: datetime) -> HandoffRecord:
    return HandoffRecord(
        phone="+5581999990001", reason="qualified", specialist_name=assignment.specialist.name, at=at
    )


async def assign_and_record(roster: SpecialistRoster, uf: str, city: str, at: datetime) -> Assignment:
    assignment = await roster.assign(uf, city, at)
    assert assignment is not None
    await roster.record_handoff(record(assignment, at))
    return assignment


async def test_coverage_by_state_and_city() -> None:
    roster = SpecialistRoster(ROSTER, timezone=TZ)
    names = lambda uf, city: [s.name for s in roster.covering(uf, city)]  # noqa: E731
    assert names("PE", "Recife") == ["Ana Ribeiro", "Eduardo Lins"]
    assert names("pe", "JABOATAO") == ["Ana Ribeiro", "Eduardo Lins"]  # case and accents ignored
    assert names("PE", "Petrolina") == ["Ana Ribeiro"]  # Eduardo covers only his cities
    assert names("RN", "Natal") == ["Ana Ribeiro"]
    assert names("BA", "Salvador") == ["Bruno Carvalho"]
    assert names("SP", "São Paulo") == ["Diego Albuquerque"]  # nobody local: the catch-all
    assert names(None, None) == ["Diego Albuquerque"]


async def test_uncovered_state_without_catch_all_gets_nobody() -> None:
    roster = SpecialistRoster(ROSTER[:3], timezone=TZ)
    assert await roster.assign("SP", "São Paulo", recife(24, 14)) is None


async def test_round_robin_among_those_on_duty() -> None:
    roster = SpecialistRoster(ROSTER, timezone=TZ)
    start = recife(24, 14)  # Tuesday 14:00: Ana and Eduardo both on duty
    chosen = [
        (await assign_and_record(roster, "PE", "Recife", start + timedelta(minutes=k))).specialist.name
        for k in range(4)
    ]
    assert chosen == ["Ana Ribeiro", "Eduardo Lins", "Ana Ribeiro", "Eduardo Lins"]
    # A lead only Ana covers does not move Eduardo's turn, but counts as Ana's.
    await assign_and_record(roster, "PE", "Petrolina", start + timedelta(minutes=5))
    nxt = await roster.assign("PE", "Recife", start + timedelta(minutes=6))
    assert nxt is not None and nxt.specialist.name == "Eduardo Lins" and nxt.on_duty


async def test_round_robin_without_recording_still_rotates_in_process() -> None:
    roster = SpecialistRoster(ROSTER, timezone=TZ)
    first = await roster.assign("PE", "Recife", recife(24, 14))
    second = await roster.assign("PE", "Recife", recife(24, 14, 1))
    assert (
        first
        and second
        and {first.specialist.name, second.specialist.name} == {"Ana Ribeiro", "Eduardo Lins"}
    )


async def test_hours_pick_who_is_on_duty() -> None:
    roster = SpecialistRoster(ROSTER, timezone=TZ)
    late = await roster.assign("PE", "Recife", recife(24, 17, 30))  # Ana left at 17:00
    assert late is not None and late.specialist.name == "Eduardo Lins" and late.on_duty
    saturday = await roster.assign("PE", "Recife", recife(28, 11))
    assert saturday is not None and saturday.specialist.name == "Eduardo Lins"


async def test_nobody_on_duty_goes_to_the_next_shift_and_says_when() -> None:
    roster = SpecialistRoster(ROSTER, timezone=TZ)
    night = recife(24, 22)  # Tuesday 22:00
    assignment = await roster.assign("PE", "Recife", night)
    assert assignment is not None and not assignment.on_duty
    assert assignment.specialist.name == "Ana Ribeiro"  # 08:00 beats Eduardo's 10:00
    assert assignment.contact_at == recife(25, 8)
    assert contact_phrase(assignment, night, TZ) == "amanhã a partir das 8h"

    early = await roster.assign("PE", "Recife", recife(25, 7, 15))
    assert early is not None and contact_phrase(early, recife(25, 7, 15), TZ) == "hoje a partir das 8h"

    saturday = await roster.assign("PE", "Petrolina", recife(28, 11))  # only Ana, who is off
    assert saturday is not None and saturday.contact_at == recife(30, 8)
    assert contact_phrase(saturday, recife(28, 11), TZ) == "na segunda-feira a partir das 8h"

    on_duty = await roster.assign("BA", "Salvador", recife(24, 10))
    assert (
        on_duty is not None
        and on_duty.on_duty
        and contact_phrase(on_duty, recife(24, 10), TZ) == "ainda hoje"
    )


async def test_next_shift_ties_are_round_robin() -> None:
    roster = SpecialistRoster(
        [
            {"name": "Ana Ribeiro", "phone": "+5581988880001", "states": ["PE"]},
            {"name": "Carla Menezes", "phone": "+5581988880003", "states": ["PE"]},
        ],
        timezone=TZ,
    )
    night = recife(24, 23)
    first = await assign_and_record(roster, "PE", "Recife", night)
    second = await assign_and_record(roster, "PE", "Recife", night + timedelta(minutes=1))
    assert {first.specialist.name, second.specialist.name} == {"Ana Ribeiro", "Carla Menezes"}
    assert first.contact_at == second.contact_at == recife(25, 9)


def test_bad_roster_entries_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="hours"):
        SpecialistRoster(
            [{"name": "X", "phone": "+5581900000000", "hours": {"start": "18:00", "end": "09:00"}}]
        )
    with pytest.raises(RosterError, match="hours"):
        SpecialistRoster([{"name": "X", "phone": "+5581900000000", "hours": {"days": ["funday"]}}])
    with pytest.raises(RosterError, match="name and a phone"):
        SpecialistRoster([{"name": "X"}])
    bad = tmp_path / "roster.yml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(RosterError, match="specialists"):
        SpecialistRoster.load(bad)


def test_bundled_roster_loads() -> None:
    roster = SpecialistRoster.load()
    assert all(isinstance(s, Specialist) and s.phone.startswith("+55") for s in roster.specialists)
    assert roster.covering("CE", "Fortaleza")[0].name == "Carla Menezes"


async def test_round_robin_survives_a_restart_through_the_handoffs_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/silvia.db"
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        repo = HandoffRepository(session_factory(engine))
        first = SpecialistRoster(ROSTER, timezone=TZ, log=repo)
        a = await assign_and_record(first, "PE", "Recife", recife(24, 14))
        restarted = SpecialistRoster(ROSTER, timezone=TZ, log=repo)  # no in-process memory
        b = await assign_and_record(restarted, "PE", "Recife", recife(24, 14, 1))
        assert (a.specialist.name, b.specialist.name) == ("Ana Ribeiro", "Eduardo Lins")
        rows = await repo.recent(10)
        assert [r["specialist_name"] for r in rows] == ["Eduardo Lins", "Ana Ribeiro"]  # newest first
        last = await repo.last_assigned(["Ana Ribeiro", "Eduardo Lins", "Diego Albuquerque"])
        assert last == {"Ana Ribeiro": recife(24, 14), "Eduardo Lins": recife(24, 14, 1)}
    finally:
        await engine.dispose()
