"""A key/value table's second value column holding the first one upper-cased.

HAPI FHIR's hfj_spidx_string keeps each indexed string twice: sp_value_exact 'Harmon'
and sp_value_normalized 'HARMON' (upper-cased, accents stripped), which a search by
name reads. Switched each on its own, 'Harmon' became 'Keller' and 'HARMON' 'BROOKS':
a patient found by the masked family name no longer was. When the sampled rows of a
value column are the upper-cased value of another switched on the same key, its cases
become templates of the other's: `{last_name:sp_value_exact|fold}`, the masked exact
value with accents taken off and upper-cased as HAPI does (`|upper` where the sample
kept the accents), so the two stay in step (a case with parameters, which a template
cannot hold, keeps its own rule). A key whose sampled values have no case (ZIPs
'33181') gets the exact column's rule itself: the same text masks alike, whatever
variant (`unique: true`) the rules align on later.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Table
from dbrefresh.rules.propose import ColumnProposal
from dbrefresh.rules.sample import sample_clause, sampled_rows

SHARE = 0.9  # of the sampled rows holding both, the second the first upper-cased
MIN_ROWS = 20
ROWS = 1_000
_BARE = frozenset({"keep", "null", "hash", "lorem"})  # no template of these


def align_normalized(
    conn: psycopg.Connection[Any], table: Table, switches: list[ColumnProposal]
) -> None:
    """Each switch whose column is another's upper-cased made templates of it, in place."""
    for exact in switches:
        for normalized in switches:
            if normalized is exact or normalized.params.get("by") != exact.params.get("by"):
                continue
            found = _filter_of(
                conn, table, str(exact.params["by"]), exact.column, normalized.column
            )
            if found is None:
                continue
            filt, cased = found
            cases = dict(normalized.params["cases"])
            for key, rule in exact.params["cases"].items():
                if key not in cased:  # ZIPs: the same value, masked alike by the same rule
                    cases[key] = copy.deepcopy(rule)
                elif isinstance(rule, str) and rule not in _BARE:
                    cases[key] = {
                        "strategy": "template",
                        "template": f"{{{rule}:{exact.column}|{filt}}}",
                    }
            normalized.params["cases"] = cases
            normalized.why.insert(
                0,
                f"the rows' {exact.column} upper-cased ({filt}): masked as {exact.column}, then "
                f"{filt}, so the two stay in step",
            )


def _filter_of(
    conn: psycopg.Connection[Any], table: Table, by: str, exact: str, normalized: str
) -> tuple[str, set[str]] | None:
    """`fold` when the sampled rows' second value is the first with accents taken off
    and upper-cased (HAPI's), `upper` when it is the first upper-cased, else None; with
    the keys whose sampled values that changes (the others hold the same text twice)."""
    query = sql.SQL(
        "SELECT {k}::text, {e}::text, {n}::text FROM {only}{t}{sample} WHERE {e} IS NOT NULL"
        " AND {n} IS NOT NULL LIMIT {rows}"
    ).format(
        k=sql.Identifier(by),
        e=sql.Identifier(exact),
        n=sql.Identifier(normalized),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, ROWS),
        rows=sql.Literal(ROWS),
    )
    try:
        rows = [(str(k), str(e), str(n)) for k, e, n in sampled_rows(conn, query)]
    except psycopg.Error:
        return None
    pairs = [(e, n) for _, e, n in rows if e != e.upper()]
    if len(pairs) < MIN_ROWS:
        return None
    folded = sum(_fold(e) == n for e, n in pairs)
    upper = sum(e.upper() == n for e, n in pairs)
    if max(folded, upper) < SHARE * len(pairs):
        return None
    cased = {k for k, e, _ in rows if _fold(e) != e or e.upper() != e}
    return ("fold" if folded >= upper else "upper"), cased


def _fold(text: str) -> str:
    """As the template's `fold` filter: Latin accents off, then upper-cased."""
    return "".join(
        base if (base := unicodedata.normalize("NFD", c)[0]).isascii() else c for c in text
    ).upper()
