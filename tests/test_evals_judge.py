"""The judged path: deepeval's conversational metrics against a local OpenAI-compatible judge."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from cli.main import app
from tests.judge_server import BAD_JUDGE_MARKER, running_judge

DATASET = {
    "conversations": [
        {
            "id": "judged-ok",
            "lead": {"name": "Maria Oliveira", "city": "Recife", "state": "PE", "bill_amount": 380},
            "scenario": "A CRM lead sees the plans.",
            "expected_outcome": "She sees the plans.",
            "turns": [{"lead": "oi", "expect": {"stage": "greeted"}}, {"lead": "sim"}],
        },
        {
            "id": "judged-bad-judge",
            "lead": {"name": "Paulo"},
            "scenario": "The judge answers garbage for this one.",
            "expected_outcome": "The run reports the judge error and goes on.",
            "turns": [{"lead": f"oi, {BAD_JUDGE_MARKER}"}],
        },
    ]
}


def test_judged_run_offline_reports_a_bad_judge_instead_of_crashing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPEVAL_TELEMETRY_OPT_OUT", "1")
    monkeypatch.chdir(tmp_path)  # deepeval may write ./.deepeval
    dataset = tmp_path / "judged.yaml"
    dataset.write_text(yaml.safe_dump(DATASET, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run.json"
    with running_judge() as (url, prompts):
        result = CliRunner().invoke(
            app,
            ["eval", "run", str(dataset), "--judge-base-url", url, "--judge-model", "local-judge",
             "--out", str(out), "--runs-dir", str(tmp_path / "runs")],
        )  # fmt: skip
    assert out.exists(), (result.output, result.exception)
    run = json.loads(out.read_text(encoding="utf-8"))
    assert prompts, "deepeval never called the judge"
    ok, bad = (
        next(c for c in run["conversations"] if c["id"] == cid) for cid in ("judged-ok", "judged-bad-judge")
    )
    assert {"persona", "relevance", "retention", "completeness", "persona_geval"} <= set(ok["judged"])
    assert all(m["score"] is not None and m["error"] is None for m in ok["judged"].values())
    assert ok["judged"]["persona_geval"]["score"] == 0.9  # the judge's 9/10, normalised
    assert all(m["score"] is None and m["error"] for m in bad["judged"].values())
    assert run["kpis"]["judge_errors"] == 5
    assert run["kpis"]["relevance"] == 1.0 and run["kpis"]["persona"] == 1.0
    gates = {g["kpi"]: g for g in run["gates"]}
    # A judge that finds everything fine misses every flaw of the calibration set: not trusted.
    assert run["judge"]["calibration"]["metrics"]["relevance"]["kappa"] == 0.0
    assert gates["relevance"]["passed"] is None and "judge not trusted" in gates["relevance"]["note"]
    assert result.exit_code == 0, result.output
    assert "judge_errors" in result.output
