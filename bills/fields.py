"""Reading an electricity bill's text into `BillFields`, with a confidence per field.

Every value is anchored on its label ("TOTAL A PAGAR", "Consumo (kWh)", "Vencimento", ...), never on
"the first R$": bills carry many distractor amounts (history, tariffs, taxes, public lighting).
Cross-checks raise or lower confidence: the amount encoded in the payment barcode, the meter-reading
difference, the kWh quantity of the energy line items, and price per kWh plausibility.
"""

from __future__ import annotations

import re
from datetime import date

from agent.ports import BillFields
from bills.checks import PRICE_PER_KWH, validate_bill
from bills.history import find_average, find_history
from bills.layout import Hit, Page, barcode_amount, cells_of, vote
from bills.parties import find_address, find_customer
from bills.patterns import (
    DATE_RE,
    MONEY_RE,
    MONTH_RE,
    NUMBER_RE,
    find_distributor,
    fold,
    parse_brl,
    parse_date,
    parse_month,
)

__all__ = ["looks_like_bill", "parse_bill_text", "parse_brl", "parse_date", "validate_bill"]


_TOTAL_LABEL = re.compile(
    r"total\s+a\s+pagar|valor\s+a\s+pagar|valor\s+total(?:\s+a\s+pagar)?|total\s+da\s+(?:fatura|conta)"
    r"|valor\s+cobrado|valor\s+do\s+documento|total\s+geral|valor\s+da\s+(?:fatura|conta)"
    r"|importancia\s+a\s+pagar|total\s+(?:a\s+)?faturado|pague\s+somente"
    # "Valor a ser pago", "Valor desta conta", "Total desta fatura", "Valor debitado" (automatic debit)
    r"|(?:valor|total)\s+(?:a\s+ser\s+(?:pago|debitado)|d[aeo]st[ae]\s+(?:conta|fatura)|debitado)"
    # a bare "TOTAL" labels the amount only when the currency or a colon follows it: "TOTAL R$",
    # "Total (R$)", "TOTAL:" (a "Total tributos" row or a "Total kWh" cell is not the bill's total)
    r"|\btotal\b(?=\s*(?::|\(?\s*r[$s5](?![a-z])))"  # OCR reads a lone "R$" as "RS" or "R5"
)
_TOTAL_NOT = re.compile(
    r"\s*(?:d[oa]s?\s+)?(?:tributos|impostos|icms|pis|cofins|itens|nota|servicos|cip|cosip|ilumina"
    r"|energia|consumo|bandeira|juros|multa|devolv|pago|anterior|credito)"
)
_KWH_LABEL = re.compile(
    r"consumo\s*(?:\(\s*kwh\s*\)|kwh|em\s+kwh)|consumo\s+(?:faturado|medido|ativ[oa]|do\s+mes|mensal"
    r"|total|registrado|atual|fatur)|energia\s+(?:ativa\s+)?(?:consumida|fornecida|faturada)"
    r"|kwh\s+(?:consumidos|faturados)|total\s+consumido|consumo\s+(?:no|do)\s+periodo"
    r"|energia\s+ativa\s*\(\s*kwh\s*\)"
)
_NOT_CURRENT = re.compile(r"media|historico|anterior|r\$\s*/\s*kwh|tarifa|preco|ultimos|meses|injetad")
# "Vencto.", "Venc.", "Vence dia", "Vence em": the abbreviations bills print in narrow boxes
_DUE_LABEL = re.compile(
    r"vencimento|\bvenc(?:to)?\b\.?|\bvence\b(?:\s+(?:em|dia|no\s+dia))?|pagar\s+ate|pagavel\s+ate|data\s+limite"
)
_REF_LABEL = re.compile(
    r"referente\s+a|\bref(?:erencia)?\b\.?|mes\s*/\s*ano|mes\s+de\s+referencia|conta\s+(?:do\s+)?mes"
    r"|competencia|mes\s+ref|periodo\s+de\s+referencia|fatura\s+de|conta\s+de"
    # the billing month named by the billing: "Mês de faturamento", "Faturamento", "Mês faturado",
    # "Fatura do mês"; and "Mês" alone heading a box (a history table's "Mês" column heads a column
    # of older months, which `Page.labelled` scores low as a column)
    r"|faturamento|mes\s+faturado|fatura\s+do\s+mes|\bmes\b(?!\s*(?:/\s*ano|de\s+ref|ref))"
)
_INSTALL_LABELS = (
    # "instala[c]ao" tolerates one character OCR adds or drops ("Instalaçãio", "Instalaao")
    (
        re.compile(
            r"instala[a-z]{1,4}\b|unidade\s+consumidora|\buc\b|matricula|cod(?:igo)?\.?\s+(?:da\s+)?uc"
        ),
        1.0,
    ),
    (re.compile(r"conta\s+contrato|contrato\s+n|n[o°]?\.?\s+(?:do\s+)?cliente|codigo\s+do\s+cliente"), 0.7),
)
_ID_RE = re.compile(r"(?<![\d/.,-])\d[\d.\-/]{3,18}\d(?![\d/,]|\.\d)")
_CLASS_WORDS = {
    "residencial": "residencial",
    "comercial": "comercial",
    "rural": "rural",
    "industrial": "industrial",
}
_CLASS_RE = re.compile(r"\b(residencial|comercial|rural|industrial)\b")
_CLASS_LABEL = re.compile(r"classe|classificacao|subclasse|tipo\s+de\s+(?:fornecimento|cliente)|modalidade")
_BILL_WORDS = re.compile(
    r"kwh|energia\s+eletrica|consumo|leitura|tusd|bandeira|distribuidora|unidade\s+consumidora|instalacao"
    r"|ilumina(?:cao)?\s+publica|medidor|tarifa"
)


def parse_bill_text(text: str) -> tuple[BillFields, dict[str, float]]:
    """Extract bill fields from text (PDF text layer or OCR): (fields, confidence per field 0..1)."""
    page = Page(text)
    fields = BillFields()
    conf: dict[str, float] = {}

    customer = find_customer(page)
    fields.customer_name, conf["customer_name"] = customer.name, customer.name_conf
    fields.document_masked, conf["document_masked"] = customer.document, customer.document_conf
    address = find_address(page, after_line=customer.line)
    fields.city, conf["city"] = address.city, address.city_conf
    fields.state, conf["state"] = address.state, address.state_conf

    dist, conf["distributor"] = find_distributor(text, address.state)
    fields.distributor = dist.name if dist else None
    if dist and not fields.state:
        fields.state, conf["state"] = dist.state, 0.5

    fields.consumption_kwh, conf["consumption_kwh"] = _consumption(page)
    fields.total_amount, conf["total_amount"] = _total(page, text)
    fields.due_date, conf["due_date"] = _due_date(page)
    fields.reference_month, conf["reference_month"] = _reference_month(page, fields.due_date)
    fields.installation_number, conf["installation_number"] = _installation(page)
    fields.consumer_class, conf["consumer_class"] = _consumer_class(page)
    fields.history, conf["history"] = find_history(page)
    fields.average_kwh, conf["average_kwh"] = find_average(page, fields.history)
    _cross_check_price(fields, conf)
    conf = {k: round(max(0.0, min(v, 1.0)), 2) for k, v in conf.items()}
    return fields, conf


# --- amounts --------------------------------------------------------------------------------


def _skip_total(page: Page, i: int, m: re.Match[str]) -> bool:
    line = page.folded[i]
    before = line[max(0, m.start() - 4) : m.start()]
    return bool(_TOTAL_NOT.match(line, m.end()) or before.endswith("sub") or "historico" in line)


def total_label_without_value(text: str) -> bool:
    """The total's label was read but no amount beside or under it: something covers the number
    (a thumb, a fold, a reflection), as opposed to a photo that does not show that part at all."""
    page = Page(text)
    labels = [
        (i, m)
        for i, line in enumerate(page.folded)
        for m in _TOTAL_LABEL.finditer(line)
        if not _skip_total(page, i, m)
    ]
    hits = page.labelled(_TOTAL_LABEL, MONEY_RE, _money, skip=lambda i, m: _skip_total(page, i, m))
    return bool(labels) and not [h for h in hits if h.value > 0]


def _total(page: Page, text: str) -> tuple[float | None, float]:
    hits = page.labelled(_TOTAL_LABEL, MONEY_RE, _money, skip=lambda i, m: _skip_total(page, i, m))
    hits = [h for h in hits if h.value > 0]
    value, conf, _ = vote(hits, key=lambda v: round(v, 2))
    coded = barcode_amount(text)
    if coded is None:
        return value, conf * 0.9
    if value is None:
        return coded, 0.75
    if abs(coded - value) < 0.005:
        return value, max(conf, 0.97)
    labelled_coded = [h for h in hits if abs(h.value - coded) < 0.005]
    if labelled_coded:  # the barcode agrees with another labelled amount: prefer it
        return coded, max(h.score for h in labelled_coded) * 0.9
    return value, min(conf, 0.3)


def _money(s: str) -> float | None:
    value = parse_brl(s)
    return round(value, 2) if value is not None else None


# --- consumption ----------------------------------------------------------------------------


def _kwh_value(s: str) -> float | None:
    value = parse_brl(s)
    return value if value is not None and 0 < value < 1_000_000 else None


_KWH_UNIT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?\s*kwh\b")
_ITEM_LINE = re.compile(r"^\s*(?:consumo|energia)\b[^\d\n]{0,90}?kwh")  # wide layouts: long gaps
# A table row of energy consumed ("Energia ativa fornecida TUSD  247  0,54  133,79"), and the header
# cell naming its quantity column ("Quant.", "Quantidade", "Consumo").
_ENERGY_ROW = re.compile(r"^\s*(?:consumo|energia)\b(?![^\d\n]*(?:reativ|injet|compens|bandeira))")
_QTY_HEADER = re.compile(r"^(?:quant(?:idade)?|qtde?|consumo)\b\.?(?:\s*\(?kwh\)?)?$")


def _consumption(page: Page) -> tuple[float | None, float]:
    def skip(i: int, m: re.Match[str]) -> bool:
        line = page.folded[i]
        cell_start = max(line.rfind("  ", 0, m.start()), m.start() - 30, 0)  # the label's own cell
        return bool(_NOT_CURRENT.search(line[cell_start : m.start()] + line[m.end() : m.end() + 12]))

    hits = page.labelled(_KWH_LABEL, NUMBER_RE, _kwh_value, skip=skip)
    hits += _unit_hits(page) + _item_hits(page) + _reading_hits(page) + _column_hits(page)
    if not hits:
        return None, 0.0
    value, conf, sources = vote(hits)
    if sources < 2:
        conf *= 0.85
    return value, conf


def _unit_hits(page: Page) -> list[Hit]:
    hits = []
    for i, line in enumerate(page.folded):
        if _NOT_CURRENT.search(line) or MONTH_RE.search(line) or _ITEM_LINE.search(line):
            continue
        for m in _KWH_UNIT.finditer(line):
            value = _kwh_value(m.group(0)[: m.group(0).rfind("k")])
            if value:
                hits.append(Hit(value, 0.6, i, "unit"))
    return hits


def _item_hits(page: Page) -> list[Hit]:
    """The quantity column of 'Consumo TUSD  kWh  350  0,512345  179,32' lines."""
    hits = []
    for i, line in enumerate(page.folded):
        m = _ITEM_LINE.search(line)
        if not m or _NOT_CURRENT.search(line[: m.end()]):
            continue
        after = line[m.end() :]
        if "kwh" in after[:12]:  # "Consumo [kWh]-TUSD  kWh  350": the unit column comes after the name
            after = after[after.index("kwh") + 3 :]
        q = NUMBER_RE.search(after)
        if q and not MONEY_RE.fullmatch(q.group(0)) and MONEY_RE.search(after, q.end()):
            value = _kwh_value(q.group(0))
            if value:
                hits.append(Hit(value, 0.7, i, "item"))
    return hits


def _column_hits(page: Page) -> list[Hit]:
    """Energy rows of an item table: the cell under the header's quantity column, by rank."""
    hits = []
    for i, header in enumerate(page.lines):
        heads = cells_of(header)
        col = next((k for k, (a, b) in enumerate(heads) if _QTY_HEADER.match(page.folded[i][a:b])), None)
        if col is None or col == 0 or len(heads) < 3:
            continue
        for j in range(i + 1, min(i + 9, len(page.lines))):
            cells = cells_of(page.lines[j])
            if len(cells) != len(heads) or not _ENERGY_ROW.match(page.folded[j]):
                continue
            a, b = cells[col]
            value = _kwh_value(page.folded[j][a:b]) if NUMBER_RE.fullmatch(page.folded[j][a:b]) else None
            if value and not MONEY_RE.fullmatch(page.folded[j][a:b]):
                hits.append(Hit(value, 0.7, j, "column"))
    return hits


def _reading_hits(page: Page) -> list[Hit]:
    """Current minus previous meter reading (times the meter constant)."""
    prev = page.labelled(re.compile(r"leitura\s+anterior|leit\.?\s+anterior"), NUMBER_RE, _kwh_value)
    curr = page.labelled(re.compile(r"leitura\s+atual|leit\.?\s+atual"), NUMBER_RE, _kwh_value)
    if not prev or not curr:
        return []
    const_hits = page.labelled(re.compile(r"constante|const\.?\s+mult|fator\s+mult"), NUMBER_RE, parse_brl)
    factor = const_hits[0].value if const_hits and const_hits[0].value else 1.0
    diff = (curr[0].value - prev[0].value) * factor
    return [Hit(round(diff, 2), 0.6, curr[0].line, "reading")] if diff > 0 else []


# --- dates and identifiers ------------------------------------------------------------------


def _due_date(page: Page) -> tuple[date | None, float]:
    def skip(i: int, m: re.Match[str]) -> bool:
        return "proxim" in page.folded[i][max(0, m.start() - 10) : m.start()]

    hits = page.labelled(_DUE_LABEL, DATE_RE, parse_date, skip=skip)
    value, conf, _ = vote(hits)
    return value, conf


def _reference_month(page: Page, due: date | None) -> tuple[str | None, float]:
    hits = page.labelled(_REF_LABEL, MONTH_RE, parse_month)
    value, conf, _ = vote(hits)
    if value is None and due is not None:
        return _lone_month(page, due)
    if value and due:
        month, year = (int(p) for p in value.split("/"))
        gap = (due.year - year) * 12 + due.month - month
        conf = conf if 0 <= gap <= 2 else conf * 0.6
    return value, conf


def _lone_month(page: Page, due: date) -> tuple[str | None, float]:
    """The billing month when its label was not read (a shadow or a fold over it on a photo): a month
    printed alone on its line - not a history row (several months, or a kWh beside it) - that ends
    at most two months before the due date, as a bill's month does."""
    found = []
    for line in page.folded:
        months = list(MONTH_RE.finditer(line))
        if len(months) != 1 or "kwh" in line:
            continue
        cell_after = line[months[0].end() :].split("  ")[0]
        month = parse_month(months[0].group(0))
        if month and not NUMBER_RE.search(cell_after):
            m, y = (int(p) for p in month.split("/"))
            if 0 <= (due.year - y) * 12 + due.month - m <= 2:
                found.append(month)
    return (found[0], 0.55) if len(set(found)) == 1 else (None, 0.0)


def _installation(page: Page) -> tuple[str | None, float]:
    for label, weight in _INSTALL_LABELS:

        def skip(i: int, m: re.Match[str]) -> bool:
            return "endereco" in page.folded[i][m.end() : m.end() + 12]

        hits = page.labelled(label, _ID_RE, _identifier, weight=weight, skip=skip)
        value, conf, _ = vote(hits)
        if value:
            return value, conf
    return None, 0.0


def _identifier(s: str) -> str | None:
    if DATE_RE.fullmatch(s) or re.fullmatch(r"[\d.]+,\d{2}", s):
        return None
    token = s.strip(".-/")
    return token if sum(ch.isdigit() for ch in token) >= 4 else None


def _consumer_class(page: Page) -> tuple[str | None, float]:
    for i, line in enumerate(page.folded):
        label = _CLASS_LABEL.search(line)
        if not label:
            continue
        for text in (line[label.end() :], *page.folded[i + 1 : i + 3]):
            m = _CLASS_RE.search(text)
            if m:
                return _CLASS_WORDS[m.group(1)], 0.95
    for line in page.folded:
        m = _CLASS_RE.search(line)
        if m and re.search(r"\bb[1-4]\b|convencional|monofasic|bifasic|trifasic|baixa\s+renda", line):
            return _CLASS_WORDS[m.group(1)], 0.8
    for line in page.folded:
        if re.search(r"\bb1\b", line):
            return "residencial", 0.6
    return None, 0.0


# --- checks ---------------------------------------------------------------------------------


def _cross_check_price(fields: BillFields, conf: dict[str, float]) -> None:
    if not fields.total_amount or not fields.consumption_kwh:
        return
    price = fields.total_amount / fields.consumption_kwh
    if not PRICE_PER_KWH[0] <= price <= PRICE_PER_KWH[1]:
        conf["total_amount"] = min(conf["total_amount"], 0.4)
        conf["consumption_kwh"] = min(conf["consumption_kwh"], 0.4)


def looks_like_bill(text: str) -> bool:
    """Is this text an electricity bill (rather than a boleto, a letter, a receipt...)?"""
    folded = fold(text)
    words = {m.group(0).split()[0] for m in _BILL_WORDS.finditer(folded)}
    has_kwh = "kwh" in folded
    dist, _ = find_distributor(text)
    has_amount = bool(MONEY_RE.search(text))
    score = len(words) + (2 if dist else 0) + (2 if has_kwh else 0)
    return has_kwh and has_amount and score >= 5
