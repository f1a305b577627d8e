"""Why a photo gave no text at all: too dark, too blurred, or not a document (a selfie).

Only asked when the reader found no text in an image. A sharp, reasonably lit picture with
nothing legible is not a bill; a dark or blurred one probably is, badly photographed. Pillow
only (grey levels and edge strength on a small copy), a few milliseconds.
"""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image, ImageFilter, ImageStat, UnidentifiedImageError

Verdict = Literal["dark", "blurry", "not_a_document", "unknown"]
DARK_MEAN = 70  # mean grey level (0-255) under which the page cannot be read
FLAT_CONTRAST = 12.0  # grey-level spread under which nothing stands out (no text, no face)
BLUR_EDGES = 8.0  # spread of edge strength under which nothing is in focus (no sharp edge)


def photo_verdict(data: bytes) -> Verdict:
    try:
        with Image.open(io.BytesIO(data)) as image:
            grey = image.convert("L")
            grey.thumbnail((512, 512))
    except (UnidentifiedImageError, OSError, ValueError):
        return "unknown"
    light = ImageStat.Stat(grey)
    if light.mean[0] < DARK_MEAN or light.stddev[0] < FLAT_CONTRAST:
        return "dark"  # too dark, or washed out to one grey: better light is the tip
    width, height = grey.size
    # The filter marks the image's own border as an edge: leave it out.
    edges = grey.filter(ImageFilter.FIND_EDGES).crop((2, 2, max(width - 2, 3), max(height - 2, 3)))
    if ImageStat.Stat(edges).stddev[0] < BLUR_EDGES:
        return "blurry"
    return "not_a_document"
