"""A column holding its row's masked name parts composed, rebuilt from them in `rules init`.

Zitadel's `projections.users13_humans.display_name` was `first_name || ' ' ||
last_name` in all 1,500 rows; the parts got `first_name` and `last_name`, the display
name `full_name` by its name, and afterwards it matched its parts in no row, without a
word (Chatwoot's users likewise). `full_name` of 'Anna Schmidt' is not `first_name` of
'Anna' and `last_name` of 'Schmidt' joined: each picks by the digest of its own value.
A `template` over the parts composes exactly their masked values
(`{first_name:first_name} {last_name:last_name}`), so the two stay equal.

A sample of rows compares each text column (kept, or masked with a name or lorem) with
the compositions of its row's first_name and last_name columns ('{first} {last}',
'{last}, {first}', '{last} {first}', '{first}' alone); equal in COMPOSED_SHARE of the
rows where it holds a value (not a blank one: '' equal to a blank part composes
nothing), it gets the template (when it fits the column: not on a
unique one, whose composed names could collide: a hashed unique name that composes
them gets a REVIEW note instead). A middle name column between them, NULL in most rows
(Fineract's m_client.display_name, firstname [middlename] lastname), is composed as
'{first} [{middle} ]{last}' by the template filter `space`; the composition most rows
equal wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sampled_rows, spread_sample
from dbrefresh.strategies.base import Strategy

MIN_ROWS = 5  # sampled rows holding a value, before anything is judged
COMPOSED_SHARE = 0.8  # of them equal to the composition: it is the parts composed
MAX_PARTS = 4  # (first, last) pairs per table
MAX_TARGETS = 20  # columns compared per table
# Rules a composed column may have had: kept, or a name or text strategy (no key's or
# address's, no rule reading more than the value)
TARGETS = frozenset({"keep", "full_name", "first_name", "last_name", "lorem"})
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# (label, SQL of the composition over {f} and {l}, template over F and L)
FORMS = (
    ("{first} {last}", "({f} || ' ' || {l})", "{{first_name:{F}}} {{last_name:{L}}}"),
    ("{last}, {first}", "({l} || ', ' || {f})", "{{last_name:{L}}}, {{first_name:{F}}}"),
    ("{last} {first}", "({l} || ' ' || {f})", "{{last_name:{L}}} {{first_name:{F}}}"),
    ("{first}", "{f}", "{{first_name:{F}}}"),
)
# With an optional middle name between them (Fineract's m_client.display_name, NULL
# middlename in most rows): its part and a space, or nothing (template's `space`)
MIDDLE_FORMS = (
    (
        "{first} [{middle} ]{last}",
        "({f} || ' ' || COALESCE(NULLIF({m}, '') || ' ', '') || {l})",
        "{{first_name:{F}}} {{{S}:{M}|space}}{{last_name:{L}}}",
    ),
)
_MIDDLE = re.compile(r"middle", re.IGNORECASE)
Composition = tuple[str, sql.Composable, str]  # (label, SQL composing, template)


def compose_row_names(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    rows: int,
) -> None:
    """A template over the row's masked name parts for each column composing them."""
    for name, columns in sorted(proposals.items()):
        table = catalog.tables[name]
        firsts = _parts(table, columns, "first_name")
        lasts = _parts(table, columns, "last_name")
        middles = [c for c in firsts + lasts if _MIDDLE.search(c)]
        firsts = [c for c in firsts if c not in middles]
        lasts = [c for c in lasts if c not in middles]
        pairs = [(f, la) for f in firsts for la in lasts][:MAX_PARTS]
        compositions = _compositions(pairs, [(m, columns[m].strategy) for m in middles])
        fulls = [c for c in _parts(table, columns, "full_name") if c not in table.unique_columns()]
        if not pairs and not fulls:
            continue
        targets = [
            c
            for c, p in sorted(columns.items())
            if (p.strategy in TARGETS or _unique_name(table, c, p))
            and table.columns[c].type.is_text
            and not table.columns[c].type.is_array
            and not table.columns[c].generated
            and c not in firsts + lasts + middles
        ][:MAX_TARGETS]
        if not targets:
            continue
        found = _composed(conn, table, targets, compositions, rows) if pairs else {}
        for column, (label, template, share) in found.items():
            unique = column in table.unique_columns()
            ctx = column_context(table, table.columns[column], unique=unique)
            params = {"template": template}
            if not fits(strategies["template"], params, ctx):
                if unique and columns[column].masked:
                    columns[column].why.append(_UNIQUE_NOTE.format(label=label, share=share))
                continue
            old = columns[column]
            columns[column] = ColumnProposal(
                column,
                "template",
                params,
                kind=old.kind or "full_name",
                why=[
                    *old.why,
                    f"its row's name parts composed ({label}) in {share} sampled rows: "
                    "built from their masked values by a template, so it still equals them",
                ],
            )
        for column, (full, share) in _first_words(conn, table, targets, fulls, rows).items():
            if columns[column].strategy == "template" or columns[full].strategy != "full_name":
                continue
            _split_full_name(catalog, proposals, strategies, (name, full), column, share)


def _split_full_name(
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    strategies: Mapping[str, Strategy[Any]],
    full: tuple[str, str],
    first: str,
    share: str,
) -> None:
    """Chatwoot's users.display_name, the first word of `name`: the first name masked
    with `first_name`, and the full name rebuilt from it and its own `last_name`, so the
    display name stays the full name's first word. Not when another table's rule was
    aligned with the full name's (a copy of it elsewhere would no longer match)."""
    table = catalog.tables[full[0]]
    mentioned = f"{full[0]}.{full[1]}"
    if any(
        mentioned in why
        for other, columns in proposals.items()
        if other != full[0]
        for p in columns.values()
        for why in p.why
    ):
        return
    params = {"template": f"{{first_name:{first}}} {{last_name:{full[1]}}}"}
    ctx = column_context(table, table.columns[full[1]], unique=False)
    if not fits(strategies["template"], params, ctx):
        return
    columns = proposals[full[0]]
    old_first, old_full = columns[first], columns[full[1]]
    seen = f"{first} is the first word of {full[1]} in {share} sampled rows"
    columns[first] = ColumnProposal(
        first,
        "first_name",
        kind="first_name",
        why=[*old_first.why, f"{seen}: a first name, masked as the first word of {full[1]}"],
    )
    columns[full[1]] = ColumnProposal(
        full[1],
        "template",
        params,
        kind=old_full.kind or "full_name",
        why=[
            *old_full.why,
            f"{seen}: built from {first}'s masked first name and a last name, so {first} "
            "stays its first word",
        ],
    )


def _first_words(
    conn: psycopg.Connection[Any],
    table: Table,
    targets: list[str],
    fulls: list[str],
    rows: int,
) -> dict[str, tuple[str, str]]:
    """Per target holding the first word of a full name column (and a value in every
    sampled row where the full name has one): that column and the count seen."""
    pairs = [(t, n) for t in targets for n in fulls if t != n][:MAX_TARGETS]
    if not pairs:
        return {}
    aggregates: list[sql.Composable] = []
    for target, full in pairs:
        t, n = sql.Identifier(target), sql.Identifier(full)
        aggregates += [
            sql.SQL("count({n})").format(n=n),
            sql.SQL(
                "count(*) FILTER (WHERE strpos({n}, ' ') > 0 AND {t} = split_part({n}, ' ', 1))"
            ).format(t=t, n=n),
            sql.SQL("count(*) FILTER (WHERE {n} IS NOT NULL AND {t} IS NULL)").format(t=t, n=n),
        ]
    query = sql.SQL("SELECT {a} FROM {s} AS _dbr_s").format(
        a=sql.SQL(", ").join(aggregates), s=spread_sample(table, rows)
    )
    try:
        counts = [int(c) for c in sampled_rows(conn, query)[0]]
    except psycopg.Error:  # no SELECT right, timeout: nothing found
        return {}
    found: dict[str, tuple[str, str]] = {}
    for i, (target, full) in enumerate(pairs):
        held, equal, missing = counts[3 * i : 3 * i + 3]
        composed = held >= MIN_ROWS and not missing and equal >= COMPOSED_SHARE * held
        if target not in found and composed:
            found[target] = (full, f"{equal} of {held}")
    return found


def _parts(table: Table, columns: Mapping[str, ColumnProposal], strategy: str) -> list[str]:
    """The columns masked with the strategy alone (no parameters: a template's part takes
    none), whose names a template can hold."""
    return [
        c
        for c, p in sorted(columns.items())
        if p.strategy == strategy
        and not p.params
        and _PLAIN.fullmatch(c)
        and table.columns[c].type.is_text
        and not table.columns[c].type.is_array
    ]


def _unique_name(table: Table, column: str, proposal: ColumnProposal) -> bool:
    """A unique full name hashed (no name strategy keeps it unique): compared too, so a
    note says why it no longer equals its parts (Fineract's m_staff.display_name)."""
    return (
        proposal.strategy == "hash"
        and proposal.kind == "full_name"
        and column in table.unique_columns()
    )


_UNIQUE_NOTE = (
    "REVIEW: its row's name parts composed ({label}) in {share} sampled rows, but it is "
    "unique and masked name parts can collide (first_name and last_name pick from "
    "dictionaries): its own rule kept, so it no longer equals its parts"
)


def _compositions(
    pairs: list[tuple[str, str]], middles: list[tuple[str, str]]
) -> list[Composition]:
    """The compositions to compare, with a middle name first: where it is NULL it
    composes as '{first} {last}' does, so it wins whenever the middle names join in."""
    out: list[Composition] = []
    for first, last in pairs:
        f, la = sql.Identifier(first), sql.Identifier(last)
        for middle, strategy in middles:
            m = sql.Identifier(middle)
            for label, expr, template in MIDDLE_FORMS:
                composed = sql.SQL(expr).format(f=f, m=m, l=la)
                out.append(
                    (label, composed, template.format(F=first, M=middle, S=strategy, L=last))
                )
        for label, expr, template in FORMS:
            out.append((label, sql.SQL(expr).format(f=f, l=la), template.format(F=first, L=last)))
    return out


def _composed(
    conn: psycopg.Connection[Any],
    table: Table,
    targets: list[str],
    compositions: list[Composition],
    rows: int,
) -> dict[str, tuple[str, str, str]]:
    """Per target composing a pair: the form's label, its template and the count seen."""
    checks: list[tuple[str, str]] = []  # (label, template), in the aggregates' order
    aggregates: list[sql.Composable] = []
    for target in targets:
        t = sql.Identifier(target)
        # a blank value composes nothing: Moodle's mdl_user.theme is '' where
        # alternatename is '' too, in most rows, and is no name
        aggregates.append(sql.SQL("count(*) FILTER (WHERE btrim({t}) <> '')").format(t=t))
        for label, composed, template in compositions:
            aggregates.append(
                sql.SQL("count(*) FILTER (WHERE {t} = {c} AND btrim({t}) <> '')").format(
                    t=t, c=composed
                )
            )
            checks.append((label, template))
    query = sql.SQL("SELECT {a} FROM {s} AS _dbr_s").format(
        a=sql.SQL(", ").join(aggregates), s=spread_sample(table, rows)
    )
    try:
        counts = list(sampled_rows(conn, query)[0])
    except psycopg.Error:  # no SELECT right, timeout: nothing composed
        return {}
    per_target = 1 + len(compositions)
    found: dict[str, tuple[str, str, str]] = {}
    for i, target in enumerate(targets):
        held = int(counts[i * per_target])
        if held < MIN_ROWS:
            continue
        best = 0  # the composition most rows equal (a middle name's over one without)
        for j in range(per_target - 1):
            equal = int(counts[i * per_target + 1 + j])
            label, template = checks[i * (per_target - 1) + j]
            if equal >= COMPOSED_SHARE * held and equal > best:
                found[target], best = (label, template, f"{equal} of {held}"), equal
    return found
