"""The FastAPI app: webhooks, chat, health; the inbox worker and other jobs run in its lifespan.

`create_app(settings)` builds it; `silvia serve` runs it with uvicorn. The lifespan opens
Sílvia (`wiring.open_silvia`), the inbox, the lead locks and the status store, starts the
background services (`api.background`), and on shutdown stops them, letting in-flight turns
finish, before closing everything.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from time import perf_counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.background import BackgroundService, background_services
from api.body_limit import BodyLimit
from api.heartbeats import build_heartbeats
from api.routes import chat as routes_chat
from api.routes import health as routes_health
from api.routes import webhook as routes_webhook
from api.services import Services
from ops import routes as ops_routes
from ops import tracing
from ops.service import Ops
from settings import Settings, get_settings
from storage.db import create_engine
from storage.delivery_statuses import DeliveryStatusRepository
from storage.inbox import SqlInbox, build_inbox
from storage.locks import build_lead_locks
from wiring import open_silvia

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 30.0


async def _stop_all(services: Services) -> None:
    services.stop.set()
    tasks = list(services.tasks.values())
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
    for task in pending:  # a turn that will not finish: the inbox hands it out again later
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _close(*closers: object) -> None:
    for closer in closers:
        close = getattr(closer, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:
                log.exception("closing %s failed", type(closer).__name__)


async def warm_up_bill_reader(reader: object) -> None:
    """Load the OCR models while the service starts (in a thread: the event loop keeps serving),
    so the first lead's photo is not the one that pays ~1-2 s for it."""
    warm_up = getattr(reader, "warm_up", None)
    if not callable(warm_up):
        return
    started = perf_counter()
    try:
        await asyncio.to_thread(warm_up)
    except Exception:  # a reader that cannot warm up still reads PDFs; photos will say what fails
        log.exception("the bill reader could not warm up")
        return
    log.info("bill reader warmed up in %.1f s", perf_counter() - started)


def _lifespan(
    settings: Settings, jobs: Mapping[str, BackgroundService], clock: Callable[[], datetime] | None
) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_silvia(settings, clock=clock) as silvia:
            warming = asyncio.create_task(warm_up_bill_reader(silvia.deps.bills), name="ocr-warm-up")
            engine = create_engine(settings.effective_database_url)
            inbox, locks = build_inbox(settings), build_lead_locks(settings)
            if isinstance(inbox, SqlInbox):
                recovered = await inbox.recover()
                if recovered:
                    log.warning(
                        "%d inbox message(s) left half-done by a previous run will be retried", recovered
                    )
            heartbeats = build_heartbeats(settings.redis_url, settings.redis_prefix)
            ops = Ops(settings, silvia)
            ops.monitor.inbox = inbox  # parked messages are an alert
            services = Services(
                settings, silvia, inbox, locks, DeliveryStatusRepository(engine), engine, ops, heartbeats
            )
            for name, job in jobs.items():
                services.tasks[name] = asyncio.create_task(job(services, services.stop), name=name)
            app.state.services = services
            log.info("Sílvia is serving (background: %s)", ", ".join(jobs) or "none")
            try:
                yield
            finally:
                app.state.services = None
                await _stop_all(services)
                await warming
                await _close(inbox, locks, heartbeats)
                await engine.dispose()
                tracing.flush_traces()

    return lifespan


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    problems = [f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in errors[:10]]
    return JSONResponse(status_code=422, content={"detail": problems or str(exc)})


# What `_validation_error` answers, in place of FastAPI's default 422 schema (a list of objects).
VALIDATION_ERROR_SCHEMA = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
            "description": "One line per problem: the field's path and what is wrong with it",
        }
    },
}


def _documented_422(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi` with the 422 body this app really sends (tests/test_openapi_fuzz.py)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = generate().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
                schemas.pop("ValidationError", None)  # only the default schema used it
        return app.openapi_schema or generate()

    return openapi


def chat_body_limit(settings: Settings) -> int:
    """A /v1/chat body: a bill of SILVIA_MAX_BILL_BYTES in base64 (4/3) plus the JSON around it."""
    return settings.max_bill_bytes * 4 // 3 + 64 * 1024


# FastAPI >= 0.16x traces requests by itself once an OTel provider exists, query strings included
# (Meta's verify token): the request span is ops/tracing.RequestSpans' instead.
_NO_NATIVE_TRACING: dict[str, Any] = (
    {"telemetry": {"tracing": False}} if "telemetry" in inspect.signature(FastAPI).parameters else {}
)


def create_app(
    settings: Settings | None = None,
    *,
    jobs: Mapping[str, BackgroundService] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The app for `settings` (the environment when omitted), running `jobs` in the background.

    `clock` replaces the wall clock of the conversation (tests and demos pin business hours).
    """
    settings = settings or get_settings()
    jobs = background_services() if jobs is None else jobs
    app = FastAPI(
        title="Sílvia",
        summary="Serena Energia's WhatsApp pre-sales agent: webhooks, chat and health.",
        version="0.1.0",
        lifespan=_lifespan(settings, jobs, clock),
        **_NO_NATIVE_TRACING,
    )
    app.state.settings = settings
    app.state.services = None
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.openapi = _documented_422(app)  # type: ignore[method-assign]
    app.add_middleware(BodyLimit, limits={"/v1/chat": chat_body_limit(settings)})
    if tracing.configure_tracing(settings.trace_message_text):  # OTEL_EXPORTER_OTLP_ENDPOINT set
        app.add_middleware(tracing.RequestSpans)
    for module in (routes_webhook, routes_chat, routes_health):
        app.include_router(module.router)
    app.include_router(ops_routes.router)  # /metrics, /dashboard, /admin (ops/routes.py)
    return app
