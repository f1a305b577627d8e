"""`silvia report kpis`, `silvia lead outcome` and the KPI ranking of `silvia prompts metrics`."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from agent.phones import normalise_phone
from settings import get_settings


def _database() -> Any:
    from wiring import open_business_database  # imported late: the CLI starts fast

    return open_business_database(get_settings())


def _local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _day(raw: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {raw}", param_hint=option) from exc


async def kpi_report(since: date, until: date) -> Any:
    from ops.kpi_report import build_kpi_report

    async with _database() as sessions:
        return await build_kpi_report(sessions, since, until, get_settings().timezone)


def report_kpis(
    since: Annotated[str, typer.Option(help="First local day of the leads counted (YYYY-MM-DD)")],
    until: Annotated[str | None, typer.Option(help="Last local day (default: today)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    by: Annotated[str, typer.Option(help="Table rows: total, day, week or version")] = "total",
) -> None:
    """The seed's business KPIs against their targets, with n and 95 % intervals."""
    from ops.kpi_view import format_value
    from ops.kpis import KPIS

    first, last = _day(since, "--since"), _day(until, "--until") or _local_today()
    if first is None or first > last:
        raise typer.BadParameter(f"--since {since} is after --until {last}", param_hint="--since")
    if by not in ("total", "day", "week", "version"):
        raise typer.BadParameter("use total, day, week or version", param_hint="--by")
    report = asyncio.run(kpi_report(first, last))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    groups = {
        "total": [(f"{first}..{last}", report.overall)],
        "day": report.days,
        "week": report.weeks,
        "version": [(row["version"], row["kpis"]) for row in report.versions],
    }[by]
    typer.echo(f"{'KPI':<26} {'group':<24} {'value':>10} {'n':>5}  {'95% interval':<22} target")
    for kpi in KPIS:
        for group, values in groups:
            value = values.get(kpi.key)
            if value is None:
                continue
            interval = (
                f"{format_value(kpi, value.interval[0])} – {format_value(kpi, value.interval[1])}"
                if value.interval
                else "—"
            )
            mark = {None: " ", True: "✓", False: "✗"}[value.meets_target]
            typer.echo(
                f"{kpi.label:<26} {group:<24} {format_value(kpi, value.value):>10} {value.n:>5}  "
                f"{interval:<22} {kpi.seed} {mark}"
            )


def ranked_versions(days: int) -> list[dict[str, Any]]:
    """Prompt versions by conversion, then satisfaction, over the leads of the last `days`."""
    today = _local_today()
    report = asyncio.run(kpi_report(today - timedelta(days=days - 1), today))
    rows = []
    for rank, row in enumerate(report.versions, start=1):
        kpis = {
            key: {"value": v.value, "n": v.n, "interval": list(v.interval) if v.interval else None}
            for key, v in row["kpis"].items()
            if key
            in ("conversion_rate", "satisfaction", "qualification_rate", "lead_to_meeting", "response_rate")
        }
        rows.append({"version": row["version"], "rank": rank, "verdict": row["verdict"], **kpis})
    return rows


def lead_outcome(
    phone: Annotated[str, typer.Argument(help="The lead's phone, E.164 (+5581999990001)")],
    outcome: Annotated[
        str,
        typer.Argument(
            help="meeting_held|no_show|proposal_sent|contract_signed|lost (or: signed, meeting, proposal)"
        ),
    ],
    reason: Annotated[str | None, typer.Option(help="Why (required for lost)")] = None,
    note: Annotated[str | None, typer.Option(help="Free note for the team")] = None,
    by: Annotated[str, typer.Option(help="Who reports it")] = "cli",
    at: Annotated[str | None, typer.Option(help="When it happened (ISO with offset; default now)")] = None,
) -> None:
    """Record what the sales team achieved with a lead (idempotent; audited in sdr_logs)."""
    from pydantic import ValidationError

    from ops.outcomes import LeadNotFoundError, OutcomeReport, report_outcome
    from storage.outcomes import OutcomeConflictError, OutcomeRepository
    from storage.repositories import LeadRepository

    try:
        number = normalise_phone(phone)
        report = OutcomeReport(outcome=outcome, reason=reason, note=note, by=by, source="cli", occurred_at=at)
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(e["msg"] for e in exc.errors())) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def main() -> tuple[dict[str, Any], bool]:
        async with _database() as sessions:
            now = datetime.now(ZoneInfo("UTC"))
            return await report_outcome(
                LeadRepository(sessions), OutcomeRepository(sessions), number, report, by, now
            )

    try:
        stored, created = asyncio.run(main())
    except LeadNotFoundError:
        typer.echo(f"No lead with phone {number}.", err=True)
        raise typer.Exit(1) from None
    except OutcomeConflictError as exc:
        typer.echo(f"Refused: {exc}", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    when = stored["occurred_at"].isoformat(timespec="minutes")
    state = "recorded" if created else "already recorded (nothing changed)"
    typer.echo(f"{number}: {stored['outcome']} at {when} by {stored['reported_by']}: {state}")
