"""Street addresses, for `pii_values.py`: a house number beside a street of a known
kind, as people write them and as faker's address providers of the name locales build
them. Apart from pii_values so whole postal addresses (`postal_addresses.py`) can read
a street line without an import cycle.
"""

from __future__ import annotations

import re
from functools import cache

from dbrefresh.rules import faker_providers

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL")


# A house number and a street of a known kind, in the orders of the dictionaries'
# locales: "742 Evergreen Terrace" is not matched (no kind word), "12 Main St" is.
_STREET = re.compile(
    r"\d{1,5}[A-Za-z]?,?\s+(?:[\w'.-]+\s+){0,4}(?:street|st|avenue|ave|road|rd|boulevard|"
    r"blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|parkway|pkwy|highway|hwy)\.?"
    r"(?:,?\s+(?:apt|suite|unit|#)\.?\s*\w+)?"
    r"|\d{1,4},?\s+(?:rue|avenue|boulevard|bd|chemin|place|allée|impasse|quai)\s+\S.*"
    r"|(?:[\w.-]+\s+){0,2}[\w.-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)"
    r"\s+\d{1,4}\s?[a-z]?"
    r"|(?:calle|c/|avenida|avda\.|av\.|via|viale|piazza|corso|rua|travessa|ulica|ul\.)"
    r"\s+\S.*?\d{1,4}\w?",
    re.IGNORECASE,
)


def is_street(value: str) -> bool:
    """A street address: a house number beside a street of a known kind."""
    text = value.strip()
    return _STREET.fullmatch(text) is not None or _locale_streets().fullmatch(text) is not None


def _words(attribute: str, module: str) -> set[str]:
    """The words a faker address provider builds street names from (lower case)."""
    if (provider := faker_providers.provider(f"faker.providers.address.{module}")) is None:
        return set()
    found = getattr(provider, attribute, ())
    return {str(w).strip(" -").lower() for w in found if str(w).strip(" -")} - {"street"}


@cache
def _locale_streets() -> re.Pattern[str]:
    """Street addresses as faker's address providers of the name locales build them:
    '0487 Hopkins Squares Suite 487' (225 English kinds, not ten), 'Kerkstraat 7',
    'al. Leśna 74', 'Via Roma, 12', 'Calle Mayor 5', '12, rue Dupont'. A number is
    always required: 'Via Roma' alone is a street's name, not an address."""
    suffixes: set[str] = set()
    attached: set[str] = set()
    prefixes: set[str] = {"ul.", "al.", "pl.", "av.", "avda."}
    for locale in LOCALES:
        suffixes |= _words("street_suffixes", locale) if locale.startswith("en") else set()
        attached |= _words("street_suffixes_short", locale) | _words("street_suffixes_long", locale)
        if locale == "nl_NL":
            attached |= _words("street_suffixes", locale)
        if locale == "it_IT":
            prefixes |= _words("street_suffixes", locale)  # 'Via', 'Piazza': written first
        prefixes |= _words("street_prefixes", locale)

    def alternatives(words: set[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    unit = r"(?:,?\s+(?:apt|suite|unit|flat|#)\.?\s*\w+)?"
    number = r"\d{1,4}(?:[/-]\d{1,4})?\s?[a-z]?"  # 47-26, 74/39, 12a
    named = rf"(?:[\w'.-]+\s+){{1,4}}(?:{alternatives(suffixes)})\.?"
    return re.compile(
        rf"\d{{1,5}}[A-Za-z]?,?\s+{named}{unit}"
        rf"|(?:flat|studio|apartment|apt\.?|suite|unit)\s+\d{{1,4}}\w?,?\s+(?:\d{{1,5}}\s+)?{named}"
        rf"|[\w'.-]*(?:{alternatives(attached)})\s+{number}{unit}"
        rf"|(?:{alternatives(prefixes)})\s+\S.*?,?\s+{number}{unit}"
        rf"|\d{{1,4}},?\s+(?:{alternatives(prefixes)})\s+\S.*",
        re.IGNORECASE,
    )
