"""UCDP Peace Agreement Dataset rows → ``AgreementSigned``, ``CeasefireAgreed``, ``CommitmentMade``.

One row is one agreement.  It becomes an ``AgreementSigned`` in every conflict
it names (so that the agreement is a framework of each), with its third parties
(``pa_3rd``: the states and international organisations it names, see
``third_parties``) and its provisions (the dummies ``cease``, ``intarmy``,
``ddr``, ... as the vocabulary's ``PROVISIONS``) as data, plus a
``CeasefireAgreed`` when ``cease`` is 1 and a ``CommitmentMade`` to release
prisoners when ``pris`` is 1.  Multi-valued cells (conflict ids, state numbers,
actor ids) are split.  Parties are the states (``gwno``) and the non-state
signatories (``actor_id`` whose name is not a government) as groups.  When a
newer release drops a provision, its development is retracted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from events.importers import third_parties, ucdp
from events.importers.dates import read_date
from events.importers.plan import Plan, Planned, Registrations, RowProblem, Withdrawn, World, clip
from events.importers.tables import Column, Row, Table

DATASET = "ucdp-pa"
NAME = "UCDP Peace Agreement Dataset"

COLUMNS: tuple[Column, ...] = (
    Column("paid", ("pa_id", "agreement_id"), integer=True),
    Column("conflict_id", ("conflict_new_id", "ucdp_conflict_id"), integer=True),
    Column("conflict_name"),
    Column("gwno", ("gwno_a", "gwnos"), integer=True),
    Column("pa_name", ("agreement_name", "name")),
    Column("pa_date", ("date", "signed")),
    Column("cease", ("ceasefire",), integer=True),
    Column("pris", ("prisoners", "prisoner_release"), integer=True),
    Column("actor_id", ("actor_ids",), required=False, integer=True),
    Column("actor_name", ("actor_names",), required=False),
    Column("pa_3rd", ("third_parties",), required=False),
    Column("pa_type", required=False, integer=True),
    Column("region", required=False, integer=True),
    Column("version", ("release",), required=False),
)

#: UCDP's provision dummies (read when the file has them) -> the vocabulary's provisions, in its order
PROVISION_COLUMNS = {
    "cease": "ceasefire",
    "intarmy": "army_integration",
    "ddr": "ddr",
    "withd": "withdrawal",
    "shagov": "power_sharing",
    "elections": "elections",
    "interim": "interim_government",
    "aut": "autonomy",
    "fed": "federalism",
    "ind": "independence",
    "ref": "referendum",
    "locgov": "local_government",
    "amn": "amnesty",
    "pris": "prisoner_release",
    "recon": "reconciliation",
    "return": "refugee_return",
    "pko": "peacekeeping",
}
COLUMNS += tuple(
    Column(name, required=False, integer=True) for name in PROVISION_COLUMNS if name not in ("cease", "pris")
)

#: UCDP's region codes (the PA data set writes them as numbers; several are comma-joined)
REGIONS = {"1": "Europe", "2": "Middle East", "3": "Asia", "4": "Africa", "5": "Americas"}

PA_TYPES = {"1": "full peace agreement", "2": "partial peace agreement", "3": "peace process agreement"}
PARTS = ("agreement", "ceasefire", "prisoner-release")


def plan(table: Table, world: World, release: str | None = None) -> Plan:
    out = Plan(DATASET, unit=table.unit, notes=list(table.notes))
    registrations = Registrations(world, {"name": NAME})
    for row in table.resolve(COLUMNS):
        out.rows_read += 1
        paid = row.get("paid") or None
        try:
            if not paid:
                raise RowProblem("the row has no agreement id", "paid")
            paid = ucdp.upstream_id(paid, "paid")
            developments, dropped = _developments(row, paid, registrations, release)
            out.developments += developments
            out.withdrawn += dropped
        except RowProblem as e:
            out.reject(e.message, paid, row.line, e.column)
    out.registrations = registrations.planned()
    return out


def _developments(
    row: Row, paid: str, registrations: Registrations, release: str | None
) -> tuple[list[Planned], list[Withdrawn]]:
    try:
        signed = read_date(row.get("pa_date"))
    except ValueError as e:
        raise RowProblem(str(e), "pa_date") from None
    day = signed.first
    conflicts = _conflicts(row, registrations, day)
    parties = ucdp.states(row.get("gwno"), "gwno", registrations, day) + _groups(row, registrations, day)
    name = row.get("pa_name") or f"UCDP peace agreement {paid}"
    cease, pris = ucdp.flag(row.get("cease"), "cease"), ucdp.flag(row.get("pris"), "pris")
    origin: dict[str, Any] = {"dataset": DATASET, "row_id": paid}
    release = release or row.get("version") or None
    if release:
        origin["release"] = release
    kind = PA_TYPES.get(row.get("pa_type"), "peace agreement")
    third = row.get("pa_3rd")
    third_text = f" Third parties: {clip(third, 300)}." if third else ""
    named = [_third_party(code, registrations, day) for code in third_parties.actor_codes(third)]
    provisions = [provision for column, provision in PROVISION_COLUMNS.items() if ucdp.flag(row.get(column), column)]

    def planned(part: str, kind_of: str, summary: str, data: dict[str, Any]) -> Planned:
        raw = {
            "type": kind_of,
            "occurred": signed.text,
            "conflicts": conflicts,
            "actors": parties,
            "sources": [{"name": f"{NAME}, agreement {paid}"}],
            "summary": clip(summary, 1000),
            "data": data,
            "origin": origin,
        }
        return Planned(f"{DATASET}:{paid}:{part}", raw, paid, row.line)

    agreement = f"ucdp-pa-{paid}"
    out = [
        planned(
            "agreement",
            "AgreementSigned",
            f"{clip(name, 300)} ({kind}, UCDP peace agreement {paid}) was signed.{third_text}",
            {
                "agreement": agreement,
                "name": clip(name, 400),
                "parties": parties,
                "third_parties": [code for code in named if code not in parties],
                "provisions": provisions,
            },
        )
    ]
    dropped = []
    if cease and not parties:
        raise RowProblem("a ceasefire provision needs at least one party (gwno or actor_id)", "gwno")
    if cease:
        summary = f"The parties agreed a ceasefire in the {clip(name, 300)} (UCDP peace agreement {paid})."
        out.append(planned("ceasefire", "CeasefireAgreed", summary, {"parties": parties}))
    else:
        dropped.append(_withdrawn("ceasefire", paid, row, "the agreement no longer has a ceasefire provision"))
    if pris:
        commitment = {
            "commitment": f"{agreement}-prisoner-release",
            "description": clip(f"Release of prisoners, as provided in the {name}.", 2000),
            "parties": parties,
        }
        summary = (
            f"The parties committed to releasing prisoners in the {clip(name, 300)} (UCDP peace agreement {paid})."
        )
        if not parties:
            raise RowProblem("a prisoner-release provision needs at least one party (gwno or actor_id)", "gwno")
        out.append(planned("prisoner-release", "CommitmentMade", summary, commitment))
    else:
        dropped.append(
            _withdrawn("prisoner-release", paid, row, "the agreement no longer provides for prisoner release")
        )
    return out, dropped


def _third_party(code: str, registrations: Registrations, day: date) -> str:
    """A third party's code, registering an organisation the log does not know yet."""
    name = third_parties.organisation_name(code)
    if name is None:
        return code
    return registrations.actor(f"organisation:{code}", code, name, "organisation", day)


def _withdrawn(part: str, paid: str, row: Row, reason: str) -> Withdrawn:
    return Withdrawn(f"{DATASET}:{paid}:{part}", paid, row.line, reason)


def _conflicts(row: Row, registrations: Registrations, day: date) -> list[str]:
    ids = [ucdp.upstream_id(i, "conflict_id") for i in row.get("conflict_id").split(",") if i.strip()]
    if not ids:
        raise RowProblem("the agreement names no conflict", "conflict_id")
    names = ucdp.split_names(row.get("conflict_name"), len(ids)) or [""] * len(ids)
    region = _region(row.get("region"))
    out: list[str] = []
    for ident, name in zip(ids, names, strict=True):
        slug = registrations.conflict(ucdp.SCHEME, ident, name, day, region)
        if slug not in out:
            out.append(slug)
    return out


def _groups(row: Row, registrations: Registrations, day: date) -> list[str]:
    """Non-state signatories: actor ids whose names are not 'Government of ...'."""
    ids = [i.strip() for i in row.get("actor_id").split(",") if i.strip()]
    if not ids:
        return []
    names = ucdp.split_names(row.get("actor_name"), len(ids))
    if names is None:
        names = [""] * len(ids)
    codes = []
    for ident, name in zip(ids, names, strict=True):
        if name.lower().startswith("government of"):
            continue
        code = ucdp.group(ident, name, "actor_id", registrations, day)
        if code not in codes:
            codes.append(code)
    return codes


def _region(cell: str) -> str | None:
    """UCDP's region, named: ``4`` → ``Africa``, ``1, 3`` → ``Europe, Asia`` (a name is kept as it is)."""
    codes = [c.strip() for c in cell.split(",") if c.strip()]
    if not codes:
        return None
    if all(c.isdigit() for c in codes):
        names = [REGIONS[c] for c in codes if c in REGIONS]
        return ", ".join(names) or None
    return cell
