"""The leak check of a jsonb rule's paths, each on its own.

A document counts as changed when any of its listed paths changed, so comparing whole
documents missed a path whose values survived. The samples anonymize took per path
(rules/leakpaths.py: the path's value, or each element of an array there) are matched
to the row they came from, like the column check does (anonymize/verify.py): by the
row's primary key, else by the columns the rules keep, else against every row. The
strings holding an address anywhere in a sampled document (the path ANYWHERE; not the
addresses an email rule of the column keeps: kept_addresses.py) survive when the row's
document still holds one of them anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import psycopg

from dbrefresh.rules.leakpaths import ANYWHERE, path_array
from dbrefresh.rules.plan import LeakPath, RelationStep
from dbrefresh.rules.relsteps import RowKey, literal, quote_ident, quote_table

# The sample's path and element, read again from the row's current document.
_CURRENT = "dbrefresh.json_path_value({doc}, {keys}, h.element)"


def _array(path: str) -> str:
    """A path's text[] (ANYWHERE, which names no keys: an empty one)."""
    return "ARRAY[]::text[]" if path == ANYWHERE else path_array(path)


def _keys_of(column: str, paths: Iterable[str]) -> str:
    """The text[] of each of the rules' paths, chosen by `column` (a path's text is not
    split in SQL: a quoted key holds dots, `content."m.mentions".user_ids`)."""
    whens = " ".join(f"WHEN {literal(p)} THEN {_array(p)}" for p in sorted(set(paths)))
    return f"CASE {column} {whens} END"


def sampled_documents(step: RelationStep) -> dict[str, tuple[LeakPath, ...]]:
    """The step's leak-checked jsonb columns and the rules' paths anonymize sampled in
    each (not ANYWHERE, whose samples are no path's values)."""
    return {
        m.column: tuple(p for p in m.leak_paths if p.path != ANYWHERE)
        for m in step.masked
        if m.leak_checked and m.leak_paths
    }


def paths_wanted(documents: Mapping[str, Iterable[LeakPath]]) -> str:
    """The SQL condition on leak_path_hashes `h` picking the samples of these paths."""
    return " OR ".join(
        f"(h.column_name = {literal(column)} AND h.path IN "
        f"({', '.join(literal(p.path) for p in paths)}))"
        for column, paths in documents.items()
    )


def leak_message(name: str, path: str | None, survivors: int) -> str:
    """What a leak finding says: of a column, of one of its paths, or of its documents."""
    if path == ANYWHERE:
        return (
            f"{name}: {survivors} original email address(es) of the sampled documents "
            "survived in them (under a path the rules do not list, or one that kept them)"
        )
    return (
        f"{name}: {f'path {path}: ' if path else ''}{survivors} original value(s) survived masking"
    )


def path_leaks(
    conn: psycopg.Connection[Any], step: RelationStep, key: RowKey | None, join: str
) -> list[tuple[str, str, int, int]]:
    """(column, path, sampled, survivors) for every path of the step's jsonb rules, in
    the rules' order; `join` ties a sample to its row when `key` is unique."""
    documents = sampled_documents(step)
    if not documents:
        return []
    recorded = conn.execute(
        "SELECT to_regclass('dbrefresh.leak_path_hashes'), "
        "to_regprocedure('dbrefresh.json_addresses(jsonb)')"
    ).fetchone()
    if not recorded or recorded[0] is None:  # masked by a version without path samples
        return []
    if recorded[1] is not None:  # the addresses anywhere in the documents, too
        documents = {c: (*paths, LeakPath(ANYWHERE, None)) for c, paths in documents.items()}
    where = f"h.table_name = {literal(step.relation)} AND ({paths_wanted(documents)})"
    if key is not None and key.unique:
        keys = _keys_of("h.path", (p.path for paths in documents.values() for p in paths))
        rows = _by_row(conn, step.relation, list(documents), where, join, keys)
    else:
        rows = _by_presence(conn, step.relation, documents, where, key)
    counts = {(str(c), str(p)): (int(s), int(n)) for c, p, s, n in rows}
    return [
        (column, p.path, *counts.get((column, p.path), (0, 0)))
        for column, paths in documents.items()
        for p in paths
    ]


def _by_row(
    conn: psycopg.Connection[Any],
    relation: str,
    columns: list[str],
    where: str,
    join: str,
    keys: str,
) -> list[tuple[Any, ...]]:
    """Each sample joined to its row by primary key, its hash compared with the value
    now at its path (and element) of that row's document: one pass."""
    doc = " ".join(
        f"WHEN {literal(c)} THEN dbrefresh.json_document(t.{quote_ident(c)})" for c in columns
    )
    document = f"CASE h.column_name {doc} END"
    current = _CURRENT.format(doc=document, keys=keys)
    anywhere = (
        f"EXISTS (SELECT FROM dbrefresh.json_addresses({document}) AS a "
        "WHERE dbrefresh.leak_hash(a.value) = h.hash)"
    )
    return conn.execute(
        f"SELECT h.column_name, h.path, count(*), count(*) FILTER (WHERE "
        f"CASE WHEN h.path = {literal(ANYWHERE)} THEN {anywhere} "
        f"ELSE dbrefresh.leak_hash({current}) = h.hash END) "
        f"FROM dbrefresh.leak_path_hashes h LEFT JOIN ONLY {quote_table(relation)} t ON {join} "
        f"WHERE {where} GROUP BY 1, 2"
    ).fetchall()


def _by_presence(
    conn: psycopg.Connection[Any],
    relation: str,
    documents: dict[str, tuple[LeakPath, ...]],
    where: str,
    key: RowKey | None,
) -> list[tuple[Any, ...]]:
    """A sample survived if a row with the same kept columns holds it at the same path
    and element (no key: if any row holds it at that path). Every path value of those
    rows is hashed once and the samples matched on equality, as the column check does
    for kept columns that repeat a lot."""
    paths = ", ".join(
        f"({literal(column)}, {literal(p.path)}, {_array(p.path)}, "
        f"dbrefresh.json_document(t.{quote_ident(column)}))"
        for column, leak_paths in documents.items()
        for p in leak_paths
    )
    rows_of_samples = (
        f"WHERE {key.sql} IN (SELECT h.row_key FROM dbrefresh.leak_path_hashes h WHERE {where})"
        if key
        else ""
    )
    # the row's key and the element's place must match too, unless no key tells rows apart
    same = {"row_key": "h.row_key", "element": "coalesce(h.element, 0)"} if key else {}
    same |= {"column_name": "h.column_name", "path": "h.path", "hash": "h.hash"}
    on = " AND ".join(f"n.{column} = {sample}" for column, sample in same.items())
    # a join on DISTINCT present values (a hash join), not an EXISTS per sample: inside
    # an aggregate's FILTER that is a subplan scanning `present` once per sample
    return conn.execute(
        f"WITH present AS MATERIALIZED (SELECT {key.sql if key else 'NULL'} AS row_key, "
        "c.column_name, c.path, coalesce(v.element, 0) AS element, "
        "dbrefresh.leak_hash(v.value) AS hash "
        f"FROM ONLY {quote_table(relation)} t, "
        f"LATERAL (VALUES {paths}) AS c(column_name, path, keys, doc), "
        "LATERAL (SELECT * FROM dbrefresh.json_path_values(c.doc, c.keys) "
        f"WHERE c.path <> {literal(ANYWHERE)} UNION ALL SELECT NULL::int, a.value "
        f"FROM dbrefresh.json_addresses(c.doc) AS a WHERE c.path = {literal(ANYWHERE)}) "
        f"AS v(element, value) {rows_of_samples}) "
        "SELECT h.column_name, h.path, count(*), count(n.hash) "
        f"FROM dbrefresh.leak_path_hashes h LEFT JOIN (SELECT DISTINCT {', '.join(same)} "
        f"FROM present) n ON {on} WHERE {where} GROUP BY 1, 2"
    ).fetchall()
