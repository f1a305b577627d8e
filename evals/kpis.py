"""KPIs of a run (deterministic and judged) and the gates of evals/kpis.yaml."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from evals.grading import ConversationResult

KPIS_FILE = Path(__file__).resolve().parent / "kpis.yaml"
JUDGED = ("persona", "relevance", "retention", "completeness", "persona_geval")


@dataclass
class GateResult:
    kpi: str
    op: str  # ">=" or "<="
    threshold: float
    value: float | None
    passed: bool | None  # None: not measured in this run, or measured by an untrusted judge
    note: str | None = None  # why a measured KPI does not gate (e.g. "judge not trusted (kappa 0.12)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_gates(path: Path = KPIS_FILE) -> dict[str, dict[str, float]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    gates = data.get("gates") or {}
    for name, rule in gates.items():
        if not isinstance(rule, dict) or not set(rule) & {"min", "max"}:
            raise ValueError(f"{path}: gate {name!r} needs min or max")
    return gates


def load_min_kappa(path: Path = KPIS_FILE) -> float:
    """The judge's minimum agreement with the calibration labels (Cohen's kappa)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return float((data.get("judge") or {}).get("min_kappa", 0.6))


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def deterministic_kpis(results: list[ConversationResult]) -> dict[str, float | None]:
    turns = [t for r in results if r.skipped is None for t in r.turns if not t.skipped]
    assertions = [a for t in turns for a in t.assertions]
    stage_checks = [t.stage_ok for t in turns if t.stage_ok is not None]
    intent_checks = [t.intent_ok for t in turns if t.intent_ok is not None]
    topic_checks = [t.topic_ok for t in turns if t.topic_ok is not None]
    replies = sum(t.replies_graded for t in turns)
    latencies = [t.latency_ms for t in turns if t.error is None and t.kind != "restart"]
    played = [r for r in results if r.skipped is None]
    p95 = percentile(latencies, 95)
    return {
        "conversations_passed": _ratio(sum(r.passed for r in played), len(played)),
        "assertions": _ratio(sum(a.passed for a in assertions), len(assertions)),
        "stages": _ratio(sum(stage_checks), len(stage_checks)),
        "intents": _ratio(sum(intent_checks), len(intent_checks)),
        "topic_relevance": _ratio(sum(topic_checks), len(topic_checks)),
        "persona_rules": _ratio(sum(t.replies_persona_ok for t in turns), replies),
        "grounded_numbers": _ratio(sum(t.replies_grounded for t in turns), replies),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": None if p95 is None else round(p95, 1),
        "latency_max_ms": max(latencies) if latencies else None,
        "turn_errors": float(sum(t.error is not None for t in turns)),
    }


def judged_kpis(results: list[ConversationResult]) -> dict[str, float | None]:
    """Mean judged score per metric over the conversations the judge scored."""
    kpis: dict[str, float | None] = {}
    for metric in JUDGED:
        scores = [
            r.judged[metric]["score"]
            for r in results
            if metric in r.judged and r.judged[metric].get("score") is not None
        ]
        if any(metric in r.judged for r in results):
            kpis[metric] = round(sum(scores) / len(scores), 4) if scores else None
    errors = sum(1 for r in results for m in r.judged.values() if m.get("error"))
    if any(r.judged for r in results):
        kpis["judge_errors"] = float(errors)
    return kpis


def compute_kpis(results: list[ConversationResult]) -> dict[str, float | None]:
    return deterministic_kpis(results) | judged_kpis(results)


def check_gates(
    kpis: dict[str, float | None],
    gates: dict[str, dict[str, float]],
    judged: bool,
    untrusted: dict[str, float] | None = None,
) -> list[GateResult]:
    """A judged KPI with a judge configured but no score at all fails: nothing was measured.
    A judged KPI in `untrusted` (metric -> the judge's kappa) neither passes nor fails."""
    outcome = []
    for name, rule in gates.items():
        op, threshold = (">=", rule["min"]) if "min" in rule else ("<=", rule["max"])
        value = kpis.get(name)
        if untrusted and name in untrusted:
            note = f"judge not trusted (kappa {untrusted[name]:.2f})"
            outcome.append(GateResult(name, op, float(threshold), value, None, note))
            continue
        if value is None:
            passed = False if (judged and name in JUDGED) else None
        else:
            passed = value >= threshold if op == ">=" else value <= threshold
        outcome.append(GateResult(name, op, float(threshold), value, passed))
    return outcome


def kpis_by_version(results: list[ConversationResult]) -> dict[str, dict[str, float | None]]:
    versions = sorted({r.prompt_version or "default" for r in results})
    return {v: compute_kpis([r for r in results if (r.prompt_version or "default") == v]) for v in versions}
