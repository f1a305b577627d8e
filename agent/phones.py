"""A lead is keyed by its phone in E.164 form (`+5581999990001`) everywhere: the checkpoint
thread, every table, the dashboard and the commands. One spelling check for all of them."""

from __future__ import annotations

import re

_E164 = re.compile(r"\+\d{10,15}")  # country code + number; E.164 allows at most 15 digits
_SEPARATORS = re.compile(r"[\s().-]")


def normalise_phone(raw: str) -> str:
    """'+55 (81) 99999-0001' or '5581999990001' -> '+5581999990001'; ValueError with a reason
    (naming the E.164 form) for anything else."""
    phone = _SEPARATORS.sub("", raw)
    if phone and not phone.startswith("+"):
        phone = f"+{phone}"
    if not _E164.fullmatch(phone):
        raise ValueError(f"not a phone number in E.164 form (+5581999990001): {raw[:40]!r}")
    return phone
