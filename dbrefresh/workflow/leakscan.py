"""The byte search of verify on the local backend: originals sampled before masking,
searched for in every file of the clone's data directory after masking.

A hit proves a leak unless the same bytes are legitimately there after masking: a fake
value that happens to equal a real one (the dictionaries are real-looking names), a
masked value containing it, or dbrefresh's own dictionaries (function bodies). Those
needles are set aside, checked precisely for the few that hit, never assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.db import connection
from dbrefresh.workflow.bytesearch import search_tree
from dbrefresh.workflow.leakplace import describe

PER_NEEDLE = 20  # files reported per original value: enough to say where it survives


def _contained(
    conn: psycopg.Connection[Any], needles: list[str], source: sql.Composable
) -> set[str]:
    """Needles that occur as a substring of some text produced by `source` (one column)."""
    query = sql.SQL(
        "SELECT v FROM unnest(%s::text[]) v WHERE EXISTS "
        "(SELECT 1 FROM ({src}) s(t) WHERE strpos(s.t, v) > 0)"
    ).format(src=source)
    try:
        with conn.transaction():
            return {r[0] for r in conn.execute(query, (needles,)).fetchall()}
    except psycopg.Error:
        return set()


def legitimate(dsn: str, needles: Sequence[bytes], columns: Sequence[str]) -> set[bytes]:
    """Needles present on purpose after masking (see module docstring)."""
    texts = [n.decode() for n in needles]
    found: set[str] = set()
    with connection(dsn) as conn:
        found |= _contained(
            conn,
            texts,
            sql.SQL(
                "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'dbrefresh'"
            ),
        )
        tables = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'dbrefresh' AND c.relkind = 'r' "
            "AND c.relname NOT IN ('leak_hashes', 'leak_path_hashes')"
        ).fetchall()
        for (table,) in tables:
            ident = sql.Identifier("dbrefresh", table)
            found |= _contained(conn, texts, sql.SQL("SELECT x::text FROM {} x").format(ident))
        # 'schema.table.column' keys, resolved by the catalog: a dot may sit in any part
        named = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema || '.' || table_name || '.' || column_name = ANY(%s)",
            (list(columns),),
        ).fetchall()
        for schema, name, column in named:
            src = sql.SQL("SELECT {c}::text FROM {t}").format(
                c=sql.Identifier(column), t=sql.Identifier(schema, name)
            )
            found |= _contained(conn, texts, src)
    return {t.encode() for t in found}


def scan(
    data_dir: Path, originals: Mapping[str, Sequence[bytes]], dsn_for_db: Any
) -> tuple[int, dict[str, set[str]]]:
    """Search data_dir for the originals (keys 'db:schema.table.column').

    Returns (needles searched, {column key: files holding its originals, each with the
    relation it belongs to where known}).
    """
    needles: dict[bytes, str] = {}
    for key, values in originals.items():
        for value in values:
            needles.setdefault(value, key)
    # every file read, whatever a needle legitimately on disk everywhere finds
    hits = search_tree(data_dir, needles, per_needle=PER_NEEDLE)
    if not hits:
        return len(needles), {}
    by_db: dict[str, set[bytes]] = {}
    for hit in hits:
        by_db.setdefault(needles[hit.needle].split(":", 1)[0], set()).add(hit.needle)
    ok: set[bytes] = set()
    for db, found in by_db.items():
        columns = [k.split(":", 1)[1] for k in originals if k.startswith(db + ":")]
        ok |= legitimate(dsn_for_db(db), sorted(found), columns)
    leaks: dict[str, set[str]] = {}
    for hit in hits:
        if hit.needle not in ok:
            rel = str(Path(hit.path).relative_to(data_dir))
            leaks.setdefault(needles[hit.needle], set()).add(rel)
    if leaks:  # name the relations behind the files (a view's definition, an index)
        paths = {p for found in leaks.values() for p in found}
        try:
            named = describe(paths, dsn_for_db, next(iter(by_db)))
        except psycopg.Error:  # the names help; the verdict must not depend on them
            named = {p: p for p in paths}
        leaks = {column: {named[p] for p in found} for column, found in leaks.items()}
    return len(needles), leaks
