"""Offline OCR of bill images with RapidOCR (PP-OCRv6 models shipped inside the wheel).

`OcrEngine.read(image)` returns the page as *laid-out text*: words that share a baseline are joined
into one line and keep their horizontal position, so the label/value logic that reads PDF text
(`bills.layout.Page`) works unchanged on OCR output. Nothing is downloaded at run time.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import threading
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from bills.page_outline import flatten_boxes, judge_outline

# One ONNX/OpenMP thread each: on a busy 2-core box two threads are slower
# (docs/architecture.md, "Measured on this machine").
os.environ.setdefault("OMP_NUM_THREADS", "1")

FAST_CONFIG: dict[str, Any] = {
    "Global.use_cls": False,
    # Detection on at most 1280 px; recognition crops come from the full image (each crop is scaled
    # to 48 px high anyway, so sharper crops cost nothing and read small print better).
    "Global.max_side_len": 2000,
    "Det.limit_type": "max",
    "Det.limit_side_len": 1280,
    "Global.log_level": "error",
    "Rec.lang_type": "pt",
    # One crop per batch: a batch is padded to its widest crop and a padded batch of 6 cost more per
    # crop than 6 single runs (measured: 2.71 -> 2.35 CPU-s per photo page, the same text).
    "Rec.rec_batch_num": 1,
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


@dataclass(frozen=True)
class OcrWord:
    text: str
    score: float
    x0: float
    x1: float
    y: float  # centre line, after deskew
    height: float


@dataclass(frozen=True)
class OcrPage:
    text: str  # laid-out lines
    words: list[OcrWord]
    mean_score: float
    angle: float  # degrees the text was tilted (already corrected in `text`)
    outline: str = ""  # what the page outline did to the boxes (bills.page_outline), photos only


class OcrEngine:
    """A lazily built RapidOCR instance, shared and serialised (the ONNX sessions are not re-entrant)."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = {**FAST_CONFIG, **(params or {})}
        self._engine: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR  # heavy import: only when an image is actually read

            self._engine = RapidOCR(params=self.params)
        return self._engine

    def _run(self, image: np.ndarray) -> Any:
        use_cls = bool(self.params.get("Global.use_cls", False))
        with self._lock:  # flags passed every time: RapidOCR keeps the last call's flags otherwise
            return self._get()(image, use_det=True, use_cls=use_cls, use_rec=True)

    def read(self, image: np.ndarray, page_quad: np.ndarray | None = None) -> OcrPage:
        """OCR an RGB image (H x W x 3, uint8) - always the whole of it.

        `page_quad`: the page's corners in the photo. The text boxes are mapped onto the flattened
        page when the outline is plausible and holds the text (`bills.page_outline`); otherwise
        they are laid out as read. Either way nothing outside the outline is lost.
        """
        out = self._run(image)
        if out.boxes is None or out.txts is None:
            return OcrPage("", [], 0.0, 0.0)
        boxes = np.asarray(out.boxes, dtype=float)
        if page_quad is None:
            return layout(boxes, list(out.txts), list(out.scores))
        decision = judge_outline(page_quad, image.shape, boxes)
        if decision.homography is not None:
            boxes = flatten_boxes(boxes, decision.homography)
        page = layout(boxes, list(out.txts), list(out.scores))
        return replace(page, outline=decision.reason)

    def warm_up(self) -> None:
        """Load the models and run them once, so the first lead's photo does not pay for it (~1-2 s)."""
        canvas = np.full((160, 480, 3), 255, dtype=np.uint8)
        cv2.putText(canvas, "TOTAL A PAGAR R$ 123,45", (10, 90), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
        self._run(canvas)


_shared: OcrEngine | None = None


def shared_engine() -> OcrEngine:
    """The process-wide engine (loading the models costs ~1 s, so it is done once)."""
    global _shared
    if _shared is None:
        _shared = OcrEngine()
    return _shared


# --- turning boxes into lines ---------------------------------------------------------------


def layout(boxes: np.ndarray, texts: list[str], scores: list[float]) -> OcrPage:
    """Deskew the boxes by their median text angle, group them into lines, place them in columns."""
    angle = _text_angle(boxes)
    words = _words(boxes, texts, scores, angle)
    if not words:
        return OcrPage("", [], 0.0, angle)
    lines = _rows(words)
    char_w = _char_width(words)
    text = "\n".join(_render_row(row, char_w) for row in lines)
    mean = sum(w.score for w in words) / len(words)
    return OcrPage(normalise_ocr_text(text), words, round(mean, 3), round(angle, 2))


def _text_angle(boxes: np.ndarray) -> float:
    angles = []
    for quad in boxes:
        dx, dy = quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]
        height = math.dist(quad[0], quad[3])
        if dx > 0 and math.hypot(dx, dy) > 3 * height:  # long boxes give a reliable angle
            angles.append(math.degrees(math.atan2(dy, dx)))
    return statistics.median(angles) if angles else 0.0


def _words(boxes: np.ndarray, texts: list[str], scores: list[float], angle: float) -> list[OcrWord]:
    rad = math.radians(-angle)
    cos, sin = math.cos(rad), math.sin(rad)
    words = []
    for quad, text, score in zip(boxes, texts, scores, strict=False):
        if not text.strip():
            continue
        xs = [x * cos - y * sin for x, y in quad]
        ys = [x * sin + y * cos for x, y in quad]
        height = max(ys) - min(ys)
        words.append(OcrWord(text.strip(), float(score), min(xs), max(xs), sum(ys) / 4, max(height, 1.0)))
    return words


def _rows(words: list[OcrWord]) -> list[list[OcrWord]]:
    """Words whose centres are within half a line height of a row's centre share that row, unless
    they overlap a word already in it: two words on top of each other are two lines (a name over
    its street, 4 mm apart, came out as one line once the tilt left them at nearly the same height).
    """
    rows: list[list[OcrWord]] = []
    centres: list[float] = []
    typical = statistics.median(w.height for w in words)
    for word in sorted(words, key=lambda w: w.y):
        near = [
            k
            for k in range(max(0, len(rows) - 3), len(rows))
            if abs(word.y - centres[k]) < 0.5 * typical and not any(_overlap(word, w) for w in rows[k])
        ]
        if near:
            k = min(near, key=lambda k: abs(word.y - centres[k]))
            rows[k].append(word)
            centres[k] = sum(w.y for w in rows[k]) / len(rows[k])
        else:
            rows.append([word])
            centres.append(word.y)
    order = sorted(range(len(rows)), key=lambda k: centres[k])
    return [sorted(rows[k], key=lambda w: w.x0) for k in order]


def _overlap(a: OcrWord, b: OcrWord) -> bool:
    """Most of the narrower word lies under the other one."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    return shared > 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)


def _char_width(words: list[OcrWord]) -> float:
    widths = [(w.x1 - w.x0) / len(w.text) for w in words if len(w.text) >= 4]
    return max(statistics.median(widths) if widths else 10.0, 1.0)


def _render_row(row: list[OcrWord], char_w: float) -> str:
    line, prev_x1 = "", 0.0
    for word in row:
        col = max(0, round(word.x0 / char_w))
        if line:
            min_gap = 1 if word.x0 - prev_x1 < 1.2 * char_w else 2  # a real gap stays a cell break
            col = max(col, len(line) + min_gap)
        line = line.ljust(col) + word.text
        prev_x1 = word.x1
    return line


# --- OCR text clean-up ----------------------------------------------------------------------

# "293.24" / "1.845.30" / "1,845.30": OCR often prints the decimal comma as a point.
_POINT_DECIMAL = re.compile(r"(?<![\d.,/])(\d{1,3}(?:[.,]\d{3})+|\d+)\.(\d{2})(?![\d.,/]|\d)")
_REAIS = re.compile(r"\bR\s?[S5s$]\s?(?=-?\d)")  # "RS 568,02", "R5 568,02" -> "R$ 568,02"


def normalise_ocr_text(text: str) -> str:
    """Brazilian separators and the currency sign, as the bill printed them."""

    def decimal(m: re.Match[str]) -> str:
        return re.sub(r"[.,]", ".", m.group(1)) + "," + m.group(2)

    text = _POINT_DECIMAL.sub(decimal, text)
    return _REAIS.sub("R$ ", text)
