"""Which migrations of a directory staging's migration tool has already applied.

A directory stands for the migrations a tool would apply going up (files.py), and the
tool skips those its history table on the database records as applied. The gate must
skip them too: re-running `V1__create_coupons.sql` on a staging that has it fails
("relation already exists"), the trace stops there, and every later migration is judged
on the wrong database (its tables missing, or created empty by the re-run).

Only where a file maps to one history row by its name alone, with certainty:

- Flyway: `V<version>__desc.sql` against `flyway_schema_history.version` rows with
  `success` (versions compared as Flyway compares them: `1.0` is `1`, `_` is `.`);
- Rails: `<14-digit timestamp>_name.sql` against a `schema_migrations` table whose only
  column is `version` (golang-migrate's table of the same name has `dirty` and stores only
  the latest version: not read);
- Django: `<app>/[migrations/]<name>.sql` against `django_migrations` (app, name), when
  the folder is named as an app the table knows.

Files named on the command line are the user's choice: they are judged whatever the
history says (the report notes that they were recorded as applied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.db import connection
from dbrefresh.errors import InfraError, first_line
from dbrefresh.gate.files import Found, flyway_version

_RAILS = re.compile(r"^(?P<version>\d{14})_[^.]*\.sql$")
_TABLES = """
SELECT c.relname, c.oid::regclass::text,
       array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum > 0)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
WHERE c.relname IN ('flyway_schema_history', 'schema_migrations', 'django_migrations')
  AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)
GROUP BY c.oid, c.relname
"""


@dataclass(frozen=True)
class Applied:
    """A file its tool's history records as applied."""

    path: Path
    tool: str
    table: str
    version: str


@dataclass
class History:
    """What staging's history tables say (read once), and what could not be read."""

    flyway: set[tuple[int, ...]]
    flyway_table: str = ""
    rails: set[str] | None = None
    rails_table: str = ""
    django: set[tuple[str, str]] | None = None
    django_table: str = ""
    problems: tuple[str, ...] = ()

    def applied(self, path: Path) -> Applied | None:
        version = flyway_version(path.name)
        if version is not None and self.flyway_table:
            if version in self.flyway:
                shown = ".".join(str(p) for p in version)
                return Applied(path, "Flyway", self.flyway_table, shown)
            return None
        rails = _RAILS.match(path.name)
        if rails and self.rails is not None and rails["version"] in self.rails:
            return Applied(path, "Rails", self.rails_table, rails["version"])
        if self.django is not None:
            for app in _django_apps(path):
                if (app, path.stem) in self.django:
                    return Applied(path, "Django", self.django_table, f"{app}.{path.stem}")
        return None


def _django_apps(path: Path) -> list[str]:
    """The app label a Django migration's folder names: `shop/migrations/0002_x.sql`
    or `shop/0002_x.sql`."""
    parent = path.parent
    apps = [parent.name]
    if parent.name == "migrations":
        apps = [parent.parent.name]
    return [a for a in apps if a]


def _parse_flyway(text: str) -> tuple[int, ...] | None:
    """A version as Flyway compares it (`1.0` is `1`, `1_1` is `1.1`); None: not one."""
    if not re.fullmatch(r"\d+(?:[._]\d+)*", text.strip()):
        return None
    parts = [int(p) for p in re.split(r"[._]", text.strip())]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def read_history(dsn: str) -> History:
    """The history tables staging's session sees on its search_path (as the tool, which
    connects with the same settings, would use them)."""
    history = History(set())
    problems: list[str] = []
    with connection(dsn, autocommit=True) as conn:
        tables = conn.execute(_TABLES).fetchall()
        for relname, table, columns in tables:
            cols = set(columns or ())
            try:
                _read(conn, history, str(relname), str(table), cols)
            except psycopg.Error as exc:
                problems.append(f"{table}: {first_line(exc)}")
    history.problems = tuple(problems)
    return history


def _read(
    conn: psycopg.Connection[Any], history: History, relname: str, table: str, cols: set[str]
) -> None:
    ident = sql.SQL(table)  # regclass text: already quoted and qualified as needed
    if relname == "flyway_schema_history" and {"version", "success"} <= cols:
        query = "SELECT version FROM {} WHERE success AND version IS NOT NULL"
        rows = conn.execute(sql.SQL(query).format(ident)).fetchall()
        history.flyway = {v for (raw,) in rows if (v := _parse_flyway(str(raw))) is not None}
        history.flyway_table = table
    elif relname == "schema_migrations" and cols == {"version"}:
        rows = conn.execute(sql.SQL("SELECT version::text FROM {}").format(ident)).fetchall()
        history.rails = {str(v) for (v,) in rows}
        history.rails_table = table
    elif relname == "django_migrations" and {"app", "name"} <= cols:
        rows = conn.execute(sql.SQL("SELECT app, name FROM {}").format(ident)).fetchall()
        history.django = {(str(a), str(n)) for a, n in rows}
        history.django_table = table


def _described(applied: list[Applied]) -> str:
    shown = [f"{a.path} ({a.tool} {a.version})" for a in applied[:5]]
    more = f" and {len(applied) - 5} more" if len(applied) > 5 else ""
    return ", ".join(shown) + more


def skip_applied(dsn: str, found: Found) -> list[str]:
    """Drop from `found` the files of its directories that staging's history records as
    applied (the tool would not run them); the notes saying which, and why."""
    try:
        history = read_history(dsn)
    except InfraError as exc:
        return [f"migration history not read ({exc}): no applied migration skipped"]
    notes = [f"migration history not read: {p}" for p in history.problems]
    expanded = set(found.expanded)
    skipped: list[Applied] = []
    named: list[Applied] = []
    for path in found.files:
        applied = history.applied(path)
        if applied is not None:
            (skipped if path in expanded else named).append(applied)
    if skipped:
        gone = {a.path for a in skipped}
        found.files = [p for p in found.files if p not in gone]
        tables = ", ".join(dict.fromkeys(a.table for a in skipped))
        notes.append(
            f"skipped {len(skipped)} migration(s) already applied on staging "
            f"(recorded in {tables}; the tool would not run them again): {_described(skipped)}"
        )
    if named:
        notes.append(
            f"judged as named, though staging records them as applied: {_described(named)}"
        )
    return notes
