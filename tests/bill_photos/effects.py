"""Photo effects for bill pages, written for the page-outline tests: each one is a way a real phone
photo makes the page outline hard to find or easy to get wrong.

Every function takes the page as a float32 RGB array (H x W x 3, 0-255) or a `Shot` and returns a
new one; `photograph` chains them and `whatsapp` encodes the result the way WhatsApp re-sends it
(long side ~1600 px, JPEG quality ~70).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WHATSAPP_LONG_SIDE = 1600
WHATSAPP_QUALITY = 70


@dataclass
class Shot:
    """A photo being built: the pixels and where the page's corners are in it."""

    pixels: np.ndarray  # float32 H x W x 3
    corners: np.ndarray  # 4 x 2, page corners (tl, tr, br, bl) in pixel coordinates


def on_table(page: np.ndarray, rng: random.Random, *, background: tuple[int, int, int],
             margin: float = 0.12, angle: float = 4.0, keystone: float = 0.04) -> Shot:  # fmt: skip
    """The page lying on a surface of colour `background`, seen from a tilted phone.

    `margin` is the share of the frame around the page (0 or less: the page fills the frame and
    its edges are cut by the photo), `angle` the rotation in degrees, `keystone` how much narrower
    the far edge looks.
    """
    h, w = page.shape[:2]
    cw, ch = int(w * (1 + 2 * margin)), int(h * (1 + 2 * margin))
    x0, y0 = margin * w, margin * h  # negative when the page is larger than the frame
    k = keystone * w
    target = np.float32(
        [
            [x0 + k, y0],
            [x0 + w - k, y0 + rng.uniform(-5, 5)],
            [x0 + w, y0 + h],
            [x0, y0 + h + rng.uniform(-5, 5)],
        ]
    )
    turn = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
    target = cv2.transform(target[None], turn)[0].astype(np.float32)
    source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    texture = np.float32(background) + np.random.default_rng(rng.randint(0, 2**31)).normal(0, 4, (ch, cw, 3))
    warped = cv2.warpPerspective(page, cv2.getPerspectiveTransform(source, target), (cw, ch),
                                 flags=cv2.INTER_LINEAR, borderValue=(-1, -1, -1))  # fmt: skip
    outside = warped[..., 0] < 0
    warped[outside] = texture[outside]
    return Shot(warped.astype(np.float32), target)


def soft_shadow(shot: Shot, rng: random.Random, *, cover: float = 0.35, depth: float = 0.45) -> Shot:
    """A soft-edged shadow (a hand, the phone, a lamp) over `cover` of the frame from one side."""
    h, w = shot.pixels.shape[:2]
    side = rng.choice(("left", "right", "top", "bottom"))
    mask = np.zeros((h, w), dtype=np.float32)
    wobble = rng.uniform(-0.08, 0.08)
    if side in ("left", "right"):
        edge = cover * w
        pts = [[0, 0], [edge, 0], [edge + wobble * w, h], [0, h]]
        pts = [[w - x, y] for x, y in pts] if side == "right" else pts
    else:
        edge = cover * h
        pts = [[0, 0], [w, 0], [w, edge + wobble * h], [0, edge]]
        pts = [[x, h - y] for x, y in pts] if side == "bottom" else pts
    cv2.fillPoly(mask, [np.int32(pts)], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=max(w, h) * 0.02)
    return Shot(shot.pixels * (1 - depth * mask)[..., None], shot.corners)


def light_gradient(shot: Shot, rng: random.Random, *, low: float = 0.55) -> Shot:
    """Brightness falling from 1.0 to `low` across the frame in a random direction (a window)."""
    h, w = shot.pixels.shape[:2]
    theta = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(theta) * (xx / w - 0.5) + np.sin(theta) * (yy / h - 0.5)) / 0.71 / 2 + 0.5
    gain = low + (1 - low) * np.clip(ramp, 0, 1)
    return Shot(shot.pixels * gain[..., None], shot.corners)


def camera(shot: Shot, rng: random.Random, *, noise: float = 3.0, blur: float = 0.8) -> np.ndarray:
    """Sensor noise, a warm cast and a touch of defocus: the finished photo as uint8 RGB."""
    np_rng = np.random.default_rng(rng.randint(0, 2**31))
    cast = np.float32([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.86, 0.96)])
    pixels = shot.pixels * cast + np_rng.normal(0, noise, shot.pixels.shape)
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    if blur > 0:
        pixels = cv2.GaussianBlur(pixels, (0, 0), sigmaX=blur)
    return pixels


def whatsapp(
    pixels: np.ndarray, quality: int = WHATSAPP_QUALITY, long_side: int = WHATSAPP_LONG_SIDE
) -> bytes:
    """What WhatsApp delivers: downscaled to `long_side` px and re-encoded as JPEG `quality`."""
    img = Image.fromarray(pixels)
    scale = long_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def upscale(page: np.ndarray, factor: float) -> np.ndarray:
    """A phone camera sees the page at more pixels than a 150-dpi render: resample it up."""
    h, w = page.shape[:2]
    return cv2.resize(page, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_CUBIC)


def phone_shadow(shot: Shot, rng: random.Random, *, depth: float = 0.6) -> Shot:
    """The phone and the hand holding it, between the lamp and the page: a dark, fairly sharp blob
    coming in from one edge over a third of the frame (darker and harder-edged than `soft_shadow`)."""
    h, w = shot.pixels.shape[:2]
    mask = np.zeros((h, w), dtype=np.float32)
    cx = rng.choice((rng.uniform(-0.1, 0.25), rng.uniform(0.75, 1.1))) * w
    cy = rng.uniform(0.2, 0.9) * h
    axes = (int(rng.uniform(0.22, 0.32) * w), int(rng.uniform(0.28, 0.4) * h))
    cv2.ellipse(mask, (int(cx), int(cy)), axes, rng.uniform(-30, 30), 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=max(w, h) * 0.008)
    return Shot(shot.pixels * (1 - depth * mask)[..., None], shot.corners)


def recompress(jpeg: bytes, quality: int, long_side: int) -> bytes:
    """A photo forwarded once more: decoded and re-sent by WhatsApp at a lower quality and size."""
    return whatsapp(
        np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB")), quality=quality, long_side=long_side
    )
