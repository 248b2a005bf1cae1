"""`rules init`: the values at the JSON key paths only the whole table's walk found.

table_paths gave such a path the rule its key name calls for, where a sampled path's
values are judged too: integrations.config's `form_labels.email` ('E-mail address') got
`email`, `form_labels.first_name` ('First name') `first_name`, `mem.address`
('0x7ffe1234abcd') and `geo.street` ('n/a') `street`, while the same documents met in
the sample were kept (labels and placeholders, no person's): the outcome hung on the
sample. Now the values of a column's rare paths are read, up to MAX_VALUES a path, in
one statement over the rows the walk read, and judged by document_rules.json_rule as
the sample's are; a path whose values could not be read keeps the judgement by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Table
from dbrefresh.rules import document_rules
from dbrefresh.rules.json_paths import Documents
from dbrefresh.rules.sample import JSON_ENDS, JSON_STARTS, sampled_rows
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, join_path

MAX_VALUES = 50  # values read per rare path (json_paths judges a sampled path on its values)
MAX_QUERIED = 500  # rare paths whose values are read per column (the rest: by key name)
MAX_ROWS = 200_000  # rows read; a larger table by TABLESAMPLE SYSTEM pages (as the walk)

Parts = tuple[str, ...]


def rows_of(table: Table, column: str, *, is_json: bool, pg16: bool) -> sql.Composed:
    """`FROM ... WHERE ...` of the rows a walk reads: the column's non-NULL documents (a
    text column's rows shaped as JSON only), by TABLESAMPLE past MAX_ROWS, as `_dbr_s`."""
    col = sql.Identifier("_dbr_s", column)
    where = sql.SQL("{} IS NOT NULL").format(col)
    if not is_json:  # text: only rows shaped as a JSON object or array (a cast error
        # fails the read, which then leaves the judgement by name)
        where = sql.SQL("left({c}, 100) ~ {s} AND right({c}, 100) ~ {e}{valid}").format(
            c=col,
            s=sql.Literal(JSON_STARTS),
            e=sql.Literal(JSON_ENDS),
            valid=sql.SQL(" AND {} IS JSON").format(col) if pg16 else sql.SQL(""),
        )
    sample: sql.Composable = sql.SQL("")
    if table.estimated_rows > MAX_ROWS:
        percent = round(100.0 * MAX_ROWS / table.estimated_rows, 4)
        sample = sql.SQL(" TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(sql.Literal(percent))
    return sql.SQL("FROM {only}{t} AS _dbr_s{sample} WHERE {where}").format(
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample,
        where=where,
    )


def jsonpath(parts: Parts) -> str:
    """The strict jsonpath of a walked path (`*` an array's elements)."""
    steps = ("[*]" if p == WILDCARD else "." + json.dumps(p, ensure_ascii=False) for p in parts)
    return "strict $" + "".join(steps)


def values_query(table: Table, column: str, paths: Sequence[Parts], *, pg16: bool) -> sql.Composed:
    """Up to MAX_VALUES strings and numbers at each path (numbered from 1), one scan."""
    is_json = table.columns[column].type.is_json
    # only documents holding a rare path's first key are looked into (rare: a few rows)
    tops = sorted({p[0] for p in paths}) if all(p and p[0] != WILDCARD for p in paths) else []
    holding: sql.Composable = sql.SQL("")
    if tops:
        holding = sql.SQL("_dbr_j.j ?| {}::text[] AND ").format(sql.Literal(tops))
    return sql.SQL(
        "SELECT i, v FROM (SELECT q.i, x.v #>> '{{}}' AS v,"
        " row_number() OVER (PARTITION BY q.i) AS n"
        " FROM (SELECT {col}::jsonb AS j {rows} OFFSET 0) AS _dbr_j"
        " CROSS JOIN LATERAL unnest({paths}::jsonpath[]) WITH ORDINALITY AS q(p, i)"
        " CROSS JOIN LATERAL jsonb_path_query(_dbr_j.j, q.p, '{{}}', true) AS x(v)"
        " WHERE {holding}jsonb_typeof(x.v) IN ('string', 'number')) AS _dbr_v WHERE n <= {most}"
    ).format(
        col=sql.Identifier("_dbr_s", column),
        rows=rows_of(table, column, is_json=is_json, pg16=pg16),
        paths=sql.Literal([jsonpath(p) for p in paths]),
        most=sql.Literal(MAX_VALUES),
        holding=holding,
    )


def read(
    conn: psycopg.Connection[Any],
    table: Table,
    column: str,
    paths: Sequence[Parts],
    timeout_ms: int,
) -> dict[Parts, list[str]] | None:
    """The values at the first MAX_QUERIED paths (a path with none: absent), or None when
    the read failed (a timeout, no right, a text row that is no JSON)."""
    asked = list(paths)[:MAX_QUERIED]
    if not asked:
        return {}
    query = values_query(table, column, asked, pg16=conn.info.server_version >= 160000)
    try:
        rows = sampled_rows(conn, query, timeout_ms)
    except psycopg.Error:
        return None
    out: dict[Parts, list[str]] = {}
    for number, value in rows:
        out.setdefault(asked[number - 1], []).append(value)
    return out


def judged(
    table: Table,
    column: str,
    values: Mapping[Parts, list[str]],
    strategies: Mapping[str, Strategy[Any]],
) -> dict[Parts, tuple[Any, str]]:
    """The rule and reason of each rare path whose values the sample's judgement masks
    (json_rule over these paths alone); a path missing here is kept on its values."""
    named = {join_path(parts): parts for parts in values}
    documents = Documents(
        paths={path: list(values[parts]) for path, parts in named.items()},
        arrays={path: frozenset() for path in named},
    )
    proposal = document_rules.json_rule(table, table.columns[column], documents, strategies)
    if proposal is None:
        return {}
    out = {}
    for path, rule in proposal.params["paths"].items():
        if path in named:
            said = [w.split(": ", 1)[1] for w in proposal.why if w.startswith(f"{path}: ")]
            out[named[path]] = rule, "; ".join(said) or "its values look personal"
    return out
