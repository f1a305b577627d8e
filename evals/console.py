"""Plain-text tables of a run for the terminal: per metric, per conversation, gates, compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Echo = Callable[[str], None]

PERCENT_KPIS = {
    "conversations_passed",
    "assertions",
    "stages",
    "intents",
    "topic_relevance",
    "persona_rules",
    "grounded_numbers",
    "persona",
    "relevance",
    "retention",
    "completeness",
    "persona_geval",
}


def fmt(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name in PERCENT_KPIS:
        return f"{value * 100:.1f} %"
    if name.endswith("_ms"):
        return f"{value:.0f} ms"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["─" * w for w in widths]), *(line(r) for r in rows)])


def _turn_failures(turn: dict[str, Any]) -> list[str]:
    why = []
    if turn.get("error"):
        why.append(f"error: {turn['error']}")
    if turn.get("stage_ok") is False:
        why.append(f"stage {turn['stage']} (expected {turn['expected_stage']})")
    if turn.get("topic_ok") is False:
        why.append(f"question about {turn['topic']} not answered on topic")
    if turn.get("intent_ok") is False:
        why.append(f"intent {turn['intent']} (expected {turn['expected_intent']})")
    why += [f"{a['type']} {a['value']!r}" for a in turn.get("assertions", []) if not a["passed"]]
    why += turn.get("persona_violations", [])
    if turn.get("ungrounded"):
        why.append("ungrounded numbers: " + ", ".join(turn["ungrounded"]))
    return why


def print_run(run: dict[str, Any], echo: Echo, verbose: bool = False) -> None:
    s = run["summary"]
    echo(
        f"Run {run['run_id']} · target {run['target']} · {s['played']} conversations played"
        f" ({s['skipped']} skipped), {s['turns']} turns, {s['passed']} passed · {run['duration_s']} s"
    )
    echo("\nMetrics")
    echo(table([[k, fmt(k, v)] for k, v in run["kpis"].items()], ["metric", "value"]))
    if len(run["by_version"]) > 1:
        names = [k for k in run["kpis"] if not k.startswith("latency_max")]
        versions = list(run["by_version"])
        rows = [[k, *(fmt(k, run["by_version"][v].get(k)) for v in versions)] for k in names]
        echo("\nBy prompt version")
        echo(table(rows, ["metric", *versions]))
    echo("\nConversations")
    judged_names = sorted({m for c in run["conversations"] for m in c.get("judged", {})})
    rows = []
    for conv in run["conversations"]:
        turns = conv["turns"]
        status = "skipped" if conv["skipped"] else ("pass" if conv["passed"] else "FAIL")
        ok_turns = sum(t["passed"] for t in turns)
        judged = [fmt(m, (conv["judged"].get(m) or {}).get("score")) for m in judged_names]
        rows.append([conv["id"], conv["prompt_version"] or "", status, f"{ok_turns}/{len(turns)}", *judged])
    echo(table(rows, ["conversation", "version", "status", "turns ok", *judged_names]))
    failing = [c for c in run["conversations"] if not c["passed"] and not c["skipped"]]
    for conv in failing if verbose or len(failing) <= 10 else failing[:10]:
        for turn in conv["turns"]:
            if not turn["passed"]:
                echo(
                    f"  ✗ {conv['id']} turn {turn['index']} «{turn['input'][:60]}»: "
                    + "; ".join(_turn_failures(turn))
                )
    echo("\nGates")
    print_gates(run["gates"], echo)


def print_gates(gates: list[dict[str, Any]], echo: Echo) -> None:
    rows = []
    for g in gates:
        verdict = "not measured" if g["passed"] is None else ("pass" if g["passed"] else "FAIL")
        status = g.get("note") or verdict
        rows.append(
            [g["kpi"], f"{g['op']} {fmt(g['kpi'], g['threshold'])}", fmt(g["kpi"], g["value"]), status]
        )
    echo(table(rows, ["kpi", "gate", "value", "status"]))


def print_judge_check(check: dict[str, Any], echo: Echo) -> None:
    """Agreement of a judge with the calibration labels, per metric."""
    cached = " (cached)" if check.get("cached") else ""
    echo(
        f"Judge {check['judge_model']} at {check['judge_base_url']} on calibration set "
        f"{check['set_version']}: {check['conversations']} conversations, {check['turns']} turns{cached}"
    )
    rows = []
    for metric, m in check["metrics"].items():
        rows.append([
            metric, f"{m['accuracy'] * 100:.1f} %", f"{m['kappa']:.2f}",
            f"{m['both_good']}/{m['missed_flaw']}/{m['false_alarm']}/{m['both_bad']}", str(m["errors"]),
            "trusted" if m["trusted"] else "NOT trusted",
        ])  # fmt: skip
    header = ["metric", "accuracy", "kappa", "good✓/missed/false alarm/bad✓", "errors", "verdict"]
    echo(table(rows, header))
    echo(f"Trusted when kappa >= {check['min_kappa']:g} (evals/kpis.yaml: judge.min_kappa).")
    if check.get("sampled"):
        echo(
            f"Sampled: {check['sampled']} good and {check['sampled']} bad conversations per metric, "
            "not the whole set; judged runs do not use a sampled check."
        )
