"""One follow-up pass: decide for every candidate lead, then send through the graph.

A pass is claimed first (`first_time("followups:pass:<instant>")` on the shared
de-duplicator, Redis across processes), so when several processes run the scheduler exactly
one of them sends. Each lead is also claimed once per local day before its tick, and the
tick runs under the lead's lock, where the `followup` node decides again: a lead who wrote
back or opted out since the plan was made gets nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from agent.inbound import Inbound
from agent.nodes.followup import CLOSE
from agent.policy.followups import Decision, FollowupKind, LeadFacts, decide
from agent.policy.hours import local
from storage.followups import FollowupStore
from storage.locks import LeadLocks, MessageDeduplicator
from wiring import Silvia

log = logging.getLogger(__name__)

DOCUMENT_SWEEP = frozenset({FollowupKind.DOCUMENT_REMINDER})


@dataclass
class Outcome:
    phone: str
    stage: str
    action: str  # send | close | skip | sent | closed | not sent
    kind: str = ""
    channel: str = ""
    reason: str = ""

    def line(self) -> str:
        what = f"{self.action:<8} {self.kind or '-':<20} {self.channel or '-':<8}"
        return f"{self.phone:<16} {self.stage:<19} {what} {self.reason}"


@dataclass
class PassReport:
    at: datetime
    dry_run: bool
    claimed: bool = True
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, *actions: str) -> int:
        return sum(o.action in actions for o in self.outcomes)


class FollowupRunner:
    def __init__(
        self,
        silvia: Silvia,
        store: FollowupStore,
        claims: MessageDeduplicator,
        locks: LeadLocks,
        timezone: str,
        *,
        limit: int = 200,
    ) -> None:
        self.silvia = silvia
        self.store = store
        self.claims = claims
        self.locks = locks
        self.timezone = timezone
        self.limit = limit

    async def plan(
        self, now: datetime, only: frozenset[FollowupKind] | None = None
    ) -> list[tuple[LeadFacts, Decision]]:
        candidates = await self.store.candidates(now, self.limit)
        return [(facts, decide(facts, now, self.timezone, only=only)) for facts in candidates]

    async def run_pass(
        self,
        now: datetime,
        *,
        dry_run: bool = False,
        only: frozenset[FollowupKind] | None = None,
        name: str = "pass",
    ) -> PassReport:
        """Plan and (unless `dry_run`) send; one process per `name`+instant gets to send."""
        report = PassReport(now, dry_run)
        if not dry_run and not await self.claims.first_time(f"followups:{name}:{now.isoformat()}"):
            report.claimed = False
            log.info("follow-up %s at %s already run by another process", name, now.isoformat())
            return report
        plan = await self.plan(now, only)
        report.outcomes = _outcomes(plan) if dry_run else await self.execute(plan, now)
        return report

    async def execute(self, plan: list[tuple[LeadFacts, Decision]], now: datetime) -> list[Outcome]:
        """Send what `plan` decided; each tick is decided again by the graph when it runs."""
        outcomes = []
        for (facts, decision), planned in zip(plan, _outcomes(plan), strict=True):
            if decision.action != "skip":
                planned = await self._execute(facts, decision, now, planned)
            outcomes.append(planned)
        return outcomes

    async def _execute(
        self, facts: LeadFacts, decision: Decision, now: datetime, planned: Outcome
    ) -> Outcome:
        day = local(now, self.timezone).date().isoformat()
        if decision.sends and not await self.claims.first_time(f"followups:lead:{facts.phone}:{day}"):
            planned.action, planned.reason = "skip", "another pass already contacted this lead today"
            return planned
        tick = Inbound(
            phone=facts.phone,
            kind="followup_tick",
            received_at=now,
            followup_kind=CLOSE if decision.action == "close" else str(decision.kind),
        )
        try:
            async with self.locks.hold(facts.phone):
                result = await self.silvia.handle(tick)
        except Exception as exc:  # one lead's failure never stops the pass
            log.exception("follow-up for …%s failed", facts.phone[-4:])
            planned.action, planned.reason = "failed", f"{type(exc).__name__}: {exc}"[:200]
            return planned
        node = (result.state.get("turn") or {}).get("followup") or {}
        sent_ok = [s for s in result.state.get("sent") or [] if s.get("ok")]
        if decision.action == "close" and result.stage == "lost":
            planned.action = "closed"
        elif sent_ok:
            replies = result.state.get("replies") or []
            templates = [r["whatsapp_template"] for r in replies if r.get("whatsapp_template")]
            planned.action = "sent"
            planned.channel = f"template {templates[0]}" if templates else "text"
        else:
            planned.action = "not sent"
            planned.reason = node.get("reason") or "blocked on the way out (see sdr_logs)"
        return planned


def _outcomes(plan: list[tuple[LeadFacts, Decision]]) -> list[Outcome]:
    return [
        Outcome(f.phone, f.stage.value, d.action, str(d.kind or ""), d.channel or "", d.reason)
        for f, d in plan
    ]
