"""Reading the bill a lead sent, inside the documents node: one turn per page or photo.

A page that is only part of a bill is kept as *pending* for a short window
(`SILVIA_BILL_MERGE_WINDOW`): the next page or photo inside it is merged with it. Files are
kept only as long as needed (`SILVIA_BILL_RETENTION_HOURS`, default 0 = deleted right after
extraction; a pending page lives until it is merged or its window closes). The state keeps
the bill's fields, never its text, CPF or address.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent import ports
from agent.context import Deps
from agent.policy.economics import format_brl
from agent.ports import BillFields, BillReadError, BillReading, MediaFile, PortError
from agent.replies.drafts import render_reply, reply
from agent.state import Profile, Reply, SilviaState, Stage
from bills.feedback import (
    MIN_TEXT_CHARS,
    amount_mismatch,
    choose_tip,
    is_partial,
    is_weak,
    kept_fields,
    merge_readings,
    missing_part_text,
    not_a_bill_kind,
    specific_tip,
    usable_for_qualification,
)
from bills.photo_quality import photo_verdict

log = logging.getLogger(__name__)

MAX_BILL_ATTEMPTS = 2
ACK_AFTER_S = 1.0  # a read still running after this long gets "recebi, estou analisando"


def discard_file(path: str | None, media_id: str | None, deps: Deps) -> None:
    """Delete a bill file (and its media-store sidecar) unless the retention keeps it."""
    if not path or getattr(deps, "bill_retention_s", 0) > 0:
        return
    file = Path(path)
    try:
        file.unlink(missing_ok=True)
        if media_id:
            file.with_name(f"{media_id}.json").unlink(missing_ok=True)
    except OSError as exc:  # a file we cannot delete is reported, not fatal to the turn
        log.warning("could not delete a bill file: %s", type(exc).__name__)


def _fresh_pending(state: SilviaState, deps: Deps, now: datetime) -> list[dict[str, Any]]:
    """Pending pages still inside the merge window; stale ones are discarded."""
    pending = list(state.get("pending_bill") or [])
    if not pending:
        return []
    window = timedelta(seconds=getattr(deps, "bill_merge_window_s", 120))
    last = datetime.fromisoformat(pending[-1]["at"])
    if now - last <= window:
        return pending
    for page in pending:
        discard_file(page.get("path"), page.get("media_id"), deps)
    return []


def _page_reading(page: dict[str, Any]) -> BillReading:
    return BillReading(
        ok=False,
        fields=BillFields(**page["fields"]),
        confidence=page["confidence"],
        source=page.get("source", "none"),
        problem="unreadable",
    )


def _combine(
    deps: Deps, pending: list[dict[str, Any]], media: MediaFile, data: bytes, new: BillReading
) -> BillReading:
    """The reader's own multi-page reading when it has one, else a field-by-field merge."""
    read_many = getattr(deps.bills, "read_many", None)
    bill_file = getattr(ports, "BillFile", None)  # the reader's multi-page input, when it has one
    if callable(read_many) and bill_file is not None:
        files = [
            bill_file(data=Path(p["path"]).read_bytes(), mime_type=p["mime_type"], filename=p.get("filename"))
            for p in pending
            if p.get("path") and Path(p["path"]).is_file()
        ]
        if files:
            files.append(bill_file(data=data, mime_type=media.mime_type, filename=media.filename))
            combined = read_many(files)
            if isinstance(combined, BillReading):
                return combined
    return merge_readings([*(_page_reading(p) for p in pending), new])


async def _download(deps: Deps, media_id: str) -> tuple[MediaFile | None, bytes]:
    try:
        media = await deps.whatsapp.download_media(media_id)
        return media, await asyncio.to_thread(Path(media.path).read_bytes)
    except (PortError, OSError) as exc:  # a media we cannot fetch is answered like a corrupt file
        log.warning("bill download failed: %s", type(exc).__name__)
        return None, b""


async def _explain_blank_photo(reading: BillReading, media: MediaFile, data: bytes) -> BillReading:
    """An image with no text at all: a selfie is not a bill; a dark or blurred bill gets that tip."""
    blank = is_weak(reading) and len(reading.text.strip()) < MIN_TEXT_CHARS
    if not blank or not media.mime_type.lower().startswith("image/"):
        return reading
    verdict = await asyncio.to_thread(photo_verdict, data)
    if verdict == "not_a_document":
        return reading.model_copy(update={"problem": "not_a_bill", "issues": ["no_text_photo"]})
    if verdict in ("dark", "blurry"):
        return reading.model_copy(update={"issues": [*(getattr(reading, "issues", None) or []), verdict]})
    return reading


async def _read_acknowledging(state: SilviaState, deps: Deps, media: MediaFile, data: bytes) -> BillReading:
    """Read the file; a read that will take more than a second (a photo: OCR) is acknowledged at
    once, and any other read still running after `ACK_AFTER_S` (a scanned PDF) then."""
    reading = asyncio.ensure_future(asyncio.to_thread(deps.bills.read, data, media.mime_type, media.filename))
    will_be_slow = getattr(deps.bills, "will_be_slow", None)
    if not (callable(will_be_slow) and will_be_slow(data, media.mime_type, media.filename)):
        await asyncio.wait({reading}, timeout=ACK_AFTER_S)
    if not reading.done():
        await send_analysing(state, deps)
    try:
        return await reading
    except BillReadError as exc:  # a reader crash on a hostile file is a corrupt file to the lead
        log.warning("bill read failed: %s", type(exc).__name__)
        return BillReading(ok=False, problem="corrupt")


async def send_analysing(state: SilviaState, deps: Deps) -> None:
    """ "Recebi, estou analisando": sent straight away, mid-turn, so the lead is not left waiting.

    It is a plain template (no numbers, nothing the guard could object to) answering the lead's
    own message, so it goes out free-form; a failure to send it never stops the read."""
    version = state.get("prompt_version") or deps.prompt_version
    try:
        message = render_reply(reply("bill.analysing"), state, deps.prompts, version, "L3")
        await deps.whatsapp.send_text(state["phone"], message["text"])
        await deps.leads.log("INFO", "bill_analysing_sent", phone=state["phone"])
    except Exception as exc:
        log.warning("could not send the bill acknowledgement: %s", type(exc).__name__)


async def read_bill(state: SilviaState, deps: Deps) -> dict[str, Any]:
    """The documents node's answer to an image or PDF: accept, merge, or ask again politely."""
    inbound = state["inbound"]
    now = deps.clock()
    media, data = await _download(deps, inbound.get("media_id") or "")
    if media is None:
        return await _problem(state, deps, BillReading(ok=False, problem="corrupt"), inbound.get("kind", ""))
    reading = await _read_acknowledging(state, deps, media, data)
    pending = _fresh_pending(state, deps, now)
    reading = await _explain_blank_photo(reading, media, data)
    if not reading.ok and not is_weak(reading):
        discard_file(media.path, media.media_id, deps)
        update = await _problem(state, deps, reading, inbound.get("kind", ""))
        return {**update, "pending_bill": pending}
    if not usable_for_qualification(reading) and pending:
        reading = await asyncio.to_thread(_combine, deps, pending, media, data, reading)
    if usable_for_qualification(reading):
        for page in [*pending, {"path": media.path, "media_id": media.media_id}]:
            discard_file(page.get("path"), page.get("media_id"), deps)
        await deps.leads.log(
            "INFO",
            "bill_read",
            phone=state["phone"],
            details={"pages": len(pending) + 1, "source": reading.source},
        )
        return accept_bill(state, reading.fields)
    return await _weak_read(state, deps, reading, media, pending, now)


async def _weak_read(
    state: SilviaState,
    deps: Deps,
    reading: BillReading,
    media: MediaFile,
    pending: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """A try that failed: keep a partial page for the next one; ONE tip, or the specialist."""
    attempts = int(state.get("bill_attempts") or 0) + 1
    tips = list(state.get("bill_tips") or [])
    if is_partial(reading) and specific_tip(reading) is None:
        pending = [*pending, _pending_page(media, reading, now)]
        tip, draft = "whole_page", reply("bill.retry_missing_part", missing_part=missing_part_text(reading))
    else:
        discard_file(media.path, media.media_id, deps)
        tip = choose_tip(reading, tips)
        draft = reply(f"bill.retry_{tip}")
    # The specialist is offered once, at the second failed try; a lead who keeps trying after
    # that gets tips again (the offer stands: "sim" still hands them over).
    offer = attempts == MAX_BILL_ATTEMPTS
    if not offer:
        tips.append(tip)
    await deps.leads.log(
        "INFO",
        "bill_rejected",
        phone=state["phone"],
        details={
            "problem": reading.problem or "unreadable",
            "attempt": attempts,
            "tip": None if offer else tip,
            "pending_pages": len(pending),
        },
    )
    update: dict[str, Any] = {"bill_attempts": attempts, "bill_tips": tips[-4:], "pending_bill": pending}
    if offer:
        return {**update, "human_offered": True, "replies": [reply("bill.offer_human")]}
    return {**update, "replies": [draft]}


def _pending_page(media: MediaFile, reading: BillReading, now: datetime) -> dict[str, Any]:
    """A partial page waiting for the rest: where its file is and what was read (no CPF)."""
    return {
        "media_id": media.media_id,
        "path": media.path,
        "mime_type": media.mime_type,
        "filename": media.filename,
        "at": now.isoformat(),
        "source": reading.source,
        "fields": kept_fields(reading.fields),
        "confidence": dict(reading.confidence),
    }


async def _problem(state: SilviaState, deps: Deps, reading: BillReading, media_kind: str) -> dict[str, Any]:
    """A file a better photo will not fix: its own polite answer; not counted as a try."""
    problem = reading.problem or "corrupt"
    draft: Reply
    if problem == "not_a_bill":
        kind = not_a_bill_kind(reading, media_kind)
        if kind.startswith("utility:"):
            draft = reply("bill.other_utility", document_kind=kind.split(":", 1)[1])
        elif kind in ("photo", "boleto"):
            draft = reply(f"bill.not_a_bill_{kind}")
        else:
            draft = reply("bill.not_a_bill")
        problem = f"not_a_bill:{kind.split(':')[0]}"
    elif problem in ("encrypted", "corrupt", "too_large", "unsupported_type"):
        draft = reply(f"bill.{problem}")
    else:  # a problem this code does not know yet: the safe, generic answer
        draft = reply("bill.corrupt")
    await deps.leads.log("INFO", "bill_rejected", phone=state["phone"], details={"problem": problem})
    return {"replies": [draft]}


def accept_bill(state: SilviaState, fields: BillFields) -> dict[str, Any]:
    """The bill wins over what the lead said; a large difference gets a friendly question."""
    profile: Profile = dict(state.get("profile") or {})  # type: ignore[assignment]
    said = profile.get("bill_amount")
    total = float(fields.total_amount or 0)
    profile["bill_amount"] = total
    if fields.city:
        profile["city"] = fields.city
    if fields.state:
        profile["state"] = fields.state
    if fields.consumer_class in ("comercial", "industrial"):
        profile["person_type"] = "juridical"
    update: dict[str, Any] = {
        "stage": Stage.DOCUMENT_RECEIVED.value,
        "bill": {**kept_fields(fields), "source": "bill"},
        "bill_attempts": 0,
        "bill_tips": [],
        "pending_bill": [],
        "human_offered": False,
        "profile": profile,
        "bill_check": None,
    }
    if amount_mismatch(said, total):
        update["bill_check"] = {"said": said, "read": total}
        update["replies"] = [
            reply(
                "bill.amount_mismatch", said_amount=format_brl(float(said or 0)), bill_total=format_brl(total)
            )
        ]
    return update


def accept_typed_amount(state: SilviaState, deps: Deps, amount: float) -> dict[str, Any]:
    """After a weak read the lead may type the total: qualification goes on, marked unverified."""
    for page in state.get("pending_bill") or []:
        discard_file(page.get("path"), page.get("media_id"), deps)
    profile: Profile = dict(state.get("profile") or {})  # type: ignore[assignment]
    profile["bill_amount"] = float(amount)
    return {
        "stage": Stage.DOCUMENT_RECEIVED.value,
        "bill": {"total_amount": float(amount), "source": "typed"},
        "bill_attempts": 0,
        "bill_tips": [],
        "pending_bill": [],
        "human_offered": False,
        "bill_check": None,
        "profile": profile,
    }
