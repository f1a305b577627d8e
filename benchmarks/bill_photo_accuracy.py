"""Bill photos that make the page outline hard, and other real-world images: per-field accuracy and
read time (p50/p95) per variant.

    .venv/bin/python benchmarks/bill_photo_accuracy.py                  # every variant, 3 bills each
    .venv/bin/python benchmarks/bill_photo_accuracy.py --variants shadow_side angled --per-variant 4

Bills come from the ten layouts of `tests/bill_layouts` (not the reader's own generator); photos
from `tests/bill_photos` (shadow across one side, light gradient, background close to paper colour,
page filling the frame, page at a steep angle, all as WhatsApp recompresses them). Prints, per
variant: the share of each field read exactly, readings accepted (ok), WRONG totals accepted
(must stay 0), and wall-clock p50/p95 and mean CPU seconds of `BillReader.read` (models loaded and
warmed before timing). The machine's load average is printed before and after: on a 2-core box
shared with other work, wall time is several times the CPU time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bills.reader import BillReader
from tests.bill_layouts import LAYOUTS, field_matches, make_bill, person_type, render_pdf, truth
from tests.bill_photos import PAGE_SCENARIOS, page_photo

FIELDS = ("total_amount", "due_date", "consumption_kwh", "reference_month", "distributor", "customer_name",
          "installation_number", "city", "state", "person_type")  # fmt: skip
SHORT = ("total", "due", "kWh", "ref", "dist", "name", "inst", "city", "UF", "PF/PJ")


def cases(variant: str, count: int, offset: int) -> list[tuple[str, int]]:
    """(layout, seed): `count` bills, layouts taken in turn starting at a variant-specific place."""
    names = list(LAYOUTS)
    start = sorted(PAGE_SCENARIOS).index(variant) if variant in PAGE_SCENARIOS else 0
    return [(names[(start + k) % len(names)], offset + 500 + 13 * k + start) for k in range(count)]


def photo_for(variant: str, layout: str, seed: int) -> bytes:
    return page_photo(render_pdf(make_bill(layout, seed)), variant, random.Random(seed))


def run(reader: BillReader, variant: str, args: argparse.Namespace) -> dict:
    right: dict[str, int] = defaultdict(int)
    stats: dict = {"n": 0, "ok": 0, "wrong_ok": 0, "wall": [], "cpu": []}
    for layout, seed in cases(variant, args.per_variant, args.offset):
        data = photo_for(variant, layout, seed)
        wall, cpu = time.perf_counter(), time.process_time()
        reading = reader.read(data, "image/jpeg", "IMG-WA0001.jpg")
        stats["wall"].append(time.perf_counter() - wall)
        stats["cpu"].append(time.process_time() - cpu)
        want = truth(make_bill(layout, seed))
        got = {**reading.fields.model_dump(), "person_type": person_type(reading.fields.document_masked)}
        stats["n"] += 1
        stats["ok"] += reading.ok
        stats["wrong_ok"] += reading.ok and got["total_amount"] != want["total_amount"]
        for name in FIELDS:
            if field_matches(name, got[name], want[name]):
                right[name] += 1
            elif args.misses:
                print(f"  miss {variant} {layout} seed={seed} {name}: {got[name]!r} != {want[name]!r}")
    return {**stats, "right": right}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=list(PAGE_SCENARIOS), choices=list(PAGE_SCENARIOS))
    parser.add_argument("--per-variant", type=int, default=3, help="bills per variant (layouts in turn)")
    parser.add_argument("--offset", type=int, default=0, help="add to every seed (other bills)")
    parser.add_argument("--misses", action="store_true", help="print every field that was wrong")
    args = parser.parse_args()
    reader = BillReader()
    reader.warm_up()  # as the service does at start-up
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    rows = [(variant, run(reader, variant, args)) for variant in args.variants]
    print(
        "| variant | photos | " + " | ".join(SHORT) + " | all | ok | wrong total ok | p50 s | p95 s | CPU s |"
    )
    print("|" + " --- |" * (len(SHORT) + 8))
    every: list[float] = []
    for variant, s in rows:
        n = s["n"]
        cells = [f"{100 * s['right'][f] / n:.0f}" for f in FIELDS]
        overall = 100 * sum(s["right"].values()) / (n * len(FIELDS))
        every += s["wall"]
        timing = f"{statistics.median(s['wall']):.1f} | {percentile(s['wall'], 0.95):.1f}"
        print(f"| {variant} | {n} | {' | '.join(cells)} | {overall:.1f} | {s['ok']}/{n} | {s['wrong_ok']} "
              f"| {timing} | {statistics.mean(s['cpu']):.1f} |")  # fmt: skip
    print(f"all photos: p50 {statistics.median(every):.1f} s, p95 {percentile(every, 0.95):.1f} s (wall)")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
