"""Record → anonymise → replay: real conversations in lead_interactions become a dataset."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from agent.inbound import Inbound
from agent.ports import LeadRecord
from cli.main import app
from evals.anonymise import Anonymiser
from evals.attachments import render_attachment
from evals.dataset import Attachment, load_conversations
from tests.conftest import make_settings
from wiring import open_silvia

REAL_NAME, REAL_PHONE, REAL_CPF = "Josefa Bezerra", "+5581988887777", "123.456.789-09"


async def produce_traffic(data_dir: Path) -> None:
    """Two real leads talk to Sílvia on the embedded default (what production would record)."""
    async with open_silvia(make_settings(data_dir)) as silvia:
        await silvia.leads.upsert_lead(
            LeadRecord(phone=REAL_PHONE, name=REAL_NAME, city="Recife", state="PE", bill_amount=380.0)
        )
        await silvia.say(REAL_PHONE, "oi")
        await silvia.say(REAL_PHONE, f"sim, meu cpf é {REAL_CPF} e moro na Rua das Flores, 123")
        await silvia.say(REAL_PHONE, "quero o plus")
        data, mime, name = render_attachment(Attachment(total_amount=391.5), REAL_NAME)
        media = silvia.receive_media(data, mime, name)
        await silvia.handle(
            Inbound(phone=REAL_PHONE, kind="document", media_id=media, mime_type=mime, filename=name)
        )
        await silvia.say(
            "+5571977776666", "oi, me chamo Tereza Batista, moro em salvador e pago 500", name="Tereza"
        )
        await silvia.say("+5571977776666", "PARAR")


def test_record_anonymise_replay_round_trip(tmp_path: Path) -> None:
    data_dir = tmp_path / "prod"
    asyncio.run(produce_traffic(data_dir))  # the CLI below runs its own event loop
    out = tmp_path / "recorded.yaml"
    url = f"sqlite+aiosqlite:///{data_dir / 'silvia.db'}"
    runner = CliRunner()
    result = runner.invoke(
        app, ["eval", "record", "--since", "2020-01-01", "--out", str(out), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for secret in (
        "Josefa",
        "Bezerra",
        REAL_PHONE,
        "988887777",
        REAL_CPF,
        "Rua das Flores",
        "Tereza",
        "Batista",
    ):
        assert secret not in text, secret
    conversations = load_conversations([out])
    assert len(conversations) == 2
    josefa = next(c for c in conversations if c.lead.seeded)
    assert josefa.lead.seeded and josefa.lead.bill_amount == 380.0 and josefa.lead.city == "Recife"
    fake_first = (josefa.lead.name or "").split()[0]
    assert fake_first and fake_first in josefa.turns[0].recorded.replies[0]  # consistent pseudonym
    stages = [t.expect.stage for t in josefa.turns]
    assert len(stages) == 4 and stages[0] == "greeted" and stages[-1] == "handed_off"
    assert josefa.turns[-1].attachment is not None

    for extra in ([], ["--recorded"]):
        report = tmp_path / f"replay{len(extra)}.json"
        result = runner.invoke(
            app, ["eval", "run", str(out), "--out", str(report), "--runs-dir", str(tmp_path / "runs"), *extra]
        )
        assert result.exit_code == 0, result.output
        run = json.loads(report.read_text(encoding="utf-8"))
        assert run["kpis"]["stages"] == 1.0 and run["kpis"]["intents"] == 1.0
        assert run["summary"]["played"] == 2


def test_anonymiser_is_consistent_and_thorough() -> None:
    anon = Anonymiser("fixed-salt")
    fake = anon.name("Josefa Bezerra")
    assert fake != "Josefa Bezerra" and anon.name("Josefa Bezerra") == fake
    text = anon.text(
        "Oi Josefa! cpf 123.456.789-09, cnpj 12.345.678/0001-95, fone (81) 98888-7777,"
        " josefa@mail.com, CEP 50010-000, Avenida Boa Viagem, 3000"
    )
    assert text is not None
    for secret in (
        "Josefa",
        "123.456.789-09",
        "12.345.678/0001-95",
        "98888-7777",
        "josefa@",
        "50010-000",
        "Boa Viagem",
    ):
        assert secret not in text, secret
    assert fake.split()[0] in text
    assert anon.phone("+5581988887777") == anon.phone("+55 81 98888-7777")
    assert Anonymiser("other").phone("+5581988887777") != anon.phone("+5581988887777")


def test_record_rejects_a_bad_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "record", "--since", "ontem", "--out", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert not (tmp_path / "x.yaml").exists()
    assert yaml is not None
