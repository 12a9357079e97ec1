"""The README's command sessions, run as cram-style tests with prysk and compared with what the README shows.

Every ```console block of README.md is a piece of a shell session: ``$ `` lines
are commands (a command whose quotes are still open, or that ends in ``\\``,
continues on the next lines), the other lines are what it prints, stdout and
stderr together, blank lines included.  Blocks are grouped into sessions by the
README section they are in; each session runs in one shell, in a copy of the
project folder with a database of its own and the virtual environment active.

What differs from run to run is masked in the README's text, never in the
output: ids, hashes, times, keys, signatures, tokens and timings become
patterns of their shape (prysk's ``(re)`` lines), and the README's ports and
PostgreSQL URL are replaced by the test's.  Everything else must match word for
word, and a difference is reported by README line.

prysk (the maintained fork of cram) runs the lines in one shell, tells each
command's output apart, and diffs with its pattern matchers; this module only
turns the README into its input and its diff back into README lines.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prysk.test import test as prysk_test

README = Path(__file__).resolve().parents[2] / "README.md"
INDENT = "  "

#: what differs from run to run, by shape: a README token of the left shape matches any output token of the right one
MASKS: list[tuple[str, str]] = [
    ("uuid", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    ("vkey", r"(?<=\+)[0-9a-f]{8}\+[A-Za-z0-9+/]{44}"),  # a C2SP vkey's key id and key (33 bytes), after its name
    ("timestamp", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"),
    ("sha256", r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])"),
    ("request_id", r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"),
    ("key_id", r"(?<![0-9a-f])[0-9a-f]{16}(?![0-9a-f])"),
    ("token", r"cs_[A-Za-z0-9_-]{20,}"),
    ("base64", r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}"),
    ("seconds", r"\d+\.\d+ s\b"),
    ("rate", r"\d[\d,]* developments/s"),
]
MASK = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in MASKS))
MASKS_BY_NAME = dict(MASKS)
#: a here-document's operator and delimiter (``<<'EOF'``, ``<<-END``)
HEREDOC = re.compile(r"<<(-?)\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
#: the README lines prysk would read as patterns of its own: such a literal line is matched as a pattern instead
PRYSK_SUFFIX = re.compile(r" \((re|glob|esc|no-eol)\)$")


@dataclass(frozen=True)
class Line:
    """A line of the README in a session: its number (1-based) and text."""

    number: int
    text: str


@dataclass
class Block:
    """A ```console block: its section path (headings above it) and its lines."""

    sections: tuple[str, ...]
    opening: int
    lines: list[Line] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    """Every ```console block of the text, with the headings it stands under (outermost first)."""
    found: list[Block] = []
    headings: list[tuple[int, str]] = []
    current: Block | None = None
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if fence:
            if stripped == fence:
                fence = ""
                if current is not None:
                    found.append(current)
                    current = None
            elif current is not None:
                current.lines.append(Line(number, line))
            continue
        if stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
            if stripped[len(fence) :].strip() == "console":
                current = Block(tuple(title for _, title in headings), number)
            continue
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            headings = [(lv, title) for lv, title in headings if lv < level] + [(level, heading.group(2).strip())]
    return found


def prompts_outside_console_blocks(text: str) -> list[Line]:
    """Lines that look like a shell session (``$ command``) but are not in a ```console block, so would not run."""
    found: list[Line] = []
    fence, language = "", ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if fence:
            if stripped == fence:
                fence = ""
            elif language != "console" and stripped.startswith("$ "):
                found.append(Line(number, line))
            continue
        if stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
            language = stripped[len(fence) :].strip()
        elif stripped.startswith("$ "):
            found.append(Line(number, line))
    return found


def complete(command: str) -> bool:
    """Whether a shell command is whole: no quote left open, no trailing backslash, every here-document closed."""
    if command.rstrip().endswith("\\"):
        return False
    first, _, rest = command.partition("\n")
    for dash, delimiter in HEREDOC.findall(first):
        body = [line.lstrip("\t") if dash else line for line in rest.split("\n")]
        if delimiter not in body:
            return False
        rest = "\n".join(rest.split("\n")[body.index(delimiter) + 1 :])
    if HEREDOC.search(first):
        return True
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def expected(text: str, substitutions: Mapping[str, str]) -> str:
    """A README output line as prysk reads it: literal, or a pattern ``(re)`` where something is masked."""
    for old, new in substitutions.items():
        text = text.replace(old, new)
    pieces, end = [], 0
    for match in MASK.finditer(text):
        pieces += [re.escape(text[end : match.start()]), f"(?:{MASKS_BY_NAME[match.lastgroup or '']})"]
        end = match.end()
    if end == 0 and not PRYSK_SUFFIX.search(text):
        return text
    return "".join([*pieces, re.escape(text[end:])]) + " (re)"


@dataclass
class Script:
    """A session as prysk's input, with the README line behind each of its lines (None: a line of our own)."""

    lines: list[str] = field(default_factory=list)
    origins: list[Line | None] = field(default_factory=list)

    def add(self, text: str, origin: Line | None) -> None:
        self.lines.append(text)
        self.origins.append(origin)


def script(session_blocks: Iterable[Block], substitutions: Mapping[str, str]) -> Script:
    """The prysk script of these blocks: commands as ``$``/``>`` lines, output as expected lines."""
    out = Script()

    def substituted(text: str) -> str:
        for old, new in substitutions.items():
            text = text.replace(old, new)
        return text

    for block in session_blocks:
        out.add(f"README.md:{block.opening} (a console block under: {' / '.join(block.sections)})", None)
        command: str | None = None  # the command so far, while it continues on the next line
        for line in block.lines:
            if command is not None:
                out.add(f"{INDENT}> {substituted(line.text)}", line)
                command += "\n" + substituted(line.text)
            elif line.text.startswith("$ "):
                command = substituted(line.text[2:])
                out.add(f"{INDENT}$ {command}", line)
            else:
                out.add(f"{INDENT}{expected(line.text, substitutions)}" if line.text else INDENT, line)
                continue
            if complete(command):
                command = None
        if command is not None:
            raise ValueError(
                f"README.md:{block.lines[-1].number}: a command's quotes are still open at its block's end"
            )
    return out


@dataclass(frozen=True)
class Outcome:
    """What a session printed against what the README shows: the differences, by README line."""

    report: str

    @property
    def same(self) -> bool:
        return not self.report


def run(session: Script, cwd: Path, env: dict[str, str], name: str, shell: str = "/bin/bash") -> Outcome:
    """Run the script in one shell, in ``cwd`` with ``env``, and report every README line whose output differs."""
    started = Script([f"{INDENT}$ cd {shlex.quote(str(cwd))}", *session.lines], [None, *session.origins])
    lines = [(line + "\n").encode() for line in started.lines]
    _, _, diff = prysk_test(lines, shell=shell, indent=len(INDENT), env=env, cleanenv=False)
    return Outcome(_report(list(diff), started, name))


def _report(diff: list[bytes], session: Script, name: str) -> str:
    """prysk's unified diff told as README lines: ``README.md:N`` what the README shows, ``printed`` what ran."""
    if not diff:
        return ""
    out = [f"The README's session '{name}' printed something else than README.md shows:"]
    index = 0
    for raw in diff:
        text = raw.decode("utf-8", "replace").rstrip("\n")
        if text.startswith(("--- ", "+++ ")):
            continue
        hunk = re.match(r"^@@ -(\d+)", text)
        if hunk:
            index = int(hunk.group(1)) - 1
            out.append("   ...")
            continue
        mark, body = text[:1], text[1:]
        if mark == "+":
            printed = body[len(INDENT) :] if body.startswith(INDENT) else body
            exit_status = re.fullmatch(r"\[(\d+)\]", printed)
            out.append(
                f"   printed: {f'(the command exited with status {exit_status.group(1)})' if exit_status else printed}"
            )
            continue
        origin = session.origins[index] if index < len(session.origins) else None
        index += 1
        if origin is None:  # the line that opens a block
            out.append(f"   --- {body}")
            continue
        out.append(f"{'>> ' if mark == '-' else '   '}{f'README.md:{origin.number}':<14} {origin.text}")
    out.append(
        "(>> marks the README lines that differ. Ids, hashes, times, keys and timings are masked: see"
        " tests/readme/sessions.py. Change README.md, or the code, until they agree.)"
    )
    return "\n".join(out)
