"""Bill amounts are checked when the lead says them, not only when the bill is read.

Below Serena's minimum (a company's amount against the company minimum): the minimum is said
kindly and the amount confirmed. Very high for a home: the amount is confirmed, or the lead tells
it is a company's. Until the lead answers, the check waits in `amount_check`; "sim" confirms it,
"não" asks the amount again, a new amount is checked afresh. Said after the plans or after a
plan was chosen, the check keeps the stage and the chosen plan: a corrected amount ("na verdade
é 380", "errei, é 1.200") replaces the old one and re-runs the figures. Nothing the lead typed is
dropped silently.
"""

from __future__ import annotations

import re
from typing import Any

from agent.context import Deps
from agent.policy.economics import format_brl, format_number, plan_monthly_savings
from agent.replies.drafts import reply
from agent.state import Intent, Profile, Reply, SilviaState, Stage
from agent.understanding.intent import normalise

# Above this a home's bill is unusual enough to confirm (a premium home stays possible: the
# lead confirms and goes on). Serena's own ceiling (`bill_implausible`) is far above it.
HOME_BILL_TO_CONFIRM = 3000.0

# Stages where an amount is said "mid-conversation": the plans are shown or a plan is chosen.
MIDWAY_STAGES = frozenset({Stage.PLANS_PRESENTED, Stage.PLAN_SELECTED, Stage.DOCUMENT_REQUESTED})


async def check_amount(
    deps: Deps, profile: Profile, *, company: bool = False, below_only: bool = False
) -> dict[str, Any] | None:
    """A state update asking the lead to confirm their amount, or None when it is plausible.

    `company`: a company's amount is checked against the company minimum too (elsewhere the
    greeting's own company answer does it). `below_only`: only the minimum (a CRM amount at the
    first greeting: a large home bill is a premium lead, not a typo to question)."""
    amount = float(profile.get("bill_amount") or 0)
    person = profile.get("person_type", "natural")
    if not amount or (person == "juridical" and not company):
        return None
    result = await deps.serena.validate_qualification(
        profile.get("city", ""), profile.get("state", ""), person, amount
    )
    said = format_brl(amount)
    if result.reason_code == "bill_below_minimum":
        draft = reply("amount_check.below_minimum", said_amount=said, reason=result.reason)
        kind = "below_minimum"
    elif below_only:
        return None
    elif result.reason_code == "bill_implausible" or (
        person != "juridical" and amount > HOME_BILL_TO_CONFIRM
    ):
        draft = reply("amount_check.high", said_amount=said)
        kind = "high"
    else:
        return None
    check = {"amount": amount, "kind": kind, "reason": result.reason}
    return {"amount_check": check, "replies": [draft]}


_PUNCTUATION = re.compile(r"[.,](?!\d)")  # "é 380, tinha falado errado": the comma ends the number
_BARE_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?(?![\d.,])")

# "na verdade é 380", "errei, é 1.200", "pera, o certo é 250": the lead corrects an amount.
_CORRECTION = re.compile(
    r"\b(na verdade|na real|na vdd|nvdd|errei|me enganei|enganei|corrigindo|corrige|correcao|"
    r"o certo|o correto|falei errado|digitei errado|escrevi errado|quis dizer|quer dizer|"
    r"pensando bem|retificando|ops)\b"
)


def corrected_amount(text: str) -> float | None:
    """The amount in "errei, é 350" right after Sílvia repeated the amount: any lone number."""
    found = _BARE_AMOUNT.findall(_PUNCTUATION.sub(" ", text))
    if len(found) != 1:
        return None
    whole, cents = found[0]
    return float(whole.replace(".", "")) + (float(f"0.{cents}") if cents else 0.0)


def amount_correction(text: str, *, awaiting_amount: bool) -> float | None:
    """A bill amount said without a money word: a correction of the known one ("na verdade é
    380"), or a lone number while Sílvia waits for the amount ("não, é 250"). Under R$ 10 it is
    a count ("2 contas"), not a bill."""
    if not (awaiting_amount or _CORRECTION.search(normalise(text))):
        return None
    amount = corrected_amount(text)
    return amount if amount and amount >= 10 else None


def answer_to_check(state: SilviaState) -> dict[str, Any] | None:
    """The lead's "sim"/"não" to the amount check; None lets the estimate go on (confirmed high)."""
    check = state.get("amount_check") or {}
    intent = state.get("intent")
    if intent == Intent.DENY:
        if Stage(state.get("stage") or Stage.NEW) in MIDWAY_STAGES:
            # The plans and the chosen plan stay: only the amount is asked again.
            return {"amount_check": {**check, "kind": "asked"}, "replies": [reply("amount_check.ask_again")]}
        profile = {k: v for k, v in (state.get("profile") or {}).items() if k != "bill_amount"}
        return {"amount_check": None, "profile": profile, "replies": [reply("amount_check.ask_again")]}
    if intent != Intent.AFFIRM or check.get("kind") == "asked":  # neither yes, no nor an amount
        return {
            "replies": [reply("amount_check.confirm_again", said_amount=format_brl(float(check["amount"])))]
        }
    if check.get("kind") == "below_minimum":
        return {
            "stage": Stage.NOT_QUALIFIED.value,
            "amount_check": None,
            "qualification": {
                "qualified": False,
                "reason_code": "bill_below_minimum",
                "reason": check["reason"],
            },
            "replies": [reply("amount_check.below_confirmed", reason=check["reason"])],
        }
    return None


async def amount_midway(state: SilviaState, deps: Deps) -> tuple[dict[str, Any] | None, bool]:
    """An amount said (or a check answered) at the plans or with a plan chosen: (the update to
    return, or None; whether the amount now stands and the figures are to be re-run). The stage
    and the chosen plan are kept."""
    said = (state.get("entities") or {}).get("bill_amount")
    if said:
        flagged = await check_amount(deps, state.get("profile") or {}, company=True)
        # A new amount that stands closes any check still open ("não" to "é R$ 6.000?", then "é
        # 600"): the old figure is never asked about again.
        return (flagged, False) if flagged is not None else ({"amount_check": None}, True)
    if not state.get("amount_check"):
        return None, False
    answered = answer_to_check(state)
    if answered is None:  # a high amount confirmed: it stands
        return {"amount_check": None}, True
    return answered, False


def amount_noted(state: SilviaState) -> Reply:
    """A new amount taken while the bill is awaited: the chosen plan's figure for it, one figure."""
    profile = state.get("profile") or {}
    amount = float(profile.get("bill_amount") or 0)
    plan = state.get("selected_plan")
    if not plan:
        return reply("document_amount_noted", append_nudge=True)
    return reply(
        "amount_check.noted_plan",
        append_nudge=True,
        said_amount=format_brl(amount),
        discount_pct=format_number(plan["discount_pct"]),
        plan_monthly_savings=format_brl(plan_monthly_savings(amount, plan["discount_pct"])),
    )
