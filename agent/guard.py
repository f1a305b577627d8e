"""The rules every outgoing message obeys (DESIGN.md, "Rules that hold everywhere").

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
