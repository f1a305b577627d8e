"""The consumption history block ("HISTÓRICO DE CONSUMO") and the printed monthly average.

Bills print the last 12-13 months either as rows ("AGO/26   541   29"), as a grid of
"AGO/26 541 kWh" cells, or horizontally (a line of months over a line of kWh values).
"""

from __future__ import annotations

import re

from agent.ports import MonthlyConsumption
from bills.layout import Page
from bills.patterns import MONTHS, NUMBER_RE, parse_brl

_MONTH_TOKEN = re.compile(
    r"(?<![a-z0-9])(jan|fev|mar|abr|mai|jun|jul|ago|set|out|nov|dez)[a-z]*\s?/\s?(\d{4}|\d{2})(?![\d/])"
)
_INLINE_VALUE = re.compile(r"\s+(\d{1,3}(?:\.\d{3})+|\d{1,6})(?:,\d+)?(?=\s|$|kwh)")
_AVERAGE_LABEL = re.compile(r"media\s+(?:dos\s+)?(?:ultimos\s+)?(?:\d+\s+meses|mensal|de\s+consumo|anual)")
MIN_MONTHS = 3


def find_history(page: Page) -> tuple[list[MonthlyConsumption], float]:
    """(months newest first, confidence); empty when fewer than three months are printed."""
    found: dict[str, float] = {}
    for i, line in enumerate(page.folded):
        tokens = list(_MONTH_TOKEN.finditer(line))
        inline = [(m, _INLINE_VALUE.match(line, m.end())) for m in tokens]
        for m, value in inline:
            if value:
                found.setdefault(_month_key(m), float(value.group(1).replace(".", "")))
        if len(tokens) >= MIN_MONTHS and not any(v for _, v in inline):
            _horizontal(page, i, tokens, found)
    if len(found) < MIN_MONTHS:
        return [], 0.0
    months = sorted(found, key=lambda k: (int(k[3:]), int(k[:2])), reverse=True)
    return [MonthlyConsumption(month=k, kwh=found[k]) for k in months], 0.85


def _horizontal(page: Page, i: int, tokens: list[re.Match[str]], found: dict[str, float]) -> None:
    """Months on line i, their values on the next non-empty line in the same columns."""
    below = next((j for j in range(i + 1, min(i + 3, len(page.folded))) if page.folded[j].strip()), None)
    if below is None:
        return
    values = list(NUMBER_RE.finditer(page.folded[below]))
    for m in tokens:
        near = [v for v in values if v.start() < m.end() + 2 and v.end() > m.start() - 2]
        if len(near) == 1:
            kwh = parse_brl(near[0].group(0))
            if kwh is not None and kwh >= 0:
                found.setdefault(_month_key(m), kwh)


def _month_key(m: re.Match[str]) -> str:
    year = int(m.group(2))
    return f"{MONTHS[m.group(1)]:02d}/{year + 2000 if year < 100 else year}"


def find_average(page: Page, history: list[MonthlyConsumption]) -> tuple[float | None, float]:
    """The printed average kWh, else the mean of the printed history."""
    hits = page.labelled(_AVERAGE_LABEL, NUMBER_RE, parse_brl)
    if hits and hits[0].value:
        return hits[0].value, hits[0].score * 0.95
    if history:
        return round(sum(h.kwh for h in history) / len(history), 1), 0.7
    return None, 0.0
