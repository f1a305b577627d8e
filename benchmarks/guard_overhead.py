"""Guard overhead per model reply, and what an L4 turn costs beyond the model's own time.

Run: .venv/bin/python benchmarks/guard_overhead.py
Target: the L4 turn overhead (everything but the HTTP call to the model) <= 50 ms.
The model is the scripted local OpenAI-compatible server (demo/scripted_llm.py), so "model
time" is one real HTTP round trip through langchain-openai to a server that answers at once.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.policy.guard import check_model_reply, collect_facts
from agent.ports import LeadRecord
from demo.scripted_llm import HOSTILE_REPLIES, ScriptedLLMServer
from settings import Settings
from wiring import open_silvia

FACTS = [
    "Conta de luz média do lead: R$ 380,00 por mês", "Economia média com a Serena: 18%",
    "Economia estimada: R$ 68,40 por mês", "Economia estimada: R$ 820,80 por ano",
    "Plano Essencial: 10% de desconto, sem fidelidade", "Plano Plus: 15% de desconto, fidelidade de 12 meses",
    "Plano Premium: 20% de desconto, fidelidade de 24 meses", "Planos disponíveis na região do lead: 3",
]  # fmt: skip
GOOD = [
    "Entendo, Maria! 😊 Se você mudar de casa, o especialista da Serena te orienta sobre a transferência. "
    "Com o Plano Plus, são 15% de desconto e fidelidade de 12 meses."
    "\n\nE aí, Maria, qual dos planos você prefere?",
    "Maria, sua economia estimada é de R$ 820,80 por ano ☀️ E aí, Maria, qual dos planos você prefere?",
]
N_GUARD = 2000
N_TURNS = 40


def guard_overhead() -> tuple[float, float]:
    facts = collect_facts(FACTS)
    samples = [*GOOD, *HOSTILE_REPLIES]
    times = []
    for i in range(N_GUARD):
        text = samples[i % len(samples)]
        start = perf_counter()
        check_model_reply(text, facts, first_name="Maria", system_prompt="\n".join(FACTS), fact_texts=FACTS)
        times.append(perf_counter() - start)
    return statistics.mean(times) * 1e6, sorted(times)[int(0.99 * len(times))] * 1e6


async def turn_times(server: ScriptedLLMServer | None) -> tuple[list[float], list[float]]:
    env = {"OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": server.base_url} if server else {}
    turns, model = [], []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, SILVIA_DATA_DIR=tmp, **env)  # type: ignore[call-arg]
        async with open_silvia(settings, clock=lambda: datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) as silvia:
            for n in range(N_TURNS):
                phone = f"+5581990{n:06d}"
                await silvia.leads.upsert_lead(
                    LeadRecord(phone=phone, name="Maria Oliveira", city="Recife", state="PE", bill_amount=380)
                )
                await silvia.say(phone, "oi")
                await silvia.say(phone, "sim")
                start = perf_counter()
                result = await silvia.say(phone, "e se eu mudar de casa?")
                turns.append((perf_counter() - start) * 1000)
                calls = (result.state.get("turn") or {}).get("llm_calls") or []
                model.append(float(sum(c.get("latency_ms") or 0 for c in calls)))
    return turns[5:], model[5:]  # drop warm-up turns


async def main() -> None:
    mean_us, p99_us = guard_overhead()
    print(
        f"guard (check_model_reply) per reply: mean {mean_us:.0f} µs, p99 {p99_us:.0f} µs ({N_GUARD} replies)"
    )
    plain, _ = await turn_times(None)
    with ScriptedLLMServer().running() as server:
        l4, model = await turn_times(server)
    overhead = [t - m for t, m in zip(l4, model, strict=True)]
    print(f"template turn (no model), median: {statistics.median(plain):.1f} ms")
    print(
        f"L4 turn, median: {statistics.median(l4):.1f} ms, "
        f"of which model HTTP call {statistics.median(model):.1f} ms"
    )
    print(f"L4 turn beyond the model's own time, median: {statistics.median(overhead):.1f} ms "
          f"(p90 {sorted(overhead)[int(0.9 * len(overhead))]:.1f} ms); target <= 50 ms")  # fmt: skip
    extra = statistics.median(overhead) - statistics.median(plain)
    print(f"L4 work added to a template turn (prompt, guard, logging), median: {extra:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
