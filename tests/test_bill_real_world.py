"""Bills as leads really send them: an app screenshot, a photo of a screen, two photos of one bill,
a thumb or a fold over the total, a 150-dpi scan. Each is read right, or the lead gets the tip that
fits (Portuguese), never a wrong total.

The tips are tested on hand-made readings (fast); the images from `tests/bill_photos/real_world.py`
go through the real reader once each (OCR: seconds each), and two through the conversation.
"""

from __future__ import annotations

import functools
import random

import pytest

from agent.ports import BillFields, BillFile, BillReading
from agent.state import Stage
from bills.feedback import choose_tip, is_partial, specific_tip
from bills.fields import total_label_without_value
from bills.files import PageText
from bills.images import decode_image, looks_like_screenshot
from bills.reader import BillReader
from demo.sample_bills import _plain_pdf
from tests.bill_layouts import field_matches, make_bill, render_pdf, truth
from tests.bill_layouts.bills import brl
from tests.bill_photos import page_photo
from tests.bill_photos.real_world import (
    app_screenshot,
    fold_across,
    halves,
    scan_150dpi,
    screen_photo,
    thumb_over,
)
from tests.conftest import MARIA
from tests.test_bill_conversations import at_document_request, templates_of
from tests.test_conversations import send_file
from wiring import Silvia

KEY = ("total_amount", "distributor", "state")
COVERED_TEXT = """CEMIG                 CEMIG DISTRIBUIÇÃO S.A.
  Referente a          Vencimento          Valor a pagar (R$)
  JAN/2026             05/02/2026
  Valores Faturados      Unid.   Quant.   Preço Unit                        Valor (R$)
  Energia Elétrica       kWh     230      1,00656522                        231,51
"""
TOP_HALF_TEXT = """CEMIG                 CEMIG DISTRIBUIÇÃO S.A.
  Referente a          Vencimento          Valor a pagar (R$)
  JAN/2026             05/02/2026          270,54
"""


def _weak(text: str, issues: list[str] | None = None, **fields: object) -> BillReading:
    values = {"distributor": "Cemig", "consumption_kwh": 230.0, **fields}
    confidence = {"distributor": 0.95, "consumption_kwh": 0.8, "total_amount": 0.45}
    return BillReading(
        ok=False, problem="unreadable", text=text, fields=BillFields(**values), confidence=confidence,
        issues=issues or [], source="ocr",
    )  # fmt: skip


def test_a_total_label_without_its_amount_means_something_covers_it() -> None:
    assert total_label_without_value(COVERED_TEXT)
    assert not total_label_without_value(TOP_HALF_TEXT)  # the amount is there: nothing covers it
    assert not total_label_without_value("Energia Elétrica kWh 230 231,51")  # no label at all
    covered = _weak(COVERED_TEXT, total_amount=270.54)  # the barcode alone gave the total
    assert specific_tip(covered) == "covered" and choose_tip(covered) == "covered"
    top = _weak(TOP_HALF_TEXT, total_amount=270.54)  # seen once, in the part photographed
    assert specific_tip(top) is None and is_partial(top)  # "send the other part" is the right ask


def test_a_screenshot_that_is_not_enough_asks_for_the_pdf() -> None:
    reading = _weak(TOP_HALF_TEXT, ["screenshot"], total_amount=270.54)
    assert choose_tip(reading) == "pdf"
    assert choose_tip(reading, given=["pdf"]) != "pdf"  # asked once already: another tip


def test_screenshots_are_told_from_camera_photos() -> None:
    bill = make_bill("cemig", 401)
    assert looks_like_screenshot(decode_image(app_screenshot(bill, random.Random(1))))
    photo = page_photo(render_pdf(bill), "plain", random.Random(2))
    assert not looks_like_screenshot(decode_image(photo))
    assert not looks_like_screenshot(decode_image(scan_150dpi(render_pdf(bill), random.Random(3))))


# --- the images through the reader ------------------------------------------------------------


@functools.cache
def _reading(kind: str, layout: str, seed: int) -> BillReading:
    bill = make_bill(layout, seed)
    pdf, rng, reader = render_pdf(bill), random.Random(seed), BillReader()
    if kind == "halves":
        top, bottom = halves(pdf, rng)
        return reader.read_many([BillFile(data=top, mime_type="image/jpeg"),
                                 BillFile(data=bottom, mime_type="image/jpeg")])  # fmt: skip
    if kind == "app":
        return reader.read(app_screenshot(bill, rng), "image/png", "Screenshot_20261206.png")
    make = {"screen": screen_photo, "scan": scan_150dpi}.get(kind)
    if make is not None:
        return reader.read(make(pdf, rng), "image/jpeg", "IMG.jpg")
    cover = {"thumb": thumb_over, "fold": fold_across}[kind]
    return reader.read(cover(pdf, brl(bill.total), rng), "image/jpeg", "IMG.jpg")


CASES = [  # (kind, layout, seed, what must happen)
    ("scan", "copel", 402, "read"),
    ("halves", "cemig", 401, "read"),
    ("fold", "energisa", 403, "read_or_tip"),
    ("screen", "enel_ce", 404, "read_or_tip"),
    ("app", "cemig", 401, "read_or_tip"),
    ("thumb", "cemig", 401, "read_or_tip"),
]


@pytest.mark.parametrize(("kind", "layout", "seed", "expect"), CASES)
def test_real_world_images_are_read_or_get_the_right_tip(
    kind: str, layout: str, seed: int, expect: str
) -> None:
    reading = _reading(kind, layout, seed)
    want = truth(make_bill(layout, seed))
    got = reading.fields.model_dump()
    if reading.ok:
        assert got["total_amount"] == want["total_amount"]  # never a wrong total accepted
        assert {k for k in KEY if not field_matches(k, got[k], want[k])} == set()
        return
    assert expect == "read_or_tip", (kind, reading.problem, reading.confidence)
    tip = choose_tip(reading)
    expected = {
        "app": {"pdf"},
        "thumb": {"covered"},
        "fold": {"covered", "focus"},
        "screen": {"focus", "light"},
    }
    assert tip in expected[kind] or (is_partial(reading) and kind != "thumb"), (kind, tip)


async def test_a_thumb_over_the_total_gets_the_covered_tip_in_the_conversation(silvia: Silvia) -> None:
    await at_document_request(silvia)
    covered = _plain_pdf(COVERED_TEXT.splitlines())  # what the OCR read from the thumbed photo
    result = await send_file(silvia, MARIA.phone, covered)
    assert templates_of(result) == ["bill.retry_covered"] and result.stage == Stage.DOCUMENT_REQUESTED
    assert "por cima do valor total" in result.texts[0]
    state = await silvia.state(MARIA.phone)
    assert state["pending_bill"] == []  # not kept as "part of a bill": the same page is retaken


def test_two_overlapping_photos_do_not_witness_their_own_total() -> None:
    """The total's line is in both halves: it is one printed total, not two witnesses."""
    top = "CEMIG DISTRIBUICAO S.A.\nConsumo (kWh) 230\nTOTAL A PAGAR R$ 270,54\n"
    bottom = "TOTAL A PAGAR   R$ 270,54\nEnergia Eletrica kWh 230 231,51\nConsumo (kWh) 230\n"
    pages = [PageText(top, "ocr", 0.9), PageText(bottom, "ocr", 0.9)]
    reading = BillReader(ocr=None).read_pages(pages)
    assert reading.fields.total_amount == 270.54 and reading.confidence["total_amount"] < 0.5
    assert "Energia Eletrica" in reading.text  # only the repeated line is left out
    witnessed = [pages[0], PageText(bottom.replace("TOTAL A PAGAR", "Valor cobrado"), "ocr", 0.9)]
    assert BillReader(ocr=None).read_pages(witnessed).confidence["total_amount"] >= 0.5


def test_a_kwh_printed_once_is_confirmed_by_its_priced_line() -> None:
    """kWh x unit tariff = the item's amount: arithmetic a misread digit would break."""
    from bills.confidence import priced_line_agrees

    line = "Energia Elétrica        kWh      342      0,93766082      320,68"
    assert priced_line_agrees(line, 342.0)
    assert not priced_line_agrees(line.replace("342", "312"), 312.0)  # one digit misread
    assert not priced_line_agrees("Consumo kWh 342", 342.0)  # no price on the line: no witness
