"""How long the eval suite takes: the whole dataset replayed embedded, and the promptfoo test generator.

.venv/bin/python benchmarks/eval_suite.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.dataset import load_conversations
from evals.promptfoo_tests import generate_tests
from evals.runner import RunOptions, run_eval


def main() -> None:
    started = time.perf_counter()
    conversations = load_conversations()
    loaded = time.perf_counter() - started
    run = asyncio.run(run_eval(conversations, RunOptions()))
    turns = run["summary"]["turns"]
    started = time.perf_counter()
    tests = generate_tests({"mode": "live", "salt": "bench"})
    generated = time.perf_counter() - started
    k = run["kpis"]
    print(f"dataset: {len(conversations)} conversations, {turns} turns, loaded in {loaded * 1000:.0f} ms")
    print(f"embedded replay + grading: {run['duration_s']:.1f} s ({turns / run['duration_s']:.1f} turns/s)")
    p50, p95, top = k["latency_p50_ms"], k["latency_p95_ms"], k["latency_max_ms"]
    print(f"turn latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {top:.0f} ms")
    print(f"promptfoo generator: {len(tests)} tests in {generated * 1000:.0f} ms")


if __name__ == "__main__":
    main()
