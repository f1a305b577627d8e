"""What a handoff says: when the lead can expect the call, and the summary the specialist gets.

Pure functions over the conversation state; the handoff node (agent/nodes/handoff.py) calls
the ports. The specialist's summary carries no CPF and no street address (LGPD): name, phone,
city, bill, plan, savings estimate and the Serena lead id are what a specialist needs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.policy.economics import estimate, format_brl, format_number, plan_monthly_savings
from agent.ports import Assignment, HandoffRecord
from agent.state import Profile, SilviaState, Stage

HANDOFF_TEMPLATE = "silvia_lead_handoff"
_WEEKDAYS = (
    "na segunda-feira",
    "na terça-feira",
    "na quarta-feira",
    "na quinta-feira",
    "na sexta-feira",
    "no sábado",
    "no domingo",
)
_SPACES = re.compile(r"\s+")


def _clock(moment: datetime) -> str:
    return f"{moment.hour}h" if moment.minute == 0 else f"{moment.hour}h{moment.minute:02d}"


def contact_phrase(assignment: Assignment, now: datetime, timezone: str) -> str:
    """When the lead can expect the specialist, in the lead's words ("amanhã a partir das 9h")."""
    if assignment.on_duty:
        return "ainda hoje"
    zone = ZoneInfo(timezone)
    today, at = now.astimezone(zone), assignment.contact_at.astimezone(zone)
    days = (at.date() - today.date()).days
    when = f"a partir das {_clock(at)}"
    if days <= 0:
        return f"hoje {when}"
    if days == 1:
        return f"amanhã {when}"
    return f"{_WEEKDAYS[at.weekday()]} {when}"


def bill_facts(state: SilviaState) -> tuple[float | None, str, float | None]:
    """(amount, where it came from, kWh): the bill wins over what the lead typed or said."""
    bill = state.get("bill") or {}
    profile: Profile = state.get("profile") or {}
    if bill.get("total_amount"):
        source = "typed" if bill.get("source") == "typed" else "bill"
        kwh = bill.get("consumption_kwh")
        return float(bill["total_amount"]), source, float(kwh) if kwh else None
    if profile.get("bill_amount"):
        return float(profile["bill_amount"]), "profile", None
    return None, "none", None


def monthly_savings(state: SilviaState, amount: float | None) -> float | None:
    """The chosen plan's discount when there is one, else the seed's average estimate."""
    if not amount:
        return None
    plan = state.get("selected_plan") or {}
    if plan.get("discount_pct"):
        return plan_monthly_savings(amount, float(plan["discount_pct"]))
    return estimate(amount, (state.get("profile") or {}).get("state")).monthly_savings


def _one_line(value: str) -> str:
    # WhatsApp template parameters may not contain new lines, tabs or runs of spaces.
    return _SPACES.sub(" ", value).strip()[:200]


def handoff_record(
    state: SilviaState, assignment: Assignment | None, specialist: dict[str, Any], now: datetime
) -> HandoffRecord:
    """The row persisted for this handoff (message_id is filled once the template is sent)."""
    profile: Profile = state.get("profile") or {}
    bill = state.get("bill") or {}
    amount, source, kwh = bill_facts(state)
    qualified = state.get("stage") in (Stage.QUALIFIED, Stage.REGISTERED)
    return HandoffRecord(
        phone=state["phone"],
        reason="qualified" if qualified else "requested",
        lead_name=str(bill.get("customer_name") or profile.get("name") or ""),
        city=bill.get("city") or profile.get("city"),
        state=bill.get("state") or profile.get("state"),
        bill_amount=amount,
        bill_source=source,  # type: ignore[arg-type]
        consumption_kwh=kwh,
        plan=plan_name(state),
        monthly_savings=monthly_savings(state, amount),
        serena_lead_id=state.get("serena_lead_id") or None,
        specialist_name=specialist["name"],
        specialist_phone=specialist.get("phone", ""),
        on_duty=assignment.on_duty if assignment else False,
        contact_at=assignment.contact_at if assignment else None,
        transcript=transcript(state),
        at=now,
    )


def plan_name(state: SilviaState) -> str | None:
    """The chosen plan, else the one the lead named before the plans were shown."""
    if plan := state.get("selected_plan"):
        return str(plan["name"])
    wanted = state.get("wanted_plan")
    if not wanted:
        return None
    known = next((p for p in state.get("plans") or [] if p.get("id") == wanted), None)
    return str(known["name"]) if known else f"Plano {wanted.capitalize()}"


TRANSCRIPT_MESSAGES = 30  # the last messages a specialist gets: enough context, one screen
TRANSCRIPT_CHARS = 3500  # WhatsApp text messages stop at 4096 characters


def transcript(state: SilviaState) -> str:
    """The conversation so far, oldest first, ending with the message being answered."""
    lines = [
        f"{'Lead' if m.get('role') == 'lead' else 'Sílvia'}: {m.get('text') or ''}"
        for m in (state.get("messages") or [])[-TRANSCRIPT_MESSAGES:]
        if m.get("text")
    ]
    inbound = state.get("inbound") or {}
    if inbound.get("kind") in ("text", "interactive") and (text := inbound.get("text")):
        lines.append(f"Lead: {text}")
    text = "\n".join(lines)
    return text if len(text) <= TRANSCRIPT_CHARS else "…" + text[-TRANSCRIPT_CHARS:]


_SOURCE_WORDS = {
    "bill": "lida da fatura",
    "typed": "informada pelo lead, fatura não lida",
    "profile": "informada pelo lead",
}


def summary_parameters(record: HandoffRecord, specialist_first_name: str) -> dict[str, str]:
    """Named parameters of the specialist's `silvia_lead_handoff` template ("" = default)."""
    bill = ""
    if record.bill_amount:
        bill = f"R$ {format_brl(record.bill_amount)} ({_SOURCE_WORDS.get(record.bill_source, '')})"
    city = "/".join(p for p in (record.city, record.state) if p)
    values = {
        "specialist_name": specialist_first_name,
        "lead_name": record.lead_name,
        "lead_phone": record.phone,
        "city": city,
        "bill": bill,
        "consumption": f"{format_number(record.consumption_kwh)} kWh/mês" if record.consumption_kwh else "",
        "plan": record.plan or "",
        "savings": f"R$ {format_brl(record.monthly_savings)}/mês" if record.monthly_savings else "",
        "serena_lead_id": record.serena_lead_id or "",
        "reason": "lead qualificado" if record.reason == "qualified" else "o lead pediu um especialista",
    }
    return {k: _one_line(v) for k, v in values.items()}
