"""Layer-2 speed: milliseconds per message of the local intent rules (target < 100 ms, seed L2).

Run: .venv/bin/python benchmarks/intent_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from agent.intent import classify, evaluate

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main() -> None:
    lines = (DATA / "intents_labelled.tsv").read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t")[0] for line in lines]
    start = time.perf_counter()
    for text in texts:
        classify(text)
    cold_ms = (time.perf_counter() - start) / len(texts) * 1000
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for text in texts:
            classify(text)
        samples.append((time.perf_counter() - start) / len(texts) * 1000)
    print(f"messages: {len(texts)}")
    print(f"cold:  {cold_ms:.3f} ms/message")
    print(f"warm:  {statistics.median(samples):.3f} ms/message (median of 5 passes; target < 100 ms)")
    for name in ("intents_labelled.tsv", "intents_heldout.tsv"):
        result = evaluate(DATA / name)
        print(f"accuracy {name}: {result['accuracy']:.3f} over {result['n']}")


if __name__ == "__main__":
    main()
