"""Sílvia's conversation as one LangGraph StateGraph (docs/architecture.md, "One turn through the graph").

START → ingest ─┬─ follow-up tick → followup ──────────────────────────────┐
                ├─ answer to the satisfaction survey → rate ──────────────┐ │
                └─ message → cache_lookup ─ hit ─→ guard                  │ │
                                  │ miss                                  │ │
                               understand → route_by_stage → reception | plans | documents |
                                  qualification | answer | opt_out | handoff | fallback
                                  → questions (every question of the message answered)
                                  → survey (1–5 question when Sílvia's part just ended)
                                  → compose → guard → deliver → record → END
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NotRequired

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from agent import nodes
from agent.context import Deps
from agent.inbound import Inbound
from agent.nodes.conversation import hesitation_of
from agent.nodes.knowledge import answers_from_knowledge
from agent.nodes.privacy import request_kind
from agent.policy.satisfaction import awaiting, is_comment, parse_rating
from agent.replies.drafts import profile_complete
from agent.routing import STAGE_NODES, route_turn
from agent.state import SilviaState, Stage
from agent.understanding.decisions import asks_for_plans, says_show_it
from agent.understanding.farewell import says_goodbye
from agent.understanding.hesitations import cannot_send_bill
from agent.understanding.offers import last_offer
from agent.understanding.reminders import reminder_asked
from agent.understanding.tone import is_angry


class LeadMessage(TypedDict):
    """A run's input: one event for one lead (what Studio's input form and `langgraph-sdk` send).

    `{"inbound": {"phone": "+5581999990001", "text": "oi", "name": "Maria"}}` is a text message;
    a button press is `{"kind": "interactive", "button_id": "plan_essencial", "text": "Essencial"}`
    with the phone. A thread holds one lead's conversation.
    """

    inbound: Inbound
    # Set by the inbox worker only: the entry this turn answers, kept in the checkpoint so a
    # redelivered entry is recognised as answered (api/turns.py).
    inbox_id: NotRequired[str]


Node = Callable[[SilviaState, Runtime[Deps]], Awaitable[dict[str, Any]]]


def with_deps(node: Node, deps: Deps) -> Node:
    """The node run with `deps` whenever the run brings no Deps of its own.

    A LangGraph server run carries only JSON, so its context can never be the MCP connections
    and databases a node needs; the server's graph is built with them bound instead.
    """

    async def run(state: SilviaState, runtime: Runtime[Any]) -> dict[str, Any]:
        if not isinstance(runtime.context, Deps):
            runtime = runtime.override(context=deps)
        return await node(state, runtime)

    run.__name__ = run.__qualname__ = getattr(node, "__name__", "node")
    run.__doc__ = node.__doc__
    return run


def on_the_loop(decide: Callable[[SilviaState], str]) -> Callable[[SilviaState], Awaitable[str]]:
    """The routing decision as a coroutine: LangGraph runs a plain function edge in a thread
    pool: a hand-off to a thread and back per decision, three per turn. These decisions only
    read the state, so they run on the event loop."""

    async def decided(state: SilviaState) -> str:
        return decide(state)

    decided.__name__ = decided.__qualname__ = decide.__name__
    decided.__doc__ = decide.__doc__
    return decided


def after_ingest(state: SilviaState) -> str:
    tick = state["inbound"].get("kind") == "followup_tick"
    if (state.get("turn") or {}).get("paused"):  # a specialist took over: record only, no reply
        return END if tick else "record"
    if not tick and awaiting(state) and parse_rating(state["inbound"]) is not None:
        return "rate"  # the answer to the satisfaction survey
    return "followup" if tick else "cache_lookup"


def after_cache(state: SilviaState) -> str:
    return "guard" if (state.get("turn") or {}).get("cache_hit") else "understand"


def route_by_stage(state: SilviaState) -> str:
    """The single routing decision of a turn: (stage, intent, kind) → stage node."""
    if is_comment(state):
        return "rate"  # the optional comment after a low satisfaction score
    return route_turn(
        Stage(state.get("stage") or Stage.NEW),
        state.get("intent") or "other",
        state["inbound"].get("kind", "text"),
        profile_complete(state.get("profile") or {}),
        bool(state.get("human_offered")),
        typed_amount=typed_bill_amount(state),
        asks_place=bool(state.get("place_question")),
        hesitates=hesitation_of(state) is not None,
        amount_pending=bool(state.get("amount_check")),
        care=request_kind(state) or ("angry" if is_angry(_text(state)) else None),
        gave_place_or_amount=bool(state.get("profile_changed")),
        kb_topic=answers_from_knowledge(state),
        wants_plans=asks_for_plans(_text(state)) and not says_show_it(_text(state)),
        shows_it=says_show_it(_text(state)),
        offer=last_offer(state.get("messages") or []),
        reminder=reminder_asked(_text(state)) is not None,
        goodbye=kind_is_text(state) and says_goodbye(_text(state)),
        amount_said=kind_is_text(state) and bool((state.get("entities") or {}).get("bill_amount")),
    )


def kind_is_text(state: SilviaState) -> bool:
    return state["inbound"].get("kind") == "text"


def typed_bill_amount(state: SilviaState) -> bool:
    """The lead typed their bill's total instead of sending it: after a weak read, or saying in the
    same message that they cannot send it ("não consigo tirar a foto, mas deu 420")."""
    if not (state.get("entities") or {}).get("bill_amount"):
        return False
    return bool(state.get("bill_attempts") or state.get("human_offered")) or cannot_send_bill(_text(state))


def _text(state: SilviaState) -> str:
    inbound = state.get("inbound") or {}
    return str(inbound.get("text") or "") if inbound.get("kind") == "text" else ""


def after_documents(state: SilviaState) -> str:
    # A bill amount far from what the lead said waits for their answer before qualifying.
    received = state.get("stage") == Stage.DOCUMENT_RECEIVED and not state.get("bill_check")
    return "qualification" if received else "questions"


def after_qualification(state: SilviaState) -> str:
    return "handoff" if state.get("stage") in (Stage.QUALIFIED, Stage.REGISTERED) else "questions"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None, *, deps: Deps | None = None
) -> CompiledStateGraph:
    """The conversation graph. Callers pass `context=Deps(...)` on every run, unless `deps` is
    given: then the graph carries them (for a LangGraph server, whose runs bring only JSON)."""
    builder = StateGraph(SilviaState, context_schema=None if deps else Deps, input_schema=LeadMessage)
    for name in (
        "ingest",
        "cache_lookup",
        "understand",
        "followup",
        *STAGE_NODES,
        "questions",
        "survey",
        "rate",
        "compose",
        "guard",
        "deliver",
        "record",
    ):
        node = getattr(nodes, name)
        builder.add_node(name, with_deps(node, deps) if deps else node)

    builder.add_edge(START, "ingest")
    edges = (
        ("ingest", after_ingest, ["followup", "cache_lookup", "rate", "record", END]),
        ("cache_lookup", after_cache, ["guard", "understand"]),
        ("understand", route_by_stage, [*STAGE_NODES, "rate"]),
        ("documents", after_documents, ["qualification", "questions"]),
        ("qualification", after_qualification, ["handoff", "questions"]),
    )
    for source, decide, targets in edges:
        builder.add_conditional_edges(source, on_the_loop(decide), targets)
    # Every stage node ends in `questions` (any question of the message not answered yet is
    # answered), then `survey`: when Sílvia's part has just ended it asks for a rating.
    for name in ("reception", "plans", "answer", "opt_out", "handoff", "fallback"):
        builder.add_edge(name, "questions")
    builder.add_edge("questions", "survey")
    builder.add_edge("followup", "survey")
    builder.add_edge("survey", "compose")
    builder.add_edge("rate", "compose")
    builder.add_edge("compose", "guard")
    builder.add_edge("guard", "deliver")
    builder.add_edge("deliver", "record")
    builder.add_edge("record", END)
    return builder.compile(checkpointer=checkpointer, name="silvia")


# For notebooks and drawings (no dependencies, no checkpointer). `langgraph dev` and Studio load
# `api.studio:make_graph`, which binds the dependencies `silvia chat` uses.
graph = build_graph()
