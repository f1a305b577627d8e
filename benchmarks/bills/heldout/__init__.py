"""A second, independent family of synthetic electricity bills, used ONLY as a held-out benchmark.

Written without reading the bill reader, after the first family (tests/bill_layouts/): other
distributors (EDP ES, RGE, CEEE Equatorial, Enel SP, Energisa Sergipe, Equatorial Alagoas,
Neoenergia Brasília, Sulgipe), other wordings, table styles and fonts, and other photo effects
(perspective on paper-coloured tables, shadow gradients, a phone's shadow, folds, WhatsApp
recompression, 150-dpi scans). Never tune the reader on it: score it, do not fit it.

    bill = make_bill("rge", seed=3)
    pdf = render_pdf(bill)
    jpeg = photograph(pdf, "shadow", seed=3)
    expected(bill)   # what a perfect reader returns
"""

from benchmarks.bills.heldout.bills import HeldoutBill, expected, make_bill, same_value
from benchmarks.bills.heldout.layouts import LAYOUTS, render_pdf
from benchmarks.bills.heldout.photos import VARIANTS, photograph

__all__ = [
    "LAYOUTS",
    "VARIANTS",
    "HeldoutBill",
    "expected",
    "make_bill",
    "photograph",
    "render_pdf",
    "same_value",
]
