"""Turn a declarative attachment from a dataset into the bytes a lead would send."""

from __future__ import annotations

import random
import struct
import zlib

from demo.bill_specs import BillSpec, random_bill_spec
from demo.sample_bills import encrypted_pdf, image_only_pdf, not_a_bill_pdf, render_bill_pdf
from evals.dataset import Attachment
from settings import DEFAULT_MAX_BILL_BYTES

PDF = "application/pdf"
PNG = "image/png"


def blurry_photo_png(width: int = 64, height: int = 48) -> bytes:
    """A grey PNG: a photo of a bill too dark and blurred for anyone to read."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([90 + (x * y) % 7 for x in range(width)]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def bill_spec(att: Attachment, lead_name: str | None) -> BillSpec:
    """The synthetic bill behind a `bill`, `encrypted` or `too_large` attachment."""
    overrides: dict[str, object] = {"consumer_class": att.consumer_class}
    if att.city:
        overrides["city"] = att.city
    if att.total_amount:
        overrides["total_amount"] = att.total_amount
    if att.customer_name or lead_name:
        overrides["customer_name"] = att.customer_name or lead_name
    return random_bill_spec(random.Random(att.seed), distributor=att.distributor, **overrides)


def render_attachment(
    att: Attachment, lead_name: str | None, max_bytes: int = DEFAULT_MAX_BILL_BYTES
) -> tuple[bytes, str, str]:
    """(bytes, mime type, filename) for an attachment spec."""
    if att.kind == "photo":
        return blurry_photo_png(), PNG, att.filename or "conta.png"
    filename = att.filename or "conta-de-luz.pdf"
    if att.kind == "corrupt":
        return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<< broken", PDF, filename
    if att.kind == "not_a_bill":
        return not_a_bill_pdf(), PDF, filename
    if att.kind == "image_only_pdf":
        return image_only_pdf(), PDF, filename
    spec = bill_spec(att, lead_name)
    if att.kind == "encrypted":
        return encrypted_pdf(spec), PDF, filename
    data = render_bill_pdf(spec)
    if att.kind == "too_large":
        data += b"\n%" + b"0" * (max_bytes + 1)  # a bill with megabytes of padding after it
    return data, PDF, filename
