"""What the sales team's dashboard shows, as plain data (the routes render or serialise it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.policy.followups import LeadFacts, complained, decide, next_pass, said_no
from agent.state import Stage
from ops.queries import day_window, latency_summary
from ops.report import build_daily_report
from storage.activity import ActivityQueries
from storage.db import Sessions
from storage.followups import FollowupStore
from storage.health_log import HealthLogRepository

QUEUE_LIMIT = 50


async def followup_queue(sessions: Sessions, now: datetime, timezone: str) -> list[dict[str, Any]]:
    """Leads still in play, with what the follow-up policy will do at its next pass."""
    activity = ActivityQueries(sessions)
    rows = await activity.leads_in_play(QUEUE_LIMIT)
    phones = [r["lead_id"] for r in rows]
    inbound = await activity.last_inbound(phones)
    # The lead's last words and reminder, read as the planner reads them: the queue shown is the plan.
    words = await FollowupStore(sessions).lead_words(phones)
    at = next_pass(now, timezone)
    queue = []
    for row in rows:
        stage = Stage(row["lead_stage"] or Stage.NEW)
        intent, text, reminder = words.get(row["lead_id"], (None, None, None))
        facts = LeadFacts(
            phone=row["lead_id"],
            stage=stage,
            last_inbound_at=inbound.get(row["lead_id"]),
            followup_count=row["followup_count"] or 0,
            last_followup_at=row["last_followup_date"],
            last_followup_kind=row["last_followup_type"],
            has_savings_figure=row["bill_amount"] is not None,
            said_no=said_no(stage, intent),
            complained=complained(text),
            reminder=reminder,
        )
        decision = decide(facts, at, timezone)
        queue.append(
            {
                "phone": row["lead_id"],
                "stage": facts.stage.value,
                "followups_sent": facts.followup_count,
                "next_pass": at.isoformat(timespec="minutes"),
                "action": decision.action,
                "kind": decision.kind.value if decision.kind else None,
                "reason": decision.reason,
            }
        )
    return queue


async def summary(sessions: Sessions, now: datetime, timezone: str, paused: dict[str, Any]) -> dict[str, Any]:
    """Everything the dashboard page shows at once."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    report = await build_daily_report(sessions, today, timezone)
    start, _ = day_window(today, timezone)
    activity = ActivityQueries(sessions)
    health = await HealthLogRepository(sessions).last() or {}
    live = await activity.conversations()
    for row in live:
        row["paused"] = row["lead_id"] in paused
    recent = await activity.interactions_between(now - timedelta(hours=1), now + timedelta(seconds=1))
    return {
        "now": now.isoformat(timespec="seconds"),
        "today": report.to_dict(),
        "funnel": await activity.funnel_reached(),
        "stages": await activity.stage_counts(),
        "latency_today": latency_summary(
            await activity.interactions_between(start, now + timedelta(seconds=1))
        ),
        "latency_last_hour": latency_summary(recent),
        "conversations": live,
        "followups": await followup_queue(sessions, now, timezone),
        "health": {
            "status": health.get("status", "unknown"),
            "at": health.get("at"),
            "firing": [
                {"name": name, **{k: v for k, v in check.items() if k in ("detail", "since")}}
                for name, check in (health.get("engine") or {}).get("checks", {}).items()
                if check.get("firing")
            ],
            "incident": health.get("incident"),
        },
        "paused": paused,
    }
