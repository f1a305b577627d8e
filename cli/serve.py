"""`silvia serve` (the webhook service, with the inbox worker in-process) and `silvia worker`."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Annotated

import typer
from fastapi import FastAPI

from api.startup_checks import BIND_HOST_ENV, InsecureStartError, check_secure_start
from settings import get_settings

serve_app = typer.Typer(help="The webhook service and its inbox workers.")

WORKER_ENV = "SILVIA_SERVE_WORKER"  # "0": this serve process only takes webhooks


def _logging(level: str) -> None:
    from ops.logs import configure_logging

    configure_logging(level.upper())  # JSON lines, trace id per turn, phones hashed (ops/logs.py)


def app_from_env() -> FastAPI:
    """The uvicorn factory: one app per HTTP worker process, settings from the environment."""
    from api.app import create_app
    from api.background import background_services

    settings = get_settings()
    check_secure_start(settings, os.environ.get(BIND_HOST_ENV))  # also when uvicorn is run by hand
    return create_app(settings, jobs=background_services(worker=os.environ.get(WORKER_ENV, "1") != "0"))


@serve_app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="HTTP worker processes (more than 1 needs REDIS_URL)")] = 1,
    inbox_worker: Annotated[
        bool, typer.Option("--inbox-worker/--no-inbox-worker", help="Process the inbox in this process too")
    ] = True,
    log_level: Annotated[str, typer.Option(help="debug, info, warning…")] = "info",
) -> None:
    """Serve the webhooks, /v1/chat, /health, /ready and /docs; the inbox worker runs alongside."""
    import uvicorn

    from ops.logs import uvicorn_log_config

    os.environ[BIND_HOST_ENV] = host  # read by this process's settings and its uvicorn workers'
    get_settings.cache_clear()
    settings = get_settings()
    try:
        check_secure_start(settings, host)
    except InsecureStartError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    if workers > 1 and not settings.redis_url:
        typer.echo("More than one process needs REDIS_URL (the shared inbox and lead locks).", err=True)
        raise typer.Exit(2)
    _logging(log_level)
    os.environ[WORKER_ENV] = "1" if inbox_worker else "0"
    typer.echo(f"Sílvia at http://{host}:{port} (docs at /docs, webhook at /webhook/whatsapp)")
    uvicorn.run(
        "cli.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=35,
        # uvicorn kills a child that misses its 5 s health ping; one still importing on a
        # loaded machine is slow, not hung (observed: `--workers 2` never came up at load 15).
        timeout_worker_healthcheck=60,
        log_config=uvicorn_log_config(log_level),  # access/error logs scrubbed like ours (ops/logs.py)
    )


@serve_app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Turns in flight at once")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning…")] = "info",
) -> None:
    """A separate inbox worker process (needs REDIS_URL; run as many as you like)."""
    settings = get_settings()
    if not settings.redis_url:
        typer.echo(
            "`silvia worker` needs REDIS_URL; on the embedded default `silvia serve` runs the worker.",
            err=True,
        )
        raise typer.Exit(2)
    _logging(log_level)
    asyncio.run(_run_worker(concurrency or settings.inbox_concurrency))


async def _run_worker(concurrency: int) -> None:
    from api.heartbeats import build_heartbeats
    from api.worker import build_worker
    from ops.tracing import configure_tracing, flush_traces
    from storage.db import create_engine
    from storage.delivery_statuses import DeliveryStatusRepository
    from storage.inbox import build_inbox
    from storage.locks import build_lead_locks
    from wiring import open_silvia

    settings = get_settings()
    configure_tracing(settings.trace_message_text)  # on when OTEL_EXPORTER_OTLP_ENDPOINT is set
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_silvia(settings) as silvia:
        engine = create_engine(settings.effective_database_url)
        inbox, locks = build_inbox(settings), build_lead_locks(settings)
        heartbeats = build_heartbeats(settings.redis_url, settings.redis_prefix)
        try:
            statuses = DeliveryStatusRepository(engine)
            worker = build_worker(settings, silvia, inbox, locks, statuses, heartbeats, concurrency)
            await worker.run(stop)
        finally:
            for closer in (inbox, locks, heartbeats):
                await closer.aclose()
            await engine.dispose()
            flush_traces()
