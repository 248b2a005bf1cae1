"""dbrefresh's own schema in a clone: refuse a production that already has one with
tables of its own.

Coverage, masking and verify leave the `dbrefresh` schema out (it is where dbrefresh
keeps its marker, leak hashes and refresh_info in the clone), so tables production
keeps in a schema of that name reached staging unmasked while verify passed. Before
the schema is installed, any table there that is not one dbrefresh creates
(sql/schema.sql; a resumed step finds its own) refuses the run.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.db import connection, with_database
from dbrefresh.errors import UsageError

SCHEMA = "dbrefresh"
# The tables sql/schema.sql creates (tests/workflow/test_own_schema.py checks the list).
OWN_TABLES = frozenset(
    {
        "clone_marker",
        "leak_hashes",
        "leak_path_hashes",
        "masked_relations",
        "masking_key",
        "refresh_info",
        "refreshed_views",
    }
)


def foreign_tables(dsn: str) -> list[str]:
    """Tables, partitioned tables and materialized views in schema dbrefresh that
    dbrefresh did not create, qualified, sorted."""
    with connection(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r','p','m') AND NOT c.relname = ANY(%s) "
            "ORDER BY 1",
            (SCHEMA, sorted(OWN_TABLES)),
        ).fetchall()
    return [f"{SCHEMA}.{r[0]}" for r in rows]


def refuse_foreign_tables(admin_dsn: str, databases: Sequence[str]) -> None:
    """UsageError naming every database and table production keeps in schema dbrefresh."""
    found = {db: foreign_tables(with_database(admin_dsn, db)) for db in databases}
    lines = [f"{db}: {', '.join(tables)}" for db, tables in found.items() if tables]
    if lines:
        raise UsageError(
            f"production keeps tables in a schema named {SCHEMA}, which dbrefresh installs "
            "into the clone and leaves out of masking and verify, so they would reach "
            "staging unmasked; rename that schema in production (ALTER SCHEMA dbrefresh "
            "RENAME TO ...), staging untouched:\n  " + "\n  ".join(lines)
        )
