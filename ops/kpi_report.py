"""The KPIs over a period: overall, per day, per ISO week and per prompt version (ranked).

`build_kpi_report` reads the facts once (`storage.kpis`, `storage.health_log`) and groups them; `silvia report
kpis`, the daily report, the dashboard and `silvia prompts metrics` all print this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ops.kpis import KPIS, KpiValue, compute, grouped
from ops.queries import day_window
from ops.stats import overlaps
from storage.db import Sessions
from storage.health_log import HealthLogRepository
from storage.kpis import KpiQueries, LeadFacts

Values = dict[str, KpiValue]
AVAILABILITY_CHECKS = ("mcp_", "database", "redis")


async def health_runs(
    log: HealthLogRepository, start: datetime, end: datetime
) -> list[tuple[datetime, bool]]:
    """(when, Sílvia was available) per stored health run: every MCP server, the database and
    Redis answered (slow replies or a quiet hour are quality, not availability)."""
    runs = []
    for at, checks in await log.runs_between(start, end):
        vital = [c for c in checks if str(c.get("name", "")).startswith(AVAILABILITY_CHECKS)]
        runs.append((at, bool(vital) and all(c.get("ok") for c in vital)))
    return runs


@dataclass
class KpiReport:
    since: date
    until: date  # inclusive, local days
    timezone: str
    overall: Values
    days: list[tuple[str, Values]] = field(default_factory=list)
    weeks: list[tuple[str, Values]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)  # ranked, see rank_versions

    def to_dict(self) -> dict[str, Any]:
        def plain(values: Values) -> dict[str, Any]:
            return {key: value.to_dict() for key, value in values.items()}

        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "timezone": self.timezone,
            "overall": plain(self.overall),
            "days": [{"day": day, "kpis": plain(v)} for day, v in self.days],
            "weeks": [{"week": week, "kpis": plain(v)} for week, v in self.weeks],
            "versions": [{**row, "kpis": plain(row["kpis"])} for row in self.versions],
        }


def _sort_key(values: Values) -> tuple[float, float]:
    conversion, rating = values["conversion_rate"].value, values["satisfaction"].value
    return (conversion if conversion is not None else -1.0, rating if rating is not None else -1.0)


def rank_versions(per_version: dict[str, Values]) -> list[dict[str, Any]]:
    """Versions by conversion, then satisfaction. A version is `ahead` only when its conversion
    interval lies above every other version's; otherwise the ranking is marked inconclusive."""
    ranked = sorted(per_version.items(), key=lambda item: _sort_key(item[1]), reverse=True)
    rows = []
    for version, values in ranked:
        mine = values["conversion_rate"].interval
        others = [v["conversion_rate"].interval for name, v in per_version.items() if name != version]
        ahead = (
            bool(others)
            and mine is not None
            and all(not overlaps(mine, o) and mine[0] > o[1] for o in others if o)
        )
        rows.append(
            {
                "version": version,
                "leads": values["qualification_rate"].n,
                "verdict": "ahead" if ahead else "inconclusive",
                "kpis": values,
            }
        )
    return rows


def _local_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def _week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


async def build_kpi_report(sessions: Sessions, since: date, until: date, timezone: str) -> KpiReport:
    """KPIs of the leads who started between `since` and `until` (local days, inclusive)."""
    if until < since:
        raise ValueError(f"until ({until}) is before since ({since})")
    zone = ZoneInfo(timezone)
    start, _ = day_window(since, timezone)
    _, end = day_window(until, timezone)
    queries = KpiQueries(sessions)
    leads = await queries.lead_facts(start, end)
    turns = await queries.turn_facts(start, end)
    runs = await health_runs(HealthLogRepository(sessions), start, end)
    report = KpiReport(since, until, timezone, compute(leads, turns, runs))
    lead_days = grouped(leads, lambda lead: _local_day(lead.first_at, zone))
    turn_days = grouped(turns, lambda turn: _local_day(turn.at, zone))
    run_days = grouped(runs, lambda run: _local_day(run[0], zone))
    days = [(since + timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]
    report.days = [
        (day, compute(lead_days.get(day, []), turn_days.get(day, []), run_days.get(day, []))) for day in days
    ]
    weeks = list(dict.fromkeys(_week(day) for day in days))
    report.weeks = [
        (
            week,
            compute(
                [lead for day in days if _week(day) == week for lead in lead_days.get(day, [])],
                [turn for day in days if _week(day) == week for turn in turn_days.get(day, [])],
                [run for day in days if _week(day) == week for run in run_days.get(day, [])],
            ),
        )
        for week in weeks
    ]
    by_version: dict[str, list[LeadFacts]] = grouped(leads, lambda lead: lead.version)
    turns_by_version = grouped(turns, lambda turn: turn.version)
    report.versions = rank_versions(
        {
            version: compute(group, turns_by_version.get(version, []), None)
            for version, group in by_version.items()
        }
    )
    return report


KPI_ORDER = [kpi.key for kpi in KPIS]
