"""Leak samples of a jsonb rule's paths, each path on its own.

The leak check compares a masked column's value with its original's keyed hash; for a
jsonb document that is the whole document, which changes as soon as any listed path
does. So a path whose values survived (its strategy kept them for some shape of
document, a number where text was expected, a bug in one path's strategy) hid behind
the others. Each listed path's values are hashed apart, as the jsonb strategy masks
them (the path's scalar, or each element of an array there), into
dbrefresh.leak_path_hashes, and verify counts survivors per column and path
(anonymize/verify_paths.py). A document without the path gives no sample. The strings
holding an address anywhere in the document are sampled too, under the path ANYWHERE,
but for those an email rule of the column keeps on purpose (kept_addresses.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dbrefresh.catalog import Table
from dbrefresh.rules.kept_addresses import anywhere_when
from dbrefresh.rules.plan import LeakPath, RelationStep
from dbrefresh.rules.relsteps import (
    FOLDED_HASH,
    literal,
    masked_keys,
    present,
    quote_ident,
    quote_table,
    row_key,
)
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.jsonb_pathsyntax import path_parts

MAX_ELEMENTS = 100  # elements of an array at a path sampled per document
# The pseudo-path of the strings holding an address anywhere in a sampled document
# (dbrefresh.json_addresses): the rules' paths alone called PostHog's activity log
# masked while 2759 of 3000 documents kept addresses under a path no rule listed.
ANYWHERE = "**"


def leak_paths(strategy: Strategy[Any], params: Any, ctx: ColumnContext) -> tuple[LeakPath, ...]:
    """The paths a column's rule has the leak check sample one by one (none: a column
    that is not a document, or whose strategy masks it whole), then ANYWHERE, skipping
    the addresses an email rule of the column keeps (kept_addresses.py)."""
    paths = strategy.leak_paths(params, ctx)
    if not paths:
        return ()
    return tuple(
        LeakPath(path, None if when is None else str(when.sql(dialect="postgres")))
        for path, when in {**paths, ANYWHERE: anywhere_when(params, ctx)}.items()
    )


def path_array(path: str) -> str:
    """A path (quoted keys unquoted: jsonb_pathsyntax.py) as the text[] the jsonb
    operators take."""
    return "ARRAY[" + ", ".join(literal(p) for p in path_parts(path)) + "]::text[]"


def _values_of(path: str, document: str) -> str:
    """The set-returning call giving (element, value) of a path in the document (of
    ANYWHERE: the strings holding an address, wherever they are)."""
    if path == ANYWHERE:
        return f"dbrefresh.json_addresses({document})"
    return f"dbrefresh.json_path_values({document}, {path_array(path)})"


def with_path_samples(step: RelationStep, table: Table, sample: int) -> RelationStep:
    """The step, its leak samples followed by its document columns' per-path samples:
    up to `sample` rows holding a document, in one scan and insert."""
    documents = [m for m in step.masked if m.leak_checked and m.leak_paths]
    if not documents:
        return step
    by_value = masked_keys(step.masked, "_dbr_t")
    key = row_key(table, {m.column for m in step.masked}, alias="_dbr_t", by_value=by_value)
    values = " UNION ALL ".join(
        f"SELECT {literal(m.column)}, {literal(p.path)}, "
        f"{'NULL::int' if p.path == ANYWHERE else '_dbr_v.element'}, "
        f"dbrefresh.leak_hash(_dbr_v._dbr_json), {FOLDED_HASH.format(value='_dbr_v._dbr_json')} "
        f"FROM {_values_of(p.path, f'dbrefresh.json_document(_dbr_t.{quote_ident(m.column)})')} "
        f"AS _dbr_v(element, _dbr_json) WHERE coalesce(_dbr_v.element, 0) <= {MAX_ELEMENTS}"
        + (f" AND ({p.when})" if p.when else "")
        for m in documents
        for p in m.leak_paths
    )
    held = " OR ".join(present(table, m.column) for m in documents)
    statements = [
        f"DELETE FROM dbrefresh.leak_path_hashes WHERE table_name = {literal(table.qualified)}",
        "INSERT INTO dbrefresh.leak_path_hashes "
        "(table_name, column_name, path, element, row_key, hash, folded) "
        f"SELECT {literal(table.qualified)}, _dbr_c.column_name, _dbr_c.path, _dbr_c.element, "
        f"{key.sql if key else 'NULL'}, _dbr_c.hash, _dbr_c.folded "
        f"FROM (SELECT * FROM ONLY {quote_table(table.qualified)} WHERE {held} "
        f"LIMIT {int(sample)}) AS _dbr_t, LATERAL ({values}) "
        "AS _dbr_c(column_name, path, element, hash, folded) WHERE _dbr_c.hash IS NOT NULL",
    ]
    return replace(step, record_leaks=[*step.record_leaks, *statements])
