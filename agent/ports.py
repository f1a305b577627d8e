"""The small interfaces the nodes depend on, and the data that crosses them.

Nodes never import MCP, SQLAlchemy, Redis or FastAPI: `tools/` and `storage/` implement these
ports, and tests can pass in-memory versions. Everything returned is a pydantic model so it
can be dumped into the checkpointed state as plain JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

# --- errors ---------------------------------------------------------------------------------


class PortError(Exception):
    """A port could not do what a node asked. Adapters raise this family (and translate their
    libraries' errors into it); nodes catch it by name, so a bug is never mistaken for an outage."""


class ToolError(PortError):
    """A WhatsApp or Serena tool failed: the tool reported an error, the server could not be
    reached, or its answer did not have the promised shape."""


class BillReadError(PortError):
    """The bill reader crashed on a file (a hostile or broken one): the lead hears "corrupt"."""


class StoreError(PortError):
    """The business database refused or failed a write the conversation can live without."""


# --- WhatsApp -------------------------------------------------------------------------------


class MediaFile(BaseModel):
    """Where downloaded media bytes are (a local media-store path) and what they are."""

    media_id: str
    mime_type: str
    filename: str | None = None
    size: int
    sha256: str
    path: str


class WhatsAppPort(Protocol):
    async def send_text(self, to: str, message: str) -> str: ...

    async def send_buttons(self, to: str, body: str, buttons: list[dict[str, str]]) -> str: ...

    async def send_list(self, to: str, body: str, button: str, rows: list[dict[str, str]]) -> str:
        """An interactive list: one button opens up to 10 rows ({id, title<=24, description?})."""
        ...

    async def send_template(
        self, to: str, template: str, language: str, parameters: dict[str, str]
    ) -> str: ...

    async def download_media(self, media_id: str) -> MediaFile: ...

    async def mark_as_read(self, message_id: str) -> bool: ...


# --- Serena ---------------------------------------------------------------------------------


class Plan(BaseModel):
    id: str
    name: str
    discount_pct: float
    loyalty_months: int = 0
    adhesion_fee: float = 0.0
    description: str = ""
    highlight: bool = False


class PlanCatalog(BaseModel):
    served: bool
    distributor: str | None = None
    state: str
    city: str
    plans: list[Plan] = Field(default_factory=list)


class Qualification(BaseModel):
    qualified: bool
    reason: str
    reason_code: str = ""


class SerenaPort(Protocol):
    async def get_plans(self, city: str, state: str) -> PlanCatalog: ...

    async def validate_qualification(
        self, city: str, state: str, person_type: str, bill_amount: float
    ) -> Qualification: ...

    async def register_lead(self, lead: dict[str, Any]) -> str: ...


# --- Bills ----------------------------------------------------------------------------------

BillProblem = Literal[
    "unreadable",  # we got text but not the fields we need
    "encrypted",  # password-protected PDF
    "corrupt",  # not a valid file of its type
    "too_large",
    "not_a_bill",  # readable, but not an electricity bill
    "unsupported_type",  # not a PDF or an image
    "image_not_supported",  # kept for old checkpoints; images are read by OCR now
    "failed_validation",  # read with confidence, but fails a bill rule (see BillReading.issues)
]

BillSource = Literal["pdf_text", "ocr", "vision", "none"]


class MonthlyConsumption(BaseModel):
    month: str  # MM/YYYY
    kwh: float


class BillFields(BaseModel):
    distributor: str | None = None
    customer_name: str | None = None
    document_masked: str | None = None  # CPF/CNPJ, masked: ***.456.789-**
    installation_number: str | None = None
    city: str | None = None
    state: str | None = None
    consumer_class: str | None = None  # residencial | comercial | rural | industrial
    consumption_kwh: float | None = None
    total_amount: float | None = None
    due_date: date | None = None
    reference_month: str | None = None  # MM/YYYY
    average_kwh: float | None = None  # as printed, else the mean of the printed history
    history: list[MonthlyConsumption] = Field(default_factory=list)  # newest first


class BillReading(BaseModel):
    ok: bool
    fields: BillFields = Field(default_factory=BillFields)
    confidence: dict[str, float] = Field(default_factory=dict)
    source: BillSource = "none"  # where most fields came from
    problem: BillProblem | None = None
    text: str = ""  # what was read (for --explain); never logged
    # Rule codes the bill fails or flags (validate_bill): "total_too_low", "price_out_of_tariff_range",
    # "state_not_served", "vision_unverified", ... Blocking ones make ok=False/"failed_validation".
    issues: list[str] = Field(default_factory=list)
    field_sources: dict[str, BillSource] = Field(default_factory=dict)  # per field, when they differ
    pages: int = 0  # pages/images read


class BillFile(BaseModel):
    """One page or photo of a bill, as received."""

    data: bytes
    mime_type: str
    filename: str | None = None


class BillReaderPort(Protocol):
    def read(self, data: bytes, mime_type: str, filename: str | None = None) -> BillReading: ...

    def read_many(self, files: list[BillFile]) -> BillReading:
        """Several pages/photos of ONE bill (front and back, two PDF pages) merged into one reading."""
        ...

    def will_be_slow(self, data: bytes, mime_type: str, filename: str | None = None) -> bool:
        """True when reading this file takes more than a second (OCR): the lead hears "analisando"."""
        ...

    def warm_up(self) -> None:
        """Load and run the models once at start-up, so the first lead's photo does not wait."""
        ...


# --- Storage --------------------------------------------------------------------------------


class LeadRecord(BaseModel):
    """A `leads` row, as the conversation needs it."""

    phone: str
    name: str
    city: str | None = None
    state: str | None = None
    bill_amount: float | None = None
    client_type: str = "residential"
    # Where the contact came from (ad | website_form | crm_import | inbound); the first known wins.
    source: str | None = None


class TurnRecord(BaseModel):
    """Everything one turn writes: a `lead_interactions` row and the `lead_status` update."""

    phone: str
    interaction_type: str
    message_received: str | None = None
    message_sent: str | None = None
    response_time_ms: int
    layer: str
    prompt_version: str
    intent: str | None = None
    stage: str
    success: bool = True
    error_message: str | None = None
    bill_amount: float | None = None
    consumption_kwh: float | None = None
    qualified: bool | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    at: datetime
    # The lead's profile after the turn, upserted in the same transaction as the turn's rows
    # (one database round trip per turn instead of two).
    lead: LeadRecord | None = None
    # An L1 cache hit: (cache key, intent, template ids), counted in `response_cache` in the
    # same transaction (one database round trip per hit fewer).
    cache_hit: tuple[str, str, str] | None = None


class LeadStorePort(Protocol):
    async def get_lead(self, phone: str) -> LeadRecord | None: ...

    async def upsert_lead(self, lead: LeadRecord) -> None: ...

    async def record_turn(self, turn: TurnRecord) -> None: ...

    async def log(
        self, level: str, message: str, *, phone: str | None = None, details: dict[str, Any] | None = None
    ) -> None: ...

    async def count_cache_hit(self, cache_key: str, intent: str, template_id: str) -> None: ...

    async def request_data(self, phone: str, kind: str, words: str) -> None:
        """Queue an LGPD request (erase | copy) the lead made in the chat, for the team."""
        ...


class ReplyCachePort(Protocol):
    """Layer-1 cache: template id + variables by normalised message/stage/prompt version."""

    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, entry: dict[str, Any], ttl_seconds: int) -> None: ...


# --- Handoff --------------------------------------------------------------------------------


class Specialist(BaseModel):
    name: str
    phone: str
    states: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)


class Assignment(BaseModel):
    """Who takes the lead over and when the lead can expect the contact."""

    specialist: Specialist
    on_duty: bool  # False: nobody covering the lead is working now; `contact_at` is their next shift
    contact_at: datetime


class HandoffRecord(BaseModel):
    """One lead handed to a specialist (the `handoffs` table); no CPF, no street address."""

    phone: str
    reason: Literal["qualified", "requested"]
    lead_name: str = ""
    city: str | None = None
    state: str | None = None
    bill_amount: float | None = None
    bill_source: Literal["bill", "typed", "profile", "none"] = "none"
    consumption_kwh: float | None = None
    plan: str | None = None
    monthly_savings: float | None = None
    serena_lead_id: str | None = None
    specialist_name: str
    specialist_phone: str = ""
    on_duty: bool = True
    contact_at: datetime | None = None
    template: str | None = None
    message_id: str | None = None  # the specialist's WhatsApp notification; None = not sent
    transcript: str = ""  # the conversation so far, as the specialist reads it (CPF masked)
    at: datetime


class SpecialistDirectoryPort(Protocol):
    async def assign(self, state: str | None, city: str | None, now: datetime) -> Assignment | None: ...

    async def record_handoff(self, handoff: HandoffRecord) -> None: ...


# --- Language model (layer L4) --------------------------------------------------------------


class LLMUsage(BaseModel):
    """What one model call cost: recorded in lead_interactions (model, tokens, latency)."""

    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0
    method: str = ""  # structured-output method that worked: json_schema|function_calling|json_mode


class LLMText(BaseModel):
    text: str
    usage: LLMUsage


class LLMData(BaseModel):
    data: dict[str, Any]
    usage: LLMUsage


LLMFailure = Literal[
    "timeout", "rate_limited", "server_error", "malformed", "refusal", "empty", "circuit_open"
]


class LanguageModelError(PortError):
    """The model gave no usable answer; the caller falls back to a template. Never shown to a lead."""

    def __init__(self, kind: LLMFailure, detail: str = "", usage: LLMUsage | None = None) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.usage = usage


class LanguageModelPort(Protocol):
    """An OpenAI-compatible chat model behind a time budget and a circuit breaker.

    `system` is Sílvia's own text only; everything the lead wrote travels in `messages` with
    role "user" (assistant turns are Sílvia's earlier replies).
    """

    model: str

    async def complete(self, system: str, messages: list[tuple[str, str]]) -> LLMText: ...

    async def structured(
        self, system: str, messages: list[tuple[str, str]], schema: type[BaseModel]
    ) -> LLMData: ...


# --- Human takeover -------------------------------------------------------------------------


class TakeoverPort(Protocol):
    """A specialist can pause Sílvia for one lead: she records the lead's messages, silently."""

    async def is_paused(self, phone: str) -> bool: ...


# --- Lead satisfaction (issue 20) -------------------------------------------------------------


class RatingRecord(BaseModel):
    """One lead's satisfaction survey: when it was asked and what they answered."""

    phone: str
    prompt_version: str | None = None
    reason: str  # why Sílvia's part ended: handed_off | requested | not_qualified
    asked_via: str  # "list" (interactive list) or "template:<name>" (outside the 24-hour window)
    asked_at: datetime
    score: int | None = None
    answer_channel: str | None = None  # list | typed | emoji
    answered_at: datetime | None = None
    comment: str | None = None


class SatisfactionPort(Protocol):
    """Where ratings live. `record_ask` returns False when the lead was already asked."""

    async def get(self, phone: str) -> RatingRecord | None: ...

    async def record_ask(self, rating: RatingRecord) -> bool: ...

    async def record_score(self, phone: str, score: int, channel: str, at: datetime) -> None: ...

    async def record_comment(self, phone: str, comment: str, at: datetime) -> None: ...
