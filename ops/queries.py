"""What the ops room computes from the rows `storage.activity.ActivityQueries` reads: local day
windows, funnel conversions, percentiles and latency summaries (in Python, so the SQL stays
portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight to local midnight, in UTC."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def conversions(reached: dict[str, int]) -> list[tuple[str, str, float | None]]:
    """(from, to, share of `from` that reached `to`) for each step of the funnel."""
    steps = list(reached.items())
    return [(a, b, (nb / na) if na else None) for (a, na), (b, nb) in pairwise(steps)]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return float(ordered[int(rank) - 1])


def answered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Interactions where Sílvia replied (the ones with a response time that means something)."""
    return [r for r in rows if r["message_sent"] and r["layer"] not in (None, "none")]


def latency_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Average and p95 response time overall and per layer, and the L1 cache hit rate."""
    replies = answered(rows)
    times = [float(r["response_time_ms"] or 0) for r in replies]
    by_layer: dict[str, list[float]] = {}
    for r in replies:
        by_layer.setdefault(r["layer"], []).append(float(r["response_time_ms"] or 0))
    return {
        "replies": len(replies),
        "avg_ms": (sum(times) / len(times)) if times else None,
        "p95_ms": percentile(times, 95),
        "cache_hit_rate": (len(by_layer.get("L1", [])) / len(replies)) if replies else None,
        "layers": {
            layer: {"count": len(v), "avg_ms": sum(v) / len(v), "p95_ms": percentile(v, 95)}
            for layer, v in sorted(by_layer.items())
        },
    }


def top(counter: Counter[str], n: int = 5) -> list[tuple[str, int]]:
    return [(k, v) for k, v in counter.most_common(n) if k]
