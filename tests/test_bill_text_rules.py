"""OCR text clean-up and layout, consumption history, OCR corroboration and the bill rules."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from agent.ports import BillFields
from bills.checks import BLOCKING, tariff_band, validate_bill
from bills.confidence import corroborate, count_amount
from bills.fields import parse_bill_text
from bills.history import find_average, find_history
from bills.layout import Page
from bills.ocr import layout, normalise_ocr_text
from bills.parties import find_address, find_customer


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("TOTAL 293.24", "TOTAL 293,24"),
        ("R$ 1.845.30", "R$ 1.845,30"),
        ("RS 568,02", "R$ 568,02"),
        ("R5 70.76", "R$ 70,76"),
        ("25/09/2026 10.835.932/0001-08", "25/09/2026 10.835.932/0001-08"),  # dates and CNPJs untouched
        ("0,542030 kWh 1.250", "0,542030 kWh 1.250"),  # tariffs and thousands untouched
    ],
)
def test_normalise_ocr_text(raw: str, clean: str) -> None:
    assert normalise_ocr_text(raw) == clean


def _box(x: float, y: float, w: float, h: float, angle: float = 0.0) -> list[list[float]]:
    rad = math.radians(angle)
    pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    cos, sin = math.cos(rad), math.sin(rad)
    return [[px * cos - py * sin, px * sin + py * cos] for px, py in pts]


@pytest.mark.parametrize("angle", [0.0, 5.0, -6.0])
def test_layout_rebuilds_rows_and_columns_of_a_tilted_page(angle: float) -> None:
    words = [("TOTAL A PAGAR", 600, 100), ("VENCIMENTO", 900, 100), ("R$ 412,37", 600, 140),
             ("10/12/2026", 900, 140), ("NEOENERGIA PERNAMBUCO", 50, 20)]  # fmt: skip
    boxes = np.array([_box(x, y, 12 * len(t), 24, angle) for t, x, y in words])
    page = layout(boxes, [w[0] for w in words], [0.99] * len(words))
    lines = page.text.splitlines()
    assert lines[0].strip() == "NEOENERGIA PERNAMBUCO"
    assert lines[1].split() == ["TOTAL", "A", "PAGAR", "VENCIMENTO"]
    assert lines[2].index("R$") == lines[1].index("TOTAL")  # the value stays under its label
    assert abs(page.angle - angle) < 0.5


NEO_HISTORY = """\
HISTÓRICO DE CONSUMO
MÊS/ANO    CONSUMO kWh    DIAS
AGO/26     541        29
JUL/26     491        30
JUN/26     598        31
"""
ENEL_HISTORY = """\
Histórico de consumo (kWh)
JUN/25   JUL/25    AGO/25   SET/25
1407     996       1282     1264
"""
GRID_HISTORY = """\
Média dos últimos 12 meses: 512 kWh
Consumo dos últimos meses
AGO/26   541 kWh        ABR/26   688 kWh
JUL/26   491 kWh        MAR/26   679 kWh
"""


def test_history_in_rows_horizontal_and_grid() -> None:
    rows, _ = find_history(Page(NEO_HISTORY))
    assert [(h.month, h.kwh) for h in rows] == [("08/2026", 541), ("07/2026", 491), ("06/2026", 598)]
    horizontal, _ = find_history(Page(ENEL_HISTORY))
    assert [(h.month, h.kwh) for h in horizontal][:2] == [("09/2025", 1264), ("08/2025", 1282)]
    grid, _ = find_history(Page(GRID_HISTORY))
    assert len(grid) == 4 and grid[0].month == "08/2026"
    assert find_average(Page(GRID_HISTORY), grid)[0] == 512  # printed average wins
    assert find_average(Page(NEO_HISTORY), rows)[0] == round((541 + 491 + 598) / 3, 1)
    assert find_history(Page("Conta referente a: AGOSTO/2026\nVencimento 10/09/2026"))[0] == []


def test_ocr_total_needs_a_second_witness() -> None:
    text = "TOTAL A PAGAR R$ 412,37\nConsumo kWh 380\nkWh 380 0,51 193,80"
    fields = BillFields(total_amount=412.37, consumption_kwh=380)
    confidence = {"total_amount": 0.9, "consumption_kwh": 0.9}
    corroborate(fields, confidence, text)
    assert confidence == {"total_amount": 0.45, "consumption_kwh": 0.9}
    confidence = {"total_amount": 0.9, "consumption_kwh": 0.9}
    corroborate(fields, confidence, text + "\nTOTAL 412,37")
    assert confidence["total_amount"] == 0.9 and count_amount(text + "\nTOTAL 412.37", 412.37) == 2


@pytest.mark.parametrize(
    "line", ["CPF/CNPJ: 066.***.**-00", "CPF:685.-45", "CPF: 685.*** ***-45", "CPF/CNPJ: 066.***.***-00"]
)
def test_masked_cpf_as_ocr_reads_it(line: str) -> None:
    assert find_customer(Page("MARIA SILVA\n" + line)).document == "***.***.***-**"


GOOD = BillFields(
    distributor="Neoenergia Pernambuco", state="PE", total_amount=412.37, consumption_kwh=380,
    due_date=date(2026, 12, 10), reference_month="11/2026",
)  # fmt: skip


def test_rules_on_a_good_bill_and_on_misreads() -> None:
    today = date(2026, 11, 25)
    assert validate_bill(GOOD, today=today, served_states={"PE", "BA"}) == []
    ten_times = GOOD.model_copy(update={"consumption_kwh": 3800})  # a digit too many
    assert "implausible_price_per_kwh" in validate_bill(ten_times, today=today)
    # R$ 0,41/kWh is possible somewhere in Brazil, not at Neoenergia Pernambuco's tariff
    too_cheap = GOOD.model_copy(update={"consumption_kwh": 1000})
    assert validate_bill(too_cheap, today=today) == ["price_out_of_tariff_range"]
    wrong_uf = GOOD.model_copy(update={"state": "BA"})
    assert "distributor_state_mismatch" in validate_bill(wrong_uf, today=today)
    invented = GOOD.model_copy(update={"distributor": "Companhia de Luz de Atlântida"})
    assert "unknown_distributor" in validate_bill(invented, today=today)


def test_unserved_state_is_flagged_not_blocking() -> None:
    sp = GOOD.model_copy(update={"distributor": "Enel SP", "state": "SP"})
    issues = validate_bill(sp, today=date(2026, 11, 25), served_states={"PE", "BA"})
    assert issues == ["state_not_served"] and not set(issues) & BLOCKING


def test_tariff_band_is_wider_for_small_bills() -> None:
    low_small, high_small = tariff_band("Neoenergia Coelba", 60)
    low_big, high_big = tariff_band("Neoenergia Coelba", 2000)
    assert low_small == low_big and high_small > high_big > 1.02
    assert tariff_band("unknown", 300) == tariff_band(None, 300)


# --- wordings and layouts the first reader missed (issue 18) ---------------------------------

RECEIPT = """\
NEOENERGIA ELEKTRO
MARIA DAS DORES PRADO
RUA DAS ACACIAS, 10
CEP 11410-000  GUARUJA (SP)
Nº da UC.............................3002145-7
Vencimento........................10/11/2026
Consumo do mês (kWh)..................342
Descrição                          Quant.     Valor R$
Uso do sistema TUSD                   342       165,30
Energia TE                            342       135,20
Bandeira                                         10,00
Contribuição iluminação pública                  25,00
TOTAL RS                                        335,50
"""


def test_values_glued_to_dot_leaders_and_a_bare_total_label_are_read() -> None:
    fields, _ = parse_bill_text(RECEIPT)
    assert fields.installation_number == "3002145-7"
    assert fields.due_date == date(2026, 11, 10)
    assert fields.consumption_kwh == 342
    assert fields.total_amount == 335.50
    assert (fields.city, fields.state) == ("Guaruja", "SP")


@pytest.mark.parametrize(
    ("line", "city", "uf"),
    [("ARACAJU (SE)", "Aracaju", "SE"), ("JARDIM ATLANTICO – OLINDA – PE", "Olinda", "PE"),
     ("CEP 57000-000 MACEIO-AL", "Maceio", "AL")],
)  # fmt: skip
def test_city_and_state_in_brackets_or_after_a_dash(line: str, city: str, uf: str) -> None:
    address = find_address(Page(f"RUA DA AURORA, 12\n{line}"))
    assert (address.city, address.state) == (city, uf)


def test_a_total_printed_once_is_confirmed_only_by_items_that_add_up_to_it() -> None:
    fields = BillFields(total_amount=335.50, consumption_kwh=342)
    confidence = {"total_amount": 0.9, "consumption_kwh": 0.9}
    corroborate(fields, confidence, RECEIPT)
    assert confidence["total_amount"] == 0.9  # 165,30 + 135,20 + 10,00 + 25,00 = 335,50
    misread = RECEIPT.replace("135,20", "135,28")  # one item misread: the sum no longer confirms it
    confidence = {"total_amount": 0.9, "consumption_kwh": 0.9}
    corroborate(fields, confidence, misread)
    assert confidence["total_amount"] < 0.5
    wrong_total = BillFields(total_amount=385.50, consumption_kwh=342)  # the total itself misread
    confidence = {"total_amount": 0.9, "consumption_kwh": 0.9}
    corroborate(wrong_total, confidence, RECEIPT.replace("335,50", "385,50"))
    assert confidence["total_amount"] < 0.5


@pytest.mark.parametrize(
    "line",
    ["Instalação ........ 3002145", "Instalação........3002145", "Instalação     .3002145",
     "Instalação . . . . . 3002145", "Instalação ……… 3002145"],
)  # fmt: skip
def test_dot_leaders_as_printed_and_as_ocr_leaves_them_are_blanked(line: str) -> None:
    fields, _ = parse_bill_text(line)
    assert fields.installation_number == "3002145"
    assert len(Page(line).lines[0]) == len(line)  # blanks of the same width: columns stay put


def test_a_masked_cpf_keeps_its_dots() -> None:
    assert Page("CPF: …….303-").lines == ["CPF: …….303-"]


def test_a_currency_read_as_rs_in_brackets_is_no_state() -> None:
    header = "Tributo   Base de cálculo (RS)   Alíquota (%)   Valor (RS)"
    assert find_address(Page(header)).state is None
    address = find_address(Page("RUA DOS ANDRADAS, 100\nPORTO ALEGRE (RS)  CEP 90010-000"))
    assert (address.city, address.state) == ("Porto Alegre", "RS")


def test_words_on_top_of_each_other_are_two_lines_even_when_their_heights_are_close() -> None:
    # a name over its street, left at nearly one height by the tilt: not one line "STREET NAME"
    words = [("JOSE CARLOS PEREIRA", 50, 100), ("TRAVESSA SAO JOAO, 1267", 52, 108), ("6491694619", 700, 102)]
    boxes = np.array([_box(x, y, 12 * len(t), 24) for t, x, y in words])
    lines = layout(boxes, [w[0] for w in words], [0.99] * len(words)).text.splitlines()
    assert [line.split()[0] for line in lines] == ["JOSE", "TRAVESSA"]
    assert "6491694619" in lines[0]  # a word beside the name still joins its line
