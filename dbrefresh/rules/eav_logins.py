"""Switch keys whose values are logins get the login column's rule, in `rules init`.

DHIS2's tracker attribute of value type USERNAME ('Assigned health worker') stores
userinfo.username in trackedentityattributevalue.value: judged by its name and values
alone (a few hundred 'pspence2'), the key was left out of the value column's `switch`,
so every username survived while userinfo.username was hashed, and none of the values
named a user any more (0 of 300). cross_copies.py sees whole columns only.

For each key/value `switch`, the keys kept (no case, or `keep`) are looked up in one
query against each masked login column (kind `username`, under a unique key): a key
whose sampled values are nearly all (MATCH_SHARE) logins of that column, MIN_LOGINS
distinct ones at least, gets the login column's rule as its case (deterministic by
value: the copies still name the same users). Built-in accounts alone ('admin',
'system') are no evidence (builtin_accounts.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog
from dbrefresh.rules.builtin_accounts import BUILTIN
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sample_clause, sampled_rows
from dbrefresh.strategies.switch import literal_key

Proposals = dict[str, dict[str, ColumnProposal]]
MIN_LOGINS = 2  # distinct logins among a key's sampled values
MATCH_SHARE = 0.9  # of a key's sampled values, logins
PER_KEY = 200  # values looked up per key
_BUILTIN = frozenset(BUILTIN)


def _logins(catalog: Catalog, proposals: Proposals) -> list[tuple[str, str]]:
    """The masked login columns under a unique key: (table, column)."""
    return [
        (name, column)
        for name, columns in proposals.items()
        for column, proposal in columns.items()
        if proposal.masked
        and proposal.kind == "username"
        and column in catalog.tables[name].unique_columns()
        and catalog.tables[name].columns[column].type.category == "S"
    ]


def _kept_keys(switch: ColumnProposal) -> set[str] | None:
    """The keys a switch keeps by name (None: every key without a case is kept)."""
    cases: Mapping[str, Any] = switch.params.get("cases") or {}
    kept = {key for key, rule in cases.items() if rule == "keep"}
    return kept if "default" in switch.params else None


def _matches(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    where: tuple[str, str, str],
    login: tuple[str, str],
    rows: int,
) -> dict[str, tuple[int, int, int]]:
    """Per key of the switch's table: (sampled values, values that are logins, distinct
    logins among them)."""
    table, by, value = catalog.tables[where[0]], where[1], where[2]
    users = catalog.tables[login[0]]
    query = sql.SQL(
        "SELECT k, count(*), count(*) FILTER (WHERE m), count(DISTINCT v) FILTER (WHERE m)"
        " FROM (SELECT k, v, EXISTS (SELECT 1 FROM ONLY {u} AS _dbr_u WHERE _dbr_u.{l} = s.v)"
        " AND NOT (lower(s.v) = ANY ({builtin})) AS m"
        " FROM (SELECT {k}::text AS k, {v}::text AS v, row_number() OVER (PARTITION BY {k})"
        " AS i FROM {only}{t}{sample} WHERE {k} IS NOT NULL AND {v} IS NOT NULL) s"
        " WHERE i <= {per_key}) s GROUP BY k"
    ).format(
        u=sql.Identifier(users.schema, users.name),
        l=sql.Identifier(login[1]),
        builtin=sql.Literal(sorted(_BUILTIN)),
        k=sql.Identifier(by),
        v=sql.Identifier(value),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows),
        per_key=sql.Literal(PER_KEY),
    )
    return {str(k): (int(n), int(m), int(d)) for k, n, m, d in sampled_rows(conn, query)}


def align_switch_logins(
    conn: psycopg.Connection[Any], catalog: Catalog, proposals: Proposals, rows: int
) -> None:
    """Give each kept switch key holding logins the login column's rule."""
    logins = _logins(catalog, proposals)
    if not logins:
        return
    for name, columns in proposals.items():
        for column, switch in columns.items():
            if switch.strategy != "switch" or switch.kind != "key_value":
                continue
            cases: dict[str, Any] = switch.params.setdefault("cases", {})
            kept = _kept_keys(switch)
            for login in logins:
                where = (name, str(switch.params["by"]), column)
                try:
                    found = _matches(conn, catalog, where, login, rows)
                except psycopg.Error:
                    continue  # a timeout, no right: the keys stay as judged
                source = proposals[login[0]][login[1]]
                for key, (sampled, matched, distinct) in sorted(found.items()):
                    is_kept = key in kept if kept is not None else key not in cases
                    if not is_kept or distinct < MIN_LOGINS or matched < MATCH_SHARE * sampled:
                        continue
                    cases[literal_key(key)] = source.nested_rule  # 'a*b': itself
                    switch.why.append(
                        f"{key}: {matched} of {sampled} sampled values are logins of "
                        f"{login[0]}.{login[1]}: masked like it ({source.strategy}), so they"
                        " still name the same users"
                    )
