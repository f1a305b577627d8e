"""Building blocks for reading Brazilian electricity bills: numbers, dates, documents, distributors.

Pure functions over strings; `bills.fields` combines them into field extraction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

UFS = frozenset(
    [
        "AC",
        "AL",
        "AP",
        "AM",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MT",
        "MS",
        "MG",
        "PA",
        "PB",
        "PR",
        "PE",
        "PI",
        "RJ",
        "RN",
        "RS",
        "RO",
        "RR",
        "SC",
        "SP",
        "SE",
        "TO",
    ]
)

# --- text helpers ---------------------------------------------------------------------------


class _FoldTable(dict):
    """`str.translate` table built as characters are met: each maps to its accent-free lower case."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFKD", ch)[:1] or ch
        self[code] = folded = base.lower() if len(base.lower()) == 1 else ch
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping string length (one char in, one char out).

    A translation table instead of a loop over characters: the bill text is folded a few hundred
    times per read, and the loop was ~7 % of a photo's CPU."""
    return text.translate(_FOLD)


_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "du"})


def title_pt(text: str) -> str:
    """'JABOATÃO DOS GUARARAPES' -> 'Jaboatão dos Guararapes'."""
    words = re.sub(r"\s+", " ", text.strip()).split(" ")
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        out.append(low if i > 0 and low in _PARTICLES else low[:1].upper() + low[1:])
    return " ".join(out)


# --- numbers --------------------------------------------------------------------------------

MONEY_RE = re.compile(
    r"(?<![\d.,])(?:R\$\s*-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:[.,]\d{2})?|-?\d{1,3}(?:\.\d{3})+,\d{2}"
    r"|-?\d{1,3}(?:,\d{3})+\.\d{2}|-?\d+[.,]\d{2})(?!\d|[.,]\d)-?",
    re.IGNORECASE,
)
NUMBER_RE = re.compile(
    r"(?<![\d.,/])-?(?:\d{1,3}(?:\.\d{3})+(?:,\d{1,3})?|\d+(?:[.,]\d{1,3})?)(?![\d/]|[.,]\d)"
)


def parse_brl(s: str | None) -> float | None:
    """Parse a Brazilian amount: '1.234,56', '1234,56', '70.76', 'R$ 380,00', 'R$380', '25,00-'."""
    if s is None:
        return None
    text = s.replace("\u00a0", " ").strip()
    text = re.sub(r"(?i)r\s*\$", "", text).strip()
    negative = text.startswith("-") or text.endswith("-") or (text.startswith("(") and text.endswith(")"))
    text = re.sub(r"[\s()+-]", "", text)
    if not text or not re.fullmatch(r"[\d.,]+", text) or not re.search(r"\d", text):
        return None
    value = _parse_unsigned(text)
    if value is None:
        return None
    return -value if negative else value


def _parse_unsigned(text: str) -> float | None:
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        tail = text.rsplit(sep, 1)[1]
        # one separator: ',' is decimal (BR), '.' is decimal unless it groups thousands ('1.234');
        # repeated separators group thousands unless the last group has 1-2 digits (OCR '1.845.30')
        if text.count(sep) == 1:
            decimal = sep if sep == "," or len(tail) != 3 or text.startswith(("0", ".")) else ""
        else:
            decimal = sep if len(tail) in (1, 2) else ""
    else:
        decimal = ""
    if decimal:
        head, _, tail = text.rpartition(decimal)
        text = re.sub(r"[.,]", "", head) + "." + tail
    else:
        text = re.sub(r"[.,]", "", text)
    try:
        return float(text)
    except ValueError:
        return None


def parse_number(s: str) -> float | None:
    """A plain quantity such as a kWh reading ('1.234', '350', '350,5')."""
    return parse_brl(s)


# --- dates ----------------------------------------------------------------------------------

DATE_RE = re.compile(r"(?<!\d)(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}|\d{2})(?!\d)")

MONTHS = {
    "jan": 1, "fev": 2, "mar": 3, "abr": 4, "mai": 5, "jun": 6,
    "jul": 7, "ago": 8, "set": 9, "out": 10, "nov": 11, "dez": 12,
}  # fmt: skip
MONTH_NAMES_PT = (
    "", "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
)  # fmt: skip

_MONTH_WORD = (
    r"jan(?:eiro)?|fev(?:ereiro)?|mar(?:co|ço)?|abr(?:il)?|mai(?:o)?|jun(?:ho)?|jul(?:ho)?|ago(?:sto)?"
    r"|set(?:embro)?|out(?:ubro)?|nov(?:embro)?|dez(?:embro)?"
)
MONTH_RE = re.compile(
    rf"(?<![\d/a-z])(?:(0?[1-9]|1[0-2])\s?[/-]\s?|({_MONTH_WORD})(?:\.|\.?\s?(?:/|-|\s|de\s))\s?)(\d{{4}}|\d{{2}})"
    r"(?![\d/])",
    re.IGNORECASE,
)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_date(s: str) -> date | None:
    """'15/03/2026', '15/03/26', '15.03.2026' -> date; None when not a real date."""
    m = DATE_RE.search(s)
    if not m:
        return None
    try:
        return date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def parse_month(s: str) -> str | None:
    """'03/2026', 'MAR/2026', 'Março/26', 'março de 2026' -> '03/2026'."""
    m = MONTH_RE.search(fold(s))
    if not m:
        return None
    month = int(m.group(1)) if m.group(1) else MONTHS[m.group(2)[:3]]
    year = _year(m.group(3))
    if not 2000 <= year <= 2100:
        return None
    return f"{month:02d}/{year}"


# --- CPF / CNPJ -----------------------------------------------------------------------------

_D = r"[\d*xX•]"
CPF_RE = re.compile(rf"(?<![\d*])({_D}{{3}})\.?({_D}{{3}})\.?({_D}{{3}})\s?-\s?({_D}{{2}})(?![\d*])")
CNPJ_RE = re.compile(
    rf"(?<![\d*])({_D}{{2}})\.?({_D}{{3}})\.?({_D}{{3}})\s?/\s?({_D}{{4}})\s?-\s?({_D}{{2}})(?![\d*])"
)


def mask_document(s: str) -> str | None:
    """Mask a CPF or CNPJ, whatever its input masking: '***.456.789-**' / '**.345.678/0001-**'.

    Digits that the input already hid stay hidden; the first and last groups are always hidden.
    """
    m = CNPJ_RE.search(s)
    if m:
        mid = [_clean_group(g) for g in m.groups()[1:4]]
        return f"**.{mid[0]}.{mid[1]}/{mid[2]}-**"
    m = CPF_RE.search(s)
    if m:
        mid = [_clean_group(g) for g in m.groups()[1:3]]
        return f"***.{mid[0]}.{mid[1]}-**"
    digits = re.sub(r"\D", "", s)
    if len(digits) == 11:
        return f"***.{digits[3:6]}.{digits[6:9]}-**"
    if len(digits) == 14:
        return f"**.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-**"
    return None


def _clean_group(group: str) -> str:
    return re.sub(r"[^\d]", "*", group)


# --- distributors ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Distributor:
    name: str  # canonical
    state: str  # UF
    aliases: tuple[str, ...]  # specific names (folded, regex fragments)
    family: str  # group word shared by sister companies ("neoenergia", "enel", ...)


DISTRIBUTORS: tuple[Distributor, ...] = (
    Distributor(
        "Neoenergia Pernambuco",
        "PE",
        ("neoenergia pernambuco", "celpe", "companhia energetica de pernambuco"),
        "neoenergia",
    ),
    Distributor(
        "Neoenergia Coelba",
        "BA",
        ("neoenergia coelba", "coelba", "neoenergia bahia", "companhia de eletricidade do estado da bahia"),
        "neoenergia",
    ),
    Distributor(
        "Neoenergia Cosern",
        "RN",
        (
            "neoenergia cosern",
            "cosern",
            "neoenergia rio grande do norte",
            "companhia energetica do rio grande do norte",
        ),
        "neoenergia",
    ),
    Distributor(
        "Neoenergia Brasília",
        "DF",
        ("neoenergia brasilia", "neoenergia distribuicao brasilia", "ceb distribuicao"),
        "neoenergia",
    ),
    Distributor("Neoenergia Elektro", "SP", ("neoenergia elektro", "elektro"), "neoenergia"),
    Distributor(
        "Enel CE",
        "CE",
        ("enel ce", "enel ceara", "enel distribuicao ceara", "coelce", "companhia energetica do ceara"),
        "enel",
    ),
    Distributor(
        "Enel SP", "SP", ("enel sp", "enel sao paulo", "enel distribuicao sao paulo", "eletropaulo"), "enel"
    ),
    Distributor("Enel RJ", "RJ", ("enel rj", "enel rio", "enel distribuicao rio", "ampla energia"), "enel"),
    Distributor("Energisa Paraíba", "PB", ("energisa paraiba", "energisa pb", "saelpa"), "energisa"),
    Distributor("Energisa Borborema", "PB", ("energisa borborema",), "energisa"),
    Distributor("Energisa Sergipe", "SE", ("energisa sergipe", "energisa se", "energipe"), "energisa"),
    Distributor("Energisa Mato Grosso", "MT", ("energisa mato grosso", "energisa mt"), "energisa"),
    Distributor(
        "Energisa Mato Grosso do Sul", "MS", ("energisa mato grosso do sul", "energisa ms"), "energisa"
    ),
    Distributor("Energisa Tocantins", "TO", ("energisa tocantins", "energisa to"), "energisa"),
    Distributor(
        "Equatorial Alagoas",
        "AL",
        ("equatorial alagoas", "equatorial al", "ceal", "eletrobras distribuicao alagoas"),
        "equatorial",
    ),
    Distributor(
        "Equatorial Piauí",
        "PI",
        ("equatorial piaui", "equatorial pi", "cepisa", "eletrobras distribuicao piaui"),
        "equatorial",
    ),
    Distributor("Equatorial Maranhão", "MA", ("equatorial maranhao", "equatorial ma", "cemar"), "equatorial"),
    Distributor("Equatorial Pará", "PA", ("equatorial para", "equatorial pa", "celpa"), "equatorial"),
    Distributor(
        "Equatorial Goiás", "GO", ("equatorial goias", "enel go", "enel goias", "celg"), "equatorial"
    ),
    Distributor("Sulgipe", "SE", ("sulgipe", "companhia sul sergipana"), "sulgipe"),
    Distributor(
        "Light", "RJ", ("light servicos de eletricidade", "light s\\.?a", "light sesa", "light"), "light"
    ),
    Distributor(
        "Cemig", "MG", ("cemig", "cemig distribuicao", "companhia energetica de minas gerais"), "cemig"
    ),
    Distributor("Copel", "PR", ("copel", "copel distribuicao", "companhia paranaense de energia"), "copel"),
    Distributor("CPFL Paulista", "SP", ("cpfl paulista", "companhia paulista de forca e luz"), "cpfl"),
    Distributor("CPFL Piratininga", "SP", ("cpfl piratininga",), "cpfl"),
    Distributor("RGE", "RS", ("rge sul", "rio grande energia"), "cpfl"),
    Distributor("CEEE Equatorial", "RS", ("ceee equatorial", "ceee"), "equatorial"),
    Distributor("Celesc", "SC", ("celesc",), "celesc"),
    Distributor("EDP Espírito Santo", "ES", ("edp espirito santo", "edp es", "escelsa"), "edp"),
)

BY_NAME = {d.name: d for d in DISTRIBUTORS}
FAMILY_WORDS = ("neoenergia", "enel", "energisa", "equatorial", "cpfl", "edp")


def _alias_pattern(alias: str) -> re.Pattern[str]:
    body = r"[\s\-_/]*".join(alias.split(" "))
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")


_ALIAS_PATTERNS = [(d, _alias_pattern(a)) for d in DISTRIBUTORS for a in d.aliases]
_FAMILY_PATTERNS = {w: _alias_pattern(w) for w in FAMILY_WORDS}


def find_distributor(text: str, state_hint: str | None = None) -> tuple[Distributor | None, float]:
    """Recognise the distributor from the closed list: (distributor, confidence)."""
    folded = fold(text)
    hits: dict[str, tuple[int, int]] = {}  # name -> (count, first position)
    for dist, pattern in _ALIAS_PATTERNS:
        for m in pattern.finditer(folded):
            count, first = hits.get(dist.name, (0, m.start()))
            hits[dist.name] = (count + 1, min(first, m.start()))
    if hits:
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        if state_hint and len(ranked) > 1:
            same_uf = [kv for kv in ranked if BY_NAME[kv[0]].state == state_hint]
            ranked = same_uf + [kv for kv in ranked if kv not in same_uf]
        best = BY_NAME[ranked[0][0]]
        conf = 0.95 if len(ranked) == 1 else 0.8
        if state_hint and best.state != state_hint:
            conf -= 0.25
        return best, conf
    for family, pattern in _FAMILY_PATTERNS.items():
        if pattern.search(folded) and state_hint:
            for dist in DISTRIBUTORS:
                if dist.family == family and dist.state == state_hint:
                    return dist, 0.7
    return None, 0.0


def distributor_by_name(name: str) -> Distributor | None:
    """Canonical entry for a name or alias ('Celpe' -> Neoenergia Pernambuco)."""
    dist, _ = find_distributor(name)
    return dist
