"""``conflict-status import`` and ``export``: NDJSON, backups, and the data sets research groups hold."""

from __future__ import annotations

import io
import json
import sys
from importlib import resources
from typing import IO, Any

import click

from events.importers import FORMATS, ImportFailed, ImportOptions, ImportProblem, ImportSummary, run_import
from events.importers.cameo_plover import CameoTable, read_cameo_table
from events.importers.ndjson import NdjsonStopped, import_ndjson
from events.importers.recognition import recognise
from events.log.application import MAX_BATCH
from events.log.opening import open_log
from service.cli.backup import export_backup, import_backup
from service.cli.common import catch_up_projections, settings

EXAMPLES = ("seed-article",)


def _count_rows(stream: IO[str]) -> int:
    """Non-blank lines of a seekable stream (for the progress bar), rewinding it."""
    if not stream.seekable():
        return 0
    total = sum(1 for line in stream if line.strip())
    stream.seek(0)
    return total


@click.command("import")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "backup", *FORMATS]),
    default=None,
    help="ndjson: developments, one a line; backup: a backup made by export --format backup, restored "
    "verbatim into an empty database; ucdp-ged, ucdp-pa: UCDP CSV (or UCDP API JSON); ucdp-acd: the "
    "UCDP/PRIO Armed Conflict Dataset CSV; acled: ACLED's CSV export; plover: PLOVER JSON records or "
    "tab-separated CAMEO-coded rows; gdelt: GDELT 1.0 or 2.0 event exports  "
    "[default: recognised from the file's header or shape]",
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
@click.option(
    "--conflict",
    help="plover, acled: the registered conflict the rows belong to "
    "[acled: the one whose territory holds the row's country]",
)
@click.option(
    "--deletions",
    type=click.File("rb"),
    help="acled: ACLED's list of deleted events (CSV: event_id_cnty, deleted_timestamp), retracted",
)
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
    fmt: str | None,
    example: str | None,
    batch_size: int | None,
    release: str | None,
    conflict: str | None,
    deletions: IO[bytes] | None,
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
    data = None
    if fmt is None and file is not None:
        data = file.read()
        fmt = _recognised(data)
    fmt = fmt or "ndjson"
    if fmt == "backup":
        if file is None:
            raise click.UsageError("--example is NDJSON; give a backup FILE")
        import_backup(settings().database_url, io.TextIOWrapper(file, encoding="utf-8"))
        return
    if deletions is not None and fmt != "acled":
        raise click.UsageError("--deletions is ACLED's list of deleted events: it goes with --format acled")
    if fmt != "ndjson":
        if file is None:
            raise click.UsageError(f"--example is NDJSON; give a {fmt} FILE")
        options = ImportOptions(
            release=release,
            conflict=conflict,
            dataset=dataset,
            cameo_table=_cameo_table(cameo_table),
            deletions=deletions.read() if deletions is not None else None,
            strict=strict,
            batch_size=batch_size or MAX_BATCH,
        )
        _import_data_set(fmt, data if data is not None else file.read(), options, report_file)
        return
    if example:
        stream: IO[str] = resources.files("service").joinpath(f"examples/{example}.ndjson").open(encoding="utf-8")
    else:
        assert file is not None
        stream = io.TextIOWrapper(io.BytesIO(data) if data is not None else file, encoding="utf-8-sig")
    log = open_log(settings().database_url)
    try:
        show = sys.stderr.isatty()
        total = _count_rows(stream) if show else 0
        with click.progressbar(length=total, label="importing", file=sys.stderr, hidden=not show) as bar:
            summary = import_ndjson(log, stream, batch_size or 1000, bar.update if show else None)
        catch_up_projections(log, settings().database_url)
    except NdjsonStopped as e:
        catch_up_projections(log, settings().database_url)  # what was stored before the bad line counts
        raise click.ClickException(e.detail) from None
    finally:
        log.close()
    click.echo(summary.line())


def _recognised(data: bytes) -> str:
    """The format of a file given without --format, said on stderr; a usage error naming the formats."""
    try:
        recognised = recognise(data, ["ndjson", *FORMATS])
    except ImportProblem as e:
        details = "".join(f"\n  {error['message']}" for error in e.errors)
        raise click.UsageError(f"{e.detail}{details}\ngive the format with --format") from None
    click.echo(recognised.text(), err=True)
    return recognised.format


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
    log = open_log(settings().database_url)
    bar = _ProgressBar()
    try:
        summary = run_import(log, fmt, data, options, bar)
        catch_up_projections(log, settings().database_url)
    except ImportProblem as e:
        details = "".join(f"\n  {error['field']}: {error['message']}" for error in e.errors)
        raise click.ClickException(f"{e.detail}{details}") from None
    except ImportFailed as e:
        bar.close()
        catch_up_projections(log, settings().database_url)  # the batches stored before the failure count
        _show_reports(e.summary, report_file)
        raise click.ClickException(f"{e.detail}\n{e.summary.line()}") from None
    finally:
        bar.close()
        log.close()
    _show_reports(summary, report_file)
    click.echo(summary.line())


def _show_reports(summary: ImportSummary, report_file: IO[str] | None, limit: int = 20) -> None:
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


@click.command()
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
        export_backup(settings().database_url, output)
        return
    log = open_log(settings().database_url)
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
