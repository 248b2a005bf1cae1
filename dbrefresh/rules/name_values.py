"""When a column named for a person's name holds companies or logins.

Chatwoot's `accounts.name` ('Perry, Turner and Diaz', 'Miller LLC') got `full_name`
for its name in a table about people, and Gitea's `user.name` ('CHarmon0', 'jdoe'),
a login, was said to hold 'a person's full name'. Values of a shape no person's name
has overrule the name, in half the sample or more (as other whole-value kinds need):
company names get `company`, login-shaped single words `username`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules import company_names, pii_values
from dbrefresh.rules.pii import NameMatch

NAME_KINDS = frozenset({"full_name", "first_name", "last_name"})
SHARE = 0.5
MIN_SAMPLE = 3
_TOKEN = re.compile(r"[A-Za-z0-9][\w.-]+")


def _capitalised(word: str) -> bool:
    return word.isalpha() and word[0].isupper() and word[1:] == word[1:].lower()


def is_login(value: str) -> bool:
    """One token of letters, digits, dots, dashes or underscores that is no capitalised
    word and no known name ('CHarmon0', 'jdoe', 'anna.k'; not 'Smith', 'anna')."""
    text = value.strip()
    if not _TOKEN.fullmatch(text) or all(map(_capitalised, text.split("-"))):
        return False  # 'Smith', 'Schrödinger', 'Jackson-Davis': a name or a brand
    return not (pii_values.is_first_name(text) or pii_values.is_last_name(text))


def overrule(by_name: NameMatch, values: Sequence[str] | None) -> tuple[str, list[str]] | None:
    """The kind and reason when the sampled values of a column named for a person's
    name are companies or logins, else None."""
    sample = [v for v in values or () if v.strip()]
    if by_name.kind not in NAME_KINDS or len(sample) < MIN_SAMPLE:
        return None
    companies, sampled = company_names.company_share(sample)
    if companies >= SHARE * sampled:
        shown = f"{companies} of {sampled} sampled values are company names (a legal form"
        return "company", [f"{by_name.reason}, but {shown} or partners: 'Ltd', 'X and Y')"]
    logins = sum(map(is_login, sample))
    if logins >= SHARE * sampled:
        shown = f"{logins} of {sampled} sampled values are single words shaped like logins"
        return "username", [f"{by_name.reason}, but {shown} (no known name): a user name"]
    return None
