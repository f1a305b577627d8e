"""Field accuracy of the bill reader on layouts it was not built on (tests/bill_layouts.py).

    .venv/bin/python benchmarks/bills/layouts_accuracy.py              # every variant
    .venv/bin/python benchmarks/bills/layouts_accuracy.py --variants pdf --seeds 5 --misses

Ten distributor layouts (Enel CE/RJ, Cemig, CPFL, Equatorial PA/MA/PI, Light, Copel, Celesc,
Energisa MT/TO, Neoenergia Coelba/Cosern) as text PDFs, clean 150-dpi PNGs, phone photos, dim
photos and upside-down photos. Prints per variant and field the share read exactly (names and
cities case/accent-blind, the installation number digits only; person type is PF/PJ from the
masked CPF/CNPJ), how many readings were accepted (ok) and how many accepted a WRONG total
(must stay 0). `--offset 1000` reads other bills of the same layouts (a held-out run).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bills.reader import BillReader
from tests.bill_layouts import (
    LAYOUTS,
    clean_png,
    field_matches,
    make_bill,
    person_type,
    photo,
    render_pdf,
    truth,
)

FIELDS = ("total_amount", "due_date", "consumption_kwh", "reference_month", "distributor", "customer_name",
          "installation_number", "city", "state", "person_type")  # fmt: skip
SHORT = ("total", "due", "kWh", "ref", "dist", "name", "inst", "city", "UF", "PF/PJ")
# variant -> (how many layouts, in LAYOUTS order, starting at an offset so photos cover all of them)
VARIANTS = {"pdf": None, "png": 3, "photo": None, "dark_photo": 4, "upside_down": 3}


def sample(variant: str, seeds: int, offset: int = 0) -> list[tuple[str, int]]:
    """(layout, seed) pairs; `offset` moves every seed (a held-out run: other bills, same layouts)."""
    names = list(LAYOUTS)
    if variant == "pdf":
        return [(name, offset + seed) for seed in range(seeds) for name in names]
    if variant == "photo":
        return [(name, offset + 100) for name in names]
    count = VARIANTS[variant] or len(names)
    start = {"png": 1, "dark_photo": 3}.get(variant, 7)
    return [(names[(start + 2 * k) % len(names)], offset + 200 + k) for k in range(count)]


def file_for(variant: str, layout: str, seed: int) -> tuple[bytes, str]:
    pdf = render_pdf(make_bill(layout, seed))
    if variant == "pdf":
        return pdf, "application/pdf"
    if variant == "png":
        return clean_png(pdf), "image/png"
    rng = random.Random(seed)
    return photo(pdf, rng, dark=variant == "dark_photo", upside_down=variant == "upside_down"), "image/jpeg"


def run(reader: BillReader, variant: str, args: argparse.Namespace) -> dict:
    right: dict[str, int] = defaultdict(int)
    stats = {"n": 0, "ok": 0, "wrong_ok": 0, "seconds": 0.0}
    misses = args.misses
    for layout, seed in sample(variant, args.seeds, args.offset):
        data, mime = file_for(variant, layout, seed)
        started = time.perf_counter()
        reading = reader.read(data, mime, "fatura")
        stats["seconds"] += time.perf_counter() - started
        want = truth(make_bill(layout, seed))
        got = {**reading.fields.model_dump(), "person_type": person_type(reading.fields.document_masked)}
        stats["n"] += 1
        stats["ok"] += reading.ok
        stats["wrong_ok"] += reading.ok and got["total_amount"] != want["total_amount"]
        if misses and not reading.ok:
            conf = {k: v for k, v in reading.confidence.items() if v < 0.5}
            print(f"  not ok {variant} {layout} seed={seed}: {reading.problem} {reading.issues} low: {conf}")
        for name in FIELDS:
            if field_matches(name, got[name], want[name]):
                right[name] += 1
            elif misses:
                print(f"  miss {variant} {layout} seed={seed} {name}: {got[name]!r} != {want[name]!r}")
    return {**stats, "right": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seeds", type=int, default=4, help="bills per layout for the PDF variant")
    parser.add_argument("--offset", type=int, default=0, help="add to every seed (held-out bills)")
    parser.add_argument("--misses", action="store_true", help="print every field that was wrong")
    args = parser.parse_args()
    reader = BillReader()
    rows = [(variant, run(reader, variant, args)) for variant in args.variants]
    print("| variant | bills | " + " | ".join(SHORT) + " | all | ok | wrong total ok | s/bill |")
    print("|" + " --- |" * (len(SHORT) + 6))
    for variant, s in rows:
        n = s["n"]
        cells = [f"{100 * s['right'][f] / n:.0f}" for f in FIELDS]
        overall = 100 * sum(s["right"].values()) / (n * len(FIELDS))
        print(f"| {variant} | {n} | " + " | ".join(cells)
              + f" | {overall:.1f} | {s['ok']}/{n} | {s['wrong_ok']} | {s['seconds'] / n:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
