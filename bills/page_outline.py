"""The page outline in a photo, used only when it cannot cut the page.

The first reader warped the photo to the page's four corners before OCR. When the outline was wrong
(a soft shadow across one side made the bright region a third smaller; a table frame printed on the
bill looked like the page; the page filled the frame and had no outline at all) the warp cut the
sheet, and the total and the distributor were simply not in the text read.

Now the OCR always reads the whole photo, and the outline only straightens the *text boxes*: each
box is mapped through the outline's perspective transform, which puts the lines back in reading
order exactly as warping the pixels did. The outline is used only when

* it is plausible: it covers at least `MIN_SHARE` of the photo, no side is much shorter than its
  opposite side (`MIN_SIDE_RATIO`), and its flattened shape is a page's (`PAGE_ASPECT`);
* and it holds the text: at most `MAX_TEXT_OUTSIDE` of the text (by box area) lies outside it.

Otherwise the boxes stay as they were read (the small tilt left is corrected from the boxes' own
angle in `bills.ocr.layout`). Nothing read is ever dropped either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_SHARE = 0.2  # of the photo's area: a smaller "page" is a box printed on the bill, or a label
MIN_SIDE_RATIO = 0.6  # shorter/longer of two opposite sides: steeper than this is not a photo of a page
PAGE_ASPECT = (1.15, 1.9)  # long/short side of the flattened page: A4 1.41, Letter 1.29, Ofício 1.55
MAX_TEXT_OUTSIDE = 0.03  # of the text's area outside the outline: more and the outline cuts the page
MARGIN = 0.02  # of the outline's size: text touching the border is inside


@dataclass(frozen=True)
class OutlineDecision:
    """Whether the page outline straightened the text boxes, and why not when it did not."""

    used: bool
    reason: str  # "flattened", "no outline", "too small", "too thin", "not a page's shape", "cuts text"
    homography: np.ndarray | None = None


def judge_outline(
    quad: np.ndarray | None, image_shape: tuple[int, ...], boxes: np.ndarray
) -> OutlineDecision:
    """Use `quad` (tl, tr, br, bl) to flatten `boxes` (N x 4 x 2) only if it is a page holding the text."""
    if quad is None:
        return OutlineDecision(False, "no outline")
    reason = implausible(quad, image_shape)
    if reason:
        return OutlineDecision(False, reason)
    if len(boxes) and text_outside(boxes, quad) > MAX_TEXT_OUTSIDE:
        return OutlineDecision(False, "cuts text")
    return OutlineDecision(True, "flattened", page_homography(quad))


def implausible(quad: np.ndarray, image_shape: tuple[int, ...]) -> str | None:
    """Why `quad` cannot be the sheet of paper, or None when it can."""
    h, w = image_shape[:2]
    if cv2.contourArea(quad.astype(np.float32)) < MIN_SHARE * h * w:
        return "too small"
    top, right, bottom, left = (float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4))
    if min(top, bottom) < MIN_SIDE_RATIO * max(top, bottom) or min(left, right) < MIN_SIDE_RATIO * max(
        left, right
    ):
        return "too thin"
    width, height = max(top, bottom), max(left, right)
    aspect = max(width, height) / max(min(width, height), 1.0)
    if not PAGE_ASPECT[0] <= aspect <= PAGE_ASPECT[1]:
        return "not a page's shape"
    return None


def text_outside(boxes: np.ndarray, quad: np.ndarray) -> float:
    """Share of the text boxes' area whose centre lies outside `quad` (grown by MARGIN)."""
    centre = quad.mean(axis=0)
    grown = (centre + (quad - centre) * (1 + MARGIN)).astype(np.float32).reshape(-1, 1, 2)
    total = outside = 0.0
    for box in boxes:
        area = abs(cv2.contourArea(box.astype(np.float32)))
        cx, cy = box.mean(axis=0)
        total += area
        if cv2.pointPolygonTest(grown, (float(cx), float(cy)), False) < 0:
            outside += area
    return outside / total if total else 0.0


def page_homography(quad: np.ndarray) -> np.ndarray:
    """The perspective transform that maps the photo's page corners to an upright rectangle."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    return cv2.getPerspectiveTransform(quad.astype(np.float32), target)


def flatten_boxes(boxes: np.ndarray, homography: np.ndarray) -> np.ndarray:
    """Text boxes (N x 4 x 2) as they sit on the flattened page."""
    if not len(boxes):
        return boxes
    flat = cv2.perspectiveTransform(boxes.reshape(-1, 1, 2).astype(np.float32), homography)
    return flat.reshape(boxes.shape).astype(float)
