"""What each kind of personal data is masked with, in order of realism, and the column
types each kind can live in: the table `rules init` chooses from (propose.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbrefresh.rules import user_ids

Candidate = tuple[str, Mapping[str, Any]]

CANDIDATES: dict[str, tuple[Candidate, ...]] = {
    "secret": (("hash", {}), ("uuid", {})),
    # a throwaway key of the same kind, which the application can still sign with
    # (pem_keys.py); a unique column's keys hashed (one key each would collide)
    "private_key": (("private_key", {}),),
    "email": (("email", {}),),
    "ip": (("ip", {}),),
    "birth_date": (("date_shift", {"max_days": 365}),),
    "iban": (("partial", {"keep_last": 4}),),
    "card": (("partial", {"keep_last": 4}), ("digits", {})),
    "national_id": (("digits", {}),),
    "phone": (("phone", {}), ("digits", {"keep_prefix": 3})),
    "first_name": (("first_name", {}),),
    "last_name": (("last_name", {}),),
    "full_name": (("full_name", {}),),
    "street": (("street", {}),),
    "city": (("city", {}),),
    "postcode": (("postcode", {}), ("digits", {})),
    "company": (("company", {}),),
    # a grid of 0.1 degree (about 11 km), which a mean cannot undo: noise of 0.05 per
    # value averaged out (a device's track centred within 600 m of the real one), and
    # 0/0 (Traccar's "not set") stays; integer columns (OSM's degrees x 1e7) get noise
    "geo": (
        ("generalize", {"bucket": 0.1}),
        ("noise", {"absolute": 0.05}),
        ("noise", {"relative": 0.01}),
    ),
    # a letter first: applications refuse logins starting with a digit (Redmine,
    # Mattermost), which 32 hex characters do in 10 of 16 rows
    "username": (("hash", {"prefix": "u"}), ("hash", {})),
    # '@alice:example.org' -> '@u<hex>:example.org', as a bare 'alice' (user_ids.py)
    "user_id": (("hash", user_ids.SPLIT_HASH), ("hash", {"prefix": "u"}), ("hash", {})),
    "free_text": (("lorem", {}), ("null", {})),
    "file_name": (("file_name", {}),),  # a JSON path's file names (file_names.py)
    "personal_code": (("digits", {}),),  # format kept: rules/personal_codes.py
    # No strategy can rebuild a vector from the masked words: empty it (staging rebuilds
    # it, e.g. UPDATE ... SET search = to_tsvector(...)).
    "text_search": (("null", {}), ("constant", {"value": ""})),
    # No strategy masks inside XML or hstore either: empty the document.
    "document": (("null", {}), ("constant", {"value": ""})),
}
# Tried after a kind's own candidates: something that hides the value and fits.
FALLBACK: tuple[Candidate, ...] = (("hash", {}), ("null", {}))

# Type categories (pg_type.typcategory of the element type) each kind can live in.
TEXT_CATEGORIES = frozenset("S")
KIND_CATEGORIES: dict[str, frozenset[str]] = {
    "secret": frozenset("SU"),  # bytea and uuid tokens too
    "phone": frozenset("SN"),
    "postcode": frozenset("SN"),
    "iban": TEXT_CATEGORIES,
    "card": frozenset("SN"),
    "national_id": frozenset("SN"),
    "birth_date": frozenset("DS"),
    "ip": frozenset("IS"),
    "geo": frozenset("N"),
    "text_search": frozenset("U"),  # tsvector
    "document": frozenset("UC"),  # xml, hstore; composite values
}
