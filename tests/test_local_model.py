"""The real local model (llama.cpp, scripts/llm_server.sh) behind Sílvia's own client: `silvia
doctor` makes a test call and a structured call. Marked `model`: skipped without
TEST_OPENAI_BASE_URL (`.ci/run` starts the server and sets it)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app

pytestmark = pytest.mark.model


def test_doctor_reaches_the_local_model(model_base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
    monkeypatch.setenv("OPENAI_BASE_URL", model_base_url)
    monkeypatch.setenv("OPENAI_MODEL", "local")
    monkeypatch.setenv("SILVIA_LLM_TIMEOUT", "120")  # a 1.5B model on a shared CPU
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "test call: ok" in result.output and "structured output:" in result.output
