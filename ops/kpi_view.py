"""How the KPIs are shown: rows against target (report, dashboard), trend charts, Slack text.

`kpi_rows` turns a `KpiReport` into plain rows — the day's value and the period's value with
its n and 95 % interval, the target and whether it is met, and the per-day trend — which the
daily report keeps in its data (JSON, Slack) and the pages render with `trend_chart`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

from ops.kpi_report import KpiReport
from ops.kpis import KPIS, Kpi

KPI_PERIOD_DAYS = 30  # the daily report's KPIs cover the leads of the last 30 days
TREND_DAYS = 14


def format_value(kpi: Kpi | dict[str, Any], value: float | None) -> str:
    unit = kpi.unit if isinstance(kpi, Kpi) else kpi["unit"]
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value:.1%}".replace(".", ",")
    if unit == "score":
        return f"{value:.2f}".replace(".", ",")
    return f"{value:.0f} ms"


def _interval(kpi: Kpi, interval: tuple[float, float] | list[float] | None) -> str:
    if not interval:
        return "—"
    return f"{format_value(kpi, interval[0])} – {format_value(kpi, interval[1])}"


def kpi_rows(report: KpiReport, day: str | None = None) -> list[dict[str, Any]]:
    """One row per KPI: the day (default: the report's last), the whole period, the trend."""
    days = dict(report.days)
    day = day or report.until.isoformat()
    rows = []
    for kpi in KPIS:
        period = report.overall.get(kpi.key)
        today = days.get(day, {}).get(kpi.key)
        if period is None:
            continue
        rows.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "unit": kpi.unit,
                "seed": kpi.seed,
                "target": kpi.target,
                "direction": kpi.direction,
                "day": {"value": today.value if today else None, "n": today.n if today else 0},
                "period": {
                    "value": period.value,
                    "n": period.n,
                    "interval": list(period.interval) if period.interval else None,
                    "meets_target": period.meets_target,
                    "distribution": period.distribution,
                },
                "text": {
                    "day": format_value(kpi, today.value if today else None),
                    "period": format_value(kpi, period.value),
                    "interval": _interval(kpi, period.interval),
                    "target": kpi.seed,
                },
                "trend": [[d, values[kpi.key].value] for d, values in report.days[-TREND_DAYS:]],
            }
        )
    return rows


def trend_chart(row: dict[str, Any], width: int = 260, height: int = 70) -> Markup:
    """A small line of the KPI per day with its target dashed; days without data leave a gap."""
    points = row["trend"]
    values = [v for _, v in points if v is not None]
    target = float(row["target"])
    top = max([*values, target]) or 1.0
    bottom = min([*values, target, 0.0])
    span = (top - bottom) or 1.0
    step = width / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return 6 + (height - 12) * (1 - (value - bottom) / span)

    segments: list[list[str]] = [[]]
    for i, (_, value) in enumerate(points):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{i * step:.1f},{y(value):.1f}")
    lines = "".join(
        f'<polyline fill="none" stroke="#0b6e4f" stroke-width="2" points="{" ".join(s)}"/>'
        for s in segments
        if len(s) > 1
    )
    dots = "".join(
        f'<circle cx="{i * step:.1f}" cy="{y(v):.1f}" r="2.5" fill="#0b6e4f"><title>{escape(d)}: '
        f"{escape(format_value(row, v))}</title></circle>"
        for i, (d, v) in enumerate(points)
        if v is not None
    )
    label = escape(f"{row['label']}: tendência diária, meta {row['seed']}")
    return Markup(
        f'<svg class="trend" data-kpi="{escape(row["key"])}" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="0" x2="{width}" y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="#f78154" '
        f'stroke-dasharray="4 3"/>{lines}{dots}</svg>'
    )


def status_mark(row: dict[str, Any]) -> str:
    met = row["period"]["meets_target"]
    return "—" if met is None else ("✅" if met else "⚠️")


def kpi_slack_text(rows: list[dict[str, Any]]) -> str:
    """The KPI block of the daily Slack message (mrkdwn)."""
    lines = [
        f"{status_mark(r)} *{r['label']}:* {r['text']['period']} (n={r['period']['n']}, IC95% "
        f"{r['text']['interval']}) · meta {r['text']['target']} · hoje {r['text']['day']}"
        for r in rows
    ]
    return f"*KPIs (leads dos últimos {KPI_PERIOD_DAYS} dias):*\n" + "\n".join(lines)
