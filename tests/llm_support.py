"""Fixtures for the language-model layer: a scripted OpenAI-compatible server on a local port
and a Sílvia whose real langchain-openai client talks to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from demo.scripted_llm import ScriptedLLMServer
from storage.models import SdrLog
from tests.conftest import make_settings
from wiring import Silvia, open_silvia

CLEAN_ENV = ("DATABASE_URL", "SUPABASE_CONNECTION_STRING", "REDIS_URL", "WHATSAPP_MCP_URL", "SERENA_MCP_URL",
             "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "SILVIA_PROMPT_WEIGHTS")  # fmt: skip


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer().running() as server:
        yield server


def llm_env(server: ScriptedLLMServer, **extra: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": server.base_url, "OPENAI_MODEL": "scripted-1",
            **extra}  # fmt: skip


async def open_with_model(
    tmp_path: Path, clock: list[datetime], server: ScriptedLLMServer | None, **extra: str
) -> Any:
    env = llm_env(server, **extra) if server else dict(extra)
    return open_silvia(make_settings(tmp_path, **env), clock=lambda: clock[0])


@pytest.fixture
async def silvia_llm(
    tmp_path: Path, clock: list[datetime], llm_server: ScriptedLLMServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Silvia]:
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)
    async with await open_with_model(tmp_path / "llm", clock, llm_server) as running:
        yield running


async def sdr_logs(silvia: Silvia, message: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(SdrLog).order_by(SdrLog.id)
    if message:
        query = query.where(SdrLog.message == message)
    async with silvia.leads._sessions() as session:  # the repository's own pool
        rows = (await session.scalars(query)).all()
    return [{"message": r.message, "level": r.log_level, "details": r.error_details or {}} for r in rows]
