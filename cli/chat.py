"""Sílvia in a terminal: print a conversation as a chat, and the interactive `silvia chat`."""

from __future__ import annotations

import mimetypes
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from agent.inbound import Inbound
from agent.ports import LeadRecord
from agent.state import TurnResult
from demo.sample_bills import sample_bill_pdf
from wiring import Silvia

Echo = Callable[[str], None]


def print_lead(echo: Echo, name: str, text: str) -> None:
    echo(f"\n👤 {name}: {text}")


def print_turn(echo: Echo, result: TurnResult) -> None:
    """Sílvia's replies with the stage after the turn, the layer and the prompt version."""
    if not result.replies:
        echo(f"   (Sílvia stays silent · stage {result.stage})")
        return
    for reply in result.replies:
        layer, version = reply.get("layer"), reply.get("prompt_version")
        meta = f"{result.stage} · {layer} · {version} · {result.response_time_ms} ms"
        echo(f"🤖 Sílvia [{meta}]:")
        for line in (reply.get("text") or "").splitlines():
            echo(f"   {line}")
        if reply.get("buttons"):
            echo("   " + "  ".join(f"[{b['title']}]" for b in reply["buttons"]))


def media_inbound(silvia: Silvia, phone: str, path: Path) -> Inbound:
    """Turn a local file into the inbound event WhatsApp would deliver for it."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return file_inbound(silvia, phone, path.read_bytes(), mime, path.name)


def file_inbound(silvia: Silvia, phone: str, data: bytes, mime: str, filename: str) -> Inbound:
    """Bytes the lead 'sent': stored in the sandbox media store, delivered as WhatsApp would."""
    media_id = silvia.receive_media(data, mime, filename)
    kind = "image" if mime.startswith("image/") else "document"
    return Inbound(phone=phone, kind=kind, media_id=media_id, mime_type=mime, filename=filename)


async def seed_lead(
    silvia: Silvia, phone: str, name: str | None, city: str | None, state: str | None, bill: float | None
) -> None:
    """Create or update the `leads` row the conversation starts from (as a CRM import would)."""
    existing = await silvia.leads.get_lead(phone)
    if existing is None and not name:
        return
    merged = LeadRecord(
        phone=phone,
        name=name or (existing.name if existing else ""),
        city=city or (existing.city if existing else None),
        state=(state or (existing.state if existing else None) or None),
        bill_amount=bill or (existing.bill_amount if existing else None),
    )
    await silvia.leads.upsert_lead(merged)


async def run_chat(
    silvia: Silvia, phone: str, name: str | None, lines: Iterable[str] | None, echo: Echo
) -> None:
    """The chat loop. `lines` = piped input (one message per line); None = interactive."""
    lead_name = name or "Lead"
    interactive = lines is None
    if interactive:
        echo(
            "Type a message; /bill sends a sample bill for you (/bill PATH sends a file), "
            "/state shows the state, /quit leaves."
        )
    source = _prompt_lines() if interactive else iter(lines or [])
    for raw in source:
        text = raw.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            break
        if text == "/state":
            echo(_describe_state(await silvia.state(phone)))
            continue
        if text == "/bill" or text.startswith("/bill "):
            inbound = await _bill_inbound(silvia, phone, lead_name, text[len("/bill") :].strip(), echo)
            if inbound is not None:
                print_lead(echo, lead_name, f"[sends {inbound.filename}]")
                print_turn(echo, await silvia.handle(inbound))
            continue
        if not interactive:
            print_lead(echo, lead_name, text)
        print_turn(echo, await silvia.handle(Inbound(phone=phone, kind="text", text=text, name=name)))


async def _bill_inbound(silvia: Silvia, phone: str, name: str, arg: str, echo: Echo) -> Inbound | None:
    """`/bill PATH` sends that file; a bare `/bill` a sample PDF for the lead's city and amount."""
    if arg:
        path = Path(arg).expanduser()
        if not path.is_file():
            echo(f"   no such file: {path}")
            return None
        return media_inbound(silvia, phone, path)
    profile = (await silvia.state(phone)).get("profile") or {}
    total = float(profile.get("bill_amount") or 350.0)
    data = sample_bill_pdf(name, profile.get("city"), profile.get("state"), total)
    media_id = silvia.receive_media(data, "application/pdf", "conta-de-luz.pdf")
    return Inbound(
        phone=phone,
        kind="document",
        media_id=media_id,
        mime_type="application/pdf",
        filename="conta-de-luz.pdf",
    )


def _prompt_lines() -> Iterable[str]:
    while True:
        try:
            yield input("\n👤 você: ")
        except (EOFError, KeyboardInterrupt):
            sys.stdout.write("\n")
            return


def _describe_state(state: dict[str, Any]) -> str:
    keys = (
        "stage",
        "profile",
        "intent",
        "selected_plan",
        "bill",
        "qualification",
        "serena_lead_id",
        "specialist",
        "prompt_version",
    )
    lines = [f"   {k}: {state.get(k)}" for k in keys if state.get(k) not in (None, "", {}, [])]
    lines.append(f"   messages remembered: {len(state.get('messages') or [])}")
    return "\n".join(lines) if state else "   (no conversation yet)"
