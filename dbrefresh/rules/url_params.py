"""URLs carrying an email address in a query parameter, in `rules init`.

A links table `links(id, url UNIQUE)` held blog URLs and click-tracking URLs ending
`?email=ann@mail.example`: the addresses made it free text, no free-text strategy is
injective, and every URL became 32 hex characters. Only the parameter's value is
personal: an `sql` rule replaces each query value holding an address (`@` or `%40`)
by one made of the row's key ('u17@example.invalid', distinct per row, so a unique
column stays unique), keeps every other URL as it is, and tells verify which rows it
changes (`changes_when`). Applied only when it hides every contact the sample found.
A query parameter holding a token (`?api_key=sk_live_...`, `&sig=...`: url_tokens.py)
is replaced the same way ('redacted17'), the URL kept.
PeerTube's magnet links name a video file in `dn` ('&dn=Anna+Smith+Wedding.mp4'), and a
JSON path's URLs cannot take an `sql` rule: both get `url_query` (query_rule()).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import url_people, url_tokens
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.rules.text_mentions import contacts_in

# A query parameter's name and '=', then a value holding an address ('@' or '%40')
PATTERN = r"([?&][^=&#]*=)[^&#]*(@|%40)[^&#]*"
_PYTHON = re.compile(PATTERN)
_TOKENS = re.compile(url_tokens.PARAMETER, re.IGNORECASE)
_MAGNET = re.compile(r"^magnet:\?", re.IGNORECASE)
_NAMED = re.compile(r"[?&]dn=[^&#]+")  # a magnet link's display name: a file's name
# A URL, or one without its scheme: a host with a dot and a top-level label, then '/'
# (Matomo's log_action.name 'shop.example.com/search?q=...', the scheme in url_prefix)
URL = re.compile(
    r"^(?:https?://|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2}|"
    r"com|net|org|info|biz|edu|gov|mil|int|app|dev|io|shop|store|online|site|xyz|"
    r"cloud|tech|local|test|example|invalid|localhost)(?::\d{1,5})?/)",
    re.IGNORECASE,
)
DOMAIN = "%40example.invalid"
ROOM = 40  # characters a replaced value may add ('u' + a key + DOMAIN)


def proposal(
    table: Table, column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """An `sql` rule masking the addresses and tokens in a URL column's query parameters,
    or None (not URLs, contacts or tokens elsewhere, or a unique column without a key to
    tell rows apart)."""
    sample = [v for v in values or () if v.strip()]
    if not sample or column.type.is_array or not column.type.is_text:
        return None
    if (rule := _magnet_rule(sample)) is not None:
        return ColumnProposal(column.name, "url_query", rule[0], unique, "url", [rule[1]])
    urls = sum(1 for v in sample if URL.match(v.strip()))
    carrying = [v for v in sample if _PYTHON.search(v)]
    tokens = [v for v in sample if _TOKENS.search(v)]
    if urls * 2 < len(sample) or not (carrying or tokens):
        return None
    rest = [_TOKENS.sub(r"\1x", _PYTHON.sub(r"\1x", v)) for v in sample]
    if any(contacts_in(v) for v in rest):
        return None  # a contact the rule would keep: the usual proposal
    # only the values that are no URLs: url_names judges the URLs' other parameters
    if url_people.others_personal([v for v in sample if not URL.match(v.strip())], URL.match):
        return None  # page titles naming people beside the URLs: the usual proposal
    if url_tokens.capability_urls(rest) * 2 >= len(sample):
        return None  # links that are tokens by their path (receipts): hashed whole
    keys = sorted(c for c in table.distinct_columns() if c != column.name)
    if unique and not keys:
        return None
    longest = max(map(len, carrying + tokens))
    if column.type.length is not None and longest + ROOM > column.type.length:
        return None  # the longer value would be cut to the column's length
    own = quote_ident(column.name)
    key = quote_ident(keys[0]) if keys else None
    expression, changed = own, own
    why = []
    if carrying:
        value = f"concat('\\1u', {key}, '{DOMAIN}')" if key else f"'\\1u{DOMAIN}'"
        expression = f"regexp_replace({expression}, '{PATTERN}', {value}, 'g')"
        changed = f"regexp_replace({changed}, '{PATTERN}', '', 'g')"
        made = f"u<{keys[0]}>@example.invalid" if keys else "u@example.invalid"
        why.append(
            f"{len(carrying)} of {len(sample)} sampled values are URLs with an email address "
            f"in a query parameter: its value replaced by {made}, the rest of each URL kept"
        )
    if tokens:
        value = f"concat('\\1redacted', {key})" if key else "'\\1redacted'"
        pattern = url_tokens.PARAMETER
        expression = f"regexp_replace({expression}, '{pattern}', {value}, 'gi')"
        changed = f"regexp_replace({changed}, '{pattern}', '', 'gi')"
        made = f"redacted<{keys[0]}>" if keys else "redacted"
        why.append(
            f"{len(tokens)} of {len(sample)} sampled values are URLs with a token in a query "
            f"parameter (api_key=, token=, sig=, an issuer's prefix): its value replaced by "
            f"{made}, the rest of each URL kept"
        )
    params: dict[str, object] = {"expression": expression, "changes_when": f"{changed} <> {own}"}
    if unique:
        params["injective"] = True
    return ColumnProposal(column.name, "sql", params, unique=unique, kind="url", why=why)


def query_rule(values: Sequence[str], table: str = "") -> tuple[dict[str, object], str] | None:
    """`url_query` parameters and why, for values (a column's or a JSON path's) that are
    mostly URLs with an address or a person in a query parameter (url_people.py), or
    magnet links naming a file, and that name no one elsewhere; else None."""
    sample = [v.strip() for v in values if v.strip()]
    magnets = [v for v in sample if _MAGNET.match(v)]
    if sample and 2 * len(magnets) >= len(sample) and any(map(_NAMED.search, magnets)):
        return _magnet_rule(sample)
    urls = [v for v in sample if URL.match(v)]
    if not urls or len(urls) * 2 < len(sample):
        return None
    carrying = sum(1 for v in sample if _PYTHON.search(v))
    named = url_people.personal_parameters(urls, table)
    named = {n: k for n, k in named.items() if k != "email"}  # an address stays one
    if not (carrying or named):
        return None
    people = re.compile(url_people.pattern(list(named))) if named else None
    rest = [_PYTHON.sub(r"\1x", people.sub(r"\1x", v) if people else v) for v in sample]
    if any(map(contacts_in, rest)):
        return None  # a contact the rule would keep
    if url_people.others_personal(rest, URL.match):
        return None  # page titles naming people beside the URLs: the usual proposal
    why = []
    if carrying:
        why.append(f"{carrying} of {len(sample)} sampled values are URLs with an email address")
        why[-1] += " in a query parameter"
    if people is not None:
        held = sum(1 for v in sample if people.search(v))
        why.append(
            f"{held} of {len(sample)} sampled values are URLs with query parameters holding "
            f"personal data ({', '.join(f'{n}: {k}' for n, k in sorted(named.items()))})"
        )
    params: dict[str, object] = {"names": sorted(named)} if named else {}
    return params, "; ".join(why) + ": their values replaced, the rest of each URL kept"


def _magnet_rule(values: Sequence[str]) -> tuple[dict[str, object], str] | None:
    """`url_query` of `dn` for magnet links naming a file, that name no one elsewhere."""
    sample = [v.strip() for v in values if v.strip()]
    magnets = [v for v in sample if _MAGNET.match(v)]
    if sample and 2 * len(magnets) >= len(sample) and any(map(_NAMED.search, magnets)):
        named = sum(1 for v in magnets if _NAMED.search(v))
        rest = [_PYTHON.sub(r"\1x", _NAMED.sub("", v)) for v in sample]
        why = f"{named} of {len(sample)} sampled values are magnet links naming a file: dn hashed"
        return None if any(map(contacts_in, rest)) else ({"names": ["dn"]}, why)
    return None
