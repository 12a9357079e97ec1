"""The code tables that ship with the importers (``events/importers/data``, see its ``SOURCES.md``).

- the CAMEO-to-PLOVER table (``CAMEO2PLOVER-2021.txt``, CC BY-SA 4.0);
- the CAMEO event descriptions (``CAMEO_codefile.txt``, MIT), for summaries;
- FIPS 10-4 country codes, as GDELT places events, to ISO 3166-1 alpha-3
  (``fips10-4-to-iso3166.csv``, written for the project).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from events.importers.cameo_plover import CameoTable, read_cameo_table


def _text(name: str) -> str:
    return resources.files("events.importers").joinpath(f"data/{name}").read_text(encoding="utf-8")


@cache
def shipped_cameo_table() -> CameoTable:
    """The CAMEO-to-PLOVER table shipped with the service."""
    return read_cameo_table(_text("CAMEO2PLOVER-2021.txt"))


_LABEL = re.compile(r"^LABEL:\s*(\d{2,4})\s*=\s*(.+?)\s*$")


@cache
def cameo_descriptions() -> dict[str, str]:
    """CAMEO event code -> its description (``190`` -> ``Use conventional military force``).

    The file repeats a few codes to correct a label: the last line for a code wins.
    """
    out: dict[str, str] = {}
    for line in _text("CAMEO_codefile.txt").splitlines():
        match = _LABEL.match(line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def describe(code: str) -> str | None:
    """The description of a CAMEO code, or of its nearest parent that has one."""
    table = cameo_descriptions()
    for candidate in (code, code[:3], code[:2] + "0"):
        if candidate in table:
            return table[candidate]
    return None


@dataclass(frozen=True, slots=True)
class FipsCountry:
    """A FIPS 10-4 country code, its ISO 3166-1 alpha-3 code (``None``: deliberately unmapped) and why."""

    fips: str
    iso3: str | None
    name: str
    note: str


@cache
def fips_countries() -> dict[str, FipsCountry]:
    """Every FIPS 10-4 code of the shipped table."""
    rows = csv.DictReader(io.StringIO(_text("fips10-4-to-iso3166.csv")))
    return {row["fips"]: FipsCountry(row["fips"], row["iso3"] or None, row["name"], row["note"] or "") for row in rows}


#: how a country is named in a sentence where pycountry's name reads badly
_NAMES = {
    "RUS": "Russia",
    "COD": "the Democratic Republic of the Congo",
    "COG": "the Republic of the Congo",
    "PSE": "Palestine",
    "TWN": "Taiwan",
    "FSM": "Micronesia",
    "BRN": "Brunei",
    "VAT": "the Holy See",
    "TUR": "Turkey",
    "GBR": "the United Kingdom",
    "USA": "the United States",
    "ARE": "the United Arab Emirates",
    "NLD": "the Netherlands",
    "PHL": "the Philippines",
    "BHS": "the Bahamas",
    "GMB": "the Gambia",
    "CAF": "the Central African Republic",
    "DOM": "the Dominican Republic",
    "CZE": "Czechia",
}


def country_name(iso3: str) -> str:
    """A country's name as a sentence writes it: ``Russia``, ``the United States``, ``Syria``."""
    if iso3 in _NAMES:
        return _NAMES[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return str(getattr(country, "common_name", None) or country.name)
