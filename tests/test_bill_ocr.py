"""Bills as leads send them - phone photos, scans, images, two pages - through `silvia bill`.

A fixed small sample (OCR costs ~3 s per page); the big run is benchmarks/bills/accuracy.py.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from bills.images import decode_image, find_page_quad
from cli.main import app
from demo.bill_images import encode, make_variant, phone_photo, rasterise
from demo.bill_specs import ground_truth, random_bill_spec
from demo.sample_bills import render_bill_pdf

KEY = ("total_amount", "consumption_kwh", "distributor", "state")
SAMPLE = [  # (distributor, variant, seed): every layout family and every image path once
    ("Neoenergia Pernambuco", "phone_photo", 11),
    ("Enel CE", "phone_photo", 12),
    ("Neoenergia Coelba", "scanned_pdf", 13),
    ("Neoenergia Cosern", "clean_image", 14),
]
runner = CliRunner()


def silvia_bill(*paths: Path, explain: bool = False) -> tuple[int, dict]:
    args = ["bill", *map(str, paths), "--no-vision"] + (["--explain"] if explain else [])
    result = runner.invoke(app, args)
    return result.exit_code, json.loads(result.stdout)


def _values(report: dict) -> dict:
    return {name: entry["value"] for name, entry in report["fields"].items()}


@pytest.mark.parametrize(("distributor", "variant", "seed"), SAMPLE)
def test_variant_through_silvia_bill(tmp_path: Path, distributor: str, variant: str, seed: int) -> None:
    spec = random_bill_spec(random.Random(seed), distributor=distributor)
    data, _, name = make_variant(spec, variant, random.Random(seed))
    path = tmp_path / name
    path.write_bytes(data)
    code, report = silvia_bill(path, explain=True)
    truth = json.loads(json.dumps(ground_truth(spec), default=str))
    got = _values(report)
    assert code == 0 and report["ok"] and report["source"] == "ocr", report["problem"]
    assert {k: got[k] for k in KEY} == {k: truth[k] for k in KEY}
    assert got["due_date"] == truth["due_date"] and got["city"] == truth["city"]
    assert report["fields"]["total_amount"]["confidence"] >= 0.5
    assert report["fields"]["total_amount"]["source"] == "ocr"
    assert report["fields"]["total_amount"]["found_on_lines"], "explain shows where the total is"
    assert spec.cpf not in json.dumps(report, ensure_ascii=False)  # never an unmasked CPF
    assert spec.cpf.replace(".", "").replace("-", "") not in json.dumps(report)


def test_two_photos_of_one_bill_are_merged(tmp_path: Path) -> None:
    """Front and back: the top half has the summary, the bottom half the barcode and items."""
    spec = random_bill_spec(random.Random(21), distributor="Neoenergia Pernambuco")
    page = rasterise(render_bill_pdf(spec), 150)[0]
    top = page.crop((0, 0, page.width, page.height // 2))
    bottom = page.crop((0, page.height // 2, page.width, page.height))
    (tmp_path / "frente.jpg").write_bytes(encode(top, "JPEG", quality=80))
    (tmp_path / "verso.heic").write_bytes(encode(bottom, "HEIF"))
    code, report = silvia_bill(tmp_path / "frente.jpg", tmp_path / "verso.heic")
    assert code == 0 and report["ok"] and report["pages"] == 2
    assert _values(report)["total_amount"] == spec.total_amount
    assert _values(report)["installation_number"] == spec.installation_number


def test_a_photo_without_a_bill_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    selfie = Image.fromarray(rng.integers(90, 200, (900, 700, 3), dtype=np.uint8))  # no text at all
    (tmp_path / "selfie.webp").write_bytes(encode(selfie, "WEBP"))
    code, report = silvia_bill(tmp_path / "selfie.webp")
    assert code == 1 and report["ok"] is False and report["problem"] == "unreadable"
    assert report["fields"]["total_amount"]["value"] is None


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bill", str(tmp_path / "nope.jpg")])
    assert result.exit_code != 0 and "no such file" in result.output


def test_phone_photo_page_outline_is_found() -> None:
    spec = random_bill_spec(random.Random(3), distributor="Neoenergia Coelba")
    photo = decode_image(phone_photo(rasterise(render_bill_pdf(spec), 100)[0], random.Random(3)))
    quad = find_page_quad(photo)
    assert quad is not None
    width = np.linalg.norm(quad[1] - quad[0])
    height = np.linalg.norm(quad[3] - quad[0])
    assert 1.2 < height / width < 1.6  # the whole A4 page, not the half out of the shadow


def test_exif_rotation_is_honoured() -> None:
    img = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° CW to display"
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    assert decode_image(out.getvalue()).shape[:2] == (40, 20)
