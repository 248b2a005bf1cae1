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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dbrefresh.rules import personal_codes, serialized
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
    could_be = COULD_BE.get(kind)
    least = MIN_SAMPLE_FOR.get(kind, MIN_SHAPED_SAMPLE)
    if could_be is None or len(sample) < least or any(map(could_be, sample)):
        return None
    return f"none of {len(sample)} sampled values is {label}"


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
    return f"its name ends in `name` and its {len(sample)} sampled values could be a person's"
