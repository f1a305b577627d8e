"""North, Northeast and Centre-West distributors: Enel CE, Equatorial, Energisa, Neoenergia."""

from __future__ import annotations

import random

from tests.bill_layouts.bills import ABBR, MONTH, Bill, brl, qty
from tests.bill_layouts.sheet import Sheet, document_label, energy_items, payment_line, tax_rows


def _enel_ce(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Enel CE: magenta brand, customer top left, number boxes top right, item table, history table."""
    m, y = b.ref
    p.t(12, 18, b.brand, 22, True, rgb=(200, 0, 120))
    p.t(12, 24, b.legal, 6)
    p.t(12, 34, b.name, 8, True)
    p.t(12, 38, b.street)
    p.t(12, 42, f"CEP {b.cep}  {b.city} - {b.uf}")
    p.t(12, 46, document_label(b))
    p.boxes(110, 28, [45, 45], [("Nº DO CLIENTE", b.client), ("Nº DA INSTALAÇÃO", b.installation)])
    p.boxes(
        12,
        54,
        [60, 60, 66],
        [
            ("CONTA MÊS", f"{ABBR[m]}/{y}"),
            ("VENCIMENTO", f"{b.due:%d/%m/%Y}"),
            ("TOTAL A PAGAR", f"R$ {brl(b.total)}"),
        ],
        big=11,
    )
    items, base = energy_items(b, rng)
    rows = [["Itens da Fatura", "Unid.", "Quant.", "Preço unit. (R$)", "Valor (R$)"]]
    for code, value in items[:2]:
        rows.append(
            [
                f"Consumo Ativo(kWh)-{code}",
                "kWh",
                qty(b.kwh),
                f"{value / b.kwh:.6f}".replace(".", ","),
                brl(value),
            ]
        )
    rows += [
        ["Adicional Bandeira", "", "", "", brl(items[2][1])],
        ["Contrib Ilum Pub", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 76, [62, 16, 22, 34, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    hist = [["MÊS/ANO", "CONSUMO kWh", "DIAS"]] + [
        [f"{ABBR[hm]}/{hy}", qty(k), "30"] for hm, hy, k in b.history
    ]
    p.table(140, 100, [22, 24, 12], hist, size=6.5, step=3.6)
    p.t(12, 270, payment_line(round(b.total * 100), rng), 9)


def _equatorial(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Equatorial: 'TOTAL DA FATURA', 'DATA DE VENCIMENTO', 'MÊS/ANO' in a band; bar-chart history."""
    m, y = b.ref
    p.band(0, 0, 210, 16, (0, 60, 130))
    p.t(10, 11, b.brand, 15, True, rgb=(255, 255, 255))
    p.t(10, 22, b.legal, 6)
    p.t(10, 32, "UNIDADE CONSUMIDORA", 6)
    p.t(10, 37, b.installation, 10, True)
    p.t(60, 32, "CONTA CONTRATO", 6)
    p.t(60, 37, b.client, 10, True)
    p.t(10, 46, b.name, 8, True)
    p.t(10, 50, f"{b.street}, BAIRRO CENTRO")
    p.t(10, 54, f"{b.cep} - {b.city} - {b.uf}")
    p.t(10, 58, document_label(b))
    p.boxes(
        10,
        64,
        [48, 62, 62],
        [
            ("MÊS/ANO", f"{m:02d}/{y}"),
            ("DATA DE VENCIMENTO", f"{b.due:%d/%m/%Y}"),
            ("TOTAL DA FATURA", f"R$ {brl(b.total)}"),
        ],
        big=11,
    )
    items, base = energy_items(b, rng)
    p.t(10, 84, f"Consumo faturado (kWh): {qty(b.kwh)}", 8, True)
    rows = [
        ["Descrição", "Quant.", "Tarifa", "Valor Total"],
        ["CONSUMO TUSD", qty(b.kwh), f"{items[0][1] / b.kwh:.6f}".replace(".", ","), brl(items[0][1])],
        ["CONSUMO TE", qty(b.kwh), f"{items[1][1] / b.kwh:.6f}".replace(".", ","), brl(items[1][1])],
        ["ADC BANDEIRA", "", "", brl(items[2][1])],
        ["COSIP MUNICIPAL", "", "", brl(b.cip)],
    ]
    end = p.table(10, 92, [60, 25, 30, 30], rows)
    p.table(10, end + 5, [40, 35, 35, 30], tax_rows(b, base))
    p.t(10, end + 30, "HISTÓRICO DE CONSUMO - kWh", 7, True)
    p.bars(10, end + 34, b.history)
    p.t(10, 272, payment_line(round(b.total * 100), rng), 9)


def _energisa(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Energisa: 'Vence em', 'Valor a pagar', 'Fatura de outubro/2026', 'Consumo no período'."""
    m, y = b.ref
    p.band(0, 0, 70, 297, (240, 245, 235))
    p.t(8, 16, b.brand, 18, True, rgb=(0, 140, 90))
    p.t(8, 30, "Valor a pagar", 8)
    p.t(8, 37, f"R$ {brl(b.total)}", 14, True)
    p.t(8, 47, "Vence em", 8)
    p.t(8, 53, f"{b.due:%d/%m/%Y}", 12, True)
    p.t(
        8,
        64,
        rng.choice(
            (
                f"Fatura de {MONTH[m].lower()}/{y}",
                f"Conta de {MONTH[m].lower()}/{y}",
                f"Competência: {m:02d}/{y}",
            )
        ),
        8,
    )
    p.t(8, 74, "Matrícula", 6)
    p.t(8, 78, b.installation, 9, True)
    p.t(8, 86, rng.choice(("Consumo no período", "Consumo do período", "Energia ativa (kWh)")), 6)
    p.t(8, 91, f"{qty(b.kwh)} kWh", 11, True)
    p.t(76, 14, b.legal, 6)
    p.t(76, 26, b.name, 8, True)
    p.t(76, 30, b.street)
    p.t(76, 34, f"{b.city} - {b.uf}, {b.cep}")
    p.t(76, 38, document_label(b))
    items, base = energy_items(b, rng)
    rows = [
        ["Itens", "Qtd", "Valor R$"],
        ["Energia Ativa TUSD kWh", qty(b.kwh), brl(items[0][1])],
        ["Energia Ativa TE kWh", qty(b.kwh), brl(items[1][1])],
        ["Bandeira", "", brl(items[2][1])],
        ["Contrib. Custeio IP-CIP", "", brl(b.cip)],
    ]
    end = p.table(76, 50, [60, 25, 30], rows)
    p.table(76, end + 6, [30, 30, 30, 25], tax_rows(b, base))
    hist = [["Mês", "kWh", "Dias"]] + [[f"{ABBR[hm]}/{hy}", qty(k), "30"] for hm, hy, k in b.history]
    p.table(76, end + 30, [25, 20, 15], hist, size=6.5, step=3.6)
    p.t(8, 272, payment_line(round(b.total * 100), rng), 9)


def _neoenergia(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Neoenergia (receipt style): dotted leaders between label and value."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 150, 70))
    p.t(12, 21, b.legal, 6)
    p.t(12, 30, f"{b.name}  -  {document_label(b)}", 8)
    p.t(12, 34, f"{b.street}, {b.city}-{b.uf}, CEP {b.cep}")
    rows = [
        ("Nº da instalação", b.installation),
        ("Conta contrato", b.client),
        ("Mês de referência", f"{m:02d}/{y}"),
        ("Data de vencimento", f"{b.due:%d/%m/%Y}"),
        ("Consumo kWh", qty(b.kwh)),
        ("Total a pagar", f"R$ {brl(b.total)}"),
    ]
    for i, (label, value) in enumerate(rows):
        p.t(12, 46 + i * 6, label + " " + "." * (70 - len(label) * 2), 9)
        p.t(120, 46 + i * 6, value, 9, True, right=True)
    items, base = energy_items(b, rng)
    rows2 = [
        ["Descrição", "Quant.", "Valor (R$)"],
        ["Consumo TUSD", qty(b.kwh), brl(items[0][1])],
        ["Consumo TE", qty(b.kwh), brl(items[1][1])],
        ["Bandeira tarifária", "", brl(items[2][1])],
        ["Ilum. Pública Municipal", "", brl(b.cip)],
    ]
    end = p.table(12, 92, [60, 25, 30], rows2)
    p.table(12, end + 6, [40, 35, 35, 30], tax_rows(b, base))
    hist = [["Mês", "kWh"]] + [[f"{ABBR[hm]}/{hy % 100}", qty(k)] for hm, hy, k in b.history]
    p.table(150, 40, [20, 20], hist, size=6.5, step=3.6)
    p.t(12, 272, payment_line(round(b.total * 100), rng), 9)
