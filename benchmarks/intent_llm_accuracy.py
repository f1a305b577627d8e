"""Intent accuracy on the labelled sets with the rules alone and with the model layer.

Run: .venv/bin/python benchmarks/intent_llm_accuracy.py

No real model is reachable from this machine, so the "with model" figures use the scripted
local server (demo/scripted_llm.py) as an *oracle* that knows the labels. They measure the
plumbing — how many messages escalate, and that every escalated message takes the model's
answer through langchain-openai, JSON schema and validation — not the quality of any model.
With a real model (OPENAI_API_KEY/OPENAI_BASE_URL set), pass --real to score it instead.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cli.llm import classify_many
from demo.scripted_llm import ScriptedLLMServer, good_model
from settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def rows(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(text, gold) for text, gold in (line.split("\t") for line in lines if line.strip())]


async def score(data: list[tuple[str, str]], settings: Settings) -> tuple[float, int]:
    results = await classify_many([t for t, _ in data], settings)
    correct = sum(r["intent"] == gold for r, (_, gold) in zip(results, data, strict=True))
    return correct / len(data), sum(r["source"] == "model" for r in results)


async def main(real: bool) -> None:
    sets = {name: rows(name) for name in ("intents_labelled.tsv", "intents_heldout.tsv")}
    rules_only = Settings(_env_file=None)  # type: ignore[call-arg]
    oracle = {t: {"intent": g, "entities": {}, "faq_fit": True} for data in sets.values() for t, g in data}
    with ScriptedLLMServer(responder=good_model(oracle)).running() as server:
        model = Settings(_env_file=None, OPENAI_API_KEY="bench", OPENAI_BASE_URL=server.base_url)  # type: ignore[call-arg]
        if real:
            model = Settings()  # the environment's OPENAI_* settings
        for name, data in sets.items():
            base, _ = await score(data, rules_only)
            with_model, escalated = await score(data, model)
            label = "real model" if real else "oracle scripted model (plumbing only)"
            print(f"{name}: n={len(data)}  rules {base:.1%}  with {label} {with_model:.1%}  "
                  f"escalated to the model {escalated} ({escalated / len(data):.1%})")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main("--real" in sys.argv))
