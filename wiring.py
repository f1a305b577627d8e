"""Builds a running Sílvia from settings: storage, MCP connections, checkpointer, graph.

One factory for every entry point (CLI, API, evals, notebooks), so the same graph runs on the
embedded default and in production; only the settings differ.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Durability

from agent.context import Deps, utc_now
from agent.inbound import Inbound
from agent.llm.client import AlertSink, language_model_from_settings
from agent.policy.privacy import redact_inbound
from agent.policy.prompt_versions import check_weights
from agent.replies.templates import PromptBook
from agent.state import TurnResult
from agent.understanding.knowledge import default_knowledge
from agent.understanding.matcher import TopicMatcher
from agent.understanding.semantic import shared_encoder
from bills.reader import BillReader
from bills.vision import VisionClient
from graph import build_graph
from ops.logs import turn_trace
from ops.metrics import observe_mcp_call
from ops.observe import MeteredLeadStore
from settings import Settings
from storage.checkpointer import open_checkpointer
from storage.db import create_engine, is_sqlite, session_factory
from storage.handoffs import HandoffRepository
from storage.migrate import ensure_current, upgrade
from storage.redis.cache import open_reply_cache
from storage.repositories import LeadRepository, RegistrationRepository
from storage.satisfaction import RatingRepository
from storage.takeover import TakeoverRepository
from tools.client import McpConnection, SerenaTools, WhatsAppTools
from tools.serena_server import SerenaCatalog, build_serena_server
from tools.specialists import SpecialistRoster
from tools.whatsapp_cloud import CloudBackend, whatsapp_backend
from tools.whatsapp_server import SandboxBackend, build_whatsapp_server

log = logging.getLogger(__name__)


# What a turn's result keeps of each reply (the topic: which knowledge-base answer it is, for evals).
_REPLY_KEYS = ("text", "buttons", "list", "layer", "prompt_version", "template_id", "topic")


class Silvia:
    """A ready-to-talk Sílvia: the compiled graph plus the dependencies it runs with."""

    sessions: Any = None  # the business database's async_sessionmaker (set by open_silvia)

    def __init__(
        self,
        graph: CompiledStateGraph,
        deps: Deps,
        leads: LeadRepository,
        registrations: RegistrationRepository,
        sandbox: SandboxBackend | None,
    ) -> None:
        self.graph = graph
        self.deps = deps
        self.leads = leads
        self.registrations = registrations
        self.sandbox = sandbox

    @staticmethod
    def config(phone: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": f"lead:{phone}"}}

    async def handle(
        self, inbound: Inbound, *, durability: Durability | None = None, inbox_id: str | None = None
    ) -> TurnResult:
        """Run one turn for one inbound event and return what Sílvia sent.

        `durability="sync"` (the webhook worker) writes each step's checkpoint before the next
        step starts, so a crashed turn can be resumed exactly where it stopped. `inbox_id` (the
        worker's) is kept in the checkpoint: how a redelivered entry is recognised (api/turns.py).
        """
        # LGPD: a CPF the lead typed never reaches the checkpoint, records or prompts.
        inbound = Inbound.model_validate(redact_inbound(inbound.model_dump()))
        with turn_trace(inbound.phone, inbound.received_at):  # trace id for logs, end-to-end latency
            update: dict[str, Any] = {"inbound": inbound.model_dump(mode="json")}
            if inbox_id is not None:
                update["inbox_id"] = inbox_id
            state = await self.graph.ainvoke(
                update,
                self.config(inbound.phone),
                context=self.deps,
                durability=durability,
            )
        return self.result(inbound.phone, state)

    async def resume(self, phone: str) -> TurnResult:
        """Finish a turn that was interrupted (e.g. by a crash) from its last checkpoint."""
        with turn_trace(phone):
            state = await self.graph.ainvoke(None, self.config(phone), context=self.deps, durability="sync")
        return self.result(phone, state)

    @staticmethod
    def result(phone: str, state: dict[str, Any]) -> TurnResult:
        replies = [{k: r.get(k) for k in _REPLY_KEYS} for r in state.get("replies") or []]
        return TurnResult(
            phone=phone,
            stage=str(state.get("stage")),
            intent=state.get("intent") or "",
            replies=replies,
            response_time_ms=int((state.get("turn") or {}).get("response_time_ms", 0)),
            state=state,
        )

    async def say(self, phone: str, text: str, name: str | None = None) -> TurnResult:
        return await self.handle(Inbound(phone=phone, kind="text", text=text, name=name))

    async def state(self, phone: str) -> dict[str, Any]:
        snapshot = await self.graph.aget_state(self.config(phone))
        return dict(snapshot.values)

    def receive_media(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        """Put a file in the sandbox media store as if the lead had sent it; returns a media id."""
        if self.sandbox is None:
            raise RuntimeError("media can only be injected with the sandbox WhatsApp backend")
        return self.sandbox.register_media(data, mime_type, filename)


def _error_logger(leads: LeadRepository) -> Any:
    """Cloud API refusals go to sdr_logs (where alerts look) as well as the log."""

    async def record(message: str, details: dict[str, Any]) -> None:
        await leads.log("ERROR", message, phone=details.get("to"), details=details)

    return record


def _llm_alert(leads: LeadRepository) -> AlertSink:
    """Circuit-breaker events of the model go to sdr_logs, where the alert rules read them."""

    async def alert(level: str, message: str, details: dict[str, Any]) -> None:
        await leads.log(level, message, details=details)

    return alert


async def prepare_database(settings: Settings) -> str:
    """Embedded SQLite is migrated on start; any other database must already be current."""
    url = settings.effective_database_url
    if is_sqlite(url):
        await asyncio.to_thread(upgrade, url)
    else:
        await asyncio.to_thread(ensure_current, url)
    return url


def topic_matcher(settings: Settings) -> TopicMatcher | None:
    """The knowledge-base matcher (its model loads on the first message that needs it)."""
    if not settings.semantic_enabled:
        return None
    return TopicMatcher(default_knowledge(), shared_encoder, settings.embeddings_cache_dir)


@asynccontextmanager
async def open_business_database(settings: Settings) -> AsyncIterator[Any]:
    """Just the business database (no MCP servers, no graph): for reports and admin commands."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(await prepare_database(settings))
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_silvia(
    settings: Settings, *, clock: Any = None, checkpointer: bool = True
) -> AsyncIterator[Silvia]:
    """Start everything Sílvia needs; closes it all on exit.

    `checkpointer=False` leaves the checkpointer out, for a host that brings its own (a LangGraph
    server): the graph is then built with the dependencies bound to it.
    """
    # File-system work off the event loop: a LangGraph server opens this inside its own loop.
    await asyncio.to_thread(settings.data_dir.mkdir, parents=True, exist_ok=True)
    url = await prepare_database(settings)
    engine = await asyncio.to_thread(create_engine, url)
    sessions = session_factory(engine)
    leads, registrations = LeadRepository(sessions), RegistrationRepository(sessions)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        sandbox: SandboxBackend | None = None
        if settings.whatsapp_mcp_url:
            whatsapp = McpConnection.remote(settings.whatsapp_mcp_url, on_call=observe_mcp_call)
        else:
            backend = whatsapp_backend(settings, on_error=_error_logger(leads))
            if isinstance(backend, CloudBackend):
                stack.push_async_callback(backend.aclose)
            sandbox = backend if isinstance(backend, SandboxBackend) else None
            whatsapp = McpConnection.inprocess(
                build_whatsapp_server(backend), on_call=observe_mcp_call, direct=True
            )
        if settings.serena_mcp_url:
            serena = McpConnection.remote(settings.serena_mcp_url, on_call=observe_mcp_call)
        else:
            serena = McpConnection.inprocess(
                build_serena_server(SerenaCatalog(), registrations), on_call=observe_mcp_call, direct=True
            )
        await stack.enter_async_context(whatsapp)
        await stack.enter_async_context(serena)
        saver = await stack.enter_async_context(open_checkpointer(settings)) if checkpointer else None
        cache = await stack.enter_async_context(open_reply_cache(settings))
        prompts = PromptBook.load()
        deps = Deps(
            whatsapp=WhatsAppTools(whatsapp),
            serena=SerenaTools(serena),
            leads=MeteredLeadStore(leads),  # every recorded turn also updates the metrics
            cache=cache,
            bills=BillReader(
                max_bytes=settings.max_bill_bytes,
                vision=VisionClient.from_settings(settings),
                served_states=frozenset(SerenaCatalog().states),
            ),
            specialists=SpecialistRoster.load(
                settings.specialists_file, timezone=settings.timezone, log=HandoffRepository(sessions)
            ),
            bill_merge_window_s=settings.bill_merge_window_s,
            bill_retention_s=settings.bill_retention_hours * 3600,
            prompts=prompts,
            prompt_version=settings.prompt_version,
            prompt_weights=check_weights(settings.prompt_weights, prompts.versions()),
            clock=clock or utc_now,
            history_turns=settings.history_turns,
            cache_ttl_seconds=settings.cache_ttl_seconds,
            timezone=settings.timezone,
            takeover=TakeoverRepository(sessions),
            satisfaction=RatingRepository(sessions) if settings.satisfaction_survey else None,
            llm=language_model_from_settings(settings, alert=_llm_alert(leads)),
            llm_min_confidence=settings.llm_min_confidence,
            topics=topic_matcher(settings),
            knowledge_facts=SerenaCatalog().public_facts(),
        )
        graph = build_graph(saver) if saver else build_graph(deps=deps)
        silvia = Silvia(graph, deps, leads, registrations, sandbox)
        silvia.sessions = sessions  # the ops room's queries (dashboard, reports, health) share the pool
        yield silvia
