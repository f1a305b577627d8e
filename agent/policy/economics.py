"""The seed's savings formulas and Brazilian number formatting.

From the seed specification (docs/architecture.md), workflow 1 (`calculate_economics`): 18 %
average saving, an investment estimate of 45 monthly bills scaled by a regional multiplier,
payback = investment / monthly saving, and the premium tone when the yearly saving is above R$ 3,000.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

AVERAGE_SAVING = Decimal("0.18")
INVESTMENT_BILLS = Decimal("45")
PREMIUM_YEARLY_SAVINGS = Decimal("3000")
DEFAULT_PAYBACK_MONTHS = Decimal("60")  # the seed's value when there is no saving to divide by
REGION_MULTIPLIER: dict[str, Decimal] = {
    "PE": Decimal("1.0"),
    "CE": Decimal("0.95"),
    "BA": Decimal("1.05"),
    "RN": Decimal("0.98"),
}

_CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Economics:
    bill_amount: float
    monthly_savings: float
    yearly_savings: float
    investment_estimate: float
    payback_months: float
    premium: bool
    average_saving_pct: int = 18

    def to_dict(self) -> dict[str, float | bool | int]:
        return asdict(self)


def estimate(bill_amount: float, state: str | None) -> Economics:
    """Savings estimate for a monthly bill (R$) in a state (UF); unknown states use 1.0."""
    if bill_amount <= 0:
        raise ValueError("bill_amount must be positive")
    bill = Decimal(str(bill_amount))
    monthly = bill * AVERAGE_SAVING
    yearly = monthly * 12
    multiplier = REGION_MULTIPLIER.get((state or "").upper(), Decimal("1.0"))
    investment = bill * INVESTMENT_BILLS * multiplier
    payback = (investment / monthly) if monthly > 0 else DEFAULT_PAYBACK_MONTHS
    return Economics(
        bill_amount=float(_money(bill)),
        monthly_savings=float(_money(monthly)),
        yearly_savings=float(_money(yearly)),
        investment_estimate=float(_money(investment)),
        payback_months=float(payback.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        premium=_money(yearly) > PREMIUM_YEARLY_SAVINGS,
        average_saving_pct=int(AVERAGE_SAVING * 100),
    )


def plan_monthly_savings(bill_amount: float, discount_pct: float) -> float:
    """What a plan's discount saves per month on this bill."""
    value = Decimal(str(bill_amount)) * Decimal(str(discount_pct)) / Decimal("100")
    return float(_money(value))


def format_brl(value: float) -> str:
    """Brazilian money format without the symbol: 1234.5 -> '1.234,50'."""
    quantized = _money(Decimal(str(value)))
    sign = "-" if quantized < 0 else ""
    integer, _, cents = f"{abs(quantized):.2f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    return f"{sign}{'.'.join(groups)},{cents}"


def format_number(value: float) -> str:
    """A plain quantity the Brazilian way: 350 -> '350', 1234.5 -> '1.234,5'."""
    if float(value).is_integer():
        return format_brl(value)[:-3]
    text = format_brl(value).rstrip("0")
    return text.rstrip(",")
