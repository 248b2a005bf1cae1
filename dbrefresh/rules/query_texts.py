"""Queries holding addresses, in `rules init`: `email` with `within: true`, not `lorem`.

A Grafana dashboard's `panels.*.targets.*.expr` holds PromQL with an address as a label
value ('sum(rate(http_requests_total{user="ann@x.org"}[5m]))'). Judged text mentioning
addresses, the path got `lorem`, and every panel query broke. A path (or a text column:
Superset's query.sql, saved_query.sql) whose sampled values holding an address are all
queries (brackets, or a SQL condition like a chart's adhoc filter
"customer_email = 'joel@x.net'"; the address a quoted literal right after an operator)
and mention no phone number gets `email` `within: true` instead: each address masked in
place, the query kept (strategies/email_within.py). `within` masks addresses only, so a
sample with any other personal literal keeps `lorem`: a literal compared with (or
inserted into) a column whose name is personal by pii.match_name ("iban = 'GB91...'",
"birthdate = '1928-08-24'", "username = 'katiepadilla'", "full_name ILIKE '%Lee%'"),
or one personal by its value alone (a full name 'Amanda Maxwell', an IBAN, a card, a
phone or social security number, a street address: personal_literal). A column or
path named for SQL (`sql`, `sqlExpression`, `query`) needs one such query; any other,
MIN_QUERIES.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dbrefresh.catalog import Column
from dbrefresh.rules import phones, pii, pii_values, postal_addresses
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.streets import is_street
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
# a column compared with a quoted literal: iban = 'GB91...', full_name ILIKE '%Lee%'
_COMPARED = re.compile(
    r"""([A-Za-z_]\w*)["`\]]?\s*(?:=|!=|<>|\bi?like\b|\bin\s*\()\s*"""
    r"""(?:'([^'\n]*)'|"([^"\n]*)")""",
    re.IGNORECASE,
)
# INSERT INTO t (email, iban) VALUES ('ann@x.org', 'GB91...'): columns, values in order
_INSERTED = re.compile(r"\(([^()]*)\)\s*values\s*\(([^()]*)\)", re.IGNORECASE)
_ITEM = re.compile(r"""'(?:[^']|'')*'|"[^"]*"|[^,]+""")
# what a literal beside an address may be by its value alone
_PERSONAL_VALUES: tuple[Callable[[str], bool], ...] = (
    pii_values.is_full_name,
    pii_values.is_iban,
    pii_values.is_card,
    pii_values.is_ssn,
    phones.is_phone,
    is_street,
    postal_addresses.is_address,
)
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


def personal_literal(value: str) -> bool:
    """A quoted literal, an address aside, that is personal: compared with or inserted
    into a column named for personal data, or personal by its value ('Amanda Maxwell',
    an IBAN, a street address). `within` masks addresses only: it would keep it."""
    for found in _LITERAL.finditer(value):
        literal = (found.group(1) or found.group(2)).strip(" %")
        if not _ADDRESS.fullmatch(literal) and any(test(literal) for test in _PERSONAL_VALUES):
            return True
    return any(_personal_column(column, literal) for column, literal in _compared(value))


def _compared(value: str) -> list[tuple[str, str]]:
    """(column, literal) pairs: a comparison's, and an INSERT's columns with its values."""
    pairs = [(m.group(1), m.group(2) or m.group(3) or "") for m in _COMPARED.finditer(value)]
    for insert in _INSERTED.finditer(value):
        columns = [c.strip().strip('"`[]') for c in insert.group(1).split(",")]
        items = [i.strip() for i in _ITEM.findall(insert.group(2))]
        pairs += [(c, i[1:-1]) for c, i in zip(columns, items, strict=False) if i[:1] in {"'", '"'}]
    return pairs


def _personal_column(column: str, literal: str) -> bool:
    """A literal (not an address: `within` masks it) of a column named for personal
    data by pii.match_name: iban, birthdate, username, full_name, ship_street."""
    if not literal.strip(" %") or _ADDRESS.search(literal):
        return False
    return pii.match_name(column, "") is not None


def named_for_sql(name: str) -> bool:
    """A column or path named for a query: sql, executed_sql, sqlExpression, expr."""
    return _SQL_NAME.search(name.replace("Expression", "_expression")) is not None


def query_rule(values: Sequence[str], name: str = "") -> str | None:
    """The reason for `within` when every sampled value holding an address is a query
    and none holds another personal literal (`name`: the column's or the path's)."""
    holding = [v for v in values if "@" in v and _ADDRESS.search(v)]
    least = 1 if named_for_sql(name) else MIN_QUERIES
    if len(holding) < least or not all(is_query(v) for v in holding):
        return None
    if any(personal_literal(v) for v in values):
        return None  # 'Amanda Maxwell', an IBAN stay under `within`: `lorem` hides them
    return (
        f"{len(holding)} sampled values are queries with an address as a quoted literal: "
        "each address masked in place, the query kept"
    )


def as_query(
    proposal: ColumnProposal,
    column: Column,
    values: Sequence[str] | None,
    fit: Callable[[dict[str, Any]], bool],
) -> None:
    """`email` `within: true` for a `lorem` column of queries holding addresses
    (Superset's query.sql: `lorem` turned every saved query into words)."""
    if proposal.kind != "free_text" or proposal.strategy != "lorem":
        return
    raw: dict[str, Any] = {"within": True, **({"unique": True} if proposal.unique else {})}
    if (reason := query_rule(values or (), column.name)) is not None and fit(raw):
        proposal.strategy, proposal.params = "email", raw
        proposal.why.append(reason)
