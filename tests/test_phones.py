"""One spelling check for a lead's phone, shared by the dashboard, the admin API and the commands."""

import pytest

from agent.phones import normalise_phone


@pytest.mark.parametrize(
    "raw",
    ["+5581999990001", "5581999990001", "+55 (81) 99999-0001", "+55.81.99999.0001", " +55 81 999990001 "],
)
def test_common_spellings_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+5581999990001"


REFUSED = ["", "12ab", "+55819", "not-a-phone", "+55819999900011234", "++5581999990001"]


@pytest.mark.parametrize("raw", REFUSED)
def test_anything_else_is_refused_naming_the_form(raw: str) -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        normalise_phone(raw)
