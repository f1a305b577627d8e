"""How well the local intent rules read a labelled set (tests/test_intent_accuracy.py and
benchmarks/intent_speed.py print it); not used at run time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from agent.understanding.intent import classify


def evaluate(path: Path) -> dict[str, object]:
    """Accuracy, per-intent accuracy, confusion and errors over `text<TAB>intent[<TAB>entities]` rows.

    The optional third column lists the entities classify must return, exactly (`city=Recife;state=PE;
    bill_amount=380`, `-` for none); rows without it are scored on the intent only.
    """
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    confusion: Counter[tuple[str, str]] = Counter()
    errors: list[tuple[str, str, str]] = []
    entity_errors: list[tuple[str, dict[str, object], dict[str, object]]] = []
    for text, gold, *spec in rows:
        understood = classify(text)
        confusion[(gold, understood.intent)] += 1
        if understood.intent != gold:
            errors.append((text, gold, understood.intent))
        pairs = [kv.split("=", 1) for kv in spec[0].split(";") if "=" in kv] if spec else []
        expected = {k: float(v) if k == "bill_amount" else v for k, v in pairs}
        if spec and understood.entities != expected:
            entity_errors.append((text, expected, understood.entities))
    per_intent: dict[str, float] = {}
    for gold in sorted({row[1] for row in rows}):
        total = sum(n for (g, _), n in confusion.items() if g == gold)
        per_intent[gold] = round(confusion[(gold, gold)] / total, 3)
    correct = sum(n for (g, p), n in confusion.items() if g == p)
    n_entity = sum(1 for row in rows if len(row) > 2)
    return {
        "n": len(rows),
        "accuracy": round(correct / len(rows), 4) if rows else 0.0,
        "per_intent": per_intent,
        "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items()) if g != p},
        "errors": errors,
        "entity_n": n_entity,
        "entity_accuracy": round(1 - len(entity_errors) / n_entity, 4) if n_entity else None,
        "entity_errors": entity_errors,
    }
