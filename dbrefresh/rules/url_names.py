"""URLs carrying a person's details in query parameters named for them, in `rules init`.

Mautic's page_hits.url holds tracking URLs ending '?email=...&firstname=Sybilla': the
first names made every URL `lorem` (they name the row's own lead), and once the address
was masked in place (url_params.py) the names stayed. A parameter whose name says
personal data (`firstname`, `lastname`, `phone`, `city`...) has its value replaced by
'masked', the rest of each URL kept, on top of url_params' rule for addresses. Secrets
in parameters are url_params' (and url_tokens') business, not this module's. A URL
column that names its own person elsewhere (own_names.py: '/willkommen/sybilla') keeps
its `lorem`: kept, the names reached staging and verify failed on them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii, url_params
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.rules.text_mentions import contacts_in

_PARAMETER = re.compile(r"[?&]([A-Za-z_][A-Za-z0-9_.-]*)=([^&#]*)")
NOT_HERE = frozenset({"secret"})  # tokens in URLs: url_params' rule
MASKED = "masked"


def personal_parameters(table: Table, sample: Sequence[str]) -> dict[str, str]:
    """The query parameters (with a value) whose names say personal data, and its kind."""
    found: dict[str, str] = {}
    for value in sample:
        for name, held in _PARAMETER.findall(value):
            if not held or name in found:
                continue
            match = pii.match_name(name, table.qualified)
            if match is not None and match.kind not in NOT_HERE:
                found[name] = match.kind
    return found


def proposal(
    table: Table, column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """url_params' rule for the addresses in a URL column's parameters, with the values
    of parameters named for personal data masked too; None when neither applies."""
    base = url_params.proposal(table, column, values, unique=unique)
    sample = [v for v in values or () if v.strip()]
    if unique or not sample or column.type.is_array or not column.type.is_text:
        return base
    if base is not None and base.strategy != "sql":
        return base  # magnet links' `url_query`: no expression to add to
    if 2 * sum(1 for v in sample if url_params.URL.match(v.strip())) < len(sample):
        return base
    named = personal_parameters(table, sample)
    if base is not None:  # its addresses are masked already, each distinct
        named = {n: k for n, k in named.items() if k != "email"}
    if not named:
        return base
    alternatives = "|".join(re.escape(n) for n in sorted(named))
    pattern = f"([?&](?:{alternatives})=)[^&#]*"
    rest = [re.sub(pattern, r"\1x", re.sub(url_params.PATTERN, r"\1x", v)) for v in sample]
    if any(map(contacts_in, rest)):
        return base  # a contact neither rule masks: the usual proposal
    carrying = sum(1 for v in sample if re.search(pattern, v))
    if column.type.length is not None and max(map(len, sample)) + len(MASKED) > column.type.length:
        return base
    own = quote_ident(column.name)
    inner = str(base.params["expression"]) if base is not None else own
    changed = f"regexp_replace({own}, '{pattern}', '', 'g') <> {own}"
    if base is not None:
        changed = f"({base.params['changes_when']}) OR {changed}"
    why = [*(base.why if base is not None else ())]
    why.append(
        f"{carrying} of {len(sample)} sampled values are URLs with query parameters named "
        f"for personal data ({', '.join(sorted(named))}): their values replaced by "
        f"'{MASKED}', the rest of each URL kept"
    )
    return ColumnProposal(
        column.name,
        "sql",
        {
            "expression": f"regexp_replace({inner}, '{pattern}', '\\1{MASKED}', 'g')",
            "changes_when": changed,
        },
        kind="url",
        why=why,
    )
