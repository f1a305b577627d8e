"""A lead who sends a photo hears "recebi, estou analisando" at once; the OCR models are loaded and
run when the service starts, not on the first lead's photo.

Real graph, real reader, sandbox WhatsApp (its outbox shows what the lead saw, in order).
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from agent.ports import BillReading
from api.app import create_app, warm_up_bill_reader
from bills.reader import BillReader
from tests.conftest import MARIA, clear_backend_env, make_settings
from tests.test_bill_conversations import at_document_request
from tests.test_conversations import bill_pdf, send_file
from wiring import Silvia

ANALYSING = "Estou analisando"


def _blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 190, 170)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _texts(silvia: Silvia) -> list[str]:
    return [m.get("text") or m.get("body") or "" for m in silvia.sandbox.sent(MARIA.phone)]


async def test_a_photo_is_acknowledged_before_it_is_read(silvia: Silvia) -> None:
    await at_document_request(silvia)
    before = len(_texts(silvia))
    result = await send_file(silvia, MARIA.phone, _blank_photo(), "image/jpeg", "IMG-0001.jpg")
    turn = _texts(silvia)[before:]
    assert ANALYSING in turn[0], turn  # first, before the answer about the photo
    assert len(turn) == 1 + len(result.texts) and turn[1:] == result.texts


async def test_a_text_pdf_is_answered_without_the_acknowledgement(silvia: Silvia) -> None:
    await at_document_request(silvia)
    before = len(_texts(silvia))
    await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    assert not any(ANALYSING in text for text in _texts(silvia)[before:])


class _SlowPdfReader:
    """The real reader, taking 1.6 s on a PDF it did not expect to be slow (a scanned PDF)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def will_be_slow(self, data: bytes, mime_type: str, filename: str | None = None) -> bool:
        return False

    def read(self, data: bytes, mime_type: str, filename: str | None = None) -> BillReading:
        time.sleep(1.6)
        return self.reader.read(data, mime_type, filename)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


async def test_a_read_that_turns_out_slow_is_acknowledged_after_a_second(silvia: Silvia) -> None:
    await at_document_request(silvia)
    silvia.deps = replace(silvia.deps, bills=_SlowPdfReader(silvia.deps.bills))
    before = len(_texts(silvia))
    result = await send_file(silvia, MARIA.phone, bill_pdf(total=412.37))
    turn = _texts(silvia)[before:]
    assert ANALYSING in turn[0] and turn[1:] == result.texts


async def test_warm_up_runs_the_reader_once_and_survives_a_failing_one() -> None:
    calls: list[str] = []

    class Reader:
        def warm_up(self) -> None:
            calls.append("warm")

    class Broken:
        def warm_up(self) -> None:
            raise RuntimeError("no models")

    await warm_up_bill_reader(Reader())
    await warm_up_bill_reader(Broken())  # logged, not raised: PDFs can still be read
    await warm_up_bill_reader(object())  # a reader without models has nothing to warm
    assert calls == ["warm"]


def test_the_service_warms_the_ocr_up_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_backend_env(monkeypatch)
    warmed: list[float] = []
    original = BillReader.warm_up

    def recording(self: BillReader) -> None:
        original(self)
        warmed.append(1.0)

    monkeypatch.setattr(BillReader, "warm_up", recording)
    app = create_app(make_settings(tmp_path), jobs={})
    with TestClient(app) as client:
        assert client.get("/health").status_code in (200, 503)
        for _ in range(600):  # the warm-up runs in a thread beside the serving app
            if warmed:
                break
            time.sleep(0.1)
    assert warmed == [1.0]
    from bills.ocr import shared_engine

    assert shared_engine()._engine is not None  # the models are loaded: no photo paid for it
