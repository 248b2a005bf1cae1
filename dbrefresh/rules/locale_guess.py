"""Which dictionary locale a database's people are from, for rules init's defaults.

A German shop masked with the eight locales mixed comes out Polish, Spanish or
American (strategies/locales.py). rules init reads the names it sampled anyway: a name
that only one locale's faker lists know votes for it (Jürgen for de_DE; Anna, known to
several, does not vote). When one locale has nearly every vote, it is proposed as
`defaults.locale`, with the count in a comment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache

from dbrefresh.rules.pii_values import NAME_LOCALES, locale_names
from dbrefresh.strategies.locales import LOCALES

NAME_KINDS = frozenset({"first_name", "last_name", "full_name"})
MIN_VOTES = 20  # names known to one locale only, before a locale is proposed
SHARE = 0.8  # of those votes, the proposed locale's


@cache
def _locales_of_names() -> dict[str, frozenset[str]]:
    """name (lower case) -> the locales whose faker lists hold it: the dictionaries' and
    the others the name detectors read (pt_BR), so a Brazilian 'João' votes for no
    dictionary locale instead of its Spanish neighbours getting the vote."""
    found: dict[str, set[str]] = {}
    for locale in NAME_LOCALES:  # every dictionary locale, and pt_BR
        for names in locale_names(locale):
            for name in names:
                found.setdefault(name, set()).add(locale)
    return {name: frozenset(locales) for name, locales in found.items()}


def guess_locale(names: Iterable[str]) -> tuple[str, str] | None:
    """(locale, why) when the sampled names are one locale's, else None."""
    known = _locales_of_names()
    votes: Counter[str] = Counter()
    for value in names:
        for word in value.split():
            locales = known.get(word.strip(".,").lower())
            if locales is not None and len(locales) == 1:
                votes.update(locales)
    total = sum(votes.values())
    if total < MIN_VOTES:
        return None
    locale, count = votes.most_common(1)[0]
    if count < SHARE * total or locale not in LOCALES:
        return None
    return locale, (
        f"{count} of {total} sampled names that only one locale knows are {locale}'s: "
        "fake names, addresses and companies drawn from it"
    )
