"""`silvia eval run`: replay conversations on a target, grade them, judge them, gate the KPIs."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.dataset import Conversation
from evals.grading import ConversationResult, grade_conversation
from evals.judge import JudgeConfig, judge_conversations
from evals.judge_calibration import CALIBRATION_FILE, check_judge, untrusted_metrics
from evals.kpis import KPIS_FILE, check_gates, compute_kpis, kpis_by_version, load_gates, load_min_kappa
from evals.targets import EmbeddedTarget, HttpTarget, RecordedTarget, Target

DEFAULT_RUNS_DIR = Path(".silvia") / "evals"


@dataclass
class RunOptions:
    target: str = "embedded"  # "embedded", "recorded" or a base URL of `silvia serve`
    prompt_version: str | None = None
    prompts_dir: Path | None = None  # an alternative prompts/ folder (embedded only)
    judge: JudgeConfig | None = None
    kpis_file: Path = KPIS_FILE
    label: str = ""
    datasets: list[str] = field(default_factory=list)
    judge_checks_dir: Path = DEFAULT_RUNS_DIR.parent / "judge-checks"  # cached calibrations of judges
    calibration_file: Path = CALIBRATION_FILE  # the labelled set the judge is checked on first


async def play_all(
    conversations: list[Conversation], target: Target, version: str | None
) -> list[ConversationResult]:
    results = []
    for conv in conversations:
        if reason := target.unsupported(conv):
            results.append(ConversationResult.of(conv, version, skipped=reason))
            continue
        outputs = await target.play(conv, version)
        results.append(grade_conversation(conv, outputs, conv.prompt_version or version))
    return results


async def _play(conversations: list[Conversation], options: RunOptions) -> list[ConversationResult]:
    if options.target == "embedded":
        env = {"SILVIA_PROMPT_VERSION": options.prompt_version} if options.prompt_version else {}
        async with EmbeddedTarget(prompts_dir=options.prompts_dir, **env) as target:
            return await play_all(conversations, target, options.prompt_version)
    if options.target == "recorded":
        return await play_all(conversations, RecordedTarget(), options.prompt_version)
    if options.target.startswith(("http://", "https://")):
        target = HttpTarget(options.target, api_key=os.environ.get("SILVIA_API_KEY") or None)
        await target.check()
        return await play_all(conversations, target, options.prompt_version)
    raise ValueError(f"unknown target {options.target!r}: use embedded, recorded or an http(s) URL")


def _run_id(started: datetime, options: RunOptions) -> str:
    target = (
        "embedded"
        if options.target == "embedded"
        else ("recorded" if options.target == "recorded" else "http")
    )
    parts = [started.strftime("%Y%m%dT%H%M%S%f")[:-3], target, options.prompt_version or "default"]
    if options.label:
        parts.append(options.label)
    return "-".join(p.replace("/", "_") for p in parts)


async def run_eval(conversations: list[Conversation], options: RunOptions) -> dict[str, Any]:
    """Everything one run produces, as the JSON document the reports are made from."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    results = await _play(conversations, options)
    calibration = None
    if options.judge:
        # The judge grades the labelled set first (cached): an untrusted metric gates nothing.
        min_kappa = load_min_kappa(options.kpis_file)
        calibration = await check_judge(
            options.judge, options.judge_checks_dir, min_kappa, path=options.calibration_file
        )
        await judge_conversations(results, options.judge)
    kpis = compute_kpis(results)
    gates = check_gates(
        kpis, load_gates(options.kpis_file), options.judge is not None, untrusted_metrics(calibration)
    )
    played = [r for r in results if r.skipped is None]
    return {
        "run_id": _run_id(started, options),
        "label": options.label,
        "started_at": started.isoformat(),
        "duration_s": round(time.perf_counter() - clock, 2),
        "target": options.target,
        "prompt_version": options.prompt_version,
        "datasets": options.datasets,
        "judge": None
        if options.judge is None
        else {"base_url": options.judge.base_url, "model": options.judge.model, "calibration": calibration},
        "summary": {
            "conversations": len(results),
            "played": len(played),
            "skipped": len(results) - len(played),
            "passed": sum(r.passed for r in played),
            "turns": sum(len(r.turns) for r in played),
        },
        "kpis": kpis,
        "gates": [g.to_dict() for g in gates],
        "gates_passed": all(g.passed is not False for g in gates),
        "by_version": kpis_by_version(played),
        "conversations": [r.to_dict() for r in results],
    }


def write_run(run: dict[str, Any], runs_dir: Path, out: Path | None = None) -> Path:
    """The JSON result goes to `out` (if given) and always into the runs history folder."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(run, ensure_ascii=False, indent=1, default=str)
    history = runs_dir / f"{run['run_id']}.json"
    history.write_text(text, encoding="utf-8")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return out
    return history


def load_run(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def past_runs(runs_dir: Path) -> list[dict[str, Any]]:
    """Every run in the history folder, oldest first (for the KPI-over-time charts)."""
    runs = []
    for path in sorted(runs_dir.glob("*.json")):
        try:
            run = load_run(path)
        except (OSError, ValueError):
            continue
        if "kpis" in run and "started_at" in run:
            runs.append(run)
    return sorted(runs, key=lambda r: r["started_at"])
