"""The MCP client's behaviour: retries, time-outs, concurrency, restarts and HTTP hosting."""

from __future__ import annotations

import asyncio
import threading

import httpx
import mcp
import pytest
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from tests.mcp_tools.support import PHONE, Connect
from tools.client import McpConnection, McpUnavailableError, ToolCallError, WhatsAppTools
from tools.http import BackgroundHttpServer, running_mcp_http
from tools.whatsapp_server import SandboxBackend, build_whatsapp_server

# --- client behaviour: retries, time-outs, restarts, HTTP hosting ---------------------------


def _counting_server() -> tuple[MCPServer, dict[str, int]]:
    calls = {"fails": 0, "slow": 0}
    lock = threading.Lock()
    server = MCPServer("counting", log_level="WARNING")

    @server.tool(name="fails")
    async def fails() -> str:
        with lock:
            calls["fails"] += 1
        raise ToolError("nope, on purpose")

    @server.tool(name="slow")
    async def slow(seconds: float) -> str:
        with lock:
            calls["slow"] += 1
        await asyncio.sleep(seconds)
        return "done"

    return server, calls


async def test_tool_errors_are_never_retried(connect: Connect) -> None:
    server, calls = _counting_server()
    async with connect(server) as conn:
        with pytest.raises(ToolCallError, match="nope, on purpose"):
            await conn.call("fails")
    assert calls["fails"] == 1


async def test_timeouts_are_retried_then_reported(connect: Connect) -> None:
    server, calls = _counting_server()
    async with connect(server) as conn:
        conn.timeout, conn.attempts, conn.backoff = 0.2, 2, 0.01
        with pytest.raises(McpUnavailableError):
            await conn.call("slow", {"seconds": 1.0})
        conn.timeout = 5
        assert await conn.call("slow", {"seconds": 0}) == {"result": "done"}
    assert calls["slow"] == 3


async def test_one_connection_serves_concurrent_calls(wa: McpConnection, backend: SandboxBackend) -> None:
    port = WhatsAppTools(wa)
    ids = await asyncio.gather(*(port.send_text(PHONE, f"msg {n}") for n in range(10)))
    assert len(set(ids)) == 10 and len(backend.sent(PHONE)) == 10


async def test_remote_connection_survives_a_server_restart(backend: SandboxBackend) -> None:
    server = build_whatsapp_server(backend)
    first = BackgroundHttpServer(server)
    await first.start()
    async with McpConnection.remote(first.url, timeout=5, backoff=0.05) as conn:
        await conn.call("markAsRead", {"message_id": "m1"})
        await first.stop()
        with pytest.raises(McpUnavailableError):
            await conn.call("markAsRead", {"message_id": "m2"})
        second = BackgroundHttpServer(server, port=first.port)
        await second.start()
        try:
            assert await conn.call("markAsRead", {"message_id": "m3"}) == {"ok": True}
        finally:
            await second.stop()
    assert backend.read_receipts() == ["m1", "m3"]


async def test_http_health_and_allowed_hosts(backend: SandboxBackend) -> None:
    server = build_whatsapp_server(backend)
    async with running_mcp_http(server, allowed_hosts=["whatsapp-mcp"]) as url:
        port = url.split(":")[-1].split("/")[0]
        async with httpx.AsyncClient() as http:
            health = await http.get(url.removesuffix("/mcp") + "/health")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
            ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
            headers = {"Accept": "application/json, text/event-stream"}
            allowed = await http.post(url, json=ping, headers=headers | {"Host": f"whatsapp-mcp:{port}"})
            denied = await http.post(url, json=ping, headers=headers | {"Host": "evil.example"})
        assert allowed.status_code != 421
        assert denied.status_code == 421
        # An independent plain client session agrees with ours.
        async with mcp.Client(url) as raw:
            assert len((await raw.list_tools()).tools) == 6  # text, buttons, list, template, media, read
