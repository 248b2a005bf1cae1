"""Account ids made of people's names, and Matrix-style ids, judged by their values.

A Synapse-like schema kept 'dennis.boone' (profiles.user_id) and
'@dennis.boone:example.org' (users.name, events.sender) while masking the display name
'Dennis Boone': no detector knew logins built from names, nor ids of the form
'@localpart:server', and the columns' names (`user_id`, `sender`) say nothing.
- `is_server_id`: '@localpart:server' (the server a host name, IP or 'localhost', with
  an optional port). Kind `user_id`, masked by `hash` keeping the '@' and the
  ':server' (the application still parses the id), hashing the local part as a bare
  local part hashes: ids and local parts kept in other tables and JSON documents, which
  join them by value without a foreign key, still agree.
- `is_name_login`: a known first name and a known last name joined by '.' or '_'
  (either order), with up to four trailing digits. Kind `username`. As for names, the
  matches must vary (pii_values.Detector diverse): 'max_price' in a column of settings
  is no one's login. An initial before a last name ('dboone') is not looked for: too
  many words are one ('chill', 'shall'), and such logins are judged by their column's
  name (name_values.py) or as copies of a masked column (copies.py, cross_copies.py).
Pure logic: the name dictionaries come from pii_values, which calls these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from dbrefresh.rules.text_samples import distinctive

# '@localpart:server[:port]'; a local part holds no whitespace, ':' or '@'
_SERVER_ID = re.compile(
    r"@[^\s:@]+:(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_JOINED = re.compile(r"([^\W\d_]{2,})[._]([^\W\d_]{2,})\d{0,4}")

Names = tuple[frozenset[str], frozenset[str]]  # (first names, last names), lower case
# a login or user name: hashed behind a letter (an id of digits alone may not be one)
LOGIN_RULE: Final = {"strategy": "hash", "prefix": "u"}
# The rule of a `user_id`: '@alice:example.org' -> '@u<hex>:example.org', where <hex> is
# the hash of a bare 'alice' (hash with prefix u, a login's rule)
SPLIT_HASH: Final = {"prefix": "u", "keep_leading": "@", "keep_from": ":"}


def is_server_id(value: str) -> bool:
    """'@alice:example.org', '@bob:localhost:8448'."""
    return _SERVER_ID.fullmatch(value.strip()) is not None


def is_name_login(value: str, names: Names) -> bool:
    """'dennis.boone', 'Boone_Dennis', 'dennis.boone42'; not 'dennis' alone or 'dboone'."""
    first, last = names
    joined = _JOINED.fullmatch(value.strip().lower())
    if joined is None:
        return False
    a, b = joined.group(1), joined.group(2)
    return (a in first and b in last) or (a in last and b in first)


def hashed_parts(params: Mapping[str, Any], values: Iterable[str]) -> set[str]:
    """What a `hash` keeping a lead and a tail hashes of each value ('@kit42:x.org' ->
    'kit42'), where it is not the whole value: a bare 'kit42' kept in another table masks
    as that id's middle does, so a column of them is a copy of the ids' column
    (cross_copies.py), whatever the local parts look like."""
    lead, sep = str(params.get("keep_leading", "")), str(params.get("keep_from", ""))
    if not (lead or sep):
        return set()
    out = set()
    for value in values:
        middle = value.lstrip(lead) if lead else value
        middle = middle.split(sep, 1)[0] if sep else middle
        if middle != value and distinctive(middle):
            out.add(middle)
    return out
