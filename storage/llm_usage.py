"""What the language model cost and how each prompt version did, from `lead_interactions`.

Every turn row carries `ai_model_used`, `tokens_in`, `tokens_out` and, in its metadata, the
lead's A/B version (`ab_version`), the model's latency and the guard's violations. The
aggregation happens in Python so it reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import LeadInteraction

Sessions = async_sessionmaker[AsyncSession]
_FUNNEL_DONE = ("qualified", "registered", "handed_off")


async def interactions_since(sessions: Sessions, days: int) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=days)
    query = sa.select(
        LeadInteraction.created_at,
        LeadInteraction.lead_id,
        LeadInteraction.model,
        LeadInteraction.tokens_in,
        LeadInteraction.tokens_out,
        LeadInteraction.layer,
        LeadInteraction.stage,
        LeadInteraction.prompt_version,
        LeadInteraction.meta,
    ).where(LeadInteraction.created_at >= since)
    async with sessions() as session:
        rows = (await session.execute(query)).mappings().all()
    return [dict(row) for row in rows]


def costs_per_day(rows: list[dict[str, Any]], timezone: str, price: Any = None) -> list[dict[str, Any]]:
    """Calls, tokens, model latency and (with `price(model, in, out)`) US$ per day and model."""
    zone = ZoneInfo(timezone)
    days: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"turns": 0, "calls": 0, "tokens_in": 0, "tokens_out": 0, "latency_ms": 0, "usd": 0.0}
    )
    for row in rows:
        meta = row.get("meta") or {}
        calls = meta.get("llm_calls") or []
        if not row.get("model") and not calls:
            continue
        day = row["created_at"].astimezone(zone).date().isoformat()
        model = row.get("model") or (calls[0].get("model") if calls else "") or "?"
        entry = days[(day, model)]
        entry["turns"] += 1
        entry["calls"] += len(calls) or 1
        entry["tokens_in"] += int(row.get("tokens_in") or 0)
        entry["tokens_out"] += int(row.get("tokens_out") or 0)
        entry["latency_ms"] += int(meta.get("llm_latency_ms") or 0)
        if price is not None:
            entry["usd"] += price(model, int(row.get("tokens_in") or 0), int(row.get("tokens_out") or 0))
    return [
        {"day": day, "model": model, **values, "usd": round(values["usd"], 6)}
        for (day, model), values in sorted(days.items())
    ]


def metrics_per_version(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per A/B prompt version: leads, turns, share of L4 replies, guard violations, tokens, and
    how many leads reached qualification or beyond (conversion is a KPI: ops/kpis.py)."""
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"leads": set(), "done": set(), "turns": 0, "l4": 0, "violations": 0, "tokens": 0}
    )
    for row in rows:
        meta = row.get("meta") or {}
        version = meta.get("ab_version") or row.get("prompt_version") or "?"
        entry = per[version]
        entry["leads"].add(row["lead_id"])
        entry["turns"] += 1
        entry["l4"] += row.get("layer") == "L4"
        entry["violations"] += len(meta.get("guard_violations") or [])
        entry["tokens"] += int(row.get("tokens_in") or 0) + int(row.get("tokens_out") or 0)
        if row.get("stage") in _FUNNEL_DONE:
            entry["done"].add(row["lead_id"])
    return [
        {
            "version": version,
            "leads": len(v["leads"]),
            "turns": v["turns"],
            "l4_share": round(v["l4"] / v["turns"], 3) if v["turns"] else 0.0,
            "guard_violations": v["violations"],
            "tokens": v["tokens"],
            "qualified_or_beyond": len(v["done"]),
        }
        for version, v in sorted(per.items())
    ]
