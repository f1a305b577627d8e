"""Decoding bill images (JPEG, PNG, WebP, HEIC), finding a photo's page outline, telling screenshots.

The page's four corners, when they can be found, straighten the *text boxes* the OCR read from the
whole photo (`bills.page_outline`): the pixels are never cropped to the outline. Small tilts that
remain are corrected from the text boxes themselves in `bills.ocr.layout`.
Adaptive thresholding is deliberately not used: it destroys white-on-colour headers (docs/architecture.md).
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF (iPhone photos) through libheif, when the wheel is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIC_SUPPORTED = False

MAX_PIXELS = 60_000_000  # a 60 MP image is not a phone photo of a bill
WORK_SIDE = 2000  # long side after downscaling: the OCR works at <= 1280 anyway


class ImageError(Exception):
    """The bytes are not an image we can decode (`kind` is 'corrupt' or 'too_large')."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def decode_image(data: bytes) -> np.ndarray:
    """Bytes -> RGB array, upright according to EXIF, long side at most WORK_SIDE."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ImageError("too_large")
            img.load()
            upright = ImageOps.exif_transpose(img) or img
            rgb = upright.convert("RGB")
    except Image.DecompressionBombError as exc:
        raise ImageError("too_large") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError("corrupt") from exc
    scale = WORK_SIDE / max(rgb.size)
    if scale < 1:
        rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)), Image.Resampling.LANCZOS)
    return np.asarray(rgb)


PHONE_SCREEN_ASPECT = 1.9  # long/short side of a phone screen (19.5:9 and up); camera photos are 4:3 or 16:9


def looks_like_screenshot(image: np.ndarray) -> bool:
    """A phone screenshot (a distributor's app): phone-screen shaped, which a camera photo is not.

    Flat colours were tried as a second sign and dropped: a lightly exposed photo recompressed by
    WhatsApp has large areas of one exact colour too (the photo benchmark's shadow scenario)."""
    h, w = image.shape[:2]
    return max(h, w) / max(min(h, w), 1) >= PHONE_SCREEN_ASPECT


def find_page_quad(image: np.ndarray) -> np.ndarray | None:
    """The four corners of the largest quadrilateral covering 25-97 % of the photo.

    Two outlines are tried: sharp edges (the page border survives a shadow falling across the page)
    and the bright region (Otsu), and the larger convex quadrilateral wins.
    """
    h, w = image.shape[:2]
    scale = 800 / max(h, w)
    small = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    edges = cv2.dilate(cv2.Canny(gray, 30, 90), np.ones((3, 3), np.uint8), iterations=2)
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # fill the text
    best: tuple[float, np.ndarray] | None = None
    area = small.shape[0] * small.shape[1]
    for mask in (edges, bright):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
            share = cv2.contourArea(approx) / area
            is_page = len(approx) == 4 and cv2.isContourConvex(approx) and 0.25 <= share <= 0.97
            if is_page and (best is None or share > best[0]):
                best = (share, approx)
    return _order(best[1].reshape(4, 2).astype(np.float32) / scale) if best else None


def _order(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], dtype=np.float32)


def rotate_quarter(image: np.ndarray, turns: int) -> np.ndarray:
    """Rotate by 90° steps (a portrait page photographed in landscape)."""
    return np.ascontiguousarray(np.rot90(image, k=turns))
