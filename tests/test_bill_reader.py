"""PdfBillReader over generated bills: exact round trip, and every failure path."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bills.fields import parse_bill_text
from bills.patterns import BY_NAME
from bills.reader import PdfBillReader
from demo.bill_specs import CITIES, brl, ground_truth, random_bill_spec
from demo.sample_bills import encrypted_pdf, image_only_pdf, not_a_bill_pdf, render_bill_pdf

DISTRIBUTORS = sorted(CITIES)
ROUND_TRIP = 48  # bills, cycling through every distributor (and so every layout family)


@pytest.fixture(scope="module")
def reader() -> PdfBillReader:
    return PdfBillReader()


@pytest.mark.parametrize("seed", range(ROUND_TRIP))
def test_round_trip_every_field_exact(reader: PdfBillReader, seed: int) -> None:
    spec = random_bill_spec(random.Random(seed), distributor=DISTRIBUTORS[seed % len(DISTRIBUTORS)])
    reading = reader.read(render_bill_pdf(spec), "application/pdf", "fatura.pdf")
    assert reading.ok, reading.problem
    assert reading.source == "pdf_text" and reading.problem is None
    assert reading.fields.model_dump() == ground_truth(spec)
    assert reading.confidence["total_amount"] >= 0.9
    assert spec.cpf not in reading.fields.model_dump_json()


def test_round_trip_covers_every_layout_family() -> None:
    families = {BY_NAME[d].family for d in DISTRIBUTORS[:ROUND_TRIP]}
    assert {"neoenergia", "enel", "equatorial", "energisa"} <= families


def test_demo_bill_with_forced_fields(reader: PdfBillReader) -> None:
    spec = random_bill_spec(
        random.Random(3),
        distributor="Neoenergia Pernambuco",
        customer_name="Carla Menezes",
        total_amount=380.0,
        due_date=date(2026, 12, 10),
    )
    reading = reader.read(render_bill_pdf(spec), "application/pdf")
    assert reading.ok
    assert reading.fields.total_amount == 380.0
    assert reading.fields.customer_name == "Carla Menezes"
    assert reading.fields.due_date == date(2026, 12, 10)
    assert reading.fields.reference_month == "11/2026"
    assert 0.4 <= 380.0 / (reading.fields.consumption_kwh or 1) <= 2.5


def test_generated_spec_is_reproducible() -> None:
    assert random_bill_spec(random.Random(9)) == random_bill_spec(random.Random(9))
    assert render_bill_pdf(random_bill_spec(random.Random(9)))[:4] == b"%PDF"


def test_wrong_total_gets_low_confidence(reader: PdfBillReader) -> None:
    spec = random_bill_spec(random.Random(5), distributor="Enel CE")
    text = reader.read(render_bill_pdf(spec), "application/pdf").text
    printed = brl(spec.total_amount)
    one_wrong = text.replace(f"Total a pagar: R$ {printed}", "Total a pagar: R$ 99,90")
    assert one_wrong != text
    fields, conf = parse_bill_text(one_wrong)  # barcode and "Valor cobrado" outvote the bad label
    assert fields.total_amount == spec.total_amount
    all_wrong = text.replace(printed, "99,90")
    fields, conf = parse_bill_text(all_wrong)  # only the barcode still carries the real amount
    assert fields.total_amount == 99.90
    assert conf["total_amount"] <= 0.3


def test_encrypted_pdf(reader: PdfBillReader) -> None:
    reading = reader.read(encrypted_pdf(user_password="segredo"), "application/pdf")
    assert (reading.ok, reading.problem) == (False, "encrypted")


def test_owner_only_encryption_is_read_with_the_empty_password(reader: PdfBillReader) -> None:
    spec = random_bill_spec(random.Random(2), distributor="Neoenergia Coelba")
    reading = reader.read(encrypted_pdf(spec, user_password=""), "application/pdf")
    assert reading.ok
    assert reading.fields.total_amount == spec.total_amount


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf at all", b"%PDF-1.7\n%garbage\n1 0 obj << /Type /Catalog", b"\x00\x01\x02" * 100],
)
def test_corrupt_pdf(reader: PdfBillReader, data: bytes) -> None:
    reading = reader.read(data, "application/pdf", "fatura.pdf")
    assert (reading.ok, reading.problem) == (False, "corrupt")


def test_truncated_pdf_is_corrupt_or_unreadable(reader: PdfBillReader) -> None:
    data = render_bill_pdf(random_bill_spec(random.Random(4)))
    reading = reader.read(data[: len(data) // 3], "application/pdf")
    assert not reading.ok
    assert reading.problem in ("corrupt", "unreadable")


def test_too_large(reader: PdfBillReader) -> None:
    small = PdfBillReader(max_bytes=1000)
    data = render_bill_pdf(random_bill_spec(random.Random(1)))
    assert small.read(data, "application/pdf").problem == "too_large"
    assert reader.read(b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf").problem == "too_large"


@pytest.mark.parametrize("kind", ["boleto", "letter"])
def test_not_a_bill(reader: PdfBillReader, kind: str) -> None:
    reading = reader.read(not_a_bill_pdf(kind), "application/pdf")
    assert (reading.ok, reading.problem) == (False, "not_a_bill")
    assert reading.source == "pdf_text"


def test_pdf_without_text_layer_is_unreadable(reader: PdfBillReader) -> None:
    reading = reader.read(image_only_pdf(), "application/pdf")
    assert (reading.ok, reading.problem) == (False, "unreadable")


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\xff\xd8\xff\xe0" + b"0" * 100, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic" + b"0" * 50, "image/heic"),
        (b"\xff\xd8\xff\xe0" + b"0" * 100, "application/octet-stream"),
    ],
)
def test_broken_images_are_corrupt(reader: PdfBillReader, data: bytes, mime: str) -> None:
    reading = reader.read(data, mime)
    assert (reading.ok, reading.problem) == (False, "corrupt")


def test_without_ocr_images_are_not_supported(data: bytes = b"\xff\xd8\xff\xe0" + b"0" * 100) -> None:
    assert PdfBillReader(ocr=None).read(data, "image/jpeg").problem == "image_not_supported"


@pytest.mark.parametrize(("data", "mime"), [(b"hello", "text/plain"), (b"PK\x03\x04", "application/zip")])
def test_unsupported_types(reader: PdfBillReader, data: bytes, mime: str) -> None:
    reading = reader.read(data, mime, "x.bin")
    assert (reading.ok, reading.problem, reading.source) == (False, "unsupported_type", "none")


def test_pdf_sent_with_a_generic_mime_type_is_still_read(reader: PdfBillReader) -> None:
    spec = random_bill_spec(random.Random(8), distributor="Energisa Sergipe")
    reading = reader.read(render_bill_pdf(spec), "application/octet-stream", None)
    assert reading.ok and reading.fields.distributor == "Energisa Sergipe"


def test_low_total_fails_the_seed_validation(reader: PdfBillReader) -> None:
    spec = random_bill_spec(random.Random(6), distributor="Neoenergia Cosern", total_amount=45.0)
    reading = reader.read(render_bill_pdf(spec), "application/pdf")
    assert reading.fields.total_amount == 45.0
    assert (reading.ok, reading.problem) == (False, "failed_validation")
    assert "total_too_low" in reading.issues
