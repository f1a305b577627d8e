"""`silvia lead show|forget PHONE`: one lead's record, stage, history and graph state; erasure."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from agent.phones import normalise_phone
from settings import get_settings

lead_app = typer.Typer(help="Inspect or erase one lead (LGPD).", no_args_is_help=True)

PhoneArg = Annotated[str, typer.Argument(help="The lead's phone, E.164 (+5581999990001)")]


def _phone(raw: str) -> str:

    try:
        return normalise_phone(raw)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _run(work: Any) -> Any:
    """Open the stores for the configured settings (schema must be current) and run `work`."""
    from storage.lead_admin import LeadAdmin
    from wiring import prepare_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def main() -> Any:
        await prepare_database(settings)
        async with LeadAdmin.open(settings) as admin:
            return await work(admin)

    return asyncio.run(main())


@lead_app.command("show")
def show(
    phone: PhoneArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text")] = False,
    last: Annotated[int, typer.Option(help="How many interactions to show")] = 10,
) -> None:
    """Print the lead's record, stage, last interactions and current graph state."""
    number = _phone(phone)
    report = _run(lambda admin: admin.report(number, last))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    elif report["record"] is None and report["graph_state"] is None and not report["last_interactions"]:
        typer.echo(f"No lead {number} in the database or the conversation memory.")
        raise typer.Exit(1)
    else:
        typer.echo(_as_text(report))


def _as_text(report: dict[str, Any]) -> str:
    record = report["record"] or {}
    lines = [
        f"Lead {report['phone']}",
        f"  name: {record.get('name') or '-'}"
        f" · city: {record.get('city') or '-'}/{record.get('state') or '-'}"
        f" · bill: {record.get('bill_amount') or '-'}",
        f"  stage: {report['stage'] or '-'} · checkpoints: {report['checkpoints']}",
        "",
        "Last interactions:",
    ]
    for row in report["last_interactions"]:
        lines.append(
            f"  {row.get('created_at')} [{row.get('layer')} {row.get('stage')} {row.get('intent') or ''}]"
            f" {row.get('response_time_ms')} ms"
        )
        if row.get("message_received"):
            lines.append(f"    lead:   {row['message_received'][:120]}")
        if row.get("message_sent"):
            lines.append(f"    silvia: {row['message_sent'][:120].replace(chr(10), ' ')}")
    state = json.dumps(report["graph_state"], ensure_ascii=False, indent=2, default=str)
    lines += ["", "Graph state:", state]
    return "\n".join(lines)


@lead_app.command("forget")
def forget(
    phone: PhoneArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase the lead everywhere (graph threads, Redis, rows, media) and say what was removed."""
    number = _phone(phone)
    if not yes and not typer.confirm(f"Erase everything about {number}?"):
        raise typer.Exit(1)
    removed = _run(lambda admin: admin.forget(number))
    typer.echo(f"Erased {number}:")
    for place, count in removed.items():
        typer.echo(f"  {place}: {count}")
    typer.echo("  reply cache: nothing to erase (entries hold template ids, never lead data)")


@lead_app.command("requests")
def requests() -> None:
    """Data requests leads made in the chat (erase / copy) still waiting for the team."""
    pending = _run(lambda admin: admin.pending_requests())
    if not pending:
        typer.echo("no pending data requests")
        return
    for row in pending:
        words = (row["words"] or "").replace("\n", " ")[:80]
        typer.echo(
            f"#{row['id']}  {row['kind']:<5}  {row['requester_phone']}  {row['requested_at']}  {words}"
        )
    typer.echo("Erase: silvia lead forget <phone> (closes the request). Copy: silvia lead show <phone>.")
