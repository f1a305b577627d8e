"""`silvia mcp …`: serve the WhatsApp and Serena MCP servers over streamable HTTP at /mcp."""

from __future__ import annotations

import asyncio

import typer

from settings import get_settings

mcp_app = typer.Typer(help="Serve Sílvia's MCP servers over streamable HTTP at /mcp.", no_args_is_help=True)


@mcp_app.command("whatsapp")
def mcp_whatsapp(host: str = "127.0.0.1", port: int = 8101) -> None:
    """The WhatsApp MCP server (WHATSAPP_BACKEND: sandbox records what it sends, cloud is Meta's API)."""
    from tools.http import serve_mcp_http
    from tools.whatsapp_cloud import whatsapp_backend
    from tools.whatsapp_server import build_whatsapp_server

    settings = get_settings()
    typer.echo(f"WhatsApp MCP server ({settings.whatsapp_backend}) at http://{host}:{port}/mcp")
    serve_mcp_http(build_whatsapp_server(whatsapp_backend(settings)), host, port)


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
    typer.echo(f"Serena MCP server at http://{host}:{port}/mcp")
    serve_mcp_http(build_serena_server(SerenaCatalog(), registrations), host, port)
