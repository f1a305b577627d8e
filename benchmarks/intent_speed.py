"""Layer-2 speed and accuracy of the local intent rules (speed target < 100 ms/message, seed L2).

Speed is CPU time per message over every message of the labelled sets (so a busy shared machine
inflates it less than wall time): the first pass (cold: regexes warm, word caches empty) and the
best and median of 10 further passes. Accuracy: intent (and, where a set labels them, entities).

Run: .venv/bin/python benchmarks/intent_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from agent.understanding.intent import classify
from evals.intent_accuracy import evaluate

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = ("intents_labelled.tsv", "intents_heldout.tsv", "intents_probe3.tsv", "intents_probe4.tsv")


def _pass_ms(texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        classify(text)
    return (time.process_time() - start) / len(texts) * 1000


def main() -> None:
    texts = [
        line.split("\t")[0]
        for name in SETS
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    cold_ms = _pass_ms(texts)
    samples = [_pass_ms(texts) for _ in range(10)]
    print(f"messages: {len(texts)}")
    print(f"cold:  {cold_ms:.3f} ms/message (CPU time)")
    print(
        f"warm:  {min(samples):.3f} ms/message best, {statistics.median(samples):.3f} median "
        "of 10 passes (CPU time; target < 100 ms)"
    )
    for name in SETS:
        result = evaluate(DATA / name)
        line = f"accuracy {name}: {result['accuracy']:.3f} over {result['n']}"
        if result["entity_n"]:
            line += f"; entities exact {result['entity_accuracy']:.3f} over {result['entity_n']}"
        print(line)


if __name__ == "__main__":
    main()
