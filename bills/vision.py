"""A vision model (any OpenAI-compatible Chat Completions server) for bill photos OCR is unsure of.

The model gets the straightened page images and answers the same fields as JSON. Its numbers are
then cross-checked against the OCR text: a value the OCR also saw on the page gets high confidence,
a value the page text contradicts gets low confidence (so the reading is not ok), and a value with
no OCR evidence at all is accepted with moderate confidence and the issue "vision_unverified".
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from collections.abc import Collection
from datetime import date
from typing import Any

import httpx
import numpy as np
from PIL import Image

from agent.ports import BillFields, BillReading, BillSource
from bills.confidence import MIN_CONFIDENCE, count_amount, count_quantity, finish
from bills.files import MIN_TEXT_CHARS, PageText
from bills.patterns import UFS, distributor_by_name, fold, mask_document, parse_brl, parse_date

log = logging.getLogger(__name__)

PROMPT = (
    "You read Brazilian electricity bills. Answer ONLY with a JSON object with these keys "
    "(null when not printed or not legible; never guess): is_electricity_bill (bool), distributor, "
    "customer_name, document (CPF/CNPJ as printed), installation_number, city, state (UF, 2 letters), "
    "consumer_class (residencial|comercial|rural|industrial), consumption_kwh (number), "
    "total_amount (number, the amount to pay, in reais), due_date (DD/MM/YYYY), "
    "reference_month (MM/YYYY)."
)
NUMBERS = ("total_amount", "consumption_kwh")
AGREES, DISAGREES, UNVERIFIED = 0.9, 0.3, 0.6


class VisionError(Exception):
    """No usable answer: timeout, HTTP error, or not the JSON we asked for."""


class VisionClient:
    """Chat Completions with image content parts (`image_url` data URIs), JSON answer."""

    def __init__(
        self, base_url: str, api_key: str, model: str, timeout: float = 30.0, max_side: int = 1600
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.max_side = max_side

    @classmethod
    def from_settings(cls, settings: Any) -> VisionClient | None:
        """None unless a key (or a local base URL) and a model are configured."""
        key = settings.vision_api_key or settings.openai_api_key
        base = settings.vision_base_url or settings.openai_base_url or "https://api.openai.com/v1"
        model = settings.vision_model or settings.openai_model
        if not settings.vision_enabled or not model or not (key or settings.vision_base_url):
            return None
        return cls(base, key, model, timeout=settings.vision_timeout)

    def read(self, images: list[np.ndarray]) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": "Read this bill."}]
        content += [{"type": "image_url", "image_url": {"url": self._data_uri(img)}} for img in images]
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": PROMPT}, {"role": "user", "content": content}],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise VisionError(type(exc).__name__) from exc
        if response.status_code >= 400:
            raise VisionError(f"HTTP {response.status_code}")
        try:
            text = response.json()["choices"][0]["message"]["content"] or ""
            return _json_object(text)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise VisionError("malformed answer") from exc

    def _data_uri(self, image: np.ndarray) -> str:
        img = Image.fromarray(image)
        img.thumbnail((self.max_side, self.max_side))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=85)
        return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _json_object(text: str) -> dict[str, Any]:
    """The answer's JSON object, tolerating ```json fences around it."""
    m = re.search(r"\{.*\}", text, re.DOTALL)
    data = json.loads(m.group(0) if m else text)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def improve_with_vision(
    client: VisionClient, reading: BillReading, pages: list[PageText], served: Collection[str] | None
) -> BillReading:
    """Fill the fields OCR was unsure of from the model's answer, each cross-checked with the OCR text."""
    images = [p.image for p in pages if p.image is not None]
    try:
        answer = client.read(images)
    except VisionError as exc:
        log.info("vision model gave no usable answer: %s", exc)
        return reading.model_copy(update={"issues": [*reading.issues, "vision_failed"]})
    if answer.get("is_electricity_bill") is False and reading.problem == "not_a_bill":
        return reading
    proposed = to_fields(answer)
    fields = reading.fields.model_copy()
    confidence = dict(reading.confidence)
    sources: dict[str, BillSource] = dict(reading.field_sources)
    has_text = len(reading.text.strip()) >= MIN_TEXT_CHARS
    extra: list[str] = []
    price_rules = {"price_out_of_tariff_range", "implausible_price_per_kwh"}
    reconsider = set(NUMBERS) if price_rules & set(reading.issues) else set()
    for name, value in proposed:
        if value in (None, []) or (confidence.get(name, 0.0) >= MIN_CONFIDENCE and name not in reconsider):
            continue  # OCR already read this one with confidence
        conf = cross_check(name, value, getattr(fields, name), reading.text, has_text)
        setattr(fields, name, value)
        confidence[name], sources[name] = conf, "vision"
        if conf == UNVERIFIED and name in NUMBERS:
            extra.append("vision_unverified")
    result = finish(fields, confidence, served, field_sources=sources, source=_main_source(sources),
                    text=reading.text, pages=reading.pages)  # fmt: skip
    issues = [*result.issues, *dict.fromkeys(extra)]
    return result.model_copy(update={"issues": issues})


def cross_check(name: str, value: Any, ocr_value: Any, text: str, has_text: bool) -> float:
    """Confidence for a model value: seen in the OCR text, contradicted by it, or unverifiable."""
    if not has_text:
        return UNVERIFIED
    if ocr_value is not None and ocr_value != value and name in (*NUMBERS, "due_date"):
        return DISAGREES  # OCR read something else there
    if _printed(name, value, text):
        return AGREES
    return DISAGREES if name in (*NUMBERS, "due_date", "installation_number") else UNVERIFIED


def _printed(name: str, value: Any, text: str) -> bool:
    if name == "total_amount":
        return count_amount(text, float(value)) >= 1
    if name == "consumption_kwh":
        return count_quantity(text, float(value)) >= 1
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") in text or value.strftime("%d/%m/%y") in text
    if name == "installation_number":
        return re.sub(r"\D", "", str(value)) in re.sub(r"\D", "", text)
    return fold(str(value)) in fold(text)


def to_fields(answer: dict[str, Any]) -> BillFields:
    """The model's JSON as BillFields; anything malformed becomes None, never an exception."""
    dist = distributor_by_name(str(answer.get("distributor") or ""))
    state = str(answer.get("state") or "").strip().upper()
    cls = fold(str(answer.get("consumer_class") or "")).strip()
    ref = str(answer.get("reference_month") or "")
    return BillFields(
        distributor=dist.name if dist else None,
        customer_name=_text(answer.get("customer_name")),
        document_masked=mask_document(str(answer.get("document") or "")),
        installation_number=_text(answer.get("installation_number")),
        city=_text(answer.get("city")),
        state=state if state in UFS else (dist.state if dist else None),
        consumer_class=cls if cls in ("residencial", "comercial", "rural", "industrial") else None,
        consumption_kwh=_number(answer.get("consumption_kwh")),
        total_amount=_number(answer.get("total_amount")),
        due_date=parse_date(str(answer.get("due_date") or "")),
        reference_month=ref if re.fullmatch(r"(0[1-9]|1[0-2])/20\d\d", ref) else None,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    parsed = parse_brl(str(value)) if value is not None else None
    return parsed if parsed and parsed > 0 else None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:120] or None


def _main_source(sources: dict[str, BillSource]) -> BillSource:
    required = [sources.get(n) for n in ("total_amount", "consumption_kwh", "distributor")]
    return "vision" if "vision" in required else (required[0] or "ocr")
