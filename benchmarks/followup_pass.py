"""How long a follow-up pass takes: plan (one SQL query + the policy) and send (one graph turn
per lead, sandbox WhatsApp, embedded SQLite). Prints figures; asserts nothing.

    .venv/bin/python benchmarks/followup_pass.py [LEADS]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.ports import LeadRecord
from api.followups import FollowupRunner
from settings import Settings
from storage.followups import FollowupStore
from storage.locks import InProcessDeduplicator, InProcessLeadLocks
from wiring import open_silvia

RECIFE = ZoneInfo("America/Recife")


async def main(leads: int) -> None:
    clock = [datetime(2026, 11, 23, 10, 0, tzinfo=RECIFE)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, SILVIA_DATA_DIR=tmp)  # type: ignore[call-arg]
        async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
            for n in range(leads):
                phone = f"+55819{n:08d}"
                await silvia.leads.upsert_lead(
                    LeadRecord(phone=phone, name=f"Lead {n}", city="Recife", state="PE", bill_amount=300 + n)
                )
                await silvia.say(phone, "oi")
            store = FollowupStore(silvia.sessions)
            runner = FollowupRunner(
                silvia, store, InProcessDeduplicator(), InProcessLeadLocks(), settings.timezone
            )
            clock[0] = datetime(2026, 11, 23, 14, 0, tzinfo=RECIFE)
            started = time.perf_counter()
            plan = await runner.plan(clock[0])
            planned = time.perf_counter() - started
            started = time.perf_counter()
            outcomes = await runner.execute(plan, clock[0])
            sent = time.perf_counter() - started
    count = sum(o.action == "sent" for o in outcomes)
    print(f"leads: {leads}, follow-ups sent: {count}")
    print(f"plan: {planned * 1000:.1f} ms total ({planned * 1000 / leads:.2f} ms/lead)")
    print(f"send: {sent:.2f} s total ({sent * 1000 / max(1, count):.1f} ms/follow-up, graph turn + sandbox)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
