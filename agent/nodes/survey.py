"""The satisfaction survey's two nodes (rules in agent/policy/satisfaction.py).

* `survey` runs after every stage node: when Sílvia's part has just ended it appends the 1–5
  question (a WhatsApp list) to the turn's replies, once per lead — the `lead_ratings` row is
  written first, so a second asker (another worker, a lost thread) finds it and stays quiet.
  Outside the 24-hour window the question goes as the approved template, or not at all.
* `rate` takes the answer: a score (list row, typed number or emoji), then, after a low one,
  an optional comment.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.policy.outbound import plan_outbound
from agent.policy.privacy import redact
from agent.policy.satisfaction import (
    ASK_TEMPLATE,
    LIST_BUTTON,
    LOW_SCORE,
    RATING_ROWS,
    after_other_message,
    asked_record,
    awaiting,
    may_ask,
    parse_rating,
    survey_state,
)
from agent.ports import RatingRecord
from agent.replies.drafts import reply
from agent.state import Reply, SilviaState


def _question() -> Reply:
    draft = reply(ASK_TEMPLATE)
    draft["list"] = {"button": LIST_BUTTON, "rows": [dict(row) for row in RATING_ROWS]}
    return draft


async def survey(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = runtime.context
    phone = state["phone"]
    if awaiting(state) and state["inbound"].get("kind") != "followup_tick":
        return {"satisfaction": after_other_message(survey_state(state))}  # never blocking
    reason = may_ask(state)
    if deps.satisfaction is None or reason is None:
        return {}
    if (stored := await deps.satisfaction.get(phone)) is not None:
        # Asked in an earlier life of this thread (state lost, erased checkpoints): never again.
        return {"satisfaction": {"asked_at": stored.asked_at.isoformat(), "awaiting": None}}
    question = _question()
    planned = plan_outbound(question, state, deps)  # opt-out and 24-hour rules, as for any message
    if planned.blocked:
        details = {"reason": planned.reason}
        await deps.leads.log("INFO", "satisfaction_not_asked", phone=phone, details=details)
        return {}
    via = f"template:{planned.template.name}" if planned.template else "list"
    now = deps.clock()
    asked = RatingRecord(
        phone=phone, prompt_version=state.get("prompt_version"), reason=reason, asked_via=via, asked_at=now
    )
    if not await deps.satisfaction.record_ask(asked):
        return {"satisfaction": {"asked_at": now.isoformat(), "awaiting": None}}
    return {
        "replies": [*(state.get("replies") or []), question],
        "satisfaction": asked_record(reason, via, now),
    }


async def rate(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = runtime.context
    phone, now = state["phone"], deps.clock()
    current = survey_state(state)
    rating = parse_rating(state["inbound"])
    store = deps.satisfaction
    if rating is None:  # the comment after a low score
        comment = redact(str(state["inbound"].get("text") or ""))
        if store is not None:
            await store.record_comment(phone, comment, now)
        return {
            "satisfaction": {**current, "awaiting": None, "commented": True},
            "replies": [reply("satisfaction.comment_thanks")],
        }
    score, channel = rating
    if store is not None:
        await store.record_score(phone, score, channel, now)
    await deps.leads.log("INFO", "satisfaction_rating", phone=phone, details={"score": score, "via": channel})
    low = score <= LOW_SCORE
    return {
        "satisfaction": {**current, "awaiting": "comment" if low else None, "score": score},
        "replies": [reply("satisfaction.thanks_low" if low else "satisfaction.thanks_high")],
    }
