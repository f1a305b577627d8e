"""Field accuracy of the bill reader per variant (text PDF, scanned PDF, clean image, phone photo).

    .venv/bin/python benchmarks/bills/accuracy.py                # 4 distributors x 5 bills x 4 variants
    .venv/bin/python benchmarks/bills/accuracy.py --bills 2 --variants phone_photo

Prints, per variant: exact-match rate of every field, of the key fields (total, kWh, distributor,
UF), how many readings were accepted (ok), how many accepted a WRONG total (must be 0), and the
seconds per page. Bills are synthetic (demo/sample_bills.py) with ground truth.
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
from demo.bill_images import VARIANTS, make_variant
from demo.bill_specs import ground_truth, random_bill_spec

DISTRIBUTORS = ("Neoenergia Pernambuco", "Neoenergia Coelba", "Enel CE", "Neoenergia Cosern")
KEY_FIELDS = ("total_amount", "consumption_kwh", "distributor", "state")
FIELDS = (
    "distributor", "customer_name", "document_masked", "installation_number", "city", "state",
    "consumer_class", "consumption_kwh", "total_amount", "due_date", "reference_month",
    "average_kwh", "history",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=5, help="bills per distributor and variant")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--distributors", nargs="*", default=list(DISTRIBUTORS))
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--misses", action="store_true", help="print every field that was wrong")
    args = parser.parse_args()
    reader = BillReader()
    print(f"{'variant':<12} {'bills':>5} {'all fields':>10} {'key fields':>10} {'ok':>7} "
          f"{'wrong total accepted':>20} {'s/page':>7}")  # fmt: skip
    for variant in args.variants:
        stats = run_variant(reader, variant, args)
        print(_row(variant, stats))
        for field, (right, total) in sorted(stats["per_field"].items()):
            if right < total:
                print(f"    {field:<20} {right}/{total}")


def run_variant(reader: BillReader, variant: str, args: argparse.Namespace) -> dict:
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    stats = {"bills": 0, "ok": 0, "wrong_total_ok": 0, "seconds": 0.0, "pages": 0, "per_field": per_field}
    for dist in args.distributors:
        for k in range(args.bills):
            seed = args.seed + k * 7919 + sum(map(ord, dist))  # stable across runs
            spec = random_bill_spec(random.Random(seed), distributor=dist)
            data, mime, name = make_variant(spec, variant, random.Random(seed))
            started = time.perf_counter()
            reading = reader.read(data, mime, name)
            stats["seconds"] += time.perf_counter() - started
            stats["pages"] += max(reading.pages, 1)
            stats["bills"] += 1
            stats["ok"] += reading.ok
            truth = ground_truth(spec)
            got = reading.fields.model_dump()
            if reading.ok and got["total_amount"] != truth["total_amount"]:
                stats["wrong_total_ok"] += 1
            for field in FIELDS:
                per_field[field][1] += 1
                if got[field] == truth[field]:
                    per_field[field][0] += 1
                elif args.misses:
                    print(f"  miss {variant} {dist} seed={seed} {field}: {got[field]!r} != {truth[field]!r}")
    return stats


def _row(variant: str, s: dict) -> str:
    per_field = s["per_field"]
    right = sum(r for r, _ in per_field.values())
    total = sum(t for _, t in per_field.values())
    key_right = sum(per_field[f][0] for f in KEY_FIELDS)
    key_total = sum(per_field[f][1] for f in KEY_FIELDS)
    return (
        f"{variant:<12} {s['bills']:>5} {100 * right / total:>9.1f}% {100 * key_right / key_total:>9.1f}% "
        f"{s['ok']:>3}/{s['bills']:<3} {s['wrong_total_ok']:>20} {s['seconds'] / s['pages']:>7.2f}"
    )


if __name__ == "__main__":
    main()
