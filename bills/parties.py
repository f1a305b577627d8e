"""Who the bill is for: customer name, CPF/CNPJ (always masked) and the installation's city/UF."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bills.layout import Page
from bills.patterns import CNPJ_RE, CPF_RE, UFS, fold, mask_document, title_pt

_NAME_LABEL = re.compile(
    r"\b(?:nome(?:\s+do\s+(?:cliente|titular|consumidor))?|cliente|titular|consumidor|razao\s+social)\b"
    r"(?!\s*(?:n\b|n[o°]\b|no\.|cod|#|\d|desde|:?\s*\d))\s*:?\s*"
)
_NAME_RUN = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.&]*(?: [A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.&]*){1,7}")
_NOT_NAME = re.compile(
    r"\b(?:rua|r\.|av|avenida|travessa|tv|rodovia|estrada|alameda|praca|endereco|cep|bairro|conta|fatura"
    r"|energia|nota|fiscal|total|vencimento|cnpj|cpf|distribui\w*|companhia|cliente|classe|classificacao"
    r"|instalacao|leitura|consumo|data|mes|pagina|residencial|comercial|rural|industrial|valor|pagar"
    r"|codigo|unidade|consumidora|numero|tarifa|bandeira|emissao|referente|historico|medidor|apto|quadra"
    r"|lote|loteamento|conjunto|bloco|casa)\b"
)
_DIST_MARKERS = re.compile(
    r"companhia|distribui|\bs\.?\s?a\b|s/a|eletricidade|energetica|inscri|\bi\.?e\.?\b|neoenergia|enel\b"
    r"|energisa|equatorial|cemig|copel|cpfl|light"
)
_STREET = re.compile(
    r"(?:^|\s{2})\s*(?:rua|r\.?|av\.?|avenida|travessa|tv\.?|rodovia|estrada|alameda|praca)\s"
)
_CEP_RE = re.compile(r"(?<!\d)(\d{2})\.?(\d{3})\s?-\s?(\d{3})(?!\d)")
_CITY_UF = re.compile(
    r"(?P<city>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' .]{1,40}?)\s*(?P<sep>-|/|,|\s)\s*(?P<uf>[A-Z]{2})(?![A-Za-zÀ-ÿ])"
)
# "FORTALEZA - CE", "NITEROI/RJ", "ARACAJU (SE)", "MACEIÓ – AL" (an en dash from a word processor)
_UF_TOKEN = re.compile(r"(?<=[A-Za-zÀ-ÿ.])(?P<sep>\s*[-–—/,(]\s*|\s+)(?P<uf>[A-Z]{2})(?![A-Za-zÀ-ÿ])")
# a label, not a district's name: "Cidade: X", "Município  X", "Cidade/UF: X/Y" (but "Cidade Nova", a bairro)
_LABELLED_CITY = re.compile(r"\b(?:cidade|municipio|localidade)(?:\s*/\s*(?:uf|estado))?(?:\s*:|\s{2,})\s*")
_LABELLED_UF = re.compile(r"\b(?:uf|estado)\s*:?\s*")

# First three CEP digits -> UF (Correios ranges).
_CEP_RANGES = (
    (10, 199, "SP"), (200, 289, "RJ"), (290, 299, "ES"), (300, 399, "MG"), (400, 489, "BA"),
    (490, 499, "SE"), (500, 569, "PE"), (570, 579, "AL"), (580, 589, "PB"), (590, 599, "RN"),
    (600, 639, "CE"), (640, 649, "PI"), (650, 659, "MA"), (660, 688, "PA"), (689, 689, "AP"),
    (690, 692, "AM"), (693, 693, "RR"), (694, 698, "AM"), (699, 699, "AC"), (700, 727, "DF"),
    (728, 729, "GO"), (730, 736, "DF"), (737, 767, "GO"), (768, 769, "RO"), (770, 779, "TO"),
    (780, 788, "MT"), (790, 799, "MS"), (800, 879, "PR"), (880, 899, "SC"), (900, 999, "RS"),
)  # fmt: skip


def uf_from_cep(cep: str) -> str | None:
    digits = re.sub(r"\D", "", cep)
    if len(digits) != 8:
        return None
    prefix = int(digits[:3])
    return next((uf for lo, hi, uf in _CEP_RANGES if lo <= prefix <= hi), None)


@dataclass
class Customer:
    name: str | None = None
    name_conf: float = 0.0
    document: str | None = None
    document_conf: float = 0.0
    line: int = -1  # where the customer block starts (for finding the address after it)


@dataclass
class Address:
    city: str | None = None
    city_conf: float = 0.0
    state: str | None = None
    state_conf: float = 0.0


# --- customer -------------------------------------------------------------------------------


def find_customer(page: Page) -> Customer:
    customer = Customer()
    doc_line = _find_document(page, customer)
    name, conf, line = _labelled_name(page)
    if name is None and doc_line >= 0:
        name, conf, line = _name_near(page, doc_line)
    if name is None:
        name, conf, line = _name_above_street(page)
    if name:
        customer.name, customer.name_conf = title_pt(name), conf
    customer.line = line if line >= 0 else doc_line
    return customer


def _clean_name(text: str) -> str | None:
    m = _NAME_RUN.search(text.split("  ")[0].strip())
    if not m:
        return None
    name = m.group(0).strip(" .")
    if len(name.split()) < 2 or _NOT_NAME.search(fold(name)) or _DIST_MARKERS.search(fold(name)):
        return None
    return name


def _labelled_name(page: Page) -> tuple[str | None, float, int]:
    for i, folded in enumerate(page.folded):
        for m in _NAME_LABEL.finditer(folded):
            name = _clean_name(page.lines[i][m.end() :])
            if name:
                return name, 0.95, i
            below = next(
                (j for j in range(i + 1, min(i + 3, len(page.lines))) if page.lines[j].strip()), None
            )
            if below is not None:
                name = _name_under(page.lines[below], m.start(), m.end())
                if name:
                    return name, 0.85, below
    return None, 0.0, -1


def _name_under(line: str, start: int, end: int) -> str | None:
    """The cell under a label ('DADOS DO CLIENTE' over 'MARIA DA SILVA'), else the text from its column."""
    cell = next(
        (c for c in re.finditer(r"\S+(?: \S+)*", line) if c.start() < end and c.end() > start - 2), None
    )
    if cell is not None and cell.start() < start:
        name = _clean_name(cell.group(0))
        if name:
            return name
    return _clean_name(line[max(0, start - 2) :].lstrip())


def _name_near(page: Page, doc_line: int) -> tuple[str | None, float, int]:
    """Unlabelled name: on the CPF line before the label, or on one of the lines just above."""
    line = page.lines[doc_line]
    label = re.search(r"\b(?:cpf|cnpj)\b", fold(line))
    cut = label.start() if label else -1
    if cut > 0:
        name = _clean_name(line[:cut].strip())
        if name:
            return name, 0.8, doc_line
    above = range(doc_line - 1, max(-1, doc_line - 6), -1)
    street = next((j for j in above if _STREET.search(page.folded[j])), None)
    for j in range((street if street is not None else doc_line) - 1, max(-1, doc_line - 7), -1):
        for segment in re.split(r"\s{2,}", page.lines[j].strip()):
            name = _clean_name(segment)
            if name and name.upper() == name:
                return name, 0.75, j
    return None, 0.0, -1


def _name_above_street(page: Page) -> tuple[str | None, float, int]:
    """No label and no CPF: the upper-case line just above the first customer street line."""
    for j, folded in enumerate(page.folded):
        if j == 0 or not _STREET.search(folded) or _DIST_MARKERS.search(folded) or "cep" in folded:
            continue
        segment = re.split(r"\s{2,}", page.lines[j - 1].strip())[0]
        name = _clean_name(segment)
        if name and name.upper() == name:
            return name, 0.65, j - 1
    return None, 0.0, -1


def _find_document(page: Page, customer: Customer) -> int:
    best: tuple[float, int, str] | None = None
    for i, folded in enumerate(page.folded):
        for pattern, kind in ((CNPJ_RE, "cnpj"), (CPF_RE, "cpf")):
            for m in pattern.finditer(folded):
                score = _document_score(page, i, m.start(), kind)
                if score > 0 and (best is None or score > best[0]):
                    best = (score, i, m.group(0))
    if best is None:
        return _partly_masked_cpf(page, customer)
    customer.document, customer.document_conf = mask_document(best[2]), best[0]
    return best[1]


# "CPF: 685.-45": OCR drops the asterisks of a CPF the bill printed masked. The digits shown are the
# ones our mask hides anyway, so the masked form is still known.
# "CPF:….….163-", 'CPF: .744.397-"': asterisks read as ellipses (folded to '.'), quotes, or nothing.
_MASKED_CPF = re.compile(r"\bcpf\b[^\d*\n]{0,8}?([\d.\s*xX•_·]{1,14}(-)?\s?[\d*xX•]{0,2})(?![\d*])")


# A masked CNPJ as OCR leaves it: "CNPJ: ..834/0001-", "CPF/CNPJ: **.***.834/0001-**" read without its
# asterisks. The branch ("/0001") or a slash in the number says it is a company's.
# At least two digits or mask characters come before the slash: the slash of a "CNPJ/CPF" label is not it.
_MASKED_CNPJ = re.compile(r"\bcnpj\b[^\d*\n]{0,8}?[\d.\s*xX•_·]{2,12}(?:/|\b0001\b)\s?[\d*xX•.]{0,4}")


def _partly_masked_cpf(page: Page, customer: Customer) -> int:
    for i, folded in enumerate(page.folded):
        # a CNPJ printed whole was already judged (it is the distributor's when it got here)
        if _MASKED_CNPJ.search(folded) and not _DIST_MARKERS.search(folded) and not CNPJ_RE.search(folded):
            customer.document, customer.document_conf = "**.***.***/****-**", 0.6
            return i
        m = _MASKED_CPF.search(folded)
        body = m.group(1) if m else ""
        # fewer than 11 digits in CPF form (a dash, or mask characters): the rest was masked. OCR
        # reads the asterisks as dots and the dash as a dot too ('CPF:…….923.'): a run of dots
        # with a group of digits is a mask as well (a blank dotted field has no digits)
        hidden = (
            re.search(r"[*xX•]", body)
            or (m and m.group(2) and re.search(r"[._·]", body))
            or (re.search(r"(?:[._·]\s?){2}", body) and re.search(r"\d{3}", body))
        )
        if m and sum(ch.isdigit() for ch in body) < 11 and hidden:
            customer.document, customer.document_conf = "***.***.***-**", 0.6
            return i
    return -1


def _document_score(page: Page, i: int, start: int, kind: str) -> float:
    folded = page.folded[i]
    before = folded[max(0, start - 22) : start]
    context = folded + " " + (page.folded[i - 1] if i else "")
    if "cpf" in before:
        return 1.0
    if "cnpj" in before:
        # "PADARIA X LTDA - CNPJ ...": the CNPJ belongs to the text before it on its line; the line
        # above counts only when the CNPJ stands alone (OCR drops the blank lines between blocks)
        owner = re.sub(r"cnpj", "", folded[:start])
        own_line = re.search(r"[a-z]{3}", owner) is not None
        return 0.0 if _DIST_MARKERS.search(folded if own_line else context) else 0.7
    if _DIST_MARKERS.search(context):
        return 0.0
    return 0.5 if kind == "cpf" else 0.3


# --- address --------------------------------------------------------------------------------


def find_address(page: Page, after_line: int = -1) -> Address:
    candidates: list[tuple[float, int, str, str]] = []  # (score, line, city, uf)
    for i, line in enumerate(page.lines):
        for city, uf, base in _city_uf_in_line(page, i, line):
            score = base + _address_context(page, i, after_line)
            candidates.append((score, i, city, uf))
    if not candidates:
        return Address()
    score, i, city, uf = max(candidates, key=lambda c: (c[0], -c[1]))
    cep_uf = _nearby_cep_uf(page, i)
    state_conf = min(score, 1.0)
    if cep_uf:
        state_conf = 1.0 if cep_uf == uf else 0.4
    return Address(title_pt(city), min(score, 1.0), uf, state_conf)


def _city_uf_in_line(page: Page, i: int, line: str) -> list[tuple[str, str, float]]:
    line = _with_state_codes(line)
    folded = fold(line)
    found: list[tuple[str, str, float]] = []
    city_label = _LABELLED_CITY.search(folded)
    if city_label:
        city = _clean_city(re.split(r"\s{2,}|[-/,]", line[city_label.end() :].strip())[0])
        uf = _labelled_uf(page, i, line, city_label.end())
        if city and uf in UFS:
            found.append((city, uf, 0.9))
    for segment in re.split(r"\s{3,}|(?<!\d)\d{2}\.?\d{3}\s?-\s?\d{3}(?!\d)|\bcep\b:?", line, flags=re.I):
        for m in _UF_TOKEN.finditer(segment):
            city = _clean_city(segment[: m.start()])
            if _currency_not_state(page, i, m):
                continue
            if city and m.group("uf") in UFS:
                found.append((city, m.group("uf"), 0.55 if not m.group("sep").strip() else 0.65))
    return found + _city_after_cep(line)


def _labelled_uf(page: Page, i: int, line: str, start: int) -> str | None:
    """The UF of a labelled city: on its line ('Cidade: X  UF: GO', 'Município: X/GO'), on one of the
    next two lines ('UF: GO    CEP: 74000-000'), else the one its CEP belongs to."""
    for j in range(i, min(i + 3, len(page.lines))):
        text = line if j == i else page.lines[j]
        from_col = start if j == i else 0
        uf_label = _LABELLED_UF.search(fold(text), from_col)
        uf_m = re.search(r"\b([A-Z]{2})\b", text[uf_label.end() :]) if uf_label else None
        if uf_m and uf_m.group(1) in UFS:
            return uf_m.group(1)
        if j == i:
            inline = _CITY_UF.search(line, start)
            if inline:
                return inline.group("uf")
    return _nearby_cep_uf(page, i) or _nearby_cep_uf(page, i + 2)


def _city_after_cep(line: str) -> list[tuple[str, str, float]]:
    """'74031-630  GOIANIA', 'CEP 79000-000 - Campo Grande': a city after its CEP with no UF printed;
    the UF is the one the CEP belongs to."""
    found = []
    for m in _CEP_RE.finditer(line):
        after = re.split(r"\s{3,}", line[m.end() :].strip(" \t-–—,:"))[0]
        if not after or any(t.group("uf") in UFS for t in _UF_TOKEN.finditer(after)):
            continue
        city = _clean_city(after)
        uf = uf_from_cep(m.group(0))
        if city and uf and re.fullmatch(r"[A-Za-zÀ-ÿ' .]+", city):
            found.append((city, uf, 0.6))
    return found


_STATE_NAMES = {
    "acre": "AC", "alagoas": "AL", "amapa": "AP", "amazonas": "AM", "bahia": "BA", "ceara": "CE",
    "distrito federal": "DF", "espirito santo": "ES", "goias": "GO", "maranhao": "MA",
    "mato grosso do sul": "MS", "mato grosso": "MT", "minas gerais": "MG", "paraiba": "PB",
    "parana": "PR", "para": "PA", "pernambuco": "PE", "piaui": "PI", "rio de janeiro": "RJ",
    "rio grande do norte": "RN", "rio grande do sul": "RS", "rondonia": "RO", "roraima": "RR",
    "santa catarina": "SC", "sao paulo": "SP", "sergipe": "SE", "tocantins": "TO",
}  # fmt: skip
# A state spelt out after a city ('RECIFE - PERNAMBUCO', 'Goiânia/Goiás', 'OLINDA (PERNAMBUCO)') and
# ending the address: the city comes first, so 'CEP 01000-000 - SAO PAULO' (a city) is left alone.
_SPELT_STATE = re.compile(
    r"(?<=[a-z.])(?P<sep>\s*[-–—/,(]\s*)(?P<name>"
    + "|".join(sorted((n.replace(" ", r"\s+") for n in _STATE_NAMES), key=len, reverse=True))
    + r")\)?(?=\s*(?:$|,|\s{2}|-?\s*cep\b|\d{2}\.?\d{3}-\d{3}))"
)


def _with_state_codes(line: str) -> str:
    """The line with a spelt-out state after the city replaced by its UF ('RECIFE - PE')."""
    folded = fold(line)
    out, last = [], 0
    for m in _SPELT_STATE.finditer(folded):
        name = re.sub(r"\s+", " ", m.group("name"))
        out += [line[last : m.start("name")], _STATE_NAMES[name]]
        last = m.end()
    return "".join(out) + line[last:] if out else line


def _currency_not_state(page: Page, i: int, m: re.Match[str]) -> bool:
    """'Valor (RS)' is OCR's 'Valor (R$)', not Rio Grande do Sul: '(RS)' names the state only in an
    address, next to its CEP ('PORTO ALEGRE (RS)  CEP 90010-000')."""
    if m.group("uf") != "RS" or m.group("sep").strip() != "(":
        return False
    window = " ".join(page.lines[max(0, i - 1) : i + 2])
    return not _CEP_RE.search(window)


def _clean_city(text: str) -> str | None:
    # OCR: "CEP:60371-181-FORTALEZA"; a street's house number before the city: "RUA X, 117  BLUMENAU"
    city = re.split(r"\s[-–—]\s|,|:|\s{2,}", text.strip())[-1].strip(" .'-–—")
    city = re.sub(r"^(?:n[o°º]\.?\s*)?\d+[a-z]?\s+", "", city, flags=re.I)
    words = city.split()
    if not words or len(words) > 5 or len(city) < 3 or not re.search(r"[A-Za-zÀ-ÿ]{3}", city):
        return None
    if _NOT_NAME.search(fold(city)) or _DIST_MARKERS.search(fold(city)):
        return None
    return city


def _address_context(page: Page, i: int, after_line: int) -> float:
    score = 0.0
    window = " ".join(page.folded[max(0, i - 1) : i + 2])
    if _CEP_RE.search(window):
        score += 0.25
    if after_line >= 0 and 0 <= i - after_line <= 6:
        score += 0.15
    if re.search(r"cnpj|companhia|distribuidora|\bs\.?\s?a\b|inscri", page.folded[i]):
        score -= 0.4
    return score


def _nearby_cep_uf(page: Page, i: int) -> str | None:
    for j in (i, i + 1, i - 1):
        if 0 <= j < len(page.lines):
            m = _CEP_RE.search(page.lines[j])
            if m:
                return uf_from_cep(m.group(0))
    return None
