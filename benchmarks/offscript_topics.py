"""Off-script questions: rules only vs the reading with the embedding matcher, and the time the
reading adds per message.

    .venv/bin/python benchmarks/offscript_topics.py [--file tests/data/offscript_topics.tsv] [--misses]

Per message: *on point* (the topic answered is the one asked), *clarify* (Sílvia asks which of two
topics), *not understood* ("não entendi"), *wrong* (another topic answered with confidence).
"Rules only" is what Sílvia answered before the knowledge base: the intent's FAQ entry, whose
text covered the topics listed in LEGACY_ANSWERS.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from agent.understanding.intent import classify
from agent.understanding.knowledge import default_knowledge
from agent.understanding.reading import TOPIC_MIN_CONFIDENCE, TopicMatcher, read_message
from agent.understanding.semantic import shared_encoder

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "offscript_topics.tsv"
# What each FAQ entry of the rules-only Sílvia actually talked about (prompts/faq.yml).
LEGACY_ANSWERS = {
    "ask_price": {"price", "savings_estimate"},
    "ask_how_it_works": {"how_it_works", "one_or_two_bills", "distributor_role"},
    "ask_installation": {"installation", "apartment", "meter"},
    "ask_trust": {"scam", "who_is_serena", "regulation", "data_privacy"},
    "ask_contract": {"loyalty", "minimum_contract_time", "moving_house", "bill_other_name", "cancellation"},
    "ask_human": {"talk_to_person"},
}


def rules_outcome(text: str, gold: str) -> str:
    intent = classify(text).intent
    if intent == "other":
        return "not_understood"
    return "on_point" if gold in LEGACY_ANSWERS.get(intent, set()) else "wrong"


def reading_outcome(text: str, gold: str, matcher: TopicMatcher) -> tuple[str, str]:
    reading = read_message(text, matcher)
    question = reading.question
    if question is None or not question.topic:
        return ("on_point" if gold in LEGACY_ANSWERS.get(reading.intent, set()) else "not_understood"), ""
    if question.confidence < TOPIC_MIN_CONFIDENCE:
        return "clarify", question.topic
    return ("on_point" if question.topic == gold else "wrong"), question.topic


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--misses", action="store_true", help="print what was not on point")
    args = parser.parse_args()
    rows = [
        line.split("\t")[:2]
        for line in args.file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    t0 = time.perf_counter()
    matcher = TopicMatcher(default_knowledge(), shared_encoder, Path.home() / ".cache" / "silvia")
    matcher.warm()
    print(f"model + index loaded in {time.perf_counter() - t0:.1f} s")
    before, after, added = Counter(), Counter(), []
    for text, gold in rows:
        before[rules_outcome(text, gold)] += 1
        start = time.perf_counter()
        classify(text)
        rules_ms = time.perf_counter() - start
        start = time.perf_counter()
        outcome, topic = reading_outcome(text, gold, matcher)
        added.append((time.perf_counter() - start - rules_ms) * 1000)
        after[outcome] += 1
        if args.misses and outcome != "on_point":
            print(f"  {outcome:14} {gold:20} -> {topic:20} {text}")
    n = len(rows)
    print(f"{n} off-script questions ({args.file.name})")
    print("| reader | on point | clarify | not understood | wrong (confident) |")
    print("| --- | --- | --- | --- | --- |")
    for name, counts in (("rules only", before), ("rules + embeddings", after)):
        cells = [f"{100 * counts[k] / n:.1f} %" for k in ("on_point", "clarify", "not_understood", "wrong")]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"added per message: p50 {percentile(added, 50):.1f} ms, p95 {percentile(added, 95):.1f} ms")


if __name__ == "__main__":
    main()
