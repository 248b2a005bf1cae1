"""Every database of the clone, the ones production keeps closed or as templates too.

A database with `datallowconn = false`, or a template holding tables (a `vip` table
someone created in template1, a copy of the app database marked IS_TEMPLATE), holds
personal data like any other: the copy brings it along. So the workflow opens every
database of the clone (it is ours) to isolate, mask, drop or refuse it like the others,
and closes again those production kept closed, so staging looks like production.
`template0` is never connectable and holds no user data (it is frozen): it is left alone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from psycopg import sql

from dbrefresh.db import connection, with_database
from dbrefresh.workflow import masking, sqlutil
from dbrefresh.workflow.journal import Journal

FROZEN = "template0"
OPENED_EVENT = "databases_opened"  # journal event: which databases the run opened


@dataclass(frozen=True)
class Database:
    name: str
    allow_connections: bool
    is_template: bool


def cluster_databases(admin_dsn: str) -> list[Database]:
    """Every database but template0, by name."""
    with connection(admin_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname, datallowconn, datistemplate FROM pg_database "
            "WHERE datname <> %s ORDER BY datname",
            (FROZEN,),
        ).fetchall()
    return [Database(str(name), bool(allow), bool(template)) for name, allow, template in rows]


def open_all(admin_dsn: str, journal: Journal, run_id: str) -> list[str]:
    """ALLOW_CONNECTIONS on every closed database of the clone; returns their names.

    The names are journaled before anything changes, so finalize closes them again
    even when this step was killed halfway and resumed on the same clone.
    """
    closed = [d.name for d in cluster_databases(admin_dsn) if not d.allow_connections]
    if closed:
        journal.append(run_id, OPENED_EVENT, databases=closed)
    _allow(admin_dsn, closed, allow=True)
    return closed


def opened_in_run(journal: Journal, run_id: str) -> list[str]:
    """The databases this run opened on its current clone (a restart from a fresh
    snapshot forgets those of the clone it discarded)."""
    names: dict[str, None] = {}
    for event in journal.events(run_id):
        if event.get("event") == OPENED_EVENT:
            names.update(dict.fromkeys(str(n) for n in event.get("databases", [])))
        elif event.get("event") == "step_reset" and "snapshot_source" in event.get("steps", []):
            names.clear()
    return list(names)


def uncovered(admin_dsn: str, covered: Collection[str]) -> list[str]:
    """Databases of the clone that hold something (tables, large objects) no rule file
    covers (verify's coverage: the anonymize step dropped or refused each of them)."""
    return masking.uncovered_databases(
        sqlutil.databases(admin_dsn),
        covered,
        sqlutil.templates(admin_dsn),
        lambda db: sqlutil.user_data_count(with_database(admin_dsn, db)) > 0,
    )


def close_again(admin_dsn: str, names: Iterable[str]) -> list[str]:
    """ALLOW_CONNECTIONS false on those of `names` still in the clone (the others were
    dropped); returns them."""
    present = {d.name for d in cluster_databases(admin_dsn)}
    closing = [n for n in names if n in present]
    _allow(admin_dsn, closing, allow=False)
    return closing


def _allow(admin_dsn: str, names: Sequence[str], *, allow: bool) -> None:
    if not names:
        return
    with connection(admin_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(name), sql.SQL("true" if allow else "false")
                )
            )


def drop_template(admin_dsn: str, name: str) -> None:
    """Drop a template database; template1 is rebuilt empty from template0 instead
    (CREATE DATABASE's default template must exist), as PostgreSQL's documentation
    describes, keeping its encoding and locale."""
    ident = sql.Identifier(name)
    with connection(admin_dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
            "WHERE datname = %s",
            (name,),
        ).fetchone()
        if row is None:
            return
        conn.execute(sql.SQL("ALTER DATABASE {} IS_TEMPLATE false").format(ident))
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
        if name == "template1":
            conn.execute(
                sql.SQL(
                    "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} "
                    "LC_CTYPE {} IS_TEMPLATE true"
                ).format(ident, *(sql.Literal(v) for v in row))
            )
