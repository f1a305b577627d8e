"""Whole Sílvia turns on the off-script questions, with no model and with a real model
(benchmarks/offscript_topics.py --turns): the same shares, the turn latency, and every question
the model made worse than no model.

Each question is the second message of a known lead (after "oi"), on a fresh embedded Sílvia
(storage and tools embedded, fixed business-hours clock). What the lead got is read from the
replies Sílvia sent:
* on point: the knowledge-base answer of the topic asked, the reply of the node that owns the
  topic (handoff, privacy, the plans list, ...: NODE_ANSWERS), an FAQ answer whose text covers
  the topic (LEGACY_ANSWERS), or a model-written (L4) reply that `evals.topic_relevance` finds
  on the asked topic's intent (the judge-free relevance metric);
* clarify: the "which of these did you mean?" question with two topics as buttons;
* wrong: another topic's or FAQ entry's answer, or a model-written reply off the topic's intent;
* not answered: "não entendi", or a funnel reply that ignores the question.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from agent.inbound import Inbound
from agent.ports import LeadRecord
from agent.understanding.knowledge import default_knowledge
from evals.targets import FIXED_CLOCK
from evals.topic_relevance import answered_on_topic
from settings import Settings
from wiring import open_silvia

# What each FAQ entry of the rules-only Sílvia actually talked about (prompts/faq.yml).
LEGACY_ANSWERS = {
    "ask_price": {"price", "savings_estimate"},
    "ask_how_it_works": {"how_it_works", "one_or_two_bills", "distributor_role"},
    "ask_installation": {"installation", "apartment", "meter"},
    "ask_trust": {"scam", "who_is_serena", "regulation", "data_privacy"},
    "ask_contract": {"loyalty", "minimum_contract_time", "moving_house", "bill_other_name", "cancellation"},
    "ask_human": {"talk_to_person"},
}
# Topics a dedicated node answers with its own templates (template id prefixes).
NODE_ANSWERS = {
    "talk_to_person": ("handoff.",),
    "data_privacy": ("privacy.",),
    "how_got_number": ("privacy.how_we_got_your_number",),
    "low_bill": ("amount_check.below_minimum",),
    "company": ("company_",),
    "plans_difference": ("plan_presentation",),  # the plans list: discount and loyalty of each
}
OUTCOMES = ("on_point", "clarify", "not_answered", "wrong")
RANK = {"on_point": 3, "clarify": 2, "not_answered": 1, "wrong": 0}  # what the lead is left with
EMBEDDED = {
    "DATABASE_URL": "", "REDIS_URL": "", "WHATSAPP_MCP_URL": "", "SERENA_MCP_URL": "",
    "WHATSAPP_BACKEND": "sandbox",
}  # fmt: skip


@dataclass
class TurnRow:
    text: str
    gold: str
    outcome: str
    latency_ms: float
    model_wrote: bool
    answer: str
    model_asked: bool  # the turn called the model (understand or compose), whatever came of it


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def turn_outcome(replies: list[dict[str, Any]], gold: str) -> tuple[str, bool]:
    """(outcome, whether the model wrote a reply) for what Sílvia sent to a question on `gold`."""
    templates = [str(r.get("template_id") or "") for r in replies]
    model_texts = [str(r.get("text") or "") for r in replies if r.get("layer") == "L4"]
    if any(t.startswith(f"kb.{gold}.") for t in templates) or gold in [r.get("topic") for r in replies]:
        return "on_point", bool(model_texts)
    if "knowledge.clarify" in templates:
        return "clarify", bool(model_texts)
    if model_texts:
        intent = default_knowledge()[gold].intent
        return ("on_point" if answered_on_topic(intent, [], model_texts) else "wrong"), True
    if any(t.startswith(NODE_ANSWERS.get(gold, ("-",))) for t in templates):
        return "on_point", False
    faq = [t.split(".")[1] for t in templates if t.startswith("faq.") and t.count(".") >= 2]
    if any(gold in LEGACY_ANSWERS.get(intent, set()) for intent in faq):
        return "on_point", False
    if faq or any(t.startswith("kb.") for t in templates):
        return "wrong", False
    return "not_answered", False


def model_env(url: str, model: str, timeout: str) -> dict[str, str]:
    if not url:
        return {}
    return {"OPENAI_API_KEY": "not-needed", "OPENAI_BASE_URL": url, "OPENAI_MODEL": model,
            "SILVIA_LLM_TIMEOUT": timeout}  # fmt: skip


async def play(rows: list[list[str]], env: dict[str, str]) -> list[TurnRow]:
    """Each question on its own lead of one Sílvia; returns what each lead got."""
    played = []
    async with AsyncExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="silvia-offscript-"))
        settings = Settings(_env_file=None, SILVIA_DATA_DIR=data_dir, **(EMBEDDED | env))  # type: ignore[call-arg]
        silvia = await stack.enter_async_context(open_silvia(settings, clock=lambda: FIXED_CLOCK))
        for number, (text, gold) in enumerate(rows):
            phone = f"+55819{number:08d}"
            await silvia.leads.upsert_lead(
                LeadRecord(phone=phone, name="Ana Souza", city="Recife", state="PE", bill_amount=420.0)
            )
            await silvia.say(phone, "oi")
            started = time.perf_counter()
            result = await silvia.handle(Inbound(phone=phone, kind="text", text=text))
            latency = (time.perf_counter() - started) * 1000
            outcome, model_wrote = turn_outcome(result.replies, gold)
            asked = bool((result.state.get("turn") or {}).get("llm_calls"))
            played.append(TurnRow(text, gold, outcome, latency, model_wrote, " | ".join(result.texts), asked))
    return played


def print_table(results: dict[str, list[TurnRow]]) -> None:
    n = len(next(iter(results.values())))
    print(f"whole turns on the same {n} questions (a known lead, after 'oi'):")
    print("| Sílvia | on point | clarify | not answered | wrong | model asked/wrote | turn p50 | p95 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, played in results.items():
        counts = Counter(r.outcome for r in played)
        shares = [f"{100 * counts[k] / n:.1f} %" for k in OUTCOMES]
        wrote = f"{sum(r.model_asked for r in played)} / {sum(r.model_wrote for r in played)}"
        latencies = [r.latency_ms for r in played]
        print(f"| {name} | " + " | ".join(shares) + f" | {wrote} | {percentile(latencies, 50):.0f} ms"
              f" | {percentile(latencies, 95):.0f} ms |")  # fmt: skip


def print_worse(without: list[TurnRow], with_model: list[TurnRow]) -> None:
    worse = [(a, b) for a, b in zip(without, with_model, strict=True) if RANK[b.outcome] < RANK[a.outcome]]
    better = sum(RANK[b.outcome] > RANK[a.outcome] for a, b in zip(without, with_model, strict=True))
    print(f"with the model: {better} answers better than no model, {len(worse)} worse")
    for a, b in worse:
        print(f"  worse: {a.gold}: {a.outcome} -> {b.outcome}: {b.text!r} -> {b.answer[:160]!r}")


def compare_turns(rows: list[list[str]], url: str, model: str, timeout: str, misses: bool) -> None:
    results = {"no model": asyncio.run(play(rows, {}))}
    if url:
        env = model_env(url, model, timeout)
        results[f"model {model}, budget {timeout} s"] = asyncio.run(play(rows, env))
    print_table(results)
    if misses:
        for name, played in results.items():
            for r in played:
                if r.outcome != "on_point":
                    print(f"  [{name}] {r.outcome:12} {r.gold:20} {r.text!r} -> {r.answer[:120]!r}")
    if url:
        print_worse(*results.values())
