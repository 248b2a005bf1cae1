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
from dbrefresh.rules import url_params, url_people, url_tokens
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.rules.text_mentions import contacts_in

MASKED = "masked"


def proposal(
    table: Table, column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """url_params' rule for the addresses in a URL column's parameters, with the values
    of parameters named for personal data masked too; None when neither applies."""
    base = url_params.proposal(table, column, values, unique=unique)
    sample = [v for v in values or () if v.strip()]
    if not sample or column.type.is_array or not column.type.is_text:
        return base
    if base is not None and base.strategy != "sql":
        return base  # magnet links' `url_query`: no expression to add to
    urls = [v for v in sample if url_params.URL.match(v.strip())]
    if 2 * len(urls) < len(sample):
        return base
    named = url_people.personal_parameters(urls, table.qualified)
    if base is not None:  # its addresses are masked already, each distinct
        named = {n: k for n, k in named.items() if k != "email"}
    if not named:
        return base
    if unique:
        return None  # 'masked' would make URLs equal: the usual proposal
    pattern = url_people.pattern(list(named))
    rest = [re.sub(pattern, r"\1x", re.sub(url_params.PATTERN, r"\1x", v)) for v in sample]
    rest = [re.sub(url_tokens.PARAMETER, r"\1x", v, flags=re.IGNORECASE) for v in rest]
    if any(map(contacts_in, rest)):
        return base  # a contact neither rule masks: the usual proposal
    if url_people.others_personal(rest, url_params.URL.match):
        return None  # page titles naming people beside the URLs: the usual proposal
    carrying = sum(1 for v in sample if re.search(pattern, v))
    if column.type.length is not None and max(map(len, sample)) + len(MASKED) > column.type.length:
        return base
    own = quote_ident(column.name)
    inner = str(base.params["expression"]) if base is not None else own
    changed = f"regexp_replace({own}, '{pattern}', '', 'g') <> {own}"
    if base is not None:
        changed = f"({base.params['changes_when']}) OR {changed}"
    else:  # url_params made no rule (a phone in a parameter): addresses, tokens here
        for found, made, flags in (
            (url_params.PATTERN, f"u{url_params.DOMAIN}", "g"),
            (url_tokens.PARAMETER, MASKED, "gi"),
        ):
            if any(re.search(found, v, re.IGNORECASE if "i" in flags else 0) for v in sample):
                inner = f"regexp_replace({inner}, '{found}', '\\1{made}', '{flags}')"
                changed = f"regexp_replace({own}, '{found}', '', '{flags}') <> {own} OR {changed}"
    why = [*(base.why if base is not None else ())]
    why.append(
        f"{carrying} of {len(sample)} sampled values are URLs with query parameters holding "
        f"personal data ({', '.join(f'{n}: {k}' for n, k in sorted(named.items()))}): "
        "their values replaced by "
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
