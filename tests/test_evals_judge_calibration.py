"""Judge calibration: a judge grades the labelled set before it grades Sílvia, and a judge that
does not agree with the labels is reported as "not trusted" instead of passing or failing her."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from evals.dataset import load_conversations
from evals.judge_calibration import (
    CALIBRATED,
    CALIBRATION_FILE,
    Agreement,
    calibration_plan,
    load_calibration,
)
from tests.judge_server import oracle_judge, random_judge, running_judge


@pytest.fixture(autouse=True)
def _offline_deepeval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPEVAL_TELEMETRY_OPT_OUT", "1")
    monkeypatch.chdir(tmp_path)  # deepeval may write ./.deepeval


def bad_replies() -> dict[str, set[str]]:
    _, conversations = load_calibration()
    bad: dict[str, set[str]] = {m: set() for m in CALIBRATED}
    for conv in conversations:
        for turn in conv.turns:
            for metric in turn.get("bad", []):
                bad[metric].add(turn["silvia"])
    return bad


def test_kappa_is_agreement_beyond_chance() -> None:
    a = Agreement("relevance", both_good=20, missed_flaw=5, false_alarm=10, both_bad=15)
    assert a.accuracy == pytest.approx(0.7)
    assert a.kappa == pytest.approx(0.4)  # chance agreement is 0.5 with these rates
    always_good = Agreement("persona", both_good=30, missed_flaw=30)
    assert always_good.accuracy == 0.5 and always_good.kappa == 0.0
    errors = Agreement("retention")
    errors.add("good", None)
    assert errors.false_alarm == 1 and errors.errors == 1  # no answer counts against the judge


def test_the_calibration_set_is_real_labelled_and_half_bad() -> None:
    _, conversations = load_calibration()
    assert len(conversations) >= 20 and sum(len(c.turns) for c in conversations) >= 60
    known = {c.id for c in load_conversations()}
    originals = {c.id for c in conversations if "--" not in c.id}
    assert originals <= known  # every conversation comes from our datasets
    flawed = [c for c in conversations if "bad" in c.labels.values()]
    assert len(flawed) * 2 == len(conversations)
    for conv in flawed:
        [metric] = [m for m, label in conv.labels.items() if label == "bad"]
        assert [t.get("bad") for t in conv.turns if t.get("bad")] == [[metric]]
        original = next(c for c in conversations if c.id == conv.id.split("--")[0])
        changed = [a for a, b in zip(conv.turns, original.turns, strict=True) if a["silvia"] != b["silvia"]]
        assert len(changed) == 1  # one deliberate edit of Sílvia's real replies
    for metric in CALIBRATED:
        assert sum(c.labels[metric] == "bad" for c in conversations) >= 6


def judge_check(url: str, *extra: str) -> tuple[int, str]:
    """`silvia eval judge-check` (cached under ./.silvia, the test's own folder)."""
    result = CliRunner().invoke(
        app, ["eval", "judge-check", "--judge-base-url", url, "--judge-model", "scripted", *extra]
    )
    return result.exit_code, result.output


def small_set(tmp_path: Path, size: int = 12) -> Path:
    """The first `size` originals and their flawed copies (a quicker set for the run test)."""
    data = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8"))
    originals = [c["id"] for c in data["conversations"] if "--" not in c["id"]][: size // 2]
    data["conversations"] = [c for c in data["conversations"] if c["id"].split("--")[0] in originals]
    path = tmp_path / "small_set.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_an_oracle_judge_is_trusted_and_the_check_is_cached(tmp_path: Path) -> None:
    with running_judge(oracle_judge(bad_replies())) as (url, prompts):
        code, output = judge_check(url)
        print(output)  # the report quoted in docs/evals.md
        assert code == 0, output
        asked = len(prompts)
        code, again = judge_check(url, "--json")
        assert len(prompts) == asked  # cached: the judge was not asked again
    check = json.loads(again)
    assert check["cached"] and check["conversations"] >= 20
    for metric in CALIBRATED:
        m = check["metrics"][metric]
        assert (m["kappa"], m["accuracy"], m["errors"]) == (1.0, 1.0, 0), (metric, m)
        assert m["trusted"] and m["both_bad"] >= 6


DATASET = {
    "conversations": [
        {
            "id": "random-judge",
            "lead": {"name": "Maria Oliveira", "city": "Recife", "state": "PE", "bill_amount": 380},
            "scenario": "A CRM lead sees the plans.",
            "expected_outcome": "She sees the plans.",
            "turns": [{"lead": "oi", "expect": {"stage": "greeted"}}, {"lead": "sim"}],
        }
    ]
}


def test_a_random_judge_is_not_trusted_and_does_not_fail_silvia(tmp_path: Path) -> None:
    dataset = tmp_path / "judged.yaml"
    dataset.write_text(yaml.safe_dump(DATASET, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run.json"
    labelled = small_set(tmp_path)
    with running_judge(random_judge(seed=3)) as (url, _):
        code, output = judge_check(url, "--calibration", str(labelled))
        assert code == 1 and "NOT trusted" in output, output
        result = CliRunner().invoke(
            app,
            ["eval", "run", str(dataset), "--judge-base-url", url, "--judge-model", "scripted",
             "--judge-metrics", "relevance,persona,retention", "--judge-calibration", str(labelled),
             "--out", str(out),
             "--runs-dir", str(tmp_path / "runs")],
        )  # fmt: skip
    run = json.loads(out.read_text(encoding="utf-8"))
    calibration = run["judge"]["calibration"]
    assert calibration["cached"]  # judge-check above already graded this judge on this set
    gates = {g["kpi"]: g for g in run["gates"]}
    for metric in CALIBRATED:
        kappa = calibration["metrics"][metric]["kappa"]
        assert kappa < 0.6
        assert gates[metric]["passed"] is None
        assert gates[metric]["note"] == f"judge not trusted (kappa {kappa:.2f})"
    assert "judge not trusted" in result.output
    # Whatever the run's verdict (a loaded machine can fail the latency gate), the judge's doesn't count.
    assert not {g["kpi"] for g in run["gates"] if g["passed"] is False} & set(CALIBRATED)
    assert run["gates_passed"] == (result.exit_code == 0)


def test_a_sample_holds_as_many_good_as_bad_conversations_per_metric() -> None:
    _, conversations = load_calibration()
    assert all(len(convs) == len(conversations) for convs in calibration_plan(conversations).values())
    plan = calibration_plan(conversations, per_label=3)
    for metric, convs in plan.items():
        labels = [c.labels[metric] for c in convs]
        assert labels.count("good") == 3 and labels.count("bad") == 3, metric
        assert len({c.id for c in convs}) == 6
    assert calibration_plan(conversations, per_label=3) == plan  # the same sample every time


def test_a_sampled_check_says_so_and_is_cached_apart(tmp_path: Path) -> None:
    with running_judge(oracle_judge(bad_replies())) as (url, prompts):
        code, output = judge_check(url, "--sample", "2")
        assert code == 0 and "Sampled: 2 good and 2 bad" in output, output
        sampled_calls = len(prompts)
        code, again = judge_check(url, "--sample", "2", "--json")
        assert len(prompts) == sampled_calls
    check = json.loads(again)
    assert check["sampled"] == 2 and check["cached"]
    assert check["conversations"] <= 3 * 4
    for metric in CALIBRATED:
        m = check["metrics"][metric]
        assert (m["n"], m["both_bad"], m["both_good"]) == (4, 2, 2), (metric, m)
    cached = sorted(p.name for p in (tmp_path / ".silvia" / "judge-checks").iterdir())
    assert len(cached) == 1 and "sample2" in cached[0]


def test_a_check_of_some_metrics_judges_only_those(tmp_path: Path) -> None:
    with running_judge(oracle_judge(bad_replies())) as (url, _):
        code, output = judge_check(url, "--sample", "1", "--metrics", "persona", "--json")
        assert code == 0, output
        assert list(json.loads(output)["metrics"]) == ["persona"]
        code, output = judge_check(url, "--metrics", "tone")
        assert code == 2 and "not calibrated metrics: ['tone']" in output
