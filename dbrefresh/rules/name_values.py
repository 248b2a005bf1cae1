"""When a column named for a person's name holds companies or logins.

Chatwoot's `accounts.name` ('Perry, Turner and Diaz', 'Miller LLC') got `full_name`
for its name in a table about people, and Gitea's `user.name` ('CHarmon0', 'jdoe'),
a login, was said to hold 'a person's full name'. Values of a shape no person's name
has overrule the name, in half the sample or more (as other whole-value kinds need):
company names get `company`, login-shaped single words `username`.

Canvas's accounts.name holds institutions ('Springfield University', 'School of
Nursing'): kept with a note when no value is a person's name. Login-shaped words are
logins only with evidence of people: Airflow's task_instance.task_display_name
('extract' on every row) and PostHog's person_display_name_properties
({email,name,username}) were hashed as logins. Field or attribute names are no logins,
nor are a few different words without a digit or a name in them (jdoe, CHarmon0 and
anna.k have one; ten different words need none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import attribute_names, company_names, pii_values
from dbrefresh.rules.pii import NameMatch

NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
SHARE = 0.5
MIN_SAMPLE = 3
_TOKEN = re.compile(r"[A-Za-z0-9][\w.-]+")
MIN_DIFFERENT = 10  # different logins that need no digit or name part in them
MIN_PART = 3  # letters of a name part inside a login ('doe' in 'jdoe')
_PARTS = re.compile(r"[^\W\d_]+")


def _capitalised(word: str) -> bool:
    return word.isalpha() and word[0].isupper() and word[1:] == word[1:].lower()


def is_login(value: str) -> bool:
    """One token of letters, digits, dots, dashes or underscores that is no capitalised
    word and no known name ('CHarmon0', 'jdoe', 'anna.k'; not 'Smith', 'anna')."""
    text = value.strip()
    if not _TOKEN.fullmatch(text) or all(map(_capitalised, text.split("-"))):
        return False  # 'Smith', 'Schrödinger', 'Jackson-Davis': a name or a brand
    return not (pii_values.is_first_name(text) or pii_values.is_last_name(text))


def _name_part(login: str) -> bool:
    """A digit, or a known first or last name as a part of it, or behind an initial
    ('anna.k', 'jdoe', 'CHarmon0')."""
    if any(c.isdigit() for c in login):
        return True
    first, last = pii_values.all_names()
    for part in _PARTS.findall(login.lower()):
        for word in (part, part[1:]):
            if len(word) >= MIN_PART and (word in first or word in last):
                return True
    return False


def _not_people(logins: Sequence[str]) -> str | None:
    """Why login-shaped values are no people's logins, or None (they may be)."""
    if attribute_names.all_attribute_names(logins):
        return "they name fields or attributes ('email', 'uid', 'NameID')"
    different = {v.strip() for v in logins}
    if len(different) < MIN_DIFFERENT and not any(map(_name_part, different)):
        return f"none of their {len(different)} different words holds a digit or a name"
    return None


def overrule(
    by_name: NameMatch, values: Sequence[str] | None
) -> tuple[str | None, list[str]] | None:
    """The kind and reason when the sampled values of a column named for a person's
    name are companies or logins (kind None: neither people's nor personal, kept with
    a note), else None."""
    sample = [v for v in values or () if v.strip()]
    if by_name.kind not in NAME_KINDS or not sample:
        return None
    organisations, sampled = sum(map(company_names.is_organisation, sample)), len(sample)
    few = sampled < MIN_SAMPLE  # Canvas's one root account: 'Springfield University'
    if few and organisations < sampled:
        return None
    companies, _ = company_names.company_share(sample)
    if not few and companies >= SHARE * sampled:
        shown = f"{companies} of {sampled} sampled values are company names (a legal form"
        return "company", [f"{by_name.reason}, but {shown} or partners: 'Ltd', 'X and Y')"]
    if organisations >= SHARE * sampled and not any(map(pii_values.is_full_name, sample)):
        shown = f"{organisations} of {sampled} sampled values name organisations"
        return None, [
            f"REVIEW: {by_name.reason}, but {shown} ('University', 'School', 'Department') "
            "and none a person: kept; `company` masks them"
        ]
    if few:
        return None
    logins = [v for v in sample if is_login(v)]
    if len(logins) >= SHARE * sampled:
        shown = f"{len(logins)} of {sampled} sampled values are single words shaped like logins"
        if (against := _not_people(logins)) is not None:
            return None, [f"REVIEW: {by_name.reason}, but {shown}, and {against}: kept"]
        return "username", [f"{by_name.reason}, but {shown} (no known name): a user name"]
    return None
