"""Values under a name key that are a field's name or one setting, not a person's.

Wiki.js' LDAP strategy maps attributes by name: authentication.config
{"mappingDisplayName": "displayName"} got `full_name`, and the login no longer found the
directory's attribute; its mail settings {"senderName": "Wiki"} became a person's name.
Under a key naming a person's name, values that are all camelCase identifiers
('displayName', 'givenName', 'sAMAccountName'; beside them short lower-case ones like
LDAP's 'cn'), or, for a full name, one single word on
every sampled row that no name list knows ('Wiki'), are what the application reads:
kept. A known name ('Jennifer') or a value of several words ('Hans Owner') stays a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii_values

NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
MAX_SETTINGS = 10  # documents holding one setting's word (json_doubts.MIN_LABELLED)
_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)+")  # 'displayName', 'sAMAccountName'
_SHORT = re.compile(r"[a-z]{1,4}")  # 'cn', 'sn', 'uid', 'mail'
_WORD = re.compile(r"[^\W\d_]+")


def _known(value: str) -> bool:
    return pii_values.is_first_name(value) or pii_values.is_last_name(value)


def names_fields(kind: str, values: Sequence[str]) -> bool:
    """Whether a name key's sampled values are field names or one setting's word."""
    sample = [v.strip() for v in values if v.strip()]
    if kind not in NAME_KINDS or not sample or any(map(_known, sample)):
        return False
    camel = [v for v in sample if _CAMEL.fullmatch(v)]
    if camel and all(v in camel or _SHORT.fullmatch(v) for v in sample):
        return True  # beside 'displayName', LDAP's 'cn' and 'sn' are attributes too
    # one unknown word on every row of a settings document or a few is no full name (a
    # first or last name may be one); more documents are json_doubts.py's labels
    return (
        kind == "full_name"
        and len(sample) < MAX_SETTINGS
        and len(set(sample)) == 1
        and bool(_WORD.fullmatch(sample[0]))
    )
