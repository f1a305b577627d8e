"""Each business KPI's definition on a seeded PostgreSQL database (numbers worked out by hand).

Day D = Tuesday 24 Nov 2026 (America/Recife). Leads whose first contact is on D:
  L1 (v2.0_casual): answered again after Sílvia's first reply (120 ms), qualified, handed off,
     meeting held + contract signed, rated 5; one of its turns failed to deliver.
  L2 (v2.0_casual): Sílvia replied (300 ms); its only later message was recorded while a
     specialist had paused Sílvia, so it did not answer her; not qualified.
  L3 (v2.0_premium): answered again (first reply 800 ms), qualified, handed off, no-show,
     rated 3; one turn fell back to the generic error.
  L4 (v2.0_casual) first wrote on Monday 23rd: outside D's cohort, inside the week's.
Health runs on D: four, one with the WhatsApp MCP server down (and one merely slow).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ops.kpi_report import build_kpi_report, rank_versions
from ops.kpis import compute
from ops.stats import mean_interval, wilson
from storage import migrate
from storage.db import create_engine, session_factory
from storage.health_log import TASK, WORKFLOW
from storage.kpis import LeadFacts
from storage.models import Handoff, LeadInteraction, LeadOutcome, LeadRating, LeadStatus, SdrLog
from tests.backends import pg_schema

pytestmark = pytest.mark.integration

D = date(2026, 11, 24)
TZ = "America/Recife"
L1, L2, L3, L4 = "+5581900000001", "+5581900000002", "+5581900000003", "+5581900000004"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour + 3, minute, tzinfo=UTC)  # Recife is UTC-3


def turn(
    phone: str,
    when: datetime,
    *,
    received: str | None = "oi",
    sent: str | None = "Oi! 😊",
    ms: int = 50,
    stage: str = "greeted",
    version: str = "v2.0_casual",
    success: bool = True,
    **meta: Any,
) -> LeadInteraction:
    return LeadInteraction(
        lead_id=phone, interaction_type="message", message_received=received, message_sent=sent,
        response_time_ms=ms, prompt_version=version, success=success, stage=stage, layer="L3",
        meta={"ab_version": version, "templates": ["x"], **meta}, created_at=when,
    )  # fmt: skip


def health(when: datetime, *, whatsapp: bool = True, slow: bool = False) -> SdrLog:
    checks = [
        {"name": "mcp_whatsapp", "ok": whatsapp, "detail": ""},
        {"name": "mcp_serena", "ok": True, "detail": ""},
        {"name": "database", "ok": True, "detail": ""},
        {"name": "response_time", "ok": not slow, "detail": ""},
    ]
    return SdrLog(
        workflow_id=WORKFLOW,
        task_id=TASK,
        message="health",
        error_details={"checks": checks},
        created_at=when,
    )


def seed() -> list[Any]:
    premium = "v2.0_premium"
    return [
        turn(L1, at(D, 10), ms=120),
        turn(L1, at(D, 10, 5), received="sim", stage="plans_presented"),
        turn(L1, at(D, 10, 9), received="[document]", stage="handed_off", success=False),
        turn(L2, at(D, 11), ms=300),
        turn(L2, at(D, 12), received="alô?", sent=None, paused=True),
        turn(L3, at(D, 14), ms=800, version=premium),
        turn(
            L3,
            at(D, 14, 3),
            received="quero",
            stage="handed_off",
            version=premium,
            templates=["error.generic_fallback"],
        ),
        turn(L4, at(D - timedelta(days=1), 9), ms=90),
        LeadStatus(lead_id=L1, lead_stage="handed_off", qualification_date=at(D, 10, 9)),
        LeadStatus(lead_id=L2, lead_stage="greeted"),
        LeadStatus(lead_id=L3, lead_stage="handed_off", qualification_date=at(D, 14, 3)),
        Handoff(lead_id=L1, reason="qualified", specialist_name="Ana", created_at=at(D, 10, 9)),
        Handoff(lead_id=L3, reason="qualified", specialist_name="Ana", created_at=at(D, 14, 3)),
        LeadOutcome(
            lead_id=L1, outcome="meeting_held", reported_by="Ana", source="api", occurred_at=at(D, 16)
        ),
        LeadOutcome(
            lead_id=L1, outcome="contract_signed", reported_by="Ana", source="cli", occurred_at=at(D, 17)
        ),
        LeadOutcome(lead_id=L3, outcome="no_show", reported_by="Ana", source="crm", occurred_at=at(D, 17)),
        LeadRating(
            lead_id=L1,
            prompt_version="v2.0_casual",
            reason="handed_off",
            asked_via="list",
            asked_at=at(D, 10, 9),
            score=5,
        ),
        LeadRating(
            lead_id=L3,
            prompt_version=premium,
            reason="handed_off",
            asked_via="list",
            asked_at=at(D, 14, 3),
            score=3,
        ),
        LeadRating(
            lead_id=L2,
            prompt_version="v2.0_casual",
            reason="not_qualified",
            asked_via="list",
            asked_at=at(D, 11),
        ),
        health(at(D, 9)),
        health(at(D, 9, 5), slow=True),
        health(at(D, 9, 10), whatsapp=False),
        health(at(D, 9, 15)),
    ]


@pytest.fixture
async def sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    with pg_schema("kpis") as url:
        migrate.upgrade(url)
        engine = create_engine(url)
        factory = session_factory(engine)
        async with factory.begin() as session:
            session.add_all(seed())
        try:
            yield factory
        finally:
            await engine.dispose()


async def test_every_kpi_of_a_day(sessions: async_sessionmaker[AsyncSession]) -> None:
    report = await build_kpi_report(sessions, D, D, TZ)
    k = report.overall
    assert (k["response_rate"].successes, k["response_rate"].n) == (2, 3)  # L2's paused message is no answer
    assert (k["qualification_rate"].successes, k["qualification_rate"].n) == (2, 3)
    assert (k["lead_to_meeting"].successes, k["lead_to_meeting"].n) == (1, 2)  # L1 met, L3 no-show
    assert (k["conversion_rate"].successes, k["conversion_rate"].n) == (1, 2)  # signed / qualified
    assert k["conversion_rate"].interval == pytest.approx((0.0945, 0.9055), abs=1e-4)  # Wilson, 1 of 2
    assert k["conversion_rate"].meets_target is True  # 50 % ≥ 15 %... on two leads: see the interval
    assert (k["satisfaction"].value, k["satisfaction"].n) == (4.0, 2)  # L2 never answered
    assert k["satisfaction"].distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert k["satisfaction"].interval == pytest.approx(mean_interval([5.0, 3.0]))
    assert k["satisfaction"].meets_target is False
    assert (k["time_to_first_reply"].value, k["time_to_first_reply"].n) == (300.0, 3)
    assert (k["availability"].successes, k["availability"].n) == (3, 4)  # slow is not down
    assert (k["error_rate"].successes, k["error_rate"].n) == (2, 6)  # failed + fell back; paused excluded
    assert k["error_rate"].meets_target is False


async def test_days_weeks_and_versions(sessions: async_sessionmaker[AsyncSession]) -> None:
    report = await build_kpi_report(sessions, D - timedelta(days=1), D, TZ)
    days = dict(report.days)
    assert list(days) == ["2026-11-23", "2026-11-24"]
    assert days["2026-11-23"]["qualification_rate"].n == 1 and days["2026-11-24"]["qualification_rate"].n == 3
    assert days["2026-11-23"]["availability"].n == 0 and days["2026-11-23"]["availability"].value is None
    [(week, values)] = report.weeks
    assert (
        week == "2026-W48" and values["qualification_rate"].n == 4 and values["response_rate"].successes == 2
    )

    versions = {row["version"]: row for row in report.versions}
    casual, premium = versions["v2.0_casual"]["kpis"], versions["v2.0_premium"]["kpis"]
    assert versions["v2.0_casual"]["leads"] == 3 and versions["v2.0_premium"]["leads"] == 1
    assert (casual["conversion_rate"].successes, casual["conversion_rate"].n) == (1, 1)
    assert (premium["conversion_rate"].successes, premium["conversion_rate"].n) == (0, 1)
    assert (casual["satisfaction"].value, premium["satisfaction"].value) == (5.0, 3.0)
    assert [row["version"] for row in report.versions] == ["v2.0_casual", "v2.0_premium"]
    assert {row["verdict"] for row in report.versions} == {"inconclusive"}  # one lead each
    assert (premium["error_rate"].successes, premium["error_rate"].n) == (1, 2)


async def test_report_serialises(sessions: async_sessionmaker[AsyncSession]) -> None:
    data = (await build_kpi_report(sessions, D, D, TZ)).to_dict()
    assert (
        data["overall"]["conversion_rate"]["target"] == 0.15
        and data["overall"]["conversion_rate"]["seed"] == "15%+"
    )
    assert data["versions"][0]["kpis"]["satisfaction"]["n"] == 1


def _leads(version: str, signed: int, total: int) -> list[LeadFacts]:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    return [
        LeadFacts(
            phone=f"{version}{i}",
            first_at=start,
            version=version,
            qualified=True,
            outcomes={"contract_signed"} if i < signed else set(),
        )
        for i in range(total)
    ]


def test_a_three_lead_difference_is_not_a_winner() -> None:
    small = rank_versions(
        {"A": compute(_leads("A", 3, 5), None, None), "B": compute(_leads("B", 0, 5), None, None)}
    )
    assert [r["version"] for r in small] == ["A", "B"] and {r["verdict"] for r in small} == {"inconclusive"}
    large = rank_versions(
        {"A": compute(_leads("A", 30, 100), None, None), "B": compute(_leads("B", 5, 100), None, None)}
    )
    assert [(r["version"], r["verdict"]) for r in large] == [("A", "ahead"), ("B", "inconclusive")]


def test_wilson_edges() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0 and 0.27 < high < 0.28
    with pytest.raises(ValueError):
        wilson(3, 2)
