"""When a column's sampled values deny what its name says.

A name-based rule fired though no value fitted it: Keycloak's `realm.email_theme`
('acme') got `email`, WordPress's `comment_approved` ('1', '0', 'spam') got `lorem`,
a key `reset_password` holding 'True' got `hash`, Odoo's `ir_attachment.store_fname`
(file store paths, 'fname') got `first_name`; staging broke. Kinds whose values have a
shape are refused when no sampled value could be one, and names when every sampled
value is a path, a digest or a number; flags are no person's data whatever their name.
Kinds without a shape (cities, user names) stay judged by name alone, and so do
companies, but for numbers and size bands: n8n's personalizationAnswers
{"companySize": "20-99"} got `company`, the bands ('<20', '1000+') company names.
User names are refused when every value names a field or an attribute (Canvas's
login_attribute 'NameID', 'preferred_username': attribute_names.py), and names when
most values are paths, or a few lower-case words repeated, and none a person's name:
Canvas's folders.full_name ('my files', 'course files/Unit 1') got `full_name` for its
name, and the folders became people. A token of XML or JSON documents of positions
(Axon's tracking token `<globalIndex>934</globalIndex>`) is no secret: position_tokens.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dbrefresh.rules import (
    attribute_names,
    network_settings,
    personal_codes,
    pii_values,
    position_tokens,
    serialized,
)
from dbrefresh.rules.pii import LABELS, normalize

MIN_SHAPED_SAMPLE = 3  # non-blank values before their shape may overrule the name
# ... but for these kinds one value will do: Keycloak's realm table has one or two
# themes ('acme', 'keycloak'), and a value without an '@' plainly is no email address
MIN_SAMPLE_FOR = {"email": 1}
FLAG_SHARE = 0.8  # of the values boolean-like, the rest single words ('spam', 'trash')
BOOLEAN_TOKENS = frozenset({"true", "false", "t", "f", "yes", "no", "0", "1", "y", "n"})
_WORD = re.compile(r"[a-z][a-z_-]{0,19}")
_WEB = ("http://", "https://")
_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?", re.IGNORECASE)


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


# What no person's name looks like: a path or file name ('ab/abcdef01...', Odoo's
# ir_attachment.store_fname), a URL, a hex digest or id with digits in it, a UUID, or no
# letter at all ('12345', '-').
_PATH = re.compile(r"[/\\]|://|\.[a-z0-9]{2,4}$", re.IGNORECASE)
_HEX_ID = re.compile(r"[0-9a-f-]{8,}", re.IGNORECASE)


def could_be_a_name(value: str) -> bool:
    """Loosely: whether a value could be a person's name (or part of one) at all."""
    text = value.strip()
    if not any(c.isalpha() for c in text) or _PATH.search(text):
        return False
    return not (_HEX_ID.fullmatch(text) and any(c.isdigit() for c in text))


# A count or a size band ('20-99', '<20', '1000+', '10k+', '1-10 employees'): no company
_SIZE_BAND = re.compile(
    r"[<>~+≤≥]?\s*\d[\d,.]*\s*[km]?\s*(?:(?:-|\u2013|to)\s*\d[\d,.]*\s*[km]?)?\s*\+?"
    r"\s*(?:employees|people|persons|staff|users|members|seats)?",
    re.IGNORECASE,
)


def could_be_a_company(value: str) -> bool:
    """Loosely: a letter, in anything but a count or a size band."""
    text = value.strip()
    return any(c.isalpha() for c in text) and _SIZE_BAND.fullmatch(text) is None


# Loose on purpose: a value that could be the kind at all (a bare '4915112345678' is a
# phone number the strict detector refuses); only a sample of none of them overrules.
COULD_BE: dict[str, Callable[[str], bool]] = {
    "email": lambda v: "@" in v,
    "phone": lambda v: bool(_PHONE_CHARS.fullmatch(v.strip())) and 6 <= _digits(v) <= 15,
    "ip": lambda v: _digits(v) >= 2 and (v.count(".") == 3 or ":" in v),
    "iban": lambda v: _digits(v) >= 4 and sum(c.isalnum() for c in v) >= 12,
    "card": lambda v: _digits(v) >= 4,
    "national_id": lambda v: _digits(v) >= 3,
    "first_name": could_be_a_name,
    "last_name": could_be_a_name,
    "full_name": could_be_a_name,
    "company": could_be_a_company,
    personal_codes.KIND: personal_codes.could_be,
    # Akkoma's follower_address 'https://social.example/users/alice/followers' became
    # 'Bärerring 0' by its name: a web address is no place
    **dict.fromkeys(("street", "city", "postcode"), lambda v: not v.startswith(_WEB)),
}


def is_flags(sample: Sequence[str]) -> bool:
    """Boolean-like tokens, but for a few single words ('1', '0', 'spam')."""
    tokens = [v.strip().lower() for v in sample]
    flags = sum(t in BOOLEAN_TOKENS for t in tokens)
    return (
        bool(tokens)
        and flags >= FLAG_SHARE * len(tokens)
        and all(t in BOOLEAN_TOKENS or _WORD.fullmatch(t) for t in tokens)
    )


# Kratos' recovery_addresses.via ('email' on every row, unique with the address) got
# a unique hash as a street (Italian 'via'), and every `via = 'email'` lookup broke.
MAX_CATEGORIES = 5  # different words a column of categories shows


def is_categories(sample: Sequence[str]) -> bool:
    """A few different single words without a digit, in lower case or repeated: a
    category ('email', 'sms'), never a street line (a house number, a capitalised name)."""
    words = [v.strip() for v in sample]
    if not words or not all(_WORD.fullmatch(w.lower()) for w in words):
        return False
    different = len({w.lower() for w in words})
    if different > MAX_CATEGORIES:
        return False
    return all(w.islower() for w in words) or (
        len(words) >= MIN_SHAPED_SAMPLE and different <= len(words) / 2
    )


_NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
# A folder path: words on both sides of a '/' ('course files/Unit 1'), no URL
_FOLDERS = re.compile(r"[^/:]*[^\W_][^/]*(?:/[^/]*[^\W_][^/]*)+")
PATH_SHARE = 0.5  # of the sampled values paths, before they overrule the name


def _paths(sample: Sequence[str]) -> int | None:
    """How many values are folder paths, when they are half the sample or more and no
    other value is a person's name or part of one ('my files' is none)."""
    if len(sample) < MIN_SHAPED_SAMPLE:
        return None
    paths = [v for v in sample if _FOLDERS.fullmatch(v.strip())]
    if not paths or len(paths) < PATH_SHARE * len(sample):
        return None
    others = {v.strip() for v in sample} - {v.strip() for v in paths}
    return None if any(map(_known_name, others)) else len(paths)


def _repeated_phrases(sample: Sequence[str]) -> int | None:
    """How many different values, when they are a few lower-case phrases repeated over
    the rows (Canvas's root folders are 'my files' on every row) and no name, else None."""
    different = {v.strip() for v in sample}
    if len(sample) < MIN_SHAPED_SAMPLE or len(different) > MAX_CATEGORIES:
        return None
    if len(sample) < 2 * len(different) or any(c.isupper() for v in different for c in v):
        return None
    if not all(any(c.islower() for c in v) for v in different):
        return None  # '山田太郎' has no case: a name for all this knows
    return None if any(map(_known_name, different)) else len(different)


def _known_name(value: str) -> bool:
    """A full, first or last name of the dictionaries ('Anna', 'anna smith')."""
    return any(
        test(value)
        for test in (pii_values.is_full_name, pii_values.is_first_name, pii_values.is_last_name)
    )


_PLACE_KINDS = frozenset({"street", "city", "postcode"})
_WEB_ADDRESS = re.compile(r"https?://[^\s/]+(?:/\S*)?$", re.IGNORECASE)


def denial(kind: str, values: Sequence[str] | None) -> str | None:
    """Why the sampled values say the column is not of the kind its name suggests, or
    None (no values, or nothing against the name)."""
    sample = [v for v in values or () if v.strip()]
    label = LABELS.get(kind, kind)
    if is_flags(sample):
        return f"all {len(sample)} sampled values are flags (true/false, 0/1, yes/no), not {label}"
    if kind == "street" and is_categories(sample):
        different = len({v.strip().lower() for v in sample})
        return (
            f"all {len(sample)} sampled values are single words ({different} different, "
            f"a category), not {label}"
        )
    if (documents := serialized.documents_of(sample)) is not None:
        return f"all {len(sample)} sampled values are {documents}, not {label}"
    if kind == "secret" and (tracked := position_tokens.positions(sample)) is not None:
        return f"{tracked}, not {label}"  # Axon's token_entry.token: a processor's place
    if kind == "street" and sample and all(_WEB_ADDRESS.match(v.strip()) for v in sample):
        # OpenEMR's globals 'portal_onsite_two_address': the portal's URL, a setting
        return f"all {len(sample)} sampled values are web addresses (URLs), not {label}"
    if kind in _PLACE_KINDS and (settings := network_settings.all_settings(sample)):
        # a settings table's ldap_address 'ldaps://ldap.corp:636', bind_address
        # '0.0.0.0:389', admin_address 'cn=admin,dc=corp': network_settings.py
        return (
            f"all {settings} sampled values are network settings (URIs, host:port, "
            f"directory names, unspecified or loopback addresses), not {label}"
        )
    if kind == "username" and attribute_names.all_attribute_names(sample):
        return (
            f"all {len(sample)} sampled values name fields or attributes ('uid', "
            f"'NameID'), not {label}"
        )
    could_be = COULD_BE.get(kind)
    least = MIN_SAMPLE_FOR.get(kind, MIN_SHAPED_SAMPLE)
    if could_be is not None and len(sample) >= least and not any(map(could_be, sample)):
        return f"none of {len(sample)} sampled values is {label}"
    if kind in _NAME_KINDS and (paths := _paths(sample)) is not None:
        return f"{paths} of {len(sample)} sampled values are paths ('a/b'), not {label}"
    if kind in _NAME_KINDS and (phrases := _repeated_phrases(sample)) is not None:
        return (
            f"all {len(sample)} sampled values repeat a few lower-case words ({phrases} "
            f"different: a default or a category), not {label}"
        )
    return None


def display_name(column: str, values: Sequence[str] | None) -> str | None:
    """Why a column whose name its values denied is a person's name after all, or None:
    its name ends in `name` and every value could be one (Magento's config key
    trans_email/ident_general/name, 'Hans Owner': `email` by name, no '@')."""
    sample = [v for v in values or () if v.strip()]
    norm = normalize(column)
    if not sample or not (norm == "name" or norm.endswith("_name")):
        return None
    if not all(map(could_be_a_name, sample)) or is_flags(sample):
        return None
    if _repeated_phrases(sample) is not None:
        return None  # 'my files' on every row
    return f"its name ends in `name` and its {len(sample)} sampled values could be a person's"
