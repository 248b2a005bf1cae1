"""Queries holding addresses, in `rules init`: `email` with `within: true`, not `lorem`.

A Grafana dashboard's `panels.*.targets.*.expr` holds PromQL with an address as a label
value ('sum(rate(http_requests_total{user="ann@x.org"}[5m]))'). Judged text mentioning
addresses, the path got `lorem`, and every panel query broke. A path whose sampled
values holding an address are all queries (brackets, the address a quoted literal
right after an operator) and mention no phone number gets `email` `within: true`
instead: each address masked in place, the query kept (strategies/email_within.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import phones
from dbrefresh.strategies.email_within import ADDRESS

_ADDRESS = re.compile(ADDRESS)
# a quoted literal after a comparison: user="ann@x.org", email = 'ann@x.org', =~"a@x|b"
_QUOTED = re.compile(r"""(=|=~|!=|!~|\|=|\blike|\bin\s*\()\s*["'][^"']*$""", re.IGNORECASE)
_BRACKETS = re.compile(r"[{(\[]")
MIN_QUERIES = 5  # sampled values holding an address, so a few odd ones decide nothing


def is_query(value: str) -> bool:
    """Text whose every address is a quoted literal after an operator, in brackets."""
    found = list(_ADDRESS.finditer(value))
    if not found or not _BRACKETS.search(value):
        return False
    if not all(_QUOTED.search(value[: m.start()]) for m in found):
        return False
    return not phones.mentions_phone(_ADDRESS.sub(" ", value))


def query_rule(values: Sequence[str]) -> str | None:
    """The reason for `within` when every sampled value holding an address is a query."""
    holding = [v for v in values if "@" in v and _ADDRESS.search(v)]
    if len(holding) < MIN_QUERIES or not all(is_query(v) for v in holding):
        return None
    return (
        f"{len(holding)} sampled values are queries with an address as a quoted literal: "
        "each address masked in place, the query kept"
    )
