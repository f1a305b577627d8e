"""The `silvia` command (typer): demo, chat, intent, MCP servers and database."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from settings import Settings, get_settings

app = typer.Typer(
    help="Sílvia, Serena Energia's WhatsApp pre-sales agent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
mcp_app = typer.Typer(help="Serve Sílvia's MCP servers over streamable HTTP at /mcp.")
db_app = typer.Typer(help="Database migrations (Alembic).")
app.add_typer(mcp_app, name="mcp")
app.add_typer(db_app, name="db")


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its data")] = None,
) -> None:
    """Two scripted leads through the whole funnel, printed as a chat."""
    from api.demo import run_demo
    from wiring import open_silvia

    _quiet_logs()
    settings = get_settings().model_copy(update={"data_dir": data_dir or get_settings().data_dir / "demo"})

    async def main() -> None:
        async with open_silvia(settings) as silvia:
            await run_demo(silvia, typer.echo)

    asyncio.run(main())


@app.command()
def chat(
    phone: Annotated[str, typer.Option(help="The lead's phone, E.164")] = "+5581999990001",
    name: Annotated[str | None, typer.Option(help="The lead's name")] = None,
    city: Annotated[str | None, typer.Option(help="The lead's city")] = None,
    state: Annotated[str | None, typer.Option(help="The lead's state (UF)")] = None,
    bill: Annotated[float | None, typer.Option(help="Monthly bill in R$")] = None,
) -> None:
    """Talk to Sílvia as a lead. Piped input runs as a script (one message per line)."""
    from api.terminal import run_chat, seed_lead
    from wiring import open_silvia

    _quiet_logs()
    lines = None if sys.stdin.isatty() else sys.stdin.read().splitlines()

    async def main() -> None:
        async with open_silvia(get_settings()) as silvia:
            await seed_lead(silvia, phone, name, city, state.upper() if state else None, bill)
            await run_chat(silvia, phone, name, lines, typer.echo)

    asyncio.run(main())


@app.command()
def intent(
    text: Annotated[str | None, typer.Argument(help="A message to classify")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Classify one utterance per line")] = None,
) -> None:
    """Print {intent, confidence, entities} as JSON (JSON lines with --file)."""
    from agent.intent import classify

    if file is None and text is None:
        raise typer.BadParameter("give a TEXT or --file")
    if file is not None:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                typer.echo(json.dumps({"text": line, **classify(line).to_dict()}, ensure_ascii=False))
        return
    typer.echo(json.dumps(classify(text or "").to_dict(), ensure_ascii=False))


@mcp_app.command("whatsapp")
def mcp_whatsapp(host: str = "127.0.0.1", port: int = 8101) -> None:
    """The WhatsApp MCP server (sandbox backend: records what it sends)."""
    from tools.http import serve_mcp_http
    from tools.whatsapp_server import SandboxBackend, build_whatsapp_server

    settings = get_settings()
    serve_mcp_http(build_whatsapp_server(SandboxBackend(settings.media_dir)), host, port)


@mcp_app.command("serena")
def mcp_serena(host: str = "127.0.0.1", port: int = 8102) -> None:
    """The Serena MCP server: plan catalog, qualification rules, registrations in the database."""
    from storage.db import create_engine, session_factory
    from storage.repositories import RegistrationRepository
    from tools.http import serve_mcp_http
    from tools.serena_server import SerenaCatalog, build_serena_server
    from wiring import prepare_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = asyncio.run(prepare_database(settings))
    registrations = RegistrationRepository(session_factory(create_engine(url)))
    serve_mcp_http(build_serena_server(SerenaCatalog(), registrations), host, port)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (idempotent)."""
    from storage.migrate import upgrade

    settings = _ensure_dir(get_settings())
    typer.echo(f"database at revision {upgrade(settings.effective_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    from storage.migrate import current, head

    settings = get_settings()
    typer.echo(f"current: {current(settings.effective_database_url) or '(empty)'} · head: {head()}")


def _ensure_dir(settings: Settings) -> Settings:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


if __name__ == "__main__":
    app()
