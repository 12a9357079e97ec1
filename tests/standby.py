"""A streaming hot standby of the test cluster, for the replica tests and the scale-out benchmark.

``streaming_standby(primary_url)`` copies the running cluster with
``pg_basebackup -R`` (which writes ``standby.signal`` and ``primary_conninfo``)
into a temporary directory, starts it with ``pg_ctl`` on a free port, waits
until it accepts connections in recovery, and on leaving stops it, drops its
replication slot and removes the directory.  The slot keeps the primary's WAL
until the standby has it, so a standby slowed by a busy machine falls behind
but never off; slots left by a run that was killed are dropped by the next.

It works where the cluster is local (the primary is on 127.0.0.1) and its
server's binaries are on this machine; the cluster must have ``wal_level`` of
``replica`` or more and accept replication connections from 127.0.0.1
(``.ci/run`` sees to both).  PostgreSQL refuses to run as root, so as root the
standby runs as the primary's OS user (``postgres``).  Anything missing raises
``StandbyUnavailable`` with the reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from events.log.database_url import libpq_url

SLOT_PREFIX = "cs_standby_"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "")


class StandbyUnavailable(Exception):
    """A standby of the test cluster cannot be made here; the message says why."""


@dataclass(frozen=True)
class Standby:
    """A running standby: ``url`` is the primary's URL with the standby's port."""

    url: str
    port: int
    directory: Path
    slot: str
    primary_url: str

    def url_for(self, primary_url: str) -> str:
        """``primary_url`` (say, with a schema) pointed at the standby."""
        parts = urlsplit(primary_url)
        host = parts.hostname or "127.0.0.1"
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return parts._replace(netloc=f"{netloc}{host}:{self.port}").geturl()

    def wait_for_replay(self, timeout: float = 30.0) -> float:
        """Wait until the standby has replayed everything the primary had written when called; the seconds it took."""
        started = time.monotonic()
        with psycopg.connect(_without_query(self.primary_url), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        with psycopg.connect(_without_query(self.url), autocommit=True) as standby:
            while True:
                row = standby.execute(
                    "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0", [target]
                ).fetchone()
                if row and row[0]:
                    return time.monotonic() - started
                if time.monotonic() - started > timeout:
                    raise AssertionError(f"the standby did not replay {target} within {timeout:g} s")
                time.sleep(0.02)

    def lag(self) -> tuple[float | None, int | None]:
        """The primary's view of this standby: replay lag in seconds (None when idle) and WAL bytes not yet replayed."""
        with psycopg.connect(_without_query(self.primary_url), autocommit=True) as primary:
            row = primary.execute(
                "SELECT EXTRACT(EPOCH FROM r.replay_lag), pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)"
                " FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid"
                " WHERE s.slot_name = %s",
                [self.slot],
            ).fetchone()
        if row is None:
            return None, None
        return (float(row[0]) if row[0] is not None else None), (int(row[1]) if row[1] is not None else None)


@contextmanager
def streaming_standby(primary_url: str) -> Iterator[Standby]:
    """A hot standby of the cluster at ``primary_url``, stopped and removed afterwards (see the module's docstring)."""
    parts = urlsplit(primary_url)
    if (parts.hostname or "") not in LOCAL_HOSTS:
        raise StandbyUnavailable(f"PostgreSQL at {parts.hostname} is not on this machine: no standby can be copied")
    bin_dir, owner = _server(primary_url)
    _drop_abandoned_slots(primary_url)
    port = _free_port()
    slot = f"{SLOT_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    top = Path(tempfile.mkdtemp(prefix="conflict-status-standby-"))
    data = top / "data"
    run_as = _run_as(owner, top)
    try:
        user = parts.username or "postgres"
        conninfo = f"host={parts.hostname or '127.0.0.1'} port={parts.port or 5432} user={user}"
        copy = ["-d", conninfo, "-D", str(data), "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot, "--no-sync"]
        _run([*run_as, str(bin_dir / "pg_basebackup"), *copy], "pg_basebackup")
        _configure(data, port, primary_url, run_as)
        log_file = top / "standby.log"
        _run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log_file), "-w", "-t", "120", "start"],
            "pg_ctl start",
            log_file,
        )
        try:
            standby = Standby("", port, top, slot, primary_url)
            standby = Standby(standby.url_for(primary_url), port, top, slot, primary_url)
            with psycopg.connect(_without_query(standby.url), autocommit=True) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                    raise StandbyUnavailable("the copy started as a primary, not as a standby")
            yield standby
        finally:
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                check=False,
                timeout=120,
            )
    finally:
        _drop_slot(primary_url, slot)
        shutil.rmtree(top, ignore_errors=True)


def _server(primary_url: str) -> tuple[Path, str]:
    """The directory of the primary's server binaries, and the OS user that owns its data (to run the standby as)."""
    try:
        with psycopg.connect(_without_query(primary_url), connect_timeout=3, autocommit=True) as conn:
            version = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000  # type: ignore[index]
            level = conn.execute("SHOW wal_level").fetchone()[0]  # type: ignore[index]
            data_directory = conn.execute("SELECT current_setting('data_directory', true)").fetchone()[0]  # type: ignore[index]
    except psycopg.Error as e:
        raise StandbyUnavailable(f"PostgreSQL at {urlsplit(primary_url).hostname} does not answer ({e})") from None
    if level == "minimal":
        raise StandbyUnavailable("the cluster's wal_level is minimal: a standby needs replica (see .ci/run)")
    candidates = [Path(f"/usr/lib/postgresql/{version}/bin")]
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    bin_dir = next((d for d in candidates if (d / "pg_ctl").exists() and (d / "pg_basebackup").exists()), None)
    if bin_dir is None:
        raise StandbyUnavailable(f"no PostgreSQL {version} server binaries (pg_ctl, pg_basebackup) on this machine")
    try:
        owner = pwd.getpwuid(Path(data_directory).stat().st_uid).pw_name if data_directory else "postgres"
    except (OSError, KeyError):
        owner = "postgres"
    return bin_dir, owner


def _run_as(owner: str, top: Path) -> list[str]:
    """The command prefix that runs as the server's owner when this process is root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam(owner)
    except KeyError:
        raise StandbyUnavailable(f"running as root and there is no '{owner}' user to run a standby as") from None
    os.chown(top, account.pw_uid, account.pw_gid)
    return ["runuser", "-u", owner, "--"]


def _configure(data: Path, port: int, primary_url: str, run_as: list[str]) -> None:
    """The standby's own settings: its port and socket, hot standby, and what must match the primary."""
    with psycopg.connect(_without_query(primary_url), autocommit=True) as conn:
        matched = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_wal_senders",
                "max_prepared_transactions",
                "max_locks_per_transaction",
            )
        }
    settings = {
        "port": str(port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{data}'",
        "hot_standby": "on",
        "hot_standby_feedback": "on",  # the primary keeps rows a standby query still reads
        "fsync": "off",  # a throwaway copy
        "logging_collector": "off",
        **matched,
    }
    (data / "postgresql.conf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    if run_as:
        account = pwd.getpwnam(run_as[2])
        for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            os.chown(data / name, account.pw_uid, account.pw_gid)


def _run(command: list[str], what: str, log_file: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        told = (done.stderr or done.stdout).strip()
        if log_file is not None and log_file.exists():
            told += "\n" + log_file.read_text(errors="replace")[-2000:]
        raise StandbyUnavailable(f"{what} failed: {told}")


def _drop_slot(primary_url: str, slot: str) -> None:
    with psycopg.connect(_without_query(primary_url), autocommit=True) as conn:
        for _ in range(50):  # the walsender lets go of the slot a moment after the standby stops
            row = conn.execute("SELECT active FROM pg_replication_slots WHERE slot_name = %s", [slot]).fetchone()
            if row is None:
                return
            if not row[0]:
                conn.execute("SELECT pg_drop_replication_slot(%s)", [slot])
                return
            time.sleep(0.1)


def _drop_abandoned_slots(primary_url: str) -> None:
    """Drop the inactive slots of standbys whose process is gone (a run that was killed)."""
    with psycopg.connect(_without_query(primary_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT slot_name FROM pg_replication_slots WHERE NOT active AND slot_name LIKE %s", [SLOT_PREFIX + "%"]
        ).fetchall()
        for (name,) in rows:
            pid = name[len(SLOT_PREFIX) :].split("_", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                conn.execute("SELECT pg_drop_replication_slot(%s)", [name])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _without_query(url: str) -> str:
    """A URL for libpq: the service's own parameters (``schema``, pool sizes) removed."""
    return libpq_url(url)
