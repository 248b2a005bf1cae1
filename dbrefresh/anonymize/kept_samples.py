"""The sampled originals the kept-copy check looks for (anonymize/verify_kept.py).

A masked text column's samples (dbrefresh.leak_hashes) and a jsonb rule's per-path
samples (dbrefresh.leak_path_hashes: `profile.email` masked inside a document), each
with the hash of its lower-case form where anonymize recorded one. A kept `contact`
column holding the document's email was never compared: only text columns' samples
were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.anonymize.verify_paths import paths_wanted, sampled_documents
from dbrefresh.rules.plan import RelationStep
from dbrefresh.rules.relsteps import literal


@dataclass(frozen=True)
class Samples:
    """SQL giving (row_key, column_name, path, hash) of the step's samples; `folded`:
    the hashes are of the lower-case forms (else exact: an older version's samples)."""

    sql: str
    folded: bool


def sampled_originals(
    conn: psycopg.Connection[Any], step: RelationStep, columns: list[str]
) -> Samples | None:
    """The samples of the step's leak-checked text `columns` and jsonb paths; None when
    nothing was sampled. Case-folded hashes only when every sample has one: the kept
    values are digested one way."""
    documents = sampled_documents(step)
    has = conn.execute(
        "SELECT to_regclass('dbrefresh.leak_path_hashes') IS NOT NULL, "
        + ", ".join(
            "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
            f"to_regclass('dbrefresh.{t}') AND attname = 'folded' AND NOT attisdropped)"
            for t in ("leak_hashes", "leak_path_hashes")
        )
    ).fetchone()
    paths_kept, column_folded, path_folded = (bool(v) for v in has) if has else (False,) * 3
    table = literal(step.relation)
    parts = []
    if columns:
        names = ", ".join(literal(c) for c in columns)
        parts.append(
            f"SELECT h.row_key, h.column_name, NULL::text AS path, h.hash, "
            f"{'h.folded' if column_folded else 'NULL::bytea'} AS folded "
            f"FROM dbrefresh.leak_hashes h WHERE h.table_name = {table} "
            f"AND h.column_name IN ({names})"
        )
    if documents and paths_kept:
        wanted = paths_wanted(documents)
        parts.append(
            f"SELECT h.row_key, h.column_name, h.path, h.hash, "
            f"{'h.folded' if path_folded else 'NULL::bytea'} AS folded "
            f"FROM dbrefresh.leak_path_hashes h WHERE h.table_name = {table} AND ({wanted})"
        )
    if not parts:
        return None
    every = " UNION ALL ".join(parts)
    counts = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE folded IS NULL) FROM ({every}) h"
    ).fetchone()
    if not counts or not counts[0]:
        return None
    folded = not counts[1]
    return Samples(
        f"SELECT h.row_key, h.column_name, h.path, h.{'folded' if folded else 'hash'} AS hash "
        f"FROM ({every}) h",
        folded,
    )
