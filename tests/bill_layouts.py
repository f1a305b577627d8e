"""Bill layouts the reader was NOT built on: ten Brazilian distributors' styles, written apart from
`tools/sample_bills*.py` (own wording, positions, tables, history charts, photo simulation).

    bill = make_bill("cemig", seed=3)
    pdf = render_pdf(bill)                         # text PDF (fpdf2)
    jpeg = photo(pdf, random.Random(3), dark=True) # a phone photo of the printed page
    truth(bill)                                    # what a perfect reader returns

Every layout names its fields differently ("TOTAL DA FATURA", "Valor a pagar (R$)", "Vence em",
"Ref: OUT/2026", "Nº da instalação", "UC", ...), prints distractor amounts (taxes, tariffs, public
lighting, history) and places values beside, under or far from their labels.
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import cv2
import numpy as np
import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageFilter

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


# --- drawing --------------------------------------------------------------------------------


class Sheet(FPDF):
    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_page()

    def t(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 7.5,
        bold: bool = False,
        right: bool = False,
        rgb: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.set_text_color(*rgb)
        self.text(x - (self.get_string_width(s) if right else 0), y, s)

    def band(self, x: float, y: float, w: float, h: float, rgb: tuple[int, int, int]) -> None:
        self.set_fill_color(*rgb)
        self.rect(x, y, w, h, style="F")

    def boxes(
        self, x: float, y: float, widths: list[float], cells: list[tuple[str, str]], big: float = 9
    ) -> None:
        """Label in small type at the top of each box, value underneath."""
        for w, (label, value) in zip(widths, cells, strict=True):
            self.set_draw_color(120, 120, 120)
            self.rect(x, y, w - 1.5, 11)
            self.t(x + 1.5, y + 3.5, label, 6)
            self.t(x + 1.5, y + 9, value, big, bold=True)
            x += w

    def table(
        self,
        x: float,
        y: float,
        widths: list[float],
        rows: list[list[str]],
        size: float = 7,
        step: float = 4.2,
    ) -> float:
        """First row is the header; numeric columns right-aligned. Returns the y after the table."""
        for r, row in enumerate(rows):
            cx = x
            for w, cell in zip(widths, row, strict=True):
                numeric = bool(re.fullmatch(r"-?[\d.,%]+", cell)) and cx > x
                self.t(cx + w - 2 if numeric else cx, y, cell, size, bold=r == 0, right=numeric)
                cx += w
            y += step
        return y

    def bars(self, x: float, y: float, hist: list[tuple[int, int, int]], height: float = 22) -> None:
        """Consumption history as a bar chart: value over each bar, MMM/YY under it (oldest left)."""
        top = max(k for _, _, k in hist)
        for i, (m, yr, k) in enumerate(reversed(hist)):
            h = height * k / top
            bx = x + i * 14
            self.band(bx, y + height - h, 9, h, (150, 170, 200))
            self.t(bx + 4.5 - len(str(k)) * 0.7, y + height - h - 1, str(k), 5.5)
            self.t(bx, y + height + 3.5, f"{ABBR[m]}/{yr % 100}", 5.5)


def _lines(cents: int, rng: random.Random) -> str:
    """A 48-digit 'arrecadação' payment line (segment 6, value in reais, mod 10 digits)."""

    def mod10(s: str) -> int:
        tot = sum(sum(divmod(int(c) * (2 - i % 2), 10)) for i, c in enumerate(reversed(s)))
        return (10 - tot % 10) % 10

    body = "836" + f"{cents:011d}" + "".join(str(rng.randint(0, 9)) for _ in range(29))
    code = body[:3] + str(mod10(body)) + body[3:]
    return "  ".join(f"{code[k : k + 11]}-{mod10(code[k : k + 11])}" for k in range(0, 44, 11))


def _items(b: Bill, rng: random.Random) -> tuple[list[tuple[str, float]], float]:
    """(energy items as (share of kWh price), taxes base) adding up to the total with the CIP."""
    energy = b.total - b.cip
    flag = round(energy * rng.choice((0.0, 0.03, 0.06)), 2)
    tusd = round((energy - flag) * 0.55, 2)
    return [("TUSD", tusd), ("TE", round(energy - flag - tusd, 2)), ("FLAG", flag)], energy


def _taxes(b: Bill, base: float) -> list[list[str]]:
    return [
        ["Tributo", "Base de cálculo (R$)", "Alíquota (%)", "Valor (R$)"],
        ["ICMS", brl(base), "18,00", brl(base * 0.18)],
        ["PIS/PASEP", brl(base), "0,98", brl(base * 0.0098)],
        ["COFINS", brl(base), "4,52", brl(base * 0.0452)],
    ]


def _doc_label(b: Bill) -> str:
    return ("CNPJ: " if b.person == "PJ" else "CPF: ") + b.document


# --- the ten layouts ------------------------------------------------------------------------


def _enel_ce(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Enel CE: magenta brand, customer top left, number boxes top right, item table, history table."""
    m, y = b.ref
    p.t(12, 18, b.brand, 22, True, rgb=(200, 0, 120))
    p.t(12, 24, b.legal, 6)
    p.t(12, 34, b.name, 8, True)
    p.t(12, 38, b.street)
    p.t(12, 42, f"CEP {b.cep}  {b.city} - {b.uf}")
    p.t(12, 46, _doc_label(b))
    p.boxes(110, 28, [45, 45], [("Nº DO CLIENTE", b.client), ("Nº DA INSTALAÇÃO", b.installation)])
    p.boxes(
        12,
        54,
        [60, 60, 66],
        [
            ("CONTA MÊS", f"{ABBR[m]}/{y}"),
            ("VENCIMENTO", f"{b.due:%d/%m/%Y}"),
            ("TOTAL A PAGAR", f"R$ {brl(b.total)}"),
        ],
        big=11,
    )
    items, base = _items(b, rng)
    rows = [["Itens da Fatura", "Unid.", "Quant.", "Preço unit. (R$)", "Valor (R$)"]]
    for code, value in items[:2]:
        rows.append(
            [
                f"Consumo Ativo(kWh)-{code}",
                "kWh",
                qty(b.kwh),
                f"{value / b.kwh:.6f}".replace(".", ","),
                brl(value),
            ]
        )
    rows += [
        ["Adicional Bandeira", "", "", "", brl(items[2][1])],
        ["Contrib Ilum Pub", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 76, [62, 16, 22, 34, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    hist = [["MÊS/ANO", "CONSUMO kWh", "DIAS"]] + [
        [f"{ABBR[hm]}/{hy}", qty(k), "30"] for hm, hy, k in b.history
    ]
    p.table(140, 100, [22, 24, 12], hist, size=6.5, step=3.6)
    p.t(12, 270, _lines(round(b.total * 100), rng), 9)


def _enel_rj(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Enel RJ: summary panel on the right with 'Valor a pagar (R$)' and its value underneath."""
    m, y = b.ref
    p.band(0, 0, 210, 14, (0, 80, 160))
    p.t(10, 10, "enel  Distribuição Rio", 14, True, rgb=(255, 255, 255))
    p.t(10, 20, b.legal, 6)
    p.t(10, 32, "DADOS DO CLIENTE", 7, True)
    p.t(10, 37, b.name, 8)
    p.t(10, 41, f"{b.street} - CENTRO")
    p.t(10, 45, f"{b.city}/{b.uf} - CEP: {b.cep}")
    p.t(10, 49, _doc_label(b))
    p.t(10, 55, f"Unidade consumidora: {b.installation}")
    p.band(135, 26, 65, 48, (235, 240, 250))
    p.t(140, 33, "Valor a pagar (R$)", 8)
    p.t(140, 41, brl(b.total), 16, True)
    p.t(140, 50, "Data de vencimento", 8)
    p.t(140, 56, f"{b.due:%d/%m/%Y}", 11, True)
    p.t(140, 65, "Mês de referência", 8)
    p.t(140, 71, f"{MONTH[m]}/{y}", 10, True)
    items, base = _items(b, rng)
    rows = [
        ["Descrição", "Quantidade", "Tarifa c/ trib.", "Valor R$"],
        [
            "Energia ativa fornecida TUSD",
            qty(b.kwh),
            f"{items[0][1] / b.kwh:.5f}".replace(".", ","),
            brl(items[0][1]),
        ],
        [
            "Energia ativa fornecida TE",
            qty(b.kwh),
            f"{items[1][1] / b.kwh:.5f}".replace(".", ","),
            brl(items[1][1]),
        ],
        ["Bandeira tarifária amarela", "", "", brl(items[2][1])],
        ["CIP - Iluminação pública", "", "", brl(b.cip)],
    ]
    end = p.table(10, 86, [70, 30, 30, 30], rows)
    p.table(10, end + 5, [40, 35, 35, 30], _taxes(b, base))
    p.t(10, 160, "Histórico de consumo (kWh)", 7, True)
    p.bars(10, 164, b.history)
    p.t(10, 275, _lines(round(b.total * 100), rng), 9)


def _cemig(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Cemig: 'Referente a / Vencimento / Valor a pagar (R$)' boxes, history as a 3-column grid."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 120, 60))
    p.t(60, 14, b.legal, 6)
    p.t(60, 18, "Av. Barbacena, 1200 - Belo Horizonte", 6)
    p.t(12, 30, b.name, 8, True)
    p.t(12, 34, b.street)
    p.t(12, 38, f"{b.cep}  {b.city}  {b.uf}")
    p.boxes(120, 26, [38, 38], [("Nº DO CLIENTE", b.client), ("Nº DA INSTALAÇÃO", b.installation)])
    p.boxes(
        12,
        46,
        [50, 50, 60],
        [
            ("Referente a", f"{ABBR[m]}/{y}"),
            ("Vencimento", f"{b.due:%d/%m/%Y}"),
            ("Valor a pagar (R$)", brl(b.total)),
        ],
        big=11,
    )
    items, base = _items(b, rng)
    rows = [
        ["Valores Faturados", "Unid.", "Quant.", "Preço Unit", "Valor (R$)"],
        [
            "Energia Elétrica",
            "kWh",
            qty(b.kwh),
            f"{(items[0][1] + items[1][1]) / b.kwh:.8f}".replace(".", ","),
            brl(items[0][1] + items[1][1]),
        ],
        ["Bandeira Vermelha", "", "", "", brl(items[2][1])],
        ["Contrib Ilum Publica Municipal", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 66, [60, 15, 20, 35, 30], rows)
    p.t(12, end + 4, _doc_label(b))
    p.t(12, end + 12, "Histórico de Consumo", 7, True)
    for i, (hm, hy, k) in enumerate(b.history):
        p.t(12 + (i // 4) * 45, end + 17 + (i % 4) * 4, f"{ABBR[hm]}/{hy % 100}   {qty(k)} kWh", 6.5)
    p.table(12, end + 40, [40, 35, 35, 30], _taxes(b, base))
    p.t(12, 272, _lines(round(b.total * 100), rng), 9)


def _cpfl(p: Sheet, b: Bill, rng: random.Random) -> None:
    """CPFL: inline 'label: value' pairs on two columns, 'Ref:' month, no boxes."""
    m, y = b.ref
    p.t(12, 16, b.brand, 18, True, rgb=(0, 90, 170))
    p.t(12, 21, b.legal, 6)
    p.t(12, 32, f"Cliente: {b.name}", 8)
    p.t(12, 36, f"{b.street} - JD. PRIMAVERA")
    p.t(12, 40, f"{b.city} / {b.uf}   CEP {b.cep}")
    p.t(12, 44, _doc_label(b))
    p.t(120, 32, f"Código do cliente: {b.client}")
    p.t(120, 36, f"Nº da instalação: {b.installation}")
    p.t(120, 40, f"Ref: {ABBR[m]}/{y}")
    p.t(120, 48, f"TOTAL A PAGAR  R$ {brl(b.total)}", 11, True)
    p.t(120, 54, f"Vencimento: {b.due:%d/%m/%Y}", 9, True)
    p.t(12, 60, f"Consumo kWh  {qty(b.kwh)}", 9)
    p.t(60, 60, f"Média diária  {b.kwh / 30:.1f}".replace(".", ","), 7)
    items, base = _items(b, rng)
    rows = [
        ["Descrição do produto", "Quantidade", "Valor (R$)"],
        ["Consumo Uso Sistema [KWh]-TUSD", qty(b.kwh), brl(items[0][1])],
        ["Consumo [KWh]-TE", qty(b.kwh), brl(items[1][1])],
        ["Adicional de Bandeira", "", brl(items[2][1])],
        ["Contribuição de Iluminação Pública", "", brl(b.cip)],
    ]
    end = p.table(12, 70, [80, 30, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    hist = [["Mês", "kWh"]] + [[f"{ABBR[hm]}/{hy % 100}", qty(k)] for hm, hy, k in b.history[:6]]
    p.table(150, 70, [20, 20], hist, size=6.5)
    p.t(12, 270, _lines(round(b.total * 100), rng), 9)


def _equatorial(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Equatorial: 'TOTAL DA FATURA', 'DATA DE VENCIMENTO', 'MÊS/ANO' in a band; bar-chart history."""
    m, y = b.ref
    p.band(0, 0, 210, 16, (0, 60, 130))
    p.t(10, 11, b.brand, 15, True, rgb=(255, 255, 255))
    p.t(10, 22, b.legal, 6)
    p.t(10, 32, "UNIDADE CONSUMIDORA", 6)
    p.t(10, 37, b.installation, 10, True)
    p.t(60, 32, "CONTA CONTRATO", 6)
    p.t(60, 37, b.client, 10, True)
    p.t(10, 46, b.name, 8, True)
    p.t(10, 50, f"{b.street}, BAIRRO CENTRO")
    p.t(10, 54, f"{b.cep} - {b.city} - {b.uf}")
    p.t(10, 58, _doc_label(b))
    p.boxes(
        10,
        64,
        [48, 62, 62],
        [
            ("MÊS/ANO", f"{m:02d}/{y}"),
            ("DATA DE VENCIMENTO", f"{b.due:%d/%m/%Y}"),
            ("TOTAL DA FATURA", f"R$ {brl(b.total)}"),
        ],
        big=11,
    )
    items, base = _items(b, rng)
    p.t(10, 84, f"Consumo faturado (kWh): {qty(b.kwh)}", 8, True)
    rows = [
        ["Descrição", "Quant.", "Tarifa", "Valor Total"],
        ["CONSUMO TUSD", qty(b.kwh), f"{items[0][1] / b.kwh:.6f}".replace(".", ","), brl(items[0][1])],
        ["CONSUMO TE", qty(b.kwh), f"{items[1][1] / b.kwh:.6f}".replace(".", ","), brl(items[1][1])],
        ["ADC BANDEIRA", "", "", brl(items[2][1])],
        ["COSIP MUNICIPAL", "", "", brl(b.cip)],
    ]
    end = p.table(10, 92, [60, 25, 30, 30], rows)
    p.table(10, end + 5, [40, 35, 35, 30], _taxes(b, base))
    p.t(10, end + 30, "HISTÓRICO DE CONSUMO - kWh", 7, True)
    p.bars(10, end + 34, b.history)
    p.t(10, 272, _lines(round(b.total * 100), rng), 9)


def _light(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Light: meter readings table (consumption = difference), 'Conta referente a OUTUBRO/2026'."""
    m, y = b.ref
    p.t(12, 17, b.brand, 24, True, rgb=(240, 120, 0))
    p.t(50, 13, b.legal, 6)
    p.t(50, 17, f"Conta referente a {MONTH[m].upper()}/{y}", 8, True)
    p.t(12, 30, "Código do Cliente", 6)
    p.t(12, 34, b.client, 9, True)
    p.t(60, 30, "Instalação", 6)
    p.t(60, 34, b.installation, 9, True)
    p.t(12, 42, b.name, 8, True)
    p.t(12, 46, b.street)
    p.t(12, 50, f"{b.city} - {b.uf}  CEP {b.cep}")
    p.t(12, 54, _doc_label(b))
    p.band(130, 26, 70, 30, (255, 240, 225))
    p.t(133, 33, "Total a pagar", 8)
    p.t(197, 33, f"R$ {brl(b.total)}", 11, True, right=True)
    p.t(133, 43, "Data de vencimento", 8)
    p.t(197, 43, f"{b.due:%d/%m/%Y}", 10, True, right=True)
    prev = rng.randint(10000, 80000)
    rows = [
        ["Medidor", "Leitura anterior", "Leitura atual", "Constante", "Consumo kWh"],
        [f"A{rng.randint(100000, 999999)}", str(prev), str(prev + b.kwh), "1", qty(b.kwh)],
    ]
    end = p.table(12, 66, [30, 30, 30, 25, 30], rows)
    items, base = _items(b, rng)
    rows = [
        ["Itens de fatura", "Quant.", "Valor (R$)"],
        ["Energia TUSD", qty(b.kwh), brl(items[0][1])],
        ["Energia TE", qty(b.kwh), brl(items[1][1])],
        ["Bandeira tarifária", "", brl(items[2][1])],
        ["Iluminação Pública", "", brl(b.cip)],
    ]
    end = p.table(12, end + 6, [60, 25, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    hist = [["Mês/Ano", "Consumo"]] + [[f"{ABBR[hm].lower()}/{hy}", qty(k)] for hm, hy, k in b.history]
    p.table(162, 80, [18, 18], hist, size=6.5, step=3.6)
    p.t(12, 272, _lines(round(b.total * 100), rng), 9)


def _copel(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Copel: 'UC' and 'Referência: MM/AAAA' inline, due date and total side by side on one row."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 100, 60))
    p.t(60, 14, b.legal, 6)
    p.t(12, 28, f"UC: {b.installation}", 9, True)
    p.t(70, 28, f"Referência: {m:02d}/{y}", 9)
    p.t(12, 36, b.name, 8)
    p.t(12, 40, f"{b.street}  -  {b.cep}  {b.city}/{b.uf}")
    p.t(12, 44, _doc_label(b))
    p.band(12, 50, 186, 12, (225, 240, 230))
    p.t(15, 58, f"Vencimento  {b.due:%d/%m/%Y}", 10, True)
    p.t(110, 58, f"Total a pagar  R$ {brl(b.total)}", 10, True)
    items, base = _items(b, rng)
    rows = [
        ["Produto", "Unid", "Consumo", "Valor unit", "Valor total"],
        [
            "ENERGIA ELET CONSUMO",
            "kWh",
            qty(b.kwh),
            f"{items[0][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[0][1]),
        ],
        [
            "ENERGIA ELET USO SISTEMA",
            "kWh",
            qty(b.kwh),
            f"{items[1][1] / b.kwh:.6f}".replace(".", ","),
            brl(items[1][1]),
        ],
        ["ACRESC. BANDEIRA", "", "", "", brl(items[2][1])],
        ["CONT. ILUMIN. PUBLICA", "", "", "", brl(b.cip)],
    ]
    end = p.table(12, 72, [60, 15, 25, 30, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    p.t(12, end + 32, "Consumo dos últimos meses (kWh)", 7, True)
    p.bars(12, end + 36, b.history)
    p.t(12, 272, _lines(round(b.total * 100), rng), 9)


def _celesc(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Celesc: 'VALOR TOTAL' with a separate R$ column, 'Mês/Ano Ref.', horizontal history line."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 110, 170))
    p.t(12, 21, b.legal, 6)
    p.t(12, 31, "Unidade consumidora", 6)
    p.t(12, 35, b.installation, 9, True)
    p.t(55, 31, "Mês/Ano Ref.", 6)
    p.t(55, 35, f"{ABBR[m]}/{y}", 9, True)
    p.t(12, 44, b.name, 8, True)
    p.t(12, 48, f"{b.street}  {b.city} - {b.uf}  {b.cep}")
    p.t(12, 52, _doc_label(b))
    p.set_draw_color(0, 0, 0)
    p.rect(130, 26, 70, 28)
    p.t(133, 33, rng.choice(("VENCIMENTO", "Pagável até")), 7)
    p.t(197, 33, f"{b.due:%d/%m/%Y}", 10, True, right=True)
    p.t(133, 45, rng.choice(("VALOR TOTAL", "TOTAL GERAL", "Valor da fatura")), 7)
    p.t(170, 45, "R$", 9)
    p.t(197, 45, brl(b.total), 11, True, right=True)
    p.t(12, 62, f"Consumo em kWh: {qty(b.kwh)}", 8, True)
    items, base = _items(b, rng)
    rows = [
        ["Descrição", "Valor (R$)"],
        ["Consumo TUSD", brl(items[0][1])],
        ["Consumo TE", brl(items[1][1])],
        ["Band. Tarif. Amarela", brl(items[2][1])],
        ["COSIP", brl(b.cip)],
    ]
    end = p.table(12, 72, [60, 30], rows)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    p.t(12, end + 30, "Histórico de consumo", 7, True)
    for i, (hm, hy, k) in enumerate(reversed(b.history)):
        p.t(12 + i * 15, end + 35, f"{ABBR[hm]}/{hy % 100}", 6)
        p.t(12 + i * 15, end + 39, qty(k), 6)
    p.t(12, 272, _lines(round(b.total * 100), rng), 9)


def _energisa(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Energisa: 'Vence em', 'Valor a pagar', 'Fatura de outubro/2026', 'Consumo no período'."""
    m, y = b.ref
    p.band(0, 0, 70, 297, (240, 245, 235))
    p.t(8, 16, b.brand, 18, True, rgb=(0, 140, 90))
    p.t(8, 30, "Valor a pagar", 8)
    p.t(8, 37, f"R$ {brl(b.total)}", 14, True)
    p.t(8, 47, "Vence em", 8)
    p.t(8, 53, f"{b.due:%d/%m/%Y}", 12, True)
    p.t(
        8,
        64,
        rng.choice(
            (
                f"Fatura de {MONTH[m].lower()}/{y}",
                f"Conta de {MONTH[m].lower()}/{y}",
                f"Competência: {m:02d}/{y}",
            )
        ),
        8,
    )
    p.t(8, 74, "Matrícula", 6)
    p.t(8, 78, b.installation, 9, True)
    p.t(8, 86, rng.choice(("Consumo no período", "Consumo do período", "Energia ativa (kWh)")), 6)
    p.t(8, 91, f"{qty(b.kwh)} kWh", 11, True)
    p.t(76, 14, b.legal, 6)
    p.t(76, 26, b.name, 8, True)
    p.t(76, 30, b.street)
    p.t(76, 34, f"{b.city} - {b.uf}, {b.cep}")
    p.t(76, 38, _doc_label(b))
    items, base = _items(b, rng)
    rows = [
        ["Itens", "Qtd", "Valor R$"],
        ["Energia Ativa TUSD kWh", qty(b.kwh), brl(items[0][1])],
        ["Energia Ativa TE kWh", qty(b.kwh), brl(items[1][1])],
        ["Bandeira", "", brl(items[2][1])],
        ["Contrib. Custeio IP-CIP", "", brl(b.cip)],
    ]
    end = p.table(76, 50, [60, 25, 30], rows)
    p.table(76, end + 6, [30, 30, 30, 25], _taxes(b, base))
    hist = [["Mês", "kWh", "Dias"]] + [[f"{ABBR[hm]}/{hy}", qty(k), "30"] for hm, hy, k in b.history]
    p.table(76, end + 30, [25, 20, 15], hist, size=6.5, step=3.6)
    p.t(8, 272, _lines(round(b.total * 100), rng), 9)


def _neoenergia(p: Sheet, b: Bill, rng: random.Random) -> None:
    """Neoenergia (receipt style): dotted leaders between label and value."""
    m, y = b.ref
    p.t(12, 16, b.brand, 20, True, rgb=(0, 150, 70))
    p.t(12, 21, b.legal, 6)
    p.t(12, 30, f"{b.name}  -  {_doc_label(b)}", 8)
    p.t(12, 34, f"{b.street}, {b.city}-{b.uf}, CEP {b.cep}")
    rows = [
        ("Nº da instalação", b.installation),
        ("Conta contrato", b.client),
        ("Mês de referência", f"{m:02d}/{y}"),
        ("Data de vencimento", f"{b.due:%d/%m/%Y}"),
        ("Consumo kWh", qty(b.kwh)),
        ("Total a pagar", f"R$ {brl(b.total)}"),
    ]
    for i, (label, value) in enumerate(rows):
        p.t(12, 46 + i * 6, label + " " + "." * (70 - len(label) * 2), 9)
        p.t(120, 46 + i * 6, value, 9, True, right=True)
    items, base = _items(b, rng)
    rows2 = [
        ["Descrição", "Quant.", "Valor (R$)"],
        ["Consumo TUSD", qty(b.kwh), brl(items[0][1])],
        ["Consumo TE", qty(b.kwh), brl(items[1][1])],
        ["Bandeira tarifária", "", brl(items[2][1])],
        ["Ilum. Pública Municipal", "", brl(b.cip)],
    ]
    end = p.table(12, 92, [60, 25, 30], rows2)
    p.table(12, end + 6, [40, 35, 35, 30], _taxes(b, base))
    hist = [["Mês", "kWh"]] + [[f"{ABBR[hm]}/{hy % 100}", qty(k)] for hm, hy, k in b.history]
    p.table(150, 40, [20, 20], hist, size=6.5, step=3.6)
    p.t(12, 272, _lines(round(b.total * 100), rng), 9)


LAYOUTS: dict[str, Callable[[Sheet, Bill, random.Random], None]] = {
    "enel_ce": _enel_ce,
    "enel_rj": _enel_rj,
    "cemig": _cemig,
    "cpfl": _cpfl,
    "equatorial": _equatorial,
    "light": _light,
    "copel": _copel,
    "celesc": _celesc,
    "energisa": _energisa,
    "neoenergia": _neoenergia,
}


def render_pdf(b: Bill) -> bytes:
    sheet = Sheet()
    LAYOUTS[b.layout](sheet, b, random.Random(f"draw-{b.layout}-{b.total}"))
    return bytes(sheet.output())


# --- photos ---------------------------------------------------------------------------------


def page_image(pdf: bytes, dpi: int = 150) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def jpeg(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def photo(pdf: bytes, rng: random.Random, *, dark: bool = False, upside_down: bool = False) -> bytes:
    """The printed page photographed on a desk: tilt, keystone, blur, vignette, noise, JPEG.

    `dark`: a dim room (low exposure, more sensor noise); `upside_down`: the phone held the other way.
    """
    page = np.asarray(page_image(pdf), dtype=np.float32)
    h, w = page.shape[:2]
    cw, ch = int(w * 1.3), int(h * 1.22)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    k = rng.uniform(0.02, 0.05)
    target = np.float32(
        [
            [cw * (0.12 + k), ch * 0.07],
            [cw * (0.88 - k), ch * 0.07 + rng.uniform(-8, 8)],
            [cw * 0.9, ch * 0.94],
            [cw * 0.1, ch * 0.94 + rng.uniform(-8, 8)],
        ]
    )
    turn = cv2.getRotationMatrix2D((cw / 2, ch / 2), rng.choice((-1, 1)) * rng.uniform(1.5, 5), 1.0)
    target = cv2.transform(target[None], turn)[0].astype(np.float32)
    desk = [rng.randint(90, 150), rng.randint(70, 120), rng.randint(50, 90)]
    img = cv2.warpPerspective(
        page,
        cv2.getPerspectiveTransform(corners, target),
        (cw, ch),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=desk,
    )
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    vignette = 1 - 0.35 * (((xx - cw * rng.uniform(0.3, 0.7)) / cw) ** 2 + ((yy - ch * 0.4) / ch) ** 2)
    gain = rng.uniform(0.5, 0.6) if dark else rng.uniform(0.88, 1.0)
    img = img * (vignette * gain)[..., None] * np.float32([1.0, 0.97, 0.9])
    img += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 7 if dark else 3.5, img.shape)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0))
    )
    if upside_down:
        out = out.rotate(180)
    return jpeg(out, rng.randint(60, 80))


def clean_png(pdf: bytes) -> bytes:
    out = io.BytesIO()
    page_image(pdf, 150).save(out, format="PNG")
    return out.getvalue()
