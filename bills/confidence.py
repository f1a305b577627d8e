"""How sure a bill reading is: the confidence rules every reading path ends with.

The text path (`bills.reader`) and the vision path (`bills.vision`) both finish a reading here:
a required field read with too little confidence makes the reading not ok, and an OCR number
keeps its confidence only when a second witness on the page agrees.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from agent.ports import BillFields, BillProblem, BillReading, BillSource
from bills.checks import blocking, validate_bill
from bills.patterns import MONEY_RE, NUMBER_RE, parse_brl

REQUIRED = ("total_amount", "consumption_kwh", "distributor")
MIN_CONFIDENCE = 0.5  # a required field read with less confidence makes the reading not ok
UNCORROBORATED = 0.45  # an OCR number seen only once: below MIN_CONFIDENCE on purpose


def finish(
    fields: BillFields,
    confidence: dict[str, float],
    served_states: Collection[str] | None,
    field_sources: dict[str, BillSource] | None = None,
    **base: Any,
) -> BillReading:
    """Apply the rules and decide ok/problem."""
    issues = validate_bill(fields, served_states=served_states)
    weak = any(getattr(fields, n) is None or confidence.get(n, 0.0) < MIN_CONFIDENCE for n in REQUIRED)
    problem: BillProblem | None = "failed_validation" if blocking(issues) else None
    if weak:
        problem = "unreadable"
    sources = field_sources or {
        name: base.get("source", "none") for name, value in fields if value not in (None, [])
    }
    return BillReading(
        ok=problem is None,
        fields=fields,
        confidence=confidence,
        problem=problem,
        issues=issues,
        field_sources=sources,
        **base,
    )


def corroborate(fields: BillFields, confidence: dict[str, float], text: str) -> None:
    """OCR can misread one digit: keep a number's confidence only if a second witness agrees."""
    total = fields.total_amount
    barcode_agreed = confidence.get("total_amount", 0.0) >= 0.97
    if total is not None and not (barcode_agreed or total_witnessed(text, total)):
        confidence["total_amount"] = min(confidence["total_amount"], UNCORROBORATED)
    kwh = fields.consumption_kwh
    if kwh is not None and count_quantity(text, kwh) < 2 and not priced_line_agrees(text, kwh):
        confidence["consumption_kwh"] = min(confidence["consumption_kwh"], UNCORROBORATED)


def total_witnessed(text: str, total: float) -> bool:
    """A second sighting of the total on the page: printed twice, or the items add up to it."""
    return count_amount(text, total) >= 2 or items_add_up(text, total)


# a unit price per kWh: '0,93766082', '0,54237', and OCR's '0.89478846' (its decimal comma read as a point)
_TARIFF_RE = re.compile(r"(?<![\d.,])\d[.,]\d{4,8}(?![\d.,])")


def priced_line_agrees(text: str, kwh: float) -> bool:
    """The energy item's line as its own witness: kWh x the unit tariff = the item's amount.

    A bill prints "Energia Elétrica  kWh  342  0,93766082  320,68"; a misread digit in any of the
    three numbers breaks the product, so a kWh printed once is still confirmed by arithmetic."""
    for line in text.splitlines():
        if not any((parse_brl(m.group(0)) or -1) == kwh for m in NUMBER_RE.finditer(line)):
            continue
        amounts = [parse_brl(m.group(0)) for m in MONEY_RE.finditer(line)]
        for tariff in (parse_brl(m.group(0)) for m in _TARIFF_RE.finditer(line)):
            expected = kwh * (tariff or 0)
            if expected and any(a and abs(a - expected) <= max(0.02, 0.002 * expected) for a in amounts):
                return True
    return False


MAX_ITEMS = 12  # item lines a bill's table adds up to its total (energy, taxes, fees, credits)
MAX_ITEM_GAP = 2  # lines between two items of one table (a wrapped description, a blank line)


def items_add_up(text: str, total: float) -> bool:
    """The item table as the total's witness: consecutive item lines whose amounts add up to it.

    A bill's total is the sum of its items ("Consumo TUSD ... 165,30", "Consumo TE ... 135,20",
    "CIP ... 25,00", a credit "-10,00"). Each line's last amount is its item's value; a run of two or
    more such lines summing to the total to the cent confirms it: a misread digit in the total or in
    any item breaks the sum, so a total printed once (no barcode in the photo) can still be trusted."""
    if total <= 0:
        return False
    items = _item_amounts(text, total)
    for start in range(len(items)):
        running = 0.0
        for k in range(start, min(start + MAX_ITEMS, len(items))):
            if k > start and items[k][0] - items[k - 1][0] > MAX_ITEM_GAP + 1:
                break
            running += items[k][1]
            if k > start and abs(running - total) < 0.005:
                return True
    return False


def _item_amounts(text: str, total: float) -> list[tuple[int, float]]:
    """(line, last amount) for each line ending in an amount other than the total itself."""
    items = []
    for i, line in enumerate(text.splitlines()):
        amounts = [parse_brl(m.group(0)) for m in MONEY_RE.finditer(line)]
        if amounts and amounts[-1] is not None and all(a is None or abs(a - total) >= 0.005 for a in amounts):
            items.append((i, amounts[-1]))
    return items


def count_amount(text: str, value: float) -> int:
    """Lines on which `value` is printed as money ('568,02', 'R$ 568,02')."""
    return sum(
        1
        for line in text.splitlines()
        if any(abs((parse_brl(m.group(0)) or -1) - value) < 0.005 for m in MONEY_RE.finditer(line))
    )


def count_quantity(text: str, value: float) -> int:
    """Tokens equal to `value` as a plain quantity ('541', '1.250', '541,00')."""
    return sum(1 for m in NUMBER_RE.finditer(text) if (parse_brl(m.group(0)) or -1) == value)
