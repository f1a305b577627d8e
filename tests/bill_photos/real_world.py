"""Bills as leads really send them, beyond a photo of the printed page.

* `app_screenshot(bill)`: a screenshot of the distributor's app (PNG, phone-shaped, flat colours);
  the invoice card shows this month's amount once, next to older invoices' amounts;
* `screen_photo(pdf, rng)`: the bill PDF open on a computer screen, photographed: pixel grid,
  moiré, a bluish cast, glare, a dark bezel, perspective;
* `halves(pdf, rng)`: the page in two photos, top and bottom, overlapping a little;
* `thumb_over(pdf, text, rng)`: a thumb holding the page down over the printed `text` (the total);
* `fold_across(pdf, text, rng)`: the page folded in three, the crease running across `text`;
* `scan_150dpi(pdf, rng)`: a flatbed scan at 150 dpi saved as JPEG (page fills the frame).
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image

from tests.bill_layouts.bills import ABBR, MONTH, Bill, brl, qty
from tests.bill_photos import DARK_TABLES, render
from tests.bill_photos.effects import camera, light_gradient, on_table, whatsapp


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


# --- a screenshot of the distributor's app ----------------------------------------------------


def app_screenshot(bill: Bill, rng: random.Random) -> bytes:
    """The app's invoice screen, 1080 px wide, as the phone saves a screenshot (PNG)."""
    width_mm, height_mm = 72.0, 156.0  # a 1080 x 2340 screen at ~381 dpi
    pdf = FPDF(unit="mm", format=(width_mm, height_mm))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    brand_rgb = rng.choice(((0, 94, 160), (0, 128, 90), (210, 60, 30), (90, 40, 140)))
    pdf.set_fill_color(*brand_rgb)
    pdf.rect(0, 0, width_mm, 26, style="F")
    _text(pdf, 5, 5, "09:41", 6, rgb=(255, 255, 255))
    _text(pdf, 5, 15, bill.distributor, 11, bold=True, rgb=(255, 255, 255))
    _text(pdf, 5, 21, "Minhas faturas", 7, rgb=(235, 235, 235))
    month, year = bill.ref
    _text(pdf, 5, 34, f"Instalação {bill.installation}", 6.5, rgb=(90, 90, 90))
    pdf.set_fill_color(244, 246, 248)
    pdf.rect(4, 38, width_mm - 8, 52, style="F")
    _text(pdf, 8, 45, f"Fatura de {MONTH[month]}/{year}", 8, bold=True)
    _text(pdf, 8, 53, "Valor da fatura", 6.5, rgb=(90, 90, 90))
    _text(pdf, 8, 61, f"R$ {brl(bill.total)}", 14, bold=True)
    _text(pdf, 8, 69, f"Vencimento: {bill.due.strftime('%d/%m/%Y')}", 7)
    _text(pdf, 8, 75, f"Consumo: {qty(bill.kwh)} kWh", 7)
    _text(pdf, 8, 81, "Situação: Em aberto", 7, rgb=(200, 120, 0))
    pdf.set_fill_color(*brand_rgb)
    pdf.rect(8, 84, 26, 5, style="F")
    _text(pdf, 10, 87.5, "Pagar com Pix", 6, bold=True, rgb=(255, 255, 255))
    _text(pdf, 5, 100, "Faturas anteriores", 8, bold=True)
    y = 108
    for k, (m, yy, kwh) in enumerate(bill.history[:5]):
        older = round(bill.total * kwh / max(bill.kwh, 1) * rng.uniform(0.97, 1.03), 2)
        _text(pdf, 6, y, f"{ABBR[m]}/{yy}", 7)
        _text(pdf, 30, y, f"R$ {brl(older)}", 7)
        _text(pdf, 54, y, "Paga", 6.5, rgb=(0, 140, 60))
        y += 8 + 0 * k
    doc = pdfium.PdfDocument(bytes(pdf.output()))
    try:
        image = doc[0].render(scale=1080 / (width_mm / 25.4 * 72)).to_pil().convert("RGB")
    finally:
        doc.close()
    return _png(np.asarray(image))


def _text(pdf: FPDF, x: float, y: float, s: str, size: float, bold: bool = False,
          rgb: tuple[int, int, int] = (20, 20, 20)) -> None:  # fmt: skip
    pdf.set_font("Helvetica", "B" if bold else "", size)
    pdf.set_text_color(*rgb)
    pdf.text(x, y, s)


# --- a photo of a computer screen showing the PDF ----------------------------------------------


def screen_photo(pdf: bytes, rng: random.Random) -> bytes:
    """The PDF on a monitor (~100 dpi), photographed from a little off-centre."""
    page = render(pdf, dpi=rng.choice((96, 110)))
    h, w = page.shape[:2]
    window = np.full((h + 80, w + 160, 3), 60, dtype=np.float32)  # the viewer's dark grey around the page
    window[40 : 40 + h, 80 : 80 + w] = page
    pixels = _pixel_grid(np.repeat(np.repeat(window, 3, axis=0), 3, axis=1))
    pixels = pixels * np.float32([0.92, 0.97, 1.08]) * rng.uniform(0.85, 0.95)  # cold, dimmer than paper
    shot = on_table(
        pixels, rng, background=(18, 18, 20), margin=0.08, angle=rng.uniform(-3, 3), keystone=0.03
    )
    shot = light_gradient(shot, rng, low=0.8)
    glare = _glare(shot.pixels.shape[:2], rng)
    shot.pixels = shot.pixels + glare[..., None] * 90
    return whatsapp(camera(shot, rng, noise=4, blur=1.0), quality=rng.randint(65, 75))


def _pixel_grid(pixels: np.ndarray) -> np.ndarray:
    """Each screen pixel drawn as 3x3 camera pixels with dark gaps: the grid that makes moiré."""
    mask = np.ones((3, 3), dtype=np.float32)
    mask[2, :] = mask[:, 2] = 0.72
    h, w = pixels.shape[:2]
    return pixels * np.tile(mask, (h // 3 + 1, w // 3 + 1))[:h, :w, None]


def _glare(shape: tuple[int, int], rng: random.Random) -> np.ndarray:
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.15, 0.5) * h
    return np.exp(-(((xx - cx) / (0.12 * w)) ** 2 + ((yy - cy) / (0.08 * h)) ** 2))


# --- two photos, top and bottom halves ----------------------------------------------------------


def halves(pdf: bytes, rng: random.Random) -> tuple[bytes, bytes]:
    """The top ~58 % and the bottom ~58 % of the page, each photographed filling the frame."""
    page = render(pdf)
    h = page.shape[0]
    cut = rng.uniform(0.55, 0.6)
    parts = (page[: int(h * cut)], page[int(h * (1 - cut)) :])
    photos = []
    for part in parts:
        shot = on_table(part, rng, background=rng.choice(DARK_TABLES), margin=0.05, angle=rng.uniform(-3, 3),
                        keystone=0.02)  # fmt: skip
        photos.append(whatsapp(camera(light_gradient(shot, rng, low=0.75), rng), quality=rng.randint(65, 75)))
    return photos[0], photos[1]


# --- a thumb or a fold across a number ----------------------------------------------------------


def find_on_page(pdf: bytes, text: str, dpi: int = 200) -> list[tuple[float, float, float, float]]:
    """Pixel boxes (left, top, right, bottom) at `dpi` of each place `text` is printed on page 1."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(text, match_case=False)
        boxes = []
        while (found := searcher.get_next()) is not None:
            start, count = found
            chars = [textpage.get_charbox(i) for i in range(start, start + count)]
            left, right = min(c[0] for c in chars), max(c[2] for c in chars)
            bottom, top = min(c[1] for c in chars), max(c[3] for c in chars)
            scale = dpi / 72
            boxes.append((left * scale, (height - top) * scale, right * scale, (height - bottom) * scale))
        return boxes
    finally:
        doc.close()


def thumb_over(pdf: bytes, text: str, rng: random.Random) -> bytes:
    """A thumb coming in from the nearest side edge and covering the first place `text` is printed."""
    page = render(pdf)
    left, top, right, bottom = find_on_page(pdf, text)[0]
    h, w = page.shape[:2]
    from_right = (left + right) / 2 > w / 2
    tip_x = left - 0.1 * (right - left) if from_right else right + 0.1 * (right - left)
    cy = (top + bottom) / 2
    mask = np.zeros((h, w), dtype=np.float32)
    thumb_w = max(bottom - top, 20) * 3.2
    half_h = int(thumb_w / 2.6)
    centre_x = tip_x + (thumb_w / 2 if from_right else -thumb_w / 2)
    cv2.ellipse(mask, (int(centre_x), int(cy)), (int(thumb_w / 2), half_h), 0, 0, 360, 1.0, -1)
    edge = w + 50 if from_right else -50  # the rest of the thumb, out to the page's edge
    x0, x1 = int(min(centre_x, edge)), int(max(centre_x, edge))
    cv2.rectangle(mask, (x0, int(cy) - half_h), (x1, int(cy) + half_h), 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 3)
    skin = np.float32([rng.randint(190, 230), rng.randint(140, 175), rng.randint(110, 140)])
    shade = 0.8 + 0.2 * np.random.default_rng(rng.randint(0, 2**31)).random((h, w)).astype(np.float32)
    page = page * (1 - mask[..., None]) + (skin * shade[..., None]) * mask[..., None]
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-3, 3))
    return whatsapp(camera(light_gradient(shot, rng, low=0.75), rng), quality=rng.randint(65, 75))


def fold_across(pdf: bytes, text: str, rng: random.Random) -> bytes:
    """The page folded for the envelope: a crease through `text`, one panel a little darker and shifted."""
    page = render(pdf)
    _, top, _, bottom = find_on_page(pdf, text)[0]
    crease = int((top + bottom) / 2 + rng.uniform(-0.2, 0.2) * (bottom - top))
    h = page.shape[0]
    below = page[crease:].copy()
    shift = rng.randint(2, 4)
    page[crease + shift :] = below[: h - crease - shift] * rng.uniform(0.82, 0.9)  # the panel tilts away
    page[crease - 1 : crease + shift] = page[crease - 1 : crease + shift] * 0.55  # the crease's shadow
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-3, 3))
    return whatsapp(camera(light_gradient(shot, rng, low=0.75), rng), quality=rng.randint(65, 75))


# --- a flatbed scan -----------------------------------------------------------------------------


def scan_150dpi(pdf: bytes, rng: random.Random) -> bytes:
    """A 150-dpi office scan saved as JPEG: page fills the frame, a hair of skew, grey, speckles."""
    page = render(pdf, dpi=150).mean(axis=2)
    h, w = page.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.0, 1.0), 1.0)
    page = cv2.warpAffine(page, turn, (w, h), borderValue=250)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 5, page.shape)
    grey = np.clip(page * rng.uniform(0.9, 0.97) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(grey).convert("RGB").save(out, format="JPEG", quality=rng.randint(75, 90), dpi=(150, 150))
    return out.getvalue()
