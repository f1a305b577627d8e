"""From the bytes a lead sent to text: PDF text layer (pypdf), scanned PDF pages rendered with
pypdfium2 and OCR'd, images (JPEG/PNG/WebP/HEIC) OCR'd whole, their text straightened by the page outline.

`extract(data, mime, filename, ...)` returns one `PageText` per page, or raises `FileProblem` with
the `BillProblem` code a lead gets a specific answer for (encrypted, corrupt, too large, ...).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from agent.ports import BillProblem
from bills.fields import looks_like_bill
from bills.images import ImageError, decode_image, find_page_quad, looks_like_screenshot, rotate_quarter
from bills.ocr import OcrEngine, OcrPage

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/webp", "image/heic", "image/heif"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
MIN_TEXT_CHARS = 40  # less than this on a page: no text layer (a scan) or nothing legible
RENDER_LONG_SIDE = 2000  # px for a rendered PDF page (~170 dpi on A4)
MIN_WORDS_TO_ROTATE = 8  # a sideways page still yields some (garbled) words; a selfie does not
_PDF_ERRORS = (PdfReadError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
               OSError, AssertionError, ZeroDivisionError)  # fmt: skip


class FileProblem(Exception):
    def __init__(self, problem: BillProblem) -> None:
        super().__init__(problem)
        self.problem: BillProblem = problem


@dataclass
class PageText:
    text: str
    source: str  # "pdf_text" | "ocr"
    ocr_score: float = 1.0  # mean recognition score of the OCR'd words
    image: np.ndarray | None = None  # the whole photo or rendered page, for a vision model
    outline: str = ""  # photos: whether the page outline straightened the text (bills.page_outline)
    screenshot: bool = False  # an image with a screen's flat colours, not a camera photo


def kind_of(data: bytes, mime_type: str, filename: str | None) -> str:
    """'pdf', 'image' or 'other': magic bytes first, then the declared type, then the file name."""
    mime = (mime_type or "").split(";")[0].strip().lower()
    name = (filename or "").lower()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if is_image(data) or mime in IMAGE_TYPES or name.endswith((".jpg", ".jpeg", ".png", ".webp", ".heic")):
        return "image"
    if mime in PDF_TYPES or name.endswith(".pdf"):
        return "pdf"
    return "other"


def is_image(data: bytes) -> bool:
    return (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftypheif")
    )


def extract(data: bytes, mime_type: str, filename: str | None, *, max_pages: int,
            ocr: OcrEngine | None) -> list[PageText]:  # fmt: skip
    kind = kind_of(data, mime_type, filename)
    if kind == "pdf":
        return _pdf_pages(data, max_pages, ocr)
    if kind == "image":
        if ocr is None:
            raise FileProblem("image_not_supported")
        try:
            image = decode_image(data)
        except ImageError as exc:
            raise FileProblem("too_large" if exc.kind == "too_large" else "corrupt") from exc
        page = ocr_page(image, ocr, find_page_quad(image))
        page.screenshot = looks_like_screenshot(image)
        return [page]
    raise FileProblem("unsupported_type")


def ocr_page(image: np.ndarray, ocr: OcrEngine, page_quad: np.ndarray | None = None) -> PageText:
    """OCR a page; a page photographed sideways or upside down is turned until it reads as a bill.

    `page_quad` (a photo's page outline) straightens the text boxes when it holds all the text.
    """
    page = ocr.read(image, page_quad) if page_quad is not None else ocr.read(image)
    if not looks_like_bill(page.text) and len(page.words) >= MIN_WORDS_TO_ROTATE and _mostly_tall(page):
        for turns in (1, 3):
            turned = rotate_quarter(image, turns)
            retry = ocr.read(turned)
            if looks_like_bill(retry.text):
                return PageText(retry.text, "ocr", retry.mean_score, turned)
    return PageText(page.text, "ocr", page.mean_score, image, page.outline)


def _mostly_tall(page: OcrPage) -> bool:
    """Sideways text comes out as tall, narrow boxes of short garbage."""
    tall = sum(1 for w in page.words if w.height > (w.x1 - w.x0))
    return tall >= len(page.words) / 2


# --- PDFs -----------------------------------------------------------------------------------


def _pdf_pages(data: bytes, max_pages: int, ocr: OcrEngine | None) -> list[PageText]:
    if data[:1024].find(b"%PDF-") < 0:
        raise FileProblem("corrupt")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypt(reader):
            raise FileProblem("encrypted")
        texts = [_page_text(page) for page in reader.pages[:max_pages]]
    except FileNotDecryptedError as exc:
        raise FileProblem("encrypted") from exc
    except _PDF_ERRORS as exc:
        log.info("bill pdf unreadable: %s", type(exc).__name__)
        raise FileProblem("corrupt") from exc
    scanned = [i for i, text in enumerate(texts) if len(text.strip()) < MIN_TEXT_CHARS]
    pages = [PageText(text, "pdf_text") for text in texts]
    if scanned and ocr is not None:
        for i, image in zip(scanned, _render(data, scanned), strict=True):
            pages[i] = ocr_page(image, ocr)
    return pages


def _render(data: bytes, indexes: list[int]) -> list[np.ndarray]:
    """Rasterise the given pages (pypdfium2) so a scanned PDF can be OCR'd."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        raise FileProblem("corrupt") from exc
    try:
        images = []
        for i in indexes:
            page = doc[i]
            width, height = page.get_size()
            scale = RENDER_LONG_SIDE / max(width, height, 1.0)
            images.append(np.asarray(page.render(scale=scale).to_pil().convert("RGB")))
        return images
    finally:
        doc.close()


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
