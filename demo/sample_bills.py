"""Realistic synthetic electricity bills (PDF, fpdf2) for the demo and the tests.

    spec = random_bill_spec(random.Random(7), distributor="Neoenergia Pernambuco", total_amount=380.0)
    pdf = render_bill_pdf(spec)
    expected = ground_truth(spec)

What a bill says (`BillSpec`, `random_bill_spec`, `ground_truth`...) is in `demo/bill_specs.py`;
the layouts that draw it in `demo/bill_layouts.py`.
"""

from __future__ import annotations

import io
import random

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from bills.patterns import BY_NAME
from demo.bill_layouts import render
from demo.bill_specs import CITIES, BillSpec, random_bill_spec


def sample_bill_pdf(name: str, city: str | None, state: str | None, total: float, seed: int = 2026) -> bytes:
    """A text-PDF bill for a lead: their name, their city and state's distributor, their amount
    (`silvia demo` and `/bill` in `silvia chat`). Unknown states get Neoenergia Pernambuco."""
    distributor = next(
        (d for d in sorted(CITIES) if state and BY_NAME[d].state == state.upper()), "Neoenergia Pernambuco"
    )
    spec = random_bill_spec(
        random.Random(seed),
        distributor=distributor,
        customer_name=name,
        city=city or CITIES[distributor][0][0],
        total_amount=total,
        consumer_class="residencial",
    )
    return render_bill_pdf(spec)


def render_bill_pdf(spec: BillSpec) -> bytes:
    """One-page PDF with a text layer; the layout depends on the distributor's family."""
    return render(spec)


def encrypted_pdf(spec: BillSpec | None = None, user_password: str = "1234") -> bytes:
    """The bill encrypted with AES; `user_password=""` gives an owner-only (openable) PDF."""
    data = render_bill_pdf(spec or random_bill_spec(random.Random(1)))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _plain_pdf(lines: list[str], size: int = 10) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=size)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def not_a_bill_pdf(kind: str = "boleto") -> bytes:
    """A readable PDF that is not an electricity bill: a bank boleto or a letter."""
    if kind == "letter":
        return _plain_pdf(
            [
                "Recife, 12 de março de 2026",
                "Prezado(a) Sr(a). Carlos Pereira,",
                "Informamos que sua matrícula no curso de inglês foi confirmada.",
                "A mensalidade de R$ 380,00 vence todo dia 10.",
                "Atenciosamente, Secretaria Acadêmica",
            ]
        )
    return _plain_pdf(
        [
            "Banco Exemplo S.A.   | 001-9 |   00190.00009 01234.567891 23456.789012 3 99990000038000",
            "Beneficiário: Loja de Móveis Exemplo Ltda   CNPJ 12.345.678/0001-95",
            "Pagador: Carlos Pereira   CPF 123.456.789-09",
            "Vencimento: 10/04/2026     Valor do documento: R$ 380,00",
            "Nosso número: 12345678   Espécie: DM   Aceite: N",
            "Instruções: não receber após o vencimento. Multa de 2% e juros de 1% ao mês.",
        ]
    )


def image_only_pdf() -> bytes:
    """A PDF page with graphics but no text layer (what a scanner produces, minus the picture)."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    for k in range(12):
        pdf.rect(15, 20 + k * 20, 180, 12, style="D")
    return bytes(pdf.output())
