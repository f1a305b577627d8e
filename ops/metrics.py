"""Sílvia's Prometheus metrics (prometheus-client), in one registry served at `GET /metrics`.

Counters and histograms are updated as things happen (a turn recorded, an MCP call, a model
call); gauges that describe the database or the inbox are refreshed just before each scrape
(`ops.observe.refresh_gauges`). Names follow Prometheus conventions: `silvia_` prefix, base
units (`_seconds`), `_total` on counters (added by the client library).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

# The seed's layer targets: L1 < 50 ms, L2 < 100 ms, L3 < 200 ms, L4 < 2 s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

TURNS = Counter(
    "silvia_turns",
    "Turns recorded, by stage after the turn, intent and response layer",
    ["stage", "intent", "layer"],
    registry=REGISTRY,
)
TURN_FAILURES = Counter(
    "silvia_turn_failures",
    "Turns recorded as failed (a reply could not be delivered)",
    ["stage"],
    registry=REGISTRY,
)
LAYER_LATENCY = Histogram(
    "silvia_turn_duration_seconds",
    "Time inside the graph per turn, by the layer that answered",
    ["layer"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
END_TO_END = Histogram(
    "silvia_end_to_end_latency_seconds",
    "From the webhook's receipt (or the start of the turn) to the turn's end",
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
MCP_CALLS = Counter(
    "silvia_mcp_calls",
    "MCP tool calls",
    ["server", "tool"],
    registry=REGISTRY,
)
MCP_ERRORS = Counter(
    "silvia_mcp_errors",
    "MCP tool calls that failed, by kind (unavailable | tool_error)",
    ["server", "tool", "kind"],
    registry=REGISTRY,
)
MCP_LATENCY = Histogram(
    "silvia_mcp_call_duration_seconds",
    "MCP tool call time, retries included",
    ["server", "tool"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
LLM_CALLS = Counter("silvia_llm_calls", "Language-model calls", ["model"], registry=REGISTRY)
LLM_TOKENS = Counter(
    "silvia_llm_tokens",
    "Language-model tokens, direction = input | output",
    ["model", "direction"],
    registry=REGISTRY,
)
LLM_COST = Counter(
    "silvia_llm_cost_usd",
    "Language-model cost in US dollars (ops.costs price table)",
    ["model"],
    registry=REGISTRY,
)
FOLLOWUPS = Counter("silvia_followups_sent", "Follow-ups sent, by kind", ["kind"], registry=REGISTRY)
OPT_OUTS = Counter("silvia_opt_outs", "Leads who opted out", registry=REGISTRY)
INBOX_DEPTH = Gauge("silvia_inbox_depth", "Inbox entries waiting to be processed", registry=REGISTRY)
INBOX_OLDEST = Gauge(
    "silvia_inbox_oldest_entry_age_seconds", "Age of the oldest waiting inbox entry", registry=REGISTRY
)
INBOX_ENTRIES = Gauge(
    "silvia_inbox_entries",
    "Inbox entries by state: pending, processing, waiting (a retry is due later), failed (parked)",
    ["state"],
    registry=REGISTRY,
)
WORKERS_ALIVE = Gauge(
    "silvia_inbox_workers_alive", "Inbox workers whose heartbeat is fresh", registry=REGISTRY
)
FUNNEL = Gauge(
    "silvia_funnel_leads",
    "Leads whose current stage is `stage` (lead_status)",
    ["stage"],
    registry=REGISTRY,
)
FUNNEL_REACHED = Gauge(
    "silvia_funnel_reached_leads",
    "Leads that ever reached `stage` of the funnel",
    ["stage"],
    registry=REGISTRY,
)
HEALTH = Gauge(
    "silvia_health_status", "Last health check: 0 healthy, 1 degraded, 2 critical", registry=REGISTRY
)
HEALTH_CHECK_OK = Gauge(
    "silvia_health_check_ok",
    "Last result of each health check (1 ok, 0 failing)",
    ["check"],
    registry=REGISTRY,
)
PAUSED_LEADS = Gauge(
    "silvia_paused_leads", "Leads a specialist has taken over (Sílvia silent)", registry=REGISTRY
)

WHATSAPP_TOOLS = frozenset(
    {"sendTextMessage", "sendInteractiveButtons", "sendTemplateMessage", "downloadMedia", "markAsRead"}
)


def observe_mcp_call(tool: str, seconds: float, outcome: str) -> None:
    """Every MCP tool call (wiring gives it to each `tools.client.McpConnection` as `on_call`)."""
    server = "whatsapp" if tool in WHATSAPP_TOOLS else "serena"
    MCP_CALLS.labels(server, tool).inc()
    MCP_LATENCY.labels(server, tool).observe(seconds)
    if outcome != "ok":
        MCP_ERRORS.labels(server, tool, outcome).inc()


def exposition() -> bytes:
    """The registry in the Prometheus text format."""
    return generate_latest(REGISTRY)
