"""Key families of Redis-like stores in `rules init`: one kind of value per key pattern.

NodeBB on PostgreSQL keeps every index in legacy_zset(_key, value, score): 'email:uid'
holds the emails, 'username:uid' the usernames, 'uid:5:ip' one user's addresses,
'topics:tid' topic ids. Judged as one column, `value` was kept (no kind reached its
threshold) and 9,088 emails survived; judged key by key, 'uid:5:ip' and 'uid:6:ip' are
two keys among thousands. Keys are grouped into families here: a segment (between
colons) that is a number, a long hex id, a UUID, an email or an IP address becomes `*`,
and so does a position where many different segments share the rest of the key
('registration:queue:name:<username>'). Each family is judged as a column named by its
segments would be, and a masked family becomes a pattern case of the `switch`
(`uid:*:ip: ip`); a family of ids, numbers or codes stays under the default `keep`.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import pii, pii_values
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.sample import sample_clause, sampled_rows
from dbrefresh.strategies.switch import WILDCARD, is_pattern, literal_key

SEPARATOR = ":"
STORE_KEYS = ("_key",)  # NodeBB's legacy_* tables
STORE_VALUES = ("value", "member", "array")  # zset, set, list
MIN_SIBLINGS = 10  # different segments at one place, the rest alike: a family
PER_FAMILY = 1_000  # values judged per family
KEY_SAMPLE = 20  # times the usual sample: distinct keys read for the note on keys
# Segments naming the index rather than its values ('email:uid' holds emails)
INDEX_WORDS = frozenset({"uid", "id", "sorted", "recent", "tid", "pid", "cid", "ids", "by"})
LOGIN_WORDS = frozenset({"user", "login", "member", "author"})
SECRET_WORDS = frozenset({"sess", "session", "sessions", "token", "reset", "confirm"})
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])")
_IPV6_TEXT = re.compile(r"^[0-9a-fA-F:]+$")
_IP_MARK = "\x00ip\x00"


def store_pairs(table: Table) -> list[tuple[Column, Column]]:
    """(key, value) of a Redis-like store table: a text `_key` beside a text (or text
    array) value column named as NodeBB names them."""
    columns = {c.name.lower(): c for c in table.columns.values() if not c.generated}
    key = next((columns[k] for k in STORE_KEYS if k in columns), None)
    if key is None or key.type.category != "S" or key.type.is_array:
        return []
    values = [columns[v] for v in STORE_VALUES if v in columns]
    return [(key, v) for v in values if v.type.category == "S"]


def _segments(key: str) -> list[str]:
    """The key's segments, IP addresses marked as such: an IPv6 address spans segments
    ('ip:2001:db8::1:uid'), the longest run that parses as one is taken."""

    def mark(found: re.Match[str]) -> str:
        return _IP_MARK if _is_address(found.group(0)) else found.group(0)

    parts = _IPV4.sub(mark, key).split(SEPARATOR)
    out: list[str] = []
    i = 0
    while i < len(parts):
        ends = range(min(len(parts), i + 9), i + 2, -1)  # 3 to 9 parts ('1::2'; 8 groups)
        end = next((j for j in ends if _is_address(SEPARATOR.join(parts[i:j]))), None)
        out.append(parts[i] if end is None else _IP_MARK)
        i = i + 1 if end is None else end
    return out


def _is_address(text: str) -> bool:
    if SEPARATOR in text and not _IPV6_TEXT.match(text):
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_id(segment: str) -> bool:
    return bool(
        segment == _IP_MARK
        or _NUMBER.match(segment)
        or _HEX.match(segment)
        or _UUID.match(segment)
        or pii_values.is_email(segment)
    )


def _shapes(keys: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
    """Per key, its segments and its family's (`*` where a segment varies)."""
    split = {key: _segments(key) for key in keys}
    shaped = {key: [WILDCARD if _is_id(s) else s for s in parts] for key, parts in split.items()}
    siblings: dict[tuple[int, tuple[str, ...]], set[str]] = defaultdict(set)
    for parts in shaped.values():
        for i in range(1, len(parts)):
            if parts[i] != WILDCARD:
                siblings[(i, (*parts[:i], WILDCARD, *parts[i + 1 :]))].add(parts[i])

    def varies(parts: list[str], i: int) -> bool:
        rest = (*parts[:i], WILDCARD, *parts[i + 1 :])
        return i > 0 and len(siblings.get((i, rest), ())) >= MIN_SIBLINGS

    return {
        key: (split[key], [WILDCARD if varies(parts, i) else s for i, s in enumerate(parts)])
        for key, parts in shaped.items()
    }


def families(keys: Iterable[str]) -> dict[str, str]:
    """Per key, the case key of its family: a pattern where a segment varies ('uid:*:ip'),
    the key itself (a star in it escaped) where none does ('email:uid')."""
    out = {}
    for key, (_, wide) in _shapes(keys).items():
        out[key] = _family(wide) if WILDCARD in wide and len(wide) > 1 else literal_key(key)
    return out


def embedded(keys: Iterable[str], table: str) -> dict[str, str]:
    """Families whose varying segment is a personal value, and what it is: an IP address
    ('ip:*:uid'), an email, or a value the segment before it names ('name:<username>')."""
    found: dict[str, str] = {}
    for parts, wide in _shapes(keys).values():
        for i, segment in enumerate(wide):
            if segment != WILDCARD or _NUMBER.match(parts[i]):
                continue
            before = parts[i - 1] if i else ""
            what = None
            if parts[i] == _IP_MARK:
                what = "IP addresses"
            elif pii_values.is_email(parts[i]):
                what = "email addresses"
            elif (named := pii.match_name(before, table)) is not None:
                what = f"{pii.LABELS[named.kind]} (after `{before}`)"
            elif pii.is_generic_name(before) or before.lower() in LOGIN_WORDS:
                what = f"names or logins (after `{before}`)"
            elif before.lower() in SECRET_WORDS:
                what = f"session ids or tokens (after `{before}`)"
            if what is not None:
                found.setdefault(_family(wide), what)
    return found


def _family(wide: list[str]) -> str:
    return SEPARATOR.join(s if s == WILDCARD else literal_key(s) for s in wide)


def regroup(
    by_key: dict[str, tuple[set[str], list[str]]],
) -> dict[str, tuple[set[str], list[str]]]:
    """The sample per key regrouped per family (case keys, patterns or escaped exact keys),
    up to PER_FAMILY values each."""
    out: dict[str, tuple[set[str], list[str]]] = {}
    for key, family in families(by_key).items():
        values = out.setdefault(family, ({family}, []))[1]
        values.extend(by_key[key][1][: PER_FAMILY - len(values)])
    return out


def names_of(family: str) -> list[str]:
    """The names a family is judged under: its words naming values, last first
    ('uid:*:emails' -> emails, uid), index words ('uid', 'sorted') last."""
    words = [s for s in family.split(SEPARATOR) if s and WILDCARD not in s]
    named = [w for w in reversed(words) if w.lower() not in INDEX_WORDS]
    return [*named, *(w for w in reversed(words) if w.lower() in INDEX_WORDS)] or [family]


def all_ids(values: Iterable[str]) -> bool:
    """Values that are all numbers, hex ids, UUIDs or long tokens: an index of ids
    ('topics:tid', 'ip:*:uid'), kept whatever its key's words say."""
    listed = [v for v in values if v]
    return bool(listed) and all(_NUMBER.match(v) or _HEX.match(v) or _UUID.match(v) for v in listed)


def unclassified(values: Iterable[str]) -> int:
    """Values that look personal one by one (an email, a phone, an IP address, a full
    name, a line naming people), for a family judged not personal as a whole."""
    return sum(
        1
        for v in values
        if pii_values.is_email(v)
        or pii_values.is_ip(v)
        or pii_values.has_contact(v)
        or pii_values.is_full_name(v)
        or pii_values.named_people(v)
    )


def element_column(value: Column) -> Column:
    """The column judged for a list (text[]): its elements, each a text."""
    if not value.type.is_array:
        return value
    element = replace(value.type, sql=value.type.element_sql or "text", is_array=False)
    return replace(value, type=element)


def ordered(cases: dict[str, Any]) -> dict[str, Any]:
    """Exact keys first, then patterns, the most specific first (more segments, fewer
    stars): patterns are tried in file order, and 'user:*' would take 'user:5:ip'."""
    exact = {k: v for k, v in cases.items() if not is_pattern(k)}
    patterns = sorted(
        (k for k in cases if is_pattern(k)),
        key=lambda k: (-k.count(SEPARATOR), k.count(WILDCARD), k),
    )
    return {**exact, **{k: cases[k] for k in patterns}}


def unsure_note(unsure: list[str]) -> list[str]:
    """A REVIEW note naming kept families some sampled values of which look personal."""
    if not unsure:
        return []
    shown = ", ".join(unsure[:10]) + (f" and {len(unsure) - 10} more" if len(unsure) > 10 else "")
    return [
        f"REVIEW: kept, though some sampled values look personal (an email, an IP address, "
        f"a phone, a name): {shown}; add a case for each family that holds them"
    ]


def note_embedded_keys(
    conn: psycopg.Connection[Any], table: Table, proposals: dict[str, ColumnProposal], rows: int
) -> None:
    """A REVIEW note on a store's `_key` naming the families whose keys hold a personal
    value ('ip:<address>:uid', 'registration:queue:name:<username>', 'sess:<sid>'): the
    key is every row's identity, referenced by the other tables (ON UPDATE CASCADE), so
    no rule renames it; the note says which keys a human must look at."""
    columns = {c.name.lower(): c for c in table.columns.values()}
    key = next((columns[k] for k in STORE_KEYS if k in columns), None)
    if key is None or key.type.category != "S" or key.name not in proposals:
        return
    query = sql.SQL("SELECT DISTINCT {k}::text FROM {only}{t}{sample} LIMIT {n}").format(
        k=sql.Identifier(key.name),
        only=sql.SQL("" if table.partitioned else "ONLY "),
        t=sql.Identifier(table.schema, table.name),
        sample=sample_clause(table.estimated_rows, rows * KEY_SAMPLE),
        n=sql.Literal(rows * KEY_SAMPLE),
    )
    try:
        keys = [str(k) for (k,) in sampled_rows(conn, query) if k is not None]
    except psycopg.Error:
        return
    found = embedded(keys, table.name)
    if not found:
        return
    listed = "; ".join(f"{family}: {what}" for family, what in sorted(found.items())[:10])
    proposals[key.name].why.append(
        f"REVIEW: keys holding personal values are kept ({listed}); nothing renames a key "
        "(the other tables reference it): delete those rows after the refresh or rename "
        "them by hand, and mask their values by the switch's pattern cases"
    )


def folded_emails(proposal: ColumnProposal, values: list[str]) -> ColumnProposal:
    """An email family whose sampled addresses are all lower case (NodeBB's 'email:uid'
    holds lower(email), its user hash the address as typed) gets `fold_case: true`:
    every email rule then folds (rules/email_alike.py), so the masked index still
    finds the masked user."""
    addresses = [v for v in values if v.strip()]
    if proposal.strategy != "email" or not addresses or any(v != v.lower() for v in addresses):
        return proposal
    if not any(v != v.upper() for v in addresses):
        return proposal
    why = [*proposal.why, "every sampled address is lower case: fold_case, as the index is"]
    return replace(proposal, params={**proposal.params, "fold_case": True}, why=why)


_ID_SUFFIX = re.compile(r".:\d+$")


def suffix_note(proposal: ColumnProposal, values: list[str]) -> ColumnProposal:
    """A masked family whose values end in ':<id>' (NodeBB's search sets 'email:sorted',
    'anna@x.org:5') loses the id: no strategy keeps a suffix, so a REVIEW note says so."""
    listed = [v for v in values if v]
    if not proposal.masked or not listed:
        return proposal
    if sum(1 for v in listed if _ID_SUFFIX.search(v)) < 0.8 * len(listed):
        return proposal
    why = (
        "REVIEW: its values end in ':<id>' ('name:uid', a search index), which the rule "
        "does not keep: a search by them in staging finds no id"
    )
    return replace(proposal, why=[*proposal.why, why])


def unsure_family(family: str, kept: ColumnProposal) -> str:
    """A kept family for the REVIEW note, with why a masking rule was refused, if one
    was (a unique value no injective strategy fits)."""
    refused = [w.removeprefix("REVIEW: ") for w in kept.why if w.startswith("REVIEW: ")]
    return f"{family} ({refused[-1]})" if refused else family
