"""`silvia eval run|compare|record`: the eval suite's commands (mounted by cli/main.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from evals.compare import compare_runs, print_comparison
from evals.console import print_judge_check, print_run
from evals.report_html import render_html
from settings import get_settings

eval_app = typer.Typer(help="Grade Sílvia on recorded and hand-written conversations.", no_args_is_help=True)


@eval_app.command("run")
def run_command(
    datasets: Annotated[
        list[Path] | None, typer.Argument(help="Dataset files or folders (default: evals/datasets)")
    ] = None,
    target: Annotated[
        str, typer.Option(help="embedded, or the base URL of a running `silvia serve`")
    ] = "embedded",
    recorded: Annotated[
        bool, typer.Option("--recorded", help="Score the recorded replies as they are")
    ] = False,
    prompt_version: Annotated[
        str | None, typer.Option(help="Prompt version for the leads (default: settings)")
    ] = None,
    prompts_dir: Annotated[Path | None, typer.Option(help="Alternative prompts/ folder (embedded)")] = None,
    judge_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible judge URL, e.g. http://127.0.0.1:8000/v1")
    ] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge model name")] = None,
    judge_api_key: Annotated[str, typer.Option(envvar="JUDGE_API_KEY", help="Judge API key")] = "not-needed",
    judge_metrics: Annotated[
        str | None,
        typer.Option(help="Comma-separated: persona,relevance,retention,completeness,persona_geval"),
    ] = None,
    judge_calibration: Annotated[
        Path | None,
        typer.Option(help="Labelled set the judge is checked on first (default: evals/calibration)"),
    ] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only these conversation ids")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the JSON result here")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write the HTML report here (default: next to the JSON)")
    ] = None,
    runs_dir: Annotated[
        Path | None, typer.Option(help="History of runs, for charts and compare (default: .silvia/evals)")
    ] = None,
    kpis: Annotated[Path | None, typer.Option(help="KPI gates file (default: evals/kpis.yaml)")] = None,
    label: Annotated[str, typer.Option(help="A label added to the run id")] = "",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every failing turn")] = False,
) -> None:
    """Replay conversations, grade them, print tables, write JSON + HTML; exit 1 if a KPI gate fails."""
    from evals.dataset import load_conversations
    from evals.judge import DEFAULT_METRICS, JudgeConfig
    from evals.kpis import KPIS_FILE
    from evals.runner import DEFAULT_RUNS_DIR, RunOptions, past_runs, run_eval, write_run

    logging.basicConfig(level=logging.ERROR)
    if bool(judge_base_url) != bool(judge_model):
        raise typer.BadParameter("--judge-base-url and --judge-model go together")
    try:
        conversations = load_conversations(datasets or None)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if only:
        conversations = [c for c in conversations if c.id in set(only)]
        if not conversations:
            raise typer.BadParameter(f"no conversation with id {only}")
    judge = None
    if judge_base_url and judge_model:
        metrics = tuple(m.strip() for m in judge_metrics.split(",")) if judge_metrics else DEFAULT_METRICS
        judge = JudgeConfig(judge_base_url, judge_model, judge_api_key, metrics)
    options = RunOptions(
        target="recorded" if recorded else target,
        prompt_version=prompt_version,
        prompts_dir=prompts_dir,
        judge=judge,
        kpis_file=kpis or KPIS_FILE,
        label=label,
        datasets=[str(p) for p in datasets or []] or ["evals/datasets"],
    )
    if judge_calibration:
        options.calibration_file = judge_calibration
    try:
        run = asyncio.run(run_eval(conversations, options))
    except (ConnectionError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    runs_dir = runs_dir or DEFAULT_RUNS_DIR
    json_path = write_run(run, runs_dir, out)
    html_path = html or json_path.with_suffix(".html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(run, past_runs(runs_dir)), encoding="utf-8")
    print_run(run, typer.echo, verbose)
    typer.echo(f"\nJSON: {json_path}\nHTML: {html_path}")
    if not run["gates_passed"]:
        typer.echo("KPI gate failed.", err=True)
        raise typer.Exit(1)


@eval_app.command("judge-check")
def judge_check_command(
    judge_base_url: Annotated[
        str, typer.Option(help="OpenAI-compatible judge URL, e.g. http://127.0.0.1:8000/v1")
    ],
    judge_model: Annotated[str, typer.Option(help="Judge model name")],
    judge_api_key: Annotated[str, typer.Option(envvar="JUDGE_API_KEY", help="Judge API key")] = "not-needed",
    calibration: Annotated[
        Path | None, typer.Option(help="Labelled set (default: evals/calibration/judge_set.yaml)")
    ] = None,
    kpis: Annotated[Path | None, typer.Option(help="KPI file with judge.min_kappa")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where checks are cached (default: .silvia/judge-checks)")
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ignore a cached check")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds per judged metric and conversation")] = 120.0,
    concurrency: Annotated[int, typer.Option(help="Conversations judged at once")] = 4,
    sample: Annotated[
        int | None,
        typer.Option(min=1, help="Judge only N good and N bad conversations per metric (slow judges)"),
    ] = None,
    metrics: Annotated[
        str, typer.Option(help="Comma-separated judged metrics to check (default: all three)")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the check as JSON")] = False,
) -> None:
    """Grade the judge on the labelled calibration set: accuracy, Cohen's kappa and confusion
    counts per judged metric, and whether judged KPIs will trust it. Exit 1 if any is untrusted."""
    from evals.judge import JudgeConfig
    from evals.judge_calibration import CALIBRATED, CALIBRATION_FILE, check_judge
    from evals.kpis import KPIS_FILE, load_min_kappa
    from evals.runner import DEFAULT_RUNS_DIR

    logging.basicConfig(level=logging.ERROR)
    cache_dir = cache_dir or DEFAULT_RUNS_DIR.parent / "judge-checks"
    config = JudgeConfig(
        judge_base_url, judge_model, judge_api_key, timeout_s=timeout, concurrency=concurrency
    )
    try:
        check = asyncio.run(
            check_judge(
                config, cache_dir, load_min_kappa(kpis or KPIS_FILE),
                path=calibration or CALIBRATION_FILE, refresh=refresh, sample=sample,
                metrics=tuple(m.strip() for m in metrics.split(",") if m.strip()) or CALIBRATED,
            )
        )  # fmt: skip
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(check, indent=1))
    else:
        print_judge_check(check, typer.echo)
    if not all(m["trusted"] for m in check["metrics"].values()):
        raise typer.Exit(1)


@eval_app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="JSON result of run A")],
    run_b: Annotated[Path, typer.Argument(help="JSON result of run B")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON")] = False,
) -> None:
    """What got better or worse from A to B, per metric and per conversation."""
    from evals.runner import load_run

    diff = compare_runs(load_run(run_a), load_run(run_b))
    if as_json:
        typer.echo(json.dumps(diff, ensure_ascii=False, indent=1))
    else:
        print_comparison(diff, typer.echo)


@eval_app.command("record")
def record_command(
    since: Annotated[str, typer.Option(help="First day to export (YYYY-MM-DD)")],
    out: Annotated[Path, typer.Option(help="Dataset YAML to write")],
    database_url: Annotated[
        str | None, typer.Option(help="Database (default: DATABASE_URL / embedded)")
    ] = None,
    salt: Annotated[
        str | None, typer.Option(help="Secret for the pseudonyms (default: random per export)")
    ] = None,
    min_turns: Annotated[int, typer.Option(help="Skip conversations shorter than this")] = 1,
) -> None:
    """Export real conversations from lead_interactions as an anonymised eval dataset."""
    from evals.record import record_conversations

    try:
        day = date.fromisoformat(since)
    except ValueError as exc:
        raise typer.BadParameter(f"--since must be YYYY-MM-DD, got {since!r}") from exc
    url = database_url or get_settings().effective_database_url
    count = asyncio.run(record_conversations(url, day, out, salt=salt, min_turns=min_turns))
    typer.echo(f"{count} conversations written to {out} (anonymised)")
