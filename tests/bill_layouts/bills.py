"""The bills to draw: made-up customers, amounts, history, and what a perfect reader returns."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

ABBR = ("", "JAN", "FEV", "MAR", "ABR", "MAI", "JUN", "JUL", "AGO", "SET", "OUT", "NOV", "DEZ")
MONTH = (
    "",
    "Janeiro",
    "Fevereiro",
    "Março",
    "Abril",
    "Maio",
    "Junho",
    "Julho",
    "Agosto",
    "Setembro",
    "Outubro",
    "Novembro",
    "Dezembro",
)
PEOPLE = (
    "ANTONIA FERREIRA LIMA",
    "JOSE CARLOS PEREIRA",
    "FRANCISCA DAS CHAGAS SOUSA",
    "MARCOS VINICIUS ROCHA",
    "ANA BEATRIZ MONTEIRO",
    "RAIMUNDO NONATO ARAUJO",
    "LUCIANA TEIXEIRA BRAGA",
    "PEDRO HENRIQUE DUARTE",
)
COMPANIES = (
    "PANIFICADORA PAO DOURADO LTDA",
    "AUTO PECAS SAO CRISTOVAO LTDA",
    "SUPERMERCADO BOA SAFRA LTDA",
    "CLINICA ODONTOLOGICA SORRIR LTDA",
    "HOTEL MIRANTE DO SOL LTDA",
)
STREETS = (
    "RUA DAS ACACIAS",
    "AV. GETULIO VARGAS",
    "RUA SETE DE SETEMBRO",
    "TRAVESSA SAO JOAO",
    "RUA PROFESSOR LIMA",
    "AV. BRASIL",
)
# layout -> (canonical distributor, UF, printed brand, legal line, [(city, CEP prefix)])
DISTRIBUTORS: dict[str, list[tuple[str, str, str, str, list[tuple[str, str]]]]] = {
    "enel_ce": [
        (
            "Enel CE",
            "CE",
            "enel",
            "Enel Distribuição Ceará - CNPJ 07.047.251/0001-70",
            [("FORTALEZA", "600"), ("CAUCAIA", "616"), ("JUAZEIRO DO NORTE", "630")],
        )
    ],
    "enel_rj": [
        (
            "Enel RJ",
            "RJ",
            "enel",
            "Enel Distribuição Rio - Ampla Energia e Serviços S.A.",
            [("NITEROI", "240"), ("SAO GONCALO", "244"), ("CABO FRIO", "289")],
        )
    ],
    "cemig": [
        (
            "Cemig",
            "MG",
            "CEMIG",
            "CEMIG DISTRIBUIÇÃO S.A. - CNPJ 06.981.180/0001-16",
            [("BELO HORIZONTE", "301"), ("UBERLANDIA", "384"), ("CONTAGEM", "321")],
        )
    ],
    "cpfl": [
        (
            "CPFL Paulista",
            "SP",
            "CPFL Paulista",
            "Companhia Paulista de Força e Luz - CNPJ 33.050.196/0001-88",
            [("CAMPINAS", "130"), ("RIBEIRAO PRETO", "140"), ("BAURU", "170")],
        )
    ],
    "equatorial": [
        (
            "Equatorial Pará",
            "PA",
            "EQUATORIAL PARÁ",
            "Equatorial Pará Distribuidora de Energia S.A.",
            [("BELEM", "660"), ("ANANINDEUA", "670"), ("SANTAREM", "680")],
        ),
        (
            "Equatorial Maranhão",
            "MA",
            "EQUATORIAL MARANHÃO",
            "Equatorial Maranhão Distribuidora de Energia S.A.",
            [("SAO LUIS", "650"), ("IMPERATRIZ", "659")],
        ),
        (
            "Equatorial Piauí",
            "PI",
            "EQUATORIAL PIAUÍ",
            "Equatorial Piauí Distribuidora de Energia S.A.",
            [("TERESINA", "640"), ("PARNAIBA", "642")],
        ),
    ],
    "light": [
        (
            "Light",
            "RJ",
            "Light",
            "Light Serviços de Eletricidade S.A. - CNPJ 60.444.437/0001-46",
            [("RIO DE JANEIRO", "220"), ("NOVA IGUACU", "262"), ("DUQUE DE CAXIAS", "250")],
        )
    ],
    "copel": [
        (
            "Copel",
            "PR",
            "COPEL",
            "COPEL DISTRIBUIÇÃO S.A. - CNPJ 04.368.898/0001-06",
            [("CURITIBA", "800"), ("LONDRINA", "860"), ("MARINGA", "870")],
        )
    ],
    "celesc": [
        (
            "Celesc",
            "SC",
            "Celesc",
            "CELESC DISTRIBUIÇÃO S.A. - CNPJ 08.336.783/0001-90",
            [("FLORIANOPOLIS", "880"), ("JOINVILLE", "892"), ("BLUMENAU", "890")],
        )
    ],
    "energisa": [
        (
            "Energisa Mato Grosso",
            "MT",
            "energisa",
            "Energisa Mato Grosso - Distribuidora de Energia S.A.",
            [("CUIABA", "780"), ("VARZEA GRANDE", "781")],
        ),
        (
            "Energisa Tocantins",
            "TO",
            "energisa",
            "Energisa Tocantins - Distribuidora de Energia S.A.",
            [("PALMAS", "770"), ("ARAGUAINA", "778")],
        ),
    ],
    "neoenergia": [
        (
            "Neoenergia Coelba",
            "BA",
            "neoenergia",
            "NEOENERGIA COELBA - Companhia de Eletricidade do Estado da Bahia",
            [("SALVADOR", "401"), ("FEIRA DE SANTANA", "440")],
        ),
        (
            "Neoenergia Cosern",
            "RN",
            "neoenergia",
            "NEOENERGIA COSERN - CNPJ 08.324.196/0001-81",
            [("NATAL", "590"), ("MOSSORO", "596")],
        ),
    ],
    "elektro": [
        (
            "Neoenergia Elektro",
            "SP",
            "elektro",
            "NEOENERGIA ELEKTRO REDES S.A. - CNPJ 02.328.280/0001-97",
            [("GUARUJA", "114"), ("ATIBAIA", "129"), ("RIO CLARO", "135")],
        ),
    ],
    "grid": [
        (
            "Equatorial Goiás",
            "GO",
            "EQUATORIAL GOIÁS",
            "Equatorial Goiás Distribuidora de Energia S.A. - CNPJ 01.543.032/0001-04",
            [("GOIANIA", "740"), ("ANAPOLIS", "750"), ("APARECIDA DE GOIANIA", "749")],
        ),
        (
            "Neoenergia Pernambuco",
            "PE",
            "neoenergia pernambuco",
            "Companhia Energética de Pernambuco - CNPJ 10.835.932/0001-08",
            [("RECIFE", "500"), ("OLINDA", "531"), ("JABOATAO DOS GUARARAPES", "540")],
        ),
    ],
    "courier": [
        (
            "Energisa Paraíba",
            "PB",
            "Energisa Paraíba",
            "Energisa Paraíba - Distribuidora de Energia S.A.",
            [("JOAO PESSOA", "580"), ("SANTA RITA", "583"), ("CABEDELO", "583")],
        ),
        (
            "Energisa Mato Grosso do Sul",
            "MS",
            "Energisa MS",
            "Energisa Mato Grosso do Sul - Distribuidora de Energia S.A.",
            [("CAMPO GRANDE", "790"), ("DOURADOS", "798"), ("TRES LAGOAS", "796")],
        ),
    ],
}
TARIFF = {"Enel CE": 0.99, "Enel RJ": 1.12, "Cemig": 1.0, "CPFL Paulista": 0.92, "Light": 1.15, "Copel": 0.86}


@dataclass
class Bill:
    layout: str
    distributor: str
    uf: str
    brand: str
    legal: str
    city: str
    cep: str
    street: str
    name: str
    person: str  # PF | PJ
    document: str  # as printed (masked or not)
    installation: str
    client: str
    kwh: int
    total: float
    due: date
    ref: tuple[int, int]  # (month, year)
    cip: float
    history: list[tuple[int, int, int]] = field(default_factory=list)  # (month, year, kWh) newest first


def brl(v: float) -> str:
    """1234.5 -> '1.234,50'."""
    return f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def qty(v: int) -> str:
    return f"{v:,}".replace(",", ".")


def _cpf(rng: random.Random) -> str:
    d = [rng.randint(0, 9) for _ in range(9)]
    for n in (10, 11):
        d.append(sum(x * w for x, w in zip(d, range(n, 1, -1), strict=False)) * 10 % 11 % 10)
    s = "".join(map(str, d))
    shown = rng.choice(("full", "masked", "stars"))
    if shown == "full":
        return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"
    return f"***.{s[3:6]}.{s[6:9]}-**" if shown == "masked" else f"***.***.{s[6:9]}-**"


def make_bill(layout: str, seed: int) -> Bill:
    rng = random.Random(f"{layout}-{seed}")
    dist, uf, brand, legal, cities = rng.choice(DISTRIBUTORS[layout])
    city, cep3 = rng.choice(cities)
    pj = rng.random() < 0.3
    kwh = rng.randint(1100, 4800) if pj else rng.choice((rng.randint(95, 400), rng.randint(300, 950)))
    month, year = rng.randint(1, 12), 2026
    due_m, due_y = (month % 12) + 1, year + (month == 12)
    history, (hm, hy) = [], (month, year)
    for _ in range(12):
        hm, hy = (hm - 1, hy) if hm > 1 else (12, hy - 1)
        history.append((hm, hy, max(40, round(kwh * rng.uniform(0.75, 1.2)))))
    cnpj = f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}/0001-{rng.randint(10, 99)}"
    inst = rng.choice(
        (str(rng.randint(10**7, 10**8 - 1)), f"{rng.randint(10**6, 10**7 - 1)}-{rng.randint(0, 9)}")
    )
    return Bill(
        layout,
        dist,
        uf,
        brand,
        legal,
        city,
        f"{cep3}{rng.randint(10, 99)}-{rng.randint(0, 999):03d}",
        f"{rng.choice(STREETS)}, {rng.randint(12, 2400)}",
        rng.choice(COMPANIES if pj else PEOPLE),
        "PJ" if pj else "PF",
        cnpj if pj else _cpf(rng),
        inst,
        str(rng.randint(10**9, 10**10 - 1)),
        kwh,
        round(kwh * TARIFF.get(dist, 1.0) * rng.uniform(0.92, 1.12) + rng.uniform(9, 45), 2),
        date(due_y, due_m, rng.choice((5, 8, 10, 12, 15, 20, 25))),
        (month, year),
        round(rng.uniform(9, 45), 2),
        history,
    )


def truth(b: Bill) -> dict[str, object]:
    return {
        "total_amount": b.total,
        "due_date": b.due,
        "consumption_kwh": float(b.kwh),
        "reference_month": f"{b.ref[0]:02d}/{b.ref[1]}",
        "distributor": b.distributor,
        "customer_name": b.name,
        "installation_number": b.installation,
        "city": b.city,
        "state": b.uf,
        "person_type": b.person,
    }


def _norm(v: object) -> str:
    text = unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", text).strip()


def field_matches(name: str, got: object, want: object) -> bool:
    """Exact for numbers and dates; case/accent-blind for names; digits only for the installation."""
    if got is None:
        return False
    if name == "installation_number":
        return re.sub(r"\D", "", str(got)) == re.sub(r"\D", "", str(want))
    if name in ("customer_name", "city"):
        return _norm(got) == _norm(want)
    return got == want


def person_type(document_masked: str | None) -> str | None:
    """PF (CPF) or PJ (CNPJ) from the reader's masked document."""
    if not document_masked:
        return None
    return "PJ" if "/" in document_masked else "PF"
