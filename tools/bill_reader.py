"""`BillReader`: the BillReaderPort. Any bill a lead sends - PDF with text, scanned PDF, photo or
screenshot, one file or several pages - becomes one `BillReading`.

    reader = BillReader()                      # offline: pypdf + RapidOCR
    reader = BillReader(vision=VisionClient(...))  # + a vision model for photos OCR is unsure of

A reading is `ok` only when total, kWh and distributor were read with confidence and the bill
passes the rules in `agent.invoice_checks`. OCR numbers need a second witness (the payment
barcode, or the same value printed elsewhere on the bill): a total seen once is never trusted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from typing import Any

from agent.invoice import looks_like_bill, parse_bill_text
from agent.invoice_checks import blocking, validate_bill
from agent.invoice_patterns import MONEY_RE, NUMBER_RE, find_distributor, fold, parse_brl
from agent.ports import BillFields, BillFile, BillProblem, BillReading, BillSource
from tools.bill_files import MIN_TEXT_CHARS, FileProblem, PageText, extract
from tools.bill_ocr_orientation import upright
from tools.ocr import OcrEngine, shared_engine

log = logging.getLogger(__name__)

REQUIRED = ("total_amount", "consumption_kwh", "distributor")
MIN_CONFIDENCE = 0.5  # a required field read with less confidence makes the reading not ok
UNCORROBORATED = 0.45  # an OCR number seen only once: below MIN_CONFIDENCE on purpose
MAX_PAGES = 6  # bills have 1-3 pages; more is not a bill (or a huge attachment)
MAX_FILES = 4
_DEFAULT: Any = object()


class BillReader:
    """Read a bill from one or more files: size/type checks, text or OCR, parsing, rules, vision."""

    def __init__(
        self,
        max_bytes: int = 10 * 1024 * 1024,
        max_pages: int = MAX_PAGES,
        *,
        ocr: OcrEngine | None = _DEFAULT,
        vision: Any = None,  # tools.bill_vision.VisionClient (imported lazily: optional at run time)
        served_states: Collection[str] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.ocr = shared_engine() if ocr is _DEFAULT else ocr
        self.vision = vision
        self.served_states = served_states

    def read(self, data: bytes, mime_type: str, filename: str | None = None) -> BillReading:
        return self.read_many([BillFile(data=data, mime_type=mime_type, filename=filename)])

    def read_many(self, files: Sequence[BillFile]) -> BillReading:
        """All files are pages of one bill; their text is read as one document."""
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
        if self.vision is not None and _wants_vision(reading, pages):
            from tools.bill_vision import improve_with_vision

            reading = improve_with_vision(self.vision, reading, pages, self.served_states)
        return reading

    def _parse(self, pages: list[PageText]) -> BillReading:
        text = "\n\n".join(p.text for p in pages)
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
    if total is not None and not barcode_agreed and count_amount(text, total) < 2:
        confidence["total_amount"] = min(confidence["total_amount"], UNCORROBORATED)
    kwh = fields.consumption_kwh
    if kwh is not None and count_quantity(text, kwh) < 2:
        confidence["consumption_kwh"] = min(confidence["consumption_kwh"], UNCORROBORATED)


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
