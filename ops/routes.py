"""HTTP for the team: `/metrics` (Prometheus), `/dashboard` (sales team), `/admin/...` (takeover).

Mounted by the app factory (`api/app.py`) with one `include_router`. `/metrics` is open, as
Prometheus scrapers expect; everything else needs the dashboard credentials (`ops.auth`).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from agent.phones import normalise_phone
from ops.auth import COOKIE, metrics_access, operator
from ops.charts import bar_chart, funnel_chart
from ops.dashboard import summary
from ops.inbox_stats import inbox_stats
from ops.kpi_view import trend_chart
from ops.metrics import CONTENT_TYPE, exposition
from ops.observe import refresh_gauges, refresh_inbox_gauges
from ops.outcomes import OUTCOMES, OutcomeReport, report_outcome
from ops.outcomes import LeadNotFoundError as NoLeadError
from ops.report import build_daily_report
from ops.report_html import STAGE_LABELS, TEMPLATES, local_time, ms, pct, render_daily_html
from ops.responses import error_responses
from ops.service import Ops
from storage.outcomes import OutcomeConflictError
from storage.satisfaction import RatingRepository
from storage.takeover import LeadNotFoundError

router = APIRouter(tags=["ops"], responses=error_responses(401, 503))
PHONE_ERRORS = error_responses(
    400, 404, e400="Not a phone number (10-15 digits, E.164)", e404="No lead with this phone"
)
# A state-changing request authenticated by cookie or basic auth needs the CSRF header (ops.auth).
POST_ERRORS = error_responses(403, e403="Cross-site request refused (CSRF header or Origin)")


class OpsHost(Protocol):
    """What an app mounting this router keeps in `app.state.services` (`api.services.Services`).

    Declared here, not imported, so that ops never depends on the api room above it."""

    ops: Ops
    inbox: Any  # the webhook inbox, for its depth and age (ops.inbox_stats)
    heartbeats: Any  # the inbox workers' heartbeats (silvia_inbox_workers_alive)


def get_host(request: Request) -> OpsHost:
    host: OpsHost | None = getattr(request.app.state, "services", None)
    if host is None:  # only between process start and the end of the app's start-up
        raise HTTPException(status_code=503, detail="Sílvia is starting")
    return host


HostDep = Annotated[OpsHost, Depends(get_host)]


def get_ops(host: HostDep) -> Ops:
    return host.ops


OpsDep = Annotated[Ops, Depends(get_ops)]


def require_operator(request: Request, ops: OpsDep) -> str:
    return operator(request, ops.settings)


OperatorDep = Annotated[str, Depends(require_operator)]


def valid_phone(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


_gauges_lock = asyncio.Lock()
_gauges_at: dict[int, float] = {}  # per Ops instance: when its gauges were last read


async def _refresh_gauges(host: OpsHost, ops: Ops) -> None:
    """Read the storage-backed gauges at most every SILVIA_METRICS_REFRESH seconds: scrapers,
    however many, cost the database one round of queries per interval."""
    async with _gauges_lock:
        if time.monotonic() - _gauges_at.get(id(ops), -1e9) < ops.settings.metrics_refresh_seconds:
            return
        paused = await ops.takeover.paused_leads()
        await refresh_gauges(ops.activity, lambda: inbox_stats(host.inbox), paused=len(paused))
        await refresh_inbox_gauges(host.inbox, host.heartbeats)
        _gauges_at[id(ops)] = time.monotonic()


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses=error_responses(403, e403="SILVIA_METRICS_TOKEN is not set in a deployment"),
)
async def metrics(request: Request, host: HostDep, ops: OpsDep) -> Response:
    """Prometheus text format. `Authorization: Bearer $SILVIA_METRICS_TOKEN` when it is set; open
    without it on the embedded default only. Gauges from storage are refreshed on an interval."""
    metrics_access(request, ops.settings)
    await _refresh_gauges(host, ops)
    return Response(exposition(), media_type=CONTENT_TYPE)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, ops: OpsDep, user: OperatorDep) -> HTMLResponse:
    data = await summary(ops.sessions, ops.clock(), ops.settings.timezone, await ops.takeover.paused_leads())
    layers = data["latency_today"]["layers"]
    charts = {
        "funnel": funnel_chart({STAGE_LABELS.get(k, k): v for k, v in data["funnel"].items()}, title="Funil"),
        "latency": bar_chart(
            [(layer, round(v["avg_ms"], 1)) for layer, v in layers.items()],
            title="Tempo médio por camada (hoje)",
            unit=" ms",
        ),
        "stages": bar_chart(
            [(STAGE_LABELS.get(k, k), float(v)) for k, v in data["stages"].items() if v],
            title="Leads por etapa",
        ),
    }
    html = TEMPLATES.get_template("dashboard.html").render(
        d=data,
        charts=charts,
        user=user,
        ms=ms,
        pct=pct,
        stage_labels=STAGE_LABELS,
        trend=trend_chart,
        outcomes=OUTCOMES,
        when=lambda value: local_time(value, ops.settings.timezone),
    )
    response = HTMLResponse(html)
    if request.query_params.get("token"):  # keep the token in a cookie, out of later URLs
        response.set_cookie(
            COOKIE, request.query_params["token"], secure=True, httponly=True, samesite="strict"
        )
    return response


@router.get("/dashboard/api/summary")
async def dashboard_summary(ops: OpsDep, _: OperatorDep) -> dict[str, Any]:
    data = await summary(ops.sessions, ops.clock(), ops.settings.timezone, await ops.takeover.paused_leads())
    return jsonable_encoder(data)


@router.get("/dashboard/api/leads/{phone}/transcript", responses=PHONE_ERRORS)
async def lead_transcript(phone: str, ops: OpsDep, _: OperatorDep) -> dict[str, Any]:
    phone = valid_phone(phone)
    messages = await ops.activity.transcript(phone)
    if not messages and await ops.silvia.leads.get_lead(phone) is None:
        raise HTTPException(404, f"No lead with phone {phone}")
    takeover = await ops.takeover.get(phone) or {}
    rating = await RatingRepository(ops.sessions).get(phone)
    return jsonable_encoder(
        {
            "phone": phone,
            "paused": bool(takeover.get("paused")),
            "takeover": takeover,
            "messages": messages,
            "outcomes": await ops.outcomes.for_lead(phone),
            "rating": rating.model_dump() if rating else None,
        }
    )


@router.get(
    "/dashboard/reports/{day}",
    response_class=HTMLResponse,
    responses=error_responses(400, e400="Not a date (YYYY-MM-DD)"),
)
async def daily_report_page(day: str, ops: OpsDep, _: OperatorDep) -> HTMLResponse:
    try:
        when = date.fromisoformat(day)
    except ValueError as exc:
        raise HTTPException(400, f"Not a date (YYYY-MM-DD): {day[:20]!r}") from exc
    return HTMLResponse(
        render_daily_html(await build_daily_report(ops.sessions, when, ops.settings.timezone))
    )


class TakeoverRequest(BaseModel):
    by: str | None = Field(default=None, max_length=100, description="Who takes over (default: the operator)")
    reason: str = Field(default="", max_length=500)


@router.post("/admin/leads/{phone}/pause", responses=PHONE_ERRORS | POST_ERRORS)
async def pause_lead(
    phone: str, ops: OpsDep, user: OperatorDep, body: Annotated[TakeoverRequest | None, Body()] = None
) -> dict[str, Any]:
    """A specialist takes over: Sílvia stays silent for this lead and records their messages."""
    phone = valid_phone(phone)
    body = body or TakeoverRequest()
    try:
        entry = await ops.takeover.pause(phone, by=body.by or user, reason=body.reason)
    except LeadNotFoundError as exc:
        raise HTTPException(404, f"No lead with phone {phone}") from exc
    await ops.silvia.leads.log("INFO", "takeover_paused", phone=phone, details={"by": entry["by"]})
    return {"phone": phone, **entry}


@router.post("/admin/leads/{phone}/resume", responses=PHONE_ERRORS | POST_ERRORS)
async def resume_lead(
    phone: str, ops: OpsDep, user: OperatorDep, body: Annotated[TakeoverRequest | None, Body()] = None
) -> dict[str, Any]:
    """The specialist hands the lead back to Sílvia."""
    phone = valid_phone(phone)
    body = body or TakeoverRequest()
    try:
        entry = await ops.takeover.resume(phone, by=body.by or user)
    except LeadNotFoundError as exc:
        raise HTTPException(404, f"No lead with phone {phone}") from exc
    await ops.silvia.leads.log("INFO", "takeover_resumed", phone=phone, details={"by": entry["by"]})
    return {"phone": phone, **entry}


@router.post(
    "/admin/leads/{phone}/outcome",
    status_code=201,
    responses={
        200: {"description": "Already reported: nothing changed"},
        **PHONE_ERRORS,
        **POST_ERRORS,
        **error_responses(409, 422, e409="Contradicts a stored outcome"),
    },
)
async def lead_outcome(phone: str, report: OutcomeReport, ops: OpsDep, user: OperatorDep) -> JSONResponse:
    """The sales team reports what happened after the handoff (idempotent: the same report twice
    stores one row and answers 200 the second time)."""
    phone = valid_phone(phone)
    try:
        stored, created = await report_outcome(
            ops.silvia.leads, ops.outcomes, phone, report, user, ops.clock()
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    except NoLeadError as exc:
        raise HTTPException(404, f"No lead with phone {phone}") from exc
    except OutcomeConflictError as exc:
        raise HTTPException(409, {"reason": str(exc), "stored": jsonable_encoder(exc.existing)}) from exc
    body = jsonable_encoder({**stored, "created": created})
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/admin/leads/{phone}/outcomes", responses=PHONE_ERRORS)
async def lead_outcomes(phone: str, ops: OpsDep, _: OperatorDep) -> dict[str, Any]:
    phone = valid_phone(phone)
    return jsonable_encoder({"phone": phone, "outcomes": await ops.outcomes.for_lead(phone)})


@router.get("/admin/health")
async def health_status(ops: OpsDep, _: OperatorDep) -> dict[str, Any]:
    """The last stored health check (the 5-minute job writes one per run)."""
    return jsonable_encoder(await ops.monitor.log.last() or {"status": "unknown"})


@router.post("/admin/health/check", responses=POST_ERRORS)
async def health_check_now(ops: OpsDep, _: OperatorDep) -> dict[str, Any]:
    """Run the health check now (stored and alerted like a scheduled run)."""
    return jsonable_encoder(await ops.monitor.run_once())
