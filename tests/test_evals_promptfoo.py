"""The same datasets under the real promptfoo CLI and over HTTP against a `silvia serve` started here."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from evals.dataset import load_conversations
from evals.promptfoo_tests import generate_tests
from evals.targets import EVAL_MAX_BILL_BYTES

ROOT = Path(__file__).resolve().parent.parent
PROMPTFOO = ROOT / "node_modules" / ".bin" / "promptfoo"
SILVIA = Path(sys.executable).parent / "silvia"


def promptfoo_bin() -> Path:
    if not PROMPTFOO.exists():
        if os.environ.get("SILVIA_REQUIRE_SERVICES") == "1":
            pytest.fail("promptfoo is not installed: run `npm ci` (.ci/run does)")
        pytest.skip("promptfoo not installed (npm ci)")
    return PROMPTFOO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[str]:
    """A real `silvia serve` on the embedded default, in its own process."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_URL", "API_KEY")) and k != "SUPABASE_CONNECTION_STRING"
    }
    env["SILVIA_DATA_DIR"] = str(tmp_path / "serve")
    env["SILVIA_MAX_BILL_BYTES"] = str(EVAL_MAX_BILL_BYTES)  # as the embedded eval target
    proc = subprocess.Popen(
        [str(SILVIA), "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"silvia serve exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.5)
        else:
            pytest.fail("silvia serve did not become healthy")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_promptfoo(tmp_path: Path, **env: str) -> dict:
    out = tmp_path / "promptfoo.json"
    full_env = os.environ | {
        "PROMPTFOO_PYTHON": sys.executable,
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(tmp_path / "pfconfig"),
        # promptfoo makes one outside call on exit; an unroutable proxy makes it fail fast.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        **env,
    }
    command = [str(promptfoo_bin()), "eval", "-c", "evals/promptfooconfig.yaml", "--no-cache", "--no-table"]
    proc = subprocess.run(
        [*command, "-o", str(out)], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode in (0, 100), proc.stdout[-3000:] + proc.stderr[-3000:]  # 100 = some tests failed
    return json.loads(out.read_text(encoding="utf-8"))


def outcomes(report: dict) -> dict[tuple[str, int], bool]:
    return {
        (r["vars"]["conversation"], int(r["vars"]["turn"])): r["success"]
        for r in report["results"]["results"]
    }


def test_generator_keeps_one_phone_per_conversation_and_sends_every_turn_but_restarts() -> None:
    tests = generate_tests({"mode": "live", "salt": "s"})
    conversations = load_conversations()
    by_conv: dict[str, set[str]] = {}
    for t in tests:
        by_conv.setdefault(t["vars"]["conversation"], set()).add(t["vars"]["phone"])
    assert all(len(phones) == 1 for phones in by_conv.values())
    assert len({p for phones in by_conv.values() for p in phones}) == len(by_conv)
    assert set(by_conv) == {c.id for c in conversations}  # all of them, CRM-seeded and media too
    assert len(tests) == sum(1 for c in conversations for t in c.turns if not t.restart)
    first = [t for t in tests if t["vars"]["conversation"] == "first-greeting"]
    assert [t["vars"]["turn"] for t in first] == [0, 1, 2]
    assert any(a["type"] == "javascript" and "plans_presented" in a["value"] for a in first[2]["assert"])
    assert all(t["vars"]["profile"] == "" for t in first)  # a walk-in: no CRM profile
    crm = [t["vars"] for t in tests if t["vars"]["conversation"] == "funnel-recife-crm-buttons"]
    assert json.loads(crm[0]["profile"])["city"] == "Recife" and crm[1]["profile"] == ""  # first turn only
    assert any(v["button_id"] == "plan:plus" and v["message"] == "Plano Plus" for v in crm)
    bill = next(json.loads(v["media"]) for v in crm if v["media"])
    assert bill["kind"] == "document" and base64.b64decode(bill["data_base64"]).startswith(b"%PDF")


def test_promptfoo_cli_against_silvia_serve(serve: str, tmp_path: Path) -> None:
    datasets = (
        "evals/datasets/first_message.yaml,evals/datasets/abuse.yaml,evals/datasets/restarts_media.yaml"
    )
    report = run_promptfoo(tmp_path, SILVIA_URL=serve, SILVIA_EVAL_DATASETS=datasets)
    results = outcomes(report)
    assert len(results) == len(generate_tests({"datasets": datasets}))
    # Turn 2 only passes if turns 0 and 1 ran before it on the same thread.
    assert results[("first-greeting", 2)] and results[("first-opt-out", 1)]
    # A CRM-seeded lead (profile on the first turn), a bill PDF after a restart turn, other media.
    assert results[("restart-process-mid-funnel", 0)] and results[("restart-process-mid-funnel", 5)]
    assert (
        all(results[("media-sticker-location", k)] for k in (1, 2, 3)) and results[("media-audio-first", 0)]
    )
    assert sum(results.values()) / len(results) >= 0.9


def test_eval_run_http_target_against_silvia_serve(serve: str, tmp_path: Path) -> None:
    out = tmp_path / "http.json"
    result = CliRunner().invoke(
        app,
        ["eval", "run", "evals/datasets/first_message.yaml", "evals/datasets/funnel.yaml", "--target", serve,
         "--out", str(out), "--runs-dir", str(tmp_path / "runs")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text(encoding="utf-8"))
    total = len(
        load_conversations([ROOT / "evals/datasets/first_message.yaml", ROOT / "evals/datasets/funnel.yaml"])
    )
    assert run["summary"]["played"] == total and run["summary"]["skipped"] == 0  # CRM funnels and bills too
    assert run["kpis"]["stages"] >= 0.95 and run["kpis"]["turn_errors"] == 0


def test_promptfoo_scores_recorded_replies_without_a_provider(tmp_path: Path) -> None:
    dataset = tmp_path / "recorded.yaml"
    turns = [
        {"lead": "oi", "recorded": {"replies": ["Oi Ana! 😊 Sou a Sílvia da Serena Energia."]},
         "expect": {"assert": [{"type": "icontains", "value": "Sílvia"}]}},
        {"lead": "quanto custa?", "recorded": {"replies": ["Custa **muito** caro"]},
         "expect": {"assert": [{"type": "not-contains", "value": "**"}]}},
    ]  # fmt: skip
    conv = {"id": "rec-1", "scenario": "s", "expected_outcome": "o", "lead": {"name": "Ana"}, "turns": turns}
    dataset.write_text(yaml.safe_dump({"conversations": [conv]}, allow_unicode=True), encoding="utf-8")
    report = run_promptfoo(tmp_path, SILVIA_PROMPTFOO_MODE="recorded", SILVIA_EVAL_DATASETS=str(dataset))
    assert outcomes(report) == {("rec-1", 0): True, ("rec-1", 1): False}
