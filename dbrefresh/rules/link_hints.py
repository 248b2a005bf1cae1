"""A place or dictionary value shared with a key is no link by itself: the name must say so.

key_links.py links a masked column to a masked unique key when nearly all its sampled
values are the key's. Cities, countries, postcodes, streets and company names repeat
across unrelated tables: employees.city (where an employee lives) holds office cities,
and offices.city is unique (one office per city), so the residence city got the
offices' `hash` and hex replaced every city name. A column whose own rule draws such a
dictionary value (PLACE_STRATEGIES) links to a key only when its name holds the key
table's stem ('office_city' -> offices; ERPNext's 'customer_address' -> "tabAddress").
Person names, logins and document names link by values alone, as before.
"""

from __future__ import annotations

import re

PLACE_STRATEGIES = frozenset({"city", "street", "postcode", "company", "choice"})
_FRAPPE_PREFIX = re.compile(r"^tab(?=[A-Z])")  # Frappe's "tabAddress", "tabSales Invoice"
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
MIN_STEM = 3


def needs_hint(strategy: str) -> bool:
    """Whether a column masked by this strategy links to a key by its name only."""
    return strategy in PLACE_STRATEGIES


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def table_stem(table: str) -> str:
    """The last word of a table's name, singular and lower case ('public.offices' ->
    'office', 'tabSales Invoice' -> 'invoice', 'tabAddress' -> 'address')."""
    name = _FRAPPE_PREFIX.sub("", table.rpartition(".")[2])
    words = _WORD.findall(name)
    return _singular(words[-1].lower()) if words else ""


def hinted(column: str, key_table: str) -> bool:
    """Whether the column's name names the key's table ('office_city', 'officeCity')."""
    stem = table_stem(key_table)
    return len(stem) >= MIN_STEM and stem in column.lower()
