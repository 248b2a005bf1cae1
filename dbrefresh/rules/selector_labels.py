"""`rules init`: the labels of lists read by label, across the whole table.

A list of {field, value} objects gets one `[field=Email].value` path per label its
sample met (json_selectors.py); a label the sample did not meet got no path, so its
values survived: 5 of 20,005 form submissions held a 'Work email' field, and their
addresses reached staging (one `fields.*.value: email` had masked them all) while
verify, which checks rule paths, found nothing.

For each such list of a JSON column, one query reads the distinct labels of its
elements across the table (jsonpath in C, bounded by MAX_LABELS, TABLESAMPLE past
rare_values.MAX_ROWS and a timeout); for each label the sample did not meet, a few
documents holding it (PER_LABEL) are read and added to the column's sample, and the
column is proposed again: the label gets the path and the rule its name and its values
call for, as a sampled label does, and a list with more than MAX_SELECTED labels in the
table is read as one `*.value` path. When the labels cannot be read (a timeout, a text
row that is no JSON), the REVIEW note saying unseen labels are kept stays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, MutableMapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Table
from dbrefresh.rules import json_selectors
from dbrefresh.rules.json_paths import Documents
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.propose import propose_column
from dbrefresh.rules.rare_values import rows_of
from dbrefresh.rules.sample import sampled_list, sampled_rows
from dbrefresh.rules.table_paths import TIMEOUT_MS
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, path_parts, selector

MAX_LABELS = 2_000  # distinct labels read per list (free-form keys: folded anyway)
PER_LABEL = 20  # documents read for a label the sample did not meet
# A list is one (jsonpath of the list, discriminating key)
ListOf = tuple[str, str]


def _member(key: str) -> str:
    return '."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def labelled_lists(read: Documents) -> dict[ListOf, set[str]]:
    """The lists read by label in the sample, each with the labels it met: the list's
    jsonpath (lax: an array position read as every element, `*` as every key)."""
    out: dict[ListOf, set[str]] = {}
    for path in read.paths:
        parts = path_parts(path)
        at = next((n for n, p in enumerate(parts) if selector(p)), None)
        if at is None:
            continue
        arrays = read.arrays.get(path, frozenset())
        steps = []
        for n, part in enumerate(parts[:at]):
            if n in arrays:
                steps.append("[*]")
            elif part == WILDCARD:
                steps.append(".*")
            elif selector(part) is not None or part.startswith("["):
                break  # a field's `[name]`: no jsonpath of ours
            else:
                steps.append(_member(part))
        else:
            key, label = selector(parts[at]) or ("", "")
            out.setdefault(("$" + "".join(steps), key), set()).add(label)
    return out


def _rows(table: Table, column: str, *, with_text: bool, pg16: bool) -> sql.Composed:
    """The column's documents (as jsonb, and as the sample reads them), from the rows
    the whole-table walk reads (rare_values.rows_of)."""
    text = sql.SQL(", {} AS _dbr_text").format(sampled_list(table, [column]))
    rows = rows_of(table, column, is_json=table.columns[column].type.is_json, pg16=pg16)
    return sql.SQL("(SELECT CAST({c} AS jsonb) AS _dbr_j{text} {rows} OFFSET 0)").format(
        c=sql.Identifier("_dbr_s", column),
        text=text if with_text else sql.SQL(""),
        rows=rows,
    )


def labels_query(table: Table, column: str, listed: ListOf, *, pg16: bool) -> sql.Composed:
    """The distinct string labels of the list's elements holding a `value`."""
    prefix, key = listed
    path = f'{prefix}[*] ? (exists(@."value") && @{_member(key)}.type() == "string"){_member(key)}'
    return sql.SQL(
        "SELECT DISTINCT _dbr_l FROM (SELECT jsonb_path_query(_dbr_r._dbr_j, {p}) #>> '{{}}'"
        " AS _dbr_l FROM {rows} AS _dbr_r) AS _dbr_x LIMIT {cap}"
    ).format(
        p=sql.Literal(path),
        rows=_rows(table, column, with_text=False, pg16=pg16),
        cap=sql.Literal(MAX_LABELS + 1),
    )


def documents_query(
    table: Table, column: str, listed: ListOf, labels: Sequence[str], *, pg16: bool
) -> sql.Composed:
    """Up to PER_LABEL documents (as the sample reads them) holding each label."""
    prefix, key = listed
    path = f'{prefix}[*] ? (@{_member(key)} == $l && exists(@."value"))'
    return sql.SQL(
        "SELECT _dbr_d._dbr_text FROM unnest({labels}::text[]) AS _dbr_u(_dbr_label)"
        " CROSS JOIN LATERAL (SELECT _dbr_r._dbr_text FROM {rows} AS _dbr_r"
        " WHERE jsonb_path_exists(_dbr_r._dbr_j, {p}, jsonb_build_object('l', _dbr_u._dbr_label))"
        " LIMIT {n}) AS _dbr_d"
    ).format(
        labels=sql.Literal(list(labels)),
        rows=_rows(table, column, with_text=True, pg16=pg16),
        p=sql.Literal(path),
        n=sql.Literal(PER_LABEL),
    )


def _to_read(labels: set[str], seen: set[str]) -> list[str]:
    """The labels whose documents are read: every unseen one, or, past MAX_SELECTED in
    the table, enough of them to read the list as one `*` path (json_selectors.fold_wide)."""
    unseen = sorted(
        label
        for label in labels - seen
        if 0 < len(label.strip()) <= json_selectors.MAX_DISCRIMINATOR
    )
    return (
        unseen[: json_selectors.MAX_SELECTED + 1]
        if len(labels) > json_selectors.MAX_SELECTED
        else unseen
    )


def unseen_documents(
    conn: psycopg.Connection[Any], table: Table, column: str, read: Documents
) -> tuple[list[str], list[str]] | None:
    """Documents holding the labels of the column's lists its sample did not meet, and
    those labels; None when the labels could not all be read."""
    pg16 = conn.info.server_version >= 160000
    texts: list[str] = []
    unseen: list[str] = []
    for listed, seen in sorted(labelled_lists(read).items()):
        try:
            rows = sampled_rows(conn, labels_query(table, column, listed, pg16=pg16), TIMEOUT_MS)
            labels = {str(row[0]) for row in rows if row[0] is not None}
            wanted = _to_read(labels, seen)
            if wanted:
                query = documents_query(table, column, listed, wanted, pg16=pg16)
                texts += [str(r[0]) for r in sampled_rows(conn, query, TIMEOUT_MS) if r[0]]
        except psycopg.Error:
            return None
        if len(labels) > MAX_LABELS:
            return None
        unseen += wanted
    return texts, unseen


def add_unseen_labels(
    conn: psycopg.Connection[Any],
    table: Table,
    proposals: MutableMapping[str, ColumnProposal],
    samples: MutableMapping[str, list[str]],
    strategies: Mapping[str, Strategy[Any]],
    keys: Collection[str],
) -> None:
    """Each JSON column read by label proposed again with documents holding the labels
    its sample did not meet (module doc); its note says whether every label was read."""
    for column, proposal in list(proposals.items()):
        info = table.columns[column]
        read = proposal.documents
        if (
            read is None
            or column in keys
            or info.generated
            or not (info.type.is_json or info.type.is_text)
            or not labelled_lists(read)
        ):
            continue
        found = unseen_documents(conn, table, column, read)
        if found is None:
            continue  # the note saying unseen labels are kept stays
        texts, unseen = found
        had = set(samples.get(column) or ())
        extra = list(dict.fromkeys(t for t in texts if t not in had))
        if extra:
            samples[column] = [*(samples.get(column) or ()), *extra]
            proposal = proposals[column] = propose_column(
                table, info, samples[column], strategies, is_key=False
            )
            proposal.why.append(
                f"{len(extra)} document(s) holding labels the sample did not meet "
                f"({', '.join(map(repr, unseen[:5]))}) read beside it"
            )
        proposal.why = [json_selectors.read_all(note) for note in proposal.why]
