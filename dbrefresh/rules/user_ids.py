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
  (either order), or an initial before a last name of four letters or more ('dboone'),
  with up to four trailing digits. Kind `username`. As for names, the matches must vary
  (pii_values.Detector diverse): 'max_price' in a column of settings is no one's login.
Pure logic: the name dictionaries come from pii_values, which calls these.
"""

from __future__ import annotations

import re
from typing import Final

# '@localpart:server[:port]'; a local part holds no whitespace, ':' or '@'
_SERVER_ID = re.compile(
    r"@[^\s:@]+:(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|localhost|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)
_JOINED = re.compile(r"([^\W\d_]{2,})[._]([^\W\d_]{2,})\d{0,4}")
_INITIAL = re.compile(r"[^\W\d_]([^\W\d_]{4,})\d{0,4}")

Names = tuple[frozenset[str], frozenset[str]]  # (first names, last names), lower case
# The rule of a `user_id`: '@alice:example.org' -> '@u<hex>:example.org', where <hex> is
# the hash of a bare 'alice' (hash with prefix u, a login's rule)
SPLIT_HASH: Final = {"prefix": "u", "keep_leading": "@", "keep_from": ":"}


def is_server_id(value: str) -> bool:
    """'@alice:example.org', '@bob:localhost:8448'."""
    return _SERVER_ID.fullmatch(value.strip()) is not None


def local_part(value: str) -> str:
    """The local part of a server id ('@alice:example.org' -> 'alice'), else the value."""
    text = value.strip()
    return text[1:].split(":", 1)[0] if is_server_id(text) else text


def is_name_login(value: str, names: Names) -> bool:
    """'dennis.boone', 'Boone_Dennis', 'dboone42'; not 'dennis' or 'boone' alone."""
    first, last = names
    text = value.strip().lower()
    if (joined := _JOINED.fullmatch(text)) is not None:
        a, b = joined.group(1), joined.group(2)
        return (a in first and b in last) or (a in last and b in first)
    initial = _INITIAL.fullmatch(text)
    return initial is not None and initial.group(1) in last and text not in first | last
