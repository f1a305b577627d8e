"""Shared fixtures: a real Sílvia on the embedded default (SQLite, in-process MCP, sandbox)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.ports import LeadRecord
from settings import Settings
from tests.graph_api_fake import GraphApiFake
from wiring import Silvia, open_silvia

# Shared helper modules hold asserts too; rewrite them before any test module imports them.
pytest.register_assert_rewrite("tests.llm_support", "tests.webhook_kit", "tests.backends")

# Tuesday 24 Nov 2026, 14:00 in Recife: business hours.
BUSINESS_HOURS = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)

MARIA = LeadRecord(
    phone="+5581999990001", name="Maria Oliveira", city="Recife", state="PE", bill_amount=380.0
)


def make_settings(data_dir: Path, **env: str) -> Settings:
    """Settings for a test: only what the test says, never the developer's environment."""
    return Settings(_env_file=None, SILVIA_DATA_DIR=str(data_dir), **env)  # type: ignore[call-arg]


def require_service(variable: str) -> str:
    """The URL of a real service for integration tests; skip without it unless CI requires it."""
    url = os.environ.get(variable, "")
    if not url:
        if os.environ.get("SILVIA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{variable} is not set but SILVIA_REQUIRE_SERVICES=1")
        pytest.skip(f"{variable} not set")
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `model` talk to a real local LLM: skipped unless TEST_OPENAI_BASE_URL is set
    (scripts/llm_server.sh starts one; `.ci/run` does it for CI)."""
    if os.environ.get("TEST_OPENAI_BASE_URL"):
        return
    skip = pytest.mark.skip(reason="TEST_OPENAI_BASE_URL not set (scripts/llm_server.sh start)")
    for item in items:
        if "model" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def model_base_url() -> str:
    """The OpenAI-compatible base URL of the real local model (tests marked `model`)."""
    return os.environ["TEST_OPENAI_BASE_URL"]


BACKEND_VARIABLES = (
    "DATABASE_URL", "SUPABASE_CONNECTION_STRING", "REDIS_URL", "WHATSAPP_MCP_URL", "SERENA_MCP_URL",
)  # fmt: skip


@pytest.fixture
def graph() -> Iterator[GraphApiFake]:
    """A local peer speaking the WhatsApp Cloud (Graph) API, for the webhook service tests."""
    fake = GraphApiFake().start()
    yield fake
    fake.stop()


def clear_backend_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run on the embedded default whatever the developer's shell points at."""
    for name in BACKEND_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> list[datetime]:
    """A controllable clock: tests move time by replacing clock[0]."""
    return [BUSINESS_HOURS]


@pytest.fixture
async def silvia(
    tmp_path: Path, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Silvia]:
    clear_backend_env(monkeypatch)
    async with open_silvia(make_settings(tmp_path), clock=lambda: clock[0]) as running:
        yield running
