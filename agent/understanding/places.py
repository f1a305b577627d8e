"""Places for the local intent classifier (`agent.understanding.intent`): UFs, state names,
cities and aliases.

Split from `agent.understanding.rules` to keep each module small; pure data.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Compact tables and rule lists read better than one entry per line.
# fmt: off
UFS: frozenset[str] = _words(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO"
)
# Lower-case codes that are not ordinary Portuguese words, so they can stand alone.
SAFE_LOWER_UFS: frozenset[str] = _words("rn pb sp rj mg df rs sc")

STATE_NAMES: dict[str, str] = {
    "acre": "AC", "alagoas": "AL", "amapa": "AP", "amazonas": "AM", "bahia": "BA", "ceara": "CE",
    "distrito federal": "DF", "espirito santo": "ES", "goias": "GO", "maranhao": "MA",
    "mato grosso do sul": "MS", "mato grosso": "MT", "minas gerais": "MG", "minas": "MG", "paraiba": "PB",
    "parana": "PR", "pernambuco": "PE", "piaui": "PI", "rio grande do norte": "RN",
    "rio grande do sul": "RS", "rondonia": "RO", "roraima": "RR", "santa catarina": "SC", "sergipe": "SE",
    "tocantins": "TO",
}

# "UF: City, City, ..." — canonical names with accents; aliases are derived by normalising.
CITY_TABLE = """
PE: Recife, Jaboatão dos Guararapes, Olinda, Paulista, Caruaru, Petrolina, Cabo de Santo Agostinho, \
Camaragibe, Garanhuns, Vitória de Santo Antão, Igarassu, São Lourenço da Mata, Abreu e Lima, \
Santa Cruz do Capibaribe, Ipojuca, Serra Talhada, Gravatá, Carpina, Goiana, Arcoverde, Belo Jardim
BA: Salvador, Feira de Santana, Vitória da Conquista, Camaçari, Juazeiro, Itabuna, Lauro de Freitas, \
Ilhéus, Jequié, Teixeira de Freitas, Barreiras, Alagoinhas, Porto Seguro, Simões Filho, Paulo Afonso
CE: Fortaleza, Caucaia, Juazeiro do Norte, Maracanaú, Sobral, Crato, Itapipoca, Maranguape, Iguatu, \
Quixadá, Aquiraz, Pacatuba, Canindé, Russas
RN: Natal, Mossoró, Parnamirim, São Gonçalo do Amarante, Macaíba, Ceará-Mirim, Caicó, Açu
PB: João Pessoa, Campina Grande, Santa Rita, Patos, Bayeux, Sousa, Cabedelo, Cajazeiras, Guarabira
AL: Maceió, Arapiraca, Rio Largo, Palmeira dos Índios, União dos Palmares, Penedo, Marechal Deodoro
SE: Aracaju, Nossa Senhora do Socorro, Lagarto, Itabaiana, São Cristóvão, Estância, Tobias Barreto
PI: Teresina, Parnaíba, Picos, Piripiri, Floriano, Campo Maior, Barras
MA: São Luís, Imperatriz, São José de Ribamar, Timon, Caxias, Codó, Paço do Lumiar, Açailândia, Bacabal
AC: Rio Branco
AP: Macapá
AM: Manaus
DF: Brasília
ES: Vitória
GO: Goiânia
MT: Cuiabá
MS: Campo Grande
MG: Belo Horizonte
PA: Belém
PR: Curitiba
RJ: Rio de Janeiro
RS: Porto Alegre
RO: Porto Velho
RR: Boa Vista
SC: Florianópolis
SP: São Paulo, Campinas
TO: Palmas
"""

# Extra spellings people use for a city (normalised alias -> canonical name).
CITY_NICKNAMES: dict[str, str] = {
    "jaboatao": "Jaboatão dos Guararapes", "cabo de santo agostinho": "Cabo de Santo Agostinho",
    "vitoria de santo antao": "Vitória de Santo Antão", "juazeiro do norte": "Juazeiro do Norte",
    "bh": "Belo Horizonte", "sampa": "São Paulo", "floripa": "Florianópolis", "poa": "Porto Alegre",
    "jp": "João Pessoa", "conquista": "Vitória da Conquista", "feira": "Feira de Santana",
    "ceara mirim": "Ceará-Mirim", "assu": "Açu", "sao luiz": "São Luís",
    "campina": "Campina Grande",
}

# City names that are also ordinary words: only accepted after "em/de/..." or before a UF.
AMBIGUOUS_CITIES: frozenset[str] = _words(
    "natal paulista patos sousa palmas vitoria caxias barras estancia penedo russas floriano "
    "feira conquista lagarto goiana crato bayeux acu assu jp poa picos barreiras"
)
# Ordinary words one keystroke from a city name; never "corrected" into the city.
NEAR_CITY_WORDS: frozenset[str] = _words(
    "sobra sobras salvado barreira linda lindas brasileira brasileiras brasileiro brasileiros"
)
# fmt: on
