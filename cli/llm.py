"""CLI of the language-model layer: `silvia doctor`, `silvia prompts list|show|diff|metrics`,
`silvia report costs`, and the model path of `silvia intent --llm`."""

from __future__ import annotations

import asyncio
import difflib
import json
import re
from typing import Annotated, Any

import typer

from agent.ports import LanguageModelError
from agent.replies.templates import PromptBook, TemplateError
from cli.kpis import ranked_versions
from ops.costs import cost_usd
from settings import Settings, get_settings

prompts_app = typer.Typer(
    help="Versioned prompts (prompts/): list, show, diff, metrics.", no_args_is_help=True
)


def _business_database(settings: Settings) -> Any:
    from wiring import open_business_database  # imported late: the CLI starts fast

    return open_business_database(settings)


def _model(settings: Settings) -> Any:
    from agent.llm.client import language_model_from_settings

    return language_model_from_settings(settings)


# --- silvia intent --llm ---------------------------------------------------------------------


async def classify_many(texts: list[str], settings: Settings) -> list[dict[str, Any]]:
    """Rules first; the model when they are unsure (the same decision the graph makes)."""
    from agent.llm.prompts import default_llm_book
    from agent.understanding.intent import classify
    from agent.understanding.llm import needs_model, understand_with_model

    model, book, out = _model(settings), default_llm_book(), []
    for text in texts:
        rules = classify(text)
        row: dict[str, Any] = {**rules.to_dict(), "source": "rules"}
        if model is not None and needs_model(rules, text, True, settings.llm_min_confidence):
            understood, faq_fit, usage, failure = await understand_with_model(model, book, text, rules)
            row = {**understood.to_dict(), "source": "rules" if failure else "model", "faq_fit": faq_fit}
            if failure:
                row["model_failure"] = failure
            if usage is not None:
                row["usage"] = usage.model_dump()
        out.append(row)
    return out


# --- silvia doctor -----------------------------------------------------------------------------


def doctor() -> None:
    """Which model and base URL Sílvia uses, and one test call (exit 1 when it fails)."""
    from agent.llm.client import OpenAIChatModel

    settings = get_settings()
    model: OpenAIChatModel | None = _model(settings)
    if model is None:
        typer.echo("language model: off (no OPENAI_API_KEY) - templates and local rules only")
        return
    typer.echo(f"language model: {model.model}\nbase URL: {model.base_url}")
    typer.echo(f"time budget: {model.budget:.1f}s, breaker after {model.breaker.threshold} failures")
    system = "Você é um teste de conexão. Responda só: ok"

    async def probe() -> list[str]:
        from agent.understanding.llm import ModelUnderstanding

        lines = []
        reply = await model.complete(system, [("user", "ping")])
        usage = reply.usage
        lines.append(f"test call: ok in {usage.latency_ms} ms ({usage.tokens_in}+{usage.tokens_out} tokens)")
        data = await model.structured("Classifique em JSON.", [("user", "oi")], ModelUnderstanding)
        lines.append(f"structured output: {data.usage.method}")
        return lines

    try:
        for line in asyncio.run(probe()):
            typer.echo(line)
    except LanguageModelError as exc:
        typer.echo(f"test call: FAILED ({exc.kind}: {exc.detail})")
        raise typer.Exit(1) from exc


# --- silvia report costs -------------------------------------------------------------------------


async def _rows(days: int) -> list[dict[str, Any]]:
    from storage.llm_usage import interactions_since

    async with _business_database(get_settings()) as sessions:
        return await interactions_since(sessions, days)


def costs_report(
    days: Annotated[int, typer.Option(help="How many days back")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """Model calls, tokens, model time and US$ per day and model (from lead_interactions)."""
    from storage.llm_usage import costs_per_day

    rows = costs_per_day(asyncio.run(_rows(days)), get_settings().timezone, cost_usd)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    if not rows:
        typer.echo(f"no model calls in the last {days} days")
        return
    header = ("day", "model", "turns", "calls", "tok in", "tok out", "s", "US$")
    typer.echo("{:<11} {:<22} {:>6} {:>6} {:>9} {:>9} {:>7} {:>9}".format(*header))
    for r in rows:
        typer.echo(
            f"{r['day']:<11} {r['model'][:22]:<22} {r['turns']:>6} {r['calls']:>6} {r['tokens_in']:>9} "
            f"{r['tokens_out']:>9} {r['latency_ms'] / 1000:>7.1f} {r['usd']:>9.4f}"
        )
    total_in, total_out = sum(r["tokens_in"] for r in rows), sum(r["tokens_out"] for r in rows)
    typer.echo(f"total: {total_in} tokens in, {total_out} out, US$ {sum(r['usd'] for r in rows):.4f}")


# --- silvia prompts -----------------------------------------------------------------------------


def _versions(book: Any) -> list[str]:
    return [v for v in book.versions() if re.match(r"v\d", v)]


def _version_text(version: str) -> list[str]:
    """Every template as that version renders it, plus the model settings of the version."""
    from agent.llm.prompts import default_llm_book

    book = PromptBook.load()
    if version not in _versions(book):
        raise typer.BadParameter(f"unknown version {version!r}; known: {', '.join(_versions(book))}")
    lines = [f"# llm: {json.dumps(dict(default_llm_book().options(version)), ensure_ascii=False)}"]
    families = sorted(
        {tid.split(".")[0] for tid in book.template_ids() if not tid.startswith(("error", "faq"))}
    )
    for family in families:
        try:
            text, used = book.raw(family, version)
        except TemplateError:  # a family of fixed variants only (bill.*, media.*): not versioned
            continue
        lines += [f"## {family} ({used})", *text.rstrip().splitlines(), ""]
    return lines


@prompts_app.command("list")
def list_versions() -> None:
    """Prompt versions, their A/B weight for new leads and whether the model humanises them."""
    from agent.llm.prompts import default_llm_book

    settings, book, llm = get_settings(), PromptBook.load(), default_llm_book()
    weights = settings.prompt_weights
    for version in _versions(book):
        own = sum(1 for tid in book.template_ids() if tid.endswith("." + version))
        weight = weights.get(version, 1.0 if not weights and version == settings.prompt_version else 0.0)
        humanise = "humanised" if llm.options(version).get("humanise") else "templates as written"
        typer.echo(f"{version:<18} weight {weight:<5g} {own:>2} templates  {humanise}")


@prompts_app.command("show")
def show(version: Annotated[str, typer.Argument(help="e.g. v2.0_premium")]) -> None:
    """Every template as VERSION renders it (a family without that version shows its default)."""
    typer.echo("\n".join(_version_text(version)))


@prompts_app.command("diff")
def diff(a: str, b: str) -> None:
    """Unified diff between two prompt versions."""
    lines = difflib.unified_diff(_version_text(a), _version_text(b), fromfile=a, tofile=b, lineterm="")
    typer.echo("\n".join(lines) or f"{a} and {b} render the same")


@prompts_app.command("metrics")
def metrics(days: Annotated[int, typer.Option(help="How many days back")] = 30) -> None:
    """Per A/B version, ranked by conversion then satisfaction (with n, 95 % intervals and a
    verdict: `ahead` only when the conversion intervals do not overlap), plus turns, L4 share,
    guard violations and tokens. JSON lines, best first."""
    from storage.llm_usage import metrics_per_version

    usage = {row["version"]: row for row in metrics_per_version(asyncio.run(_rows(days)))}
    ranked = ranked_versions(days)
    for row in ranked:
        typer.echo(json.dumps({**row, **usage.pop(row["version"], {})}, ensure_ascii=False))
    for version, row in usage.items():  # turns from leads who started before the window
        typer.echo(json.dumps({**row, "version": version, "rank": None}, ensure_ascii=False))
