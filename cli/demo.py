"""`silvia demo`: two scripted leads through the whole funnel, printed as a chat.

Maria (Recife/PE) goes from the greeting to a registered lead handed to a specialist; Ricardo
(São Paulo/SP, a state Serena does not serve yet) ends politely as not_qualified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.inbound import Inbound
from agent.policy.economics import format_brl
from agent.ports import LeadRecord
from cli.chat import Echo, print_lead, print_turn
from demo.sample_bills import sample_bill_pdf
from wiring import Silvia


@dataclass(frozen=True)
class DemoLead:
    lead: LeadRecord
    script: tuple[Any, ...]  # str = a text message; ("button", id, title); ("bill", total) = a PDF


MARIA = DemoLead(
    LeadRecord(phone="+5581999990001", name="Maria Oliveira", city="Recife", state="PE", bill_amount=380.0),
    (
        "Oi! Vi o anúncio de vocês sobre energia solar",
        "sim",
        "precisa instalar placa no meu telhado?",
        "acho que o primeiro",
        ("button", "plan:plus", "Plano Plus"),
        "vou pegar a conta aqui, um minuto",
        ("bill", 412.37),
        "obrigada!!",
    ),
)
RICARDO = DemoLead(
    LeadRecord(phone="+5511999990002", name="Ricardo Souza", city="São Paulo", state="SP", bill_amount=450.0),
    ("Olá, quero economizar na conta de luz", "poxa, e quando vocês chegam aqui?"),
)


def demo_bill_pdf(lead: LeadRecord, total: float) -> bytes:
    """A bill the project generates: the lead's name and city, a realistic layout."""
    return sample_bill_pdf(lead.name, lead.city or "Recife", "PE", total)


def _inbound(silvia: Silvia, lead: LeadRecord, step: Any) -> tuple[Inbound, str]:
    first = lead.name.split()[0]
    if isinstance(step, str):
        return Inbound(phone=lead.phone, kind="text", text=step, name=first), step
    if step[0] == "button":
        _, button_id, title = step
        return (
            Inbound(phone=lead.phone, kind="interactive", button_id=button_id, text=title, name=first),
            f"[taps button: {title}]",
        )
    media_id = silvia.receive_media(demo_bill_pdf(lead, step[1]), "application/pdf", "conta-de-luz.pdf")
    inbound = Inbound(
        phone=lead.phone,
        kind="document",
        media_id=media_id,
        mime_type="application/pdf",
        filename="conta-de-luz.pdf",
        name=first,
    )
    return inbound, "[sends conta-de-luz.pdf]"


async def reset_lead(silvia: Silvia, phone: str) -> None:
    """The demo always starts from scratch: forget the lead's thread and rows."""
    await silvia.graph.checkpointer.adelete_thread(f"lead:{phone}")  # type: ignore[union-attr]
    await silvia.leads.forget(phone)


async def run_lead(silvia: Silvia, demo: DemoLead, echo: Echo) -> dict[str, Any]:
    lead = demo.lead
    await reset_lead(silvia, lead.phone)
    await silvia.leads.upsert_lead(lead)
    bill = format_brl(lead.bill_amount or 0)
    echo(f"\n━━ {lead.name} · {lead.phone} · {lead.city}/{lead.state} · conta R$ {bill} ━━")
    for step in demo.script:
        inbound, shown = _inbound(silvia, lead, step)
        print_lead(echo, lead.name.split()[0], shown)
        print_turn(echo, await silvia.handle(inbound))
    state = await silvia.state(lead.phone)
    return {
        "lead": lead.name,
        "stage": str(state.get("stage")),
        "serena_lead_id": state.get("serena_lead_id"),
        "specialist": (state.get("specialist") or {}).get("name"),
        "interactions": await silvia.leads.count_interactions(lead.phone),
    }


async def run_demo(silvia: Silvia, echo: Echo) -> list[dict[str, Any]]:
    summaries = [await run_lead(silvia, demo, echo) for demo in (MARIA, RICARDO)]
    echo("\n━━ Summary ━━")
    for s in summaries:
        registered = f" · Serena lead {s['serena_lead_id']}" if s["serena_lead_id"] else ""
        specialist = f" · specialist {s['specialist']}" if s["specialist"] else ""
        echo(
            f"  {s['lead']}: stage {s['stage']}{registered}{specialist}"
            f" · {s['interactions']} interactions recorded"
        )
    return summaries
