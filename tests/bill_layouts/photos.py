"""Phone photos of a printed bill: tilt, keystone, blur, noise, low light, upside down."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

# --- photos ---------------------------------------------------------------------------------


def page_image(pdf: bytes, dpi: int = 150) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def jpeg(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def photo(pdf: bytes, rng: random.Random, *, dark: bool = False, upside_down: bool = False) -> bytes:
    """The printed page photographed on a desk: tilt, keystone, blur, vignette, noise, JPEG.

    `dark`: a dim room (low exposure, more sensor noise); `upside_down`: the phone held the other way.
    """
    page = np.asarray(page_image(pdf), dtype=np.float32)
    h, w = page.shape[:2]
    cw, ch = int(w * 1.3), int(h * 1.22)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    k = rng.uniform(0.02, 0.05)
    target = np.float32(
        [
            [cw * (0.12 + k), ch * 0.07],
            [cw * (0.88 - k), ch * 0.07 + rng.uniform(-8, 8)],
            [cw * 0.9, ch * 0.94],
            [cw * 0.1, ch * 0.94 + rng.uniform(-8, 8)],
        ]
    )
    turn = cv2.getRotationMatrix2D((cw / 2, ch / 2), rng.choice((-1, 1)) * rng.uniform(1.5, 5), 1.0)
    target = cv2.transform(target[None], turn)[0].astype(np.float32)
    desk = [rng.randint(90, 150), rng.randint(70, 120), rng.randint(50, 90)]
    img = cv2.warpPerspective(
        page,
        cv2.getPerspectiveTransform(corners, target),
        (cw, ch),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=desk,
    )
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    vignette = 1 - 0.35 * (((xx - cw * rng.uniform(0.3, 0.7)) / cw) ** 2 + ((yy - ch * 0.4) / ch) ** 2)
    gain = rng.uniform(0.5, 0.6) if dark else rng.uniform(0.88, 1.0)
    img = img * (vignette * gain)[..., None] * np.float32([1.0, 0.97, 0.9])
    img += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 7 if dark else 3.5, img.shape)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0))
    )
    if upside_down:
        out = out.rotate(180)
    return jpeg(out, rng.randint(60, 80))


def clean_png(pdf: bytes) -> bytes:
    out = io.BytesIO()
    page_image(pdf, 150).save(out, format="PNG")
    return out.getvalue()
