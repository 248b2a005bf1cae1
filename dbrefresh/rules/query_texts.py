"""Queries holding addresses, in `rules init`: `email` with `within: true`, not `lorem`.

A Grafana dashboard's `panels.*.targets.*.expr` holds PromQL with an address as a label
value ('sum(rate(http_requests_total{user="ann@x.org"}[5m]))'). Judged text mentioning
addresses, the path got `lorem`, and every panel query broke. A path (or a text column:
Superset's query.sql, saved_query.sql) whose sampled values holding an address are all
queries (brackets, or a SQL condition like a chart's adhoc filter
"customer_email = 'joel@x.net'"; the address a quoted literal right after an operator)
and mention no phone number gets `email` `within: true` instead: each address masked in
place, the query kept (strategies/email_within.py). `within` masks addresses only, so a
sample with a person's name as a quoted literal anywhere ("name = 'Amanda Maxwell'",
or a word compared with a column named for names: "full_name ILIKE '%Hernandez%'")
keeps `lorem`. A column or path named for SQL (`sql`, `sqlExpression`, `query`) needs
one such query; any other, MIN_QUERIES.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import phones, pii, pii_values
from dbrefresh.strategies.email_within import ADDRESS

_ADDRESS = re.compile(ADDRESS)
# a quoted literal after a comparison: user="ann@x.org", email = 'ann@x.org', =~"a@x|b"
_QUOTED = re.compile(r"""(=|=~|!=|!~|\|=|\blike|\bin\s*\()\s*["'][^"']*$""", re.IGNORECASE)
_BRACKETS = re.compile(r"[{(\[]")
# a SQL condition or statement without brackets: 'customer_email = ...', 'SELECT ...'
_SQL_START = re.compile(
    r"""^\s*(?:select|with|update|delete)\b|^\s*[\w."`]+\s*(?:=|!=|<>|\bi?like\b|\bin\b)""",
    re.IGNORECASE,
)
# what a quoted literal holds: 'Amanda Maxwell', "Amanda Maxwell"
_LITERAL = re.compile(r"""'([^'\n]{3,80})'|"([^"\n]{3,80})\"""")
# a column compared with a literal holding a word: full_name ILIKE '%Hernandez%'
_NAME_COMPARED = re.compile(
    r"""([A-Za-z_]\w*)["`\]]?\s*(?:=|!=|<>|\bi?like\b|\bin\s*\()\s*["']%?[^\W\d_]""",
    re.IGNORECASE,
)
NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
# the last word of a column or path named for a query (sql, executed_sql, sqlExpression)
_SQL_NAME = re.compile(r"(?:^|[_.*])(?:[a-z]*_)?(?:sql|query|expr)(?:[_ ]?expression)?$", re.I)
MIN_QUERIES = 5  # sampled values holding an address, so a few odd ones decide nothing


def is_query(value: str) -> bool:
    """Text whose every address is a quoted literal after an operator, in brackets or a
    SQL condition."""
    found = list(_ADDRESS.finditer(value))
    if not found or not (_BRACKETS.search(value) or _SQL_START.search(value)):
        return False
    if not all(_QUOTED.search(value[: m.start()]) for m in found):
        return False
    return not phones.mentions_phone(_ADDRESS.sub(" ", value))


def names_someone(value: str) -> bool:
    """A quoted literal that is a person's full name, or one compared with a column
    named for names ("full_name ILIKE '%Hernandez%'"): `within` would keep it."""
    if any(pii_values.is_full_name(m.group(1) or m.group(2)) for m in _LITERAL.finditer(value)):
        return True
    return any(
        (found := pii.match_name(column, "")) is not None and found.kind in NAME_KINDS
        for column in _NAME_COMPARED.findall(value)
    )


def named_for_sql(name: str) -> bool:
    """A column or path named for a query: sql, executed_sql, sqlExpression, expr."""
    return _SQL_NAME.search(name.replace("Expression", "_expression")) is not None


def query_rule(values: Sequence[str], name: str = "") -> str | None:
    """The reason for `within` when every sampled value holding an address is a query
    and none names a person in a literal (`name`: the column's or the path's)."""
    holding = [v for v in values if "@" in v and _ADDRESS.search(v)]
    least = 1 if named_for_sql(name) else MIN_QUERIES
    if len(holding) < least or not all(is_query(v) for v in holding):
        return None
    if any(names_someone(v) for v in values):
        return None  # 'Amanda Maxwell' stays under `within`: `lorem` hides it
    return (
        f"{len(holding)} sampled values are queries with an address as a quoted literal: "
        "each address masked in place, the query kept"
    )
