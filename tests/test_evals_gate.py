"""The eval suite's deterministic gate: the whole dataset on the embedded default, and a broken
prompt version that must fail it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agent.replies.templates import PROMPTS_DIR
from cli.main import app
from evals.assertions import SUPPORTED, evaluate
from evals.dataset import Assertion, load_conversations

runner = CliRunner()


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", *args])
    return result.exit_code, result.output


def test_dataset_covers_what_the_issue_asks_for() -> None:
    conversations = load_conversations()
    assert len(conversations) >= 60
    tags = {t for c in conversations for t in c.tags}
    for needed in (
        "premium",
        "not-served",
        "bill",
        "opt-out",
        "injection",
        "abuse",
        "restart",
        "slang",
        "objection",
    ):
        assert needed in tags, needed
    stages = {t.expect.stage for c in conversations for t in c.turns if t.expect.stage}
    assert {"new", "greeted", "plans_presented", "document_requested", "document_received",
            "not_qualified", "handed_off", "opted_out"} <= stages  # fmt: skip
    intents = {t.expect.intent for c in conversations for t in c.turns if t.expect.intent}
    assert len(intents) == 17
    used = {a.type for c in conversations for t in c.turns for a in t.expect.assertions}
    assert used <= SUPPORTED


def test_whole_dataset_passes_the_deterministic_gate(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    code, output = run_cli("run", "--out", str(out), "--runs-dir", str(tmp_path / "runs"))
    assert code == 0, output
    run = json.loads(out.read_text(encoding="utf-8"))
    assert run["summary"]["played"] == len(load_conversations()) and run["summary"]["skipped"] == 0
    assert run["kpis"]["persona_rules"] == 1.0 and run["kpis"]["grounded_numbers"] == 1.0
    assert run["kpis"]["stages"] >= 0.95 and run["kpis"]["assertions"] >= 0.95
    assert all(g["passed"] is not False for g in run["gates"])
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "<svg" in html and "Gates" in html and "http" not in html.split("<body>")[1].split("Failing")[0]
    assert "Metrics" in output and "Conversations" in output


def broken_prompts(tmp_path: Path) -> Path:
    """A copy of prompts/ with a v9_broken version of the greeting and the plans message."""
    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, target)
    path = target / "serena_prompts.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = (
        "**OLÁ {first_name}**!!! 🔥🔥🔥🔥 Como uma IA, garanto 95% de desconto e R$ 9.999 por ano em {city}!"
    )
    data["templates"]["greeting"]["v9_broken"] = bad
    data["templates"]["estimate"]["v9_broken"] = bad
    data["templates"]["plan_presentation"]["v9_broken"] = bad + "\n{plan_lines}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize("subset", ["funnel.yaml"])
def test_broken_prompt_version_fails_the_gate_and_loses_the_comparison(tmp_path: Path, subset: str) -> None:
    dataset = str(Path("evals/datasets") / subset)
    prompts = broken_prompts(tmp_path)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    common = ["--prompts-dir", str(prompts), "--runs-dir", str(tmp_path / "runs")]
    code, output = run_cli("run", dataset, "--out", str(good), "--prompt-version", "v2.0_casual", *common)
    assert code == 0, output
    code, output = run_cli("run", dataset, "--out", str(bad), "--prompt-version", "v9_broken", *common)
    assert code == 1, output
    run = json.loads(bad.read_text(encoding="utf-8"))
    failed = {g["kpi"] for g in run["gates"] if g["passed"] is False}
    assert "persona_rules" in failed  # the guard caught every broken message
    assert run["kpis"]["assertions"] < 0.95
    assert "guard intercepted" in output
    code, output = run_cli("compare", str(good), str(bad))
    assert code == 0 and "Winner: A" in output and "broken" in output


def test_bad_dataset_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "conversations:\n  - id: x\n    scenario: s\n    expected_outcome: o\n"
        "    turns:\n      - {lead: oi, media: audio}\n",
        encoding="utf-8",
    )
    code, output = run_cli("run", str(bad), "--runs-dir", str(tmp_path))
    assert code == 2 and "exactly one of" in output
    code, output = run_cli("run", str(tmp_path / "missing.yaml"), "--runs-dir", str(tmp_path))
    assert code == 2 and "no such dataset" in output


@pytest.mark.parametrize(
    ("kind", "value", "output", "passed"),
    [
        ("icontains", "MARIA", "Oi Maria!", True),
        ("not-icontains", "maria", "Oi Maria!", False),
        ("contains-any", ["x", "Oi"], "Oi Maria!", True),
        ("icontains-all", ["oi", "ana"], "Oi Maria!", False),
        ("regex", r"\d+% de desconto", "15% de desconto", True),
        ("not-regex", r"50\s?%", "15% de desconto", True),
        ("equals", "", "", True),
        ("starts-with", "Oi", "Oi Maria!", True),
        ("word-count", {"min": 1, "max": 2}, "Oi Maria!", True),
    ],
)
def test_promptfoo_assertion_types(kind: str, value: object, output: str, passed: bool) -> None:
    assert evaluate(Assertion(type=kind, value=value), output).passed is passed


def test_unsupported_assertion_fails_loudly() -> None:
    result = evaluate(Assertion(type="llm-rubric", value="is polite"), "Oi!")
    assert not result.passed and "unsupported" in result.reason
