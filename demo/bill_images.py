"""Synthetic bills as a lead sends them: text PDF, scanned PDF, clean image and phone photo.

    data, mime, name = make_variant(spec, "phone_photo", random.Random(3))

Every variant is rendered from the same `BillSpec`, so `demo.bill_specs.ground_truth(spec)` is
the expected reading for all of them. The phone photo puts the page on a table, tilts it in
perspective, rotates it a few degrees, lights it unevenly, drops a shadow, blurs it, adds sensor
noise and saves it as a low-quality JPEG.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from demo.bill_specs import BillSpec
from demo.sample_bills import render_bill_pdf

VARIANTS = ("text_pdf", "scanned_pdf", "clean_image", "phone_photo")


def rasterise(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    """Each PDF page as an RGB image (pypdfium2)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in doc]
    finally:
        doc.close()


def make_variant(spec: BillSpec, variant: str, rng: random.Random) -> tuple[bytes, str, str]:
    """(bytes, mime type, file name) of one variant of the bill."""
    pdf = render_bill_pdf(spec)
    if variant == "text_pdf":
        return pdf, "application/pdf", "fatura.pdf"
    if variant == "scanned_pdf":
        return scanned_pdf(pdf, rng), "application/pdf", "fatura_digitalizada.pdf"
    if variant == "clean_image":
        return encode(rasterise(pdf, 150)[0], "PNG"), "image/png", "fatura.png"
    if variant == "phone_photo":
        return phone_photo(rasterise(pdf, 150)[0], rng), "image/jpeg", "IMG_2041.jpg"
    raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    """Image -> bytes in PNG, JPEG, WEBP (or HEIF, through pillow-heif)."""
    if fmt.upper() in ("HEIC", "HEIF"):
        from pillow_heif import register_heif_opener

        register_heif_opener()
        fmt = "HEIF"
    out = io.BytesIO()
    img.save(out, format=fmt, **options)
    return out.getvalue()


def scanned_pdf(pdf: bytes, rng: random.Random, dpi: int = 150) -> bytes:
    """What an office scanner makes: grey pages, a hair of skew, speckles; images only, no text."""
    pages = []
    for page in rasterise(pdf, dpi):
        skew = rng.uniform(-0.8, 0.8)
        grey = page.convert("L").rotate(skew, fillcolor=255, resample=Image.Resampling.BICUBIC)
        noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, (grey.height, grey.width))
        arr = np.asarray(grey, dtype=np.float32) * rng.uniform(0.9, 0.97) + noise
        pages.append(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert("RGB"))
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def phone_photo(page: Image.Image, rng: random.Random) -> bytes:
    """A hand-held photo of the printed page."""
    np_rng = np.random.default_rng(rng.randint(0, 2**31))
    img = np.asarray(page.convert("RGB"), dtype=np.float32)
    h, w = img.shape[:2]
    canvas_w, canvas_h = int(w * 1.25), int(h * 1.2)
    table = np.array([rng.randint(60, 120), rng.randint(45, 90), rng.randint(30, 70)], dtype=np.float32)
    # Page corners on the table: keystone (top narrower), jitter, then a small rotation.
    m = 0.04
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32(
        [
            [canvas_w * (0.1 + rng.uniform(0, m)), canvas_h * (0.08 + rng.uniform(-m, m) / 2)],
            [canvas_w * (0.9 - rng.uniform(0, m)), canvas_h * (0.08 + rng.uniform(-m, m) / 2)],
            [canvas_w * (0.92 + rng.uniform(0, m / 2)), canvas_h * (0.93 + rng.uniform(-m, 0) / 2)],
            [canvas_w * (0.08 - rng.uniform(0, m / 2)), canvas_h * (0.93 + rng.uniform(-m, 0) / 2)],
        ]
    )
    angle = rng.choice((-1, 1)) * rng.uniform(3, 7)
    centre = (canvas_w / 2, canvas_h / 2)
    rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
    dst = cv2.transform(dst.reshape(1, 4, 2), rot).reshape(4, 2).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(img, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=table.tolist())  # fmt: skip
    photo = _uneven_light(photo, rng) * _shadow(canvas_h, canvas_w, rng)[..., None]
    photo = photo + np_rng.normal(0, rng.uniform(3, 7), photo.shape)
    out = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    out = out.resize((int(canvas_w * 1.0), int(canvas_h * 1.0)))
    return encode(out, "JPEG", quality=rng.randint(55, 70))


def _uneven_light(photo: np.ndarray, rng: random.Random) -> np.ndarray:
    """A linear brightness gradient in a random direction, plus a warm colour cast."""
    h, w = photo.shape[:2]
    theta = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(theta) * xx / w + np.sin(theta) * yy / h + 1) / 2  # 0..1
    gain = 0.65 + 0.35 * ramp
    cast = np.array([1.0, rng.uniform(0.93, 1.0), rng.uniform(0.82, 0.95)], dtype=np.float32)
    return photo * gain[..., None] * cast


def _shadow(h: int, w: int, rng: random.Random) -> np.ndarray:
    """A soft-edged shadow (the phone or a hand) over one side of the page."""
    mask = np.zeros((h, w), dtype=np.float32)
    x0 = rng.uniform(0.55, 0.8) * w
    pts = np.array([[x0, 0], [w, 0], [w, h], [x0 + rng.uniform(-0.2, 0.2) * w, h]], dtype=np.int32)
    cv2.fillPoly(mask, [pts], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=w * 0.03)
    return 1.0 - rng.uniform(0.25, 0.4) * mask
