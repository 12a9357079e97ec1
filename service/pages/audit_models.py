"""What the audit pages show: a conflict's or agenda's replay, a diff of two points, and the log's verification.

The page calls the same audit code as ``GET /v1/audit/replay`` and
``/v1/audit/diff`` (``projections.audit``); a side of the diff that cannot be
read, or any other refusal, is shown as a notice in its section.  Each step of
the replay says whether its development is in the latest signed tree head:
verified on the server, when the page is made, with the RFC 9162 client
algorithm from the entry's stored bytes, the stored tree and the signed root
(``Proofs.included``), after the head's signature is checked with its vkey.
An outside auditor checks the same from the public answers with
``conflict-status verify --remote``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from flask import url_for

from events.audit.checkpoints import Checkpoint
from events.audit.proofs import Proofs
from events.audit.signing import SignedHead, head_holds
from events.audit.verify import verify_log
from events.vocabulary.errors import DomainError
from projections.audit import Auditor, Side
from projections.items import Scope
from projections.queries import today
from service.pages.models import Developments, latest_day
from service.runtime import runtime

#: steps of a replay shown on one page
REPLAY_STEPS = 25
#: seconds a verification result is shown before it is recomputed
VERIFY_TTL = 60.0


@dataclass(frozen=True)
class Section:
    """One section of the audit page: its answer, or why it could not be made."""

    body: dict[str, Any] = field(default_factory=dict)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.detail

    @property
    def state(self) -> str:
        return "ok" if self.ok else "error"


def _replay(scope: Scope, after: int) -> Section:
    """The scope's replay from ``after``, as ``GET /v1/audit/replay`` gives it."""
    try:
        steps, next_after, _ = Auditor(runtime().queries.store).replay(scope, after=after, limit=REPLAY_STEPS)
    except DomainError as e:
        return Section(detail=str(e))
    return Section(
        {
            "as_of": today().isoformat(),
            "steps": [{"position": d.position, "development": d, "changes": c} for d, c in steps],
            "next_after": next_after,
        }
    )


def _diff(scope: Scope, diff_from: str, diff_to: str) -> Section:
    """The differences between two sides, as ``GET /v1/audit/diff`` gives them."""
    try:
        first, second = Side.parse(diff_from), Side.parse(diff_to)
        differences, described_from, described_to, _ = Auditor(runtime().queries.store).diff(scope, first, second)
    except (ValueError, DomainError) as e:
        return Section(detail=str(e))
    return Section({"from": described_from, "to": described_to, "differences": differences})


@dataclass
class _Verified:
    report: dict[str, Any]
    head: int
    at: float


_verified: dict[str, _Verified] = {}
_verify_lock = threading.Lock()


def verification() -> dict[str, Any]:
    """The log's verification (as ``GET /v1/audit/verify`` answers), recomputed at most once a minute.

    Anyone may read the pages, so the page does not ask for an auditor's token:
    the chain and checkpoints it checks are public already.  Verifying walks the
    whole log, so a result is reused for ``VERIFY_TTL`` seconds while the head has
    not moved, in each process; the page says when it was computed.
    """
    log = runtime().read_log
    head = log.head()
    key = runtime().settings.read_database_url
    with _verify_lock:
        cached = _verified.get(key)
        if cached is None or cached.head != head or time.monotonic() - cached.at > VERIFY_TTL:
            report = verify_log(log.store).as_dict()
            report["verified_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            cached = _Verified(report, head, time.monotonic())
            _verified[key] = cached
    return cached.report


def _scope_page(scope: Scope) -> dict[str, Any]:
    """The scope's current answer (a 404 for an unknown one, before anything else), title and links."""
    queries = runtime().queries
    if scope[0] == "conflict":
        status = queries.conflict(scope[1])
        return {
            "status": status,
            "title": status.get("name") or scope[1],
            "scope_url": url_for("pages.conflict", conflict=scope[1]),
            "audit_url": partial(url_for, "pages.audit", conflict=scope[1]),
        }
    a, b = scope[1].split("-", 1)
    status = queries.agenda(a, b)
    pair = " \u2013 ".join(status["parties"])
    return {
        "status": status,
        "title": f"the agenda {pair}",
        "scope_url": url_for("pages.agenda", a=status["parties"][0], b=status["parties"][1]),
        "audit_url": partial(url_for, "pages.agenda_audit", a=status["parties"][0], b=status["parties"][1]),
    }


def _tree_head() -> tuple[SignedHead | None, bool]:
    """The latest signed tree head, and whether its signature holds under the key it records."""
    head = runtime().read_heads.latest()
    return head, head is not None and head_holds(head)


def audit_page(scope: Scope, after: int, diff_from: str, diff_to: str) -> dict[str, Any]:
    """A conflict's or agenda's replay as readable steps, a diff between two points, and the log's verification."""
    page = _scope_page(scope)
    status = page["status"]
    last = latest_day((status["last_development"] or {}).get("occurred")) or date.today()
    diff_from = diff_from or (last - timedelta(days=1)).isoformat()
    diff_to = diff_to or last.isoformat()
    replay = _replay(scope, after)
    diff = _diff(scope, diff_from, diff_to)
    head, head_ok = _tree_head()
    steps = replay.body.get("steps", [])
    included = (
        Proofs(runtime().read_log.store).included([step["position"] for step in steps], head.size, head.root)
        if head is not None and head_ok
        else {}
    )
    developments = Developments()
    differences = [
        {**d, "evidence": developments.evidence(list(d.get("evidence") or []))}
        for d in diff.body.get("differences", [])
    ]
    log = runtime().read_log
    try:
        verified: dict[str, Any] | None = verification()
        verify_error = ""
    except DomainError as e:
        verified, verify_error = None, str(e)
    row = log.store.latest_checkpoint_row()
    return {
        **page,
        "replay": replay,
        "steps": [{**step, "inclusion": included.get(step["position"])} for step in steps],
        "next_after": replay.body.get("next_after"),
        "after": after,
        "diff": diff,
        "differences": differences,
        "diff_from": diff_from,
        "diff_to": diff_to,
        "verified": verified,
        "verify_error": verify_error,
        "checkpoint": Checkpoint.from_row(row).as_dict() if row else None,
        "checkpoint_every": runtime().settings.checkpoint_every,
        "checkpoint_interval": _duration(runtime().settings.checkpoint_interval),
        "key_id": runtime().signing_key.key_id,
        "tree_head": head,
        "tree_head_ok": head_ok,
        "vkey": runtime().read_heads.verifier_key(),
    }


def _duration(seconds: float) -> str:
    """A setting's seconds in words: ``1 hour``, ``30 minutes``, ``45 seconds``."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"
