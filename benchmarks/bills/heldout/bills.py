"""The made-up customers and amounts behind each held-out bill, and the reading a perfect reader gives."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

MONTHS = (
    "",
    "JANEIRO",
    "FEVEREIRO",
    "MARÇO",
    "ABRIL",
    "MAIO",
    "JUNHO",
    "JULHO",
    "AGOSTO",
    "SETEMBRO",
    "OUTUBRO",
    "NOVEMBRO",
    "DEZEMBRO",
)
SHORT_MONTHS = ("", "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")

HOUSEHOLDS = (
    "GERALDA MOREIRA DOS SANTOS",
    "EDNALDO BATISTA CAVALCANTI",
    "MARIA APARECIDA NUNES",
    "JOAO PAULO DE ALMEIDA",
    "TEREZINHA GOMES BARBOSA",
    "CLAUDIO ROBERTO SIQUEIRA",
    "SIMONE DE FATIMA CORREIA",
    "WASHINGTON LUIS PRADO",
)
BUSINESSES = (
    "MERCADINHO SAO JORGE EIRELI",
    "ACADEMIA CORPO EM FORMA LTDA",
    "OFICINA MECANICA DOIS IRMAOS LTDA",
    "RESTAURANTE SABOR DA TERRA LTDA",
    "FARMACIA POPULAR DO BAIRRO LTDA",
)
ROADS = (
    "RUA BARAO DO RIO BRANCO",
    "AVENIDA INDEPENDENCIA",
    "RUA DOM PEDRO II",
    "RUA DAS MANGUEIRAS",
    "ALAMEDA DOS IPES",
    "RUA QUINZE DE NOVEMBRO",
)

# layout -> (canonical distributor, UF, tariff R$/kWh, [cities])
COMPANIES: dict[str, tuple[str, str, float, tuple[str, ...]]] = {
    "edp_es": ("EDP Espírito Santo", "ES", 0.94, ("VITORIA", "VILA VELHA", "SERRA")),
    "rge": ("RGE", "RS", 0.89, ("CAXIAS DO SUL", "PASSO FUNDO", "SANTA MARIA")),
    "ceee": ("CEEE Equatorial", "RS", 0.97, ("PORTO ALEGRE", "PELOTAS")),
    "enel_sp": ("Enel SP", "SP", 0.86, ("SAO PAULO", "OSASCO", "SANTO ANDRE")),
    "energisa_se": ("Energisa Sergipe", "SE", 0.91, ("ARACAJU", "LAGARTO", "ITABAIANA")),
    "equatorial_al": ("Equatorial Alagoas", "AL", 1.02, ("MACEIO", "ARAPIRACA")),
    "neo_df": ("Neoenergia Brasília", "DF", 0.83, ("BRASILIA",)),
    "sulgipe": ("Sulgipe", "SE", 0.95, ("ESTANCIA", "BOQUIM")),
}


@dataclass
class HeldoutBill:
    layout: str
    distributor: str
    uf: str
    city: str
    zip_code: str
    address: str
    holder: str
    company: bool
    document: str
    unit: str  # installation / UC number as printed
    account: str  # another long number (client / contract) that is not the installation
    kwh: int
    total: float
    due: date
    month: int
    year: int
    taxes: dict[str, float] = field(default_factory=dict)
    past: list[tuple[int, int, int]] = field(default_factory=list)  # (month, year, kWh), newest first


def money(value: float) -> str:
    """1234.5 -> '1.234,50'."""
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents


def _cpf(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(9)]
    for n in (10, 11):
        digits.append(sum(d * w for d, w in zip(digits, range(n, 1, -1), strict=False)) * 10 % 11 % 10)
    s = "".join(map(str, digits))
    return rng.choice(
        (f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}", f"XXX.{s[3:6]}.{s[6:9]}-XX", f"***.{s[3:6]}.***-**")
    )


def _cnpj(rng: random.Random) -> str:
    return f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}/0001-{rng.randint(10, 99)}"


def make_bill(layout: str, seed: int) -> HeldoutBill:
    rng = random.Random(f"heldout:{layout}:{seed}")
    distributor, uf, tariff, cities = COMPANIES[layout]
    company = rng.random() < 0.25
    kwh = rng.randint(900, 3900) if company else rng.randint(110, 880)
    month = rng.randint(1, 12)
    year = 2026
    due = date(year + (month == 12), month % 12 + 1, rng.choice((4, 7, 9, 11, 14, 18, 21, 27)))
    energy = kwh * tariff * rng.uniform(0.95, 1.08)
    lighting = round(rng.uniform(7, 38), 2)
    total = round(energy + lighting, 2)
    taxes = {
        "ICMS": round(energy * 0.18, 2),
        "PIS": round(energy * 0.011, 2),
        "COFINS": round(energy * 0.05, 2),
    }
    past, (m, y) = [], (month, year)
    for _ in range(12):
        m, y = (m - 1, y) if m > 1 else (12, y - 1)
        past.append((m, y, max(30, round(kwh * rng.uniform(0.7, 1.25)))))
    unit = rng.choice(
        (str(rng.randint(10**8, 10**9 - 1)), f"{rng.randint(10**5, 10**6 - 1)}.{rng.randint(100, 999)}")
    )
    return HeldoutBill(
        layout=layout,
        distributor=distributor,
        uf=uf,
        city=rng.choice(cities),
        zip_code=f"{rng.randint(10000, 99999)}-{rng.randint(0, 999):03d}",
        address=f"{rng.choice(ROADS)} {rng.randint(5, 3100)}",
        holder=rng.choice(BUSINESSES if company else HOUSEHOLDS),
        company=company,
        document=_cnpj(rng) if company else _cpf(rng),
        unit=unit,
        account=str(rng.randint(10**10, 10**11 - 1)),
        kwh=kwh,
        total=total,
        due=due,
        month=month,
        year=year,
        taxes=taxes | {"CIP": lighting},
        past=past,
    )


def expected(bill: HeldoutBill) -> dict[str, object]:
    """What a perfect reader returns, in the reader's own field names."""
    return {
        "total_amount": bill.total,
        "due_date": bill.due,
        "consumption_kwh": float(bill.kwh),
        "reference_month": f"{bill.month:02d}/{bill.year}",
        "distributor": bill.distributor,
        "customer_name": bill.holder,
        "installation_number": bill.unit,
        "city": bill.city,
        "state": bill.uf,
        "person_type": "PJ" if bill.company else "PF",
    }


def _fold(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def same_value(name: str, got: object, want: object) -> bool:
    """Numbers and dates exactly; names and cities blind to case and accents; the unit by its digits."""
    if got is None:
        return False
    if name == "installation_number":
        return re.sub(r"\D", "", str(got)) == re.sub(r"\D", "", str(want))
    if name in ("customer_name", "city"):
        return _fold(got) == _fold(want)
    return got == want
