"""What makes imports fast must not change what they do: the collector's pause, and the benchmark's files.

The benchmark (``python -m bench.imports``, run by hand) is run here at a tiny
size on SQLite, so that every format's generated file still imports and a
second import still adds nothing.
"""

from __future__ import annotations

import gc
import threading

import pytest

from bench import imports as bench_imports
from events.importers import ImportProblem, run_import
from events.importers.collector import collector_paused
from events.log.application import ConflictLog
from tests.integration.test_importing import ged, ged_row


def test_an_import_pauses_the_garbage_collector_and_resumes_it_after(log: ConflictLog) -> None:
    seen: list[bool] = []
    summary = run_import(
        log, "ucdp-ged", ged(ged_row(1, "2016-01-01")), progress=lambda done, total: seen.append(gc.isenabled())
    )
    assert summary.added == 1
    assert seen and not any(seen)
    assert gc.isenabled()


def test_an_import_that_fails_resumes_the_garbage_collector(log: ConflictLog) -> None:
    with pytest.raises(ImportProblem):
        run_import(log, "ucdp-ged", b"id,date_start\n1,2014-01-01\n")
    assert gc.isenabled()


def test_the_collector_resumes_only_when_the_last_of_overlapping_imports_ends() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    during: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            during.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        pass
    during.append(gc.isenabled())  # the first import still runs
    second_done.set()
    thread.join(5)
    assert during == [False, False]
    assert gc.isenabled()


def test_a_collector_disabled_before_an_import_stays_disabled_after_it() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_import_benchmark_imports_every_format_and_adds_nothing_the_second_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_imports.main(["--rows", "40", "--pa-rows", "10", "--database", "sqlite"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[1] for line in lines] == list(bench_imports.FORMATS)
    for line in lines:
        added, then = line.split("  ")[-1].split(" then ")
        assert int(added.replace(",", "")) > 0, line
        assert then == "0", line
