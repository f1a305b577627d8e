import pytest

from agent.policy.economics import estimate, format_brl, format_number, plan_monthly_savings


def test_seed_formulas_for_recife() -> None:
    econ = estimate(380.0, "PE")
    assert econ.monthly_savings == 68.40  # 18 %
    assert econ.yearly_savings == 820.80
    assert econ.investment_estimate == 17100.00  # 45 bills x 1.0
    assert econ.payback_months == 250.0
    assert econ.premium is False


@pytest.mark.parametrize(
    ("state", "multiplier"),
    [("PE", 1.0), ("CE", 0.95), ("BA", 1.05), ("RN", 0.98), ("SP", 1.0), (None, 1.0), ("ce", 0.95)],
)
def test_regional_multiplier(state: str | None, multiplier: float) -> None:
    assert estimate(1000.0, state).investment_estimate == pytest.approx(45_000 * multiplier)


def test_premium_tone_above_3000_a_year() -> None:
    assert estimate(1388.0, "PE").premium is False  # 2998.08 / year
    assert estimate(1389.0, "PE").premium is True  # 3000.24 / year


def test_rejects_non_positive_bill() -> None:
    with pytest.raises(ValueError):
        estimate(0, "PE")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0,00"),
        (5.5, "5,50"),
        (820.8, "820,80"),
        (1234.56, "1.234,56"),
        (1_000_000, "1.000.000,00"),
        (999.995, "1.000,00"),
        (-12.3, "-12,30"),
    ],
)
def test_format_brl(value: float, text: str) -> None:
    assert format_brl(value) == text


@pytest.mark.parametrize(("value", "text"), [(350, "350"), (15.0, "15"), (12.5, "12,5"), (1500, "1.500")])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_plan_savings() -> None:
    assert plan_monthly_savings(380.0, 15) == 57.0
    assert plan_monthly_savings(412.37, 12.5) == 51.55
