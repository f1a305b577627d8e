"""South and Southeast distributors: Enel RJ, Cemig, CPFL, Light, Copel, Celesc."""

from __future__ import annotations

import random

from tests.bill_layouts.bills import ABBR, MONTH, Bill, brl, qty
from tests.bill_layouts.sheet import Sheet, document_label, energy_items, payment_line, tax_rows


def _enel_rj(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Enel RJ: summary panel on the right with 'Valor a pagar (R$)' and its value underneath."""
    m, y = b.ref
    p.band(0, 0, 210, 14, (0, 80, 160))
    p.t(10, 10, "enel  Distribuição Rio", 14, True, rgb=(255, 255, 255))
    p.t(10, 20, b.legal, 6)
    p.t(10, 32, "DADOS DO CLIENTE", 7, True)
    p.t(10, 37, b.name, 8)
    p.t(10, 41, f"{b.street} - CENTRO")
    p.t(10, 45, f"{b.city}/{b.uf} - CEP: {b.cep}")
    p.t(10, 49, document_label(b))
    p.t(10, 55, f"Unidade consumidora: {b.installation}")
    p.band(135, 26, 65, 48, (235, 240, 250))
    p.t(140, 33, "Valor a pagar (R$)", 8)
    p.t(140, 41, brl(b.total), 16, True)
    p.t(140, 50, "Data de vencimento", 8)
    p.t(140, 56, f"{b.due:%d/%m/%Y}", 11, True)
    p.t(140, 65, "Mês de referência", 8)
    p.t(140, 71, f"{MONTH[m]}/{y}", 10, True)
    items, base = energy_items(b, rng)
    rows = [
        ["Descrição", "Quantidade", "Tarifa c/ trib.", "Valor R$"],
        [
            "Energia ativa fornecida TUSD",
            qty(b.kwh),
            f"{items[0][1] / b.kwh:.5f}".replace(".", ","),
            brl(items[0][1]),
        ],
        [
            "Energia ativa fornecida TE",
            qty(b.kwh),
            f"{items[1][1] / b.kwh:.5f}".replace(".", ","),
            brl(items[1][1]),
        ],
        ["Bandeira tarifária amarela", "", "", brl(items[2][1])],
        ["CIP - Iluminação pública", "", "", brl(b.cip)],
    ]
    end = p.table(10, 86, [70, 30, 30, 30], rows)
    p.table(10, end + 5, [40, 35, 35, 30], tax_rows(b, base))
    p.t(10, 160, "Histórico de consumo (kWh)", 7, True)
    p.bars(10, 164, b.history)
    p.t(10, 275, payment_line(round(b.total * 100), rng), 9)


def _cemig(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Cemig: 'Referente a / Vencimento / Valor a pagar (R$)' boxes, history as a 3-column grid."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 120, 60))
    p.t(60, 14, b.legal, 6)
    p.t(60, 18, "Av. Barbacena, 1200 - Belo Horizonte", 6)
    p.t(12, 30, b.name, 8, True)
    p.t(12, 34, b.street)
    p.t(12, 38, f"{b.cep}  {b.city}  {b.uf}")
    p.boxes(120, 26, [38, 38], [("Nº DO CLIENTE", b.client), ("Nº DA INSTALAÇÃO", b.installation)])
    p.boxes(
        12,
        46,
        [50, 50, 60],
        [
            ("Referente a", f"{ABBR[m]}/{y}"),
            ("Vencimento", f"{b.due:%d/%m/%Y}"),
            ("Valor a pagar (R$)", brl(b.total)),
        ],
        big=11,
    )
    items, base = energy_items(b, rng)
    rows = [
        ["Valores Faturados", "Unid.", "Quant.", "Preço Unit", "Valor (R$)"],
        [
            "Energia Elétrica",
            "kWh",
            qty(b.kwh),
            f"{(items[0][1] + items[1][1]) / b.kwh:.8f}".replace(".", ","),
            brl(items[0][1] + items[1][1]),
        ],
        ["Bandeira Vermelha", "", "", "", brl(items[2][1])],
        ["Contrib Ilum Publica Municipal", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 66, [60, 15, 20, 35, 30], rows)
    p.t(12, end + 4, document_label(b))
    p.t(12, end + 12, "Histórico de Consumo", 7, True)
    for i, (hm, hy, k) in enumerate(b.history):
        p.t(12 + (i // 4) * 45, end + 17 + (i % 4) * 4, f"{ABBR[hm]}/{hy % 100}   {qty(k)} kWh", 6.5)
    p.table(12, end + 40, [40, 35, 35, 30], tax_rows(b, base))
    p.t(12, 272, payment_line(round(b.total * 100), rng), 9)


def _cpfl(p: Sheet, b: Bill, rng: random.Random) -> None:
    """CPFL: inline 'label: value' pairs on two columns, 'Ref:' month, no boxes."""
    m, y = b.ref
    p.t(12, 16, b.brand, 18, True, rgb=(0, 90, 170))
    p.t(12, 21, b.legal, 6)
    p.t(12, 32, f"Cliente: {b.name}", 8)
    p.t(12, 36, f"{b.street} - JD. PRIMAVERA")
    p.t(12, 40, f"{b.city} / {b.uf}   CEP {b.cep}")
    p.t(12, 44, document_label(b))
    p.t(120, 32, f"Código do cliente: {b.client}")
    p.t(120, 36, f"Nº da instalação: {b.installation}")
    p.t(120, 40, f"Ref: {ABBR[m]}/{y}")
    p.t(120, 48, f"TOTAL A PAGAR  R$ {brl(b.total)}", 11, True)
    p.t(120, 54, f"Vencimento: {b.due:%d/%m/%Y}", 9, True)
    p.t(12, 60, f"Consumo kWh  {qty(b.kwh)}", 9)
    p.t(60, 60, f"Média diária  {b.kwh / 30:.1f}".replace(".", ","), 7)
    items, base = energy_items(b, rng)
    rows = [
        ["Descrição do produto", "Quantidade", "Valor (R$)"],
        ["Consumo Uso Sistema [KWh]-TUSD", qty(b.kwh), brl(items[0][1])],
        ["Consumo [KWh]-TE", qty(b.kwh), brl(items[1][1])],
        ["Adicional de Bandeira", "", brl(items[2][1])],
        ["Contribuição de Iluminação Pública", "", brl(b.cip)],
    ]
    end = p.table(12, 70, [80, 30, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    hist = [["Mês", "kWh"]] + [[f"{ABBR[hm]}/{hy % 100}", qty(k)] for hm, hy, k in b.history[:6]]
    p.table(150, 70, [20, 20], hist, size=6.5)
    p.t(12, 270, payment_line(round(b.total * 100), rng), 9)


def _light(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Light: meter readings table (consumption = difference), 'Conta referente a OUTUBRO/2026'."""
    m, y = b.ref
    p.t(12, 17, b.brand, 24, True, rgb=(240, 120, 0))
    p.t(50, 13, b.legal, 6)
    p.t(50, 17, f"Conta referente a {MONTH[m].upper()}/{y}", 8, True)
    p.t(12, 30, "Código do Cliente", 6)
    p.t(12, 34, b.client, 9, True)
    p.t(60, 30, "Instalação", 6)
    p.t(60, 34, b.installation, 9, True)
    p.t(12, 42, b.name, 8, True)
    p.t(12, 46, b.street)
    p.t(12, 50, f"{b.city} - {b.uf}  CEP {b.cep}")
    p.t(12, 54, document_label(b))
    p.band(130, 26, 70, 30, (255, 240, 225))
    p.t(133, 33, "Total a pagar", 8)
    p.t(197, 33, f"R$ {brl(b.total)}", 11, True, right=True)
    p.t(133, 43, "Data de vencimento", 8)
    p.t(197, 43, f"{b.due:%d/%m/%Y}", 10, True, right=True)
    prev = rng.randint(10000, 80000)
    rows = [
        ["Medidor", "Leitura anterior", "Leitura atual", "Constante", "Consumo kWh"],
        [f"A{rng.randint(100000, 999999)}", str(prev), str(prev + b.kwh), "1", qty(b.kwh)],
    ]
    end = p.table(12, 66, [30, 30, 30, 25, 30], rows)
    items, base = energy_items(b, rng)
    rows = [
        ["Itens de fatura", "Quant.", "Valor (R$)"],
        ["Energia TUSD", qty(b.kwh), brl(items[0][1])],
        ["Energia TE", qty(b.kwh), brl(items[1][1])],
        ["Bandeira tarifária", "", brl(items[2][1])],
        ["Iluminação Pública", "", brl(b.cip)],
    ]
    end = p.table(12, end + 6, [60, 25, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    hist = [["Mês/Ano", "Consumo"]] + [[f"{ABBR[hm].lower()}/{hy}", qty(k)] for hm, hy, k in b.history]
    p.table(162, 80, [18, 18], hist, size=6.5, step=3.6)
    p.t(12, 272, payment_line(round(b.total * 100), rng), 9)


def _copel(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Copel: 'UC' and 'Referência: MM/AAAA' inline, due date and total side by side on one row."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 100, 60))
    p.t(60, 14, b.legal, 6)
    p.t(12, 28, f"UC: {b.installation}", 9, True)
    p.t(70, 28, f"Referência: {m:02d}/{y}", 9)
    p.t(12, 36, b.name, 8)
    p.t(12, 40, f"{b.street}  -  {b.cep}  {b.city}/{b.uf}")
    p.t(12, 44, document_label(b))
    p.band(12, 50, 186, 12, (225, 240, 230))
    p.t(15, 58, f"Vencimento  {b.due:%d/%m/%Y}", 10, True)
    p.t(110, 58, f"Total a pagar  R$ {brl(b.total)}", 10, True)
    items, base = energy_items(b, rng)
    rows = [
        ["Produto", "Unid", "Consumo", "Valor unit", "Valor total"],
        [
            "ENERGIA ELET CONSUMO",
            "kWh",
            qty(b.kwh),
            f"{items[0][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[0][1]),
        ],
        [
            "ENERGIA ELET USO SISTEMA",
            "kWh",
            qty(b.kwh),
            f"{items[1][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[1][1]),
        ],
        ["ACRESC. BANDEIRA", "", "", "", brl(items[2][1])],
        ["CONT. ILUMIN. PUBLICA", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 72, [60, 15, 25, 30, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    p.t(12, end + 32, "Consumo dos últimos meses (kWh)", 7, True)
    p.bars(12, end + 36, b.history)
    p.t(12, 272, payment_line(round(b.total * 100), rng), 9)


def _celesc(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Celesc: 'VALOR TOTAL' with a separate R$ column, 'Mês/Ano Ref.', horizontal history line."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 110, 170))
    p.t(12, 21, b.legal, 6)
    p.t(12, 31, "Unidade consumidora", 6)
    p.t(12, 35, b.installation, 9, True)
    p.t(55, 31, "Mês/Ano Ref.", 6)
    p.t(55, 35, f"{ABBR[m]}/{y}", 9, True)
    p.t(12, 44, b.name, 8, True)
    p.t(12, 48, f"{b.street}  {b.city} - {b.uf}  {b.cep}")
    p.t(12, 52, document_label(b))
    p.set_draw_color(0, 0, 0)
    p.rect(130, 26, 70, 28)
    p.t(133, 33, rng.choice(("VENCIMENTO", "Pagável até")), 7)
    p.t(197, 33, f"{b.due:%d/%m/%Y}", 10, True, right=True)
    p.t(133, 45, rng.choice(("VALOR TOTAL", "TOTAL GERAL", "Valor da fatura")), 7)
    p.t(170, 45, "R$", 9)
    p.t(197, 45, brl(b.total), 11, True, right=True)
    p.t(12, 62, f"Consumo em kWh: {qty(b.kwh)}", 8, True)
    items, base = energy_items(b, rng)
    rows = [
        ["Descrição", "Valor (R$)"],
        ["Consumo TUSD", brl(items[0][1])],
        ["Consumo TE", brl(items[1][1])],
        ["Band. Tarif. Amarela", brl(items[2][1])],
        ["COSIP", brl(b.cip)],
    ]
    end = p.table(12, 72, [60, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    p.t(12, end + 30, "Histórico de consumo", 7, True)
    for i, (hm, hy, k) in enumerate(reversed(b.history)):
        p.t(12 + i * 15, end + 35, f"{ABBR[hm]}/{hy % 100}", 6)
        p.t(12 + i * 15, end + 39, qty(k), 6)
    p.t(12, 272, payment_line(round(b.total * 100), rng), 9)


def _elektro(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Elektro (automatic debit): no payment line, so the total is printed once, as the footer of
    the item table ('TOTAL R$'); dot leaders between labels and values; the city as 'CITY (UF)', 'CITY-UF' or
    'CITY, UF'; the history as one line of month/kWh pairs."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 110, 60))
    p.t(12, 21, b.legal, 6)
    p.t(12, 30, b.name, 8, True)
    p.t(12, 34, b.street)
    city = rng.choice((f"{b.city} ({b.uf})", f"{b.city}, {b.uf}", f"{b.city}-{b.uf}"))
    p.t(12, 38, f"CEP {b.cep}  {city}")
    p.t(12, 42, document_label(b))
    pairs = [
        (rng.choice(("Unidade consumidora", "Nº da UC", "Instalação")), b.installation),
        (rng.choice(("Período de referência", "Referência", "Mês de referência")), f"{m:02d}/{y}"),
        (rng.choice(("Vencimento", "Data de vencimento")), f"{b.due:%d/%m/%Y}"),
        (rng.choice(("Energia consumida (kWh)", "Consumo do mês (kWh)")), qty(b.kwh)),
    ]
    for i, (label, value) in enumerate(pairs):  # leaders run up to the value
        leader = "." * max(8, 56 - round(len(label) * 1.6) - len(value))
        p.t(110, 30 + i * 5, f"{label} {leader} {value}", 8)
    items, _ = energy_items(b, rng)
    rows = [
        ["Descrição", "Quant. kWh", "Valor R$"],
        ["Uso do sistema de distribuição TUSD", qty(b.kwh), brl(items[0][1])],
        ["Energia TE", qty(b.kwh), brl(items[1][1])],
        ["Acréscimo bandeira", "", brl(items[2][1])],
        ["Contribuição iluminação pública", "", brl(b.cip)],
        ["TOTAL R$", "", brl(b.total)],
    ]
    end = p.table(12, 60, [90, 30, 35], rows, size=8, step=5)
    p.t(12, end + 6, "Conta em débito automático - não pague este documento.", 8, True)
    hist = "   ".join(f"{ABBR[hm]}/{hy % 100} {qty(k)}" for hm, hy, k in b.history[:6])
    p.t(12, end + 16, "Histórico de consumo (kWh)", 7, True)
    p.t(12, end + 20, hist, 6.5)
