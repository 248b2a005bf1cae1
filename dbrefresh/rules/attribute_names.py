"""Values that name a field, a setting or an identity attribute, not a person.

Wiki.js' LDAP strategy maps attributes by name: authentication.config
{"mappingDisplayName": "displayName"} got `full_name`, and the login no longer found the
directory's attribute; its mail settings {"senderName": "Wiki"} became a person's name.
Under a key naming a person's name, values that are all camelCase identifiers
('displayName', 'givenName', 'sAMAccountName'; beside them short lower-case ones like
LDAP's 'cn'), or, for a full name, one single word on every sampled row that no name
list knows ('Wiki'), are what the application reads: kept. A known name ('Jennifer') or
a value of several words ('Hans Owner') stays a name (`names_fields`).

Canvas's account_authorization_configs.login_attribute (and its settings JSON's
`login_attribute`) says which SAML or OIDC attribute logs a user in: 'NameID',
'eduPersonPrincipalName', 'preferred_username', 'uid', 'tid+oid'. PostHog's
posthog_team.person_display_name_properties lists the person properties shown as a
name: {email,name,username}. Both were hashed as logins ('u3faf...'), and the
application no longer found the attribute it reads. A value whose every word names a
field, a claim or a directory attribute is configuration, whatever its column's name
(`all_attribute_names`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import pii_values
from dbrefresh.rules.pii import normalize

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


# Words that field, claim and attribute names are made of (after splitting camelCase,
# snake_case and '+', ':' or '.'): 'NameID' -> name id, 'tid+oid' -> tid oid. No word a
# login is made of ('admin', 'user', 'test'), so a column of such logins stays a login.
_WORDS = """id ids uid oid tid sub upn sid guid uuid name names username usernames nameid
email emails mail e login logins principal person edu preferred given family first last
full display nick nickname account sam object common cn dn ou dc claim claims attribute
attributes identifier phone number address urn"""
ATTRIBUTE_WORDS = frozenset(_WORDS.split())
# Whole attribute names that do not split into those words by case or separator
KNOWN = frozenset(
    {
        "samaccountname",
        "userprincipalname",
        "edupersonprincipalname",
        "edupersontargetedid",
        "edupersonuniqueid",
        "mailnickname",
        "givenname",
        "displayname",
        "preferredusername",
        "objectguid",
        "objectsid",
        "nameidentifier",
    }
)
_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:+-]{0,63}")


def is_attribute_name(value: str) -> bool:
    """A field or attribute name: 'NameID', 'preferred_username', 'tid+oid', 'email',
    'urn:oid:0.9.2342.19200300.100.1.1' (not 'jdoe', 'anna.k', 'CHarmon0')."""
    text = value.strip()
    if not _SHAPE.fullmatch(text):
        return False
    if re.sub(r"[^a-z]", "", text.lower()) in KNOWN:
        return True
    words = normalize(text).split("_")
    oid = bool({"urn", "oid"} & set(words))  # an OID's arcs are digits
    named = [w for w in words if not (oid and w.isdigit())]
    return bool(named) and all(w in ATTRIBUTE_WORDS for w in named)


def all_attribute_names(values: Sequence[str]) -> bool:
    """Every non-blank value names a field or an attribute (and there is one)."""
    sample = [v for v in values if v.strip()]
    return bool(sample) and all(map(is_attribute_name, sample))
