"""Accuracy of the L2 intent rules over the labelled, held-out and probe sets (floors, not targets:
speed is measured by benchmarks/intent_speed.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.state import Intent
from evals.intent_accuracy import evaluate

DATA = Path(__file__).parent / "data"
LABELLED = DATA / "intents_labelled.tsv"
HELDOUT = DATA / "intents_heldout.tsv"
PROBE3 = DATA / "intents_probe3.tsv"  # 165 fresh messages, written before the rules were read
PROBE4 = DATA / "intents_probe4.tsv"  # 54 fresh messages, written after the probe-3 fixes


# --- accuracy (speed is measured by benchmarks/intent_speed.py) ---------------------------------
def _report(name: str, result: dict[str, object]) -> None:
    print(f"\n{name}: accuracy {result['accuracy']:.3f} over {result['n']} messages")
    for intent, acc in result["per_intent"].items():  # type: ignore[union-attr]
        print(f"  {intent:18} {acc:.2f}")
    for text, gold, predicted in result["errors"]:  # type: ignore[union-attr]
        print(f"  MISS {gold:>18} -> {predicted:18} {text}")
    if result["entity_n"]:
        print(f"  entities exact {result['entity_accuracy']:.3f} over {result['entity_n']} labelled rows")
    for text, expected, found in result["entity_errors"]:  # type: ignore[union-attr]
        print(f"  ENTITIES {expected} != {found}  {text}")


def test_labelled_set_covers_every_intent() -> None:
    rows = [line.split("\t") for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 260
    counts = {i.value: sum(1 for _, gold in rows if gold == i.value) for i in Intent}
    assert min(counts.values()) >= 10, counts


def test_accuracy_labelled() -> None:
    result = evaluate(LABELLED)
    _report("labelled", result)
    assert result["accuracy"] >= 0.92


def test_accuracy_heldout() -> None:
    # Written before the rules were tuned and never tuned on; the floor sits a little under the
    # measured value so regressions show up without pretending to more than we measured.
    result = evaluate(HELDOUT)
    _report("held-out", result)
    assert result["accuracy"] >= 0.95


# Fresh probe sets. Each was scored once when written (the honest figure for unseen phrasings:
# probe 3 84.8 % with the rules of the time, probe 4 92.6 % after the probe-3 fixes); the rules
# were then fixed generally (word families, negation, priorities, amounts), so today's values are
# tuned-on. The floors sit a little under today's values, so a regression fails.
@pytest.mark.parametrize(
    ("path", "floor", "entity_floor"), [(PROBE3, 0.96, 0.94), (PROBE4, 0.94, 0.88)], ids=["probe3", "probe4"]
)
def test_accuracy_probe_sets(path: Path, floor: float, entity_floor: float) -> None:
    result = evaluate(path)
    _report(path.stem, result)
    assert result["accuracy"] >= floor
    assert result["entity_n"] and result["entity_accuracy"] >= entity_floor  # type: ignore[operator]


def test_probe_sets_cover_every_intent_and_valid_names() -> None:
    valid = {i.value for i in Intent}
    for path in (PROBE3, PROBE4):
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert {row[1] for row in rows} == valid, path.name
        assert all(len(row) in (2, 3) for row in rows), path.name
