"""LGPD: after a bill turn, no CPF and no street address in logs, records, memory or messages.

The bill prints the full CPF and the address; the lead also types their CPF. Everything Sílvia
wrote is then scanned: every table of the business database (sdr_logs, lead_interactions,
handoffs, registrations...), the conversation checkpoints, the log output at DEBUG, and what
went out on WhatsApp (the lead's messages and the specialist's summary).
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
from pathlib import Path

import pytest

from agent.policy.privacy import redact
from agent.state import Stage
from demo.bill_specs import random_bill_spec
from demo.sample_bills import render_bill_pdf
from tests.conftest import MARIA, make_settings
from tests.test_bill_conversations import at_document_request
from tests.test_conversations import send_file
from wiring import open_silvia


def _dump_sqlite(path: Path) -> str:
    """Every row of every table as text (BLOBs decoded leniently: checkpoints are msgpack)."""
    parts: list[str] = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    parts.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
    return "\n".join(parts)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


async def test_no_cpf_or_address_anywhere_after_a_bill_turn(
    tmp_path: Path,
    clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    spec = random_bill_spec(
        random.Random(11),
        distributor="Neoenergia Pernambuco",
        customer_name="Maria Oliveira",
        city="Recife",
        total_amount=412.37,
        consumer_class="residencial",
        print_full_cpf=True,
    )
    cpf = spec.cpf  # as printed: 123.456.789-09
    settings = make_settings(tmp_path)
    caplog.set_level(logging.DEBUG)
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        await at_document_request(silvia)
        await silvia.say(MARIA.phone, f"meu cpf é {cpf}, pode usar se precisar")
        result = await send_file(silvia, MARIA.phone, render_bill_pdf(spec), filename=f"conta {cpf}.pdf")
        assert result.stage == Stage.HANDED_OFF  # the bill was read: the scan below is meaningful
        outbound = "\n".join(str(m) for m in silvia.sandbox.sent())
        state = str(await silvia.state(MARIA.phone))

    stored = _dump_sqlite(settings.sqlite_path) + _dump_sqlite(settings.checkpoint_path)
    assert "meu cpf é [documento oculto]" in stored  # the lead's message was recorded, masked
    for where, text in {
        "database and checkpoints": stored,
        "log output": caplog.text,
        "WhatsApp messages": outbound,
        "conversation state": state,
    }.items():
        assert cpf not in text, where
        assert _digits(cpf) not in _digits(text), where
        assert spec.street not in text and spec.cep not in text, where
    assert not list(settings.media_dir.glob("*.pdf"))  # the bill file itself is gone too


def test_redact_masks_cpf_and_cnpj_but_not_phones_or_amounts() -> None:
    assert redact("meu cpf: 123.456.789-09") == "meu cpf: [documento oculto]"
    assert "12345678909" not in redact("CPF 12345678909")
    assert redact("CNPJ 12.345.678/0001-95 da padaria") == "CNPJ [documento oculto] da padaria"
    assert (
        redact("me liga no 81999990001, a conta deu 412,37") == "me liga no 81999990001, a conta deu 412,37"
    )
