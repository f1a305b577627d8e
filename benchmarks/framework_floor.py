"""The framework's floor: a bare LangGraph graph of 12 nodes on the in-memory checkpointer.

What a turn costs when the nodes do nothing but return a small update: LangGraph's own
scheduling, channel bookkeeping and checkpointing. `benchmarks/throughput.py` runs it next to
Sílvia, with the same leads, turns, turns in flight and durability, so the ratio is the figure.
"""

from __future__ import annotations

import itertools
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

NODES = 12


class FloorState(TypedDict, total=False):
    text: str
    stage: str
    replies: list[dict[str, Any]]


def _node(name: str) -> Any:
    async def node(state: FloorState) -> dict[str, Any]:
        update: dict[str, Any] = {"stage": name}
        if name == "compose":
            update["replies"] = [{"text": f"resposta a {state.get('text', '')}"}]
        return update

    return node


def build_floor_graph() -> CompiledStateGraph:
    names = [f"node_{n}" for n in range(NODES - 1)] + ["compose"]
    builder = StateGraph(FloorState)
    for name in names:
        builder.add_node(name, _node(name))
    builder.add_edge(START, names[0])
    for first, second in itertools.pairwise(names):
        builder.add_edge(first, second)
    builder.add_edge(names[-1], END)
    return builder.compile(checkpointer=InMemorySaver())


async def floor_turn(graph: CompiledStateGraph, thread: str, text: str, durability: str) -> int:
    """One turn; returns how many replies it produced (1)."""
    config = {"configurable": {"thread_id": thread}}
    state = await graph.ainvoke({"text": text}, config, durability=durability)  # type: ignore[arg-type]
    return len(state.get("replies") or [])
