"""``conflict-status verify --remote URL``: check a running service from its public answers, over HTTP.

The checking is ``events.audit.remote``; this module fetches the answers
(``HttpSource``, the standard library's HTTP client), reads the kept checkpoint,
keeps the new one, and prints the report.  Exit codes as ``verify``: 0 intact,
1 broken, 2 cannot tell (the service cannot be reached, answers what cannot be
read, or the kept checkpoint is of another key or log).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

import click

from events.audit.remote import RemoteReport, Served, Unverifiable, verify_remote
from service.cli.common import BROKEN, UNVERIFIABLE

TIMEOUT = 60.0


class HttpSource:
    """The service's public audit answers at ``base`` (its root URL)."""

    def __init__(self, base: str, token: str | None = None, timeout: float = TIMEOUT) -> None:
        self.base = base.rstrip("/") + "/"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout

    def key(self) -> str:
        return self._get("v1/audit/key").decode("utf-8")

    def checkpoint(self) -> str:
        return self._get("v1/audit/checkpoint").decode("utf-8")

    def entries(self, leaf: int, limit: int) -> list[Served]:
        page = self._json("v1/audit/entries", leaf=leaf, limit=limit)
        try:
            return [Served(int(e["position"]), int(e["leaf_index"]), _b64(e["entry"])) for e in page["items"]]
        except (KeyError, TypeError, ValueError):
            raise Unverifiable("the service's entries cannot be read") from None

    def inclusion(self, position: int, size: int) -> list[bytes]:
        return self._hashes(self._json("v1/audit/proof/inclusion", position=position, size=size))

    def consistency(self, old: int, new: int) -> list[bytes]:
        return self._hashes(self._json("v1/audit/proof/consistency", **{"from": old, "to": new}))

    def _hashes(self, answer: Any) -> list[bytes]:
        try:
            return [_b64(h) for h in answer["hashes"]]
        except (KeyError, TypeError, ValueError):
            raise Unverifiable("the service's proof cannot be read") from None

    def _json(self, path: str, **query: Any) -> Any:
        try:
            return json.loads(self._get(f"{path}?{urlencode(query)}"))
        except ValueError:
            raise Unverifiable(f"the service's answer to {path} is not JSON") from None

    def _get(self, path: str) -> bytes:
        url = urljoin(self.base, path)
        try:
            with urlopen(Request(url, headers=self.headers), timeout=self.timeout) as answer:
                body: bytes = answer.read()
                return body
        except HTTPError as e:
            raise Unverifiable(f"{url} answered {e.code}: {_detail(e)}") from None
        except (URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise Unverifiable(f"cannot reach {url}: {reason}") from None


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError):
        raise ValueError("not base64") from None


def _detail(error: HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("detail", error.reason))
    except (ValueError, AttributeError, OSError):
        return str(error.reason)


def run_remote(url: str, kept_text: str | None, keep: Path | None, as_json: bool, token: str | None = None) -> int:
    """Verify the service at ``url``; print the report; keep the checkpoint when intact; the exit code."""
    try:
        report = verify_remote(HttpSource(url, token), kept_text)
    except Unverifiable as e:
        click.echo(f"cannot verify: {e}", err=True)
        return UNVERIFIABLE
    if report.ok and keep is not None:
        _write_atomically(keep, report.checkpoint)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else describe(report, keep))
    return 0 if report.ok else BROKEN


def describe(report: RemoteReport, keep: Path | None = None) -> str:
    """The report in words."""
    lines = [f"checkpoint of {report.origin}: {report.tree_size} developments, root {report.root.hex()}"]
    checked = f"{report.checked} {'development' if report.checked == 1 else 'developments'}"
    if report.since:
        lines.append(f"the checkpoint you kept had {report.since}: {checked.replace(' ', ' new ', 1)} checked")
    else:
        lines.append(f"{checked} checked from the first")
    lines.append(f"{report.requests} requests in {report.seconds:.2f} s")
    if report.broken is None:
        if report.since:
            lines.append("the log only grew since the checkpoint you kept")
        lines.append("OK: the entries make the signed tree and chain, and the signature holds")
        if keep is not None:
            lines.append(f"kept the checkpoint in {keep} (pass it as --since-checkpoint next time)")
    else:
        where = f" at position {report.broken.position}" if report.broken.position is not None else ""
        lines.append(f"BROKEN{where}: {report.broken.kind}")
        lines.append(f"  {report.broken.detail}")
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".checkpoint-", dir=path.parent or Path("."))
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
