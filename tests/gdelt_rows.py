"""GDELT event rows of our own making, in any of the three layouts (for fixtures, tests and the benchmark)."""

from __future__ import annotations

from events.importers.gdelt_layouts import LAYOUTS

#: CAMEO actor codes as GDELT breaks them out: code -> (name, country, known group, type)
ACTORS = {
    "RUSMIL": ("RUSSIA", "RUS", "", "MIL"),
    "RUSGOV": ("RUSSIA", "RUS", "", "GOV"),
    "UKRMIL": ("UKRAINE", "UKR", "", "MIL"),
    "UKRGOV": ("UKRAINE", "UKR", "", "GOV"),
    "UKR": ("UKRAINE", "UKR", "", ""),
    "RUS": ("RUSSIA", "RUS", "", ""),
    "NOR": ("NORWAY", "NOR", "", ""),
    "FRAGOV": ("FRANCE", "FRA", "", "GOV"),
    "USAMIL": ("UNITED STATES", "USA", "", "MIL"),
    "USA": ("UNITED STATES", "USA", "", ""),
    "SYRMIL": ("SYRIA", "SYR", "", "MIL"),
    "REB": ("REBEL", "", "", "REB"),
    "BUS": ("BANK", "", "", "BUS"),
    "AFR": ("AFRICA", "", "", ""),
    "CHN": ("CHINA", "CHN", "", ""),
    "PHL": ("PHILIPPINES", "PHL", "", ""),
}
#: places: name -> (geo type, full name, FIPS country, ADM1, lat, lon, feature id)
PLACES = {
    "donetsk": (4, "Donetsk, Donets'ka Oblast', Ukraine", "UP", "UP05", 48.0, 37.8, "-1030303"),
    "kyiv": (4, "Kiev, Kyyiv, Misto, Ukraine", "UP", "UP12", 50.4333, 30.5167, "-1044367"),
    "ukraine": (1, "Ukraine", "UP", "UP", 49.0, 32.0, "UP"),
    "oslo": (4, "Oslo, Oslo, Norway", "NO", "NO12", 59.9167, 10.75, "-273837"),
    "texas": (2, "Texas, United States", "US", "USTX", 31.106, -97.6475, "TX"),
    "aleppo": (4, "Aleppo, Halab, Syria", "SY", "SY09", 36.2028, 37.1586, "-3118520"),
    "spratly": (1, "Spratly Islands", "PG", "PG", 8.63333, 111.917, "PG"),
}


def actor_cells(code: str, layout_actor: str = "") -> list[str]:
    if not code:
        return [""] * 10
    name, country, group, kind = ACTORS[code]
    return [code, name, country, group, "", "", "", kind, "", ""]


def geo_cells(place: str, adm2: bool) -> list[str]:
    if not place:
        return [""] * (8 if adm2 else 7)
    kind, full, fips, adm1, lat, lon, feature = PLACES[place]
    return [str(kind), full, fips, adm1, *([""] if adm2 else []), str(lat), str(lon), feature]


def gdelt_line(
    layout: str,
    ident: int,
    day: str,
    code: str,
    actor1: str,
    actor2: str = "",
    place: str = "donetsk",
    *,
    root: int = 1,
    mentions: int = 6,
    sources: int = 2,
    articles: int = 6,
    quad: int = 4,
    goldstein: float = -10.0,
    tone: float = -5.25,
    url: str = "",
) -> str:
    """One line of a GDELT export in ``layout`` (a key of ``LAYOUTS``), without its newline."""
    adm2 = layout == "GDELT 2.0"
    year, month = day[:4], day[4:6]
    fraction = f"{int(year) + (int(month) - 1) / 12:.4f}"  # GDELT's FractionDate, to the month here
    added = day + ("093000" if adm2 else "")
    cells = [
        str(ident),
        day,
        year + month,
        year,
        fraction,
        *actor_cells(actor1),
        *actor_cells(actor2),
        str(root),
        code,
        code[:3],
        code[:2],
        str(quad),
        f"{goldstein:g}",
        str(mentions),
        str(sources),
        str(articles),
        f"{tone:.10g}",
        *geo_cells(place if actor1 else "", adm2),
        *geo_cells(place if actor2 else "", adm2),
        *geo_cells(place, adm2),
        added,
        *([url] if layout != "GDELT 1.0 historical" else []),
    ]
    assert len(cells) == len(LAYOUTS[layout]), (len(cells), layout)
    return "\t".join(cells)
