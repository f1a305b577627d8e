"""Held-out bill benchmark: the reader on a bill family written apart from it (benchmarks/bills/heldout/).

    .venv/bin/python benchmarks/bills/heldout_accuracy.py                    # every variant
    .venv/bin/python benchmarks/bills/heldout_accuracy.py --variants pdf photo --seeds 2 --misses

Eight distributor layouts the reader was not built on, as text PDFs and as the files a lead
sends (scans, phone photos, shadows, folds, WhatsApp recompression, a page filling the frame).
Prints, per variant: per-field share read exactly, how many readings were accepted (ok), how many
accepted a WRONG total (must be 0), and p50/p95 seconds per read, wall and CPU (process time: the
machine is shared, so wall time is mostly other people's load). Score it; never tune on it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.bills.heldout import (
    LAYOUTS,
    VARIANTS,
    expected,
    make_bill,
    photograph,
    render_pdf,
    same_value,
)
from bills.reader import BillReader

FIELDS = (
    "total_amount",
    "due_date",
    "consumption_kwh",
    "reference_month",
    "distributor",
    "customer_name",
    "installation_number",
    "city",
    "state",
    "person_type",
)
SHORT = ("total", "due", "kWh", "ref", "dist", "name", "inst", "city", "UF", "PF/PJ")


def person_type(document_masked: str | None) -> str | None:
    if not document_masked:
        return None
    return "PJ" if "/" in document_masked else "PF"


def score(reader: BillReader, variant: str, seeds: range, misses: bool) -> dict:
    right: dict[str, int] = defaultdict(int)
    stats: dict = {"n": 0, "ok": 0, "wrong_ok": 0, "times": [], "cpu": []}
    for seed in seeds:
        for layout in LAYOUTS:
            bill = make_bill(layout, seed)
            pdf = render_pdf(bill)
            data, mime = (pdf, "application/pdf") if variant == "pdf" else photograph(pdf, variant, seed)
            started, cpu = time.perf_counter(), time.process_time()
            reading = reader.read(data, mime, "conta")
            stats["times"].append(time.perf_counter() - started)
            stats["cpu"].append(time.process_time() - cpu)
            want = expected(bill)
            got = {**reading.fields.model_dump(), "person_type": person_type(reading.fields.document_masked)}
            stats["n"] += 1
            stats["ok"] += reading.ok
            stats["wrong_ok"] += reading.ok and got["total_amount"] != want["total_amount"]
            for name in FIELDS:
                if same_value(name, got[name], want[name]):
                    right[name] += 1
                elif misses:
                    print(f"  miss {variant} {layout} seed={seed} {name}: {got[name]!r} != {want[name]!r}")
    return {**stats, "right": right}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=["pdf", *VARIANTS], choices=["pdf", *VARIANTS])
    parser.add_argument("--seeds", type=int, default=2, help="bills per layout and variant")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--misses", action="store_true", help="print every field that was wrong")
    args = parser.parse_args()
    reader = BillReader()
    reader.warm_up()  # as the service does at start-up: no model load inside the first read
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(
        "| variant | bills | "
        + " | ".join(SHORT)
        + " | all fields | ok | wrong total ok | p50 s | p95 s | CPU p50 s | CPU p95 s |"
    )
    print("|" + " --- |" * (len(SHORT) + 9))
    for variant in args.variants:
        s = score(reader, variant, seeds, args.misses)
        n = s["n"]
        cells = [f"{100 * s['right'][f] / n:.0f}" for f in FIELDS]
        overall = 100 * sum(s["right"].values()) / (n * len(FIELDS))
        print(
            f"| {variant} | {n} | "
            + " | ".join(cells)
            + f" | {overall:.1f} | {s['ok']}/{n} | {s['wrong_ok']}"
            f" | {statistics.median(s['times']):.2f} | {p95(s['times']):.2f}"
            f" | {statistics.median(s['cpu']):.2f} | {p95(s['cpu']):.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
