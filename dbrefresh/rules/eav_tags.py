"""Map tags: OpenStreetMap's `*_tags(…, k, v)` tables, masked for contact keys only.

OSM keeps every tag of every node, way, relation and changeset as a (k, v) row:
`amenity=cafe`, `name=Café Central`, `addr:street=…`, `phone=+49 30 …`. Judged as one
column, 89 phone numbers in 750 values made every tag lorem (`amenity=cafe` became
`amenity=pref`) and the public map no longer rendered. Read as a key/value table,
each key was judged as a column named after it would be, and `name` (shop names, often
a surname: 'Andrade') or `addr:street` would become a person's name or a street: the
map's public data, not a person's. In a table of tags keyed by `k`, only keys for a
way of contact (`phone`, `fax`, `email`, `mobile`, any `contact:*`) may become cases;
every other tag is kept.
"""

from __future__ import annotations

import re

from dbrefresh.catalog import Table

_CONTACT = re.compile(r"^(?:contact:.+|(?:[a-z_]+:)?(?:phone|fax|mobile|e-?mail))$", re.IGNORECASE)
_TAG_TABLES = re.compile(r"tags?$", re.IGNORECASE)
NOTE = (
    "REVIEW: map tags (k/v): only contact keys (phone, fax, mobile, email, contact:*) are "
    "masked; every other tag (name, addr:*, amenity) is public map data, kept"
)


def map_tags(table: Table, key: str, value: str) -> bool:
    """Whether a key/value pair is OSM's (k, v) in a table of tags."""
    return (key, value) == ("k", "v") and bool(_TAG_TABLES.search(table.name))


def contact_key(key: str) -> bool:
    """Whether a tag's key names a way of contact: `phone`, `contact:email`."""
    return bool(_CONTACT.match(key.strip()))
