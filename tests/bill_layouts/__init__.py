"""Bill layouts the reader was NOT built on: ten Brazilian distributors' styles, written apart from
`demo/sample_bills.py` and `demo/bill_layouts.py` (own wording, positions, tables, history charts,
photo simulation).

    bill = make_bill("cemig", seed=3)
    pdf = render_pdf(bill)                         # text PDF (fpdf2)
    jpeg = photo(pdf, random.Random(3), dark=True) # a phone photo of the printed page
    truth(bill)                                    # what a perfect reader returns

Every layout names its fields differently ("TOTAL DA FATURA", "Valor a pagar (R$)", "Vence em",
"Ref: OUT/2026", "Nº da instalação", "UC", ...), prints distractor amounts (taxes, tariffs, public
lighting, history) and places values beside, under or far from their labels.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.bill_layouts.bills import Bill, field_matches, make_bill, person_type, truth
from tests.bill_layouts.layouts_north import _enel_ce, _energisa, _equatorial, _neoenergia
from tests.bill_layouts.layouts_regional import _courier, _grid
from tests.bill_layouts.layouts_south import _celesc, _cemig, _copel, _cpfl, _elektro, _enel_rj, _light
from tests.bill_layouts.photos import clean_png, jpeg, page_image, photo
from tests.bill_layouts.sheet import Sheet

__all__ = [
    "LAYOUTS",
    "Bill",
    "clean_png",
    "field_matches",
    "jpeg",
    "make_bill",
    "page_image",
    "person_type",
    "photo",
    "render_pdf",
    "truth",
]

LAYOUTS: dict[str, Callable[[Sheet, Bill, random.Random], None]] = {
    "enel_ce": _enel_ce,
    "enel_rj": _enel_rj,
    "cemig": _cemig,
    "cpfl": _cpfl,
    "equatorial": _equatorial,
    "light": _light,
    "copel": _copel,
    "celesc": _celesc,
    "energisa": _energisa,
    "neoenergia": _neoenergia,
    "elektro": _elektro,
    "grid": _grid,
    "courier": _courier,
}


def render_pdf(b: Bill) -> bytes:
    sheet = Sheet()
    LAYOUTS[b.layout](sheet, b, random.Random(f"draw-{b.layout}-{b.total}"))
    return bytes(sheet.output())
