"""`silvia health`, `silvia alerts test`, `silvia report daily`, `silvia lead pause|resume`.

cli/main.py mounts these: `ops_app` at the top level (health, alerts, report) and the two takeover
commands on the `lead` group. Other rooms add their reports to `report_app`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from agent.phones import normalise_phone
from ops.alerts import evaluate, status_of
from settings import Settings, get_settings

ops_app = typer.Typer(help="Watch Sílvia: health, alerts, reports.")
alerts_app = typer.Typer(help="Slack alerts (SLACK_WEBHOOK_URL).", no_args_is_help=True)
report_app = typer.Typer(help="Reports on what Sílvia did.", no_args_is_help=True)
ops_app.add_typer(alerts_app, name="alerts")
ops_app.add_typer(report_app, name="report")

T = TypeVar("T")
EXIT_BY_STATUS = {"healthy": 0, "degraded": 1, "critical": 2}


def _business_database(settings: Settings) -> Any:
    from wiring import open_business_database  # imported late: the CLI starts fast

    return open_business_database(settings)


def _run(work: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(work())


def _probe_connections(settings: Settings) -> dict[str, Any]:
    """Connections for probing only: remote servers are asked for /health without connecting
    (a server that is down must show up as a failed check, not stop the command)."""
    from tools.client import McpConnection
    from tools.serena_server import build_serena_server
    from tools.whatsapp_server import SandboxBackend, build_whatsapp_server

    return {
        "whatsapp": McpConnection.remote(settings.whatsapp_mcp_url)
        if settings.whatsapp_mcp_url
        else McpConnection.inprocess(build_whatsapp_server(SandboxBackend(settings.media_dir))),
        "serena": McpConnection.remote(settings.serena_mcp_url)
        if settings.serena_mcp_url
        else McpConnection.inprocess(build_serena_server()),
    }


@ops_app.command()
def health(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Run every health check now and print the status (exit 0 healthy, 1 degraded, 2 critical)."""
    from agent.context import utc_now
    from ops.health import measure
    from storage.health_log import HealthLogRepository

    settings = get_settings()

    async def main() -> dict[str, Any]:
        connections = _probe_connections(settings)
        try:
            async with _business_database(settings) as sessions:
                snapshot = await measure(settings, sessions, connections, utc_now())
                last = await HealthLogRepository(sessions).last() if snapshot.database else None
        finally:
            for connection in connections.values():
                await connection.close()
        results = evaluate(snapshot)
        failing = [r.name for r in results if not r.ok]
        return {
            "status": status_of(failing),
            "checks": [{"name": r.name, "ok": r.ok, "detail": r.detail} for r in results],
            "mcp_errors": snapshot.mcp_errors,
            "last_scheduled": {k: (last or {}).get(k) for k in ("status", "at", "firing")} if last else None,
        }

    result = _run(main)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"status: {result['status']}")
        for check in result["checks"]:
            typer.echo(f"  {'ok  ' if check['ok'] else 'FAIL'} {check['name']:<14} {check['detail']}")
        if result["last_scheduled"]:
            last = result["last_scheduled"]
            typer.echo(
                f"last scheduled check: {last['status']} at {last['at']} (firing: {last['firing'] or 'none'})"
            )
    raise typer.Exit(EXIT_BY_STATUS[result["status"]])


@alerts_app.command("test")
def alerts_test() -> None:
    """Send a test alert to SLACK_WEBHOOK_URL."""
    from agent.context import utc_now
    from ops.slack import SlackNotifier, alert_test_payload

    settings = get_settings()
    if not settings.slack_webhook_url:
        typer.echo("SLACK_WEBHOOK_URL is not set.", err=True)
        raise typer.Exit(2)
    sent = _run(
        lambda: SlackNotifier(settings.slack_webhook_url).post(
            alert_test_payload(utc_now(), settings.timezone)
        )
    )
    typer.echo("test alert sent" if sent else "Slack did not accept the test alert (see the log above)")
    raise typer.Exit(0 if sent else 1)


@report_app.command("daily")
def report_daily(
    day: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default: today in SILVIA_TIMEZONE)")
    ] = None,
    post: Annotated[
        bool, typer.Option("--post/--no-post", help="Post to Slack when SLACK_WEBHOOK_URL is set")
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Directory for the HTML page (default: DATA_DIR/reports)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """The daily report for one day: printed, written as HTML with charts, posted to Slack."""
    from agent.context import utc_now
    from ops.report import build_daily_report
    from ops.report_html import daily_report_payload, write_daily_html
    from ops.slack import SlackNotifier

    settings = get_settings()
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {day}", param_hint="--date") from exc

    async def main() -> tuple[Any, Path, bool]:
        from zoneinfo import ZoneInfo

        target = when or utc_now().astimezone(ZoneInfo(settings.timezone)).date()
        async with _business_database(settings) as sessions:
            report = await build_daily_report(sessions, target, settings.timezone)
        path = write_daily_html(report, out or settings.data_dir / "reports")
        notifier = SlackNotifier(settings.slack_webhook_url)
        posted = await notifier.post(daily_report_payload(report)) if post and notifier.enabled else False
        return report, path, posted

    report, path, posted = _run(main)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_report(report)
    typer.echo(f"HTML: {path}" + (" · posted to Slack" if posted else ""))


def _print_report(report: Any) -> None:
    lat = report.latency
    typer.echo(f"Daily report {report.day.isoformat()} ({report.timezone})")
    typer.echo(
        f"  new leads {report.new_leads} · active {report.active_leads} · qualified {report.qualified}"
        f" · registered {report.registered} · handed off {report.handed_off} · opt-outs {report.opt_outs}"
    )
    avg, p95, hit = lat.get("avg_ms"), lat.get("p95_ms"), lat.get("cache_hit_rate")
    typer.echo(
        f"  response time avg {avg or 0:.0f} ms · p95 {p95 or 0:.0f} ms · cache hit rate {(hit or 0):.1%}"
        f" · LLM cost US$ {report.llm_cost_usd:.4f}"
    )
    typer.echo("  funnel: " + " → ".join(f"{k} {v}" for k, v in report.funnel.items()))
    typer.echo("  leads per stage: " + ", ".join(f"{k} {v}" for k, v in report.leads_per_stage.items()))
    typer.echo("  top intents: " + (", ".join(f"{k} {v}" for k, v in report.top_intents) or "—"))
    typer.echo("  objections: " + (", ".join(f"{k} {v}" for k, v in report.top_objections) or "—"))
    typer.echo(
        "  follow-ups: "
        + (", ".join(f"{k} {v['answered']}/{v['sent']} answered" for k, v in report.followups.items()) or "—")
    )


PhoneArg = Annotated[str, typer.Argument(help="The lead's phone, E.164 (+5581999990001)")]


def _takeover(phone: str, action: str, by: str, reason: str) -> dict[str, Any]:
    from storage.takeover import LeadNotFoundError, TakeoverRepository

    try:
        phone = normalise_phone(phone)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def main() -> dict[str, Any]:
        async with _business_database(get_settings()) as sessions:
            store = TakeoverRepository(sessions)
            if action == "pause":
                return await store.pause(phone, by=by, reason=reason)
            return await store.resume(phone, by=by)

    try:
        return _run(main)
    except LeadNotFoundError:
        typer.echo(f"No lead with phone {phone}.", err=True)
        raise typer.Exit(1) from None


def pause_lead(
    phone: PhoneArg,
    by: Annotated[str, typer.Option(help="Who takes over")] = "cli",
    reason: Annotated[str, typer.Option(help="Why (shown on the dashboard)")] = "",
) -> None:
    """A specialist takes over: Sílvia stays silent for this lead (their messages are recorded)."""
    entry = _takeover(phone, "pause", by, reason)
    typer.echo(f"{phone}: paused by {entry['by']} since {entry['since']}")


def resume_lead(phone: PhoneArg, by: Annotated[str, typer.Option(help="Who hands back")] = "cli") -> None:
    """Hand the lead back to Sílvia."""
    entry = _takeover(phone, "resume", by, "")
    typer.echo(f"{phone}: Sílvia is back (resumed by {entry['by']})")
