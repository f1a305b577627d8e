"""The vision-model path against a local OpenAI-compatible server (Chat Completions wire format)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

from bills.files import PageText
from bills.reader import BillReader
from bills.vision import VisionClient, to_fields
from settings import Settings
from tests.chat_server import ChatServer, chat_server

# What OCR read from a poor photo: the total is printed once (no second witness), kWh twice.
OCR_TEXT = """\
      NEOENERGIA PERNAMBUCO
      MARIA OLIVEIRA SANTOS
      RUA DAS FLORES, 10 - CENTRO
      50710-000 RECIFE - PE
      TOTAL A PAGAR        VENCIMENTO
      R$ 412,37            10/12/2026
      CONSUMO kWh   380
      Consumo Energia [kWh]-TE   kWh  380   0,561234   213,27
"""
GOOD = {
    "is_electricity_bill": True,
    "distributor": "Neoenergia Pernambuco",
    "customer_name": "Maria Oliveira Santos",
    "document": "123.456.789-09",
    "installation_number": None,
    "city": "Recife",
    "state": "PE",
    "consumer_class": "residencial",
    "consumption_kwh": 380,
    "total_amount": 412.37,
    "due_date": "10/12/2026",
    "reference_month": "11/2026",
}


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as s:
        yield s


def _reader(server: ChatServer) -> BillReader:
    return BillReader(ocr=None, vision=VisionClient(server.url, "sk-test", "vision-test", timeout=5))


def _page(text: str = OCR_TEXT) -> PageText:
    image = np.full((120, 90, 3), 235, dtype=np.uint8)
    return PageText(text, "ocr", 0.9, image)


def test_offline_reading_is_not_trusted_with_a_total_seen_once() -> None:
    reading = BillReader(ocr=None).read_pages([_page()])
    assert reading.fields.total_amount == 412.37
    assert reading.confidence["total_amount"] < 0.5
    assert (reading.ok, reading.problem) == (False, "unreadable")


def test_good_answer_confirmed_by_the_ocr_text(server: ChatServer) -> None:
    server.answer_json(GOOD)
    reading = _reader(server).read_pages([_page()])
    assert reading.ok and reading.problem is None
    assert reading.fields.total_amount == 412.37
    assert reading.field_sources["total_amount"] == "vision" and reading.source == "vision"
    assert reading.confidence["total_amount"] >= 0.9
    assert reading.field_sources["consumption_kwh"] == "ocr"  # OCR was sure: the model is not asked to win
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["model"] == "vision-test"
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    parts = request["messages"][1]["content"]
    image = next(p for p in parts if p["type"] == "image_url")["image_url"]["url"]
    assert image.startswith("data:image/jpeg;base64,")
    assert base64.b64decode(image.split(",", 1)[1])[:3] == b"\xff\xd8\xff"


def test_answer_that_disagrees_with_ocr_gets_low_confidence(server: ChatServer) -> None:
    server.answer_json({**GOOD, "total_amount": 612.37})  # not printed anywhere on the page
    reading = _reader(server).read_pages([_page()])
    assert reading.fields.total_amount == 612.37
    assert reading.confidence["total_amount"] <= 0.3
    assert (reading.ok, reading.problem) == (False, "unreadable")


@pytest.mark.parametrize(
    "queue",
    [
        lambda s: s.answer("Claro! O total é R$ 412,37."),  # prose, no JSON
        lambda s: s.answer('{"total_amount": 412.37,'),  # truncated JSON
        lambda s: s.answer("[1, 2, 3]"),  # JSON, but not an object
        lambda s: s.fail(500),
        lambda s: s.fail(429, b"rate limited"),
        lambda s: s.fail(200, b"<html>not json</html>"),
    ],
)
def test_unusable_answers_leave_the_ocr_reading_as_it_was(server: ChatServer, queue) -> None:
    queue(server)
    reading = _reader(server).read_pages([_page()])
    assert (reading.ok, reading.problem) == (False, "unreadable")
    assert reading.fields.total_amount == 412.37 and reading.confidence["total_amount"] < 0.5
    assert "vision_failed" in reading.issues
    assert len(server.requests) == 1


def test_without_ocr_evidence_the_answer_is_accepted_but_flagged(server: ChatServer) -> None:
    server.answer_json(GOOD)
    reading = _reader(server).read_pages([_page(text="")])
    assert reading.ok and reading.source == "vision"
    assert reading.fields.total_amount == 412.37 and reading.fields.due_date == date(2026, 12, 10)
    assert 0.5 <= reading.confidence["total_amount"] < 0.9
    assert "vision_unverified" in reading.issues
    assert reading.fields.document_masked == "***.456.789-**"  # masked even when the model is not


def test_a_sure_ocr_reading_never_calls_the_model(server: ChatServer) -> None:
    text = OCR_TEXT + "      TOTAL   412,37\n"  # the total's second witness
    reading = _reader(server).read_pages([_page(text)])
    assert reading.ok and reading.source == "ocr"
    assert server.requests == []


def test_model_fields_are_sanitised() -> None:
    fields = to_fields(
        {"distributor": "CELPE", "state": "pernambuco", "consumption_kwh": "1.250",
         "total_amount": "R$ 1.234,56", "due_date": "31/02/2026", "reference_month": "2026-11",
         "consumer_class": "Residencial"}
    )  # fmt: skip
    assert fields.distributor == "Neoenergia Pernambuco" and fields.state == "PE"
    assert (fields.consumption_kwh, fields.total_amount) == (1250.0, 1234.56)
    assert fields.due_date is None and fields.reference_month is None
    assert fields.consumer_class == "residencial"
    assert to_fields({"total_amount": True, "consumption_kwh": -5}).total_amount is None


def test_client_from_settings() -> None:
    assert VisionClient.from_settings(Settings(_env_file=None)) is None
    local = Settings(_env_file=None, SILVIA_VISION_BASE_URL="http://127.0.0.1:9/v1", SILVIA_VISION_MODEL="m")
    client = VisionClient.from_settings(local)
    assert client is not None and client.model == "m"
    assert client.url == "http://127.0.0.1:9/v1/chat/completions"
    keyed = Settings(_env_file=None, OPENAI_API_KEY="sk-x", OPENAI_MODEL="gpt-4o-mini")
    assert VisionClient.from_settings(keyed).model == "gpt-4o-mini"  # type: ignore[union-attr]
    off = Settings(_env_file=None, OPENAI_API_KEY="sk-x", SILVIA_VISION_ENABLED="false")
    assert VisionClient.from_settings(off) is None
