"""Bill photos that make the page outline hard, and other real-world images: per-field accuracy, the
tip a weak read gets, and read time (p50/p95) per variant.

    .venv/bin/python benchmarks/bills/photo_accuracy.py                  # every variant, 3 bills each
    .venv/bin/python benchmarks/bills/photo_accuracy.py --variants shadow_side angled --per-variant 4

Bills come from the ten layouts of `tests/bill_layouts` (not the reader's own generator); photos
from `tests/bill_photos` (shadow across one side, light gradient, background close to paper colour,
page filling the frame, page at a steep angle, all as WhatsApp recompresses them) and real-world
images (an app screenshot, a photo of a screen, two halves, a thumb or a fold over the total, a
150-dpi scan). Prints, per variant: the share of each field read exactly, readings accepted (ok),
WRONG totals accepted (must stay 0), the tip each weak read gets, and the wall-clock p50/p95 and
mean CPU seconds per page of `BillReader.read_many` (models loaded and warmed before timing). The
load average is printed before and after: on a 2-core box
shared with other work, wall time is several times the CPU time.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.ports import BillFile, BillReading
from benchmarks.bills.layouts_accuracy import FIELDS, SHORT  # the same fields, scored the same way
from bills.feedback import choose_tip
from bills.ocr import OcrEngine
from bills.reader import BillReader
from tests.bill_layouts import LAYOUTS, field_matches, make_bill, person_type, render_pdf, truth
from tests.bill_layouts.bills import brl
from tests.bill_photos import HARD_SCENARIOS, PAGE_SCENARIOS, page_photo
from tests.bill_photos.real_world import (
    app_screenshot,
    fold_across,
    halves,
    scan_150dpi,
    screen_photo,
    thumb_over,
)

REAL_WORLD = (
    "app_screenshot",
    "screen_photo",
    "two_halves",
    "thumb_over_total",
    "fold_over_total",
    "scan_150dpi",
)
VARIANTS = (*PAGE_SCENARIOS, *REAL_WORLD, *HARD_SCENARIOS)


def cases(variant: str, count: int, offset: int, names: list[str]) -> list[tuple[str, int]]:
    """(layout, seed): `count` bills, layouts taken in turn starting at a variant-specific place."""
    start = VARIANTS.index(variant)
    return [(names[(start + k) % len(names)], offset + 500 + 13 * k + start) for k in range(count)]


def files_for(variant: str, layout: str, seed: int) -> list[BillFile]:
    """What the lead sends in `variant`: one image, or two (the halves)."""
    bill, rng = make_bill(layout, seed), random.Random(seed)
    pdf = render_pdf(bill)
    if variant in PAGE_SCENARIOS or variant in HARD_SCENARIOS:
        return [BillFile(data=page_photo(pdf, variant, rng), mime_type="image/jpeg")]
    if variant == "app_screenshot":
        return [BillFile(data=app_screenshot(bill, rng), mime_type="image/png")]
    if variant == "two_halves":
        return [BillFile(data=half, mime_type="image/jpeg") for half in halves(pdf, rng)]
    if variant in ("thumb_over_total", "fold_over_total"):
        cover = thumb_over if variant == "thumb_over_total" else fold_across
        return [BillFile(data=cover(pdf, brl(bill.total), rng), mime_type="image/jpeg")]
    make = screen_photo if variant == "screen_photo" else scan_150dpi
    return [BillFile(data=make(pdf, rng), mime_type="image/jpeg")]


def run(reader: BillReader, variant: str, args: argparse.Namespace) -> dict:
    right: dict[str, int] = defaultdict(int)
    stats: dict = {"n": 0, "ok": 0, "wrong_ok": 0, "wall": [], "cpu": [], "tips": []}
    for layout, seed in cases(variant, args.per_variant, args.offset, args.layouts):
        files = files_for(variant, layout, seed)
        wall, cpu = time.perf_counter(), time.process_time()
        reading: BillReading = reader.read_many(files)
        pages = len(files)  # time per page: two halves are two photos
        stats["wall"].append((time.perf_counter() - wall) / pages)
        stats["cpu"].append((time.process_time() - cpu) / pages)
        want = truth(make_bill(layout, seed))
        got = {**reading.fields.model_dump(), "person_type": person_type(reading.fields.document_masked)}
        stats["n"] += 1
        stats["ok"] += reading.ok
        stats["wrong_ok"] += reading.ok and got["total_amount"] != want["total_amount"]
        if not reading.ok:
            stats["tips"].append(choose_tip(reading))
        for name in FIELDS:
            if field_matches(name, got[name], want[name]):
                right[name] += 1
            elif args.misses:
                print(f"  miss {variant} {layout} seed={seed} {name}: {got[name]!r} != {want[name]!r}")
    return {**stats, "right": right}


def _setting(value: str) -> object:
    """'1' -> 1, '[3,48,96]' -> [3, 48, 96], anything else stays text."""
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--per-variant", type=int, default=3, help="bills per variant (layouts in turn)")
    parser.add_argument("--offset", type=int, default=0, help="add to every seed (other bills)")
    parser.add_argument("--layouts", nargs="*", default=list(LAYOUTS), choices=list(LAYOUTS))
    parser.add_argument("--misses", action="store_true", help="print every field that was wrong")
    example = "RapidOCR params: Det.limit_side_len=1024 'Rec.rec_img_shape=[3,48,96]'"
    parser.add_argument("--ocr", nargs="*", default=[], metavar="KEY=VALUE", help=example)
    args = parser.parse_args()
    settings = (o.split("=", 1) for o in args.ocr)
    params = {key: _setting(value) for key, value in settings}
    reader = BillReader(ocr=OcrEngine(params)) if params else BillReader()
    reader.warm_up()  # as the service does at start-up
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    rows = [(variant, run(reader, variant, args)) for variant in args.variants]
    print(
        "| variant | bills | " + " | ".join(SHORT) + " | all | ok | wrong total ok | tips when not ok "
        "| p50 s/page | p95 s/page | CPU s/page |"
    )
    print("|" + " --- |" * (len(SHORT) + 9))
    every: list[float] = []
    every_cpu: list[float] = []
    for variant, s in rows:
        n = s["n"]
        cells = [f"{100 * s['right'][f] / n:.0f}" for f in FIELDS]
        overall = 100 * sum(s["right"].values()) / (n * len(FIELDS))
        every += s["wall"]
        every_cpu += s["cpu"]
        timing = f"{statistics.median(s['wall']):.1f} | {percentile(s['wall'], 0.95):.1f}"
        tips = ", ".join(f"{t} {s['tips'].count(t)}" for t in sorted(set(s["tips"]))) or "-"
        print(f"| {variant} | {n} | {' | '.join(cells)} | {overall:.1f} | {s['ok']}/{n} | {s['wrong_ok']} "
              f"| {tips} | {timing} | {statistics.mean(s['cpu']):.1f} |")  # fmt: skip
    cpu = f"CPU p50 {statistics.median(every_cpu):.2f} s, p95 {percentile(every_cpu, 0.95):.2f} s"
    wall = f"p50 {statistics.median(every):.1f} s, p95 {percentile(every, 0.95):.1f} s (wall)"
    print(f"all photos: {wall}; {cpu}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
