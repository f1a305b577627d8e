"""`silvia handoffs`: the leads recently handed to specialists (newest first)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Annotated, Any

import typer

from settings import Settings, get_settings

handoffs_app = typer.Typer(help="Leads handed to human specialists.", invoke_without_command=True)

COLUMNS = ("created_at", "lead_id", "lead_name", "city", "bill_amount", "plan", "specialist_name", "contact")


async def recent_handoffs(settings: Settings, limit: int, phone: str | None) -> list[dict[str, Any]]:
    from storage.db import create_engine, session_factory
    from storage.handoffs import HandoffRepository
    from wiring import prepare_database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(await prepare_database(settings))
    try:
        return await HandoffRepository(session_factory(engine)).recent(limit, phone)
    finally:
        await engine.dispose()


def _cell(row: dict[str, Any], column: str) -> str:
    if column == "contact":
        when = row.get("contact_at")
        when_text = when.strftime("%Y-%m-%d %H:%M UTC") if isinstance(when, datetime) else "-"
        return "on duty" if row.get("on_duty") else f"from {when_text}"
    value = row.get(column)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column == "city" and row.get("state"):
        return f"{value or '-'}/{row['state']}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return "-" if value in (None, "") else str(value)


def _table(rows: list[dict[str, Any]]) -> str:
    cells = [[_cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


@handoffs_app.callback()
def handoffs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many (newest first)")] = 20,
    phone: Annotated[str | None, typer.Option(help="Only this lead (E.164)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """List recent handoffs: lead, city, bill, plan, specialist, and when contact is due."""
    if ctx.invoked_subcommand is not None:
        return
    rows = asyncio.run(recent_handoffs(get_settings(), limit, phone))
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    typer.echo(_table(rows) if rows else "no handoffs yet")
