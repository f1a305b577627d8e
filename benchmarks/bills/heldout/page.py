"""A4 drawing helpers for the held-out layouts (fpdf2): text at a point, leader lines, cell grids, charts."""

from __future__ import annotations

import random

from fpdf import FPDF

from benchmarks.bills.heldout.bills import SHORT_MONTHS, HeldoutBill, money


class Page(FPDF):
    def __init__(self, font: str = "Helvetica") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_page()
        self.family = font

    def put(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 8,
        style: str = "",
        align: str = "L",
        color: tuple[int, int, int] = (20, 20, 20),
    ) -> None:
        """Text whose left (L), right (R) or centre (C) edge is at x, baseline at y."""
        self.set_font(self.family, style, size)
        self.set_text_color(*color)
        width = self.get_string_width(text)
        offset = {"L": 0.0, "R": width, "C": width / 2}[align]
        self.text(x - offset, y, text)

    def fill(self, x: float, y: float, w: float, h: float, color: tuple[int, int, int]) -> None:
        self.set_fill_color(*color)
        self.rect(x, y, w, h, style="F")

    def frame(self, x: float, y: float, w: float, h: float, gray: int = 90, rounded: bool = False) -> None:
        self.set_draw_color(gray, gray, gray)
        self.set_line_width(0.25)
        self.rect(x, y, w, h, style="D", round_corners=rounded)

    def leader(self, x: float, y: float, width: float, label: str, value: str, size: float = 8) -> None:
        """`LABEL ........ VALUE` across `width` mm, as old dot-matrix bills print it."""
        self.set_font(self.family, "", size)
        dots = max(3, int((width - self.get_string_width(label + value)) / self.get_string_width(".")))
        self.put(x, y, f"{label}{'.' * dots}{value}", size)

    def grid(
        self,
        x: float,
        y: float,
        widths: list[float],
        rows: list[list[str]],
        size: float = 7,
        height: float = 5.0,
        header_fill: tuple[int, int, int] | None = (225, 225, 225),
    ) -> float:
        """A bordered table; first row is a header; cells that look like numbers align right."""
        self.set_font(self.family, "", size)
        self.set_draw_color(150, 150, 150)
        for r, row in enumerate(rows):
            cx = x
            for w, cell in zip(widths, row, strict=True):
                if r == 0 and header_fill:
                    self.fill(cx, y, w, height, header_fill)
                self.rect(cx, y, w, height)
                numeric = bool(cell) and cell.replace(".", "").replace(",", "").replace("-", "").isdigit()
                self.put(
                    cx + (w - 1.2 if numeric else 1.2),
                    y + height - 1.4,
                    cell,
                    size,
                    "B" if r == 0 else "",
                    "R" if numeric else "L",
                )
                cx += w
            y += height
        return y

    def bars(self, x: float, y: float, bill: HeldoutBill, width: float = 80, height: float = 22) -> None:
        """Consumption history as bars with the month under each and the kWh above it."""
        past = list(reversed(bill.past))
        top = max(k for _, _, k in past)
        step = width / len(past)
        for i, (m, yr, k) in enumerate(past):
            h = height * k / top
            self.fill(x + i * step + 0.6, y + height - h, step - 1.2, h, (120, 140, 160))
            self.put(x + i * step + step / 2, y + height + 3, f"{SHORT_MONTHS[m]}/{yr % 100}", 4.5, align="C")
            self.put(x + i * step + step / 2, y + height - h - 0.8, str(k), 4.5, align="C")

    def items(self, x: float, y: float, bill: HeldoutBill, rng: random.Random, widths: list[float]) -> float:
        """Billed items with quantity, tariff and value; the energy line carries the kWh again."""
        energy = round(bill.total - bill.taxes["CIP"], 2)
        tariff = energy / bill.kwh
        rows = [
            ["Descrição", "Quant.", "Tarifa", "Valor (R$)"],
            ["Consumo ativo", f"{bill.kwh}", f"{tariff:.6f}".replace(".", ","), money(energy)],
            ["Contrib. Ilum. Pública", "", "", money(bill.taxes["CIP"])],
        ]
        if rng.random() < 0.5:
            rows.insert(2, ["Adicional bandeira", "", "", "0,00"])
        return self.grid(x, y, widths, rows)

    def tax_box(self, x: float, y: float, bill: HeldoutBill) -> float:
        rows = [["Tributo", "Base (R$)", "Alíq.", "Valor (R$)"]]
        base = bill.total - bill.taxes["CIP"]
        for name, rate in (("ICMS", "18%"), ("PIS", "1,1%"), ("COFINS", "5%")):
            rows.append([name, money(base), rate, money(bill.taxes[name])])
        return self.grid(x, y, [22, 24, 14, 22], rows, size=6.5, height=4.4)
