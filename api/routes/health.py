"""Liveness (`/health`) and readiness (`/ready`: database, Redis, both MCP servers, the inbox)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Response

from api.schemas import DependencyStatus, Health, Readiness, WorkerBeat
from api.services import Services, ServicesDep
from storage.db import ping as ping_database
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


async def _workers(services: Services) -> str:
    """At least one inbox worker beat lately (when workers are expected at all)."""
    alive = await services.heartbeats.alive()
    if not alive:
        raise RuntimeError("no inbox worker has sent a heartbeat lately: start `silvia worker`")
    return f"{len(alive)} alive"


def _workers_expected(services: Services) -> bool:
    return services.heartbeats.redis is not None or "inbox-worker" in services.tasks


def attention(counts: dict[str, int]) -> list[str]:
    """Lines for a person: entries parked, or waiting on a retry (a dependency is away)."""
    lines = []
    if counts.get("failed"):
        lines.append(f"{counts['failed']} message(s) parked: a person must answer them (silvia inbox list)")
    if counts.get("waiting"):
        why = "a dependency is away, or a burst is being typed"
        lines.append(f"{counts['waiting']} message(s) waiting to be retried ({why})")
    return lines


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(services: ServicesDep, response: Response) -> Readiness:
    """Every dependency with its status, the inbox workers alive, what needs a person;
    503 when a dependency (or every inbox worker) is down."""
    deps = services.silvia.deps
    checks: dict[str, Callable[[], Awaitable[Any]]] = {
        "database": lambda: ping_database(services.engine),
        "whatsapp_mcp": lambda: _mcp(deps.whatsapp),
        "serena_mcp": lambda: _mcp(deps.serena),
        "inbox": services.inbox.ping,
    }
    if services.settings.redis_url:
        checks["redis"] = lambda: _redis(services.settings.redis_url)
    if _workers_expected(services):
        checks["inbox_workers"] = lambda: _workers(services)
    names = list(checks)
    results = await asyncio.gather(*(_probe(checks[n]) for n in names))
    statuses = dict(zip(names, results, strict=True))
    counts: dict[str, int] = {}
    if statuses["inbox"].ok:
        counts = await services.inbox.counts()
    workers: list[dict[str, Any]] = []
    with contextlib.suppress(Exception):
        workers = await services.heartbeats.alive()
    is_ready = all(s.ok for s in statuses.values())
    if not is_ready:
        response.status_code = 503
    return Readiness(
        ready=is_ready,
        dependencies=statuses,
        inbox=counts,
        workers=[WorkerBeat.model_validate(w) for w in workers],
        attention=attention(counts),
    )
