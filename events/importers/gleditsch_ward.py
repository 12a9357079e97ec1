"""Gleditsch-Ward state numbers (UCDP's ``gwno``) as ISO 3166-1 alpha-3 codes.

The numbers are those of Gleditsch & Ward's list of independent states (1999,
updated), which UCDP uses.  A state that continues under another name maps to
its present code (345 Yugoslavia → SRB, 365 Soviet Union → RUS, 678 North Yemen →
YEM).  States with no present ISO code map to their ISO 3166-3 code where one
exists (DDR, CSK, YMD) or to ``GW-<number>``; the importer registers those as
states under the name given here.
"""

from __future__ import annotations

#: number -> ISO 3166-1 alpha-3 code of the state (or its successor)
ISO: dict[int, str] = {
    2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO", 53: "BRB",
    54: "DMA", 55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX", 80: "BLZ", 90: "GTM",
    91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL", 101: "VEN", 110: "GUY", 115: "SUR",
    130: "ECU", 135: "PER", 140: "BRA", 145: "BOL", 150: "PRY", 155: "CHL", 160: "ARG", 165: "URY",
    200: "GBR", 205: "IRL", 210: "NLD", 211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO", 223: "LIE",
    225: "CHE", 230: "ESP", 232: "AND", 235: "PRT", 255: "DEU", 260: "DEU", 290: "POL", 305: "AUT",
    310: "HUN", 316: "CZE", 317: "SVK", 325: "ITA", 331: "SMR", 338: "MLT", 339: "ALB", 340: "SRB",
    341: "MNE", 343: "MKD", 344: "HRV", 345: "SRB", 346: "BIH", 349: "SVN", 350: "GRC", 352: "CYP",
    355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS", 366: "EST", 367: "LVA", 368: "LTU", 369: "UKR",
    370: "BLR", 371: "ARM", 372: "GEO", 373: "AZE", 375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK",
    395: "ISL", 402: "CPV", 403: "STP", 404: "GNB", 411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN",
    434: "BEN", 435: "MRT", 436: "NER", 437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE",
    452: "GHA", 461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG",
    490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI", 517: "RWA", 520: "SOM", 522: "DJI",
    530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ", 551: "ZMB", 552: "ZWE", 553: "MWI", 560: "ZAF",
    565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ", 580: "MDG", 581: "COM", 590: "MUS", 591: "SYC",
    600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR",
    645: "IRQ", 651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR", 670: "SAU", 678: "YEM",
    690: "KWT", 692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN", 700: "AFG", 701: "TKM", 702: "TJK",
    703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN", 712: "MNG", 713: "TWN", 731: "PRK", 732: "KOR",
    740: "JPN", 750: "IND", 760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR", 780: "LKA", 781: "MDV",
    790: "NPL", 800: "THA", 811: "KHM", 812: "LAO", 816: "VNM", 820: "MYS", 830: "SGP", 835: "BRN",
    840: "PHL", 850: "IDN", 860: "TLS", 900: "AUS", 910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB",
    946: "KIR", 947: "TUV", 950: "FJI", 955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM",
    990: "WSM",
}  # fmt: skip

#: number -> (code, name) of states with no present ISO 3166-1 code: registered on first use
HISTORICAL: dict[int, tuple[str, str]] = {
    240: ("GW-240", "Hanover"),
    245: ("GW-245", "Bavaria"),
    265: ("DDR", "German Democratic Republic"),
    267: ("GW-267", "Baden"),
    269: ("GW-269", "Saxony"),
    271: ("GW-271", "Württemberg"),
    273: ("GW-273", "Hesse-Kassel"),
    275: ("GW-275", "Hesse-Darmstadt"),
    280: ("GW-280", "Mecklenburg-Schwerin"),
    300: ("GW-300", "Austria-Hungary"),
    315: ("CSK", "Czechoslovakia"),
    327: ("GW-327", "Papal States"),
    329: ("GW-329", "Two Sicilies"),
    332: ("GW-332", "Modena"),
    335: ("GW-335", "Parma"),
    337: ("GW-337", "Tuscany"),
    347: ("XKX", "Kosovo"),
    511: ("GW-511", "Zanzibar"),
    563: ("GW-563", "Transvaal"),
    564: ("GW-564", "Orange Free State"),
    680: ("YMD", "Yemen, People's Democratic Republic (South Yemen)"),
    711: ("GW-711", "Tibet"),
    730: ("GW-730", "Korea"),
    817: ("GW-817", "Republic of Vietnam (South Vietnam)"),
}


def state(number: int) -> tuple[str, str | None]:
    """(code, name to register it under or None when ISO knows it); ``KeyError`` when unknown."""
    if number in ISO:
        return ISO[number], None
    code, name = HISTORICAL[number]
    return code, name


def numbers(cell: str) -> list[int]:
    """``'369'``, ``'2, 200'`` or ``'369.0'`` → the state numbers; ``ValueError`` on anything else."""
    out = []
    for part in cell.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = float(part)
        if value != int(value) or value <= 0:
            raise ValueError(part)
        out.append(int(value))
    return out
