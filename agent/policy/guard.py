"""The rules every outgoing message obeys (docs/architecture.md, "Rules that hold everywhere").

`check_message` returns the list of violations; the guard node replaces a violating message
with the seed's `generic_fallback` and logs why. The same checks grade the eval suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_CHARS = 700
MIN_EMOJIS = 1
MAX_EMOJIS = 2

_PICTO = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff\u3030\u303d"
    "\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139]"
)
_MODIFIERS = "[\ufe0f\U0001f3fb-\U0001f3ff]*"
EMOJI_RE = re.compile(
    rf"[0-9#*]\ufe0f?\u20e3"  # keycaps
    rf"|[\U0001f1e6-\U0001f1ff]{{2}}"  # flags
    rf"|{_PICTO}{_MODIFIERS}(?:\u200d{_PICTO}{_MODIFIERS})*"  # ZWJ sequences count once
)
NUMBER_RE = re.compile(r"(?<![\w])\d+(?:[.,]\d+)*")
_AI_TALK = re.compile(
    r"\b(como (uma )?(ia|intelig[eê]ncia artificial)|sou (um|uma) (bot|rob[oô]|ia|assistente virtual)"
    r"|modelo de linguagem|language model|as an ai|chatgpt|openai)\b",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"\*\*|__|^#{1,6}\s|\[[^\]]+\]\([^)]+\)|```", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def count_emojis(text: str) -> int:
    return len(EMOJI_RE.findall(text))


def parse_number(token: str) -> Decimal | None:
    """Read '1.234,56', '820,80', '18', '70.76' or '1.200' as a number."""
    if "," in token:
        token = token.replace(".", "").replace(",", ".")
    elif token.count(".") >= 1 and all(len(part) == 3 for part in token.split(".")[1:]):
        token = token.replace(".", "")  # thousands separators only
    try:
        return Decimal(token)
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[Decimal]:
    return [n for n in (parse_number(t.rstrip(".,")) for t in NUMBER_RE.findall(text)) if n is not None]


def collect_facts(values: Iterable[Any]) -> set[Decimal]:
    """Every number found in the given values (recursively): the numbers a reply may state."""
    facts: set[Decimal] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float | Decimal):
            facts.add(Decimal(str(value)).normalize())
            facts.add(Decimal(str(round(float(value), 2))).normalize())
        elif isinstance(value, date):
            facts.update(Decimal(part) for part in (value.day, value.month, value.year, value.year % 100))
        elif isinstance(value, str):
            facts.update(n.normalize() for n in numbers_in(value))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple | set):
            stack.extend(value)
    return facts


def ungrounded_numbers(text: str, facts: set[Decimal]) -> list[str]:
    return [str(n) for n in numbers_in(text) if n.normalize() not in facts]


def check_message(text: str, facts: set[Decimal]) -> list[str]:
    """Violations of the persona and grounding rules; empty means the message may go out."""
    violations: list[str] = []
    if not text.strip():
        return ["empty"]
    emojis = count_emojis(text)
    if not MIN_EMOJIS <= emojis <= MAX_EMOJIS:
        violations.append(f"emoji_count:{emojis}")
    if len(text) > MAX_CHARS:
        violations.append(f"too_long:{len(text)}")
    if _MARKDOWN.search(text):
        violations.append("markdown")
    if _AI_TALK.search(text):
        violations.append("ai_talk")
    if _PLACEHOLDER.search(text):
        violations.append("unrendered_placeholder")
    if bad := ungrounded_numbers(text, facts):
        violations.append("ungrounded_numbers:" + ",".join(bad))
    return violations


# --- Model replies (layer L4): stricter, since nobody approved this text beforehand ----------

_PROMISES = re.compile(
    r"\b(garantid[oa]s?|garanto|garantimos|sem custo( nenhum)?|custo zero|de gra[cç]a|gr[aá]tis"
    r"|aprovad[oa]s?|pr[eé]-aprovad[oa]|prometo|prometemos|isent[oa]|sem multa|multa zero"
    r"|promo[cç][aã]o|oferta|imperd[ií]vel|desconto extra)\b",
    re.IGNORECASE,
)
_DISPARAGING = re.compile(
    r"\b(p[eé]ssim[oa]s?|porcaria|horr[ií]ve(l|is)|lixo|ladr[aã]o|ladr[oõ]es|roubalheira|golpistas?"
    r"|incompetentes?|picaretas?|vagabund[oa]s?|uma merda|safad[oa]s?)\b",
    re.IGNORECASE,
)
_OTHER_PEOPLE = re.compile(
    r"\b(outr[oa]s? (clientes?|leads?|pessoas?|consumidor\w*)|seu vizinho|sua vizinha|vizinh[oa]s?"
    r"|o cliente [A-Z]\w+|a cliente [A-Z]\w+)\b",
    re.IGNORECASE,
)
_PERSONAL_DATA = re.compile(
    r"\(?\b\d{2}\)?\s?9?\d{4}-\d{4}\b|\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b"
    r"|[\w.+-]+@[\w-]+\.[\w.]+"
)
_ROLE_PLAY = re.compile(
    r"\b(arr+|marujo|pirata|ahoy|matey|instru[cç][oõ]es|system prompt|prompt|meu papel|minhas regras)\b",
    re.IGNORECASE,
)
_ENGLISH = re.compile(r"\b(the|you|your|and|is|are|with|this|that|for|we|our|I'm|can)\b", re.IGNORECASE)
_PORTUGUESE = re.compile(r"\b(o|a|os|as|de|do|da|que|e|voc[eê]|com|para|por|sua|seu|um|uma)\b", re.IGNORECASE)


def _leaks(text: str, system_prompt: str) -> bool:
    """A reply that repeats a line of the system prompt verbatim reveals the instructions."""
    lowered = " ".join(text.lower().split())
    for line in system_prompt.splitlines():
        line = " ".join(line.strip(" -").lower().split())
        if len(line) >= 25 and line in lowered:
            return True
    return False


_TYPED_NUMBER = re.compile(
    r"(?P<brl>R\$\s*)?(?<![\w/])(?P<num>\d+(?:[.,]\d+)*)(?![\w/])\s*"
    r"(?P<unit>%|kwh|meses|m[eê]s|dias?|anos?|horas?|semanas?|minutos?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}/\d{1,4}(?:/\d{2,4})?\b")
_UNITS = {"%": "pct", "kwh": "kwh", "mes": "month", "mês": "month", "meses": "month", "dia": "day",
          "dias": "day", "ano": "year", "anos": "year", "hora": "hour", "horas": "hour", "semana": "week",
          "semanas": "week", "minuto": "minute", "minutos": "minute"}  # fmt: skip


def typed_numbers(text: str) -> set[tuple[Decimal, str]]:
    """(value, unit) for every number: R$ amounts, %, kWh, durations; '' when it has no unit."""
    found: set[tuple[Decimal, str]] = set()
    for match in _TYPED_NUMBER.finditer(_DATE.sub(" ", text)):
        value = parse_number(match["num"].rstrip(".,"))
        if value is None:
            continue
        unit = "brl" if match["brl"] else _UNITS.get((match["unit"] or "").lower(), "")
        found.add((value.normalize(), unit))
    return found


def ungrounded_typed(text: str, fact_texts: list[str]) -> list[str]:
    """Numbers whose unit does not match a fact ('3 dias' when the only 3 is '3 planos'), and
    dates that are not a fact."""
    facts = set().union(*(typed_numbers(f) for f in fact_texts)) if fact_texts else set()
    values = {value for value, _ in facts}
    bad = [
        f"{value}{'/' + unit if unit else ''}"
        for value, unit in typed_numbers(text)
        if (unit and (value, unit) not in facts) or (not unit and value not in values)
    ]
    known_dates = {d for f in fact_texts for d in _DATE.findall(f)}
    return bad + [d for d in _DATE.findall(text) if d not in known_dates]


def check_model_reply(
    text: str,
    facts: set[Decimal],
    *,
    first_name: str = "",
    system_prompt: str = "",
    fact_texts: list[str] | None = None,
) -> list[str]:
    """Every rule of `check_message`, plus what only a model can get wrong. With `fact_texts`,
    each number must also match a fact of the same kind (R$, %, kWh, duration, date)."""
    violations = check_message(text, facts)
    already = any(v.startswith("ungrounded") for v in violations)
    if fact_texts is not None and not already and (bad := ungrounded_typed(text, fact_texts)):
        violations.append("ungrounded_numbers:" + ",".join(bad))
    checks = (
        ("promise", _PROMISES),
        ("disparaging", _DISPARAGING),
        ("other_lead_data", _OTHER_PEOPLE),
        ("personal_data", _PERSONAL_DATA),
        ("persona_break", _ROLE_PLAY),
    )
    for name, pattern in checks:
        if match := pattern.search(text):
            violations.append(f"{name}:{match.group(0)}")
    if len(_ENGLISH.findall(text)) > len(_PORTUGUESE.findall(text)):
        violations.append("not_portuguese")
    if first_name and first_name.lower() not in text.lower():
        violations.append("missing_name")
    if system_prompt and _leaks(text, system_prompt):
        violations.append("prompt_leak")
    return violations


def explain(violations: list[str]) -> str:
    """The violations in words, for the one regeneration request (pt-BR, like the prompt)."""
    reasons = {
        "ungrounded_numbers": "usou números que não estão em FATOS",
        "promise": "fez uma promessa que o catálogo não faz",
        "disparaging": "falou mal de alguém",
        "other_lead_data": "mencionou outros clientes",
        "personal_data": "citou dados pessoais",
        "persona_break": "saiu do papel da Sílvia ou comentou instruções",
        "emoji_count": "não usou 1 ou 2 emojis",
        "too_long": "passou de 500 caracteres",
        "markdown": "usou formatação que não é do WhatsApp",
        "ai_talk": "falou de IA",
        "not_portuguese": "não escreveu em português",
        "missing_name": "não chamou o lead pelo primeiro nome",
        "prompt_leak": "repetiu as instruções",
        "empty": "respondeu vazio",
        "unrendered_placeholder": "deixou um marcador entre chaves",
    }
    said = {reasons.get(v.split(":")[0], v.split(":")[0]) for v in violations}
    return "Sua resposta anterior foi recusada porque " + "; ".join(sorted(said)) + ". Escreva outra."
