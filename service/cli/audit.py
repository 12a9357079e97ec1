"""``conflict-status verify`` and ``conflict-status checkpoint``: tamper evidence from a shell.

``verify`` works offline, on the log's database alone (DATABASE_URL): it reads
the stored events, the chain and the signed checkpoints, and writes nothing.
It exits 0 when the log is intact, 1 when it is broken, 2 when it cannot tell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from events.audit.checkpoints import Checkpoint, EmptyLog, InvalidCheckpoint, NoChain
from events.audit.keys import load_or_create_key
from events.audit.verify import Report, verify_log
from events.log.database_access import why_unreadable
from events.log.opening import open_log
from service.cli.common import BROKEN, UNVERIFIABLE, settings
from service.cli.remote import run_remote
from service.runtime import head_signer
from service.settings import Settings


def _existing_database(chosen: Settings, doing: str) -> str:
    """The log's URL; or, when it cannot be read (no such file, PostgreSQL unreachable), one line and exit 2."""
    url = chosen.database_url
    why = why_unreadable(url)
    if why is not None:
        click.echo(f"cannot {doing}: {why}", err=True)
        sys.exit(UNVERIFIABLE)
    return url


@click.command()
@click.option(
    "--since-checkpoint",
    "held_file",
    type=click.File("r", encoding="utf-8"),
    help="a checkpoint you kept: check its signature, and that the log still holds it "
    "(JSON offline; with --remote, the signed note GET /v1/audit/checkpoint gave)",
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option(
    "--remote",
    metavar="URL",
    help="verify the service at URL from its public answers alone (no database): signature, entries, tree, proofs",
)
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    help="with --remote: write the checkpoint verified to this file (pass it as --since-checkpoint next time)",
)
@click.option("--token", help="with --remote: a reader token, for a service whose reads need one")
def verify(held_file: IO[str] | None, as_json: bool, remote: str | None, keep: Path | None, token: str | None) -> None:
    """Recompute the hash chain from the database and check it against the signed checkpoints.

    Prints OK, or the first position that breaks and how (altered, missing,
    inserted, reordered), and exits non-zero when the log is broken.  With
    --remote URL it checks a running service instead, from its answers alone.
    """
    if remote is not None:
        sys.exit(run_remote(remote, held_file.read() if held_file else None, keep, as_json, token))
    url = _existing_database(settings(), "verify")
    log = open_log(url, create_tables=False)
    try:
        held = [Checkpoint.from_json(held_file.read())] if held_file else []
        report = verify_log(log.store, held)
    except (InvalidCheckpoint, NoChain) as e:
        click.echo(f"cannot verify: {e}", err=True)
        sys.exit(UNVERIFIABLE)
    finally:
        log.close()
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else _describe(report, held))
    sys.exit(0 if report.ok else BROKEN)


def _describe(report: Report, held: list[Checkpoint]) -> str:
    v = report.verdict
    lines = [
        f"checked {v.developments} developments up to position {v.head} in {report.seconds:.2f} s "
        f"({report.rate:,.0f} developments/s)"
        if v.ok
        else f"intact: {v.developments} developments, up to position {v.head}",
        f"{'head' if v.ok else 'last intact'} hash {v.head_hash}",
        f"signed checkpoints: {report.checkpoints} stored, {v.anchors} met by the chain"
        + (f" (with the {len(held)} you hold)" if held else ""),
        f"signed tree heads: {report.tree_heads} stored, {v.tree_anchors} met by the tree regrown from the chain",
    ]
    lines += [
        f"  key {use.key_id} signed {use.checkpoints} ({use.first_signed_at} .. {use.last_signed_at})"
        for use in report.keys
    ]
    if v.broken is None:
        lines += [f"the checkpoint you hold (position {c.position}) is in the log: it only grew since" for c in held]
        lines.append("OK: the log is intact")
    else:
        lines.append(f"BROKEN at position {v.broken.position}: {v.broken.kind}")
        lines.append(f"  {v.broken.detail}")
    return "\n".join(lines)


@click.group()
def checkpoint() -> None:
    """Sign the log's head, or list signed checkpoints."""


@checkpoint.command("sign")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="file to write (stdout)")
def checkpoint_sign(output: IO[str]) -> None:
    """Sign the head now with the service's key (SIGNING_KEY_FILE), and its tree head; print the checkpoint as JSON."""
    chosen = settings()
    log = open_log(_existing_database(chosen, "sign"), create_tables=False)
    try:
        key = load_or_create_key(chosen.signing_key_path)
        signed, created = head_signer(log, lambda: key, chosen).sign_head_now()
    except (NoChain, EmptyLog, ValueError) as e:
        raise click.ClickException(str(e)) from None
    finally:
        log.close()
    output.write(json.dumps(signed.as_dict(), indent=2) + "\n")
    if not created:
        click.echo(f"(the key {signed.key_id} had already signed position {signed.position})", err=True)


@checkpoint.command("list")
def checkpoint_list() -> None:
    """List signed checkpoints, oldest first."""
    log = open_log(_existing_database(settings(), "list checkpoints"), create_tables=False)
    try:
        rows = log.store.checkpoint_rows()
    finally:
        log.close()
    for row in rows:
        c = Checkpoint.from_row(row)
        click.echo(f"{c.position:>10}  {c.hash}  {c.signed_at}  key {c.key_id}")
