"""Entity finders for the intent classifier: bill amount, plan and person type.

Amounts ("R$ 1.200,50", "uns 350 conto", "mil e duzentos", "entre 300 e 400") are read from the
normalised text (`agent.understanding.intent.normalise`); spelled-out numbers become digits on a
copy, so the cache key never changes. Plan and person type are read from the canonical text (slang expanded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Compact tables and rule lists read better than one entry per line.
# fmt: off
# --- plans -----------------------------------------------------------------------------------------
# Plan names are unambiguous anywhere; the contextual words ("primeiro", "mais barato") only count
# after an article/"plano"/"opcao" or in a very short reply, so "no primeiro mes" or "e mais barato
# que a Neoenergia?" do not pick a plan. Essencial is the plan without loyalty
# (tools/data/serena_catalog.yml: loyalty_months 0), so "o sem fidelidade" names it.
PLAN_NAMES: dict[str, str] = {
    "essencial": "essencial", "basico": "essencial", "plus": "plus", "intermediario": "plus",
    "premium": "premium",
}
PLAN_CONTEXTUAL: dict[str, str] = {
    "mais barato": "essencial", "mais simples": "essencial", "mais basico": "essencial",
    "mais em conta": "essencial", "primeiro": "essencial", "primeira": "essencial", "mais popular": "plus",
    "do meio": "plus", "segundo": "plus", "segunda": "plus", "mais completo": "premium",
    "mais caro": "premium", "terceiro": "premium", "terceira": "premium", "ultimo": "premium",
    "ultima": "premium",
}
# Terms only name a plan after an article or "plano" ("quero o sem fidelidade"); alone, "sem multa?"
# is a loyalty question.
PLAN_BY_TERMS: dict[str, str] = {
    "sem fidelidade": "essencial", "sem fidelizacao": "essencial", "sem multa": "essencial",
    "sem carencia": "essencial", "que nao tem fidelidade": "essencial", "que nao tem multa": "essencial",
}
PLAN_BY_NUMBER: dict[str, str] = {"1": "essencial", "2": "plus", "3": "premium"}
# Words that make a named plan a choice ("quero o plus") rather than a mention.
PLAN_CHOICE = (
    r"\b(quero|queria|vou de|vou no|vou com|vou querer|fico com|ficar com|escolho|escolhi|prefiro|"
    r"pode ser|fechar com|fecho com|contratar|assinar o|manda o|esse|este)\b"
)
# A decision naming the plan; a price question after it is about that plan ("quero o plus, quanto fica?").
PLAN_DECISION = (
    r"\b(quero|vou querer|vou de|vou no|vou com|fico com|vou ficar com|escolho|escolhi|prefiro|pode ser|"
    r"fecho com|fechar com|gostei do|gostei mais do)( o| a| esse| este| pelo| no)?( plano)? "
    r"(essencial|basico|plus|intermediario|premium|primeiro|segundo|terceiro|do meio|mais \w+|sem \w+|"
    r"[123])\b"
)
# "qual o mais barato?" asks which plan that is; only the answer to it picks one.
PLAN_QUESTION_BEFORE = (
    r"(\b(qual|quais|which)( e| seria| vai ser| sai| fica)?( o| a)?|\b(tem|existe|ha) (algum|alguma|um|uma))"
    r"( plano| opcao)?\s*$"
)

# --- amounts -----------------------------------------------------------------------------------------
CURRENCY_AFTER = r"^ ?(reais|real|conto|contos|pila|pilas|mangos|r\$|brl)\b"
# A number followed by one of these is energy, time or a count — never the bill in R$.
UNIT_AFTER = (
    # "mês passado" after an amount says when, not how long ("deu 412,30 mês passado").
    r"^ ?(kwh|kw|wh|mwh|%|por cento|anos?(?! passad)|mes(es)?(?! passad| retrasad)|dias?|"
    r"h|horas?|hrs?|min|minutos|x|vezes|m2|metros?|"
    r"km|pessoas|placas|paineis|quartos|andar|numero|years?|months?|days?|hours?|"
    r"boletos?|contas|faturas|casas?|imoveis|apartamentos?|planos?|parcelas?|vez|unidades|lojas|"
    r"empresas|filhos|moradores|perguntas|duvidas|opcoes)\b"
)
# English cues ("my bill is 300", "around 300") too: leads abroad or used to English write them.
BILL_CONTEXT = (
    r"\b(conta|fatura|luz|energia|pago|pagando|pagamos|gasto|gasta|vem|veio|media|uns|umas|cerca|"
    r"torno|aproximadamente|mais ou menos|fica|chega|valor|boleto|mensal|por mes|paguei|pagou|paga|"
    r"gastei|gastou|gastamos|deu|chegou|esse mes|este mes|mes passado|ultima|"
    r"bill|electricity|power|pay|paying|paid|around|about|approximately|monthly|a month|per month)\b"
)

# --- person type ---------------------------------------------------------------------------------
# "cnpj de voces" is a trust question about Serena, not the lead saying they are a company.
JURIDICAL = (
    r"\b(empresa|cnpj(?! (de|da|do|dos) (voces|serena))|loja|lojas|comercio|comercial|pessoa juridica|"
    r"mei|meu negocio)\b|\b(tenho|temos|minha|meu|uma|um|pra|para|dono|dona)( \w+)? (padaria|restaurante|"
    r"escritorio|mercado|mercadinho|lanchonete|oficina|clinica|consultorio|farmacia|academia|salao|"
    r"fabrica|industria|pousada|hotel|bar)\b"
)
NATURAL = (
    r"\b(minha casa|pra casa|pra minha casa|residencia|residencial|cpf|pessoa fisica|"
    r"apartamento|meu apartamento|em casa|la de casa|domestico)\b"
)

NUMBER_WORDS: dict[str, int] = {
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
    "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14, "catorze": 14,
    "quinze": 15, "dezesseis": 16, "dezessete": 17, "dezoito": 18, "dezenove": 19, "vinte": 20,
    "trinta": 30, "quarenta": 40, "cinquenta": 50, "cincoenta": 50, "sessenta": 60, "setenta": 70,
    "oitenta": 80, "noventa": 90, "cem": 100, "cento": 100, "duzentos": 200, "duzentas": 200,
    "trezentos": 300, "trezentas": 300, "quatrocentos": 400, "quinhentos": 500, "seiscentos": 600,
    "setecentos": 700, "oitocentos": 800, "novecentos": 900, "mil": 1000,
}
# fmt: on
_ARTICLES = frozenset({"um", "uma"})  # alone they are articles ("uma conta"), never a number


def _is_part(tok: str) -> bool:
    return tok in NUMBER_WORDS or (tok.isdigit() and len(tok) <= 3)


def _run_end(tokens: list[str], i: int) -> int:
    """End of the number run starting at i; each part after the first is smaller than the one before
    ("cento e cinquenta e tres"), so "entre trezentos e quatrocentos" stays two numbers."""
    j, last = i, None
    while j < len(tokens):
        tok = tokens[j]
        if tok == "e" and j > i:
            j += 1
            continue
        if not _is_part(tok):
            break
        value = NUMBER_WORDS[tok] if tok in NUMBER_WORDS else int(tok)
        if tok != "mil" and last is not None and value >= last:
            break
        last = value
        j += 1
    return j


def _value(run: list[str]) -> int:
    total, current = 0, 0
    for tok in run:
        if tok == "e":
            continue
        if tok == "mil":
            total += (current or 1) * 1000
            current = 0
        else:
            current += NUMBER_WORDS[tok] if tok in NUMBER_WORDS else int(tok)
    return total + current


def spell_out_digits(norm: str) -> str:
    """Replace each run of number words ("mil e duzentos", "2 mil e 500") by its digits ("1200", "2500").

    A "mil" after a decimal ("1,5 mil") is left for the amount pattern, which reads it as 1500."""
    tokens = norm.split()
    if not any(t in NUMBER_WORDS and t not in _ARTICLES for t in tokens):
        return norm  # the common case: nothing spelled out
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = _run_end(tokens, i)
        while j > i and tokens[j - 1] == "e":  # "trezentos e pouco": the "e" is not part of the number
            j -= 1
        run = tokens[i:j]
        after_decimal = run[:1] == ["mil"] and bool(out) and not out[-1].isdigit() and out[-1][-1:].isdigit()
        if any(t in NUMBER_WORDS and t not in _ARTICLES for t in run) and not after_decimal:
            value = _value(run)
            # Whole thousands keep their "mil" ("2 mil"), which tells an amount from a year ("em 2000").
            out.append(f"{value // 1000} mil" if value >= 1000 and value % 1000 == 0 else str(value))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)


_NUMBER_RE = re.compile(r"(?<![\w.,/:$-])(r\$ ?|rs ?)?(\d[\d.,]*\d|\d)(k|mil| mil)?(?![\w/:-]|[.,]\d)")
_CURRENCY_AFTER = re.compile(CURRENCY_AFTER)
_UNIT_AFTER = re.compile(UNIT_AFTER)
_BILL_CONTEXT = re.compile(BILL_CONTEXT)
_NUMBER_ONLY = re.compile(r"^(r\$ ?|rs ?)?[\d.,]+( (reais|real|conto|contos))?$")
_RANGE = re.compile(r"\b(?:entre|de) (\d{2,5}) (?:e|a) (\d{2,5})\b")  # "entre 300 e 400" -> 350
_CENTS = re.compile(r"\d{1,3}(\.\d{3})*,\d{2}")  # "415,90": Brazilian cents are money-shaped


def _parse_number(tok: str) -> float | None:
    """Brazilian first ("1.200,50"), tolerating "1200.50" and "1,200"."""
    if "," in tok and "." in tok:
        dec = "," if tok.rfind(",") > tok.rfind(".") else "."
        tok = tok.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in tok:
        tok = tok.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", tok) else tok.replace(",", ".")
    elif "." in tok and re.fullmatch(r"\d{1,3}(\.\d{3})+", tok):
        tok = tok.replace(".", "")
    try:
        value = float(tok)
    except ValueError:
        return None
    return value if len(str(int(value))) <= 6 else None  # longer runs are phones/ids, not bills


def _midpoint(m: re.Match[str]) -> str:
    low, high = int(m.group(1)), int(m.group(2))
    return str((low + high) // 2) if low < high <= 3 * low else m.group(0)


def is_bare_amount(norm: str) -> bool:
    """Whether the text is only an amount ("350", "r$ 350", "350 reais")."""
    return bool(_NUMBER_ONLY.match(norm))


# "essa de 120 foi do mês que viajei, *normalmente* vem uns 280": the amount after such a word is
# the one that stands, whatever was said before it.
_STANDING_AMOUNT = re.compile(
    r"\b(normalmente|geralmente|no geral|em geral|costuma|costumava|de costume|em media|na media|"
    r"media|normal|o normal|comumente|quase sempre|todo mes|na verdade|na real|o certo|o correto|"
    r"atualmente|hoje em dia|agora)\b[^\d]{0,25}$"
)


def find_amount(norm: str) -> tuple[float, bool] | None:
    """(R$ per month, has bill context) for the amount that stands: the first plausible money
    amount, or a later one the lead marks as the usual or corrected one."""
    norm = _RANGE.sub(_midpoint, spell_out_digits(norm))  # "mil e duzentos" -> "1200"
    found = list(_amounts(norm))
    standing = [(value, ctx) for value, ctx, start in found if _STANDING_AMOUNT.search(norm[:start])]
    return standing[-1] if standing and len(found) > 1 else (found[0][:2] if found else None)


def _amounts(norm: str) -> Iterator[tuple[float, bool, int]]:
    """(R$ per month, has bill context, where it starts) for each plausible money amount."""
    has_context = bool(_BILL_CONTEXT.search(norm)) and "consumo" not in norm
    for m in _NUMBER_RE.finditer(norm):
        after = norm[m.end() :]
        value = _parse_number(m.group(2))
        if value is None or _UNIT_AFTER.match(after) or re.match(r"^ \d", after):
            continue  # kWh, durations, counts, or the first half of a phone number
        if m.group(3):  # "2 mil", "1k"
            value *= 1000
        currency = bool(m.group(1) or _CURRENCY_AFTER.match(after) or _CENTS.fullmatch(m.group(2)))
        money_lead = re.search(r"\b(conta|fatura|vem|veio|pago|paguei|uns|umas|de) $", norm[: m.start()])
        if 1900 <= value <= 2100 and not (currency or m.group(3) or money_lead) and "," not in m.group(2):
            continue  # a year ("desde 2020", "em 2023"), unless it reads as money ("conta de 2000")
        alone = bool(_NUMBER_ONLY.match(norm))
        if value >= 10 and (currency or has_context or alone):
            yield value, (has_context or alone), m.start()
        elif 0 < value < 10 and currency:
            # "pago 8 reais": too low to qualify, but said: checked, not dropped. Without a
            # currency word a small number counts something ("vou pagar duas conta?").
            yield value, True, m.start()


_PLAN_NAME_RE = re.compile(r"\b(" + "|".join(PLAN_NAMES) + r")\b")
_PLAN_CTX_RE = re.compile(
    r"(?:^|\b(?:o|a|pelo|pela|com o|com a|plano|opcao)\s)("
    + "|".join(sorted(PLAN_CONTEXTUAL, key=len, reverse=True))
    + r")\b"
)
_PLAN_TERMS_RE = re.compile(
    r"\b(?:o|a|pelo|pela|com o|com a|no|na|plano|opcao)\s("
    + "|".join(sorted(PLAN_BY_TERMS, key=len, reverse=True))
    + r")\b"
)
_PLAN_QUESTION_RE = re.compile(PLAN_QUESTION_BEFORE)
_PLAN_NUM_RE = re.compile(  # "2" is an option, "2 mil" / "3 reais" are money
    r"(?:^|\b(?:opcao|plano|numero|o|a|escolho|quero|fico com o|vou de|vou no|n)\s)([123])"
    r"(?! (?:mil|reais|real|conto|contos|kwh)\b)(?:\s|$)"
)


def find_plan(canon: str) -> str | None:
    """essencial|plus|premium, by name, by description ("o do meio") or by number ("opcao 2")."""
    names = _PLAN_NAME_RE.findall(canon)
    if names:  # the last one named wins: "nao o plus, o premium" is a correction
        return PLAN_NAMES[names[-1]]
    for regex, table in ((_PLAN_CTX_RE, PLAN_CONTEXTUAL), (_PLAN_TERMS_RE, PLAN_BY_TERMS)):
        m = regex.search(canon)
        if m and not _PLAN_QUESTION_RE.search(canon[: m.start(1)]):
            return table[m.group(1)]
    m = _PLAN_NUM_RE.search(canon)
    return PLAN_BY_NUMBER[m.group(1)] if m else None


_JURIDICAL_RE = re.compile(JURIDICAL)
_NATURAL_RE = re.compile(NATURAL)


def find_person_type(canon: str) -> str | None:
    """juridical (company, shop, CNPJ) or natural (home, CPF)."""
    if _JURIDICAL_RE.search(canon):
        return "juridical"
    return "natural" if _NATURAL_RE.search(canon) else None
