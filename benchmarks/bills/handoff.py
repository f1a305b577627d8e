"""Bill turns and handoffs on the embedded default: seconds per turn and per assignment.

Turns run through the whole graph (download, read, qualify, register, assign, notify the
specialist, persist, record). Assignment is timed on a 50-specialist roster over the real
`handoffs` table (SQLite), where the round-robin memory lives.

Run: .venv/bin/python benchmarks/bills/handoff.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.inbound import Inbound
from agent.ports import HandoffRecord, LeadRecord
from demo.bill_specs import random_bill_spec
from demo.sample_bills import image_only_pdf, render_bill_pdf
from settings import Settings
from storage import migrate
from storage.db import create_engine, session_factory
from storage.handoffs import HandoffRepository
from tests.test_bill_conversations import bill_part
from tools.specialists import SpecialistRoster
from wiring import Silvia, open_silvia

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # Tuesday 14:00 in Recife
LEADS = 8


async def _send(silvia: Silvia, phone: str, data: bytes) -> float:
    media_id = silvia.receive_media(data, "application/pdf", "conta.pdf")
    start = time.perf_counter()
    await silvia.handle(Inbound(phone=phone, kind="document", media_id=media_id, mime_type="application/pdf"))
    return time.perf_counter() - start


async def _to_document_request(silvia: Silvia, phone: str) -> None:
    await silvia.leads.upsert_lead(
        LeadRecord(phone=phone, name="Maria Oliveira", city="Recife", state="PE", bill_amount=380.0)
    )
    for text in ("oi", "sim", "quero o plus"):
        await silvia.say(phone, text)


async def turns(data_dir: Path) -> dict[str, list[float]]:
    settings = Settings(_env_file=None, SILVIA_DATA_DIR=str(data_dir))  # type: ignore[call-arg]
    timings: dict[str, list[float]] = {
        "good PDF → handed off": [],
        "weak read → tip": [],
        "2nd page merged → handed off": [],
    }
    async with open_silvia(settings, clock=lambda: NOW) as silvia:
        for k in range(LEADS):
            phone = f"+55819990{k:05d}"
            await _to_document_request(silvia, phone)
            spec = random_bill_spec(random.Random(k), distributor="Neoenergia Pernambuco", city="Recife")
            if k % 2 == 0:
                timings["weak read → tip"].append(await _send(silvia, phone, image_only_pdf()))
                timings["good PDF → handed off"].append(await _send(silvia, phone, render_bill_pdf(spec)))
            else:
                await _send(silvia, phone, bill_part(top=True))
                timings["2nd page merged → handed off"].append(
                    await _send(silvia, phone, bill_part(top=False))
                )
    return timings


async def assignments(data_dir: Path, n: int = 200) -> list[float]:
    url = f"sqlite+aiosqlite:///{data_dir}/bench.db"
    migrate.upgrade(url)
    engine = create_engine(url)
    roster = SpecialistRoster(
        [
            {
                "name": f"Especialista {i:02d}",
                "phone": f"+55819888{i:05d}",
                "states": ["PE", "CE", "BA", "RN"][i % 4 :][:1],
            }
            for i in range(50)
        ],
        log=HandoffRepository(session_factory(engine)),
    )
    samples = []
    try:
        for k in range(n):
            at = NOW + timedelta(seconds=k)
            start = time.perf_counter()
            chosen = await roster.assign("PE", "Recife", at)
            samples.append(time.perf_counter() - start)
            assert chosen is not None
            await roster.record_handoff(
                HandoffRecord(
                    phone="+5581999990001", reason="qualified", specialist_name=chosen.specialist.name, at=at
                )
            )
    finally:
        await engine.dispose()
    return samples


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        timings = asyncio.run(turns(Path(tmp)))
        assign = asyncio.run(assignments(Path(tmp)))
    for name, samples in timings.items():
        median, worst = statistics.median(samples), max(samples)
        print(f"{name:32s} median {median:.3f} s  max {worst:.3f} s  (n={len(samples)})")
    print(
        f"{'assignment (50 specialists)':32s} median {statistics.median(assign) * 1000:.2f} ms  "
        f"p95 {sorted(assign)[int(len(assign) * 0.95)] * 1000:.2f} ms  (n={len(assign)})"
    )


if __name__ == "__main__":
    main()
