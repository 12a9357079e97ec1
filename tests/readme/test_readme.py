"""The README's command sessions run as written and print what the README shows.

Each session is a group of README sections whose ```console blocks run, in
README order, in one shell: in a fresh copy of the project folder (a folder of
links to the clone's files, with ``../shared`` beside it as in a clone), with
the virtual environment active, against a real ``conflict-status serve`` on a
free port that the session starts as the README tells its reader to.  A
difference is reported by README line (see ``tests/readme/sessions.py``).

Whoever changes what a section shows changes the README with it: the failure
names the README line and what was printed instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, drop_postgres_schema, require_postgres
from tests.e2e.server import free_port, stop_group, wait_until_answering
from tests.readme.sessions import README, Block, blocks, prompts_outside_console_blocks, run, script

ROOT = README.parent
SHARED = ROOT.parent / "shared"
VENV = Path(sys.executable).parents[1]
#: what the README's reader is asked to have (see its Set-up)
TOOLS = ("curl", "jq", "sqlite3")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


#: what ``make run`` does after installing: the seed article imported, then the service on port 8000
MAKE_RUN_IMPORT = ["conflict-status", "import", "--example", "seed-article"]
MAKE_RUN_SERVE = "conflict-status serve --host 127.0.0.1 --port 8000"


@dataclass(frozen=True)
class Session:
    """README sections that run in one shell, and what the README has its reader start before them."""

    name: str
    #: headings (any level) whose console blocks the session runs, with those of their subsections
    sections: tuple[str, ...]
    #: ``make run`` serves the seeded default database (on port 8000) while the session runs
    make_run: bool = False
    #: a server the README tells its reader to start in another terminal (as written there), and its port
    serve: str = ""
    port: int = 0
    #: the PostgreSQL URL the README names, which the session points at a fresh schema of its own
    postgres: str = ""

    @property
    def server(self) -> tuple[str, int] | None:
        """The command that starts the session's server, and its port in the README."""
        if self.make_run:
            return MAKE_RUN_SERVE, 8000
        return (self.serve, self.port) if self.serve else None

    def substitutions(self, port: int, postgres: str) -> dict[str, str]:
        """README text -> the session's: the server's port (in URLs and --port) and the PostgreSQL URL."""
        changes = {}
        if self.server:
            readme_port = self.server[1]
            changes = {f":{readme_port}/": f":{port}/", f"--port {readme_port}": f"--port {port}"}
        if self.postgres:
            changes[self.postgres] = postgres
        return changes


SESSIONS = [
    Session(
        "recording, asking and auditing on the seeded database",
        ("Recording developments", "Asking for the state", "Auditing the log", "Following changes"),
        make_run=True,
    ),
    Session(
        "importing the data sets into an empty database",
        ("Importing the data sets research groups hold",),
        serve="DATABASE_URL=sqlite:///$PWD/imported.db conflict-status serve --port 8001",
        port=8001,
    ),
    Session(
        "eastern Ukraine with the seed article and the data sets",
        ("Eastern Ukraine on 15 January 2020: the article and the data sets together",),
        make_run=True,
    ),
    Session(
        "backup and restore from SQLite to PostgreSQL",
        ("Backup and restore",),
        make_run=True,
        postgres="postgresql://postgres@127.0.0.1:5432/test?schema=restored",
    ),
]


def readme_blocks() -> list[Block]:
    return blocks(README.read_text(encoding="utf-8"))


def session_blocks(session: Session) -> list[Block]:
    return [b for b in readme_blocks() if set(b.sections) & set(session.sections)]


def test_every_console_block_of_the_readme_is_run_by_exactly_one_session() -> None:
    for block in readme_blocks():
        owners = [s.name for s in SESSIONS if set(block.sections) & set(s.sections)]
        assert len(owners) == 1, (
            f"README.md:{block.opening}: the console block under {' / '.join(block.sections)} is run by "
            f"{owners or 'no session'}: add its section to one session in tests/readme/test_readme.py"
            " (or make it a ```sh block, whose output is not shown)"
        )


def test_no_shell_session_in_the_readme_escapes_the_tests() -> None:
    stray = prompts_outside_console_blocks(README.read_text(encoding="utf-8"))
    assert stray == [], "\n".join(
        f"README.md:{line.number}: '$ ' outside a ```console block (it would not be run): {line.text.strip()}"
        for line in stray
    )


def test_what_a_session_starts_and_replaces_is_what_its_readme_blocks_say() -> None:
    text = README.read_text(encoding="utf-8")
    for session in SESSIONS:
        assert session_blocks(session), f"no console block under {session.sections} in README.md"
        shown = "\n".join(line.text for block in session_blocks(session) for line in block.lines)
        if session.serve:
            assert session.serve in text, f"README.md no longer tells its reader to run: {session.serve}"
            assert f":{session.port}/" in shown, f"session '{session.name}' serves on {session.port}, unused"
        if session.postgres:
            assert session.postgres in shown, f"session '{session.name}' replaces {session.postgres}, unused"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert " ".join(MAKE_RUN_IMPORT[1:]) in makefile and "serve --host $(HOST) --port $(PORT)" in makefile


def test_a_readme_line_that_differs_is_reported_by_its_number(tmp_path: Path) -> None:
    text = "# A\n\n```console\n$ echo one; echo two\none\nthree\n$ echo 96c3f3d7-43b4-42ea-b407-a7a9856c5466\n"
    text += "00000000-1111-2222-3333-444444444444\n```\n"
    outcome = run(script(blocks(text), {}), tmp_path, {"PATH": os.environ["PATH"]}, "example")
    assert ">> README.md:6" in outcome.report and "three" in outcome.report
    assert "printed: two" in outcome.report
    assert "README.md:8" not in outcome.report.replace("README.md:8 ", "")  # the masked id matched


@pytest.mark.e2e
@pytest.mark.parametrize("session", SESSIONS, ids=[s.name.split(" ")[0].strip(",") for s in SESSIONS])
def test_the_readme_session_prints_what_the_readme_shows(session: Session, tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing or not (SHARED / "data").is_dir():
        why = f"the README's sessions need {', '.join(missing)}" if missing else f"no shared data at {SHARED / 'data'}"
        if IN_CI:
            pytest.fail(f"{why}, and CI is set: the README's sessions must run in CI (.ci/run installs the tools)")
        pytest.skip(why)
    project = project_folder(tmp_path)
    env = shell_environment()
    with ExitStack() as stack:
        postgres = stack.enter_context(fresh_postgres_schema()) if session.postgres else ""
        port = free_port() if session.server else 0
        if session.make_run:
            subprocess.run(MAKE_RUN_IMPORT, cwd=project, env=env, check=True, capture_output=True, timeout=120)
        if session.server:
            command, readme_port = session.server
            command = command.replace(f"--port {readme_port}", f"--port {port}")
            stack.enter_context(background(command, project, env, port, tmp_path / "serve.log"))
        prysk_script = script(session_blocks(session), session.substitutions(port, postgres))
        outcome = run(prysk_script, project, env, session.name)
    if not outcome.same:
        pytest.fail(outcome.report, pytrace=False)


def project_folder(tmp_path: Path) -> Path:
    """A folder of links to the clone's tracked files and its venv, with ``../shared`` beside it; no database."""
    project = tmp_path / "project"
    project.mkdir()
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in sorted({path.split("/", 1)[0] for path in tracked.splitlines()}):
        (project / name).symlink_to(ROOT / name)
    (project / ".venv").symlink_to(VENV)
    (tmp_path / "shared").symlink_to(SHARED)
    return project


def shell_environment() -> dict[str, str]:
    """A shell as the README's reader has it: the venv active, a UTF-8 locale, and none of the service's settings."""
    return {
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "VIRTUAL_ENV": str(VENV),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave as on a terminal
    }


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """The URL of a schema that does not exist yet (the README's commands create it), dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        yield f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}schema={schema}"
    finally:
        drop_postgres_schema(schema)


@contextmanager
def background(command: str, cwd: Path, env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """Run a server command in the background (as in a second terminal) until it answers /healthz; stop it after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_answering(process, f"http://127.0.0.1:{port}", log, command)
        yield
    finally:
        stop_group(process)
