"""Rules a bill reading must pass before Sílvia uses it.

Seed rules: total > R$ 50 and kWh > 0. Plausibility: the price per kWh within the distributor's
tariff range (a misread digit or a history value taken for the current month shows up here), a due
date that fits the reference month, a known distributor serving the bill's state. Whether Serena
serves the state is flagged, not blocking: the qualification step answers that with its own reason.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from agent.ports import BillFields
from bills.patterns import BY_NAME

MIN_TOTAL = 50.0  # seed: valor_conta > 50
PRICE_PER_KWH = (0.40, 2.50)  # any Brazilian low-voltage bill, taxes and fees included

# Typical residential (B1) tariff with taxes, R$/kWh, 2025-2026 (approximate: ANEEL tariff
# resolutions plus ICMS/PIS/COFINS). The accepted band around it is wide on purpose (see below).
TYPICAL_TARIFF: dict[str, float] = {
    "Neoenergia Pernambuco": 0.98,
    "Neoenergia Coelba": 1.02,
    "Neoenergia Cosern": 0.88,
    "Neoenergia Brasília": 0.92,
    "Neoenergia Elektro": 0.95,
    "Enel CE": 0.99,
    "Enel SP": 0.86,
    "Enel RJ": 1.12,
    "Energisa Paraíba": 0.93,
    "Energisa Sergipe": 0.87,
    "Equatorial Alagoas": 1.05,
    "Equatorial Piauí": 1.10,
    "Equatorial Maranhão": 1.02,
    "Equatorial Pará": 1.15,
    "Light": 1.15,
    "Cemig": 1.00,
    "Copel": 0.86,
    "CPFL Paulista": 0.92,
}
DEFAULT_TARIFF = 0.98
FIXED_CHARGES = 150.0  # R$ a month: public lighting, previous debts, fines - they inflate small bills

# Codes that mean "this reading cannot be used as it is" (ok=False, problem="failed_validation").
BLOCKING = frozenset(
    {
        "missing_total",
        "missing_consumption",
        "missing_distributor",
        "total_too_low",
        "consumption_not_positive",
        "implausible_price_per_kwh",
        "price_out_of_tariff_range",
        "implausible_due_date",
        "unknown_distributor",
        "distributor_state_mismatch",
    }
)


def tariff_band(distributor: str | None, kwh: float) -> tuple[float, float]:
    """Accepted total/kWh for a bill of `kwh`: credits can push it down, fixed fees up."""
    typical = TYPICAL_TARIFF.get(distributor or "", DEFAULT_TARIFF)
    return typical * 0.55, typical * 1.35 + FIXED_CHARGES / max(kwh, 1.0)


def validate_bill(
    fields: BillFields, today: date | None = None, served_states: Collection[str] | None = None
) -> list[str]:
    """Problem codes for bill fields, blocking ones first; an empty list means the bill is usable."""
    problems = _amount_rules(fields) + _distributor_rules(fields)
    if fields.due_date and not _due_date_sane(fields.due_date, fields.reference_month, today):
        problems.append("implausible_due_date")
    if served_states is not None and fields.state and fields.state not in served_states:
        problems.append("state_not_served")
    return problems


def blocking(issues: list[str]) -> list[str]:
    return [code for code in issues if code in BLOCKING]


def _amount_rules(fields: BillFields) -> list[str]:
    problems: list[str] = []
    total, kwh = fields.total_amount, fields.consumption_kwh
    if total is None:
        problems.append("missing_total")
    elif total <= MIN_TOTAL:
        problems.append("total_too_low")
    if kwh is None:
        problems.append("missing_consumption")
    elif kwh <= 0:
        problems.append("consumption_not_positive")
    if total and kwh and kwh > 0:
        price = total / kwh
        if not PRICE_PER_KWH[0] <= price <= PRICE_PER_KWH[1]:
            problems.append("implausible_price_per_kwh")
        elif fields.distributor:
            low, high = tariff_band(fields.distributor, kwh)
            if not low <= price <= high:
                problems.append("price_out_of_tariff_range")
    return problems


def _distributor_rules(fields: BillFields) -> list[str]:
    if not fields.distributor:
        return ["missing_distributor"] if fields.total_amount or fields.consumption_kwh else []
    known = BY_NAME.get(fields.distributor)
    if known is None:
        return ["unknown_distributor"]
    if fields.state and known.state != fields.state:
        return ["distributor_state_mismatch"]
    return []


def _due_date_sane(due: date, reference_month: str | None, today: date | None) -> bool:
    today = today or date.today()
    if not date(2000, 1, 1) <= due <= date(today.year + 1, today.month, 1):
        return False
    if reference_month:
        month, year = (int(p) for p in reference_month.split("/"))
        gap = (due.year - year) * 12 + due.month - month
        return -1 <= gap <= 3
    return True
