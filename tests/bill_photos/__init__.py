"""Phone photos of bills that make the page outline hard: written for the "never cut the page" work,
apart from the reader (own effects in `effects.py`, own real-world cases in `real_world.py`).

    jpeg = page_photo(pdf, "shadow_side", random.Random(7))   # WhatsApp-compressed JPEG bytes

Scenarios (`PAGE_SCENARIOS`): a soft shadow over one side of the page, a strong light gradient, a
background close to paper colour, a page that fills the frame (edges cut by the photo), a page at a
steep angle, and a plain photo; every one is delivered as WhatsApp re-sends it (long side 1600 px,
JPEG quality ~70).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pypdfium2 as pdfium

from tests.bill_photos.effects import (
    Shot,
    camera,
    light_gradient,
    on_table,
    phone_shadow,
    recompress,
    soft_shadow,
    whatsapp,
)

DARK_TABLES = ((96, 72, 50), (70, 70, 78), (120, 95, 70), (40, 42, 46))
PAPERLIKE = ((226, 222, 214), (210, 208, 204), (235, 232, 225))  # white desk, light grey, cream cloth


def render(pdf: bytes, dpi: int = 200, page: int = 0) -> np.ndarray:
    """A PDF page as float32 RGB (a phone sees more pixels than a 150-dpi render)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        img = doc[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    return np.asarray(img, dtype=np.float32)


def _plain(page: np.ndarray, rng: random.Random) -> Shot:
    return on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-5, 5))


def _shadow_side(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-4, 4))
    return soft_shadow(shot, rng, cover=rng.uniform(0.3, 0.5), depth=rng.uniform(0.35, 0.55))


def _gradient(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-4, 4))
    return light_gradient(shot, rng, low=rng.uniform(0.4, 0.55))


def _paper_background(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(PAPERLIKE), angle=rng.uniform(-5, 5))
    return light_gradient(shot, rng, low=0.8)


def _fills_frame(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), margin=-0.015,
                    angle=rng.uniform(-1.5, 1.5), keystone=0.01)  # fmt: skip
    return light_gradient(shot, rng, low=0.75)


def _angled(page: np.ndarray, rng: random.Random) -> Shot:
    angle = rng.choice((-1, 1)) * rng.uniform(10, 18)
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), margin=0.2, angle=angle, keystone=0.08)
    return light_gradient(shot, rng, low=0.8)


def _shadow_on_paperlike(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(PAPERLIKE), angle=rng.uniform(-4, 4))
    return soft_shadow(shot, rng, cover=rng.uniform(0.3, 0.45), depth=rng.uniform(0.3, 0.45))


PAGE_SCENARIOS: dict[str, Callable[[np.ndarray, random.Random], Shot]] = {
    "plain": _plain,
    "shadow_side": _shadow_side,
    "gradient": _gradient,
    "paper_background": _paper_background,
    "fills_frame": _fills_frame,
    "angled": _angled,
    "shadow_on_paperlike": _shadow_on_paperlike,
}


def _strong_gradient(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(PAPERLIKE), angle=rng.uniform(-4, 4))
    return light_gradient(shot, rng, low=rng.uniform(0.22, 0.35))


def _phone_shadow(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-4, 4))
    return phone_shadow(light_gradient(shot, rng, low=0.8), rng, depth=rng.uniform(0.55, 0.7))


def _forwarded(page: np.ndarray, rng: random.Random) -> Shot:
    return on_table(page, rng, background=rng.choice(DARK_TABLES), angle=rng.uniform(-4, 4), margin=0.06)


def _harsh_light(page: np.ndarray, rng: random.Random) -> Shot:
    shot = on_table(page, rng, background=rng.choice(PAPERLIKE), angle=rng.uniform(-4, 4))
    shot = light_gradient(shot, rng, low=rng.uniform(0.12, 0.2))
    return soft_shadow(shot, rng, cover=rng.uniform(0.3, 0.45), depth=rng.uniform(0.35, 0.45))


# Harder scenarios added in the third pass (kept apart so the first seven keep their bills).
HARD_SCENARIOS: dict[str, Callable[[np.ndarray, random.Random], Shot]] = {
    "strong_gradient": _strong_gradient,
    "phone_shadow": _phone_shadow,
    "forwarded": _forwarded,  # WhatsApp twice: q 50-60 at 1280 px after the first q 65-75 at 1600 px
    "harsh_light": _harsh_light,  # a light gradient down to 12-20 % and a shadow, on a paper-like table
}
ALL_SCENARIOS = {**PAGE_SCENARIOS, **HARD_SCENARIOS}


def page_shot(pdf: bytes, scenario: str, rng: random.Random) -> Shot:
    return ALL_SCENARIOS[scenario](render(pdf), rng)


def page_photo(pdf: bytes, scenario: str, rng: random.Random) -> bytes:
    """The bill's first page photographed in `scenario`, as WhatsApp delivers it."""
    shot = page_shot(pdf, scenario, rng)
    sent = whatsapp(camera(shot, rng, noise=rng.uniform(2, 4), blur=rng.uniform(0.5, 0.9)),
                    quality=rng.randint(65, 75))  # fmt: skip
    if scenario == "forwarded":
        return recompress(sent, quality=rng.randint(50, 60), long_side=1280)
    return sent
