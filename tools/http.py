"""Serving an MCP server over streamable HTTP: the `silvia mcp ...` process and test helpers.

The MCP endpoint is `/mcp`; `/health` answers `{"status": "ok"}` for probes. The SDK only
allows localhost Host headers when it guards against DNS rebinding, so the bound host (and any
extra names the server is reached by) is allowed explicitly; otherwise requests get 421.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import weakref
from collections.abc import AsyncIterator, Sequence

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")

# custom_route appends on every call; remember which servers already have /health.
_with_health: weakref.WeakSet[MCPServer] = weakref.WeakSet()


async def _health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _ensure_health_route(server: MCPServer) -> None:
    if server in _with_health:
        return
    server.custom_route(HEALTH_PATH, methods=["GET"], include_in_schema=False)(_health)
    _with_health.add(server)


def transport_security_for(host: str, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """Allow localhost, the bound host and `allowed_hosts` (bare names get any port).

    A wildcard bind with no explicit names cannot know which Host header peers will use
    (container/service names), so rebinding protection is off there, as the SDK does for
    any non-localhost bind.
    """
    names = [h for h in (host, *allowed_hosts) if h and h not in _WILDCARD_HOSTS]
    if host in _WILDCARD_HOSTS and not allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts: list[str] = []
    origins: list[str] = []
    for name in dict.fromkeys([*_LOCAL_HOSTS, *names]):
        if ":" in name and not name.startswith("["):
            hosts.append(name)  # already host:port
            origins.append(f"http://{name}")
            continue
        hosts += [name, f"{name}:*"]
        origins += [f"http://{name}", f"http://{name}:*", f"https://{name}", f"https://{name}:*"]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def build_http_app(
    server: MCPServer, host: str = "127.0.0.1", allowed_hosts: Sequence[str] = ()
) -> Starlette:
    """A fresh Starlette app (each call builds a new session manager, so restarts work)."""
    _ensure_health_route(server)
    return server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security_for(host, allowed_hosts),
        host=host,
    )


def serve_mcp_http(
    server: MCPServer,
    host: str,
    port: int,
    *,
    allowed_hosts: Sequence[str] = (),
    log_level: str = "warning",
) -> None:
    """Run the server over streamable HTTP until interrupted (blocking)."""
    app = build_http_app(server, host, allowed_hosts)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class BackgroundHttpServer:
    """uvicorn in a daemon thread with its own event loop, so the caller's loop stays free."""

    def __init__(
        self,
        server: MCPServer,
        port: int | None = None,
        host: str = "127.0.0.1",
        allowed_hosts: Sequence[str] = (),
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        app = build_http_app(server, host, allowed_hosts)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="on")
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uvicorn.run, name=f"mcp-http-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{MCP_PATH}"

    async def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or loop.time() > deadline:
                raise RuntimeError(f"MCP HTTP server did not start on port {self.port}")
            await asyncio.sleep(0.01)

    async def stop(self, timeout: float = 10.0) -> None:
        self._uvicorn.should_exit = True
        await asyncio.to_thread(self._thread.join, timeout)


@contextlib.asynccontextmanager
async def running_mcp_http(
    server: MCPServer, port: int | None = None, allowed_hosts: Sequence[str] = ()
) -> AsyncIterator[str]:
    """Serve `server` on a free loopback port for the duration; yields the `/mcp` URL."""
    background = BackgroundHttpServer(server, port, allowed_hosts=allowed_hosts)
    await background.start()
    try:
        yield background.url
    finally:
        await background.stop()
