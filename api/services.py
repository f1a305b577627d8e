"""What the running app holds (built once in the lifespan) and the FastAPI dependencies to reach it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.heartbeats import Heartbeats
from ops.service import Ops
from settings import Settings
from storage.db import Engine
from storage.delivery_statuses import DeliveryStatusRepository
from storage.inbox import Inbox
from storage.locks import LeadLocks
from wiring import Silvia


@dataclass
class Services:
    settings: Settings
    silvia: Silvia
    inbox: Inbox
    locks: LeadLocks
    statuses: DeliveryStatusRepository
    engine: Engine
    ops: Ops  # shared by the ops background jobs and the ops routes (/metrics, /dashboard, /admin)
    heartbeats: Heartbeats = field(default_factory=Heartbeats)  # the inbox workers' (api/heartbeats.py)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)


def get_services(request: Request) -> Services:
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:  # only between process start and the end of the lifespan start-up
        raise HTTPException(status_code=503, detail="Sílvia is starting")
    return services


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
