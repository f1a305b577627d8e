"""Fixtures for the MCP tests: each server reached in-process and over streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp.server import MCPServer

from tests.mcp_tools.support import Connect
from tools.client import McpConnection
from tools.http import running_mcp_http
from tools.serena_server import InMemoryRegistrations, SerenaCatalog, build_serena_server
from tools.whatsapp_server import SandboxBackend, build_whatsapp_server


@asynccontextmanager
async def _inprocess(server: MCPServer) -> AsyncIterator[McpConnection]:
    async with McpConnection.inprocess(server, timeout=5) as conn:
        yield conn


@asynccontextmanager
async def _direct(server: MCPServer) -> AsyncIterator[McpConnection]:
    """In-process without the MCP session (what `wiring` uses for Sílvia's own servers)."""
    async with McpConnection.inprocess(server, timeout=5, direct=True) as conn:
        yield conn


@asynccontextmanager
async def _over_http(server: MCPServer) -> AsyncIterator[McpConnection]:
    async with running_mcp_http(server) as url, McpConnection.remote(url, timeout=5) as conn:
        yield conn


@pytest.fixture(params=["inprocess", "direct", "http"])
def connect(request: pytest.FixtureRequest) -> Connect:
    return {"inprocess": _inprocess, "direct": _direct, "http": _over_http}[request.param]


@pytest.fixture
def backend(tmp_path: Path) -> SandboxBackend:
    return SandboxBackend(tmp_path / "media")


@pytest.fixture
def registrations() -> InMemoryRegistrations:
    return InMemoryRegistrations()


@pytest.fixture
async def wa(connect: Connect, backend: SandboxBackend) -> AsyncIterator[McpConnection]:
    async with connect(build_whatsapp_server(backend)) as conn:
        yield conn


@pytest.fixture
async def serena(connect: Connect, registrations: InMemoryRegistrations) -> AsyncIterator[McpConnection]:
    async with connect(build_serena_server(SerenaCatalog(), registrations)) as conn:
        yield conn
