"""Ways a lead's file of a bill reaches Sílvia, other than a clean PDF.

Variants: `scan150` (a flatbed scan at 150 dpi, slightly skewed), `photo` (a phone photo on a
table, in perspective), `shadow` (the same with a shadow gradient across the page and a table
close to paper colour), `phone_shadow` (a hand/phone shadow blob over part of the page),
`fold` (a crease across the page), `whatsapp` (a photo recompressed as WhatsApp does: long
side 1,600 px, JPEG quality ~65), `fills_frame` (the page fills the whole frame, edges cut).
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

VARIANTS = ("scan150", "photo", "shadow", "phone_shadow", "fold", "whatsapp", "fills_frame")


def page_pixels(pdf: bytes, dpi: int) -> np.ndarray:
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=dpi / 72).to_pil().convert("RGB")
    doc.close()
    return np.asarray(image)


def _encode(rgb: np.ndarray, quality: int, long_side: int | None = None) -> bytes:
    image = Image.fromarray(rgb)
    if long_side and max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _on_table(page: np.ndarray, rng: random.Random, paper_like: bool, margin: float = 0.12) -> np.ndarray:
    """The page laid on a table and photographed at an angle (perspective + a little rotation)."""
    h, w = page.shape[:2]
    canvas_w, canvas_h = int(w * (1 + 2 * margin)), int(h * (1 + 2 * margin))
    tone = rng.randint(200, 230) if paper_like else rng.randint(60, 150)
    table = np.full((canvas_h, canvas_w, 3), tone, np.uint8)
    table[..., rng.randrange(3)] = np.clip(tone + rng.randint(-25, 25), 0, 255)
    ox, oy = int(w * margin), int(h * margin)
    jitter = lambda: rng.uniform(-0.07, 0.07)  # noqa: E731
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32(
        [
            [ox + w * jitter(), oy + h * jitter()],
            [ox + w + w * jitter(), oy + h * jitter()],
            [ox + w + w * jitter(), oy + h + h * jitter()],
            [ox + w * jitter(), oy + h + h * jitter()],
        ]
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        page,
        matrix,
        (canvas_w, canvas_h),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=table[0, 0].tolist(),
        dst=table.copy(),
    )


def _gradient(img: np.ndarray, rng: random.Random, darkest: float) -> np.ndarray:
    """Light falling off across the picture in a random direction, down to `darkest`."""
    h, w = img.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w - 0.5) * np.cos(angle) + (yy / h - 0.5) * np.sin(angle)
    t = (t - t.min()) / (t.max() - t.min())
    light = 1.0 - (1.0 - darkest) * np.clip(t * 1.4 - 0.2, 0, 1)
    return np.clip(img * light[..., None], 0, 255).astype(np.uint8)


def _blob_shadow(img: np.ndarray, rng: random.Random) -> np.ndarray:
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    center = (int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.5, 1.0)))
    axes = (int(w * rng.uniform(0.2, 0.35)), int(h * rng.uniform(0.15, 0.3)))
    cv2.ellipse(mask, center, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), w * 0.04)
    return np.clip(img * (1 - 0.45 * mask[..., None]), 0, 255).astype(np.uint8)


def _crease(img: np.ndarray, rng: random.Random) -> np.ndarray:
    """A fold across the page: a thin dark line with a lighter band beside it."""
    h, w = img.shape[:2]
    y0, y1 = int(h * rng.uniform(0.3, 0.7)), int(h * rng.uniform(0.3, 0.7))
    out = img.astype(np.float32)
    band = np.zeros((h, w), np.float32)
    cv2.line(band, (0, y0), (w, y1), 1.0, max(2, h // 300))
    band = cv2.GaussianBlur(band, (0, 0), 2.5)
    out *= 1 - 0.35 * band[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _camera(img: np.ndarray, rng: random.Random) -> np.ndarray:
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 1.0))
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 6), img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def photograph(pdf: bytes, variant: str, seed: int) -> tuple[bytes, str]:
    """The bill's first page as the lead would send it: (bytes, MIME type)."""
    rng = random.Random(f"{variant}:{seed}")
    if variant == "scan150":
        page = page_pixels(pdf, 150)
        h, w = page.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.5, 1.5), 1.0)
        page = cv2.warpAffine(page, matrix, (w, h), borderValue=(255, 255, 255))
        gray = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
        buf = io.BytesIO()
        Image.fromarray(gray).save(buf, "PNG")
        return buf.getvalue(), "image/png"
    page = page_pixels(pdf, rng.choice((140, 160, 180)))
    if variant == "fills_frame":
        h, w = page.shape[:2]
        cut = int(min(h, w) * 0.015)
        shot = page[cut : h - cut, cut : w - cut]
        shot = _gradient(shot, rng, 0.75)
    else:
        shot = _on_table(page, rng, paper_like=variant == "shadow")
        if variant == "shadow":
            shot = _gradient(shot, rng, rng.uniform(0.45, 0.6))
        elif variant == "phone_shadow":
            shot = _blob_shadow(shot, rng)
        elif variant == "fold":
            shot = _crease(shot, rng)
        else:
            shot = _gradient(shot, rng, 0.85)
    shot = _camera(shot, rng)
    if variant == "whatsapp":
        return _encode(shot, rng.randint(60, 70), 1600), "image/jpeg"
    return _encode(shot, rng.randint(80, 90), 2400), "image/jpeg"
