"""Sílvia inside a LangGraph server (`langgraph dev`, LangGraph Studio, a LangGraph deployment).

`langgraph.json` points the server at two things in this module:

- `app`: a tiny Starlette app whose lifespan opens the same dependencies `silvia chat` uses
  (database, MCP servers, WhatsApp backend, reply cache, model), once per server, from the
  settings (`.env`, environment), and closes them on shutdown;
- `make_graph`: the graph factory the server calls for every run, state read and schema
  request. It returns the one graph built with those dependencies bound, so a run that brings
  only JSON (`{"inbound": {"phone": ..., "text": ...}}`) gets Sílvia's replies.

The server brings its own checkpointer: its threads are the leads' conversations, with history,
time travel and forking as in the notebook.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.graph.state import CompiledStateGraph
from starlette.applications import Starlette

from settings import get_settings
from wiring import Silvia, open_silvia


class _Running:
    """The Sílvia this server process opened (set while the lifespan runs)."""

    silvia: Silvia | None = None


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    async with open_silvia(get_settings(), checkpointer=False) as silvia:
        _Running.silvia = silvia
        try:
            yield
        finally:
            _Running.silvia = None


def make_graph() -> CompiledStateGraph:
    """The graph with Sílvia's dependencies bound (the server adds its checkpointer and store)."""
    if _Running.silvia is None:
        raise RuntimeError(
            "Sílvia's dependencies are not open: langgraph.json must load `api.studio:app` as its "
            'http app ("http": {"app": "api.studio:app"}) next to the graph `api.studio:make_graph`'
        )
    return _Running.silvia.graph


app = Starlette(lifespan=lifespan)
