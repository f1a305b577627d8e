"""Where a turn goes, decided by (stage, intent, kind of message) in one place.

Every stage accepts every intent: questions are answered and the lead is brought back to the
current step by the answer's nudge; opt-out wins everywhere.
"""

from __future__ import annotations

from agent.inbound import MEDIA_KINDS, UNUSABLE_KINDS
from agent.state import Intent, Stage

FAQ_INTENTS: frozenset[str] = frozenset(
    {
        Intent.ASK_PRICE,
        Intent.ASK_HOW_IT_WORKS,
        Intent.ASK_INSTALLATION,
        Intent.ASK_TRUST,
        Intent.ASK_CONTRACT,
    }
)
DONE_STAGES: frozenset[Stage] = frozenset({Stage.QUALIFIED, Stage.REGISTERED, Stage.HANDED_OFF})
DOCUMENT_STAGES: frozenset[Stage] = frozenset({Stage.PLAN_SELECTED, Stage.DOCUMENT_REQUESTED})

# Where "não sei tirar a foto" / "escolho depois" is a hesitation to help with, not data to collect.
HESITATION_STAGES: frozenset[Stage] = frozenset({Stage.GREETED, Stage.PLANS_PRESENTED, *DOCUMENT_STAGES})

STAGE_NODES = ("reception", "plans", "documents", "qualification", "answer", "opt_out", "handoff", "fallback")


def route_turn(
    stage: Stage,
    intent: str,
    kind: str,
    profile_complete: bool,
    human_offered: bool = False,
    *,
    typed_amount: bool = False,
    asks_place: bool = False,
    gave_place_or_amount: bool = False,
    hesitates: bool = False,
    amount_pending: bool = False,
    care: str | None = None,
    kb_topic: bool = False,
    wants_plans: bool = False,
    amount_said: bool = False,
    offer: str | None = None,
    shows_it: bool = False,
    reminder: bool = False,
    goodbye: bool = False,
) -> str:
    """The stage node that handles this inbound message.

    `typed_amount`: the lead typed their bill's total after a weak read (the documents node
    accepts it as a fallback). `asks_place`: "vocês atendem em X?", answered at any stage.
    `care`: a data request (erase, copy, other_person) or "angry" (agent/nodes/privacy.py).
    `gave_place_or_amount`: a city, state, bill amount or person type: after `not_qualified`
    it re-opens the estimate for it ("minha mãe mora em Recife, a conta é 400").
    accepts it as a fallback). `kb_topic`: the lead asked a question the knowledge base answers
    (and gave no data): answered where the lead is, then back to the step. `wants_plans`: "mostra
    os planos" (agent/understanding/decisions.py). `amount_said`: the lead typed a bill amount (or
    corrected one); at the plans or with a plan chosen it is checked there, stage and plan kept.
    `offer`: what Sílvia's last message offered (agent/understanding/offers.py); `shows_it`: "pode
    mostrar", "manda aí", the showing or sending verb alone. A yes follows the offer at every stage.
    `reminder`: "me lembra amanhã?", "me chama semana que vem" (agent/understanding/reminders.py).
    `goodbye`: "tchau", "até mais", "falou" (agent/understanding/farewell.py).
    """
    if intent == Intent.OPT_OUT or stage == Stage.OPTED_OUT:
        return "opt_out"  # the node also decides whether a lead who opted out re-opened
    if kind in MEDIA_KINDS:
        return "answer" if stage in DONE_STAGES else "documents"
    if kind in UNUSABLE_KINDS:
        return "fallback"
    if intent == Intent.ASK_HUMAN:
        return "handoff"
    if goodbye and stage != Stage.NEW:
        return "answer"  # a goodbye is never a return nor a yes: a kind goodbye, no pitch
    if node := _follow_the_offer(stage, intent, profile_complete, offer, wants_plans, shows_it):
        return node
    if human_offered and intent == Intent.AFFIRM and offer is None:
        return "handoff"  # an offer of a person Sílvia's words do not show (a model's reply)
    if care == "how_number" and stage == Stage.NEW and gave_place_or_amount:
        # "moro em Recife, como vcs conseguiram meu número?": answered, and the city taken (greeted)
        return "reception"
    if care in ("erase", "other_person", "how_number", "angry"):
        return "answer"  # acted on, refused or apologised for: never pitched, not even greeted
    if reminder and stage in HESITATION_STAGES:
        return "answer"  # "me lembra amanhã?": confirmed with the day, the stage kept
    if (care == "copy" or intent == Intent.DATA_REQUEST) and stage != Stage.NEW:
        return "answer"  # at the first message the greeting comes first, then this answer
    asked_instead = (kb_topic or asks_place) and intent not in (Intent.AFFIRM, Intent.DENY)
    if amount_pending and intent not in FAQ_INTENTS and not asked_instead:
        # A question asked instead of "sim"/"não" is answered below, the check following it as the
        # nudge; "é isso mesmo" is the answer to the check, whatever topic its words are near.
        return _midway_node(stage) or "reception"  # the lead answers "is your bill really R$ X?"
    if asks_place:
        # A coverage answer, then back to the current step; a first message is greeted first
        # (the greeting is sent once and the lead moves on to `greeted`).
        return "reception" if stage == Stage.NEW else "answer"
    if typed_amount and stage in DOCUMENT_STAGES:
        return "documents"  # the total typed instead of the bill: taken (and checked), never dropped
    if amount_said and intent not in FAQ_INTENTS and (node := _midway_node(stage)):
        return node  # "na verdade é 380" after the plans: checked, re-estimated, the plan kept
    if hesitates and stage in HESITATION_STAGES and not gave_place_or_amount:
        return "answer"  # "não sei tirar a foto", "escolho depois": help or a reminder, same stage
    if stage == Stage.DOCUMENT_RECEIVED:
        return "qualification"
    if stage == Stage.NOT_QUALIFIED and gave_place_or_amount:
        return "reception"  # "not qualified" is no dead end: new data re-runs the check
    if kb_topic and stage not in (Stage.NEW, Stage.LOST):
        return "answer"  # at NEW/LOST the greeting goes first and the answer follows it
    if stage == Stage.LOST and wants_plans and profile_complete:
        return "plans"  # "voltei, me mostra as opções": welcomed back with the plans, one reply
    if stage == Stage.LOST and intent == Intent.DENY:
        return "answer"  # another "não" after declining re-opens nothing
    if stage in (Stage.NEW, Stage.LOST):
        return "reception"
    if stage == Stage.GREETED:
        return _route_greeted(intent, profile_complete)
    if stage == Stage.PLANS_PRESENTED:
        return _route_plans_presented(intent)
    if stage in DOCUMENT_STAGES:
        if intent == Intent.CHOOSE_PLAN or typed_amount:
            return "documents"
        return _answer_or_fallback(intent)
    return "answer"  # qualified, registered, handed_off, not_qualified: answer() knows what to say


# Where the plans can be shown (again): before a bill, with a plan chosen too.
PLAN_STAGES: frozenset[Stage] = frozenset({Stage.GREETED, Stage.PLANS_PRESENTED, *DOCUMENT_STAGES})


def _follow_the_offer(
    stage: Stage, intent: str, profile_complete: bool, offer: str | None, wants_plans: bool, shows_it: bool
) -> str | None:
    """A yes goes where Sílvia's last offer leads, at every stage: "sim" to a person hands over,
    "sim, pode mostrar" / "manda aí" to the plans shows them (again), "sim" to an estimate makes
    it. A showing verb never hands over (the lead asked to see something, which a person is not),
    and "mostra os planos" shows them whatever was offered."""
    if stage not in PLAN_STAGES or intent == Intent.CHOOSE_PLAN:
        return "handoff" if offer == "person" and intent == Intent.AFFIRM and not shows_it else None
    if offer == "person" and intent == Intent.AFFIRM and not (shows_it or wants_plans):
        return "handoff"
    showing = wants_plans or (shows_it and offer in ("plans", "person", None))
    if showing or (offer == "plans" and intent == Intent.AFFIRM and stage == Stage.GREETED):
        return "plans" if profile_complete else "reception"
    if offer == "estimate" and (intent == Intent.AFFIRM or shows_it) and stage == Stage.GREETED:
        return "reception"
    return None


def _midway_node(stage: Stage) -> str | None:
    """Where an amount said after the plans is handled: the node that owns the stage."""
    if stage == Stage.PLANS_PRESENTED:
        return "plans"
    return "documents" if stage in DOCUMENT_STAGES else None


def _route_greeted(intent: str, profile_complete: bool) -> str:
    if not profile_complete and intent in (
        Intent.PROVIDE_INFO,
        Intent.AFFIRM,
        Intent.OTHER,
        Intent.ASK_PRICE,
        Intent.CHOOSE_PLAN,  # a plan name before we know the bill: plans cannot be priced yet
        Intent.DOCUMENT_PROMISE,
    ):
        return "reception"  # still collecting city and bill amount
    if intent in (Intent.AFFIRM, Intent.ASK_PRICE, Intent.CHOOSE_PLAN, Intent.DOCUMENT_PROMISE):
        return "plans"
    if intent == Intent.PROVIDE_INFO:
        return "reception"
    return _answer_or_fallback(intent)


def _route_plans_presented(intent: str) -> str:
    if intent == Intent.CHOOSE_PLAN:
        return "documents"
    if intent in (Intent.AFFIRM, Intent.PROVIDE_INFO):
        return "plans"  # "sim" without a plan: ask which one; new bill amount: new figures
    return _answer_or_fallback(intent)


def _answer_or_fallback(intent: str) -> str:
    return "fallback" if intent == Intent.OTHER else "answer"
