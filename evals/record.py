"""`silvia eval record`: real conversations from `lead_interactions`, anonymised, as a dataset.

Each lead's interactions since a day become one conversation: what the lead sent is a turn,
what Sílvia answered is its recorded reply, and the stage and intent she reached become the
turn's expectations, so production traffic is regression data. Follow-up ticks (no lead
message) are left out; a bill the lead sent becomes a generated bill of the same amount
(the original file is not stored).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

from agent.understanding.intent import classify
from evals.anonymise import Anonymiser
from evals.dataset import (
    Attachment,
    Button,
    Conversation,
    Expect,
    LeadProfile,
    Recorded,
    Turn,
    dump_conversations,
)
from storage.activity import ActivityQueries
from storage.activity import InteractionRow as LeadInteraction
from storage.activity import LeadRow as Lead
from storage.db import create_engine, session_factory

ACCEPTED_BILL_STAGES = {"document_received", "qualified", "not_qualified", "registered", "handed_off"}
MEDIA_RE = re.compile(r"^\[(\w+)(?::\s*(.*))?\]$")
UNUSABLE = {"audio", "sticker", "location", "unsupported"}


def _recorded_replies(row: LeadInteraction, anon: Anonymiser) -> list[str]:
    """Each message Sílvia sent in the turn (kept apart in the row's metadata when there were
    several; older rows only have them joined in `message_sent`)."""
    separate = (row.meta or {}).get("replies")
    if separate:
        return [anon.text(text) or "" for text in separate]
    return [anon.text(row.message_sent) or ""] if row.message_sent else []


def _turn_from_row(row: LeadInteraction, anon: Anonymiser, bill_amount: float | None) -> Turn | None:
    received = row.message_received
    if received is None:
        return None  # a follow-up tick: not something the lead did
    recorded = Recorded(
        replies=_recorded_replies(row, anon),
        stage=row.stage,
        intent=row.intent,
        layer=row.layer,
        latency_ms=row.response_time_ms,
        prompt_version=row.prompt_version,
    )
    expect = Expect(stage=row.stage, intent=row.intent)
    media = MEDIA_RE.match(received.strip())
    if received.startswith("plan:"):
        return Turn(
            button=Button(id=received, title=received.split(":", 1)[1].title()),
            recorded=recorded,
            expect=expect,
        )
    if media and media.group(1) in UNUSABLE:
        return Turn(media=media.group(1), recorded=recorded, expect=expect)  # type: ignore[arg-type]
    if media and media.group(1) in ("document", "image"):
        accepted = row.stage in ACCEPTED_BILL_STAGES
        attachment = Attachment(kind="bill" if accepted else "image_only_pdf", total_amount=bill_amount)
        note = "the original file is not stored: replayed with a generated bill of the same amount"
        return Turn(attachment=attachment, recorded=recorded, expect=expect, note=note)
    return Turn(lead=anon.text(received) or "", recorded=recorded, expect=expect)


# The greeting states the CRM's city and bill; the leads row only has their latest values
# (a bill read later overwrites them), so the first greeting is the better witness.
GREETING_BILL = re.compile(r"conta (?:de luz está em |de )R\$ ([\d.]+,\d{2})")
GREETING_CITY = re.compile(r"(?:mora em|perfil em) ([^\n,.]+?)(?: e sua conta|,)")


def _greeting_facts(reply: str | None) -> tuple[str | None, float | None]:
    bill = GREETING_BILL.search(reply or "")
    city = GREETING_CITY.search(reply or "")
    amount = float(bill.group(1).replace(".", "").replace(",", ".")) if bill else None
    return (city.group(1).strip() if city else None), amount


def _profile(lead: Lead | None, first: LeadInteraction, phone: str, anon: Anonymiser) -> LeadProfile:
    """CRM-seeded (city and bill known) when Sílvia's very first answer was the estimate greeting."""
    name = anon.name(lead.name) if lead and lead.name else None
    templates = (first.meta or {}).get("templates") or []
    said = classify(first.message_received or "").entities
    seeded = any(t.startswith("greeting") for t in templates) and not said.get("bill_amount")
    if lead is None or not seeded:
        return LeadProfile(name=name, phone=phone)
    city, amount = _greeting_facts(first.message_sent)
    return LeadProfile(
        name=name,
        phone=phone,
        city=city or lead.city,
        state=lead.state,
        bill_amount=amount or lead.invoice_amount,
        client_type=lead.client_type or "residential",
    )


async def load_rows(url: str, since: date) -> tuple[dict[str, list[LeadInteraction]], dict[str, Lead]]:
    engine = create_engine(url)
    try:
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        rows, leads = await ActivityQueries(session_factory(engine)).recorded_since(start)
    finally:
        await engine.dispose()
    by_lead: dict[str, list[LeadInteraction]] = defaultdict(list)
    for row in rows:
        by_lead[row.lead_id].append(row)
    return by_lead, {lead.phone_number: lead for lead in leads}


def build_conversations(
    by_lead: dict[str, list[LeadInteraction]], leads: dict[str, Lead], anon: Anonymiser, min_turns: int = 1
) -> list[Conversation]:
    conversations = []
    for index, (phone, rows) in enumerate(sorted(by_lead.items()), start=1):
        lead = leads.get(phone)
        if lead and lead.name:
            anon.name(lead.name)  # register first, so the name is replaced in every message
        fake_phone = anon.phone(phone)
        bill = float(lead.invoice_amount) if lead and lead.invoice_amount else None
        turns = [t for t in (_turn_from_row(r, anon, bill) for r in rows) if t is not None]
        if len(turns) < max(1, min_turns):
            continue
        first_with_message = next(r for r in rows if r.message_received is not None)
        day = rows[0].created_at.date().isoformat()
        conversations.append(
            Conversation(
                id=f"recorded-{day}-{index:04d}",
                title=f"Recorded conversation of {day}",
                lead=_profile(lead, first_with_message, fake_phone, anon),
                scenario="A real conversation recorded in production (anonymised).",
                expected_outcome=f"The lead ends at stage {rows[-1].stage}, as in production.",
                tags=["recorded"],
                turns=turns,
            )
        )
    return conversations


async def record_conversations(
    url: str, since: date, out: Path, *, salt: str | None = None, min_turns: int = 1
) -> int:
    by_lead, leads = await load_rows(url, since)
    conversations = build_conversations(by_lead, leads, Anonymiser(salt), min_turns)
    out.parent.mkdir(parents=True, exist_ok=True)
    description = f"Recorded from lead_interactions since {since.isoformat()}, anonymised."
    out.write_text(dump_conversations(conversations, description), encoding="utf-8")
    return len(conversations)
