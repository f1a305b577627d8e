"""The handoff node: a qualified lead (or one who asks for a human) goes to a specialist.

The roster picks the specialist (coverage, working hours, round-robin); the specialist gets
an approved WhatsApp template with the lead summary; the handoff is persisted; the lead is
told who will call and when.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Deps
from agent.policy.economics import AVERAGE_SAVING, format_brl, format_number, plan_monthly_savings
from agent.policy.handoff import HANDOFF_TEMPLATE, contact_phrase, handoff_record, summary_parameters
from agent.policy.hours import contact_when
from agent.ports import Assignment, HandoffRecord, PortError
from agent.replies.drafts import reply
from agent.replies.whatsapp_templates import TemplateCatalog, TemplateCatalogError
from agent.state import Profile, Reply, SilviaState, Stage
from agent.understanding.person import person_act

log = logging.getLogger(__name__)

TEAM = "Equipe Serena"


@lru_cache(maxsize=1)
def _catalog() -> TemplateCatalog:
    return TemplateCatalog.load()


def _specialist_view(assignment: Assignment | None, deps: Deps) -> dict[str, Any]:
    """What the state keeps about the specialist (and templates read: first name, when)."""
    now = deps.clock()
    if assignment is None:
        return {
            "name": TEAM,
            "phone": "",
            "display_name": TEAM,
            "contact_when": contact_when(now, deps.timezone),
        }
    specialist = assignment.specialist
    return {
        "name": specialist.name,
        "phone": specialist.phone,
        "display_name": specialist.name.split()[0],
        "contact_when": contact_phrase(assignment, now, deps.timezone),
        "on_duty": assignment.on_duty,
        "contact_at": assignment.contact_at.isoformat(),
    }


async def _notify(deps: Deps, assignment: Assignment, record: HandoffRecord, first_name: str) -> None:
    """Send the specialist the lead summary; a failure is logged, never loses the handoff."""
    parameters = summary_parameters(record, first_name)
    catalog = getattr(deps, "whatsapp_templates", None) or _catalog()  # the approved templates
    template = catalog.get(HANDOFF_TEMPLATE)
    name, language = HANDOFF_TEMPLATE, "pt_BR"
    try:
        if template is not None:
            filled = template.fill(parameters)
            name, language, parameters = filled.name, filled.language, filled.parameters
        record.template = name
        record.message_id = await deps.whatsapp.send_template(
            assignment.specialist.phone, name, language, parameters
        )
        if record.transcript:  # the conversation so far, so the specialist calls knowing it
            await deps.whatsapp.send_text(
                assignment.specialist.phone, f"Conversa com o lead:\n{record.transcript}"
            )
    except (PortError, TemplateCatalogError) as exc:  # logged; the handoff still counts
        await deps.leads.log(
            "ERROR",
            "specialist_notification_failed",
            phone=record.phone,
            details={"specialist": assignment.specialist.name, "error": str(exc)[:300]},
        )


def _plan_offer(state: SilviaState, amount: float) -> dict[str, str]:
    """The plan's own discount and saving on this bill (the 18 % average is no plan's discount)."""
    discount = float((state.get("selected_plan") or {}).get("discount_pct") or AVERAGE_SAVING * 100)
    return {
        "discount_pct": format_number(discount),
        "plan_monthly_savings": format_brl(plan_monthly_savings(amount, discount)),
    }


def _lead_reply(state: SilviaState, qualified: bool, assigned: bool, specialist: dict[str, Any]) -> Reply:
    if qualified:
        profile: Profile = state.get("profile") or {}
        bill = state.get("bill") or {}
        amount = float(bill.get("total_amount") or profile.get("bill_amount") or 0)
        plan = (state.get("selected_plan") or {}).get("name", "plano Serena")
        offer = _plan_offer(state, amount)
        if bill.get("source") == "typed" or not bill.get("consumption_kwh"):
            return reply(
                "qualification_result.qualified_typed",
                current_bill=format_brl(amount),
                recommended_plan=plan,
                **offer,
            )
        return reply(
            "qualification_result.qualified_high",
            consumption=format_number(float(bill["consumption_kwh"])),
            current_bill=format_brl(amount),
            recommended_plan=plan,
            **offer,
        )
    who = f"*{specialist['display_name']}*" if assigned else "alguém da nossa equipe"
    return reply("handoff.requested", specialist_part=f": {who} vai te chamar {specialist['contact_when']}")


async def forward_to_specialist(state: SilviaState, deps: Deps) -> None:
    """A message from a lead already handed over reaches their specialist too (best effort)."""
    specialist = state.get("specialist") or {}
    inbound = state.get("inbound") or {}
    text = (
        inbound.get("text") if inbound.get("kind") in ("text", "interactive") else f"[{inbound.get('kind')}]"
    )
    if not specialist.get("phone") or not text:
        return
    name = (state.get("profile") or {}).get("name") or state.get("phone", "")
    try:
        await deps.whatsapp.send_text(
            specialist["phone"], f"Nova mensagem de {name} ({state.get('phone')}):\n{text}"
        )
    except PortError as exc:  # the lead's message is recorded anyway (lead_interactions)
        log.warning("forward to specialist failed: %s", type(exc).__name__)


def asks_if_bot(text: str) -> bool:
    """ "vc é um robô?" asks what Sílvia is; "quero falar com uma pessoa" asks for one."""
    return person_act(text) == "is_bot"


async def handoff(state: SilviaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    """Hand the lead to a human specialist: after registration, or when the lead asks."""
    deps = runtime.context
    stage = state.get("stage")
    qualified = stage in (Stage.REGISTERED, Stage.QUALIFIED)
    if not qualified and stage != Stage.HANDED_OFF and asks_if_bot(str(state["inbound"].get("text") or "")):
        # Honest answer, and a person on offer ("sim" hands over): asking is not yet a request.
        return {"human_offered": True, "replies": [reply("handoff.virtual_assistant")]}
    if stage == Stage.HANDED_OFF or (
        state.get("human_requested") and state.get("specialist") and not qualified
    ):
        await forward_to_specialist(state, deps)
        return {"human_offered": False, "replies": [reply("handoff.already")]}
    profile: Profile = state.get("profile") or {}
    bill = state.get("bill") or {}
    uf, city = bill.get("state") or profile.get("state"), bill.get("city") or profile.get("city")
    now = deps.clock()
    assignment = await deps.specialists.assign(uf, city, now)
    specialist = _specialist_view(assignment, deps)
    record = handoff_record(state, assignment, specialist, now)
    if assignment is not None:
        await _notify(deps, assignment, record, specialist["display_name"])
    try:
        await deps.specialists.record_handoff(record)
    except PortError as exc:  # the lead still gets their answer; the log keeps the handoff
        log.error("handoff not persisted: %s", type(exc).__name__)
        await deps.leads.log(
            "ERROR",
            "handoff_not_persisted",
            phone=state["phone"],
            details={"error": str(exc)[:300], "specialist": record.specialist_name},
        )
    await deps.leads.log(
        "INFO" if assignment else "WARNING",
        "handoff",
        phone=state["phone"],
        details={
            "specialist": record.specialist_name,
            "reason": record.reason,
            "stage": stage,
            "on_duty": record.on_duty,
            "notified": record.message_id is not None,
        },
    )
    # Asked for or qualified, the lead is now the specialist's: no sales nudge, no follow-up.
    update: dict[str, Any] = {
        "specialist": specialist,
        "human_offered": False,
        "stage": Stage.HANDED_OFF.value,
    }
    if not qualified:
        update["human_requested"] = True
    update["replies"] = [_lead_reply(state, qualified, assignment is not None, specialist)]
    return update
