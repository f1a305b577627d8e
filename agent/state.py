"""The conversation state the graph checkpoints per lead thread (`lead:<phone>`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal, TypedDict


class Stage(StrEnum):
    """`lead_status.lead_stage`. A stage changes only inside a node."""

    NEW = "new"
    GREETED = "greeted"
    PLANS_PRESENTED = "plans_presented"
    PLAN_SELECTED = "plan_selected"
    DOCUMENT_REQUESTED = "document_requested"
    DOCUMENT_RECEIVED = "document_received"
    QUALIFIED = "qualified"
    NOT_QUALIFIED = "not_qualified"
    REGISTERED = "registered"
    HANDED_OFF = "handed_off"
    OPTED_OUT = "opted_out"
    LOST = "lost"


# The funnel's forward path; side exits (opted_out, lost) say nothing about how far a lead got.
FUNNEL_ORDER: tuple[Stage, ...] = (
    Stage.NEW,
    Stage.GREETED,
    Stage.PLANS_PRESENTED,
    Stage.PLAN_SELECTED,
    Stage.DOCUMENT_REQUESTED,
    Stage.DOCUMENT_RECEIVED,
    Stage.QUALIFIED,
    Stage.REGISTERED,
    Stage.HANDED_OFF,
)


class Intent(StrEnum):
    """Stable intent names (`silvia intent` prints them)."""

    GREETING = "greeting"
    AFFIRM = "affirm"
    DENY = "deny"
    ASK_PRICE = "ask_price"
    ASK_HOW_IT_WORKS = "ask_how_it_works"
    ASK_INSTALLATION = "ask_installation"
    ASK_TRUST = "ask_trust"
    ASK_CONTRACT = "ask_contract"
    CHOOSE_PLAN = "choose_plan"
    DOCUMENT_PROMISE = "document_promise"
    LATER = "later"
    OPT_OUT = "opt_out"
    ASK_HUMAN = "ask_human"
    THANKS = "thanks"
    PROVIDE_INFO = "provide_info"
    DATA_REQUEST = "data_request"
    OTHER = "other"


Layer = Literal["L1", "L2", "L3", "L4"]


class Profile(TypedDict, total=False):
    """What we know about the lead (from the `leads` row, their messages and their bill)."""

    name: str
    city: str
    state: str  # UF, two letters
    bill_amount: float  # R$ per month
    person_type: Literal["natural", "juridical"]
    company: str
    # The person who writes for a business lead ("aqui é a Joana, da loja"): addressed by this name.
    contact_name: str


class Reply(TypedDict, total=False):
    """One message Sílvia will send this turn: a template to render, then the rendered text."""

    template_id: str  # key in prompts/serena_prompts.yml, e.g. "greeting.v2.0_casual"
    variables: dict[str, Any]
    buttons: list[dict[str, str]]  # WhatsApp reply buttons: {id, title<=20}
    list: dict[str, Any]  # WhatsApp list message: {button, rows: [{id, title<=24}]}
    text: str  # filled by compose
    layer: Layer
    prompt_version: str
    cacheable: bool  # a pure answer that depends only on (message, stage, version)
    facts: list[str]  # numbers this message may state (set by compose, checked by guard)
    version: str  # prompt version override for this message (e.g. the premium greeting)
    append_nudge: bool  # follow the text with the line that brings the lead back to the step
    whatsapp_template: str  # set by deliver: sent as this approved template (24-hour rule)
    topic: str  # the knowledge-base topic this message answers (the guard checks it was the one read)
    stand_in: str  # an open template's template for when the model writes nothing (fails, refused)


class TurnInfo(TypedDict, total=False):
    """Bookkeeping for one turn; reset by `ingest`."""

    started_at: float  # time.perf_counter() at ingest
    cache_key: str
    cache_hit: bool
    nodes: list[str]
    guard_violations: list[str]
    interaction_type: str
    followup: dict[str, Any]  # follow-up tick: {action, reason, kind}
    followup_kind: str  # the follow-up this turn sends (counted in lead_status)
    paused: bool  # a specialist has taken over this lead: record only, no reply


def keep_recent(
    existing: list[dict[str, Any]] | None, new: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Reducer for `messages`: append, keeping the last 60 entries so checkpoints stay small."""
    merged = [*(existing or []), *(new or [])]
    return merged[-60:]


class SilviaState(TypedDict, total=False):
    phone: str
    inbound: dict[str, Any]  # Inbound.model_dump(mode="json")
    inbox_id: str  # the last inbox entry a worker turn answered (api/turns.py: exactly once)
    profile: Profile
    stage: str  # a Stage value (plain string, so checkpoints stay plain JSON)
    prompt_version: str

    intent: str
    confidence: float
    entities: dict[str, Any]
    place_question: dict[str, str] | None  # {city, state} of "vocês atendem em X?" this turn
    profile_changed: bool  # this message changed the place, amount or person type of the estimate
    reading: dict[str, Any]  # agent/understanding/reading.py::Reading.to_dict() of this message
    topic: str  # the knowledge-base topic the lead asked about, when read with confidence

    distributor: str
    plans: list[dict[str, Any]]
    selected_plan: dict[str, Any] | None
    economics: dict[str, Any]
    bill: dict[str, Any] | None  # BillFields of the accepted bill
    bill_attempts: int
    bill_tips: list[str]  # photo tips already given (light, whole_page, angle, focus): vary them
    pending_bill: list[dict[str, Any]]  # pages of a bill waiting for the next one (merge window)
    amount_check: dict[str, Any] | None  # {amount, kind, reason}: a said amount waiting to be confirmed
    awaiting_name: bool  # the name was asked before registration (agent/nodes/naming.py)
    wanted_plan: str  # a plan id the lead named before choosing one (kept until they change it)
    bill_check: dict[str, Any] | None  # {said, read}: amount far from what the lead said, asked
    qualification: dict[str, Any]
    serena_lead_id: str
    specialist: dict[str, Any]
    opted_out_at: str
    opt_out_words: str
    last_inbound_at: str  # ISO time of the lead's last message (follow-ups, 24-hour window)
    followups: dict[str, Any]  # {count, last_at, last_kind}: follow-ups sent (agent/policy/followups.py)
    human_requested: bool
    reminder: dict[str, str] | None  # the lead asked to be reminded: {"on": day, "asked_at": when}
    human_offered: bool  # Sílvia offered a specialist: a "sim" now means "yes, hand me over"
    satisfaction: dict[str, Any]  # the 1–5 survey: {asked_at, reason, via, awaiting, score}

    replies: list[Reply]  # this turn's outgoing messages
    sent: list[dict[str, Any]]  # what deliver sent: {message_id, text, kind}
    turn: TurnInfo
    messages: Annotated[list[dict[str, Any]], keep_recent]  # {role: lead|silvia, text, stage}


@dataclass
class TurnResult:
    """What one turn produced, for printing, HTTP responses and evals."""

    phone: str
    stage: str
    intent: str
    replies: list[dict[str, Any]]
    response_time_ms: int
    state: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.replies]
