"""Labels and address forms the first layouts did not print (issue 18, third pass): the due date,
the reference month and the total in other words, a state spelt out, a labelled city whose UF is
on another line, a city after its CEP with no UF. Phrasings here are not the generator's."""

from __future__ import annotations

from datetime import date

import pytest

from bills.confidence import priced_line_agrees
from bills.fields import parse_bill_text
from bills.layout import Page
from bills.parties import find_address, find_customer
from bills.patterns import fold, parse_month


def _bill(*lines: str) -> str:
    """A small bill around the lines under test (kWh and a distributor so it parses as a bill)."""
    return "\n".join(
        (
            "NEOENERGIA PERNAMBUCO",
            "MARIA JOSE DO NASCIMENTO",
            *lines,
            "Energia elétrica consumo kWh   212   0,91   192,92",
        )
    )


@pytest.mark.parametrize(
    "line",
    [
        "Venc.: 12/03/2026",
        "VENCTO 12/03/2026",
        "Vence dia 12/03/2026",
        "vence no dia 12/03/2026",
        "DATA VENCTO.  12/03/2026",
    ],
)
def test_due_date_under_abbreviated_labels(line: str) -> None:
    fields, _ = parse_bill_text(_bill(line))
    assert fields.due_date == date(2026, 3, 12)


@pytest.mark.parametrize(
    "lines",
    [
        ("Mês de faturamento: MAR.2026",),
        ("Faturamento   03-2026",),
        ("mês faturado: Março 2026",),
        ("FATURA DO MÊS - MAR-26",),
        ("  MÊS            VENCIMENTO", "  MAR / 2026     12/04/2026"),
    ],
)
def test_reference_month_under_billing_words(lines: tuple[str, ...]) -> None:
    fields, _ = parse_bill_text(_bill(*lines))
    assert fields.reference_month == "03/2026"


def test_a_history_column_headed_mes_does_not_beat_the_labelled_month() -> None:
    fields, _ = parse_bill_text(
        _bill("Mês      kWh", "FEV/2026  230", "JAN/2026  244", "DEZ/2025  251", "", "Referência: MAR/2026")
    )
    assert fields.reference_month == "03/2026"


@pytest.mark.parametrize(
    ("text", "month"), [("OUT.2026", "10/2026"), ("out. 26", "10/2026"), ("10-2026", "10/2026")]
)
def test_month_forms(text: str, month: str) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "line",
    [
        "Valor a ser pago: R$ 312,40",
        "VALOR DESTA CONTA   312,40",
        "Total desta fatura (R$) 312,40",
        "valor a ser debitado em conta: 312,40",
    ],
)
def test_total_under_other_wordings(line: str) -> None:
    fields, _ = parse_bill_text(_bill("Total dos tributos: 41,10", line))
    assert fields.total_amount == 312.40


@pytest.mark.parametrize(
    ("lines", "city", "uf"),
    [
        (("R. do Sol, 88 - Maurício de Nassau", "CARUARU - PERNAMBUCO"), "Caruaru", "PE"),
        (("Av. Central 10, Petrolina/Pernambuco, CEP 56300-000",), "Petrolina", "PE"),
        (("Rua Nova, 5", "Município: Garanhuns", "UF: PE   CEP 55290-000"), "Garanhuns", "PE"),
        (("Rua Nova, 5  Bairro Heliópolis", "55290-000   GARANHUNS"), "Garanhuns", "PE"),
        (("CEP 01310-100 - SÃO PAULO",), "São Paulo", "SP"),
        (("Rua Onze, 4, Cidade Nova", "CEP: 69095-000 - MANAUS/AM"), "Manaus", "AM"),
        (("Trav. Bela Vista 3 - Vila Rica", "CEP 68900-000 MACAPÁ (AMAPÁ)"), "Macapá", "AP"),
    ],
)
def test_city_and_state_in_other_address_forms(lines: tuple[str, ...], city: str, uf: str) -> None:
    address = find_address(Page("\n".join(lines)))
    assert (address.city, address.state) == (city, uf)


# --- what a photo loses: a label under a shadow, a decimal comma read as a point ----------------


def test_the_billing_month_alone_beside_the_due_date_when_its_label_was_not_read() -> None:
    # the label 'Referente a' lost under a shadow, or misread ('Reforente a')
    for header in (
        "                      Vencimento          Valor a pagar",
        "Reforente a    Vencimento   Valor a pagar",
    ):
        fields, conf = parse_bill_text(_bill(header, "  SET/2026        14/10/2026         R$ 192,92"))
        assert fields.reference_month == "09/2026"
        assert conf["reference_month"] < 0.9  # found without its label: less sure


def test_a_lone_month_is_not_taken_from_history_rows_or_when_two_disagree() -> None:
    history = ("Histórico  AGO/26 301 kWh   JUL/26 288 kWh", "JUN/2026   276")
    fields, _ = parse_bill_text(_bill("Vencimento: 14/10/2026", *history))
    assert fields.reference_month is None
    fields, _ = parse_bill_text(_bill("Vencimento: 14/10/2026", "SET/2026", "   AGO/2026"))
    assert fields.reference_month is None


def test_a_kwh_printed_once_is_confirmed_by_its_priced_line_when_ocr_reads_the_comma_as_a_point() -> None:
    text = _bill("Vencimento 14/10/2026", "Energia Elétrica    kWh   2.080   0.89478846   1.861,16")
    assert priced_line_agrees(text, 2080.0)
    assert not priced_line_agrees(text.replace("1.861,16", "1.816,16"), 2080.0)


def test_fold_strips_accents_and_keeps_the_length() -> None:
    text = "MÊS/ANO Março São JOÃO ﬁ – R$ 1.234,56"
    assert fold(text) == "mes/ano marco sao joao f – r$ 1.234,56"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("line", ["CPF/CNPJ: ..834/0001-", "CNPJ: ** *** 834 0001 **", "cnpj …….834/000l-"])
def test_a_masked_cnpj_as_ocr_garbles_it_is_still_a_company(line: str) -> None:
    customer = find_customer(Page("PADARIA BOM PAO LTDA\n" + line))
    assert customer.document is not None and "/" in customer.document


def test_the_distributors_whole_cnpj_is_no_masked_customer_cnpj() -> None:
    page = Page("CEMIG DISTRIBUIÇÃO S.A.\nCNPJ: 06.981.180/0001-16\nJOSE DA SILVA\nCPF: ilegível")
    assert find_customer(page).document is None


@pytest.mark.parametrize("line", ["CPF:…….923.", "CPF: ......923.", "CPF . . . 481 .", "CNPJ/CPF….967-"])
def test_a_masked_cpf_whose_dash_ocr_read_as_a_dot_is_still_a_person(line: str) -> None:
    assert find_customer(Page("MARIA DA SILVA\n" + line)).document == "***.***.***-**"
