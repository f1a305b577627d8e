"""What to tell a lead about the bill they sent: pure decisions over a `BillReading`.

* a weak read gets ONE concrete tip, chosen by what failed (light, whole page, no angle,
  focus) and varied on the next try;
* a page that reads like part of a bill asks for the missing part (the other page/photo);
* a readable non-bill gets its own answer: a photo that is not a bill (a selfie), a boleto
  of something else, or another utility's bill;
* pages sent one after the other are merged field by field (most confident value wins);
* a bill amount far from what the lead said earlier gets a friendly confirmation question.

The reader may report `issues` (e.g. "blurry", "dark", "cropped", "rotated"); without them the
tip is inferred from which fields were found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from agent.ports import BillFields, BillReading
from bills.fields import total_label_without_value, validate_bill

Tip = Literal["light", "whole_page", "angle", "focus", "covered", "pdf"]
TIPS: tuple[Tip, ...] = ("light", "whole_page", "angle", "focus")  # taken in turn on repeated failures
# Problems a better photo (or the other page) can fix: they count as tries.
WEAK_PROBLEMS = frozenset({"unreadable", "image_not_supported", "failed_validation", "low_confidence"})
REQUIRED = ("total_amount", "consumption_kwh", "distributor")
MIN_CONFIDENCE = 0.5
MIN_TEXT_CHARS = 40  # less than this read from an image: nothing printed was seen
# What the conversation keeps of a bill: no CPF/CNPJ, no street address, no raw text (LGPD).
KEPT_FIELDS = (
    "distributor",
    "customer_name",
    "installation_number",
    "city",
    "state",
    "consumer_class",
    "consumption_kwh",
    "total_amount",
    "due_date",
    "reference_month",
)
# Bill rules the qualification step answers itself (Serena's minimum bill, states served).
QUALIFICATION_ISSUES = frozenset({"total_too_low", "state_not_served"})
SURE = 0.8  # confidence above which a value is taken as read right
MISMATCH_RATIO = 0.30  # |bill - said| above 30 % of what the lead said ...
MISMATCH_MIN_BRL = 30.0  # ... and above R$ 30 is worth a question

_ISSUE_TIPS: tuple[tuple[re.Pattern[str], Tip], ...] = (
    (re.compile(r"blur|focus|sharp|motion|nitid"), "focus"),
    (re.compile(r"dark|light|shadow|contrast|expos|glare|bright|reflex|ilumin"), "light"),
    (re.compile(r"crop|cut|partial|incomplet|missing|edge|border|truncat"), "whole_page"),
    (re.compile(r"rotat|skew|tilt|angle|perspect|keystone|inclin"), "angle"),
)
_FIELD_WORDS = {
    "total_amount": "o *valor total*",
    "consumption_kwh": "o *consumo em kWh*",
    "distributor": "o *nome da distribuidora*",
}
_BOLETO = re.compile(
    r"boleto|beneficiario|pagador|sacado|nosso numero|linha digitavel|ficha de compensacao"
    r"|pagavel em qualquer banco|especie doc|aceite|cedente|carteira"
)
_UTILITIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(agua|esgoto|saneamento|compesa|embasa|cagece|caern|sabesp|hidrometro)\b"),
        "conta de água",
    ),
    (re.compile(r"\b(gas natural|copergas|bahiagas|cegas|potigas|comgas|gas encanado)\b"), "conta de gás"),
    (
        re.compile(
            r"\b(telefonia|internet|banda larga|fibra optica|plano de dados|operadora|tv por assinatura)\b"
        ),
        "conta de telefone ou internet",
    ),
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_weak(reading: BillReading) -> bool:
    return not reading.ok and (reading.problem or "unreadable") in WEAK_PROBLEMS


def missing_fields(reading: BillReading) -> list[str]:
    conf = reading.confidence
    return [n for n in REQUIRED if getattr(reading.fields, n) is None or conf.get(n, 1.0) < MIN_CONFIDENCE]


def is_partial(reading: BillReading) -> bool:
    """Part of a bill: something of it was read, but not everything we need (another page?)."""
    found = [n for n in REQUIRED if n not in missing_fields(reading)]
    return is_weak(reading) and bool(found) and len(found) < len(REQUIRED)


def missing_part_text(reading: BillReading) -> str:
    return " e ".join(_FIELD_WORDS[n] for n in missing_fields(reading))


def _inferred_tip(reading: BillReading) -> Tip:
    if len(reading.text.strip()) < MIN_TEXT_CHARS:
        return "light"  # nothing legible at all: usually too dark or too blurred
    missing = missing_fields(reading)
    if missing and len(missing) < len(REQUIRED):
        return "whole_page"  # part of the page was read: the rest is probably cut off
    if not missing:
        return "focus"  # every field found but they do not add up: digits were misread
    return "angle"  # text but no fields: words are there, the layout is not (tilted photo)


def specific_tip(reading: BillReading) -> Tip | None:
    """A tip only this kind of image needs, which a lead sending "the other page" would not fix.

    * a screenshot of the distributor's app that is not enough: the app or the e-mail
      has the bill as a PDF, which is read exactly;
    * the total's label was read but not its amount: a thumb, a fold or a reflection covers it.
    """
    issues = {str(i) for i in (getattr(reading, "issues", None) or [])}
    if "screenshot" in issues:
        return "pdf"
    total_unsure = (
        reading.fields.total_amount is None or reading.confidence.get("total_amount", 0.0) < MIN_CONFIDENCE
    )
    if total_unsure and total_label_without_value(reading.text):
        return "covered"
    return None


def choose_tip(reading: BillReading, given: Sequence[str] = ()) -> Tip:
    """One concrete tip for the next photo; not the same one twice in a row if avoidable."""
    specific = specific_tip(reading)
    if specific is not None and specific not in given:
        return specific
    issues = " ".join(fold(str(i)) for i in (getattr(reading, "issues", None) or []))
    tip = next((t for pattern, t in _ISSUE_TIPS if pattern.search(issues)), None) or _inferred_tip(reading)
    if tip not in given or tip not in TIPS:
        return tip
    start = TIPS.index(tip)
    rotated = [TIPS[(start + k) % len(TIPS)] for k in range(1, len(TIPS))]
    return next((t for t in rotated if t not in given), tip)


def not_a_bill_kind(reading: BillReading, media_kind: str) -> str:
    """'photo', 'boleto', 'utility:<what it is>' or 'other' for a readable non-bill."""
    text = fold(reading.text)
    issues = " ".join(fold(str(i)) for i in (getattr(reading, "issues", None) or []))
    for pattern, label in _UTILITIES:
        if pattern.search(text):
            return f"utility:{label}"
    if len(_BOLETO.findall(text)) >= 2:
        return "boleto"
    if media_kind == "image" and (
        len(text.strip()) < MIN_TEXT_CHARS or re.search(r"selfie|face|rosto|person", issues)
    ):
        return "photo"
    return "other"


def usable(fields: BillFields, confidence: dict[str, float]) -> bool:
    """Every required field read with confidence, and the bill passes the reading rules.

    A total at or below the seed's minimum read with high confidence is usable: the lead does
    not qualify, and the qualification step says so politely (a new photo would not help).
    """
    if any(getattr(fields, n) is None or confidence.get(n, 0.6) < MIN_CONFIDENCE for n in REQUIRED):
        return False
    problems = set(validate_bill(fields)) - QUALIFICATION_ISSUES
    if "total_too_low" in validate_bill(fields) and confidence.get("total_amount", 0.6) < SURE:
        return False
    return not problems


def usable_for_qualification(reading: BillReading) -> bool:
    """The reader's verdict, or a weak read whose only flaw is one the qualification handles."""
    return reading.ok or (is_weak(reading) and usable(reading.fields, reading.confidence))


def _value_confidence(reading: BillReading, name: str) -> float:
    if getattr(reading.fields, name) is None:
        return -1.0
    return reading.confidence.get(name, 0.6)


def merge_readings(readings: Sequence[BillReading]) -> BillReading:
    """Pages of one bill read separately, merged: each field from the page most sure of it."""
    fields: dict[str, Any] = {}
    confidence: dict[str, float] = {}
    for name in BillFields.model_fields:
        best = max(readings, key=lambda r: _value_confidence(r, name))
        if getattr(best.fields, name) is not None:
            fields[name] = getattr(best.fields, name)
            confidence[name] = best.confidence.get(name, 0.6)
    merged = BillFields(**fields)
    ok = usable(merged, confidence)
    sources = [r.source for r in readings if r.source != "none"]
    return BillReading(
        ok=ok,
        fields=merged,
        confidence=confidence,
        source=sources[0] if sources else "none",
        problem=None if ok else "unreadable",
        text="\n".join(r.text for r in readings),
    )


def kept_fields(fields: BillFields) -> dict[str, Any]:
    """The bill as the conversation state keeps it (JSON; no CPF, no address)."""
    dumped = fields.model_dump(mode="json")
    return {k: dumped.get(k) for k in KEPT_FIELDS}


def amount_mismatch(said: float | None, read: float | None) -> bool:
    if not said or not read:
        return False
    difference = abs(read - said)
    return difference > MISMATCH_RATIO * said and difference >= MISMATCH_MIN_BRL
