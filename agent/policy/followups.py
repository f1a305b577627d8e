"""The follow-up policy (seed, Workflow 5): who gets which follow-up, when, and why not.

Pure functions over `LeadFacts`, so the scheduler (facts from `lead_status`) and the
`followup` node (facts from the checkpointed conversation) apply exactly the same rules:

* passes at 09:00, 14:00 and 18:00 America/Recife on business days (national holidays off);
* a lead is due when inactive for more than 2 hours, fewer than 3 follow-ups were sent and
  the stage still makes sense (not opted_out, lost, handed_off, registered, not_qualified);
* the kind follows stage and count: `document_reminder` (due 1 hour after the bill was
  asked for, the seed's Workflow 3), `gentle_nudge`, `value_reinforcement`, `last_chance`;
* a lead who got the last one and did not answer within 24 hours is closed as `lost`;
* at most one proactive message per lead per local day;
* a "no" (decisions below, from the seed's Workflow 5: only `active` leads are followed up,
  and a follow-up must "offer value, not pressure"):
  - a clear decline ("não tenho interesse", "não quero", "tô fora", "já tenho placa solar")
    closes the lead as `lost` at once (`answer` node): no nudge, no value reinforcement, no
    last chance. A lead who writes again re-opens the conversation, as after any `lost`;
  - a bare "não" (optionally "obrigado", "agora não", "por enquanto não") answering Sílvia's
    question before the bill is asked for ("quer ver os planos?") may mean "not now": it gets
    exactly one `gentle_nudge`, and 24 h of silence after it closes the lead as `lost`;
  - opt-out stays stronger than both: never another proactive message (stage `opted_out`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from agent.policy.hours import CLOSE, OPEN, holiday_name, is_business_day, local
from agent.policy.reminders import Reminder, still_owed
from agent.state import Stage
from agent.understanding.decisions import refuses
from agent.understanding.intent import normalise
from agent.understanding.tone import is_angry


class FollowupKind(StrEnum):
    DOCUMENT_REMINDER = "document_reminder"
    GENTLE_NUDGE = "gentle_nudge"
    VALUE_REINFORCEMENT = "value_reinforcement"
    LAST_CHANCE = "last_chance"
    REQUESTED_REMINDER = "requested_reminder"  # the lead asked: "me lembra amanhã?"


PASS_TIMES: tuple[time, ...] = (time(9, 0), time(14, 0), time(18, 0))
MAX_FOLLOWUPS = 3
INACTIVE_AFTER = timedelta(hours=2)  # strictly more than this
DOCUMENT_REMINDER_AFTER = timedelta(hours=1)  # at least this
LOST_AFTER = timedelta(hours=24)  # no answer this long after the last one → lost
SERVICE_WINDOW = timedelta(hours=24)  # WhatsApp: free-form only within 24 h of the lead's message
# The 18:00 pass takes a moment to send; a tick older than this is stale and dropped.
PASS_GRACE = timedelta(minutes=15)

EXCLUDED_STAGES: frozenset[Stage] = frozenset(
    {Stage.OPTED_OUT, Stage.LOST, Stage.HANDED_OFF, Stage.REGISTERED, Stage.NOT_QUALIFIED}
)
DOCUMENT_STAGES: frozenset[Stage] = frozenset({Stage.PLAN_SELECTED, Stage.DOCUMENT_REQUESTED})
# Where a clear decline closes the lead as lost (later stages are with Serena or a specialist).
DECLINE_STAGES: frozenset[Stage] = frozenset(
    {Stage.NEW, Stage.GREETED, Stage.PLANS_PRESENTED, Stage.PLAN_SELECTED, Stage.DOCUMENT_REQUESTED}
)
# Where a bare "não" answers Sílvia's offer (see the plans, get an estimate): one gentle nudge.
# In the document stages a "não" is about the bill ("não tenho agora"): the reminder stays.
SAID_NO_STAGES: frozenset[Stage] = frozenset({Stage.NEW, Stage.GREETED, Stage.PLANS_PRESENTED})
# Offers a bare "não" refuses (agent/understanding/offers.py): Serena's own; a person declined is
# no refusal of Serena.
REFUSABLE_OFFERS: frozenset[str] = frozenset({"plans", "estimate", "bill"})
# Words a bare "não" may carry and still be only an answer to the question, not a decline.
_PLAIN_NO = (
    "nao n nn nem no negativo obrigado obrigada obg brigado valeu "
    "agradeco ainda agora por enquanto momento hoje sim ok"
)
_PLAIN_NO_WORDS = frozenset(_PLAIN_NO.split())

Action = Literal["send", "close", "skip"]
Channel = Literal["text", "template"]


@dataclass(frozen=True)
class LeadFacts:
    """What the policy needs to know about one lead."""

    phone: str
    stage: Stage
    last_inbound_at: datetime | None  # the lead's last message
    followup_count: int = 0
    last_followup_at: datetime | None = None
    last_followup_kind: str | None = None
    has_savings_figure: bool = False  # we know their bill, so we can quote their saving
    said_no: bool = False  # their last message was a bare "não" to Sílvia's offer (one nudge)
    complained: bool = False  # their last message was a complaint: no nudge until they write again
    reminder: Reminder | None = None  # the lead asked to be reminded on a day (agent/policy/reminders.py)


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    kind: FollowupKind | None = None
    channel: Channel | None = None

    @property
    def sends(self) -> bool:
        return self.action == "send"


def _skip(reason: str) -> Decision:
    return Decision("skip", reason)


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """WhatsApp's customer-service window: open for 24 h after the lead's last message."""
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


def proactive_allowed(now: datetime, timezone: str) -> bool:
    """09:00–18:00 (the 18:00 pass included) on business days."""
    moment = local(now, timezone)
    return is_business_day(moment.date()) and OPEN <= moment.time() <= CLOSE


def _closed_reason(now: datetime, timezone: str) -> str:
    moment = local(now, timezone)
    if holiday := holiday_name(moment.date()):
        return f"holiday ({holiday})"
    if moment.weekday() >= 5:
        return "weekend"
    return f"outside business hours ({moment:%H:%M})"


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 48 * 60:
        return f"{minutes // (24 * 60)} days"
    return f"{minutes // 60}h{minutes % 60:02d}"


def said_no(stage: Stage, last_lead_intent: str | None) -> bool:
    """The lead's last message was a bare "não" to Sílvia's offer (a clear decline is `lost`).

    One rule for both readers: the scheduler (`lead_interactions`) and the node (the state).
    """
    return stage in SAID_NO_STAGES and last_lead_intent == "deny"


def complained(last_lead_text: str | None) -> bool:
    """The lead's last message was angry or a complaint ("que saco", "parem de me perturbar"): no
    follow-up nudges them; a pitch after a complaint is what issue 14 rule 9 forbids. One rule for
    the scheduler (`lead_interactions`) and the node (the state)."""
    return bool(last_lead_text) and is_angry(str(last_lead_text))


def is_decline(text: str) -> bool:
    """A deny that declines the whole offer, not only Sílvia's last question.

    Call it only for messages understood as `deny`: any word beyond a bare "não" (plus
    thanks or "agora"/"por enquanto") carries the refusal — "não tenho interesse", "não
    quero", "tô fora", "dispenso", "já tenho placa solar".
    """
    tokens = [t for t in normalise(text).split() if t.isalnum()]
    return any(t not in _PLAIN_NO_WORDS for t in tokens)


# In a plain "não", the words that make it "not now" ("agora não", "por enquanto não"): a later.
_NOT_NOW_WORDS = frozenset(["agora", "ainda", "enquanto", "momento", "hoje"])


def refuses_offer(text: str, offer: str | None) -> bool:
    """A "não" that closes the lead: a bare "não" / "não, obrigado" (or any decline) to an offer of
    Serena's (see the plans, an estimate, send the bill: `agent/understanding/offers.py`), or a
    refusal said outright at any point ("não tenho interesse", "obrigado mas não"). A "não" to a
    question that offers nothing ("é esse valor mesmo?"), to a person ("não precisa"), "agora não"
    and "não sei" keep the lead. Call it for `deny` messages."""
    if offer not in REFUSABLE_OFFERS:
        # A person declined ("não precisa"), or a question that offers nothing: only a refusal
        # said outright ("não tenho interesse", "não quero mais") closes the lead.
        return refuses(text)
    if is_decline(text):
        return True
    tokens = {t for t in normalise(text).split() if t.isalnum()}
    return not tokens & _NOT_NOW_WORDS


def _answered_since_last(facts: LeadFacts) -> bool:
    return facts.last_followup_at is None or (
        facts.last_inbound_at is not None and facts.last_inbound_at > facts.last_followup_at
    )


def next_kind(facts: LeadFacts) -> tuple[FollowupKind, timedelta]:
    """Which follow-up comes next for this lead, and after how much silence it is due."""
    answered_since_last = _answered_since_last(facts)
    if facts.said_no:
        return FollowupKind.GENTLE_NUDGE, INACTIVE_AFTER  # never value or last-chance pressure
    if facts.followup_count >= MAX_FOLLOWUPS - 1:
        return FollowupKind.LAST_CHANCE, INACTIVE_AFTER
    if facts.stage in DOCUMENT_STAGES and answered_since_last:
        return FollowupKind.DOCUMENT_REMINDER, DOCUMENT_REMINDER_AFTER
    if facts.followup_count == 0:
        return FollowupKind.GENTLE_NUDGE, INACTIVE_AFTER
    return FollowupKind.VALUE_REINFORCEMENT, INACTIVE_AFTER


def _close_or_skip(facts: LeadFacts, now: datetime) -> Decision:
    last = facts.last_followup_at
    answered = last is not None and facts.last_inbound_at is not None and facts.last_inbound_at > last
    if last is not None and not answered and now - last >= LOST_AFTER:
        return Decision("close", f"no answer {_hours(now - last)} after the last follow-up → lost")
    return _skip(f"{facts.followup_count} follow-ups already sent (cap {MAX_FOLLOWUPS})")


def _after_no(facts: LeadFacts, now: datetime) -> Decision:
    """A lead who said "não" already got their one gentle nudge: close after 24 h of silence."""
    assert facts.last_followup_at is not None
    if now - facts.last_followup_at >= LOST_AFTER:
        return Decision("close", "no answer 24h after the one follow-up a 'não' gets → lost")
    return _skip("a 'não' gets one follow-up, already sent")


def decide(
    facts: LeadFacts, now: datetime, timezone: str, *, only: frozenset[FollowupKind] | None = None
) -> Decision:
    """Send which follow-up now, close the lead as lost, or skip it (with the reason).

    `only` restricts what may be sent (the document-reminder sweep between passes).
    """
    if facts.stage in EXCLUDED_STAGES:
        return _skip(f"stage {facts.stage.value}")
    if facts.last_inbound_at is None:
        return _skip("no message from the lead on record")
    if facts.complained:
        return _skip("the lead's last message was a complaint")
    if owed := still_owed(facts.reminder, facts.last_inbound_at, facts.last_followup_at, timezone):
        return _requested_reminder(facts, owed, now, timezone, only)
    if facts.said_no and not _answered_since_last(facts):
        decision = _after_no(facts, now)
        return decision if only is None or decision.action == "skip" else _skip("closing waits for a pass")
    if facts.followup_count >= MAX_FOLLOWUPS:
        decision = _close_or_skip(facts, now)
        return decision if only is None or decision.action == "skip" else _skip("closing waits for a pass")
    if not proactive_allowed(now, timezone):
        return _skip(_closed_reason(now, timezone))
    if facts.last_followup_at is not None and local(facts.last_followup_at, timezone).date() == (
        local(now, timezone).date()
    ):
        return _skip("already got a follow-up today")
    kind, due_after = next_kind(facts)
    silent = now - facts.last_inbound_at
    too_soon = silent < due_after if kind == FollowupKind.DOCUMENT_REMINDER else silent <= due_after
    if too_soon:
        return _skip(f"last message {_hours(silent)} ago ({kind.value} needs {_hours(due_after)})")
    if only is not None and kind not in only:
        return _skip(f"{kind.value} waits for the next pass")
    channel: Channel = "text" if window_open(facts.last_inbound_at, now) else "template"
    return Decision("send", f"silent for {_hours(silent)}, {facts.followup_count} sent before", kind, channel)


def _requested_reminder(
    facts: LeadFacts, owed: Reminder, now: datetime, timezone: str, only: frozenset[FollowupKind] | None
) -> Decision:
    """The reminder the lead asked for: on its day, at the first pass the lead has been quiet for
    a while; never before it (no other nudge either: the lead said when), whatever the count."""
    if local(now, timezone).date() < owed.on:
        return _skip(f"the lead asked to be reminded on {owed.on:%d/%m}")
    if not proactive_allowed(now, timezone):
        return _skip(_closed_reason(now, timezone))
    assert facts.last_inbound_at is not None
    silent = now - facts.last_inbound_at
    if silent <= INACTIVE_AFTER:
        return _skip(f"last message {_hours(silent)} ago (the reminder needs {_hours(INACTIVE_AFTER)})")
    if only is not None and FollowupKind.REQUESTED_REMINDER not in only:
        return _skip("the reminder waits for the next pass")
    channel: Channel = "text" if window_open(facts.last_inbound_at, now) else "template"
    reason = f"the lead asked to be reminded on {owed.on:%d/%m}"
    return Decision("send", reason, FollowupKind.REQUESTED_REMINDER, channel)


# --- pass calendar --------------------------------------------------------------------------


def pass_slots(start: date, days: int, timezone: str) -> Iterator[datetime]:
    """Every pass instant (aware, local) on business days from `start` for `days` days."""
    zone = ZoneInfo(timezone)
    for offset in range(days):
        day = start + timedelta(days=offset)
        if is_business_day(day):
            for at in PASS_TIMES:
                yield datetime.combine(day, at, tzinfo=zone)


def next_pass(now: datetime, timezone: str) -> datetime:
    """The first pass strictly after `now`."""
    today = local(now, timezone).date()
    for slot in pass_slots(today, 30, timezone):
        if slot > now:
            return slot
    raise RuntimeError("no business day in the next 30 days")  # cannot happen in Brazil


def current_slot(now: datetime, timezone: str) -> datetime | None:
    """The pass this instant belongs to (within PASS_GRACE after it), if any."""
    today = local(now, timezone).date()
    for slot in pass_slots(today, 1, timezone):
        if slot <= now <= slot + PASS_GRACE:
            return slot
    return None
