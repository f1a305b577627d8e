"""Bill amounts are checked when the lead says them, not only when the bill is read.

Below Serena's minimum: the minimum is said kindly and the amount confirmed. Very high for a
home: the amount is confirmed, or the lead tells it is a company's. Until the lead answers, the
check waits in `amount_check`; "sim" confirms it, "não" asks the amount again, a new amount is
checked afresh. Nothing the lead typed is dropped silently.
"""

from __future__ import annotations

import re
from typing import Any

from agent.context import Deps
from agent.policy.economics import format_brl
from agent.replies.drafts import reply
from agent.state import Intent, Profile, SilviaState, Stage

# Above this a home's bill is unusual enough to confirm (a premium home stays possible: the
# lead confirms and goes on). Serena's own ceiling (`bill_implausible`) is far above it.
HOME_BILL_TO_CONFIRM = 3000.0


async def check_amount(deps: Deps, profile: Profile) -> dict[str, Any] | None:
    """A state update asking the lead to confirm their amount, or None when it is plausible."""
    amount = float(profile.get("bill_amount") or 0)
    person = profile.get("person_type", "natural")
    if not amount or person == "juridical":  # a company's minimum has its own answer
        return None
    result = await deps.serena.validate_qualification(
        profile.get("city", ""), profile.get("state", ""), person, amount
    )
    said = format_brl(amount)
    if result.reason_code == "bill_below_minimum":
        draft = reply("amount_check.below_minimum", said_amount=said, reason=result.reason)
        kind = "below_minimum"
    elif result.reason_code == "bill_implausible" or amount > HOME_BILL_TO_CONFIRM:
        draft = reply("amount_check.high", said_amount=said)
        kind = "high"
    else:
        return None
    check = {"amount": amount, "kind": kind, "reason": result.reason}
    return {"stage": Stage.GREETED.value, "amount_check": check, "replies": [draft]}


_BARE_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?(?![\d.,])")


def corrected_amount(text: str) -> float | None:
    """The amount in "errei, é 350" right after Sílvia repeated the amount: any lone number."""
    found = _BARE_AMOUNT.findall(text)
    if len(found) != 1:
        return None
    whole, cents = found[0]
    return float(whole.replace(".", "")) + (float(f"0.{cents}") if cents else 0.0)


def answer_to_check(state: SilviaState) -> dict[str, Any] | None:
    """The lead's "sim"/"não" to the amount check; None lets the estimate go on (confirmed high)."""
    check = state.get("amount_check") or {}
    intent = state.get("intent")
    if intent == Intent.DENY:
        profile = {k: v for k, v in (state.get("profile") or {}).items() if k != "bill_amount"}
        return {"amount_check": None, "profile": profile, "replies": [reply("amount_check.ask_again")]}
    if intent != Intent.AFFIRM:  # neither yes, no nor an amount: ask once more, plainly
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
