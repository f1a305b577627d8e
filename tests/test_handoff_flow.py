"""Handoff through the real graph: the specialist's WhatsApp template, the persisted row,
what the lead is told, and `silvia handoffs`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from agent.replies.whatsapp_templates import TemplateCatalog
from agent.state import Stage
from tests.conftest import MARIA, make_settings
from tests.test_bill_conversations import at_document_request
from tests.test_cli import run
from tests.test_conversations import bill_pdf, send_file
from wiring import Silvia, open_silvia

TUESDAY_NIGHT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Tuesday 22:00 in Recife


def templates_sent(silvia: Silvia) -> list[dict]:
    return [m for m in silvia.sandbox.sent() if m["kind"] == "template"]


async def test_qualified_lead_reaches_a_specialist_with_a_summary(silvia: Silvia) -> None:
    await at_document_request(silvia)
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    assert result.stage == Stage.HANDED_OFF
    state = await silvia.state(MARIA.phone)
    # Tuesday 14:00: Ana (first in the roster) is on duty; the lead hears her first name.
    assert state["specialist"]["name"] == "Ana Ribeiro" and "*Ana*" in result.texts[0]
    assert "ainda hoje" in result.texts[0]

    [summary] = templates_sent(silvia)
    assert summary["to"] == "+5581988880001" and summary["template"] == "silvia_lead_handoff"
    params = summary["parameters"]
    catalog = TemplateCatalog.load().get("silvia_lead_handoff")
    assert catalog is not None and set(params) == set(catalog.parameters)  # as approved by Meta
    assert params["lead_name"] == "Maria Oliveira" and params["lead_phone"] == MARIA.phone
    assert params["city"] == "Recife/PE" and params["plan"] == "Plano Plus"
    assert params["bill"].startswith("R$ 412,37") and "kWh" in params["consumption"]
    assert params["savings"] == "R$ 61,86/mês"  # 15 % of 412,37 (Plano Plus)
    assert params["serena_lead_id"] == state["serena_lead_id"]
    assert all("\n" not in v for v in params.values())  # WhatsApp rejects new lines in parameters

    [row] = await silvia.deps.specialists.log.recent(5)
    assert (row["lead_id"], row["reason"], row["specialist_name"]) == (
        MARIA.phone,
        "qualified",
        "Ana Ribeiro",
    )
    assert row["message_id"] == summary["message_id"] and row["serena_lead_id"] == state["serena_lead_id"]
    assert row["bill_amount"] == 412.37 and row["bill_source"] == "bill" and row["on_duty"] is True
    status = await silvia.leads.get_status(MARIA.phone)
    assert status["specialist_name"] == "Ana Ribeiro" and status["lead_stage"] == "handed_off"


async def test_two_qualified_leads_go_round_robin(silvia: Silvia) -> None:
    other = "+5581977770000"
    names = []
    for phone, name in ((MARIA.phone, "Maria Oliveira"), (other, "Joana Lima")):
        await silvia.leads.upsert_lead(MARIA.model_copy(update={"phone": phone, "name": name}))
        await at_document_request(silvia, phone)
        await send_file(silvia, phone, bill_pdf(name=name))
        names.append((await silvia.state(phone))["specialist"]["name"])
    assert names == ["Ana Ribeiro", "Eduardo Lins"]  # both cover Recife


async def test_after_hours_the_lead_is_told_when(silvia: Silvia, clock) -> None:
    clock[0] = TUESDAY_NIGHT
    await at_document_request(silvia)
    result = await send_file(silvia, MARIA.phone, bill_pdf())
    assert result.stage == Stage.HANDED_OFF
    assert "*Ana*" in result.texts[0] and "amanhã a partir das 8h" in result.texts[0]
    [row] = await silvia.deps.specialists.log.recent(1)
    assert row["on_duty"] is False and row["contact_at"] == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert templates_sent(silvia)  # the specialist is notified anyway: it waits in their WhatsApp
    later = await silvia.say(MARIA.phone, "ok, obrigada")
    assert "amanhã a partir das 8h" in later.texts[0] and "Ana" in later.texts[0]


async def test_asking_for_a_human_notifies_the_specialist(silvia: Silvia) -> None:
    await at_document_request(silvia)
    result = await silvia.say(MARIA.phone, "quero falar com um atendente")
    assert "*Ana* vai te chamar ainda hoje" in result.texts[0]
    [summary] = templates_sent(silvia)
    assert summary["parameters"]["reason"] == "o lead pediu um especialista"
    assert summary["parameters"]["serena_lead_id"] == "não cadastrado"  # defaults fill the unknowns
    again = await silvia.say(MARIA.phone, "cadê o atendente?? quero falar com alguém")
    assert again.intent == "ask_human" and len(templates_sent(silvia)) == 1  # not assigned twice
    rows = await silvia.deps.specialists.log.recent(5)
    assert [r["reason"] for r in rows] == ["requested"]


async def test_a_failed_notification_keeps_the_handoff(tmp_path: Path, clock) -> None:
    roster = tmp_path / "roster.yml"
    roster.write_text(
        "specialists:\n  - {name: Zé Ninguém, phone: 'not-a-phone', states: ['*']}\n", encoding="utf-8"
    )
    settings = make_settings(tmp_path / "data", SILVIA_SPECIALISTS_FILE=str(roster))
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await at_document_request(silvia)
        result = await send_file(silvia, MARIA.phone, bill_pdf())
        assert result.stage == Stage.HANDED_OFF and "*Zé*" in result.texts[0]
        [row] = await silvia.deps.specialists.log.recent(1)
        assert row["specialist_name"] == "Zé Ninguém" and row["message_id"] is None
        assert not templates_sent(silvia)


async def test_silvia_handoffs_lists_recent_handoffs(tmp_path: Path, clock) -> None:
    data = tmp_path / "data"
    async with open_silvia(make_settings(data), clock=lambda: clock[0]) as silvia:
        await at_document_request(silvia)
        await send_file(silvia, MARIA.phone, bill_pdf())
    table = run(["handoffs"], data)
    assert table.returncode == 0, table.stderr
    assert "Maria Oliveira" in table.stdout and "Ana Ribeiro" in table.stdout and "Recife/PE" in table.stdout
    lines = run(["handoffs", "--json", "--limit", "5"], data)
    [row] = [json.loads(line) for line in lines.stdout.splitlines()]
    assert row["lead_id"] == MARIA.phone and row["plan"] == "Plano Plus"
    assert run(["handoffs", "--limit", "0"], data).returncode != 0  # a bad option is a clear error
