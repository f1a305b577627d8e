"""Two more layouts with wordings the other eleven do not use, drawn for the third pass of issue 18.

Each bill picks its wording from a pool, so one layout covers many: the reference month as "Mês
de faturamento", "Faturamento", "Mês" alone in a box, "Conta do mês", "Fatura referente ao mês
de", in forms like "OUT.2026", "OUT-26", "Outubro 2026"; the due date as "Vencto.", "Venc.",
"Vence dia"; the total as "Valor a ser pago", "Valor desta conta", "Total a pagar (R$)"; the
address with the state spelled out, a labelled "Município:" with the UF on another line, or a CEP
and a city with no UF at all; a masked CNPJ under a "CPF/CNPJ" label; item tables with drawn
grid lines (which OCR may read as "|" or "1") and a history table with an amount column.
"""

from __future__ import annotations

import random

from tests.bill_layouts.bills import ABBR, MONTH, Bill, brl, qty
from tests.bill_layouts.sheet import Sheet, energy_items, payment_line, tax_rows

STATE_NAMES = {
    "GO": "Goiás",
    "PE": "Pernambuco",
    "PB": "Paraíba",
    "MS": "Mato Grosso do Sul",
}
BAIRROS = ("SETOR BUENO", "BOA VIAGEM", "MANAIRA", "JARDIM DOS ESTADOS", "CENTRO", "VILA NOVA")


def month_text(b: Bill, rng: random.Random) -> str:
    m, y = b.ref
    return rng.choice(
        (
            f"{ABBR[m]}.{y}",
            f"{ABBR[m]}-{y % 100:02d}",
            f"{MONTH[m]} {y}",
            f"{MONTH[m].upper()} DE {y}",
            f"{m:02d}-{y}",
            f"{m:02d}/{y}",
            f"{ABBR[m].capitalize()}/{y % 100:02d}",
        )
    )


def document_text(b: Bill, rng: random.Random) -> str:
    """The CPF/CNPJ as printed, a CNPJ masked in some bills: '**.***.678/0001-**'."""
    doc = b.document
    if b.person == "PJ" and rng.random() < 0.6:
        doc = rng.choice((f"**.***.{doc[7:10]}/0001-**", f"{doc[:3]}***.***/****-{doc[-2:]}"))
    label = rng.choice(("CPF/CNPJ:", "CNPJ/CPF", "CPF/CNPJ" if b.person == "PF" else "CNPJ:", "Documento:"))
    return f"{label} {doc}"


def address_lines(b: Bill, rng: random.Random) -> list[str]:
    """The customer's address in one of the forms big-city bills use."""
    bairro = rng.choice(BAIRROS)
    state = STATE_NAMES.get(b.uf, b.uf)
    style = rng.randrange(5)
    if style == 0:  # the state spelled out
        return [f"{b.street} - {bairro}", f"CEP {b.cep} - {b.city} - {state.upper()}"]
    if style == 1:  # labelled city, the UF on its own line
        return [f"{b.street}, {bairro}", f"Município: {b.city}", f"UF: {b.uf}    CEP: {b.cep}"]
    if style == 2:  # CEP and city, no UF at all
        return [f"{b.street}", f"{bairro}", f"{b.cep}  {b.city}"]
    if style == 3:  # mixed case, bairro, city and UF in one line
        return [f"{b.street.title()}", f"{bairro.title()}, {b.city.title()}/{b.uf} - CEP {b.cep}"]
    return [f"{b.street}", f"{bairro} - {b.city} - {b.uf}", f"CEP: {b.cep}"]


def _grid_table(p: Sheet, x: float, y: float, widths: list[float], rows: list[list[str]]) -> float:
    """A table with its cell borders drawn (OCR sees the lines as characters next to the numbers)."""
    step = 5.0
    p.set_draw_color(90, 90, 90)
    p.set_line_width(0.25)
    for r, row in enumerate(rows):
        cx = x
        for w, cell in zip(widths, row, strict=True):
            p.rect(cx, y - 3.8, w, step)
            numeric = cell[:1].isdigit() or cell.startswith("-")
            p.t(cx + w - 1.5 if numeric else cx + 1.2, y, cell, 7, bold=r == 0, right=numeric)
            cx += w
        y += step
    return y


def _grid(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Boxes of new wordings across the top, grid-lined item table, history with amounts."""
    p.band(0, 0, 210, 18, rng.choice(((0, 70, 140), (20, 110, 60), (150, 30, 40))))
    p.t(10, 12, b.brand, 16, True, rgb=(255, 255, 255))
    p.t(10, 24, b.legal, 6)
    name_label = rng.choice(("Nome:", "Titular:", "Cliente:", ""))
    p.t(10, 33, f"{name_label} {b.name}".strip(), 8, True)
    y = 37.0
    for line in address_lines(b, rng):
        p.t(10, y, line)
        y += 4
    p.t(10, y, document_text(b, rng))
    inst_label = rng.choice(("Código da instalação", "Nº da Instalação", "Unidade Consumidora (UC)"))
    p.boxes(125, 28, [75], [(inst_label.upper(), b.installation)])
    ref_label = rng.choice(("MÊS", "MÊS DE FATURAMENTO", "FATURAMENTO", "MÊS/REF"))
    due_label = rng.choice(("VENCTO.", "VENC.", "VENCIMENTO", "PAGAR ATÉ"))
    total_label = rng.choice(("VALOR A SER PAGO", "VALOR DESTA CONTA", "TOTAL A PAGAR (R$)", "VALOR A PAGAR"))
    p.boxes(
        10,
        62,
        [45, 45, 60],
        [(ref_label, month_text(b, rng)), (due_label, f"{b.due:%d/%m/%Y}"), (total_label, brl(b.total))],
        big=10,
    )
    items, base = energy_items(b, rng)
    kwh_word = rng.choice(("Consumo Ativo", "Energia Elétrica", "Consumo faturado"))
    rows = [
        ["Descrição do faturamento", "Unid", "Quantidade", "Preço unit.", "Valor (R$)"],
        [
            f"{kwh_word} TUSD",
            "kWh",
            qty(b.kwh),
            f"{items[0][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[0][1]),
        ],
        [
            f"{kwh_word} TE",
            "kWh",
            qty(b.kwh),
            f"{items[1][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[1][1]),
        ],
        ["Adicional bandeira tarifária", "", "", "", brl(items[2][1])],
        ["Contrib. Ilum. Pública", "", "", "", brl(b.cip)],
    ]
    end = _grid_table(p, 10, 86, [66, 14, 26, 28, 30], rows)
    p.table(10, end + 5, [40, 35, 35, 30], tax_rows(b, base))
    hist = [["Referência", "kWh", "Valor (R$)"]]
    for hm, hy, k in b.history[:8]:
        hist.append([f"{hm:02d}/{hy}", qty(k), brl(k * b.total / max(b.kwh, 1))])
    p.t(10, end + 26, "Histórico de consumo e valores", 7, True)
    p.table(10, end + 31, [24, 18, 24], hist, size=6.5, step=3.6)
    p.t(10, 272, payment_line(round(b.total * 100), rng), 9)


def _courier(p: Sheet, b: Bill, rng: random.Random) -> None:
    """A typewriter-style bill (Courier): 'LABEL: value' pairs in two columns, upper case, no boxes."""

    def c(x: float, y: float, s: str, size: float = 8.5, bold: bool = False) -> None:
        p.set_font("Courier", "B" if bold else "", size)
        p.set_text_color(0, 0, 0)
        p.text(x, y, s)

    c(10, 14, b.brand.upper(), 16, True)
    c(10, 20, b.legal.upper(), 6)
    c(10, 30, f"{rng.choice(('NOME', 'TITULAR', 'CONSUMIDOR'))}: {b.name}", 8.5, True)
    y = 34.0
    for line in address_lines(b, rng):
        c(10, y, line.upper())
        y += 4
    c(10, y, document_text(b, rng).upper())
    ref = rng.choice(
        ("MES DE FATURAMENTO", "FATURA DO MES", "REFERENTE AO MES DE", "MES FATURADO", "MES/ANO")
    )
    due = rng.choice(("VENCTO", "VENCIMENTO", "VENCE DIA", "DATA VENCTO"))
    total = rng.choice(("VALOR A SER PAGO", "TOTAL DESTA FATURA", "VALOR DESTA CONTA", "TOTAL A PAGAR R$"))
    kwh = rng.choice(
        ("CONSUMO FATURADO KWH", "KWH FATURADOS", "CONSUMO ATIVO (KWH)", "ENERGIA CONSUMIDA KWH")
    )
    inst = rng.choice(("COD. INSTALACAO", "INSTALACAO", "UC"))
    pairs = [
        (inst, b.installation),
        (ref, month_text(b, rng).upper()),
        (due, f"{b.due:%d/%m/%Y}"),
        (kwh, qty(b.kwh)),
        (total, brl(b.total)),
    ]
    for i, (label, value) in enumerate(pairs):
        c(110, 30 + i * 5, f"{label}: {value}")
    items, base = energy_items(b, rng)
    tusd, te = (f"{v / b.kwh:.6f}".replace(".", ",") for v in (items[0][1], items[1][1]))
    lines = [
        "ITEM                            QTDE      TARIFA      VALOR",
        f"CONSUMO TUSD KWH            {qty(b.kwh):>8}  {tusd:>9}  {brl(items[0][1]):>9}",
        f"CONSUMO TE KWH              {qty(b.kwh):>8}  {te:>9}  {brl(items[1][1]):>9}",
        f"ADICIONAL BANDEIRA                                {brl(items[2][1]):>9}",
        f"CONTRIB ILUM PUBLICA                              {brl(b.cip):>9}",
    ]
    for i, line in enumerate(lines):
        c(10, 66 + i * 4.5, line, 7.5)
    p.table(10, 100, [40, 35, 35, 30], tax_rows(b, base))
    c(10, 125, "HISTORICO DE CONSUMO", 7, True)
    hist = "  ".join(f"{ABBR[hm]}/{hy % 100}:{k}" for hm, hy, k in b.history[:6])
    c(10, 129, hist, 6.5)
    if rng.random() < 0.7:
        c(10, 272, payment_line(round(b.total * 100), rng), 8)
    else:  # automatic debit: printed a second time instead of a payment line
        c(10, 272, f"DEBITO AUTOMATICO - VALOR DEBITADO: R$ {brl(b.total)}", 8)
