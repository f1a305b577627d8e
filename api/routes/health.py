"""Liveness (`/health`) and readiness (`/ready`: database, Redis, both MCP servers, the inbox)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Response

from api.schemas import DependencyStatus, Health, Readiness
from api.services import Services, ServicesDep
from storage.redis.client import redis_from_url

router = APIRouter(tags=["health"])
PROBE_TIMEOUT = 3.0


@router.get("/health", response_model=Health)
async def health() -> Health:
    """The process is up (no dependency is checked)."""
    return Health()


async def _probe(check: Callable[[], Awaitable[Any]]) -> DependencyStatus:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(check(), PROBE_TIMEOUT)
    except Exception as exc:
        return DependencyStatus(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])
    return DependencyStatus(
        ok=True, detail=str(detail or ""), latency_ms=round((time.perf_counter() - started) * 1000, 2)
    )


async def _database(services: Services) -> str:
    async with services.engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return services.engine.dialect.name


async def _redis(url: str) -> str:
    client = redis_from_url(url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()
    return "pong"


async def _mcp(port: Any) -> str:
    connection = port.connection
    tools = await connection.list_tools()
    return f"{len(tools)} tools ({'remote' if connection.is_remote else 'in-process'})"


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(services: ServicesDep, response: Response) -> Readiness:
    """Every dependency with its status; 503 when any of them is down."""
    deps = services.silvia.deps
    checks: dict[str, Callable[[], Awaitable[Any]]] = {
        "database": lambda: _database(services),
        "whatsapp_mcp": lambda: _mcp(deps.whatsapp),
        "serena_mcp": lambda: _mcp(deps.serena),
        "inbox": services.inbox.ping,
    }
    if services.settings.redis_url:
        checks["redis"] = lambda: _redis(services.settings.redis_url)
    names = list(checks)
    results = await asyncio.gather(*(_probe(checks[n]) for n in names))
    statuses = dict(zip(names, results, strict=True))
    counts: dict[str, int] = {}
    if statuses["inbox"].ok:
        counts = await services.inbox.counts()
    is_ready = all(s.ok for s in statuses.values())
    if not is_ready:
        response.status_code = 503
    return Readiness(ready=is_ready, dependencies=statuses, inbox=counts)
