"""Query parameters naming people, by their name or by what they hold, in `rules init`.

url_names.py masked a parameter only when its name says personal data (`firstname`,
`phone`). Generic names carry people too: Chatwoot's referer '...?email=...&name=John%20
Schmidt' kept the name, Matomo's referer_url 'https://www.google.com/search?q=Kalina+
Howard' the search for a person, Mattermost's Jira attachments '.../ViewProfile.jspa?
name=bbenard' a login. A parameter of such a generic name (GENERIC) is personal when its
sampled values, decoded, pass a value detector (names, addresses, text naming people)
or half of them or more are logins holding a known name ('bbenard', 'agnes46'); a
`name` of product names ('Blue Shirt', 'wireless-mouse') stays. Secrets in parameters
are url_tokens' business. Pure logic over a column's or a JSON path's sample.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import unquote_plus

from dbrefresh.rules import name_values, pii, pii_values, text_mentions

PARAMETER = re.compile(r"[?&]([A-Za-z_][A-Za-z0-9_.-]*)=([^&#]*)")
NOT_HERE = frozenset({"secret"})  # tokens in URLs: url_params' and url_tokens' rule
# Parameter names that say nothing of what they hold, and often hold a person
GENERIC = frozenset(
    {
        "name",
        "user",
        "username",
        "user_name",
        "login",
        "author",
        "member",
        "nick",
        "q",
        "query",
        "search",
        "keyword",
        "keywords",
        "term",
    }
)
MIN_NAME = 4  # letters of a known name a login must hold ('bbenard': 'benard')
MIN_LOGINS = 5  # different such logins before they are a person's, not a product's


def values_by_parameter(sample: Sequence[str]) -> dict[str, list[str]]:
    """Each query parameter's non-empty values, decoded ('John%20Schmidt' -> 'John Schmidt')."""
    found: dict[str, list[str]] = {}
    for value in sample:
        for name, held in PARAMETER.findall(value):
            if held:
                found.setdefault(name, []).append(unquote_plus(held))
    return found


def holds_a_name(login: str) -> bool:
    """A login starting or ending in a known name of four letters or more ('bbenard')."""
    letters = re.sub(r"[\d._-]", "", login.lower())
    first, last = pii_values.all_names()
    return any(
        letters[:n] in first or letters[:n] in last or letters[-n:] in first or letters[-n:] in last
        for n in range(MIN_NAME, len(letters) + 1)
    )


def named_logins(values: Sequence[str]) -> bool:
    """Half the values or more are logins holding a known name, several different."""
    logins = [v for v in values if name_values.is_login(v) and holds_a_name(v)]
    return 2 * len(logins) >= len(values) and len(set(logins)) >= MIN_LOGINS


def judged(values: Sequence[str]) -> str | None:
    """The kind a generic parameter's decoded values are, or None (nothing personal)."""
    found = pii_values.match_values(values)
    if found is not None:
        return None if found.kind in NOT_HERE else found.kind
    if named_logins(values):
        return "username"
    kind, _ = text_mentions.judge(values)
    return kind


def personal_parameters(sample: Sequence[str], table: str = "") -> dict[str, str]:
    """The query parameters (with a value) that hold personal data, and its kind: by
    their name, or for a generic name by their values."""
    found: dict[str, str] = {}
    for name, held in values_by_parameter(sample).items():
        match = pii.match_name(name, table)
        if match is not None:
            if match.kind not in NOT_HERE:
                found[name] = match.kind
        elif name.lower() in GENERIC and (kind := judged(held)) is not None:
            found[name] = kind
    return found


def pattern(names: Sequence[str]) -> str:
    """The named parameters with their values (group 1: the name and '='), for Python
    and PostgreSQL alike."""
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return f"([?&](?:{alternatives})=)[^&#]*"


def others_personal(rest: Sequence[str], is_url: Callable[[str], object]) -> bool:
    """Whether what a parameters' rule would keep is personal: the values with their
    personal parameters replaced (a URL's capitalised 'Anna Schmidt' left in its path),
    or, judged alone so that the URLs do not thin them out, the values that are no
    URLs (Matomo's page titles 'Profile of Ann Smith' beside its URLs)."""
    others = [v for v in rest if not is_url(v.strip())]
    return any(_personal(values) for values in (others, rest))


def _personal(values: Sequence[str]) -> bool:
    if not values:
        return False
    if pii_values.match_values(values) is not None:
        return True
    return text_mentions.judge(values)[0] is not None
