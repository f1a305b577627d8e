"""Outcomes the sales team reports after a handoff, validated once for the API, dashboard and CLI.

Vocabulary: `meeting_held`, `no_show`, `proposal_sent`, `contract_signed`, `lost` (a reason
is required). Each accepted report is stored (`storage.outcomes`) and audited in `sdr_logs`
(`lead_outcome`, with who, from where and when), so the KPIs lead-to-meeting and conversion
can be traced back to a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator

from storage.columns import stored_in
from storage.outcomes import OutcomeRepository

OUTCOMES: dict[str, str] = {  # id → what the team reads (pt-BR)
    "meeting_held": "reunião realizada",
    "no_show": "não compareceu",
    "proposal_sent": "proposta enviada",
    "contract_signed": "contrato assinado",
    "lost": "perdido",
}
ALIASES = {
    "meeting": "meeting_held",
    "held": "meeting_held",
    "noshow": "no_show",
    "no-show": "no_show",
    "proposal": "proposal_sent",
    "signed": "contract_signed",
    "contract": "contract_signed",
    "won": "contract_signed",
}
SOURCES = ("api", "dashboard", "cli", "crm")
# A report may be back-dated (the CRM syncs late) but not dated in the future: clocks drift a little.
FUTURE_TOLERANCE = timedelta(minutes=5)


class LeadNotFoundError(LookupError):
    pass


def outcome_id(raw: str) -> str:
    """`signed` → `contract_signed`; ValueError naming the accepted words otherwise."""
    word = raw.strip().lower().replace(" ", "_")
    word = ALIASES.get(word, word)
    if word not in OUTCOMES:
        accepted = ", ".join([*OUTCOMES, *ALIASES])
        raise ValueError(f"unknown outcome {raw[:40]!r}; use one of: {accepted}")
    return word


class OutcomeReport(BaseModel):
    """The body of `POST /admin/leads/{phone}/outcome` (and what the CLI builds)."""

    model_config = {"extra": "forbid"}

    outcome: str = Field(
        max_length=64, description="meeting_held | no_show | proposal_sent | contract_signed | lost"
    )
    reason: str | None = Field(
        default=None, description="Required for lost", **stored_in("lead_outcomes.reason")
    )
    note: str | None = Field(default=None, max_length=2000)
    by: str | None = Field(
        default=None,
        description="Who reports (default: the operator)",
        **stored_in("lead_outcomes.reported_by"),
    )
    source: str = Field(
        default="api", description="api | dashboard | cli | crm", **stored_in("lead_outcomes.source")
    )
    occurred_at: datetime | None = Field(default=None, description="When it happened (default: now)")

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, value: str) -> str:
        return outcome_id(value)

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        return value

    @field_validator("reason", "note", "by")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    def checked(self, now: datetime) -> OutcomeReport:
        """Rules across fields: a loss needs its reason; nothing happens in the future."""
        if self.outcome == "lost" and not self.reason:
            raise ValueError("a lost lead needs a reason (e.g. 'preço', 'já tem placa solar')")
        when = self.occurred_at or now
        if when.tzinfo is None:
            raise ValueError("occurred_at needs a time zone offset (e.g. 2026-11-24T15:00:00-03:00)")
        if when > now + FUTURE_TOLERANCE:
            raise ValueError("occurred_at is in the future")
        return self.model_copy(update={"occurred_at": when.astimezone(UTC)})


async def report_outcome(
    silvia_leads: Any, outcomes: OutcomeRepository, phone: str, report: OutcomeReport, by: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Validate, store and audit one report; (outcome, created). Raises ValueError,
    LeadNotFoundError or `storage.outcomes.OutcomeConflictError`."""
    report = report.checked(now)
    if await silvia_leads.get_lead(phone) is None:
        raise LeadNotFoundError(phone)
    reporter = report.by or by
    stored, created = await outcomes.record(
        phone,
        report.outcome,
        reason=report.reason,
        note=report.note,
        reported_by=reporter,
        source=report.source,
        occurred_at=report.occurred_at or now,
    )
    if created:
        await silvia_leads.log(
            "INFO",
            "lead_outcome",
            phone=phone,
            details={
                "outcome": report.outcome,
                "reason": report.reason,
                "by": reporter,
                "source": report.source,
                "occurred_at": stored["occurred_at"].isoformat(),
            },
        )
    return stored, created
