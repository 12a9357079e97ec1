"""Projections stored by older folds are rebuilt before they answer: an upgrade never reads a state of another shape.

Readers never write, so a reader refuses to answer from them (503) until a writer
has caught up, which rebuilds them first (``serve`` does as it starts).
"""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from events.log.admission import Submission
from events.log.application import ConflictLog
from projections.database import FOLDS_NAME, open_database
from projections.folds import FOLD_VERSION
from projections.queries import Queries
from projections.store import ProjectionReader, ProjectionsOutdated, ProjectionStore
from tests.conftest import seed_lines


def test_states_made_by_an_older_fold_are_refused_by_readers_until_a_writer_rebuilds_them(
    log: ConflictLog, database_url: str
) -> None:
    log.submit_many([Submission(orjson.loads(line)) for line in seed_lines()])
    db = open_database(database_url)
    try:
        db.create_tables()
        ProjectionStore(log, db).catch_up()
        with db.write() as sql:  # as the folds before ceasefire histories left them
            row = sql.execute(
                "SELECT state FROM {p}proj_state WHERE scope = 'conflict' AND key = 'ukraine-east'"
            ).fetchone()
            old = orjson.loads(row[0])
            for key in ("ceasefire_history", "unattributed", "last_fighting", "intensity", "episode"):
                old.pop(key)
            sql.execute(
                "UPDATE {p}proj_state SET state = ? WHERE scope = 'conflict' AND key = 'ukraine-east'",
                [orjson.dumps(old).decode()],
            )
            sql.execute("UPDATE {p}proj_tracking SET position = 1 WHERE name = ?", [FOLDS_NAME])
        with pytest.raises(ProjectionsOutdated):
            Queries(log, ProjectionReader(log, db)).conflict("ukraine-east", date(2030, 1, 1))
        ProjectionStore(log, db).catch_up()  # a writer
        answer = Queries(log, ProjectionReader(log, db)).conflict("ukraine-east", date(2030, 1, 1))
        assert answer["ceasefire"]["status"] == "violated" and answer["ceasefire"]["history"] == []
        with db.read() as sql:
            version = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [FOLDS_NAME]).fetchone()
        assert int(version[0]) == FOLD_VERSION
    finally:
        db.close()


def test_a_new_database_starts_at_the_current_fold_version_without_a_rebuild(
    log: ConflictLog, database_url: str
) -> None:
    db = open_database(database_url)
    try:
        db.create_tables()
        store = ProjectionStore(log, db)
        store.catch_up()
        with db.read() as sql:
            version = sql.execute("SELECT position FROM {p}proj_tracking WHERE name = ?", [FOLDS_NAME]).fetchone()
        assert int(version[0]) == FOLD_VERSION
    finally:
        db.close()
