"""Values holding a label and an identifier ('id:<ident>', 'email:<address>'), masked
with their label kept and the identifier masked like its bare column, in `rules init`.

Sentry's `sentry_filtervalue.value` holds the `sentry:user` tag as 'id:249214',
'email:ann@mail.example' or 'ip:139.231.194.175', and Sentry parses the label. The
key/value switch gave the case `hash`: the label was lost, and the rest no longer
matched `sentry_eventuser.ident` or `email`. A masked column (or a switch's case) whose
sampled values nearly all start with one of a few labels ('word:') gets `prefixed`
(strategies/prefixed.py): each label's rests take the rule of the masked column whose
sample holds them (the bare idents, the addresses), else the rule their values call for
(an IP address's), else the column's own; values of no label keep the column's rule.
Not when the result does not fit the column (a unique one needs every rule injective).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import pii_values
from dbrefresh.rules.copies import NOT_COPIED
from dbrefresh.rules.fitting import choose, column_context, fits, with_unique
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.rules.text_samples import Ref, TextSample
from dbrefresh.strategies.base import ColumnContext, Strategy

# 'id:249214', 'email:ann@mail.example': a word, then an identifier (letters, digits,
# '.', '@', '+', '-': no URL's '//' or '?', no PHP value's 'a:2:{', no subject's space)
_LABELLED = re.compile(r"([a-z][a-z_]{1,15}:)([\w.@+-]+)")
# The rules a labelled column may have had: a value's own (not a rule reading its
# structure, such as url_query or php_serialized, nor a hash already keeping a prefix)
OWN_RULES = frozenset({"hash", "lorem", "email", "uuid"})
LABELLED_SHARE = 0.9  # of the sampled values, labelled: a column of labelled values
MAX_LABELS = 6
MIN_VALUES = 5
FOUND_SHARE = 0.5  # of a label's distinct rests, in a masked column's sample
Known = Mapping[Ref, tuple[frozenset[str], dict[str, Any]]]  # sampled values, nested rule


def keep_prefixes(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    samples: Mapping[Ref, TextSample],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """`prefixed` for masked columns and switch cases of labelled identifiers, in place."""
    known = {
        ref: (s.values, _nested(proposals[ref[0]][ref[1]], strategies))
        for ref, s in samples.items()
        if ref[0] in proposals
        and proposals[ref[0]][ref[1]].masked
        and proposals[ref[0]][ref[1]].strategy not in NOT_COPIED | {"prefixed"}
    }
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        for column, proposal in sorted(columns.items()):
            info = table.columns[column]
            if not info.type.is_text or column in table.partition_key:
                continue
            ctx = column_context(table, info, unique=column in table.unique_columns())
            if proposal.strategy == "switch":
                _switch_cases(conn, table, proposal, ctx, known, strategies, rows)
            elif proposal.strategy in OWN_RULES and not proposal.params.get("prefix"):
                values = sorted(samples.get((name, column), TextSample(frozenset(), 0, 0)).values)
                rule = _prefixed(values, _nested(proposal, strategies), ctx, known, strategies)
                if rule is not None:
                    params, why = rule
                    columns[column] = ColumnProposal(
                        column, "prefixed", params, kind=proposal.kind, why=[*proposal.why, why]
                    )


def _switch_cases(
    conn: psycopg.Connection[Any],
    table: Table,
    proposal: ColumnProposal,
    ctx: ColumnContext,
    known: Known,
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """Each masked case of a key/value switch holding labelled values, `prefixed`."""
    cases = dict(proposal.params.get("cases", {}))
    by = str(proposal.params["by"])
    changed = []
    for case, rule in sorted(cases.items()):
        nested = rule if isinstance(rule, dict) else {"strategy": rule}
        if nested.get("strategy") not in OWN_RULES or nested.get("prefix"):
            continue
        values = _case_values(conn, table, proposal.column, by, case, rows)
        found = _prefixed(values, nested, ctx, known, strategies)
        if found is not None:
            cases[case] = {"strategy": "prefixed", **found[0]}
            changed.append(f"{case}: {found[1]}")
    params = {**proposal.params, "cases": cases}
    if changed and fits(strategies["switch"], params, ctx):
        proposal.params = params
        proposal.why += changed


def _case_values(
    conn: psycopg.Connection[Any], table: Table, column: str, by: str, case: str, rows: int
) -> list[str]:
    query = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {s} AS _dbr_s WHERE {b}::text = {v} AND {c} IS NOT NULL"
    ).format(
        c=sql.Identifier(column),
        b=sql.Identifier(by),
        v=sql.Literal(case),
        s=spread_sample(table, rows),
    )
    try:
        return sorted(str(v) for (v,) in sampled_rows(conn, query))
    except psycopg.Error:  # no SELECT right, timeout
        return []


def _nested(proposal: ColumnProposal, strategies: Mapping[str, Strategy[Any]]) -> dict[str, Any]:
    """A column's rule as a nested one (no rule-level `unique`: the strategy's own)."""
    strategy = strategies[proposal.strategy]
    return {
        "strategy": proposal.strategy,
        **with_unique(strategy, proposal.params, proposal.unique),
    }


def _prefixed(
    values: Sequence[str],
    own: dict[str, Any],
    ctx: ColumnContext,
    known: Known,
    strategies: Mapping[str, Strategy[Any]],
) -> tuple[dict[str, Any], str] | None:
    """`prefixed` parameters and a reason for labelled values, or None."""
    labelled = [m for v in values if (m := _LABELLED.fullmatch(v))]
    if len(labelled) < max(MIN_VALUES, LABELLED_SHARE * len(values)):
        return None
    rests: dict[str, set[str]] = {}
    for m in labelled:
        rests.setdefault(m.group(1), set()).add(m.group(2))
    if len(rests) > MAX_LABELS:
        return None
    cases: dict[str, Any] = {}
    said = []
    found_in = 0  # labels whose rests a masked column holds
    for label, held in sorted(rests.items()):
        rule, why, seen = _label_rule(held, own, ctx, known, strategies)
        cases[label] = rule
        said.append(f"'{label}' {why}")
        found_in += seen
    if len(rests) < 2 and not found_in:
        return None  # one label ('live:' before every handle) is the value's own shape
    params = {"cases": cases, "default": own}
    if not fits(strategies["prefixed"], params, ctx):
        return None
    reason = (
        f"{len(labelled)} of {len(values)} sampled values are labelled "
        f"({', '.join(sorted(rests))}): the label kept, the rest masked like its bare "
        f"value ({'; '.join(said)})"
    )
    return params, reason


def _label_rule(
    rests: set[str],
    own: dict[str, Any],
    ctx: ColumnContext,
    known: Known,
    strategies: Mapping[str, Strategy[Any]],
) -> tuple[Any, str, bool]:
    """The rule for one label's rests, where it came from, and whether from a column."""
    best, hits = None, 0
    for ref, (values, _) in known.items():
        count = len(rests & values)
        if count > hits:
            best, hits = ref, count
    if best is not None and hits >= FOUND_SHARE * len(rests) and hits >= 2:
        return known[best][1], f"like {best[0]}.{best[1]}", True
    kind = pii_values.match_values(sorted(rests))
    if kind is not None and (chosen := choose(kind.kind, ctx, strategies)) is not None:
        return {"strategy": chosen[0], **chosen[1]}, f"as {kind.kind}", False
    return own, "like the column", False
