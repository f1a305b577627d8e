"""Consistent pseudonyms for exported conversations: the same person, phone or CPF always gets
the same replacement within an export, so a conversation still reads naturally."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from demo.bill_specs import FIRST, LAST

CPF_RE = re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b")
CNPJ_RE = re.compile(r"\b\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}\b")
CEP_RE = re.compile(r"\b\d{5}-\d{3}\b")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
PHONE_RE = re.compile(r"(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}[-\s]?\d{4}\b")
ADDRESS_RE = re.compile(
    r"\b(rua|r\.|avenida|av\.?|travessa|tv\.|alameda|rodovia|estrada|pra[çc]a|largo)\s+"
    r"[^\n,;.]{2,60}?(,\s*(n[º°o.]?\s*)?\d+[a-z]?)?(?=[\n,;.]|$)",
    re.IGNORECASE,
)
SELF_NAME_RE = re.compile(
    r"\b(meu nome (?:é|e)|me chamo|aqui (?:é|e) (?:o|a)|sou (?:o|a))\s+"
    r"([A-ZÀ-Ý][\wÀ-ÿ]+(?:\s+[A-ZÀ-Ý][\wÀ-ÿ]+){0,3})"
)


class Anonymiser:
    def __init__(self, salt: str | None = None) -> None:
        self._key = (salt or secrets.token_hex(16)).encode()
        self._names: dict[str, str] = {}  # lower-cased real name (full or first) -> fake

    def _digest(self, kind: str, value: str) -> int:
        mac = hmac.new(self._key, f"{kind}|{value.strip().lower()}".encode(), hashlib.sha256)
        return int(mac.hexdigest(), 16)

    def phone(self, phone: str) -> str:
        digits = re.sub(r"\D", "", phone)
        ddd = digits[2:4] if digits.startswith("55") and len(digits) >= 12 else "81"
        return f"+55{ddd}9{self._digest('phone', digits) % 10**8:08d}"

    def name(self, full_name: str) -> str:
        """A fake full name; the real first name maps to the fake first name too."""
        key = full_name.strip().lower()
        if not key:
            return full_name
        if key in self._names:
            return self._names[key]
        parts = full_name.split()
        d = self._digest("name", parts[0])
        first = FIRST[d % len(FIRST)]
        if first.lower() == parts[0].lower():
            first = FIRST[(d + 1) % len(FIRST)]
        self._names.setdefault(parts[0].lower(), first)
        first = self._names[parts[0].lower()]
        fake = first if len(parts) == 1 else f"{first} {LAST[self._digest('last', key) % len(LAST)]}"
        self._names[key] = fake
        return fake

    def _cpf(self, match: re.Match[str]) -> str:
        d = self._digest("cpf", re.sub(r"\D", "", match.group()))
        s = f"{d % 10**11:011d}"
        return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"

    def _cnpj(self, match: re.Match[str]) -> str:
        s = f"{self._digest('cnpj', match.group()) % 10**14:014d}"
        return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"

    def _self_name(self, match: re.Match[str]) -> str:
        return f"{match.group(1)} {self.name(match.group(2))}"

    def text(self, text: str | None) -> str | None:
        """Replace every identifying detail we can recognise in a message."""
        if not text:
            return text
        text = EMAIL_RE.sub("cliente@exemplo.com.br", text)
        text = CNPJ_RE.sub(self._cnpj, text)
        text = CPF_RE.sub(self._cpf, text)
        text = CEP_RE.sub(lambda m: f"{self._digest('cep', m.group()) % 10**5:05d}-000", text)
        text = PHONE_RE.sub(lambda m: self.phone(m.group()), text)
        text = ADDRESS_RE.sub(lambda m: "Rua Exemplo, 100", text)
        text = SELF_NAME_RE.sub(self._self_name, text)
        # Known names last, longest first, so "Maria Oliveira" goes before "Maria".
        for real in sorted(self._names, key=len, reverse=True):
            fake = self._names[real]
            text = re.sub(rf"(?<![\wÀ-ÿ]){re.escape(real)}(?![\wÀ-ÿ])", fake, text, flags=re.IGNORECASE)
        return text
