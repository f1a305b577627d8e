"""The bill reader on layouts it was not built on (tests/bill_layouts.py): ten distributors' styles
as text PDFs, phone photos, a dim photo and an upside-down photo.

PDFs are cheap (every layout, two bills each); photos cost ~3 s of OCR each, so five are read once
per session and shared. The full run with per-field figures is benchmarks/bills/layouts_accuracy.py.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.ports import BillFields, BillReading
from bills.fields import parse_bill_text
from bills.files import PageText
from bills.ocr import OcrPage
from bills.orientation import upright
from bills.reader import BillReader
from cli.main import app
from tests.bill_layouts import LAYOUTS, field_matches, make_bill, person_type, photo, render_pdf, truth

KEY = ("total_amount", "due_date", "consumption_kwh", "distributor")
PHOTOS = [  # (layout, seed, kind): photos of five different layouts, one dim, one upside down
    ("enel_rj", 100, "photo"),
    ("cemig", 100, "photo"),
    ("equatorial", 100, "photo"),
    ("light", 201, "dark"),
    ("celesc", 200, "upside_down"),
]


@functools.cache
def _reader() -> BillReader:
    return BillReader()


@functools.cache
def _photo_reading(layout: str, seed: int, kind: str) -> BillReading:
    pdf = render_pdf(make_bill(layout, seed))
    data = photo(pdf, random.Random(seed), dark=kind == "dark", upside_down=kind == "upside_down")
    return _reader().read(data, "image/jpeg", "IMG_0001.jpg")


def _wrong(reading: BillReading, layout: str, seed: int, names: tuple[str, ...]) -> dict:
    want = truth(make_bill(layout, seed))
    got = {**reading.fields.model_dump(), "person_type": person_type(reading.fields.document_masked)}
    return {n: (got[n], want[n]) for n in names if not field_matches(n, got[n], want[n])}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_text_pdf_layouts(layout: str, seed: int) -> None:
    reading = _reader().read(render_pdf(make_bill(layout, seed)), "application/pdf", "fatura.pdf")
    assert reading.source == "pdf_text"
    assert _wrong(reading, layout, seed, (*KEY, "reference_month", "installation_number", "state")) == {}
    assert reading.ok, (reading.problem, reading.issues)


def test_text_pdf_people_and_places() -> None:
    """Name, city and PF/PJ on every layout (a section header over the name, a CNPJ on the name's
    line, a house number before the city), at most one miss in twenty bills."""
    misses = []
    for layout in LAYOUTS:
        for seed in (0, 1):
            reading = _reader().read(render_pdf(make_bill(layout, seed)), "application/pdf", "f.pdf")
            wrong = _wrong(reading, layout, seed, ("customer_name", "city", "person_type"))
            misses += [(layout, seed, wrong)] if wrong else []
    assert len(misses) <= 1, misses


@pytest.mark.parametrize(("layout", "seed", "kind"), PHOTOS)
def test_photo_layouts(layout: str, seed: int, kind: str) -> None:
    reading = _photo_reading(layout, seed, kind)
    assert reading.source == "ocr"
    assert _wrong(reading, layout, seed, KEY) == {}
    # The barcode witnesses the total. A kWh printed only once on the page stays below the ok line
    # by design (an OCR number needs a second witness), so `ok` is not asserted on photos.
    assert reading.confidence["total_amount"] >= 0.5


def test_upside_down_photo_through_silvia_bill(tmp_path: Path) -> None:
    bill = make_bill("neoenergia", 201)
    path = tmp_path / "IMG_0002.jpg"
    path.write_bytes(photo(render_pdf(bill), random.Random(201), upside_down=True))
    result = CliRunner().invoke(app, ["bill", str(path), "--no-vision"])
    report = json.loads(result.stdout)
    values = {name: entry["value"] for name, entry in report["fields"].items()}
    assert result.exit_code == 0, report["problem"]
    assert values["total_amount"] == bill.total and values["distributor"] == bill.distributor
    assert values["due_date"] == bill.due.isoformat() and values["consumption_kwh"] == bill.kwh


class _CountingOcr:
    """An OCR engine that reads a fixed text and counts how often it is asked."""

    def __init__(self, text: str) -> None:
        self.text, self.calls = text, 0

    def read(self, image: np.ndarray) -> OcrPage:
        self.calls += 1
        return OcrPage(self.text, [], 0.9, 0.0)


def test_orientation_costs_nothing_on_upright_or_wordless_pages() -> None:
    image = np.zeros((40, 30, 3), dtype=np.uint8)
    bill_text = "CONSUMO kWh 350  ENERGIA ELETRICA  TOTAL A PAGAR R$ 380,00  Leitura  Tarifa  Enel CE"
    ocr = _CountingOcr(bill_text)
    upright_page = PageText(bill_text, "ocr", 0.9, image)
    few_words = PageText("um rosto sorrindo", "ocr", 0.5, image)
    pdf_page = PageText("texto qualquer " * 30, "pdf_text")
    assert upright([upright_page, few_words, pdf_page], ocr) == [upright_page, few_words, pdf_page]
    assert ocr.calls == 0


def test_orientation_keeps_a_wordy_page_that_is_no_bill_either_way() -> None:
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    letter = PageText("Prezado cliente, segue a proposta comercial " * 5, "ocr", 0.9, image)
    ocr = _CountingOcr("ainda uma carta, sem consumo nem valores")
    assert upright([letter], ocr) == [letter]
    assert ocr.calls == 1  # one retry, turned 180 degrees


def test_orientation_turns_a_page_that_reads_as_a_bill_upside_down() -> None:
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    garbled = PageText("ejqed e lejol oinsuoo eijaua " * 6, "ocr", 0.6, image)
    bill_text = "CONSUMO kWh 350  ENERGIA ELETRICA  TOTAL A PAGAR R$ 380,00  Leitura  Tarifa  Enel CE"
    [page] = upright([garbled], _CountingOcr(bill_text))
    assert page.text == bill_text
    assert page.image is not None and (page.image == np.rot90(image, 2)).all()


# --- the text rules behind the layouts, on one-line examples (no rendering, no OCR) ------------------


def _parse(text: str) -> BillFields:
    return parse_bill_text(text)[0]


def test_quantity_column_of_an_item_table_without_a_kwh_unit() -> None:
    text = (
        "Descrição                        Quantidade       Tarifa c/ trib.      Valor R$\n"
        "Energia ativa fornecida TUSD            247              0,54166        133,79\n"
        "Energia ativa fornecida TE              247              0,44316        109,46\n"
        "Histórico de consumo (kWh)\n"
        "   276     244     193\n"
        "JAN/25  FEV/25  MAR/25\n"
    )
    assert _parse(text).consumption_kwh == 247  # not the history bars under "consumo (kWh)"


def test_people_and_places_in_unusual_blocks() -> None:
    section = _parse("DADOS DO CLIENTE\nFRANCISCA DAS CHAGAS SOUSA\nRUA A, 10\nNATAL/RN - CEP: 59000-000")
    assert section.customer_name == "Francisca das Chagas Sousa"
    company = _parse("NEOENERGIA COSERN\nPADARIA PAO DOURADO LTDA - CNPJ: 20.569.671/0001-41\nRUA B, 5")
    assert (
        company.customer_name == "Padaria Pao Dourado Ltda"
        and company.document_masked == "**.569.671/0001-**"
    )
    house_number = _parse("ANA LIMA\nTRAVESSA SAO JOAO, 117  BLUMENAU - SC  89053-422")
    assert (house_number.city, house_number.state) == ("Blumenau", "SC")


@pytest.mark.parametrize("line", ["CPF:….….163-", "CPF: …….303-", 'CPF: .744.397-"', "CPF: ***_***.595-**"])
def test_masked_cpf_as_ocr_garbles_it(line: str) -> None:
    assert _parse("MARIA SILVA\n" + line).document_masked == "***.***.***-**"


def test_a_blank_dotted_cpf_field_is_no_document() -> None:
    assert _parse("MARIA SILVA\nCPF: ..........").document_masked is None
