"""`silvia followups run|list` and `silvia report followups`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from settings import Settings, get_settings

followups_app = typer.Typer(help="Follow-ups to quiet leads (seed Workflow 5).", no_args_is_help=True)

HEADER = f"{'lead':<16} {'stage':<19} {'action':<8} {'kind':<20} {'channel':<8} why"
KINDS = ("document_reminder", "gentle_nudge", "value_reinforcement", "last_chance")


def parse_instant(value: str | None, timezone: str) -> datetime:
    """ISO-8601; without an offset it is local time in `timezone`."""
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO-8601 date-time (e.g. 2026-11-24T14:00)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


@asynccontextmanager
async def _runner(settings: Settings, now: datetime | None) -> AsyncIterator[object]:
    from api.followups import FollowupRunner
    from storage.followups import FollowupStore
    from storage.locks import build_deduplicator, build_lead_locks
    from wiring import open_silvia

    # With --now, the whole turn runs at that instant (business hours, window, daily limit).
    async with open_silvia(settings, clock=(lambda: now) if now else None) as silvia:
        claims, locks = build_deduplicator(settings), build_lead_locks(settings)
        try:
            yield FollowupRunner(silvia, FollowupStore(silvia.sessions), claims, locks, settings.timezone)
        finally:
            await claims.aclose()
            await locks.aclose()


def _local(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d/%m/%Y %H:%M")


@followups_app.command("run")
def run(
    now: Annotated[str | None, typer.Option(help="The pass instant, ISO-8601 (default: now)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Decide and print; send nothing")] = False,
) -> None:
    """Run one follow-up pass: who gets what and why, who is skipped and why."""
    settings = get_settings()
    instant = parse_instant(now, settings.timezone)

    async def main() -> None:
        async with _runner(settings, instant if now else None) as runner:
            report = await runner.run_pass(instant, dry_run=dry_run)  # type: ignore[attr-defined]
        mode = " (dry run: nothing sent)" if dry_run else ""
        typer.echo(f"Follow-up pass at {_local(instant, settings.timezone)} {settings.timezone}{mode}")
        if not report.claimed:
            typer.echo("Another process already ran this pass; nothing done here.")
            return
        typer.echo(HEADER)
        for outcome in report.outcomes:
            typer.echo(outcome.line())
        sends = report.count("send", "sent")
        typer.echo(
            f"{len(report.outcomes)} leads looked at: {sends} {'to send' if dry_run else 'sent'}, "
            f"{report.count('close', 'closed')} closed as lost, "
            f"{report.count('skip', 'not sent', 'failed')} skipped"
        )

    asyncio.run(main())


@followups_app.command("list")
def list_scheduled(
    now: Annotated[str | None, typer.Option(help="Look from this instant, ISO-8601 (default: now)")] = None,
) -> None:
    """What is scheduled: the next passes, and who gets what at the next one."""
    from agent.policy.followups import next_pass

    settings = get_settings()
    instant = parse_instant(now, settings.timezone)

    async def main() -> None:
        slots = [next_pass(instant, settings.timezone)]
        while len(slots) < 5:
            slots.append(next_pass(slots[-1], settings.timezone))
        typer.echo("Next passes (09:00, 14:00, 18:00 on business days; national holidays skipped):")
        for slot in slots:
            typer.echo(f"  {_local(slot, settings.timezone)}")
        every = settings.followup_sweep_minutes
        typer.echo(f"Bill reminders: every {every} min, 09:00–18:00 on business days")
        async with _runner(settings, None) as runner:
            planned = await runner.plan(slots[0])  # type: ignore[attr-defined]
        due = [(f, d) for f, d in planned if d.action != "skip"]
        typer.echo(f"At {_local(slots[0], settings.timezone)}: {len(due)} of {len(planned)} leads")
        for facts, decision in due:
            what = "close as lost" if decision.action == "close" else f"{decision.kind} ({decision.channel})"
            typer.echo(f"  {facts.phone:<16} {facts.stage.value:<19} {what} — {decision.reason}")

    asyncio.run(main())


def followups_report(
    days: Annotated[int, typer.Option(min=1, max=365, help="Look back this many days")] = 7,
) -> None:
    """Per follow-up kind: sent, answered within 24 h, moved the lead to a later stage."""
    from storage.db import create_engine, session_factory
    from storage.followups import FollowupStore
    from wiring import prepare_database

    settings = get_settings()

    async def main() -> None:
        engine = create_engine(await prepare_database(settings))
        try:
            since = datetime.now(UTC) - timedelta(days=days)
            stats = await FollowupStore(session_factory(engine)).report(since)
        finally:
            await engine.dispose()
        typer.echo(f"Follow-ups in the last {days} day(s)")
        typer.echo(f"{'kind':<22} {'sent':>5} {'answered ≤24h':>14} {'moved forward':>14}")
        for kind in (*KINDS, *sorted(set(stats) - set(KINDS))):
            s = stats.get(kind)
            if s is None:
                typer.echo(f"{kind:<22} {0:>5} {'-':>14} {'-':>14}")
                continue
            answered = f"{s.answered_24h} ({s.answered_24h / s.sent:.0%})"
            moved = f"{s.advanced} ({s.advanced / s.sent:.0%})"
            typer.echo(f"{kind:<22} {s.sent:>5} {answered:>14} {moved:>14}")

    asyncio.run(main())
