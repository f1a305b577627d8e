"""Page layouts of the synthetic bills: one per distributor family, with small per-bill variants.

Neoenergia-like: boxes with labels above values, customer block beside the summary box, history table
beside the items. Enel-like: "label: value" lines, horizontal history. Equatorial/Energisa-like:
two-column summary, consumption with its unit, address under its own label.
"""

from __future__ import annotations

from fpdf import FPDF

from bills.layout import make_arrecadacao_line
from bills.patterns import MONTH_NAMES_PT
from demo.bill_specs import BillSpec, bill_items, brl, masked_cpf_as_printed

LEGAL = {
    "Neoenergia Pernambuco": ("Companhia Energética de Pernambuco", "10.835.932/0001-08"),
    "Neoenergia Coelba": ("Companhia de Eletricidade do Estado da Bahia", "15.139.629/0001-94"),
    "Neoenergia Cosern": ("Companhia Energética do Rio Grande do Norte", "08.324.196/0001-81"),
    "Enel CE": ("Companhia Energética do Ceará", "07.047.251/0001-70"),
    "Enel SP": ("Eletropaulo Metropolitana Eletricidade de São Paulo S.A.", "61.695.227/0001-93"),
}
CLASS_CODE = {"residencial": "B1", "rural": "B2", "comercial": "B3", "industrial": "B3"}


class _Page(FPDF):
    def put(self, x: float, y: float, text: str, size: float = 8, bold: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.text(x, y, text)


def _new_page() -> _Page:
    pdf = _Page(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    return pdf


def _legal(spec: BillSpec) -> tuple[str, str]:
    return LEGAL.get(
        spec.distributor, (f"{spec.distributor} Distribuidora de Energia S.A.", "00.000.000/0001-91")
    )


def _month_name(ref: str) -> str:
    month, year = ref.split("/")
    return f"{MONTH_NAMES_PT[int(month)].upper()}/{year}"


def _taxes(pdf: _Page, spec: BillSpec, x: float, y: float) -> None:
    base = spec.total_amount - spec.cip
    pdf.put(x, y, "TRIBUTOS        BASE DE CÁLCULO (R$)     ALÍQUOTA (%)     VALOR (R$)", 7, True)
    for k, (name, rate) in enumerate((("ICMS", 0.205), ("PIS/PASEP", 0.0098), ("COFINS", 0.0452))):
        pdf.put(x, y + 4 + 4 * k, name, 7)
        pdf.put(x + 28, y + 4 + 4 * k, brl(base), 7)
        pdf.put(x + 62, y + 4 + 4 * k, f"{rate * 100:.2f}".replace(".", ","), 7)
        pdf.put(x + 88, y + 4 + 4 * k, brl(base * rate), 7)


def _items(pdf: _Page, spec: BillSpec, x: float, y: float, header: str) -> float:
    pdf.put(x, y, header, 7, True)
    for desc, unit, qty, price, value in bill_items(spec):
        y += 4
        pdf.put(x, y, desc, 7)
        pdf.put(x + 50, y, unit, 7)
        pdf.put(x + 58, y, qty, 7)
        pdf.put(x + 70, y, price, 7)
        pdf.put(x + 92, y, brl(value) + ("-" if value < 0 else ""), 7)
    return y


def _barcode(pdf: _Page, spec: BillSpec, y: float) -> None:
    pdf.put(
        10, y, make_arrecadacao_line(spec.total_amount, free=spec.installation_number.replace("-", "")), 10
    )


# --- Neoenergia -----------------------------------------------------------------------------


def _neo_readings(pdf: _Page, spec: BillSpec) -> None:
    prev, curr, nxt = (d.strftime("%d/%m/%Y") for d in spec.reading_dates)
    pdf.put(10, 76, "LEITURA ANTERIOR      LEITURA ATUAL      Nº DE DIAS      PRÓXIMA LEITURA", 7, True)
    pdf.put(10, 80, f"{prev}                {curr}                 30                    {nxt}", 7)
    for x, label in (
        (10, "MEDIDOR"),
        (30, "GRANDEZA"),
        (57, "LEIT. ANTERIOR"),
        (84, "LEIT. ATUAL"),
        (108, "CONSTANTE"),
        (130, "CONSUMO kWh"),
    ):
        pdf.put(x, 88, label, 7, True)
    pdf.put(10, 92, f"A{spec.client_number[:6]}     ENERGIA ATIVA", 7)
    for x, value in (
        (57, spec.reading_previous),
        (84, spec.reading_current),
        (108, 1),
        (130, spec.consumption_kwh),
    ):
        pdf.put(x, 92, str(value), 7)


def _neo_footer(pdf: _Page, spec: BillSpec) -> None:
    _taxes(pdf, spec, 10, 170)
    pdf.put(
        10, 200, "Informações importantes: pague em dia e evite juros e multa. Ouvidoria 0800 000 0000.", 7
    )
    pdf.put(10, 250, "- " * 60, 6)
    pdf.put(10, 258, f"{spec.distributor.upper()}        Nº DA INSTALAÇÃO {spec.installation_number}", 8)
    pdf.put(10, 264, "VENCIMENTO", 7, True)
    pdf.put(60, 264, "TOTAL A PAGAR", 7, True)
    pdf.put(10, 268, spec.due_date.strftime("%d/%m/%Y"), 9)
    pdf.put(60, 268, brl(spec.total_amount, True), 9)
    _barcode(pdf, spec, 278)


def render_neoenergia(spec: BillSpec) -> bytes:
    pdf = _new_page()
    legal, cnpj = _legal(spec)
    pdf.put(10, 14, spec.distributor.upper(), 15, True)
    pdf.put(10, 19, f"{legal} - CNPJ {cnpj} - Insc. Est. 0005943-40", 7)
    pdf.put(10, 23, "Av. João de Barros, 111 - Boa Vista - Sede - CEP 50050-902", 7)
    pdf.put(10, 40, spec.customer_name.upper(), 9, True)
    pdf.put(10, 45, spec.street.upper() + " - " + spec.district.upper(), 8)
    pdf.put(10, 50, f"{spec.cep} {spec.city.upper()} - {spec.state}", 8)
    pdf.put(10, 55, f"CPF/CNPJ: {masked_cpf_as_printed(spec)}", 8)
    ref_label = "REF: MÊS/ANO" if spec.variant % 2 == 0 else "MÊS/ANO"
    for x, label, value in (
        (118, ref_label, spec.reference_month),
        (145, "TOTAL A PAGAR", brl(spec.total_amount, True)),
        (175, "VENCIMENTO", spec.due_date.strftime("%d/%m/%Y")),
    ):
        pdf.put(x, 40, label, 7, True)
        pdf.put(x, 45, value, 9, True)
    pdf.put(118, 55, "CÓDIGO DO CLIENTE", 7, True)
    pdf.put(160, 55, "Nº DA INSTALAÇÃO", 7, True)
    pdf.put(118, 60, spec.client_number, 9)
    pdf.put(160, 60, spec.installation_number, 9)
    cls = spec.consumer_class.upper()
    pdf.put(10, 68, f"CLASSIFICAÇÃO: {CLASS_CODE[spec.consumer_class]} {cls} / {cls} - CONVENCIONAL", 7)
    _neo_readings(pdf, spec)
    y = _items(
        pdf,
        spec,
        10,
        102,
        "DESCRIÇÃO                                   UNID.  QUANT.  PREÇO UNIT.(R$)  VALOR (R$)",
    )
    pdf.put(10, y + 6, "TOTAL", 8, True)
    pdf.put(102, y + 6, brl(spec.total_amount), 8, True)
    pdf.put(150, 102, "HISTÓRICO DE CONSUMO", 7, True)
    pdf.put(150, 106, "MÊS/ANO    CONSUMO kWh    DIAS", 7, True)
    for k, (month, kwh) in enumerate(spec.history):
        pdf.put(150, 110 + 4 * k, f"{month}", 7)
        pdf.put(168, 110 + 4 * k, str(kwh), 7)
        pdf.put(186, 110 + 4 * k, str(29 + k % 3), 7)
    _neo_footer(pdf, spec)
    return bytes(pdf.output())


# --- Enel-like ------------------------------------------------------------------------------


def render_enel(spec: BillSpec) -> bytes:
    pdf = _new_page()
    legal, cnpj = _legal(spec)
    pdf.put(10, 14, "enel" if spec.family == "enel" else spec.distributor.split()[0], 20, True)
    pdf.put(45, 12, spec.distributor if spec.variant % 2 else f"{spec.distributor} - Distribuição", 10, True)
    pdf.put(45, 17, f"{legal.upper()} CNPJ: {cnpj}", 7)
    y = 30
    pdf.put(10, y, f"Cliente: {spec.customer_name.upper()}", 9, True)
    pdf.put(10, y + 5, f"Endereço: {spec.street}, {spec.district}", 8)
    pdf.put(10, y + 10, f"CEP: {spec.cep} - {spec.city.upper()}/{spec.state}", 8)
    pdf.put(10, y + 15, f"CPF: {masked_cpf_as_printed(spec)}", 8)
    pdf.put(120, y, f"Nº do Cliente: {spec.client_number}", 8)
    pdf.put(120, y + 5, f"Nº da Instalação: {spec.installation_number}", 8, True)
    cls = spec.consumer_class.capitalize()
    pdf.put(120, y + 10, f"Classificação: Convencional {CLASS_CODE[spec.consumer_class]} {cls}", 8)
    pdf.put(120, y + 15, "Tensão nominal: 220 V   Monofásico", 8)
    ref = _month_name(spec.reference_month) if spec.variant < 2 else spec.reference_month
    pdf.put(10, 58, f"Conta referente a: {ref}", 10, True)
    pdf.put(10, 65, f"Data de vencimento: {spec.due_date.strftime('%d/%m/%Y')}", 10, True)
    pdf.put(120, 65, f"Total a pagar: {brl(spec.total_amount, True)}", 12, True)
    prev, curr, nxt = (d.strftime("%d/%m/%Y") for d in spec.reading_dates)
    pdf.put(
        10,
        76,
        f"Leitura anterior: {spec.reading_previous} ({prev})   "
        f"Leitura atual: {spec.reading_current} ({curr})",
        8,
    )
    pdf.put(10, 81, f"Consumo (kWh): {spec.consumption_kwh}      Próxima leitura: {nxt}", 8)
    pdf.put(10, 90, "Histórico de consumo (kWh)", 8, True)
    for k, (month, kwh) in enumerate(reversed(spec.history)):
        pdf.put(10 + 15 * k, 95, month, 7)
        pdf.put(10 + 15 * k, 99, str(kwh), 7)
    y = _items(
        pdf,
        spec,
        10,
        110,
        "Itens da fatura                                   Unid.  Quant.  Preço unit.  Valor (R$)",
    )
    pdf.put(10, y + 6, f"Total da fatura  {brl(spec.total_amount)}", 8, True)
    _taxes(pdf, spec, 10, y + 16)
    pdf.put(
        10,
        200,
        "Tarifas aplicadas (sem tributos): TUSD 0,3912 R$/kWh  TE 0,2871 R$/kWh. Bandeira vigente.",
        7,
    )
    pdf.put(10, 255, f"Nº da Instalação: {spec.installation_number}   Mês: {spec.reference_month}", 8)
    pdf.put(
        10,
        261,
        f"Vencimento: {spec.due_date.strftime('%d/%m/%Y')}     Valor cobrado: {brl(spec.total_amount, True)}",
        9,
    )
    _barcode(pdf, spec, 272)
    return bytes(pdf.output())


# --- Equatorial / Energisa-like -------------------------------------------------------------


def render_equatorial(spec: BillSpec) -> bytes:
    pdf = _new_page()
    legal, cnpj = _legal(spec)
    pdf.put(10, 14, spec.distributor.upper(), 14, True)
    pdf.put(10, 19, f"{legal} | CNPJ {cnpj}", 7)
    pdf.put(10, 30, "UNIDADE CONSUMIDORA (UC)", 7, True)
    pdf.put(10, 34, spec.installation_number, 10, True)
    pdf.put(10, 42, "NOME DO CLIENTE", 7, True)
    pdf.put(10, 46, spec.customer_name.upper(), 9)
    pdf.put(10, 54, "ENDEREÇO DA UNIDADE CONSUMIDORA", 7, True)
    pdf.put(10, 58, f"{spec.street.upper()}, {spec.district.upper()}", 8)
    pdf.put(10, 62, f"{spec.city.upper()}/{spec.state} - CEP {spec.cep}", 8)
    pdf.put(10, 68, f"CPF {masked_cpf_as_printed(spec)}", 8)
    pdf.put(120, 30, f"Valor a pagar: {brl(spec.total_amount, True)}", 11, True)
    pdf.put(
        120, 37, f"Vencimento: {spec.due_date.strftime('%d/%m/%y' if spec.variant == 3 else '%d/%m/%Y')}", 9
    )
    year = spec.reference_month.split("/")[1]
    ref = spec.reference_month if spec.variant % 2 else f"{_month_name(spec.reference_month)[:3]}/{year}"
    pdf.put(120, 43, f"Mês de referência: {ref}", 9)
    pdf.put(120, 49, f"Classe: {spec.consumer_class.capitalize()}  Subgrupo B", 8)
    pdf.put(120, 55, f"Consumo faturado: {spec.consumption_kwh} kWh", 9, True)
    pdf.put(120, 61, f"Média dos últimos 12 meses: {sum(k for _, k in spec.history) // 12} kWh", 8)
    y = _items(
        pdf,
        spec,
        10,
        80,
        "Descrição do produto                              Unid.  Quant.  Tarifa c/ trib.  Valor",
    )
    pdf.put(10, y + 6, f"Valor total: {brl(spec.total_amount)}", 8, True)
    pdf.put(10, y + 14, "Consumo dos últimos meses", 8, True)
    for k, (mon, kwh) in enumerate(spec.history[:12]):
        pdf.put(10 + 45 * (k // 4), y + 19 + 4 * (k % 4), f"{mon}   {kwh} kWh", 7)
    _taxes(pdf, spec, 10, y + 40)
    pdf.put(
        10, 262, f"Pague até {spec.due_date.strftime('%d/%m/%Y')}    Total: {brl(spec.total_amount, True)}", 9
    )
    _barcode(pdf, spec, 272)
    return bytes(pdf.output())


def render(spec: BillSpec) -> bytes:
    if spec.family == "neoenergia":
        return render_neoenergia(spec)
    if spec.family in ("energisa", "equatorial"):
        return render_equatorial(spec)
    return render_enel(spec)
