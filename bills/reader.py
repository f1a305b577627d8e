"""`BillReader`: the BillReaderPort. Any bill a lead sends - PDF with text, scanned PDF, photo or
screenshot, one file or several pages - becomes one `BillReading`.

    reader = BillReader()                      # offline: pypdf + RapidOCR
    reader = BillReader(vision=VisionClient(...))  # + a vision model for photos OCR is unsure of

A reading is `ok` only when total, kWh and distributor were read with confidence and the bill
passes the rules in `bills.checks`. OCR numbers need a second witness (the payment
barcode, or the same value printed elsewhere on the bill): a total seen once is never trusted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from typing import Any

from agent.ports import BillFile, BillProblem, BillReadError, BillReading, BillSource
from bills.confidence import corroborate, finish
from bills.fields import looks_like_bill, parse_bill_text
from bills.files import MIN_TEXT_CHARS, FileProblem, PageText, extract, kind_of
from bills.ocr import OcrEngine, shared_engine
from bills.orientation import upright
from bills.patterns import find_distributor, fold
from bills.vision import VisionClient, improve_with_vision
from settings import DEFAULT_MAX_BILL_BYTES

log = logging.getLogger(__name__)

MAX_PAGES = 6  # bills have 1-3 pages; more is not a bill (or a huge attachment)
MAX_FILES = 4
_DEFAULT: Any = object()


class BillReader:
    """Read a bill from one or more files: size/type checks, text or OCR, parsing, rules, vision."""

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BILL_BYTES,
        max_pages: int = MAX_PAGES,
        *,
        ocr: OcrEngine | None = _DEFAULT,
        vision: VisionClient | None = None,
        served_states: Collection[str] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.ocr = shared_engine() if ocr is _DEFAULT else ocr
        self.vision = vision
        self.served_states = served_states

    def warm_up(self) -> None:
        """Load the OCR models and run them once (start-up), so no lead's photo waits for that."""
        if self.ocr is not None:
            self.ocr.warm_up()

    def will_be_slow(self, data: bytes, mime_type: str, filename: str | None = None) -> bool:
        """An image is OCR'd (seconds); a PDF is usually text (milliseconds): the lead is told to wait."""
        return self.ocr is not None and kind_of(data, mime_type, filename) == "image"

    def read(self, data: bytes, mime_type: str, filename: str | None = None) -> BillReading:
        return self.read_many([BillFile(data=data, mime_type=mime_type, filename=filename)])

    def read_many(self, files: Sequence[BillFile]) -> BillReading:
        """All files are pages of one bill; their text is read as one document.

        Raises `BillReadError` when a library crashes on a file (the port's error, not theirs)."""
        try:
            return self._read_many(files)
        except Exception as exc:  # the adapter's boundary: any library failure on a hostile file
            raise BillReadError(f"{type(exc).__name__}: {exc}") from exc

    def _read_many(self, files: Sequence[BillFile]) -> BillReading:
        if not files:
            return _problem("unreadable")
        if len(files) > MAX_FILES or sum(len(f.data) for f in files) > self.max_bytes:
            return _problem("too_large")
        pages: list[PageText] = []
        try:
            for f in files:
                pages += extract(f.data, f.mime_type, f.filename, max_pages=self.max_pages, ocr=self.ocr)
        except FileProblem as exc:
            return _problem(exc.problem)
        pages = upright(pages, self.ocr)  # a photo taken upside down
        return self.read_pages(pages[: self.max_pages * MAX_FILES])

    def read_pages(self, pages: list[PageText]) -> BillReading:
        """Parse the text of the pages; ask the vision model when OCR was not enough."""
        reading = self._parse(pages)
        if any(p.screenshot for p in pages):  # a weak screenshot gets "send the PDF" as its tip
            reading = reading.model_copy(update={"issues": [*reading.issues, "screenshot"]})
        if self.vision is not None and _wants_vision(reading, pages):
            reading = improve_with_vision(self.vision, reading, pages, self.served_states)
        return reading

    def _parse(self, pages: list[PageText]) -> BillReading:
        text = joined_text(pages)
        source: BillSource = "ocr" if any(p.source == "ocr" for p in pages) else "pdf_text"
        base = {"source": source, "text": text, "pages": len(pages)}
        if len(text.strip()) < MIN_TEXT_CHARS:
            return BillReading(ok=False, problem="unreadable", **base)
        if not looks_like_bill(text):
            weak_ocr = source == "ocr" and _bill_like(text, pages)
            problem: BillProblem = "unreadable" if weak_ocr else "not_a_bill"
            return BillReading(ok=False, problem=problem, **base)
        fields, confidence = parse_bill_text(text)
        if source == "ocr":
            corroborate(fields, confidence, text)
        return finish(fields, confidence, self.served_states, **base)


PdfBillReader = BillReader  # the name the first version (PDF text only) had


def joined_text(pages: list[PageText]) -> str:
    """The pages' text as one document. Two photos of one bill overlap (top and bottom halves): a
    line an earlier photo already read is left out of a later one, so the same printed total is
    not counted as its own second witness."""
    seen: set[str] = set()
    texts = []
    for page in pages:
        lines = page.text.splitlines()
        keys = [re.sub(r"\s+", "", fold(line)) for line in lines]
        if page.source == "ocr":
            lines = [line for line, key in zip(lines, keys, strict=True) if not key or key not in seen]
        seen.update(keys)
        texts.append("\n".join(lines))
    return "\n\n".join(texts)


def _bill_like(text: str, pages: list[PageText]) -> bool:
    """Text too poor to be sure it is NOT a bill: a bad photo of one, rather than another document."""
    dist, _ = find_distributor(text)
    mean_score = sum(p.ocr_score for p in pages) / len(pages)
    return bool(dist) or "kwh" in fold(text) or bool(re.search(r"energia", fold(text))) or mean_score < 0.8


def _wants_vision(reading: BillReading, pages: list[PageText]) -> bool:
    has_image = any(p.image is not None for p in pages)
    unsure = not reading.ok and reading.problem in ("unreadable", "failed_validation", "not_a_bill")
    return has_image and unsure


def _problem(problem: BillProblem) -> BillReading:
    return BillReading(ok=False, source="none", problem=problem)
