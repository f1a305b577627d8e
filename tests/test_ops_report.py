"""The daily report on a seeded database whose numbers are known by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ops.report import build_daily_report
from ops.report_html import daily_report_payload, render_daily_html
from storage.db import Sessions, create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Lead, LeadInteraction, LeadStatus, SerenaRegistration
from tests.slack_fake import problems

ROOT = Path(__file__).resolve().parent.parent
RECIFE = ZoneInfo("America/Recife")
DAY = date(2026, 11, 24)


def at(hhmm: str, day: date = DAY) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), RECIFE)


BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)
# lead, local time, stage, intent, layer, ms, interaction_type, received, sent, extra
ROWS: list[tuple[Any, ...]] = [
    ("A", at("10:00"), "greeted", "greeting", "L3", 100, "greeting", "oi", "Oi A", {}),
    ("A", at("10:05"), "plans_presented", "affirm", "L3", 200, "plan_presentation", "sim", "planos", {}),
    ("A", at("10:10"), "plans_presented", "ask_price", "L1", 10, "faq", "quanto custa", "preço", {}),
    ("A", at("10:15"), "plan_selected", "choose_plan", "L3", 300, "plan_presentation", "plus", "ótimo", {}),
    ("B", at("11:00"), "greeted", "greeting", "L3", 100, "greeting", "ola", "Oi B", {}),
    ("B", at("11:05"), "opted_out", "opt_out", "L3", 50, "opt_out", "parar", "removido", {}),
    ("C", at("12:00"), "greeted", "greeting", "L3", 150, "greeting", "bom dia", "Oi C", {}),
    (
        "C",
        at("12:05"),
        "plans_presented",
        "ask_trust",
        "L4",
        1500,
        "faq",
        "é golpe?",
        "não",
        {"llm": (1000, 200)},
    ),
    (
        "C",
        at("12:10"),
        "document_requested",
        "choose_plan",
        "L3",
        250,
        "document_request",
        "premium",
        "conta?",
        {},
    ),
    (
        "C",
        at("12:20"),
        "handed_off",
        "other",
        "L3",
        900,
        "handoff",
        "[document: conta.pdf]",
        "especialista",
        {},
    ),
    ("D", at("09:30"), "greeted", "greeting", "L3", 100, "greeting", "oi", "Oi D", {}),
    (
        "D",
        at("13:00"),
        "greeted",
        None,
        "L3",
        40,
        "followup",
        None,
        "ainda aí?",
        {"followup_kind": "gentle_nudge"},
    ),
    ("D", at("13:30"), "greeted", "affirm", "L3", 60, "small_talk", "sim", "que bom", {}),
    (
        "E",
        at("14:00"),
        "plans_presented",
        "ask_contract",
        "L3",
        400,
        "faq",
        "fidelidade?",
        "não",
        {"failed": True},
    ),
    ("H", at("15:00"), "handed_off", "thanks", "L3", 80, "small_talk", "obrigado", "de nada", {}),
    ("F", at("23:30"), "greeted", "greeting", "L3", 100, "greeting", "oi", "Oi F", {}),
    # Outside the day (Recife time): must not count, except for how far a lead got before.
    ("E", at("15:00", BEFORE), "greeted", "greeting", "L3", 5000, "greeting", "oi", "Oi E", {}),
    (
        "H",
        at("16:00", BEFORE),
        "handed_off",
        "other",
        "L3",
        5000,
        "handoff",
        "[document]",
        "especialista",
        {},
    ),
    (
        "A",
        at("00:30", AFTER),
        "document_requested",
        "choose_plan",
        "L3",
        7000,
        "document_request",
        "ok",
        "conta?",
        {},
    ),
]
CREATED = {"A": at("08:00"), "B": at("08:00"), "C": at("08:00"), "D": at("08:00"), "F": at("23:00"),
           "E": at("23:00", BEFORE), "H": at("10:00", BEFORE)}  # fmt: skip
STAGE_NOW = {"A": "plan_selected", "B": "opted_out", "C": "handed_off", "D": "greeted",
             "E": "plans_presented", "F": "greeted", "H": "handed_off"}  # fmt: skip


def phone(lead: str) -> str:
    return f"+55819999900{ord(lead):02d}"


async def seed(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        for lead, created in CREATED.items():
            session.add(Lead(phone_number=phone(lead), name=f"Lead {lead}", created_at=created))
            qualified = {"C": at("12:15"), "H": at("15:30", BEFORE)}.get(lead)
            session.add(
                LeadStatus(
                    lead_id=phone(lead),
                    lead_stage=STAGE_NOW[lead],
                    qualification_date=qualified,
                    created_at=created,
                )
            )
        for lead, when, stage, intent, layer, ms, kind, received, sent, extra in ROWS:
            tokens = extra.get("llm")
            session.add(
                LeadInteraction(
                    lead_id=phone(lead), created_at=when, stage=stage, intent=intent, layer=layer,
                    response_time_ms=ms, interaction_type=kind, message_received=received, message_sent=sent,
                    success=not extra.get("failed"), model="gpt-4o-mini" if tokens else None,
                    tokens_in=tokens[0] if tokens else None, tokens_out=tokens[1] if tokens else None,
                    meta={"followup_kind": extra["followup_kind"]} if "followup_kind" in extra else {},
                )
            )  # fmt: skip
        session.add(
            SerenaRegistration(serena_lead_id="SRN-000001", phone=phone("H"), created_at=at("15:40", BEFORE))
        )
        session.add(SerenaRegistration(serena_lead_id="SRN-000002", phone=phone("C"), created_at=at("12:18")))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'silvia.db'}"
        return
    from tests.backends import pg_schema

    with pg_schema("ops_report") as url:
        yield url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        factory = session_factory(engine)
        await seed(factory)
        yield factory
    finally:
        await engine.dispose()


async def test_daily_report_numbers(sessions: Sessions) -> None:
    r = await build_daily_report(sessions, DAY, "America/Recife")
    assert (r.new_leads, r.active_leads, r.qualified, r.registered, r.handed_off) == (5, 7, 1, 1, 1)
    assert (r.opt_outs, r.errors, r.turns) == (1, 1, 16)
    assert r.leads_per_stage == {
        "greeted": 2,
        "plans_presented": 1,
        "plan_selected": 1,
        "handed_off": 2,
        "opted_out": 1,
    }
    assert list(r.funnel.values()) == [7, 7, 4, 3, 2, 2, 2, 2, 2]
    assert r.conversions[1] == ("greeted", "plans_presented", pytest.approx(4 / 7))
    assert r.latency["replies"] == 16
    assert r.latency["avg_ms"] == pytest.approx(4340 / 16)
    assert r.latency["p95_ms"] == 1500
    assert r.latency["cache_hit_rate"] == pytest.approx(1 / 16)
    assert r.latency["layers"]["L4"] == {"count": 1, "avg_ms": 1500, "p95_ms": 1500}
    assert r.top_intents[0] == ("greeting", 5)
    assert dict(r.top_intents[1:3]) == {"affirm": 2, "choose_plan": 2}
    assert dict(r.top_objections) == {"preço": 1, "confiança / é golpe?": 1, "contrato / fidelidade": 1}
    assert r.followups == {"gentle_nudge": {"sent": 1, "answered": 1}}
    assert r.llm == {
        "gpt-4o-mini": {"calls": 1, "tokens_in": 1000, "tokens_out": 200, "cost_usd": pytest.approx(0.00027)}
    }


async def test_report_page_and_slack_message(sessions: Sessions) -> None:
    r = await build_daily_report(sessions, DAY, "America/Recife")
    html = render_daily_html(r)
    assert '<div class="card" id="new-leads"><b>5</b>' in html
    assert '<div class="card" id="p95-ms"><b>1500 ms</b>' in html
    assert html.count('class="bar"') >= 9 + 5  # funnel steps + stages present
    assert "<script" not in html and "https://" not in html  # no CDN: the charts are inline SVG
    payload = daily_report_payload(r, link="https://silvia.example/dashboard/reports/2026-11-24")
    assert problems(payload) == []
    text = json.dumps(payload, ensure_ascii=False)
    assert "24/11/2026" in text and "*Leads novos:*\\n5" in text and "US$ 0.0003" in text


async def test_an_empty_day_is_a_report_of_zeros(sessions: Sessions) -> None:
    r = await build_daily_report(sessions, date(2026, 1, 1), "America/Recife")
    assert (r.new_leads, r.active_leads, r.turns, r.llm_cost_usd) == (0, 0, 0, 0)
    assert r.latency["avg_ms"] is None and set(r.funnel.values()) == {0}
    assert "sem dados" in render_daily_html(r) and problems(daily_report_payload(r)) == []


def test_silvia_report_daily_on_demand(tmp_path: Path) -> None:
    import asyncio

    data = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data / 'silvia.db'}"
    data.mkdir()
    upgrade(url)

    async def fill() -> None:
        engine = create_engine(url)
        await seed(session_factory(engine))
        await engine.dispose()

    asyncio.run(fill())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SLACK_WEBHOOK_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "cli", "report", "daily", "--date", "2026-11-24", "--json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**env, "SILVIA_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert (report["new_leads"], report["qualified"], report["handed_off"]) == (5, 1, 1)
    assert (data / "reports" / "daily-2026-11-24.html").exists()
