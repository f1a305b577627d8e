"""What a synthetic electricity bill says, before it is drawn: the invented people, places and
numbers (`BillSpec`, `random_bill_spec`), its items, and the fields a perfect reader returns
(`ground_truth`). `demo/bill_layouts.py` draws a spec; `demo/sample_bills.py` makes the PDFs.

All people, documents and numbers are invented; the CPFs have valid check digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from bills.patterns import BY_NAME, mask_document, title_pt

# distributor -> cities (name, first CEP digits) it serves in the generator
CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "Neoenergia Pernambuco": (("Recife", "510"), ("Olinda", "531"), ("Jaboatão dos Guararapes", "540"),
                              ("Caruaru", "550"), ("Petrolina", "563")),
    "Neoenergia Coelba": (("Salvador", "412"), ("Feira de Santana", "440"), ("Vitória da Conquista", "450"),
                          ("Ilhéus", "456")),
    "Neoenergia Cosern": (("Natal", "590"), ("Mossoró", "596"), ("Parnamirim", "591")),
    "Enel CE": (("Fortaleza", "603"), ("Caucaia", "616"), ("Juazeiro do Norte", "630"), ("Sobral", "620")),
    "Energisa Paraíba": (("João Pessoa", "580"), ("Santa Rita", "583"), ("Patos", "587")),
    "Equatorial Alagoas": (("Maceió", "570"), ("Arapiraca", "573")),
    "Energisa Sergipe": (("Aracaju", "490"), ("Itabaiana", "495")),
    "Equatorial Piauí": (("Teresina", "640"), ("Parnaíba", "642")),
    "Equatorial Maranhão": (("São Luís", "650"), ("Imperatriz", "659")),
    "Enel SP": (("São Paulo", "041"), ("Osasco", "060")),
    "Light": (("Rio de Janeiro", "220"), ("Nova Iguaçu", "262")),
    "Cemig": (("Belo Horizonte", "301"), ("Uberlândia", "384")),
    "Copel": (("Curitiba", "805"), ("Londrina", "860")),
    "CPFL Paulista": (("Campinas", "130"), ("Ribeirão Preto", "140")),
}  # fmt: skip

FIRST = (
    "Maria",
    "José",
    "Ana",
    "João",
    "Francisca",
    "Antônio",
    "Adriana",
    "Carlos",
    "Juliana",
    "Paulo",
    "Márcia",
    "Luiz",
    "Fernanda",
    "Severino",
    "Patrícia",
    "Raimundo",
    "Cícera",
    "Edson",
    "Luana",
    "Ítalo",
)
LAST = (
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Lima",
    "Pereira",
    "Ferreira",
    "Almeida",
    "Nascimento",
    "Araújo",
    "Barbosa",
    "Cavalcanti",
    "Gonçalves",
    "Rodrigues",
    "Melo",
    "Albuquerque",
    "Conceição",
)
STREETS = (
    "Rua das Flores",
    "Av. Boa Viagem",
    "Rua do Sol",
    "Travessa São José",
    "Av. Beira Mar",
    "Rua Padre Cícero",
    "Rua Sete de Setembro",
    "Av. Presidente Vargas",
    "Rua da Aurora",
)
DISTRICTS = ("Centro", "Boa Vista", "Jardim América", "Cidade Nova", "Aldeota", "Vila Velha", "Pituba")
CLASSES = ("residencial", "residencial", "residencial", "comercial", "rural")
MONTH_ABBR = ("", "JAN", "FEV", "MAR", "ABR", "MAI", "JUN", "JUL", "AGO", "SET", "OUT", "NOV", "DEZ")


@dataclass
class BillSpec:
    distributor: str
    customer_name: str
    cpf: str  # unmasked, as the bill may print it
    installation_number: str
    client_number: str
    street: str
    district: str
    city: str
    state: str
    cep: str
    consumer_class: str
    consumption_kwh: int
    total_amount: float
    due_date: date
    reference_month: str  # MM/YYYY
    history: list[tuple[str, int]] = field(default_factory=list)  # 12 x ("MAR/26", kWh), newest first
    reading_previous: int = 0
    tariff_tusd: float = 0.0  # R$/kWh with taxes
    tariff_te: float = 0.0
    cip: float = 0.0  # public-lighting contribution
    flag_amount: float = 0.0  # bandeira tarifária
    extras: list[tuple[str, float]] = field(default_factory=list)  # previous debts (+) / credits (-)
    print_full_cpf: bool = False
    variant: int = 0  # small wording/order changes inside a layout family

    @property
    def reading_current(self) -> int:
        return self.reading_previous + self.consumption_kwh

    @property
    def reading_dates(self) -> tuple[date, date, date]:
        month, year = (int(p) for p in self.reference_month.split("/"))
        current = date(year, month, 1) + timedelta(days=24)
        return current - timedelta(days=30), current, current + timedelta(days=30)

    @property
    def family(self) -> str:
        return BY_NAME[self.distributor].family if self.distributor in BY_NAME else "other"


def cpf_digits(rng: random.Random) -> str:
    base = [rng.randint(0, 9) for _ in range(9)]
    for n in (10, 11):
        total = sum(d * w for d, w in zip(base, range(n, 1, -1), strict=False))
        base.append((total * 10 % 11) % 10)
    s = "".join(map(str, base))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def random_bill_spec(rng: random.Random, distributor: str | None = None, **overrides: object) -> BillSpec:
    """A plausible bill; any BillSpec field can be forced through `overrides`."""
    dist = distributor or rng.choice(sorted(CITIES))
    if dist not in CITIES:
        raise ValueError(f"no sample cities for distributor {dist!r}")
    city, cep3 = rng.choice(CITIES[dist])
    kwh, total = _kwh_and_total(rng, overrides)
    ref, due = _dates(rng, overrides)
    spec = BillSpec(
        distributor=dist,
        customer_name=f"{rng.choice(FIRST)} {rng.choice(('da ', 'de ', 'dos ', ''))}"
        f"{rng.choice(LAST)} {rng.choice(LAST)}",
        cpf=cpf_digits(rng),
        installation_number=str(rng.randint(10**9, 10**10 - 1))
        if rng.random() < 0.6
        else f"{rng.randint(10**6, 10**7 - 1)}-{rng.randint(0, 9)}",
        client_number=str(rng.randint(10**7, 10**8 - 1)),
        street=f"{rng.choice(STREETS)}, {rng.randint(1, 2500)}",
        district=rng.choice(DISTRICTS),
        city=city,
        state=BY_NAME[dist].state,
        cep=f"{cep3}{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}",
        consumer_class=rng.choice(CLASSES),
        consumption_kwh=kwh,
        total_amount=total,
        due_date=due,
        reference_month=ref,
        reading_previous=rng.randint(1000, 90000),
        cip=round(rng.uniform(8, 45), 2),
        flag_amount=round(kwh * rng.choice((0.0, 0.0, 0.01885, 0.04463)), 2),
        extras=[("Débito anterior (mês 01)", round(rng.uniform(20, 90), 2))] if rng.random() < 0.15 else [],
        print_full_cpf=rng.random() < 0.5,
        variant=rng.randint(0, 3),
    )
    known = {f.name for f in fields(BillSpec)}
    spec = replace(spec, **{k: v for k, v in overrides.items() if k in known})
    spec.history = spec.history or _history(rng, spec)
    _set_tariffs(spec)
    return spec


def _kwh_and_total(rng: random.Random, overrides: dict[str, object]) -> tuple[int, float]:
    price = rng.uniform(0.82, 1.18)
    kwh = overrides.get("consumption_kwh")
    total = overrides.get("total_amount")
    if kwh is None and total is None:
        kwh = rng.choice((rng.randint(90, 300), rng.randint(150, 600), rng.randint(400, 2500)))
    if kwh is None:
        kwh = max(1, round(float(total) / price))  # type: ignore[arg-type]
    if total is None:
        total = round(int(kwh) * price + rng.uniform(10, 40), 2)  # type: ignore[call-overload]
    return int(kwh), round(float(total), 2)  # type: ignore[call-overload, arg-type]


def _dates(rng: random.Random, overrides: dict[str, object]) -> tuple[str, date]:
    due = overrides.get("due_date")
    ref = overrides.get("reference_month")
    if isinstance(due, date):
        prev = due.replace(day=1) - timedelta(days=1)
        return str(ref or f"{prev.month:02d}/{prev.year}"), due
    if isinstance(ref, str):
        month, year = (int(p) for p in ref.split("/"))
    else:
        year, month = rng.choice((2025, 2026)), rng.randint(1, 12)
    nxt = date(year, month, 28) + timedelta(days=5)
    return f"{month:02d}/{year}", date(nxt.year, nxt.month, rng.randint(5, 28))


def _history(rng: random.Random, spec: BillSpec) -> list[tuple[str, int]]:
    month, year = (int(p) for p in spec.reference_month.split("/"))
    out = []
    for k in range(12):
        m, y = (month - k - 1) % 12 + 1, year + (month - k - 1) // 12
        kwh = spec.consumption_kwh if k == 0 else max(1, round(spec.consumption_kwh * rng.uniform(0.7, 1.3)))
        out.append((f"{MONTH_ABBR[m]}/{y % 100:02d}", kwh))
    return out


def _set_tariffs(spec: BillSpec) -> None:
    """Choose TUSD/TE so that the itemised amounts add up to the total exactly."""
    fixed = spec.cip + spec.flag_amount + sum(v for _, v in spec.extras)
    energy = spec.total_amount - fixed
    if energy <= spec.consumption_kwh * 0.2:  # small totals: drop the optional items
        spec.flag_amount, spec.extras = 0.0, []
        spec.cip = round(min(spec.cip, spec.total_amount * 0.1), 2)
        energy = spec.total_amount - spec.cip
    per_kwh = energy / spec.consumption_kwh
    spec.tariff_tusd = round(per_kwh * 0.55, 6)
    spec.tariff_te = round(per_kwh - spec.tariff_tusd, 6)


def bill_items(spec: BillSpec) -> list[tuple[str, str, str, str, float]]:
    """Itemised lines (description, unit, quantity, unit price, amount) summing to the total."""
    tusd = round(spec.consumption_kwh * spec.tariff_tusd, 2)
    items = [
        ("Consumo Uso Sistema [kWh]-TUSD", "kWh", str(spec.consumption_kwh), f"{spec.tariff_tusd:.6f}", tusd)
    ]
    if spec.flag_amount:
        items.append(("Adicional Bandeira Amarela", "kWh", str(spec.consumption_kwh), "", spec.flag_amount))
    items += [("Débitos/Créditos: " + desc, "", "", "", value) for desc, value in spec.extras]
    items.append(("Contrib Ilum Publica Municipal", "", "", "", spec.cip))
    te = round(spec.total_amount - sum(i[4] for i in items), 2)
    items.insert(
        1, ("Consumo Energia [kWh]-TE", "kWh", str(spec.consumption_kwh), f"{spec.tariff_te:.6f}", te)
    )
    return [(d, u, q, p.replace(".", ","), v) for d, u, q, p, v in items]


def brl(value: float, symbol: bool = False) -> str:
    text = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}" if symbol else text


def masked_cpf_as_printed(spec: BillSpec) -> str:
    return spec.cpf if spec.print_full_cpf else f"{spec.cpf[:4]}***.***-{spec.cpf[-2:]}"


def ground_truth(spec: BillSpec) -> dict[str, object]:
    """The fields a perfect reader returns for `render_bill_pdf(spec)`."""
    printed = masked_cpf_as_printed(spec)
    return {
        "distributor": spec.distributor,
        "customer_name": title_pt(spec.customer_name),
        "document_masked": mask_document(printed),
        "installation_number": spec.installation_number,
        "city": spec.city,
        "state": spec.state,
        "consumer_class": spec.consumer_class,
        "consumption_kwh": float(spec.consumption_kwh),
        "total_amount": spec.total_amount,
        "due_date": spec.due_date,
        "reference_month": spec.reference_month,
        "average_kwh": printed_average(spec) or round(sum(k for _, k in spec.history) / len(spec.history), 1),
        "history": [{"month": _month_key(m), "kwh": float(k)} for m, k in spec.history],
    }


def printed_average(spec: BillSpec) -> float | None:
    """The 'média dos últimos 12 meses' the Equatorial/Energisa-like layout prints."""
    if spec.family in ("energisa", "equatorial"):
        return float(sum(k for _, k in spec.history) // 12)
    return None


def _month_key(abbr: str) -> str:
    """'AGO/26' -> '08/2026'."""
    name, year = abbr.split("/")
    return f"{MONTH_ABBR.index(name):02d}/20{year}"
