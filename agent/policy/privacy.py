"""LGPD: personal identifiers never reach logs, records or prompts.

`redact` masks CPF and CNPJ numbers a lead may type or a file name may carry, before the text
is stored in `lead_interactions`, the conversation memory the prompts see, or any log.
"""

from __future__ import annotations

import re
from typing import Any

_CPF_LABELLED = re.compile(r"(?i)\b(cpf|cnpj)\b(\W{0,5})[\d.\-/\s]{11,20}\d")
# A bare run of 11 digits is as likely a phone number as a CPF: only formatted ones, or any
# digits right after the word "CPF"/"CNPJ", are masked.
_FORMATTED_CPF = re.compile(r"(?<!\d)\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)")
_FORMATTED_CNPJ = re.compile(r"(?<!\d)\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}(?!\d)")

MASK = "[documento oculto]"


def redact(text: str) -> str:
    """The text with CPF/CNPJ numbers replaced by a mask."""
    if not text:
        return text
    text = _CPF_LABELLED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _FORMATTED_CNPJ.sub(MASK, text)
    return _FORMATTED_CPF.sub(MASK, text)


def redact_inbound(inbound: dict[str, Any]) -> dict[str, Any]:
    """An inbound event (as a dict) with what the lead typed and the file name redacted."""
    return {**inbound, **{k: redact(inbound[k]) for k in ("text", "filename") if inbound.get(k)}}
