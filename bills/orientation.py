"""Pages photographed upside down (the phone held the other way round, or a PDF scanned that way).

`bills.files` already turns a page shot *sideways* (its text boxes come out tall and narrow).
An upside-down page gives wide boxes of garbage, which no box shape can tell from a page that is
simply not a bill. So the test is the text itself: a page that reads as many words but not as a
bill is OCR'd once more turned 180°, and the turned reading wins when it reads as a bill.

Cost: nothing for a page that reads as a bill (every upright bill); one more OCR (~3 s) only for a
wordy page that does not. Pages with few words (a selfie, a dark photo) are left alone.
tesseract (and its OSD) is not installed here. RapidOCR's wheel has a text-line direction classifier,
but it works on single detected lines inside RapidOCR's own pipeline; using it as a page test would
mean a separate detection pass through RapidOCR internals (not tried): re-reading turned is simpler.
"""

from __future__ import annotations

import logging

from bills.fields import looks_like_bill
from bills.files import PageText
from bills.images import rotate_quarter
from bills.ocr import OcrEngine

log = logging.getLogger(__name__)

MIN_WORDS = 25  # an upside-down bill still yields dozens of (garbled) words; a selfie does not


def upright(pages: list[PageText], ocr: OcrEngine | None) -> list[PageText]:
    """The pages, with any OCR'd page that reads as a bill only when turned 180° replaced by that."""
    if ocr is None:
        return pages
    return [_upright(page, ocr) for page in pages]


def _upright(page: PageText, ocr: OcrEngine) -> PageText:
    if page.source != "ocr" or page.image is None or looks_like_bill(page.text):
        return page
    if len(page.text.split()) < MIN_WORDS:
        return page
    turned = rotate_quarter(page.image, 2)
    retry = ocr.read(turned)
    if not looks_like_bill(retry.text):
        return page
    log.info("bill page read upside down: turned 180 degrees")
    return PageText(retry.text, "ocr", retry.mean_score, turned)
