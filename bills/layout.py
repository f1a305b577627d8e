"""Finding the value that belongs to a label in laid-out bill text, and the payment barcode.

Bills print a label either with its value to the right ("TOTAL A PAGAR: R$ 380,00") or in a box
with the value underneath ("VENCIMENTO   TOTAL A PAGAR" / "15/03/2026   R$ 380,00"). Text from
`pypdf` layout mode or OCR keeps columns roughly aligned, so "underneath" means "a following line
whose value overlaps the label's columns".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bills.patterns import fold

# Words that may sit between a label and its value without breaking the link.
_GAP_FILLER = re.compile(r"r\$|\br[s5]\b|kwh|reais|\(|\)|[\s:=.\-|–—·•…_]|\b(?:em|de|do|da|ate)\b")
# Dot leaders ("Nº da instalação ........ 3002145", OCR: "....3002145", "  .3002145", ". . . .", "……") glue
# onto the value and hide it from patterns that refuse a number after a '.'; they become blanks of
# the same width, so columns stay where they were.
_LEADER = re.compile(r"[.·•…_]{3,}|(?:[.·•] ){2,}[.·•]?|[.·•…_]{2,}(?=\d)|(?<=\s)[.·•…_](?=\d)")


@dataclass(frozen=True)
class Hit:
    value: Any
    score: float
    line: int
    kind: str = "label"


class Page:
    """Bill text as lines, with an accent-free lower-case twin for matching labels."""

    def __init__(self, text: str) -> None:
        raw = text.replace("\r", "").replace("\u00a0", " ").split("\n")
        self.lines = [_without_leaders(ln).rstrip() for ln in raw]
        self.folded = [fold(ln) for ln in self.lines]

    def labelled(
        self,
        label: re.Pattern[str],
        value: re.Pattern[str],
        parse: Callable[[str], Any],
        *,
        weight: float = 1.0,
        skip: Callable[[int, re.Match[str]], bool] | None = None,
        below: int = 3,
    ) -> list[Hit]:
        """Every (value, score) a label points at, to its right or underneath."""
        hits: list[Hit] = []
        for i, line in enumerate(self.folded):
            for m in label.finditer(line):
                if skip and skip(i, m):
                    continue
                hit = self._right_of(i, m, value, parse) or self._under(i, m, value, parse, below)
                if hit:
                    hits.append(Hit(hit.value, round(hit.score * weight, 3), hit.line))
        return hits

    def _right_of(self, i: int, m: re.Match[str], value: re.Pattern[str], parse: Callable) -> Hit | None:
        for v in value.finditer(self.folded[i], m.end()):
            gap = self.folded[i][m.end() : v.start()]
            rest = _GAP_FILLER.sub("", gap)
            parsed = parse(v.group(0))
            if parsed is None:
                continue
            if not rest:
                return Hit(parsed, 1.0, i)
            if len(rest) <= 10 and "  " not in gap.strip():
                return Hit(parsed, 0.8, i)
            return None
        return None

    def _under(
        self, i: int, m: re.Match[str], value: re.Pattern[str], parse: Callable, below: int
    ) -> Hit | None:
        seen = 0
        for j in range(i + 1, len(self.lines)):
            if not self.lines[j].strip():
                continue
            seen += 1
            if seen > below:
                return None
            span = self._same_cell(i, m.start(), j) or self._overlapping(m, j, value)
            if span is None:
                continue
            v = value.search(self.folded[j], span[0], span[1])
            parsed = parse(v.group(0)) if v else None
            if parsed is None:
                continue
            score = 0.92 - 0.08 * (seen - 1)
            if self._column_continues(j, v.start(), v.end(), value):
                score *= 0.4  # a table column (history, readings), not a single value box
            return Hit(parsed, score, j)
        return None

    def _same_cell(self, i: int, col: int, j: int) -> tuple[int, int] | None:
        """Header row and value row with the same number of cells: the cell in the label's rank."""
        heads, cells = cells_of(self.lines[i]), cells_of(self.lines[j])
        if len(heads) < 2 or len(heads) != len(cells):
            return None
        rank = next((k for k, (a, b) in enumerate(heads) if a <= col < b), None)
        return cells[rank] if rank is not None else None

    def _overlapping(self, m: re.Match[str], j: int, value: re.Pattern[str]) -> tuple[int, int] | None:
        lo, hi = m.start() - 4, m.end() + 6
        centre = (m.start() + m.end()) / 2
        spans = [
            (v.start(), v.end()) for v in value.finditer(self.folded[j]) if v.end() > lo and v.start() < hi
        ]
        return min(spans, key=lambda s: abs((s[0] + s[1]) / 2 - centre)) if spans else None

    def _column_continues(self, j: int, lo: int, hi: int, value: re.Pattern[str]) -> bool:
        count = 0
        for k in range(j + 1, min(j + 4, len(self.lines))):
            if any(v.end() > lo and v.start() < hi for v in value.finditer(self.folded[k])):
                count += 1
        return count >= 2


def _without_leaders(line: str) -> str:
    """The line with its dot leaders blanked; a CPF/CNPJ line keeps its dots (OCR turns a mask's
    asterisks into them: 'CPF: …….303-', which `bills.parties` reads as a masked CPF)."""
    if re.search(r"cpf|cnpj", line, re.IGNORECASE):
        return line
    return _LEADER.sub(lambda m: " " * len(m.group(0)), line)


def cells_of(line: str) -> list[tuple[int, int]]:
    """Spans of the runs of text separated by two or more spaces."""
    return [(c.start(), c.end()) for c in re.finditer(r"\S+(?: \S+)*", line)]


def vote(hits: Iterable[Hit], key: Callable[[Any], Any] = lambda v: v) -> tuple[Any, float, int]:
    """Pick the value with the best support: (value, confidence, distinct sources agreeing)."""
    groups: dict[Any, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(key(hit.value), []).append(hit)
    if not groups:
        return None, 0.0, 0
    best_key, best_score, best_n = None, -1.0, 0
    for k, group in groups.items():
        kinds = {h.kind for h in group}
        lines = {h.line for h in group}
        score = max(h.score for h in group) + 0.05 * (len(lines) - 1) + 0.1 * (len(kinds) - 1)
        if score > best_score:
            best_key, best_score, best_n = k, score, len(kinds)
    value = next(h.value for h in groups[best_key] if key(h.value) == best_key)
    return value, min(best_score, 1.0), best_n


# --- payment barcode ("linha digitável") ------------------------------------------------------


def mod10(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return (10 - total % 10) % 10


def mod11_arrecadacao(digits: str) -> int:
    total = sum(int(ch) * (2 + i % 8) for i, ch in enumerate(reversed(digits)))
    rest = total % 11
    return 0 if rest in (0, 1) else 11 - rest


_DIGIT_RUN = re.compile(r"\d[\d. \t-]{40,80}\d")


def barcode_amount(text: str) -> float | None:
    """The amount encoded in a utility (arrecadação, 48 digits) or bank (47 digits) payment line."""
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        for size, decode in ((48, _arrecadacao_amount), (44, _arrecadacao_amount), (47, _bank_amount)):
            for start in range(len(digits) - size + 1):
                amount = decode(digits[start : start + size])
                if amount:
                    return amount
    return None


def _arrecadacao_amount(digits: str) -> float | None:
    if not digits.startswith("8"):
        return None
    if len(digits) == 48:
        blocks = [digits[k : k + 12] for k in range(0, 48, 12)]
        check = mod10 if blocks[0][2] in "67" else mod11_arrecadacao
        if any(check(b[:11]) != int(b[11]) for b in blocks):
            return None
        digits = "".join(b[:11] for b in blocks)
    if len(digits) != 44 or digits[2] not in "68":
        return None
    check = mod10 if digits[2] == "6" else mod11_arrecadacao
    if check(digits[:3] + digits[4:]) != int(digits[3]):
        return None
    cents = int(digits[4:15])
    return cents / 100 if cents else None


def _bank_amount(digits: str) -> float | None:
    if len(digits) != 47 or digits.startswith("8"):
        return None
    fields = [(digits[0:9], digits[9]), (digits[10:20], digits[20]), (digits[21:31], digits[31])]
    if any(mod10(body) != int(dv) for body, dv in fields):
        return None
    cents = int(digits[-10:])
    return cents / 100 if cents else None


def make_arrecadacao_line(amount: float, company: str = "0048", free: str = "") -> str:
    """A valid 48-digit energy-segment payment line for `amount` (used by the synthetic bills)."""
    cents = round(amount * 100)
    body = "836" + f"{cents:011d}" + company[:4].rjust(4, "0") + (free + "0" * 25)[:25]
    dv = mod10(body)
    code = body[:3] + str(dv) + body[3:]
    blocks = [code[k : k + 11] for k in range(0, 44, 11)]
    return "  ".join(f"{b}-{mod10(b)}" for b in blocks)
