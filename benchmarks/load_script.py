"""The short conversation every simulated lead of the load benchmarks walks through, over and
over (`locustfile.py`, `scale_out.py`): greeting, city and bill, "sim", questions."""

LEAD_SCRIPT = [
    "oi",
    "moro em Recife PE e minha conta vem uns 380 reais",
    "sim",
    "como funciona?",
    "isso é golpe?",
    "tem fidelidade?",
    "precisa instalar alguma coisa?",
    "obrigado",
]
