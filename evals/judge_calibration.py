"""Is the judge worth listening to? Its verdicts on a hand-labelled calibration set, compared with
the labels: accuracy, Cohen's kappa and the confusion counts per judged metric.

The set (evals/calibration/judge_set.yaml) holds Sílvia's real replies, each conversation labelled
good or bad for relevance, persona and retention, half of them with one deliberate flaw. The
judge calls a conversation good for a metric when its score is at least GOOD_SCORE: a "bad"
label means one bad turn, which a judge that sees it scores below 1.

A check is cached per judge (model and URL) and set version, so every judged run can afford it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from agent.replies.templates import PromptBook
from evals.judge import JudgeConfig, _measure, _quiet_deepeval, build_metrics

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration" / "judge_set.yaml"
CALIBRATED = ("relevance", "persona", "retention")  # the judged metrics the KPI gates use
GOOD_SCORE = 0.99
DEFAULT_MIN_KAPPA = 0.6


@dataclass
class LabelledConversation:
    id: str
    lead: dict[str, Any]
    labels: dict[str, str]  # metric -> "good" | "bad"
    turns: list[dict[str, Any]]  # {lead, silvia, bad?}


@dataclass
class Agreement:
    """Judge vs labels for one metric; "good" is the positive class."""

    metric: str
    both_good: int = 0  # label good, judge good
    missed_flaw: int = 0  # label bad, judge good
    false_alarm: int = 0  # label good, judge bad
    both_bad: int = 0  # label bad, judge bad
    errors: int = 0  # the judge gave no usable answer (counted as disagreeing with the label)

    def add(self, label: str, score: float | None) -> None:
        if score is None:
            self.errors += 1
            verdict = "bad" if label == "good" else "good"
        else:
            verdict = "good" if score >= GOOD_SCORE else "bad"
        key = {("good", "good"): "both_good", ("bad", "good"): "missed_flaw"}.get((label, verdict))
        key = key or ("false_alarm" if label == "good" else "both_bad")
        setattr(self, key, getattr(self, key) + 1)

    @property
    def n(self) -> int:
        return self.both_good + self.missed_flaw + self.false_alarm + self.both_bad

    @property
    def accuracy(self) -> float:
        return (self.both_good + self.both_bad) / self.n if self.n else 0.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa: agreement beyond what two raters with these label rates get by chance."""
        n = self.n
        if not n:
            return 0.0
        label_good, judge_good = self.both_good + self.missed_flaw, self.both_good + self.false_alarm
        chance = (label_good * judge_good + (n - label_good) * (n - judge_good)) / (n * n)
        if chance >= 1.0:
            return 1.0 if self.accuracy == 1.0 else 0.0
        return (self.accuracy - chance) / (1.0 - chance)

    def to_dict(self) -> dict[str, Any]:
        rates = {"n": self.n, "accuracy": round(self.accuracy, 4), "kappa": round(self.kappa, 4)}
        return {**asdict(self), **rates}


def load_calibration(path: Path = CALIBRATION_FILE) -> tuple[str, list[LabelledConversation]]:
    """(version, conversations). The version is the file's `version` plus a hash of its content,
    so an edit without a bump still invalidates cached checks."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    conversations = []
    for item in data.get("conversations") or []:
        labels = item.get("labels") or {}
        if set(labels) != set(CALIBRATED) or not set(labels.values()) <= {"good", "bad"}:
            raise ValueError(f"{path}: {item.get('id')}: labels must be good|bad for {list(CALIBRATED)}")
        conversations.append(LabelledConversation(item["id"], item.get("lead") or {}, labels, item["turns"]))
    if not conversations:
        raise ValueError(f"{path}: no conversations")
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{data.get('version', 0)}-{digest}", conversations


def calibration_case(conv: LabelledConversation, persona: str) -> Any:
    from deepeval.test_case import ConversationalTestCase, Turn

    turns = []
    for t in conv.turns:
        turns += [Turn(role="user", content=t["lead"]), Turn(role="assistant", content=t["silvia"])]
    return ConversationalTestCase(name=conv.id, turns=turns, chatbot_role=persona)


def calibration_plan(
    conversations: list[LabelledConversation],
    per_label: int | None = None,
    metrics: tuple[str, ...] = CALIBRATED,
) -> dict[str, list[LabelledConversation]]:
    """Which conversations each metric is judged on: all of them, or a sample of `per_label` good
    and `per_label` bad ones per metric, evenly spread over the set (deterministic, so a sampled
    check can be repeated and cached). A sample is for judges too slow for the whole set."""
    if per_label is None:
        return {m: list(conversations) for m in metrics}
    plan = {}
    for metric in metrics:
        picked: list[LabelledConversation] = []
        for label in ("good", "bad"):
            pool = [c for c in conversations if c.labels[metric] == label]
            step = max(len(pool) / per_label, 1.0)
            picked += [pool[int(i * step)] for i in range(min(per_label, len(pool)))]
        plan[metric] = picked
    return plan


async def judge_calibration_set(
    config: JudgeConfig, plan: dict[str, list[LabelledConversation]], persona: str
) -> dict[str, Agreement]:
    """Judge each metric on its conversations of the plan; one conversation at a time per slot."""
    _quiet_deepeval(config.timeout_s)
    agreements = {m: Agreement(m) for m in plan}
    gate = asyncio.Semaphore(config.concurrency)

    async def judge_one(metric_name: str, conv: LabelledConversation) -> None:
        metric_config = JudgeConfig(**{**asdict(config), "metrics": (metric_name,), "include_reason": False})
        async with gate:
            case = calibration_case(conv, persona)
            metric = build_metrics(metric_config, persona, conv.lead)[metric_name]
            outcome = await _measure(metric, case, config.timeout_s)
            agreements[metric_name].add(conv.labels[metric_name], outcome["score"])

    await asyncio.gather(*(judge_one(m, c) for m, convs in plan.items() for c in convs))
    return agreements


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:60]


def cache_path(
    cache_dir: Path,
    config: JudgeConfig,
    version: str,
    sample: int | None = None,
    metrics: tuple[str, ...] = CALIBRATED,
) -> Path:
    where = hashlib.sha256(config.base_url.encode()).hexdigest()[:6]
    sampled = f"-sample{sample}" if sample else ""
    some = "" if set(metrics) == set(CALIBRATED) else "-" + "+".join(sorted(metrics))
    return cache_dir / f"{_slug(config.model)}-{where}-{version}{sampled}{some}.json"


async def check_judge(
    config: JudgeConfig,
    cache_dir: Path,
    min_kappa: float = DEFAULT_MIN_KAPPA,
    *,
    path: Path = CALIBRATION_FILE,
    refresh: bool = False,
    sample: int | None = None,
    metrics: tuple[str, ...] = CALIBRATED,
) -> dict[str, Any]:
    """The judge's agreement with the labels per metric and whether each metric is trusted
    (kappa ≥ min_kappa). Read from the cache when this judge already met this set version.
    With `sample`, each metric is judged on that many good and bad conversations only: a sampled
    check says `sampled` and judged runs never take it for the whole set's; likewise a check of only
    some `metrics`."""
    if unknown := set(metrics) - set(CALIBRATED):
        raise ValueError(f"not calibrated metrics: {sorted(unknown)}; known: {list(CALIBRATED)}")
    version, conversations = load_calibration(path)
    cached = cache_path(cache_dir, config, version, sample, metrics)
    if cached.exists() and not refresh:
        check = json.loads(cached.read_text(encoding="utf-8"))
        check["cached"] = True
    else:
        plan = calibration_plan(conversations, sample, metrics)
        judged = {c.id: c for convs in plan.values() for c in convs}
        agreements = await judge_calibration_set(config, plan, PromptBook.load().persona)
        check = {
            "judge_model": config.model,
            "judge_base_url": config.base_url,
            "set_version": version,
            "sampled": sample,
            "conversations": len(judged),
            "turns": sum(len(c.turns) for c in judged.values()),
            "checked_at": datetime.now(UTC).isoformat(),
            "metrics": {m: a.to_dict() for m, a in agreements.items()},
        }
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(check, indent=1), encoding="utf-8")
        check["cached"] = False
    check["min_kappa"] = min_kappa
    for result in check["metrics"].values():
        result["trusted"] = result["kappa"] >= min_kappa
    return check


def untrusted_metrics(check: dict[str, Any] | None) -> dict[str, float]:
    """Metric -> kappa for every metric the judge is not trusted on."""
    if not check:
        return {}
    return {m: r["kappa"] for m, r in check["metrics"].items() if not r["trusted"]}
