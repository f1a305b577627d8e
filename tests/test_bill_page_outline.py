"""The page outline never cuts the page: the OCR reads the whole photo and the outline only
straightens the text boxes, when it is a plausible page that holds all the text.

Geometry is tested directly (no OCR); four photos from `tests/bill_photos` (a shadow across one
side, a background close to paper colour, a page filling the frame, a page at a steep angle), all
recompressed as WhatsApp does, go through the reader. The big run with per-field figures and
timings is benchmarks/bills/photo_accuracy.py.
"""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest

from agent.ports import BillReading
from bills.files import PageText, extract
from bills.ocr import shared_engine
from bills.page_outline import flatten_boxes, implausible, judge_outline, page_homography, text_outside
from bills.reader import BillReader
from tests.bill_layouts import field_matches, make_bill, render_pdf, truth
from tests.bill_photos import page_photo

SHAPE = (1600, 1131, 3)
PAGE = np.float32([[120, 150], [1010, 140], [1030, 1460], [100, 1470]])  # a page seen slightly tilted


def _box(x: float, y: float, w: float = 200, h: float = 24) -> np.ndarray:
    return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def test_a_page_holding_all_the_text_straightens_the_boxes() -> None:
    boxes = np.stack([_box(200, 200 + 40 * i) for i in range(20)])
    decision = judge_outline(PAGE, SHAPE, boxes)
    assert decision.used and decision.reason == "flattened"
    corners = flatten_boxes(PAGE[None], decision.homography)[0]
    width, height = corners[2] - corners[0]
    assert np.allclose(corners, [[0, 0], [width, 0], [width, height], [0, height]], atol=0.5)
    assert flatten_boxes(boxes, decision.homography).shape == boxes.shape  # no box is ever dropped


@pytest.mark.parametrize(
    ("quad", "reason"),
    [
        (None, "no outline"),
        (np.float32([[400, 400], [700, 400], [700, 800], [400, 800]]), "too small"),  # a box on the bill
        (np.float32([[420, 100], [700, 100], [1100, 1500], [30, 1500]]), "too thin"),  # far side 1/4 as wide
        (np.float32([[100, 600], [1050, 600], [1050, 1500], [100, 1500]]), "not a page's shape"),  # a half
    ],
)
def test_implausible_outlines_are_not_used(quad: np.ndarray | None, reason: str) -> None:
    decision = judge_outline(quad, SHAPE, np.stack([_box(200, 700)]))
    assert not decision.used and decision.reason == reason and decision.homography is None


def test_an_outline_that_leaves_text_outside_is_not_used() -> None:
    """The bright region lost the page's dark header band: the header's text is outside the outline."""
    inside = [_box(200, 300 + 40 * i) for i in range(20)]
    header = [_box(150, 90, 600, 40), _box(150, 135, 600, 30)]  # above the outline's top edge
    boxes = np.stack(inside + header)
    assert implausible(PAGE, SHAPE) is None
    assert text_outside(boxes, PAGE) > 0.03
    assert judge_outline(PAGE, SHAPE, boxes).reason == "cuts text"


def test_text_touching_the_border_counts_as_inside() -> None:
    boxes = np.stack([_box(200, 300), _box(125, 700, 150)])  # the second starts right at the left edge
    assert text_outside(boxes, PAGE) == 0.0


def test_homography_of_a_rotated_page_lays_lines_level() -> None:
    sheet = np.float32([[150, 180], [980, 180], [980, 1350], [150, 1350]])
    turn = np.float32([[0.97, -0.24], [0.24, 0.97]])  # ~14 degrees about the sheet's centre
    quad = (sheet - sheet.mean(axis=0)) @ turn.T + sheet.mean(axis=0)
    line = (_box(300, 600, 400) - sheet.mean(axis=0)) @ turn.T + sheet.mean(axis=0)
    flat = flatten_boxes(line[None], page_homography(quad))[0]
    assert abs(flat[0][1] - flat[1][1]) < 1.0  # the top edge of the line is horizontal again


# --- photos through the reader -----------------------------------------------------------------

PHOTOS = [  # (layout, seed, scenario)
    ("neoenergia", 341, "fills_frame"),  # the old warp cut this page in half: nothing was read
    ("cemig", 310, "shadow_side"),
    ("copel", 330, "paper_background"),
    ("enel_rj", 351, "angled"),
]
KEY = ("total_amount", "due_date", "distributor", "state")


@functools.cache
def _read(layout: str, seed: int, scenario: str) -> tuple[PageText, BillReading]:
    data = page_photo(render_pdf(make_bill(layout, seed)), scenario, random.Random(seed))
    pages = extract(data, "image/jpeg", "IMG-20261206-WA0003.jpg", max_pages=1, ocr=shared_engine())
    return pages[0], BillReader().read_pages(pages)


@pytest.mark.parametrize(("layout", "seed", "scenario"), PHOTOS)
def test_hard_outline_photos_keep_the_whole_page(layout: str, seed: int, scenario: str) -> None:
    _, reading = _read(layout, seed, scenario)
    want = truth(make_bill(layout, seed))
    got = reading.fields.model_dump()
    assert {k: got[k] for k in KEY if not field_matches(k, got[k], want[k])} == {}
    if reading.ok:  # a total read once (its barcode misread) is not ok: the lead is asked again
        assert got["total_amount"] == want["total_amount"]


def test_an_outline_that_would_cut_the_page_is_not_used() -> None:
    page, _ = _read("neoenergia", 341, "fills_frame")
    assert page.outline in ("no outline", "too small", "too thin", "not a page's shape", "cuts text")
    assert "NEOENERGIA" in page.text.upper()
