"""Web-session stores in `rules init`: proposed `truncate`, not masked column by column.

Moodle's mdl_sessions.sessdata, Django's django_session.session_data, Rails's
sessions.data and Laravel's sessions.payload hold each session's serialized state (PHP
`USER|O:8:"stdClass":...`, signed base64, Marshal): masked as text (lorem, a hash) it
no longer unserializes, and the application fails on every request that reads it,
while its session ids would still be production's. Such a table is emptied instead:
every visitor of staging logs in again. A table is taken for a session store by its
name (`session`, `sessions`, `*_session`, `*_sessions`), a text column naming a
session's id (`sid`, `session_id`, `session_key`, `sess_id`, or a text `id`), a data
column (`data`, `sessdata`, `session_data`, `sess_data`, `payload`) and no foreign key
referring to it (truncating would break those rows), and by what its data column holds:
most sampled values must be serialized session state (PHP's session encoding
`key|s:3:"abc";`, base64 of it or of a PHP array, of Ruby's Marshal or of JSON, Django's
signed `eyJ...:1abc:sig`, express-session's `{"cookie":...}`). A gym's training
`sessions` with a schedule in JSON under `data`, chat transcripts, a conference's talks
are no session store, whatever their names: emptying them lost every row. With no
value sampled (an empty or unreadable table), its name is trusted only beside an
expiry column (`expire_date`, `expires`, `timemodified`, `last_activity`...).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence

from dbrefresh.catalog import Catalog, Table
from dbrefresh.rules import pii

_NAME = re.compile(r"(^|_)sessions?$")
ID_NAMES = ("sid", "session_id", "session_key", "sess_id", "sessid", "id")
DATA_NAMES = ("data", "sessdata", "session_data", "sess_data", "payload")
EXPIRY_NAMES = frozenset(
    {"expire", "expires", "expire_date", "expires_at", "expiry", "timemodified", "last_activity"}
)
STATE_SHARE = 0.8  # of the non-blank sampled values: serialized session state
_PHP_SESSION = re.compile(r"^[A-Za-z_][\w.-]*\|(?:[abids]:|O:\d|N;)")  # 'USER|O:8:"..."'
_PHP_VALUE = re.compile(r'^(?:a:\d+:\{|O:\d+:"|s:\d+:")')  # Laravel's serialize(array)
_EXPRESS = re.compile(r'^\s*\{\s*"cookie"\s*:\s*\{')  # express-session's JSON
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_DJANGO_OLD = re.compile(rb"^[0-9a-f]{32,64}:")  # base64 of 'hash:serialized'
NOTE = (
    "a web-session store ({sid}, {data}: serialized session state, which masking would "
    "leave unreadable): emptied, so everyone logs in again on staging; REVIEW: use "
    "`columns:` instead to keep its rows"
)


def session_store(
    catalog: Catalog, table: Table, samples: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """Why the table is a web-session store to truncate (None: it is not one), judged by
    its data column's sampled values (`samples`: none read, by an expiry column)."""
    if not _NAME.search(pii.normalize(table.name)) or table.parent is not None:
        return None
    columns = {pii.normalize(c.name): c for c in table.columns.values() if not c.generated}
    sid = next(
        (
            columns[n]
            for n in ID_NAMES
            if n in columns and columns[n].type.category == "S" and not columns[n].type.is_array
        ),
        None,
    )
    data = next(
        (
            columns[n]
            for n in DATA_NAMES
            if n in columns and (columns[n].type.category == "S" or columns[n].type.is_json)
        ),
        None,
    )
    if sid is None or data is None:
        return None
    values = [v for v in (samples or {}).get(data.name) or () if v.strip()]
    if values:
        if sum(map(is_session_state, values)) < STATE_SHARE * len(values):
            return None
    elif not EXPIRY_NAMES & set(columns):
        return None
    lineage = {table.qualified, *(t.qualified for t in catalog.partitions_of(table.qualified))}
    if any(fk.ref_table in lineage and fk.table not in lineage for fk in catalog.foreign_keys):
        return None
    return NOTE.format(sid=sid.name, data=data.name)


def is_session_state(value: str) -> bool:
    """Whether a sampled value (perhaps its head only, ' … ' and its tail) looks like a
    web session's serialized state rather than a document or text."""
    head = value.split(" … ", 1)[0].strip()
    if _PHP_SESSION.match(head) or _PHP_VALUE.match(head) or _EXPRESS.match(head):
        return True
    head = "".join(head.split())  # Rails's pack('m') breaks lines
    compressed = head.startswith(".")  # Django's signed, zlib-compressed payload
    parts = head.removeprefix(".").split(":")
    if len(parts) > 4 or not all(_BASE64.match(p) for p in parts):
        return False
    decoded = _decoded(parts[0][: 4 * 24])
    if decoded is None:
        return False
    if compressed:
        return decoded.startswith(b"x")
    return (
        decoded.startswith((b"\x04\x08", b"{", b"\x80"))  # Marshal, JSON, pickle
        or _DJANGO_OLD.match(decoded) is not None
        or _PHP_SESSION.match(decoded.decode("latin-1")) is not None
        or _PHP_VALUE.match(decoded.decode("latin-1")) is not None
    )


def _decoded(text: str) -> bytes | None:
    """The bytes of a (standard or URL-safe) base64 text's whole quads, None if none."""
    text = text.rstrip("=").translate(str.maketrans("-_", "+/"))
    text = text[: len(text) - len(text) % 4] if len(text) % 4 == 1 else text
    if len(text) < 2:
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
