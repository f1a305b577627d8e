"""The drawing surface (fpdf2) and the pieces every layout prints: items, taxes, payment line."""

from __future__ import annotations

import random
import re

from fpdf import FPDF

from tests.bill_layouts.bills import ABBR, Bill, brl

# --- drawing --------------------------------------------------------------------------------


class Sheet(FPDF):
    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_page()

    def t(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 7.5,
        bold: bool = False,
        right: bool = False,
        rgb: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_text_color(*rgb)
        self.text(x - (self.get_string_width(s) if right else 0), y, s)

    def band(self, x: float, y: float, w: float, h: float, rgb: tuple[int, int, int]) -> None:
        self.set_fill_color(*rgb)
        self.rect(x, y, w, h, style="F")

    def boxes(
        self, x: float, y: float, widths: list[float], cells: list[tuple[str, str]], big: float = 9
    ) -> None:
        """Label in small type at the top of each box, value underneath."""
        for w, (label, value) in zip(widths, cells, strict=True):
            self.set_draw_color(120, 120, 120)
            self.rect(x, y, w - 1.5, 11)
            self.t(x + 1.5, y + 3.5, label, 6)
            self.t(x + 1.5, y + 9, value, big, bold=True)
            x += w

    def table(
        self,
        x: float,
        y: float,
        widths: list[float],
        rows: list[list[str]],
        size: float = 7,
        step: float = 4.2,
    ) -> float:
        """First row is the header; numeric columns right-aligned. Returns the y after the table."""
        for r, row in enumerate(rows):
            cx = x
            for w, cell in zip(widths, row, strict=True):
                numeric = bool(re.fullmatch(r"-?[\d.,%]+", cell)) and cx > x
                self.t(cx + w - 2 if numeric else cx, y, cell, size, bold=r == 0, right=numeric)
                cx += w
            y += step
        return y

    def bars(self, x: float, y: float, hist: list[tuple[int, int, int]], height: float = 22) -> None:
        """Consumption history as a bar chart: value over each bar, MMM/YY under it (oldest left)."""
        top = max(k for _, _, k in hist)
        for i, (m, yr, k) in enumerate(reversed(hist)):
            h = height * k / top
            bx = x + i * 14
            self.band(bx, y + height - h, 9, h, (150, 170, 200))
            self.t(bx + 4.5 - len(str(k)) * 0.7, y + height - h - 1, str(k), 5.5)
            self.t(bx, y + height + 3.5, f"{ABBR[m]}/{yr % 100}", 5.5)


def payment_line(cents: int, rng: random.Random) -> str:
    """A 48-digit 'arrecadação' payment line (segment 6, value in reais, mod 10 digits)."""

    def mod10(s: str) -> int:
        tot = sum(sum(divmod(int(c) * (2 - i % 2), 10)) for i, c in enumerate(reversed(s)))
        return (10 - tot % 10) % 10

    body = "836" + f"{cents:011d}" + "".join(str(rng.randint(0, 9)) for _ in range(29))
    code = body[:3] + str(mod10(body)) + body[3:]
    return "  ".join(f"{code[k : k + 11]}-{mod10(code[k : k + 11])}" for k in range(0, 44, 11))


def energy_items(b: Bill, rng: random.Random) -> tuple[list[tuple[str, float]], float]:
    """(energy items as (share of kWh price), taxes base) adding up to the total with the CIP."""
    energy = b.total - b.cip
    flag = round(energy * rng.choice((0.0, 0.03, 0.06)), 2)
    tusd = round((energy - flag) * 0.55, 2)
    return [("TUSD", tusd), ("TE", round(energy - flag - tusd, 2)), ("FLAG", flag)], energy


def tax_rows(b: Bill, base: float) -> list[list[str]]:
    return [
        ["Tributo", "Base de cálculo (R$)", "Alíquota (%)", "Valor (R$)"],
        ["ICMS", brl(base), "18,00", brl(base * 0.18)],
        ["PIS/PASEP", brl(base), "0,98", brl(base * 0.0098)],
        ["COFINS", brl(base), "4,52", brl(base * 0.0452)],
    ]


def document_label(b: Bill) -> str:
    return ("CNPJ: " if b.person == "PJ" else "CPF: ") + b.document
