"""`silvia eval compare RUN_A RUN_B`: what got better or worse, per metric and per conversation."""

from __future__ import annotations

from typing import Any

from evals.console import Echo, fmt, table

LOWER_IS_BETTER = {"latency_p50_ms", "latency_p95_ms", "latency_max_ms", "turn_errors", "judge_errors"}


def _verdict(name: str, a: float | None, b: float | None) -> str:
    if a is None or b is None or a == b:
        return "="
    better = b < a if name in LOWER_IS_BETTER else b > a
    return "better" if better else "worse"


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    names = list(dict.fromkeys([*a["kpis"], *b["kpis"]]))
    metrics = [
        {
            "kpi": n,
            "a": a["kpis"].get(n),
            "b": b["kpis"].get(n),
            "verdict": _verdict(n, a["kpis"].get(n), b["kpis"].get(n)),
        }
        for n in names
    ]
    convs_a = {c["id"]: c for c in a["conversations"]}
    convs_b = {c["id"]: c for c in b["conversations"]}
    conversations = []
    for cid in sorted(set(convs_a) | set(convs_b)):
        ca, cb = convs_a.get(cid), convs_b.get(cid)
        status = lambda c: None if c is None or c["skipped"] else c["passed"]  # noqa: E731
        sa, sb = status(ca), status(cb)
        if sa == sb:
            change = "="
        elif sa is None or sb is None:
            change = "only in A" if sb is None else "only in B"
        else:
            change = "fixed" if sb else "broken"
        conversations.append({"id": cid, "a": sa, "b": sb, "change": change})
    # Quality decides; latency (noisy between runs) only breaks a tie.
    quality = [m for m in metrics if m["kpi"] not in LOWER_IS_BETTER or m["kpi"] == "turn_errors"]
    score = sum(m["verdict"] == "better" for m in quality) - sum(m["verdict"] == "worse" for m in quality)
    if score == 0:
        score = sum(m["verdict"] == "better" for m in metrics) - sum(m["verdict"] == "worse" for m in metrics)
    winner = "B" if score > 0 else ("A" if score < 0 else "tie")
    return {
        "a": a["run_id"],
        "b": b["run_id"],
        "metrics": metrics,
        "conversations": conversations,
        "winner": winner,
    }


def print_comparison(diff: dict[str, Any], echo: Echo) -> None:
    echo(f"A = {diff['a']}\nB = {diff['b']}\n")
    rows = [[m["kpi"], fmt(m["kpi"], m["a"]), fmt(m["kpi"], m["b"]), m["verdict"]] for m in diff["metrics"]]
    echo(table(rows, ["metric", "A", "B", "B vs A"]))
    changed = [c for c in diff["conversations"] if c["change"] != "="]
    show = lambda v: "—" if v is None else ("pass" if v else "FAIL")  # noqa: E731
    echo("\nConversations that changed" + ("" if changed else ": none"))
    if changed:
        echo(
            table(
                [[c["id"], show(c["a"]), show(c["b"]), c["change"]] for c in changed],
                ["conversation", "A", "B", "change"],
            )
        )
    echo(f"\nWinner: {diff['winner']} (more quality metrics better than worse; latency breaks ties)")
