"""The HTML report of a run: gates, scores per prompt version, KPI charts across past runs
(inline SVG, works offline), and every failing turn with its transcript."""

from __future__ import annotations

from html import escape
from typing import Any

from evals.console import PERCENT_KPIS, _turn_failures, fmt

CHART_KPIS = (
    "persona_rules",
    "grounded_numbers",
    "stages",
    "intents",
    "assertions",
    "latency_p95_ms",
    "persona",
    "relevance",
    "retention",
    "completeness",
)

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:4px 8px;text-align:left}
th{background:#f3f5f8}.pass{color:#0a7a3b;font-weight:600}.fail{color:#b42318;font-weight:600}
.muted{color:#778}.charts{display:flex;flex-wrap:wrap;gap:14px}.chart{border:1px solid #dde;padding:6px}
.turn{border-left:3px solid #dde;margin:6px 0;padding:2px 10px}.turn.bad{border-color:#b42318}
.lead{color:#2a4d8f}.bot{white-space:pre-wrap;background:#f6f8f6;padding:4px 8px;margin:2px 0}
.why{color:#b42318}
"""


def _status(passed: bool | None) -> str:
    if passed is None:
        return '<span class="muted">not measured</span>'
    return '<span class="pass">pass</span>' if passed else '<span class="fail">FAIL</span>'


def sparkline(name: str, points: list[tuple[str, float]], width: int = 260, height: int = 120) -> str:
    """One KPI across runs as an inline SVG line chart."""
    pad = 28
    values = [v for _, v in points]
    lo, hi = (0.0, 1.0) if name in PERCENT_KPIS else (0.0, max(values) * 1.15 or 1.0)
    span = (hi - lo) or 1.0
    step = (width - 2 * pad) / max(1, len(points) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v - lo) / span * (height - 2 * pad)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2a4d8f"><title>{escape(run)}: '
        f"{escape(fmt(name, v))}</title></circle>"
        for (x, y), (run, v) in zip(coords, points, strict=True)
    )
    last = fmt(name, values[-1])
    return (
        f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="{escape(name)}">'
        f'<text x="6" y="14" font-size="12">{escape(name)} · last {escape(last)}</text>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#ccd"/>'
        f'<text x="2" y="{height - pad + 4}" font-size="9">{escape(fmt(name, lo))}</text>'
        f'<text x="2" y="{pad + 4}" font-size="9">{escape(fmt(name, hi))}</text>'
        f'<polyline fill="none" stroke="#2a4d8f" stroke-width="2" points="{path}"/>{dots}</svg>'
    )


def _charts(history: list[dict[str, Any]]) -> str:
    charts = []
    for name in CHART_KPIS:
        points = [(r["run_id"], r["kpis"][name]) for r in history if r["kpis"].get(name) is not None]
        if points:
            charts.append(sparkline(name, points))
    return f'<div class="charts">{"".join(charts)}</div>' if charts else "<p>No history yet.</p>"


def _versions(run: dict[str, Any]) -> str:
    versions = list(run["by_version"])
    names = [k for k in run["kpis"] if not k.startswith("latency_max")]
    head = "".join(f"<th>{escape(v)}</th>" for v in versions)
    rows = "".join(
        f"<tr><td>{escape(k)}</td>"
        + "".join(f"<td>{escape(fmt(k, run['by_version'][v].get(k)))}</td>" for v in versions)
        + "</tr>"
        for k in names
    )
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"


def _transcript(conv: dict[str, Any]) -> str:
    parts = [f"<h3>{escape(conv['id'])} <span class='muted'>{escape(conv['title'])}</span></h3>"]
    parts.append(f"<p class='muted'>{escape(conv['scenario'])}</p>")
    for turn in conv["turns"]:
        why = _turn_failures(turn)
        cls = "turn" if turn["passed"] else "turn bad"
        meta = (
            f"stage {turn['stage']} · intent {turn['intent']} · {turn['layer']} · {turn['latency_ms']:.0f} ms"
        )
        bot = "".join(f"<div class='bot'>{escape(r)}</div>" for r in turn["replies"])
        reasons = "".join(f"<div class='why'>✗ {escape(w)}</div>" for w in why)
        parts.append(
            f"<div class='{cls}'><div class='lead'>Lead: {escape(turn['input'])}</div>{bot}"
            f"<div class='muted'>{escape(meta)}</div>{reasons}</div>"
        )
    for metric, score in conv.get("judged", {}).items():
        text = score.get("error") or score.get("reason") or ""
        value = fmt(metric, score.get("score"))
        parts.append(f"<div class='muted'>{escape(metric)}: {escape(value)} {escape(text)}</div>")
    return "".join(parts)


def _gate_status(gate: dict[str, Any]) -> str:
    """A gate that does not count says why (e.g. "judge not trusted (kappa 0.12)")."""
    if gate.get("note"):
        return f'<span class="muted">{escape(gate["note"])}</span>'
    return _status(gate["passed"])


def render_html(run: dict[str, Any], history: list[dict[str, Any]]) -> str:
    s = run["summary"]
    gates = "".join(
        f"<tr><td>{escape(g['kpi'])}</td><td>{escape(g['op'])} {escape(fmt(g['kpi'], g['threshold']))}</td>"
        f"<td>{escape(fmt(g['kpi'], g['value']))}</td><td>{_gate_status(g)}</td></tr>"
        for g in run["gates"]
    )
    convs = "".join(
        f"<tr><td>{escape(c['id'])}</td><td>{escape(c['prompt_version'] or '')}</td><td>"
        + (
            "<span class='muted'>skipped: " + escape(c["skipped"]) + "</span>"
            if c["skipped"]
            else _status(c["passed"])
        )
        + f"</td><td>{sum(t['passed'] for t in c['turns'])}/{len(c['turns'])}</td></tr>"
        for c in run["conversations"]
    )
    failing = [c for c in run["conversations"] if not c["passed"] and not c["skipped"]]
    failures = "".join(_transcript(c) for c in failing) or "<p class='pass'>No failing turns.</p>"
    verdict = _status(run["gates_passed"])
    judge = str((run.get("judge") or {}).get("model", "none"))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sílvia eval {escape(run["run_id"])}</title><style>{STYLE}</style></head><body>
<h1>Sílvia eval · {escape(run["run_id"])} · gates {verdict}</h1>
<p class="muted">target {escape(str(run["target"]))} · judge {escape(judge)} · {s["played"]} conversations
 ({s["skipped"]} skipped), {s["turns"]} turns, {s["passed"]} passed · {run["duration_s"]} s</p>
<h2>Gates</h2><table><tr><th>kpi</th><th>gate</th><th>value</th><th>status</th></tr>{gates}</table>
<h2>Scores per prompt version</h2>{_versions(run)}
<h2>KPIs across runs</h2>{_charts(history)}
<h2>Failing turns</h2>{failures}
<h2>Conversations</h2>
<table><tr><th>id</th><th>version</th><th>status</th><th>turns ok</th></tr>{convs}</table>
</body></html>"""
