"""Name the relation behind a data file the byte search found an original in.

`base/16384/2618` says nothing to whoever reads a failed nightly run; "pg_rewrite
(view definitions)" says that a view's query spells the value out, which no masking
rule reaches. Paths are resolved on the temporary server (pg_filenode_relation, which
knows mapped catalogs too); what is not a relation's file keeps its path, with what
the directory holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from dbrefresh.db import connection

# What a catalog's rows hold, for the ones a value can be spelled out in.
CATALOGS = {
    "pg_catalog.pg_rewrite": "view and rule definitions",
    "pg_catalog.pg_proc": "function bodies",
    "pg_catalog.pg_constraint": "constraint expressions",
    "pg_catalog.pg_attrdef": "column defaults",
    "pg_catalog.pg_policy": "row security policies",
    "pg_catalog.pg_trigger": "trigger definitions",
    "pg_catalog.pg_index": "index expressions and predicates",
    "pg_catalog.pg_description": "comments",
    "pg_catalog.pg_shdescription": "comments",
    "pg_catalog.pg_statistic": "planner statistics",
    "pg_catalog.pg_statistic_ext_data": "extended statistics",
    "pg_catalog.pg_largeobject": "large objects",
}
DIRECTORIES = {
    "pg_wal": "write-ahead log",
    "pg_stat": "statistics files",
    "pg_stat_tmp": "statistics files",
    "pg_replslot": "replication slot data",
    "pg_logical": "logical decoding data",
    "pg_twophase": "prepared transactions",
}
_FILE = re.compile(r"(\d+)(?:_(?:fsm|vm|init))?(?:\.\d+)?$")
_RESOLVE = """
SELECT format('%%I.%%I', n.nspname, c.relname), c.relkind,
       (SELECT format('%%I.%%I', on_.nspname, o.relname)
          FROM pg_class o JOIN pg_namespace on_ ON on_.oid = o.relnamespace
         WHERE o.reltoastrelid = c.oid
            OR o.oid = (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid)
         LIMIT 1)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = pg_filenode_relation(%s, %s)
"""
GLOBAL_TABLESPACE = 1664  # pg_global


def describe(paths: Iterable[str], dsn_for_db: Callable[[str], str], any_db: str) -> dict[str, str]:
    """Each path (relative to the data directory) with what it is, where known."""
    out = {path: _directory(path) for path in paths}
    wanted = {path: where for path in out if (where := _locate(path)) is not None}
    if not wanted:
        return out
    with connection(dsn_for_db(any_db)) as conn:
        names = dict(conn.execute("SELECT oid::text, datname FROM pg_database").fetchall())
    by_db: dict[str, list[tuple[str, int, int]]] = {}
    for path, (db_oid, tablespace, filenode) in wanted.items():
        # a shared catalog's file (global/) resolves in any database
        db = any_db if tablespace == GLOBAL_TABLESPACE else names.get(db_oid)
        if db is not None:
            by_db.setdefault(db, []).append((path, tablespace, filenode))
    for db, files in by_db.items():
        with connection(dsn_for_db(db)) as conn:
            for path, tablespace, filenode in files:
                row = conn.execute(_RESOLVE, (tablespace, filenode)).fetchone()
                if row is not None:
                    label = "shared" if tablespace == GLOBAL_TABLESPACE else db
                    out[path] = f"{path} ({_relation(label, *row)})"
    return out


def _locate(path: str) -> tuple[str, int, int] | None:
    """(database oid, tablespace oid, filenode) of a relation file's path."""
    parts = path.split("/")
    match = _FILE.match(parts[-1])
    if match is None:
        return None
    filenode = int(match.group(1))
    if len(parts) == 3 and parts[0] == "base":
        return parts[1], 0, filenode
    if len(parts) == 2 and parts[0] == "global":
        return "", GLOBAL_TABLESPACE, filenode
    if len(parts) == 5 and parts[0] == "pg_tblspc":
        return parts[3], int(parts[1]), filenode
    return None


def _relation(db: str, name: str, kind: str, owner: str | None) -> str:
    if kind == "i" and owner is not None:
        return f"{db}: {name}, an index of {_named(owner)}"
    if kind == "t" and owner is not None:
        return f"{db}: {name}, the TOAST of {_named(owner)}"
    return f"{db}: {_named(name)}"


def _named(name: str) -> str:
    what = CATALOGS.get(name)
    return f"{name}, {what}" if what else name


def _directory(path: str) -> str:
    what = DIRECTORIES.get(path.split("/")[0])
    return f"{path} ({what})" if what else path
