"""The ``conflict-status`` command: serve, import and export NDJSON, manage tokens."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import IO, Any

import click

from events.importers import FORMATS, ImportFailed, ImportOptions, ImportProblem, run_import
from events.importers import ImportSummary as DataSetSummary
from events.importers.cameo_plover import CameoTable, read_cameo_table
from events.log.admission import Submission
from events.log.application import MAX_BATCH, ConflictLog
from events.log.opening import open_log
from events.vocabulary.errors import DomainError
from service import cli_audit, cli_backup, cli_projections, cli_worker
from service.settings import Settings, SettingsError
from service.tokens import ROLES, TokenStore

EXAMPLES = ("seed-article",)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as e:
        raise click.UsageError(str(e)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An event-sourced record of diplomatic developments and the state of conflicts.

    The database is chosen by DATABASE_URL (sqlite:///path/to/file.db, the
    default being conflict-status.db in the working directory, or
    postgresql://user@host:port/db).
    """


main.add_command(cli_audit.verify)
main.add_command(cli_audit.checkpoint)
main.add_command(cli_projections.rebuild)
main.add_command(cli_projections.replay)
main.add_command(cli_worker.project)


# -- serve ---------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="threads per worker")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the REST API with gunicorn (the process becomes gunicorn)."""
    _settings()  # fail here, with a clear message, on bad settings
    args = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:service.gunicorn_conf",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
    ]  # fmt: skip
    sys.stdout.flush()
    os.execv(sys.executable, args)


# -- import / export -----------------------------------------------------------------


@dataclass
class ImportSummary:
    read: int = 0
    added: int = 0
    unchanged: int = 0
    rejected: int = 0

    def line(self) -> str:
        return (
            f"rows read: {self.read}, developments added: {self.added}, "
            f"unchanged: {self.unchanged}, rejected: {self.rejected}"
        )


def _ndjson_lines(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            raise click.ClickException(f"line {number}: malformed JSON: {e.msg} at column {e.colno}") from None


def import_ndjson(log: ConflictLog, stream: IO[str], batch_size: int, progress: Any = None) -> ImportSummary:
    """Append NDJSON developments in batches of ``batch_size`` (one transaction each).

    A line without an ``id`` gets an idempotency key from its content, so that
    importing the same file again adds nothing.  A bad line stops the import with
    its line number; the batches before it stay stored, and running the command
    again resumes where it stopped (what is stored is recognised, not repeated).
    """
    summary = ImportSummary()
    batch: list[tuple[int, Submission]] = []

    def flush() -> None:
        if not batch:
            return
        try:
            receipts = log.submit_many([s for _, s in batch])
        except DomainError as e:
            problems = getattr(e, "problems", [])
            lines = [f"line {batch[p.index][0]}: {p.field}: {p.message}" for p in problems if p.index is not None]
            summary.rejected += len({p.index for p in problems if p.index is not None}) or len(batch)
            detail = "\n".join(lines) or str(e)
            raise click.ClickException(
                f"import stopped; nothing of this batch was stored:\n{detail}\n{summary.line()}"
            ) from None
        created = sum(r.created for r in receipts)
        summary.added += created
        summary.unchanged += len(receipts) - created
        if progress is not None:
            progress.update(len(batch))
        batch.clear()

    for number, raw in _ndjson_lines(stream):
        summary.read += 1
        key = None if isinstance(raw, dict) and raw.get("id") else "ndjson:" + _content_key(raw)
        batch.append((number, Submission(raw, key)))
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


def _count_rows(stream: IO[str]) -> int:
    """Non-blank lines of a seekable stream (for the progress bar), rewinding it."""
    if not stream.seekable():
        return 0
    total = sum(1 for line in stream if line.strip())
    stream.seek(0)
    return total


def _content_key(raw: Any) -> str:
    import hashlib

    import rfc8785

    try:
        return hashlib.sha256(rfc8785.dumps(raw)).hexdigest()
    except Exception:  # not canonicalisable (floats out of range...): the vocabulary will refuse it anyway
        return hashlib.sha256(repr(raw).encode()).hexdigest()


@main.command("import")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "backup", *FORMATS]),
    default="ndjson",
    show_default=True,
    help="ndjson: developments, one a line; backup: a backup made by export --format backup, restored "
    "verbatim into an empty database; ucdp-ged, ucdp-pa: UCDP CSV (or UCDP API JSON); "
    "plover: PLOVER JSON records or tab-separated CAMEO-coded rows (GDELT)",
)
@click.option(
    "--example", type=click.Choice(EXAMPLES), help="import an example shipped with the service instead of FILE"
)
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1, 10_000),
    help="developments per transaction [ndjson: 1000; data sets: 10000, so that a file of up to "
    "10,000 developments is imported all or nothing]",
)
@click.option("--release", help="the data set's release, such as 22.1, kept on every development")
@click.option("--conflict", help="plover: the registered conflict that ceasefires and fighting belong to")
@click.option("--dataset", help="plover: the data set's name in ids [plover, or gdelt for CAMEO-coded rows]")
@click.option(
    "--cameo-table",
    type=click.Path(exists=True, dir_okay=False),
    help="plover, CAMEO-coded rows: the CAMEO-to-PLOVER table (CAMEO2PLOVER-2021.txt of openeventdata/PLOVER)",
)
@click.option("--strict", is_flag=True, help="data sets: import nothing when any row is rejected")
@click.option(
    "--report",
    "report_file",
    type=click.File("w", encoding="utf-8"),
    help="write the summary and every reported row as JSON to this file",
)
@click.argument("file", type=click.File("rb"), required=False)
def import_command(
    fmt: str,
    example: str | None,
    batch_size: int | None,
    release: str | None,
    conflict: str | None,
    dataset: str | None,
    cameo_table: str | None,
    strict: bool,
    report_file: IO[str] | None,
    file: IO[bytes] | None,
) -> None:
    """Import developments from FILE (- for stdin): NDJSON, or a data set research groups hold.

    A data set's rows become developments whose ids come from the data set and
    the row id, so importing a file again adds nothing, and a newer release adds
    its new rows and corrects the changed ones.  Rows that cannot be imported are
    listed with their line and reason; the summary ends the output.
    """
    if (file is None) == (example is None):
        raise click.UsageError("give either FILE or --example")
    if fmt == "backup":
        if file is None:
            raise click.UsageError("--example is NDJSON; give a backup FILE")
        cli_backup.restore_backup(_settings().database_url, io.TextIOWrapper(file, encoding="utf-8"))
        return
    if fmt != "ndjson":
        if file is None:
            raise click.UsageError(f"--example is NDJSON; give a {fmt} FILE")
        options = ImportOptions(
            release=release,
            conflict=conflict,
            dataset=dataset,
            cameo_table=_cameo_table(cameo_table),
            strict=strict,
            batch_size=batch_size or MAX_BATCH,
        )
        _import_data_set(fmt, file.read(), options, report_file)
        return
    if example:
        stream: IO[str] = resources.files("service").joinpath(f"examples/{example}.ndjson").open(encoding="utf-8")
    else:
        assert file is not None
        stream = io.TextIOWrapper(file, encoding="utf-8-sig")
    log = open_log(_settings().database_url)
    try:
        show = sys.stderr.isatty()
        total = _count_rows(stream) if show else 0
        with click.progressbar(length=total, label="importing", file=sys.stderr, hidden=not show) as bar:
            summary = import_ndjson(log, stream, batch_size or 1000, bar if show else None)
    finally:
        log.close()
    click.echo(summary.line())


def _cameo_table(path: str | None) -> CameoTable | None:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8-sig") as stream:
            return read_cameo_table(stream.read())
    except (OSError, UnicodeDecodeError, ImportProblem) as e:
        raise click.BadParameter(str(e), param_hint="--cameo-table") from None


class _ProgressBar:
    """A progress bar on a terminal, made when the import first says how much there is to do."""

    def __init__(self) -> None:
        self.show = sys.stderr.isatty()
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="importing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _import_data_set(fmt: str, data: bytes, options: ImportOptions, report_file: IO[str] | None) -> None:
    log = open_log(_settings().database_url)
    bar = _ProgressBar()
    try:
        summary = run_import(log, fmt, data, options, bar)
    except ImportProblem as e:
        details = "".join(f"\n  {error['field']}: {error['message']}" for error in e.errors)
        raise click.ClickException(f"{e.detail}{details}") from None
    except ImportFailed as e:
        bar.close()
        _show_reports(e.summary, report_file)
        raise click.ClickException(f"{e.detail}\n{e.summary.line()}") from None
    finally:
        bar.close()
        log.close()
    _show_reports(summary, report_file)
    click.echo(summary.line())


def _show_reports(summary: DataSetSummary, report_file: IO[str] | None, limit: int = 20) -> None:
    """Notes and reported rows on stderr (the first ``limit``); all of them in the report file."""
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    for report in summary.reports[:limit]:
        click.echo(report.text(), err=True)
    if len(summary.reports) > limit:
        more = "--report FILE lists them all" if report_file is None else f"all are in {report_file.name}"
        click.echo(f"... and {len(summary.reports) - limit} more reported rows ({more})", err=True)
    if report_file is not None:
        json.dump(summary.as_dict(), report_file, ensure_ascii=False, indent=1)
        report_file.write("\n")


@main.command()
@click.option(
    "--after", default=0, show_default=True, type=click.IntRange(0), help="export developments after this position"
)
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="file to write (default stdout)"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "backup"]),
    default="ndjson",
    show_default=True,
    help="ndjson: the developments' content, to import elsewhere as new developments; backup: every stored "
    "event as it is and the signed checkpoints, which import --format backup restores with the same chain head",
)
def export(after: int, output: IO[str], fmt: str) -> None:
    """Export developments as NDJSON that ``import`` reads back (ids kept), or the whole log as a backup."""
    if fmt == "backup":
        if after:
            raise click.UsageError("a backup holds the whole log: --after does not apply")
        cli_backup.write_backup(_settings().database_url, output)
        return
    log = open_log(_settings().database_url)
    try:
        head = log.head()
        show = sys.stderr.isatty() and output is not sys.stdout
        count = 0
        with click.progressbar(length=max(head - after, 0), label="exporting", file=sys.stderr, hidden=not show) as bar:
            while True:
                page = log.read(after=after, limit=1000)
                if not page:
                    break
                for development in page:
                    output.write(json.dumps({"id": development.id, **development.content()}, ensure_ascii=False) + "\n")
                bar.update(page[-1].position - after)
                after = page[-1].position
                count += len(page)
    finally:
        log.close()
    click.echo(f"exported {count} developments", err=True)


# -- tokens --------------------------------------------------------------------------


@main.group()
def token() -> None:
    """Create, list and revoke bearer tokens."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--label", default="", help="a note saying whose token it is")
@click.option("--curl", "show_curl", is_flag=True, help="also print a curl example that uses the token")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="the address, for --curl")
def token_create(role: str, label: str, show_curl: bool, base_url: str) -> None:
    """Print a new token for ROLE (it is shown only this once)."""
    store = TokenStore(_settings().database_url)
    secret, _ = store.create(role, label)
    click.echo(secret)
    if show_curl:
        click.echo(CURL_EXAMPLE.format(token=secret, url=base_url.rstrip("/")), err=True)


@token.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    store = TokenStore(_settings().database_url)
    store.create_table()
    for info in store.list():
        state = "revoked" if info.revoked else "live"
        click.echo(f"{info.id}  {info.role:<9}  {state:<7}  {info.created_at}  {info.label}")


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke the token with TOKEN_ID (from ``token list``)."""
    if not TokenStore(_settings().database_url).revoke(token_id):
        raise click.ClickException(f"no live token has the id {token_id}")
    click.echo("revoked")


CURL_EXAMPLE = """
Submitter token (shown once): {token}

Try:
  curl -s {url}/v1/events?limit=3
  curl -s -X POST {url}/v1/events \\
    -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\
    -d '{{"type": "StatementIssued", "occurred": "2020-06-27", "conflicts": ["libya"], "actors": ["FRA"],
         "sources": [{{"name": "Elysee statement"}}], "summary": "France repeated its call for a ceasefire.",
         "data": {{"by": "FRA", "text": "France calls again for a ceasefire in Libya.", "topics": ["libya"]}}}}'
API docs: {url}/docs
"""
