"""The daily report as an HTML page with inline SVG charts, and as a Slack message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ops.charts import bar_chart, funnel_chart
from ops.kpi_view import kpi_slack_text, trend_chart
from ops.report import DailyReport

# Autoescape: lead text and names end up in these pages.
TEMPLATES = Environment(loader=PackageLoader("ops", "templates"), autoescape=select_autoescape(["html"]))

STAGE_LABELS = {
    "new": "novo",
    "greeted": "saudado",
    "plans_presented": "planos apresentados",
    "plan_selected": "plano escolhido",
    "document_requested": "conta pedida",
    "document_received": "conta recebida",
    "qualified": "qualificado",
    "not_qualified": "não qualificado",
    "registered": "cadastrado",
    "handed_off": "com especialista",
    "opted_out": "saiu da lista",
    "lost": "perdido",
}


def local_time(value: datetime | str | None, timezone: str) -> str:
    """`25/11 14:05` in the business time zone (what the team reads), from a datetime or ISO text."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m %H:%M")


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}".replace(".", ",")


def report_charts(report: DailyReport) -> dict[str, Markup]:
    layers = report.latency.get("layers", {})
    return {
        "funnel": Markup(
            funnel_chart({STAGE_LABELS.get(k, k): v for k, v in report.funnel.items()}, title="Funil do dia")
        ),
        "stages": Markup(
            bar_chart(
                [(STAGE_LABELS.get(k, k), float(v)) for k, v in report.leads_per_stage.items()],
                title="Leads por etapa (agora)",
            )
        ),
        "latency": Markup(
            bar_chart(
                [(layer, round(v["avg_ms"], 1)) for layer, v in layers.items()],
                title="Tempo médio por camada",
                unit=" ms",
            )
        ),
        "intents": Markup(
            bar_chart([(k, float(v)) for k, v in report.top_intents], title="Principais intenções")
        ),
    }


def render_daily_html(report: DailyReport) -> str:
    return TEMPLATES.get_template("daily_report.html").render(
        r=report, charts=report_charts(report), ms=ms, pct=pct, stage_labels=STAGE_LABELS, trend=trend_chart
    )


def write_daily_html(report: DailyReport, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"daily-{report.day.isoformat()}.html"
    path.write_text(render_daily_html(report), encoding="utf-8")
    return path


def daily_report_payload(report: DailyReport, link: str | None = None) -> dict[str, Any]:
    """The seed's Slack report, as Block Kit."""
    lat = report.latency
    title = f"📊 Relatório Diário - Sílvia SDR ({report.day.strftime('%d/%m/%Y')})"
    conv = " · ".join(
        f"{STAGE_LABELS.get(a, a)}→{STAGE_LABELS.get(b, b)} {pct(r)}"
        for a, b, r in report.conversions[1:]
        if r is not None
    )
    followups = (
        ", ".join(f"{k}: {v['answered']}/{v['sent']}" for k, v in report.followups.items()) or "nenhum"
    )
    fields = [
        f"*Leads novos:*\n{report.new_leads}",
        f"*Leads ativos:*\n{report.active_leads}",
        f"*Qualificados:*\n{report.qualified}",
        f"*Cadastrados:*\n{report.registered}",
        f"*Com especialista:*\n{report.handed_off}",
        f"*Saíram da lista:*\n{report.opt_outs}",
        f"*Tempo médio / p95:*\n{ms(lat.get('avg_ms'))} / {ms(lat.get('p95_ms'))}",
        f"*Cache (L1):*\n{pct(lat.get('cache_hit_rate'))}",
        f"*Custo LLM:*\nUS$ {report.llm_cost_usd:.4f}",
        f"*Erros:*\n{report.errors}",
    ]
    intents = ", ".join(f"{k} ({v})" for k, v in report.top_intents) or "—"
    objections = ", ".join(f"{k} ({v})" for k, v in report.top_objections) or "—"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Conversão:* {conv or '—'}"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Intenções:* {intents}\n*Objeções:* {objections}\n"
                f"*Follow-ups (respondidos/enviados):* {followups}",
            },
        },
    ]
    if report.kpis:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": kpi_slack_text(report.kpis)[:2900]}}
        )
    if (lat.get("avg_ms") or 0) > 1000:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "⚠️ Atenção: tempo de resposta acima do ideal"},
            }
        )
    if link:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|Relatório completo>"}]}
        )
    return {"text": title, "blocks": blocks}
