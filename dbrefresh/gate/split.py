"""Migration files -> scripts -> statements, parsed with PostgreSQL's own grammar (pglast).

Which files a path stands for, and their order, is files.py's. A file is one script,
unless it opens with a `-- 1.sql` marker line (the format of eugene's examples): then each
`-- N.sql` line (digits) starts a script; or it is Liquibase's formatted SQL (first line
`--liquibase formatted sql`): then each `--changeset author:id` starts a script, run in a
transaction unless the changeset says `runInTransaction:false`. Comments `-- gate:
ignore rule-id, ...` (or eugene's `-- eugene: ignore E2, E4`) just before a statement
suppress those rules for it. Line numbers come from the parser's own statement offsets
(pglast reports them in characters), so dollar-quoted bodies, comments and non-ASCII text
never shift them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pglast.parser import ParseError, parse_sql

from dbrefresh.errors import UsageError
from dbrefresh.gate.files import find
from dbrefresh.gate.model import Script, Statement

# eugene's corpus format: `-- 1.sql`, `-- 2.sql` lines, each starting a script. Only digit
# names count, and only in a file that opens with one: a user's `-- down.sql` comment in
# an ordinary migration must stay a comment (splitting would change its transactions).
_MARKER = re.compile(r"^--[ \t]*(?P<name>\d+\.sql)[ \t\r]*$", re.M)
# Liquibase's formatted SQL: a first line `--liquibase formatted sql`, then changesets
# `--changeset author:id [attribute:value ...]`, each run in its own transaction unless
# it says `runInTransaction:false`
_LIQUIBASE = re.compile(r"--[ \t]*liquibase[ \t]+formatted[ \t]+sql\b.*", re.I)
_CHANGESET = re.compile(r"^--[ \t]*changeset[ \t]+(?P<id>\S+)(?P<attrs>[^\n]*)$", re.I | re.M)
_NO_TRANSACTION = re.compile(r"\brunInTransaction[ \t]*:[ \t]*false\b", re.I)
# Flyway's script configuration, in the comment lines that open the script (or in a
# `V1__x.sql.conf` beside it): `executeInTransaction=false` runs it outside a transaction
_FLYWAY_OPENING = re.compile(r"\A(?:[ \t]*(?:--[^\n]*)?\n)*")
_FLYWAY_NO_TX = re.compile(
    r"^[ \t]*--[ \t]*flyway:executeInTransaction[ \t]*=[ \t]*false[ \t\r]*$", re.I | re.M
)
_FLYWAY_CONF_NO_TX = re.compile(r"^[ \t]*executeInTransaction[ \t]*=[ \t]*false\b", re.I | re.M)
# pg_dump's data section: `COPY t (a, b) FROM stdin;` then rows, then `\.` (psql input)
_COPY_STDIN = re.compile(r"^[ \t]*COPY\b[^;]*?\bFROM\s+STDIN\b[^;]*;", re.I | re.M)
_IGNORE = re.compile(r"--\s*(?:gate|eugene)\s*:\s*ignore\s+(?P<ids>[\w\-]+(?:\s*,\s*[\w\-]+)*)")


class _Lines:
    """Offset -> 1-based line number, by bisecting the newline positions (O(log n))."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1


def _suppressions(gap: str) -> frozenset[str]:
    ids: set[str] = set()
    for match in _IGNORE.finditer(gap):
        ids.update(i.strip() for i in match["ids"].split(","))
    return frozenset(ids)


def _inline_copy(source: str, position: int) -> int | None:
    """Where the `COPY ... FROM stdin` whose inline rows the parser choked on starts."""
    starts = [m.start() for m in _COPY_STDIN.finditer(source) if m.end() <= position]
    return starts[-1] if starts else None


# what psql reads and PostgreSQL never sees: `\set`, `\connect`, `\gexec`; `:var`, `:'var'`
_PSQL_COMMAND = re.compile(r"\\[A-Za-z!?]*")
_PSQL_VARIABLE = re.compile(r":(?:[A-Za-z_]\w*|'[A-Za-z_]\w*'|\"[A-Za-z_]\w*\")")


def _psql_message(source: str, position: int) -> str | None:
    """Why a psql script is no plain SQL, when the parser choked on a meta-command or a
    variable (None: another syntax error)."""
    command = _PSQL_COMMAND.match(source, position)
    if command:
        what = f"`{command[0]}` is a psql meta-command"
    else:
        variable = _PSQL_VARIABLE.match(source, position)
        if variable is None:
            return None
        what = f"`{variable[0]}` is a psql variable"
    return (
        f"{what}: the gate reads plain SQL (what a migration tool sends to PostgreSQL), not "
        "psql scripts. Give it the SQL as psql would send it: variables substituted, "
        "meta-commands left out (a \\connect's database is the one --dsn names; the gate "
        "stops at the first error as ON_ERROR_STOP would)"
    )


def _copy_message(file: str, line: int) -> str:
    return (
        f"{file}:{line}: COPY ... FROM stdin with inline data is not supported: the rows "
        "after it (up to `\\.`) are psql's input, not SQL, so the file cannot be parsed. "
        "Write the rows as INSERT statements (pg_dump --inserts does), or keep the data load "
        "in a file of its own and leave that file out of the gate's paths"
    )


def parse_script(
    text: str,
    *,
    file: str,
    name: str,
    base: int = 0,
    stop: int | None = None,
    first_index: int = 0,
    wrapped: bool | None = None,
) -> Script:
    """Parse text[base:stop] (one script of a file) into statements with file lines."""
    source = text[base:stop]
    lines = _Lines(text)
    try:
        raw = parse_sql(source)
    except ParseError as exc:
        position = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        copy = _inline_copy(source, position)
        if copy is not None:
            raise UsageError(_copy_message(file, lines.at(base + copy))) from None
        line = lines.at(base + position)
        psql = _psql_message(source, position)
        if psql is not None:
            raise UsageError(f"{file}:{line}: {psql}") from None
        raise UsageError(f"{file}:{line}: syntax error: {exc.args[0]}") from None
    statements: list[Statement] = []
    previous_end = 0
    for i, item in enumerate(raw):
        start = item.stmt_location or 0
        length = item.stmt_len or (len(source) - start)
        statements.append(
            Statement(
                file=file,
                script=name,
                line=lines.at(base + start),
                index=first_index + i,
                text=source[start : start + length].strip(),
                node=item.stmt,
                suppressed=_suppressions(source[previous_end:start]),
            )
        )
        previous_end = start + length
    return Script(
        file=file, name=name, line=lines.at(base), statements=tuple(statements), wrapped=wrapped
    )


def _liquibase(text: str, file: str, first_index: int) -> list[Script]:
    """A Liquibase formatted SQL file -> one script per changeset, each in a transaction
    unless `runInTransaction:false` (what Liquibase does). Statements before the first
    changeset (none, usually) form a script of their own."""
    changesets = list(_CHANGESET.finditer(text))
    parts: list[tuple[str, int, bool | None]] = [("(before the first changeset)", 0, None)]
    for match in changesets:
        outside = bool(_NO_TRANSACTION.search(match["attrs"]))
        parts.append((f"changeset {match['id']}", match.start(), not outside))
    stops = [start for _, start, _ in parts[1:]] + [len(text)]
    scripts: list[Script] = []
    index = first_index
    for (name, start, wrapped), stop in zip(parts, stops, strict=True):
        script = parse_script(
            text, file=file, name=name, base=start, stop=stop, first_index=index, wrapped=wrapped
        )
        if script.statements or wrapped is not None:
            index += len(script.statements)
            scripts.append(script)
    return scripts


def _flyway_outside_transaction(path: Path, text: str) -> bool:
    """Flyway's `-- flyway:executeInTransaction=false` among the script's opening comment
    lines, or `executeInTransaction=false` in its `.sql.conf` file: Flyway then runs the
    script's statements one by one, outside a transaction, whatever --wrap says."""
    opening = _FLYWAY_OPENING.match(text)
    if opening and _FLYWAY_NO_TX.search(opening[0]):
        return True
    conf = path.with_name(path.name + ".conf")
    try:
        return conf.is_file() and bool(_FLYWAY_CONF_NO_TX.search(conf.read_text("utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def split_file(path: Path, *, first_index: int = 0) -> list[Script]:
    """One file -> its scripts (one, or one per `-- N.sql` marker when it opens with one)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:  # utf-8-sig: a BOM (Windows editors) is dropped, not parsed as part of `SET`
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # exc.object is the data after any BOM
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{path}:{line}: not valid UTF-8") from None
    file = str(path)
    opening = text.lstrip().split("\n", 1)[0].rstrip("\r")
    if _LIQUIBASE.fullmatch(opening):
        return _liquibase(text, file, first_index)
    if not _MARKER.fullmatch(opening):
        wrapped = False if _flyway_outside_transaction(path, text) else None
        return [
            parse_script(text, file=file, name=path.name, first_index=first_index, wrapped=wrapped)
        ]
    parts = [(m["name"], m.start()) for m in _MARKER.finditer(text)]  # the first is `opening`
    scripts: list[Script] = []
    index = first_index
    stops = [start for _, start in parts[1:]] + [len(text)]
    for (name, start), stop in zip(parts, stops, strict=True):
        script = parse_script(text, file=file, name=name, base=start, stop=stop, first_index=index)
        index += len(script.statements)
        scripts.append(script)
    return scripts


def load(paths: Sequence[str | Path]) -> list[Script]:
    """Every script of every migration path, parsed, in run order. Nothing is executed."""
    scripts: list[Script] = []
    index = 0
    for path in find(paths).files:
        for script in split_file(path, first_index=index):
            index += len(script.statements)
            scripts.append(script)
    return scripts


def statements(scripts: Iterable[Script]) -> list[Statement]:
    return [s for script in scripts for s in script.statements]
