"""Long-running jobs the app starts in its lifespan and stops (gracefully) on shutdown.

Each is `async def job(services, stop)`: run until `stop` is set. The inbox worker is one;
the follow-up scheduler adds itself to `background_services` with one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from api.scheduler import followup_service
from api.services import Services
from api.worker import build_worker
from ops.service import ops_service

BackgroundService = Callable[[Services, asyncio.Event], Awaitable[None]]


async def inbox_worker(services: Services, stop: asyncio.Event) -> None:
    await build_worker(
        services.settings,
        services.silvia,
        services.inbox,
        services.locks,
        services.statuses,
        services.heartbeats,
    ).run(stop)


def background_services(*, worker: bool = True) -> dict[str, BackgroundService]:
    """What `silvia serve` runs beside the HTTP server, by name (shown in the logs)."""
    services: dict[str, BackgroundService] = {}
    if worker:
        services["inbox-worker"] = inbox_worker
    services["followups"] = followup_service  # passes 09/14/18 + bill reminders (api/scheduler.py)
    services["ops"] = ops_service  # health checks every 5 min, daily report at 18:00 (ops/service.py)
    return services
