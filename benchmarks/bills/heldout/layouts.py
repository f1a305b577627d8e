"""Eight distributor layouts, each with its own wording, tables and placement of the fields."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.bills.heldout.bills import MONTHS, SHORT_MONTHS, HeldoutBill, money
from benchmarks.bills.heldout.page import Page


def _when(bill: HeldoutBill) -> str:
    return bill.due.strftime("%d/%m/%Y")


def _doc(bill: HeldoutBill) -> str:
    return f"{'CNPJ' if bill.company else 'CPF'}: {bill.document}"


def _place(bill: HeldoutBill, sep: str = " - ") -> str:
    return f"{bill.zip_code} {bill.city}{sep}{bill.uf}"


def edp_es(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.fill(0, 0, 210, 24, (0, 84, 150))
    p.put(12, 15, "edp", 22, "B", color=(255, 255, 255))
    p.put(198, 10, "EDP ESPÍRITO SANTO DISTRIBUIÇÃO DE ENERGIA S.A.", 7, align="R", color=(255, 255, 255))
    p.put(198, 15, "CNPJ 28.152.650/0001-71", 7, align="R", color=(255, 255, 255))
    p.put(12, 34, "Conta de energia elétrica", 12, "B")
    p.put(12, 42, b.holder, 9, "B")
    p.put(12, 47, f"{b.address}", 8)
    p.put(12, 51, _place(b, "/").replace(" - ", "/"), 8)
    p.put(12, 55, _doc(b), 8)
    p.frame(120, 30, 78, 30, rounded=True)
    p.put(124, 37, "Instalação", 7)
    p.put(194, 37, b.unit, 9, "B", "R")
    p.put(124, 44, "Conta contrato", 7)
    p.put(194, 44, b.account, 9, align="R")
    p.put(124, 51, "Mês de referência", 7)
    p.put(194, 51, f"{MONTHS[b.month].title()}/{b.year}", 9, "B", "R")
    p.put(124, 58, "Data de vencimento", 7)
    p.put(194, 58, _when(b), 9, "B", "R")
    p.fill(12, 66, 186, 14, (235, 242, 250))
    p.put(16, 75, "Total a pagar", 11, "B")
    p.put(194, 75, f"R$ {money(b.total)}", 14, "B", "R")
    y = p.grid(
        12,
        88,
        [70, 38, 38, 40],
        [
            ["Leituras", "Anterior", "Atual", "Consumo faturado kWh"],
            ["Energia ativa", str(rng.randint(1000, 40000)), str(rng.randint(40001, 90000)), str(b.kwh)],
        ],
    )
    y = p.items(12, y + 6, b, rng, [90, 30, 32, 34])
    p.tax_box(12, y + 6, b)
    p.bars(110, y + 8, b)


def rge(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.put(12, 16, "RGE", 20, "B", color=(0, 110, 60))
    p.put(40, 12, "RGE SUL DISTRIBUIDORA DE ENERGIA S.A.", 8, "B")
    p.put(40, 16, "Grupo CPFL Energia", 7)
    cells = [
        ("CÓDIGO DA UC", b.unit),
        ("MÊS/ANO", f"{b.month:02d}/{b.year}"),
        ("VENCIMENTO", _when(b)),
        ("VALOR TOTAL R$", money(b.total)),
    ]
    x = 12
    for label, value in cells:
        p.frame(x, 24, 45, 13)
        p.put(x + 2, 28, label, 6)
        p.put(x + 2, 34, value, 10, "B")
        x += 46.5
    p.put(12, 46, "DADOS DO CLIENTE", 8, "B")
    p.put(12, 51, f"Nome: {b.holder}", 8)
    p.put(12, 55, f"Endereço: {b.address}", 8)
    p.put(12, 59, f"{b.city} ({b.uf})  CEP {b.zip_code}", 8)
    p.put(12, 63, _doc(b), 8)
    p.put(120, 51, f"Nº do cliente: {b.account}", 8)
    p.put(120, 55, f"Medidor: {rng.randint(10**6, 10**7 - 1)}", 8)
    p.put(120, 59, f"Consumo no período: {b.kwh} kWh", 8, "B")
    y = p.items(12, 72, b, rng, [90, 30, 32, 34])
    y = p.tax_box(12, y + 5, b)
    p.bars(100, y + 6, b, width=95)
    p.put(12, 282, f"Pague com PIX até {_when(b)}.", 7)


def ceee(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.fill(0, 0, 8, 297, (0, 60, 120))
    p.put(16, 16, "CEEE EQUATORIAL", 15, "B", color=(0, 60, 120))
    p.put(16, 21, "Companhia Estadual de Distribuição de Energia Elétrica", 7)
    p.put(16, 32, "Titular", 7, color=(100, 100, 100))
    p.put(16, 37, b.holder, 9, "B")
    p.put(16, 42, f"{b.address} - {b.city}/{b.uf} - CEP {b.zip_code}", 7.5)
    p.put(16, 46, _doc(b), 7.5)
    p.put(16, 56, f"Unidade Consumidora  {b.unit}", 9, "B")
    p.put(16, 61, f"Fatura referente a {SHORT_MONTHS[b.month].upper()}/{b.year}", 9)
    p.put(16, 66, f"Energia consumida: {b.kwh} kWh", 9)
    p.frame(130, 28, 68, 40)
    p.put(164, 36, "Total da fatura", 9, align="C")
    p.put(164, 47, f"R$ {money(b.total)}", 16, "B", "C")
    p.put(164, 56, "Vencimento", 8, align="C")
    p.put(164, 62, _when(b), 11, "B", "C")
    for i in range(9):  # a PIX QR code, drawn as noise squares
        for j in range(9):
            if rng.random() < 0.5:
                p.fill(154 + i * 2.2, 72 + j * 2.2, 2.2, 2.2, (0, 0, 0))
    p.put(164, 97, "Pague via PIX", 7, align="C")
    y = p.items(16, 104, b, rng, [80, 28, 32, 32])
    y = p.tax_box(16, y + 6, b)
    p.bars(16, y + 8, b, width=110)


def enel_sp(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.put(12, 18, "enel", 24, "B", color=(0, 120, 200))
    p.put(12, 25, "Enel Distribuição São Paulo", 8)
    p.fill(140, 0, 70, 297, (242, 242, 242))
    p.put(145, 20, "Total a Pagar", 9)
    p.put(145, 30, f"R$ {money(b.total)}", 15, "B")
    p.put(145, 42, "Vencimento", 9)
    p.put(145, 49, _when(b), 12, "B")
    p.put(145, 62, "Nº do Cliente", 8)
    p.put(145, 67, b.account, 9)
    p.put(145, 76, "Nº da Instalação", 8)
    p.put(145, 81, b.unit, 9, "B")
    p.put(145, 92, "Consumo (kWh)", 8)
    p.put(145, 97, str(b.kwh), 11, "B")
    p.put(12, 40, f"{b.holder}", 9, "B")
    p.put(12, 45, b.address, 8)
    p.put(12, 49, f"{b.city} - {b.uf}", 8)
    p.put(12, 53, f"CEP: {b.zip_code}", 8)
    p.put(12, 57, _doc(b), 8)
    p.put(12, 68, f"Conta de {MONTHS[b.month].capitalize()} de {b.year}", 10, "B")
    y = p.items(12, 74, b, rng, [60, 20, 26, 20])
    y = p.tax_box(12, y + 6, b)
    p.bars(12, y + 8, b, width=120)


def energisa_se(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.put(105, 16, "energisa", 20, "B", "C", color=(230, 120, 0))
    p.put(105, 22, "ENERGISA SERGIPE - DISTRIBUIDORA DE ENERGIA S.A.", 7, align="C")
    summary = [
        ("Referência", f"{MONTHS[b.month].capitalize()}/{b.year}"),
        ("Vence em", _when(b)),
        ("Consumo", f"{b.kwh} kWh"),
        ("Valor a pagar", f"R$ {money(b.total)}"),
    ]
    for i, (label, value) in enumerate(summary):
        x = 12 + i * 47
        p.fill(x, 30, 45, 16, (255, 240, 220))
        p.put(x + 22.5, 36, label, 7, align="C")
        p.put(x + 22.5, 43, value, 10, "B", "C")
    p.put(12, 56, "Cliente", 7)
    p.put(12, 61, b.holder, 9, "B")
    p.put(12, 66, f"{b.address}, {b.city}/{b.uf}, CEP {b.zip_code}", 7.5)
    p.put(12, 70, _doc(b), 7.5)
    p.put(130, 56, "UC (unidade consumidora)", 7)
    p.put(130, 61, b.unit, 10, "B")
    y = p.items(12, 78, b, rng, [90, 30, 32, 34])
    y = p.tax_box(12, y + 6, b)
    p.bars(105, y - 24, b, width=90)


def equatorial_al(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.put(12, 15, "EQUATORIAL", 16, "B", color=(0, 70, 140))
    p.put(12, 20, "EQUATORIAL ALAGOAS DISTRIBUIDORA DE ENERGIA S.A.", 7)
    p.put(198, 15, f"CONTA DE ENERGIA ELÉTRICA - {b.month:02d}/{b.year}", 9, "B", "R")
    lines = [
        f"NOME DO CLIENTE: {b.holder}",
        f"ENDEREÇO: {b.address}",
        f"{b.city} - {b.uf}   CEP: {b.zip_code}",
        _doc(b),
        f"UNIDADE CONSUMIDORA: {b.unit}",
        f"CONTA CONTRATO: {b.account}",
    ]
    for i, line in enumerate(lines):
        p.put(12, 32 + i * 5, line, 8)
    p.frame(130, 28, 68, 28)
    p.put(134, 35, "DATA DE VENCIMENTO", 7)
    p.put(194, 35, _when(b), 9, "B", "R")
    p.put(134, 43, "CONSUMO kWh", 7)
    p.put(194, 43, str(b.kwh), 9, "B", "R")
    p.put(134, 52, "TOTAL R$", 9, "B")
    p.put(194, 52, money(b.total), 12, "B", "R")
    p.bars(12, 66, b, width=120)
    y = p.items(12, 100, b, rng, [90, 30, 32, 34])
    p.tax_box(12, y + 6, b)


def neo_df(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.put(12, 16, "neoenergia", 18, "B", color=(0, 140, 70))
    p.put(12, 22, "NEOENERGIA DISTRIBUIÇÃO BRASÍLIA S.A.", 7)
    p.put(198, 14, "VENCIMENTO", 7, align="R")
    p.put(198, 21, _when(b), 12, "B", "R")
    p.put(12, 34, b.holder, 9, "B")
    p.put(12, 39, f"{b.address} {b.city}-{b.uf} {b.zip_code}", 7.5)
    p.put(12, 43, _doc(b), 7.5)
    p.put(130, 34, f"Código da instalação: {b.unit}", 8, "B")
    p.put(130, 39, f"Competência: {b.month:02d}/{b.year}", 8)
    p.put(130, 43, f"Consumo do mês: {b.kwh} kWh", 8)
    energy = round(b.total - b.taxes["CIP"], 2)
    rows = [
        ["Itens da fatura", "Valor (R$)"],
        ["Energia elétrica consumo", money(energy)],
        ["ICMS (incluso)", money(b.taxes["ICMS"])],
        ["PIS/COFINS (incluso)", money(b.taxes["PIS"] + b.taxes["COFINS"])],
        ["Iluminação pública", money(b.taxes["CIP"])],
        ["TOTAL A PAGAR", money(b.total)],
    ]
    y = p.grid(12, 52, [120, 40], rows, size=8, height=6)
    p.bars(12, y + 8, b, width=150)


def sulgipe(p: Page, b: HeldoutBill, rng: random.Random) -> None:
    p.family = "Courier"
    p.put(12, 14, "COMPANHIA SUL SERGIPANA DE ELETRICIDADE - SULGIPE", 9, "B")
    p.put(12, 19, "CNPJ 13.979.018/0001-10", 8)
    rows = [
        ("CONSUMIDOR", b.holder),
        ("ENDERECO", b.address),
        ("MUNICIPIO", f"{b.city}/{b.uf}"),
        ("CEP", b.zip_code),
        ("CPF/CNPJ", b.document),
        ("INSTALACAO", b.unit),
        ("REFERENCIA", f"{SHORT_MONTHS[b.month].upper()}/{b.year}"),
        ("CONSUMO KWH", str(b.kwh)),
        ("VENCIMENTO", _when(b)),
        ("TOTAL A PAGAR R$", money(b.total)),
    ]
    for i, (label, value) in enumerate(rows):
        p.leader(12, 30 + i * 5.5, 120, label, value, 9)
    y = p.items(12, 92, b, rng, [90, 30, 32, 34])
    p.tax_box(12, y + 6, b)
    p.bars(110, y + 6, b)


LAYOUTS: dict[str, Callable[[Page, HeldoutBill, random.Random], None]] = {
    "edp_es": edp_es,
    "rge": rge,
    "ceee": ceee,
    "enel_sp": enel_sp,
    "energisa_se": energisa_se,
    "equatorial_al": equatorial_al,
    "neo_df": neo_df,
    "sulgipe": sulgipe,
}


def render_pdf(bill: HeldoutBill) -> bytes:
    page = Page()
    LAYOUTS[bill.layout](page, bill, random.Random(f"draw:{bill.layout}:{bill.total}"))
    return bytes(page.output())
