"""`silvia inbox list|retry|drop`: what the team does with messages the worker gave up on.

A message is parked when its turn failed deterministically `MAX_ATTEMPTS` times, or kept
failing for a transient reason past SILVIA_INBOX_RETRY_HOURS. `list` shows them (lead, when,
what they wrote, why it stopped); `retry` queues one again once the cause is fixed; `drop`
forgets one a person answered by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import typer

from settings import get_settings

inbox_app = typer.Typer(
    help="Messages waiting for a person (parked by the inbox worker).", no_args_is_help=True
)
T = TypeVar("T")


def _with_inbox(action: Callable[[Any], Awaitable[T]]) -> T:
    from storage.inbox import build_inbox

    async def run() -> T:
        inbox = build_inbox(get_settings())
        try:
            return await action(inbox)
        finally:
            await inbox.aclose()

    return asyncio.run(run())


def _what_they_wrote(payload: dict[str, Any]) -> str:
    message = payload.get("message") or {}
    if message:  # Meta's raw message
        kind = message.get("type", "?")
        body = (message.get("text") or {}).get("body") if kind == "text" else f"[{kind}]"
        return str(body or "")
    return str(payload.get("message") or f"[{payload.get('type', '?')}]")


def _when(entry_id: str) -> str:
    if "-" not in entry_id:
        return "-"
    return datetime.fromtimestamp(int(entry_id.split("-")[0]) / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


@inbox_app.command("list")
def list_parked(limit: Annotated[int, typer.Option(help="At most this many")] = 100) -> None:
    """Parked messages, oldest first, with the reason; then the inbox's counts."""

    async def read(inbox: Any) -> tuple[list[Any], dict[str, int]]:
        return await inbox.parked(limit), await inbox.counts()

    parked, counts = _with_inbox(read)
    for entry in parked:
        typer.echo(f"{entry.message_id}  {entry.phone}  {_when(entry.entry_id)}")
        typer.echo(f"    wrote:  {_what_they_wrote(entry.payload)[:200]}")
        typer.echo(f"    reason: {entry.error[:300]}")
    summary = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
    typer.echo(f"{len(parked)} parked message(s). Inbox: {summary or 'empty'}")


@inbox_app.command("retry")
def retry(message_id: Annotated[str, typer.Argument(help="The parked message's id (from `list`)")]) -> None:
    """Queue a parked message again: the worker answers it as a new delivery."""
    if not _with_inbox(lambda inbox: inbox.unpark(message_id)):
        typer.echo(f"No parked message {message_id!r} (see `silvia inbox list`).", err=True)
        raise typer.Exit(1)
    typer.echo(f"{message_id} queued again.")


@inbox_app.command("drop")
def drop(
    message_id: Annotated[str, typer.Argument(help="The parked message's id (from `list`)")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Forget a parked message for good (a person answered the lead by hand)."""
    if not yes:
        typer.confirm(f"Drop {message_id} for good?", abort=True)
    if not _with_inbox(lambda inbox: inbox.drop(message_id)):
        typer.echo(f"No parked message {message_id!r} (see `silvia inbox list`).", err=True)
        raise typer.Exit(1)
    typer.echo(f"{message_id} dropped.")
