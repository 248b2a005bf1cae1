"""Where a person lives or signs in from, named in a `location` column or JSON key.

Kratos's session_devices.location ('Gera, DE'), Chatwoot's contacts.location ('Neuss,
Kongo') and Ghost's users.location (a staff member's city) were kept: `location`
names no kind (it may hold a warehouse code, a room, a URL), and a city's name passes
no value detector. Beside masked names and addresses a city narrows a person down.

A text column or JSON key named `location` (`user_location`, `hometown`, `residence`),
in a table about people or their web sessions and devices (a JSON key also beside a masked
street, postcode or city in its document), whose sampled values are mostly place
names ('City', 'City, CC', 'City, Country', 'City, State, CC': capitalised words,
no digits) of several different values, gets `city`. Values that are only countries
('Germany', 'DE') are coarse and kept; so are codes ('WH-BER-01', 'A-12': digits,
capitals only), rooms of a few repeated words ('Office', 'Remote'), and any handful of
labels repeated over many rows ('Studio A', 'Main Hall'; 'Berlin Office', 'London HQ'):
people's places spread (SPREAD_SHARE of the sampled values different, or SPREAD
different ones) or name their region or country after a comma ('Gera, DE', as geo-IP
lookups and profiles write them). A table of sessions counts only as a web session's (Kratos's
session_devices): beside an IP address, a user agent, a browser or a device; a training
or conference session's room is no one's whereabouts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import faker_providers, pii, streets
from dbrefresh.rules.fitting import choose, column_context
from dbrefresh.rules.json_paths import PathFinding
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import field_name, path_parts

SHARE = 0.8  # of the sampled values, place names
MIN_DISTINCT = 3
MAX_WORDS = 4  # words of a city's name
MAX_SETTINGS = 5  # distinct single words repeated from row to row: labels, no places
SPREAD_SHARE = 0.2  # of the sampled places different: people's, not a set of labels
SPREAD = 10  # or as many different places: a few offices or rooms repeated are labels
_NAMES = frozenset({"location", "locality", "hometown", "residence", "whereabouts"})
# words of a location's attributes or references, not the place (location_id, geo_location_lat)
_ABOUT = frozenset(
    re.split(
        r"\s+",
        """id ids uuid type kind code codes url lat lng lon latitude longitude accuracy count
    at on source status enabled flag updated changed verified sharing permission
    precision radius coordinates""",
    )
)
_SESSIONS = frozenset({"session", "sessions", "login", "logins", "signin", "signins"})
_DEVICES = frozenset({"device", "devices"})
# words of a web session's columns: its IP address, user agent, browser, device
_WEB = frozenset(
    {"ip", "ips", "ipaddress", "ipaddr", "clientip", "agent", "useragent", "browser"} | _DEVICES
)
# kinds of a document's address parts: a location beside them is the person's too
_ADDRESS_KINDS = frozenset({"street", "postcode", "city"})
_PERSON_KINDS = frozenset({"email", "username", "full_name", "first_name", "last_name"})
# lower-case words inside a place's name: 'Frankfurt am Main', 'Stratford-upon-Avon'
_PARTICLES = frozenset(
    re.split(
        r"\s+",
        """de la le les am an der den di da do du del dos das el im in on upon sur sous of the
    y e bei ob von zu aan op""",
    )
)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*\.?")  # with inner apostrophes
_CODE = re.compile(r"[A-Z]{2,3}")


def location_name(name: str) -> bool:
    """A column or key named for a place, not for its id or coordinates."""
    words = set(pii.normalize(name).split("_"))
    return bool(words & _NAMES) and not words & _ABOUT


def people_or_sessions(table: str, columns: Iterable[str] = ()) -> bool:
    """A table about people, or their web sessions (`columns` holding an IP address, a
    user agent or a device: session_devices) or devices (user_devices)."""
    norm = pii.normalize(table.rsplit(".", 1)[-1])
    words = set(norm.split("_"))
    if pii.about_people(norm):
        return True
    if words & _SESSIONS:  # a training or conference session is no web session
        return any(set(pii.normalize(c).split("_")) & _WEB for c in columns)
    return bool(words & _DEVICES) and any(pii.about_people(w) for w in words)


def _place(part: str) -> bool:
    """A place's name: capitalised words (particles aside; a script without case, '夷隅郡
    大多喜町', passes), no digits, not all in capitals ('HQ', 'NORTH' are codes)."""
    words = part.split()
    if not 1 <= len(words) <= MAX_WORDS or not all(_WORD.fullmatch(w) for w in words):
        return False
    named = [w for w in words if w not in _PARTICLES]
    return (
        bool(named)
        and words[0] not in _PARTICLES
        and not any(w[0].islower() for w in named)
        and not all(c.isupper() for w in named for c in w if c.isalpha())
    )


def is_place(value: str) -> bool:
    """'Berlin', 'Gera, DE', 'Neuss, Kongo', 'Springfield, IL, US'."""
    parts = [p.strip() for p in value.strip().split(",")]
    if not 1 <= len(parts) <= 3 or not _place(parts[0]):
        return False
    return all(_CODE.fullmatch(p) or _place(p) for p in parts[1:])


@cache
def _countries() -> frozenset[str]:
    """Country names of faker's address providers of the name locales, lower case."""
    found: set[str] = set()
    for locale in streets.LOCALES:
        if (provider := faker_providers.provider(f"faker.providers.address.{locale}")) is None:
            continue
        found |= {str(c).lower() for c in getattr(provider, "countries", ())}
    return frozenset(found)


def _coarse(places: Sequence[str]) -> bool:
    """Countries only: no one is found by them."""
    countries = _countries()
    return all(
        "," not in p and (_CODE.fullmatch(p.strip()) or p.strip().lower() in countries)
        for p in places
    )


def reason(values: Iterable[str]) -> str | None:
    """Why the values are places a person is at, or None."""
    sample = [v.strip() for v in values if v.strip()]
    places = [v for v in sample if is_place(v)]
    if not sample or len(places) < SHARE * len(sample) or len(set(places)) < MIN_DISTINCT:
        return None
    single = {p for p in places if " " not in p and "," not in p}
    if len(set(places)) <= MAX_SETTINGS and single == set(places) and len(places) >= 10:
        return None  # 'Office', 'Remote', 'Home': labels repeated from row to row
    qualified = sum("," in p for p in places) >= SHARE * len(places)  # 'Gera, DE'
    if not qualified and len(set(places)) < min(SPREAD, SPREAD_SHARE * len(sample)):
        return None  # 'Studio A', 'Main Hall', 'London HQ': a few rooms or offices
    if _coarse(places):
        return None
    return (
        f"{len(places)} of {len(sample)} sampled values are place names ('City' or "
        "'City, Country'), where a person lives or signs in from: masked as a city"
    )


def proposal(
    table: Table,
    column: Column,
    values: Sequence[str] | None,
    strategies: Mapping[str, Strategy[Any]],
    *,
    unique: bool,
) -> ColumnProposal | None:
    """`city` for a kept location column of places in a table about people or their
    sessions, else None."""
    if not column.type.is_text or column.type.is_array or not location_name(column.name):
        return None
    if column.generated or column.name in table.partition_key:
        return None
    if not people_or_sessions(table.qualified, table.columns):
        return None
    if (why := reason(values or ())) is None:
        return None
    chosen = choose("city", column_context(table, column, unique=unique), strategies)
    if chosen is None:
        return None
    return ColumnProposal(
        column.name, chosen[0], dict(chosen[1]), unique=unique, kind="city", why=[why]
    )


def person_objects(found: Iterable[PathFinding]) -> frozenset[tuple[str, ...]]:
    """The objects (paths of their parents) holding a person's email, login or name:
    NodeBB's user hash, stored in a key/value table no name says is about people."""
    return frozenset(tuple(path_parts(f.path)[:-1]) for f in found if f.kind in _PERSON_KINDS)


def path_findings(
    found: Mapping[str, PathFinding], paths: Mapping[str, Sequence[str]], table: str
) -> dict[str, PathFinding]:
    """City findings for JSON keys named for a location: in a table about people or
    sessions, or in the same object as an address part found already."""
    people = people_or_sessions(table)
    addresses = {tuple(path_parts(f.path)[:-1]) for f in found.values() if f.kind in _ADDRESS_KINDS}
    addresses |= person_objects(found.values())  # a user document's `location`
    out = {}
    for path, values in paths.items():
        parts = path_parts(path)
        keys = [field_name(p) or p for p in parts if not p.isdigit()]
        if not keys or not location_name(keys[-1]):
            continue
        if not (people or tuple(parts[:-1]) in addresses):
            continue
        if (why := reason(values)) is not None:
            out[path] = replace(PathFinding(path, "city", why), rules=(("city", {}),))
    return out
