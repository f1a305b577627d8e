"""`PdfBillReader`: the BillReaderPort for PDFs with a text layer (images come with OCR later)."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from agent.invoice import looks_like_bill, parse_bill_text, validate_bill
from agent.ports import BillFields, BillProblem, BillReading

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/webp", "image/heic", "image/heif"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
REQUIRED = ("total_amount", "consumption_kwh", "distributor")
MIN_CONFIDENCE = 0.5  # a required field read with less confidence makes the reading not ok
MAX_PAGES = 6  # bills have 1-3 pages; more is not a bill (or a huge attachment)
MIN_TEXT_CHARS = 40


class PdfBillReader:
    """Read a bill from PDF bytes: size and type checks, decryption, text extraction, parsing."""

    def __init__(self, max_bytes: int = 10 * 1024 * 1024, max_pages: int = MAX_PAGES) -> None:
        self.max_bytes = max_bytes
        self.max_pages = max_pages

    def read(self, data: bytes, mime_type: str, filename: str | None = None) -> BillReading:
        if len(data) > self.max_bytes:
            return _problem("too_large")
        kind = _kind(data, mime_type, filename)
        if kind == "image":
            return _problem("image_not_supported")
        if kind != "pdf":
            return _problem("unsupported_type")
        text, problem = self._extract_text(data)
        if problem:
            return _problem(problem)
        return self._parse(text)

    def _extract_text(self, data: bytes) -> tuple[str, BillProblem | None]:
        if data[:1024].find(b"%PDF-") < 0:
            return "", "corrupt"
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _decrypt(reader):
                return "", "encrypted"
            pages = reader.pages[: self.max_pages]
            text = "\n".join(_page_text(page) for page in pages)
        except FileNotDecryptedError:
            return "", "encrypted"
        except (PdfReadError, ValueError, TypeError, KeyError, IndexError, AttributeError,
                RecursionError, OSError, AssertionError, ZeroDivisionError) as exc:  # fmt: skip
            log.info("bill pdf unreadable: %s", type(exc).__name__)
            return "", "corrupt"
        if len(text.strip()) < MIN_TEXT_CHARS:
            return text, "unreadable"  # no text layer: a scanned bill (OCR is a later capability)
        return text, None

    def _parse(self, text: str) -> BillReading:
        if not looks_like_bill(text):
            return BillReading(ok=False, source="pdf_text", problem="not_a_bill", text=text)
        fields, confidence = parse_bill_text(text)
        ok = _usable(fields, confidence)
        return BillReading(
            ok=ok,
            fields=fields,
            confidence=confidence,
            source="pdf_text",
            problem=None if ok else "unreadable",
            text=text,
        )


def _usable(fields: BillFields, confidence: dict[str, float]) -> bool:
    if any(getattr(fields, name) is None for name in REQUIRED):
        return False
    if any(confidence.get(name, 0.0) < MIN_CONFIDENCE for name in REQUIRED):
        return False
    return not validate_bill(fields)


def _decrypt(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except (FileNotDecryptedError, PdfReadError, NotImplementedError, ValueError):
        return False


def _page_text(page: object) -> str:
    try:
        return page.extract_text(extraction_mode="layout") or ""  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return page.extract_text() or ""  # type: ignore[attr-defined]


def _kind(data: bytes, mime_type: str, filename: str | None) -> str:
    """'pdf', 'image' or 'other': magic bytes first, then the declared type, then the file name."""
    mime = (mime_type or "").split(";")[0].strip().lower()
    name = (filename or "").lower()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if _is_image(data) or mime in IMAGE_TYPES or name.endswith((".jpg", ".jpeg", ".png", ".webp", ".heic")):
        return "image"
    if mime in PDF_TYPES or name.endswith(".pdf"):
        return "pdf"
    return "other"


def _is_image(data: bytes) -> bool:
    return (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1")
    )


def _problem(problem: BillProblem) -> BillReading:
    return BillReading(ok=False, source="none", problem=problem)
