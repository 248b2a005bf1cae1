"""Whole postal addresses in one value masked as addresses of the same layout.

A column (or JSON path) of whole addresses (pretix's invoice_to 'Clarke Group\\nErnestine
Kelly\\nTäscheplatz 8/1\\n96036 Bakershire', Traccar's 'Zenta-Hartung-Gasse 346, 99351
Recklinghausen, DE') got `street`: one street line ('2, rue de Valentin'), so invoices
lost their company, name, postcode and town lines. When most sampled values read as
optional company/person lines, a street line, a postcode+city line and an optional
country, joined by line breaks or ', ', the sample's most common layout becomes a
`template` masking each part ('{company}\\n{full_name}\\n{street}\\n{postcode} {city}');
a country is written as the sample's (a country is no one's). A value laid out
otherwise gets that layout too, never its original. Pure logic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from dbrefresh.rules import company_names, faker_providers, pii_values, streets
from dbrefresh.rules.postal_addresses import POSTCODE
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.streets import is_street

SHARE = 0.5  # of the sampled values that must be laid-out addresses
MAX_HEAD = 2  # company and person lines before the street
_CITY = r"[^\W\d_][^\W\d_'.\- ]*(?:[ '.\-]+[^\W\d_]+){0,4}\.?"
_POSTCODE_CITY = re.compile(rf"(?:{POSTCODE.pattern})\s+{_CITY}")
_CITY_POSTCODE = re.compile(rf"{_CITY}\s+(?:{POSTCODE.pattern})")
# what each part of a layout is masked with
PARTS = {
    "company": "{company}",
    "full_name": "{full_name}",
    "street": "{street}",
    "postcode_city": "{postcode} {city}",
    "city_postcode": "{city} {postcode}",
}
_SAID = {"postcode_city": "postcode city", "city_postcode": "city postcode"}


@dataclass(frozen=True)
class Layout:
    """How one address is laid out: the separator and each line's part."""

    separator: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    template: str
    note: str


@cache
def _countries() -> frozenset[str]:
    """Country names (faker's, in the name locales' languages) and ISO codes, lower case."""
    found = {"usa", "uk", "u.s.a.", "great britain", "deutschland", "españa", "österreich"}
    for locale in ("", *(f".{loc}" for loc in streets.LOCALES)):
        provider = faker_providers.provider(f"faker.providers.address{locale}")
        for attribute in ("countries", "alpha_2_country_codes", "alpha_3_country_codes"):
            found |= {str(c).strip().lower() for c in getattr(provider, attribute, ())}
    return frozenset(found)


def _separator(value: str) -> str | None:
    for separator in ("\r\n", "\n"):
        if separator in value:
            return separator
    return ", " if ", " in value else None


def _postcode_line(line: str) -> str | None:
    if _POSTCODE_CITY.fullmatch(line):
        return "postcode_city"
    return "city_postcode" if _CITY_POSTCODE.fullmatch(line) else None


def read(value: str) -> tuple[Layout, str | None] | None:
    """The layout of one address and its country as written, or None."""
    separator = _separator(value.strip())
    if separator is None:
        return None
    lines = [line.strip() for line in value.strip().split(separator)]
    if any(not line for line in lines):
        return None
    country = lines.pop() if len(lines) > 2 and lines[-1].lower() in _countries() else None
    if len(lines) < 2 or (where := _postcode_line(lines[-1])) is None:
        return None
    head, street = lines[:-2], lines[-2]
    if not is_street(street) and separator == ", " and head:  # 'Via Roma, 12'
        head, street = head[:-1], f"{head[-1]}, {street}"
    if not is_street(street) or len(head) > MAX_HEAD:
        return None
    if any(len(line.split()) > 6 or any(c.isdigit() for c in line) for line in head):
        return None
    kinds = tuple(
        "full_name"
        if pii_values.is_full_name(line) and not company_names.is_company(line)
        else "company"
        for line in head
    )
    parts = (*kinds, "street", where, *(("country",) if country else ()))
    return Layout(separator, parts), country


def propose(values: Sequence[str]) -> Proposal | None:
    """A template of the sample's most common address layout, when most sampled values
    are laid-out addresses; None otherwise."""
    sample = [v for v in values if v.strip()]
    read_ = [found for v in sample if (found := read(v)) is not None]
    if not sample or len(read_) <= SHARE * len(sample):
        return None
    layout, laid = Counter(layout for layout, _ in read_).most_common(1)[0]
    countries = Counter(country for found, country in read_ if found == layout and country)
    country = countries.most_common(1)[0][0] if countries else ""
    literal = country.replace("{", "{{").replace("}", "}}")
    template = layout.separator.join(PARTS.get(p, literal) for p in layout.parts)
    lines = "one a line" if "\n" in layout.separator else f"joined by {layout.separator!r}"
    said = ", ".join(_SAID.get(p, p.replace("_", " ")) for p in layout.parts)
    note = (
        f"REVIEW: {len(read_)} of {len(sample)} sampled values are whole postal addresses; "
        f"the layout of {laid} of them ({said}, {lines}) is kept: each part masked "
        "(values laid out otherwise take this layout too)"
    )
    if len(countries) > 1:
        note += f"; the country is written {country!r} ({len(countries)} in the sample)"
    elif country:
        note += f"; the country {country!r} is kept"
    return Proposal(template, note)


def as_template(
    proposal: ColumnProposal, values: Sequence[str] | None, fit: Callable[[dict[str, Any]], bool]
) -> None:
    """A `street` proposal over whole addresses becomes a template of their layout, in
    place, when the template fits the column (its width)."""
    if proposal.strategy != "street" or (found := propose(values or ())) is None:
        return
    raw: dict[str, Any] = {"template": found.template}
    if fit(raw):
        proposal.strategy, proposal.params = "template", raw
        proposal.why.append(found.note)
