"""The seed's daily report (18:00 America/Recife): what happened on one local day.

`build_daily_report` reads the database for one day in the business time zone and returns
plain data; `ops.report_html` renders it as a page with charts and `daily_report_payload` as a
Slack message. The funnel counts the day's active leads by the furthest stage each reached.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from ops.costs import cost_usd
from ops.kpi_report import build_kpi_report
from ops.kpi_view import KPI_PERIOD_DAYS, kpi_rows
from ops.observe import followup_kind, llm_calls_of
from ops.queries import conversions, day_window, latency_summary, top
from storage.activity import ActivityQueries
from storage.db import Sessions

# Intents that are a lead's objection or doubt (what the sales team should prepare for).
OBJECTIONS = {
    "ask_price": "preço",
    "ask_trust": "confiança / é golpe?",
    "ask_contract": "contrato / fidelidade",
    "ask_installation": "instalação / obra",
    "later": "deixar para depois",
    "deny": "não tem interesse",
}


@dataclass
class DailyReport:
    day: date
    timezone: str
    new_leads: int = 0
    active_leads: int = 0
    turns: int = 0
    leads_per_stage: dict[str, int] = field(default_factory=dict)
    qualified: int = 0
    registered: int = 0
    handed_off: int = 0
    opt_outs: int = 0
    funnel: dict[str, int] = field(default_factory=dict)
    conversions: list[tuple[str, str, float | None]] = field(default_factory=list)
    latency: dict[str, Any] = field(default_factory=dict)
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    top_objections: list[tuple[str, int]] = field(default_factory=list)
    followups: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> {sent, answered}
    llm: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> calls, tokens, cost
    errors: int = 0
    kpis: list[dict[str, Any]] = field(default_factory=list)  # the business KPIs (ops.kpi_view)

    @property
    def llm_cost_usd(self) -> float:
        return sum(m["cost_usd"] for m in self.llm.values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["llm_cost_usd"] = self.llm_cost_usd
        return data


async def _followups(activity: ActivityQueries, rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Follow-ups sent in the window by kind, and how many the lead answered within 24 h."""
    sent = [r for r in rows if r["interaction_type"] == "followup" and r["message_sent"]]
    if not sent:
        return {}
    leads = {r["lead_id"] for r in sent}
    replies = await activity.lead_messages_since(leads, min(r["created_at"] for r in sent))
    result: dict[str, dict[str, int]] = {}
    for row in sent:
        kind = followup_kind(row["meta"] or {})
        entry = result.setdefault(kind, {"sent": 0, "answered": 0})
        entry["sent"] += 1
        window_end = row["created_at"] + timedelta(hours=24)
        if any(lead == row["lead_id"] and row["created_at"] < at <= window_end for lead, at in replies):
            entry["answered"] += 1
    return result


def _llm(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    totals: dict[str, dict[str, float]] = {}
    for row in rows:
        meta = dict(row["meta"] or {})
        if row["model"] and "model" not in meta:
            meta.update(model=row["model"], tokens_in=row["tokens_in"], tokens_out=row["tokens_out"])
        for call in llm_calls_of(meta):
            model, t_in, t_out = (
                str(call["model"]),
                int(call.get("tokens_in") or 0),
                int(call.get("tokens_out") or 0),
            )
            entry = totals.setdefault(model, {"calls": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0})
            entry["calls"] += 1
            entry["tokens_in"] += t_in
            entry["tokens_out"] += t_out
            entry["cost_usd"] += cost_usd(model, t_in, t_out)
    return totals


async def build_daily_report(sessions: Sessions, day: date, timezone: str) -> DailyReport:
    start, end = day_window(day, timezone)
    activity = ActivityQueries(sessions)
    rows = await activity.interactions_between(start, end)
    active = {r["lead_id"] for r in rows}
    inbound = [r for r in rows if r["message_received"]]
    report = DailyReport(day=day, timezone=timezone, active_leads=len(active), turns=len(rows))
    report.new_leads = await activity.new_leads(start, end)
    report.leads_per_stage = {k: v for k, v in (await activity.stage_counts()).items() if v}
    report.qualified = await activity.qualified(start, end)
    report.registered = await activity.registered(start, end)
    report.handed_off = await activity.first_reached("handed_off", start, end)
    report.opt_outs = sum(1 for r in rows if r["interaction_type"] == "opt_out")
    report.funnel = await activity.funnel_reached(cohort=active, until=end)
    report.conversions = conversions(report.funnel)
    report.latency = latency_summary(rows)
    report.top_intents = top(Counter(r["intent"] for r in inbound if r["intent"]))
    report.top_objections = top(
        Counter(OBJECTIONS[r["intent"]] for r in inbound if r["intent"] in OBJECTIONS)
    )
    report.followups = await _followups(activity, rows)
    report.llm = _llm(rows)
    report.errors = sum(1 for r in rows if r["success"] is False)
    report.kpis = await _kpis(sessions, day, timezone)
    return report


async def _kpis(sessions: Sessions, day: date, timezone: str) -> list[dict[str, Any]]:
    """The business KPIs of the leads of the last KPI_PERIOD_DAYS, with `day` as "today"."""
    since = day - timedelta(days=KPI_PERIOD_DAYS - 1)
    return kpi_rows(await build_kpi_report(sessions, since, day, timezone), day.isoformat())
