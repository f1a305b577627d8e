"""Ports raise the PortError family, so nodes can catch outages by name and let bugs surface."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from agent.context import Deps
from agent.ports import BillFile, BillReadError, PortError, ToolError
from bills.reader import BillReader
from tools.client import SerenaTools, WhatsAppTools


class _Answers:
    """A connection whose tools answer with whatever shape the test gives."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    async def call(self, tool: str, args: dict[str, Any] | None = None) -> Any:
        return self.answer


@pytest.mark.parametrize("answer", [{}, None, {"unexpected": 1}])
async def test_a_tool_answer_without_the_promised_shape_is_a_tool_error(answer: Any) -> None:
    whatsapp, serena = WhatsAppTools(_Answers(answer)), SerenaTools(_Answers(answer))  # type: ignore[arg-type]
    with pytest.raises(ToolError, match="sendTextMessage"):
        await whatsapp.send_text("+5581999990001", "oi")
    with pytest.raises(ToolError, match="downloadMedia"):
        await whatsapp.download_media("m1")
    with pytest.raises(ToolError, match="obter_planos_gd"):
        await serena.get_plans("Recife", "PE")
    with pytest.raises(PortError, match="cadastrar_lead"):
        await serena.register_lead({"nome": "Maria"})


def test_a_reader_crash_is_the_ports_error_not_the_librarys(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = BillReader(ocr=None)

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a library bug on a hostile file")

    monkeypatch.setattr("bills.reader.extract", crash)
    with pytest.raises(BillReadError, match="ZeroDivisionError") as caught:
        reader.read_many([BillFile(data=b"%PDF-1.4", mime_type="application/pdf", filename="conta.pdf")])
    assert isinstance(caught.value, PortError)


def test_deps_are_frozen_once_built() -> None:
    deps = Deps.__new__(Deps)
    with pytest.raises(FrozenInstanceError):
        deps.prompt_version = "v2.0_premium"  # type: ignore[misc]
