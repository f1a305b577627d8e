"""Bill text -> fields: number/date parsing, distributors, masking, label anchoring, validation."""

from __future__ import annotations

from datetime import date

import pytest

from agent.ports import BillFields
from bills.fields import looks_like_bill, parse_bill_text, parse_brl, parse_date, validate_bill
from bills.layout import barcode_amount, make_arrecadacao_line
from bills.parties import uf_from_cep
from bills.patterns import distributor_by_name, find_distributor, mask_document, parse_month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1234.56),
        ("1234,56", 1234.56),
        ("70.76", 70.76),
        ("R$ 380,00", 380.0),
        ("R$380", 380.0),
        ("R$ 1.234", 1234.0),
        ("1,234.56", 1234.56),
        ("25,00-", -25.0),
        ("12.345.678,90", 12345678.90),
        ("0,50", 0.5),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_brl(text: str | None, expected: float | None) -> None:
    assert parse_brl(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vencimento: 15/03/2026", date(2026, 3, 15)),
        ("15/03/26", date(2026, 3, 15)),
        ("05.11.2025", date(2025, 11, 5)),
        ("31/02/2026", None),
        ("sem data", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/2026", "03/2026"),
        ("MARÇO/2026", "03/2026"),
        ("mar/26", "03/2026"),
        ("dezembro de 2025", "12/2025"),
        ("15/03/2026", None),
        ("outros 25", None),
    ],
)
def test_parse_month(text: str, expected: str | None) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        ("NEOENERGIA PERNAMBUCO", "Neoenergia Pernambuco", "PE"),
        ("Companhia Energética de Pernambuco - CELPE", "Neoenergia Pernambuco", "PE"),
        ("COELBA", "Neoenergia Coelba", "BA"),
        ("Neoenergia Cosern", "Neoenergia Cosern", "RN"),
        ("Enel Distribuição Ceará", "Enel CE", "CE"),
        ("COELCE", "Enel CE", "CE"),
        ("Energisa Paraíba", "Energisa Paraíba", "PB"),
        ("EQUATORIAL ALAGOAS", "Equatorial Alagoas", "AL"),
        ("Energisa Sergipe", "Energisa Sergipe", "SE"),
        ("Equatorial Piaui", "Equatorial Piauí", "PI"),
        ("CEMAR", "Equatorial Maranhão", "MA"),
        ("Enel Distribuição São Paulo", "Enel SP", "SP"),
        ("LIGHT SERVIÇOS DE ELETRICIDADE S.A.", "Light", "RJ"),
        ("CEMIG DISTRIBUIÇÃO S.A.", "Cemig", "MG"),
        ("Copel", "Copel", "PR"),
        ("CPFL Paulista", "CPFL Paulista", "SP"),
    ],
)
def test_distributor_names_and_aliases(text: str, name: str, state: str) -> None:
    dist = distributor_by_name(text)
    assert dist is not None
    assert (dist.name, dist.state) == (name, state)


def test_family_name_alone_is_resolved_by_the_address_state() -> None:
    dist, conf = find_distributor("ENERGISA  fatura de energia", state_hint="SE")
    assert dist is not None and dist.name == "Energisa Sergipe"
    assert conf < 0.9
    assert find_distributor("Neoenergia")[0] is None  # ambiguous without a state
    assert find_distributor("Banco do Brasil S.A.")[0] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CPF: 123.456.789-09", "***.456.789-**"),
        ("12345678909", "***.456.789-**"),
        ("123.***.***-09", "***.***.***-**"),
        ("CNPJ 12.345.678/0001-90", "**.345.678/0001-**"),
        ("sem documento", None),
    ],
)
def test_mask_document(text: str, expected: str | None) -> None:
    assert mask_document(text) == expected


def test_cep_ranges() -> None:
    assert uf_from_cep("50050-902") == "PE"
    assert uf_from_cep("60310-000") == "CE"
    assert uf_from_cep("01310-100") == "SP"
    assert uf_from_cep("123") is None


def test_barcode_round_trip_and_check_digits() -> None:
    line = make_arrecadacao_line(380.0)
    assert barcode_amount(line) == 380.0
    broken = line[:-1] + str((int(line[-1]) + 1) % 10)
    assert barcode_amount(broken) is None


LABEL_BELOW = """
NEOENERGIA PERNAMBUCO
Companhia Energética de Pernambuco CNPJ 10.835.932/0001-08
Av. João de Barros, 111 - Boa Vista - Recife - PE  CEP 50050-902
MARIA DA SILVA SANTOS                    REF: MÊS/ANO     TOTAL A PAGAR     VENCIMENTO
RUA DAS FLORES, 123 - APTO 101             02/2026        R$ 380,00        15/03/2026
BOA VIAGEM
51020-000 JABOATÃO DOS GUARARAPES - PE
CPF: 123.456.789-09        CLASSIFICAÇÃO: B1 RESIDENCIAL
Nº DA INSTALAÇÃO: 7012345678
HISTÓRICO DE CONSUMO
MÊS/ANO   CONSUMO kWh   VALOR (R$)
JAN/26    312           401,10
DEZ/25    290           377,00
NOV/25    305           389,90
Consumo-TUSD   kWh  350   0,512345   179,32
ICMS 20,50% 75,00  Contrib Ilum Publica 25,00
Consumo kWh  350
"""


def test_fields_are_anchored_on_labels_not_on_the_first_amount() -> None:
    fields, conf = parse_bill_text(LABEL_BELOW)
    assert fields.total_amount == 380.0
    assert fields.consumption_kwh == 350.0
    assert fields.due_date == date(2026, 3, 15)
    assert fields.reference_month == "02/2026"
    assert fields.distributor == "Neoenergia Pernambuco"
    assert fields.customer_name == "Maria da Silva Santos"
    assert fields.document_masked == "***.456.789-**"
    assert fields.city == "Jaboatão dos Guararapes"
    assert fields.state == "PE"
    assert fields.installation_number == "7012345678"
    assert fields.consumer_class == "residencial"
    assert conf["total_amount"] >= 0.7 and conf["consumption_kwh"] >= 0.7


INLINE = """
Enel Distribuição Ceará          COMPANHIA ENERGETICA DO CEARA CNPJ 07.047.251/0001-70
Cliente: JOSÉ CARLOS PEREIRA
Endereço: Rua Padre Cícero, 45, Centro   CEP 60310-000 Fortaleza/CE
CPF/CNPJ: 987.654.321-00
Unidade Consumidora: 0123456-7      Classe: Comercial
Mês de referência: Setembro/2025
Leitura anterior: 10000   Leitura atual: 10420
Tarifa TE R$/kWh 0,31  Média 12 meses 398 kWh
Valor total a pagar R$ 1.234,56   Data de vencimento 10/10/2025
Valor total dos tributos R$ 300,00
"""


def test_inline_labels_and_reading_difference() -> None:
    fields, conf = parse_bill_text(INLINE)
    assert fields.total_amount == 1234.56
    assert fields.consumption_kwh == 420.0  # from the meter readings; the 398 kWh average is a distractor
    assert fields.due_date == date(2025, 10, 10)
    assert fields.reference_month == "09/2025"
    assert (fields.distributor, fields.city, fields.state) == ("Enel CE", "Fortaleza", "CE")
    assert fields.customer_name == "José Carlos Pereira"
    assert fields.document_masked == "***.654.321-**"
    assert fields.installation_number == "0123456-7"
    assert fields.consumer_class == "comercial"
    assert conf["consumption_kwh"] < 0.9  # only one weak source


def test_a_total_contradicted_by_the_barcode_gets_low_confidence() -> None:
    text = LABEL_BELOW + "\n" + make_arrecadacao_line(412.50) + "\n"
    fields, conf = parse_bill_text(text)
    assert fields.total_amount == 380.0
    assert conf["total_amount"] <= 0.3
    agreeing, conf_ok = parse_bill_text(LABEL_BELOW + "\n" + make_arrecadacao_line(380.0) + "\n")
    assert agreeing.total_amount == 380.0 and conf_ok["total_amount"] >= 0.95


def test_implausible_price_lowers_confidence() -> None:
    text = LABEL_BELOW.replace("R$ 380,00", "R$ 38.000,00")
    fields, conf = parse_bill_text(text)
    assert fields.total_amount == 38000.0
    assert conf["total_amount"] <= 0.4
    assert "implausible_price_per_kwh" in validate_bill(fields)


def test_validate_bill_seed_rules_and_plausibility() -> None:
    good = BillFields(
        total_amount=380.0,
        consumption_kwh=350,
        due_date=date(2026, 3, 15),
        reference_month="02/2026",
        distributor="Neoenergia Pernambuco",
        state="PE",
    )
    assert validate_bill(good, today=date(2026, 3, 1)) == []
    assert "missing_distributor" in validate_bill(good.model_copy(update={"distributor": None}))
    assert "total_too_low" in validate_bill(good.model_copy(update={"total_amount": 50.0}))
    assert "consumption_not_positive" in validate_bill(good.model_copy(update={"consumption_kwh": 0}))
    assert validate_bill(BillFields()) == ["missing_total", "missing_consumption"]
    far = good.model_copy(update={"due_date": date(2031, 3, 15)})
    assert "implausible_due_date" in validate_bill(far, today=date(2026, 3, 1))
    mismatch = good.model_copy(update={"due_date": date(2026, 12, 15)})
    assert "implausible_due_date" in validate_bill(mismatch, today=date(2026, 3, 1))


def test_looks_like_bill() -> None:
    assert looks_like_bill(LABEL_BELOW)
    assert looks_like_bill(INLINE)
    boleto = "Banco X  Beneficiário: Loja Ltda  Vencimento 10/04/2026  Valor do documento R$ 380,00  Pagador"
    assert not looks_like_bill(boleto)
    assert not looks_like_bill("Prezado cliente, sua matrícula foi confirmada. Mensalidade R$ 380,00.")
    assert not looks_like_bill("")


def test_document_is_never_returned_unmasked() -> None:
    fields, _ = parse_bill_text(INLINE)
    assert fields.document_masked is not None
    assert "987" not in fields.document_masked and "00" not in fields.document_masked.split("-")[-1]


OCR_STYLE = """
ENERGISA
Energisa Paraíba - Distribuidora de Energia S.A.  CNPJ 09.095.183/0001-40
Nome: PADARIA PAO QUENTE LTDA
CNPJ: 12.345.678/0001-95
Endereço: AV EPITACIO PESSOA 1200, TAMBAUZINHO
JOAO PESSOA PB 58030-001
Matrícula: 5/123456-7     Classe/Subclasse: Comercial / Outros serviços
Referência  Vencimento   Valor Total
JUL/2025    18/08/2025   R$ 1.845.30
Consumo Ativo (kWh)   1.560
Histórico: JUN/25 1.480  MAI/25 1.390 ABR/25 1.600
ICMS 18% 332.15   PIS 1.10% 20.30  COFINS 5.08% 93.74   COSIP 45.00
"""

NO_LABELS_FOR_PARTY = """
CEMIG DISTRIBUIÇÃO S.A.   CNPJ 06.981.180/0001-16
Av. Barbacena, 1200 - Santo Agostinho - Belo Horizonte - MG - CEP 30190-131
ANA PAULA FERREIRA
R JOAO PINHEIRO 45 AP 302
FUNCIONARIOS
30130-180 UBERLANDIA MG
Nº DA INSTALAÇÃO        Nº DO CLIENTE        Referente a        Vencimento        Valor a pagar (R$)
3001234567              7001234567           OUT/2025           10/11/2025        312,45
Classe: Residencial Bifásico B1
Energia Elétrica kWh 260 0,95612 248,59
Contrib Ilum Publica Municipal 18,86
Histórico de Consumo  SET/25 255  AGO/25 270  JUL/25 290
"""


def test_ocr_style_decimals_company_customer_and_column_box() -> None:
    fields, _ = parse_bill_text(OCR_STYLE)
    assert fields.total_amount == 1845.30
    assert fields.consumption_kwh == 1560.0
    assert (fields.distributor, fields.city, fields.state) == ("Energisa Paraíba", "Joao Pessoa", "PB")
    assert fields.customer_name == "Padaria Pao Quente Ltda"
    assert fields.document_masked == "**.345.678/0001-**"
    assert fields.installation_number == "5/123456-7"
    assert (fields.reference_month, fields.due_date) == ("07/2025", date(2025, 8, 18))
    assert fields.consumer_class == "comercial"


def test_distributor_cnpj_and_address_are_not_the_customers() -> None:
    fields, _ = parse_bill_text(NO_LABELS_FOR_PARTY)
    assert fields.document_masked is None  # the only CNPJ on the page is Cemig's own
    assert fields.customer_name == "Ana Paula Ferreira"
    assert (fields.city, fields.state) == ("Uberlandia", "MG")
    assert fields.installation_number == "3001234567"
    assert fields.consumption_kwh == 260.0  # from the energy line item, not the history
    assert fields.total_amount == 312.45
    assert fields.reference_month == "10/2025"
