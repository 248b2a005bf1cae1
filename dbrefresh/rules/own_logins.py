"""Login keys made of their own row's names, in `rules init`: hashed, keys alike.

Camunda's act_id_user.id_ is the login every task, comment and history row names
('amir.vanderdussen', 'efisher', 'ware24'): a login built from the user's own first_
and last_, which are masked. By its values alone too few looked like logins made of
names (an initial and a surname, a surname and digits: 37 of 122), so it was kept, a
REVIEW note saying it holds last_ inside it in 105 of 120 rows, and with it the
assignees, owners and starters of every process, all of them people's names.

A kept text column under a single-column primary or unique key of a table whose first
or last names are masked, whose values are single tokens (no spaces) holding their own
row's first or last name (three letters at least, accents aside) in most sampled rows
(SHARE), is such a login: it gets `hash` behind 'u' (a login still: a letter first),
unique, kind `username`, and the columns a foreign key ties to it get the same, so the
keys still join. Columns holding its values without a key (a task's assignee_) follow
it as copies (cross_copies.py); built-in accounts ('admin', 'demo') are kept by
builtin_accounts.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules.candidates import CANDIDATES
from dbrefresh.rules.name_slugs import plain
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.propose_keys import fk_groups
from dbrefresh.rules.sample import sampled_rows, spread_sample

KIND = "username"
NAME_KINDS = ("first_name", "last_name")
SHARE = 0.6  # of the sampled logins, holding their own row's first or last name
MIN_ROWS = 5
MIN_NAME = 3  # letters of a name that counts inside a login ('li' is in too much)
RULE = dict(CANDIDATES[KIND][0][1])  # hash behind 'u'
STRATEGY = CANDIDATES[KIND][0][0]


def hash_own_logins(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    proposals: Mapping[str, dict[str, ColumnProposal]],
    rows: int,
) -> None:
    """Hash each kept login key made of its row's own names, and its foreign-key peers."""
    groups = {ref: group for group in fk_groups(catalog) for ref in group}
    for name, columns in proposals.items():
        table = catalog.tables[name]
        names = [c for c, p in columns.items() if p.masked and p.kind in NAME_KINDS]
        keys = [c for c in _login_keys(table) if c in columns and not columns[c].masked]
        if not names or not keys:
            continue
        for key in keys:
            try:
                held, sampled = _count(conn, table, key, names, rows)
            except psycopg.Error:  # a timeout, no right: the key keeps its proposal
                continue
            if sampled < MIN_ROWS or held < SHARE * sampled:
                continue
            why = (
                f"{held} of {sampled} sampled values are logins holding their own row's "
                f"{' or '.join(names)} (masked): hashed behind 'u', still a login"
            )
            for table_name, column in groups.get((name, key), [(name, key)]):
                member = proposals.get(table_name, {}).get(column)
                if member is None or member.masked:
                    continue
                tied = (table_name, column) != (name, key)
                proposals[table_name][column] = ColumnProposal(
                    column,
                    STRATEGY,
                    dict(RULE),
                    unique=True,
                    kind=KIND,
                    why=[f"a foreign key ties it to {name}.{key}: {why}" if tied else why],
                )


def _login_keys(table: Table) -> list[str]:
    """Text columns that alone are the table's primary or a unique key."""
    return [
        key.columns[0]
        for key in table.unique_keys
        if len(key.columns) == 1
        and (column := table.columns[key.columns[0]]).type.category == "S"
        and not column.type.is_array
        and not column.generated
    ]


def _count(
    conn: psycopg.Connection[Any], table: Table, key: str, names: list[str], rows: int
) -> tuple[int, int]:
    """(sampled logins holding their row's own name, sampled logins)."""
    query = sql.SQL("SELECT {k}::text, {n} FROM {s} AS _dbr_t WHERE {k} IS NOT NULL").format(
        k=sql.Identifier("_dbr_t", key),
        n=sql.SQL(", ").join(
            sql.SQL("{}::text").format(sql.Identifier("_dbr_t", c)) for c in names
        ),
        s=spread_sample(table, rows),
    )
    held = sampled = 0
    for login, *own in sampled_rows(conn, query):
        text = plain(str(login))
        if not text.strip() or any(c.isspace() for c in text):
            continue
        sampled += 1
        words = {plain(w) for v in own if v for w in str(v).split()}
        held += any(len(w) >= MIN_NAME and w in text for w in words)
    return held, sampled
