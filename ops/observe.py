"""Where the metrics come from: every recorded turn, and the database/inbox before a scrape.

`MeteredLeadStore` wraps the `LeadStorePort` the graph records turns through, so the nodes
never import prometheus: the `record` node writes its `TurnRecord` as always and the metrics
are derived from it (stage, intent, layer, latency, LLM usage, follow-ups, opt-outs).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from agent.ports import TurnRecord
from ops import metrics
from ops.costs import cost_usd
from storage.activity import ActivityQueries

log = logging.getLogger(__name__)

# (depth, oldest entry age in seconds) of the inbox, when the webhook service has one.
InboxStats = Callable[[], Awaitable[tuple[int, float]]]


def llm_calls_of(turn_meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The model calls a turn made: `llm_calls: [...]`, or one call from `model`/`tokens_*`."""
    calls = turn_meta.get("llm_calls")
    if isinstance(calls, list):
        return [c for c in calls if isinstance(c, dict) and c.get("model")]
    if turn_meta.get("model"):
        return [
            {
                "model": turn_meta["model"],
                "tokens_in": turn_meta.get("tokens_in") or 0,
                "tokens_out": turn_meta.get("tokens_out") or 0,
            }
        ]
    return []


def followup_kind(turn_meta: dict[str, Any]) -> str:
    """The kind of follow-up a turn sent: `followup_kind`, else named by its first template."""
    kind = turn_meta.get("followup_kind")
    if kind:
        return str(kind)
    templates = [t for t in turn_meta.get("templates") or [] if t]
    return templates[0].split(".", 1)[-1] if templates else "unknown"


def observe_turn(turn: TurnRecord) -> None:
    """Update the turn metrics from what the `record` node wrote."""
    layer = turn.layer or "none"
    metrics.TURNS.labels(turn.stage, turn.intent or "none", layer).inc()
    metrics.LAYER_LATENCY.labels(layer).observe(turn.response_time_ms / 1000)
    if not turn.success:
        metrics.TURN_FAILURES.labels(turn.stage).inc()
    if turn.interaction_type == "followup" and turn.message_sent:
        metrics.FOLLOWUPS.labels(followup_kind(turn.metadata)).inc()
    if turn.interaction_type == "opt_out":
        metrics.OPT_OUTS.inc()
    for call in llm_calls_of(turn.metadata):
        model = str(call["model"])
        tokens_in, tokens_out = int(call.get("tokens_in") or 0), int(call.get("tokens_out") or 0)
        metrics.LLM_CALLS.labels(model).inc()
        metrics.LLM_TOKENS.labels(model, "input").inc(tokens_in)
        metrics.LLM_TOKENS.labels(model, "output").inc(tokens_out)
        metrics.LLM_COST.labels(model).inc(cost_usd(model, tokens_in, tokens_out))


class MeteredLeadStore:
    """A `LeadStorePort` that counts every turn it records; everything else is delegated."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def record_turn(self, turn: TurnRecord) -> None:
        await self._inner.record_turn(turn)
        try:
            observe_turn(turn)
        except Exception:  # metrics must never fail a turn
            log.exception("could not observe a turn")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def refresh_gauges(
    activity: ActivityQueries,
    inbox_stats: InboxStats | None = None,
    paused: int | None = None,
) -> None:
    """Gauges read from the database and the inbox, refreshed right before a scrape."""
    for stage, count in (await activity.stage_counts()).items():
        metrics.FUNNEL.labels(stage).set(count)
    for stage, count in (await activity.funnel_reached()).items():
        metrics.FUNNEL_REACHED.labels(stage).set(count)
    if inbox_stats is not None:
        depth, oldest = await inbox_stats()
        metrics.INBOX_DEPTH.set(depth)
        metrics.INBOX_OLDEST.set(oldest)
    if paused is not None:
        metrics.PAUSED_LEADS.set(paused)


INBOX_STATES = ("pending", "processing", "waiting", "failed")


async def refresh_inbox_gauges(inbox: Any, heartbeats: Any) -> None:
    """Inbox entries by state (parked ones are `failed`) and the inbox workers alive."""
    counts = await inbox.counts()
    for state in INBOX_STATES:
        metrics.INBOX_ENTRIES.labels(state).set(counts.get(state, 0))
    metrics.WORKERS_ALIVE.set(len(await heartbeats.alive()))
