"""Where a photo read's CPU goes: decode, page outline, OCR detection, cropping, recognition,
layout/parsing, per stage, in process CPU seconds (the machine is shared: wall time lies).

    .venv/bin/python benchmarks/bills/photo_profile.py                  # 6 photos of the training layouts
    .venv/bin/python benchmarks/bills/photo_profile.py --photos 10 --det 960

Photos come from the training family only (`tests/bill_layouts` + `tests/bill_photos`), never the
held-out one. Each stage is run the way `BillReader` runs it, on the same engine settings.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bills.fields import parse_bill_text
from bills.images import decode_image, find_page_quad
from bills.ocr import OcrEngine, layout
from bills.reader import BillReader
from tests.bill_layouts import LAYOUTS, make_bill, render_pdf
from tests.bill_photos import PAGE_SCENARIOS, page_photo


def profile_one(engine: OcrEngine, data: bytes, times: dict[str, list[float]]) -> int:
    """Run the read stage by stage, adding each stage's CPU seconds to `times`; returns box count."""
    rapid = engine._get()

    def stage(name: str, fn, *args):  # a timing shim: any stage, any arguments
        start = time.process_time()
        out = fn(*args)
        times[name].append(time.process_time() - start)
        return out

    image = stage("decode", decode_image, data)
    stage("outline", find_page_quad, image)
    prepared, record = stage("resize", rapid.preprocess_img, image)
    crops, det = stage("detect+crop", rapid.detect_and_crop, prepared, record)
    rec = stage("recognise", rapid.recognize_txt, crops)
    page = stage("layout", layout, det.boxes, list(rec.txts), list(rec.scores))
    stage("parse", parse_bill_text, page.text)
    times["(whole read, for comparison)"].append(_whole_read(engine, data))
    return len(crops)


def _whole_read(engine: OcrEngine, data: bytes) -> float:
    """CPU seconds of `BillReader.read` on the same photo: what the stages above should add up to."""
    start = time.process_time()
    BillReader(ocr=engine).read(data, "image/jpeg", "IMG.jpg")
    return time.process_time() - start


def _value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _photo(layout: str, scenario: str, k: int, cache: Path | None) -> bytes:
    path = cache / f"{layout}-{scenario}-{k}.jpg" if cache else None
    if path and path.exists():
        return path.read_bytes()
    data = page_photo(render_pdf(make_bill(layout, 900 + k)), scenario, random.Random(k))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="RapidOCR params")
    parser.add_argument("--cache", type=Path, default=None, help="keep the generated photos here")
    args = parser.parse_args()
    engine = OcrEngine({k: _value(v) for k, v in (item.split("=", 1) for item in args.set)})
    engine.warm_up()
    times: dict[str, list[float]] = defaultdict(list)
    boxes = []
    names, scenarios = list(LAYOUTS), list(PAGE_SCENARIOS)
    for k in range(args.photos):
        data = _photo(names[k % len(names)], scenarios[k % len(scenarios)], k, args.cache)
        boxes.append(profile_one(engine, data, times))
    whole = times.pop("(whole read, for comparison)")
    total = [sum(stage[i] for stage in times.values()) for i in range(args.photos)]
    print(f"{args.photos} photos, {statistics.mean(boxes):.0f} text boxes each (mean)")
    for name, values in times.items():
        print(f"  {name:12s} {statistics.mean(values):.3f} CPU-s (max {max(values):.3f})")
    print(f"  {'all':12s} {statistics.mean(total):.3f} CPU-s (max {max(total):.3f})")
    print(f"  BillReader.read, whole: {statistics.mean(whole):.3f} CPU-s (max {max(whole):.3f})")


if __name__ == "__main__":
    main()
