"""Coordinates as JSON arrays under a key naming a place: [48.6910398, 7.4361589].

Home Assistant's `Location` and `gps` attributes, KoBo's `_geolocation`, GeoJSON's
`coordinates` hold the numbers in an array: the walk met them as `Location.0` and
`Location.1`, whose key names nothing personal (no `lat`, no `lng`), and kept a
person's position to the metre. An array under such a key of exactly 2 numbers (3 with
an altitude), one a latitude within 90 degrees, with decimals, not all in [0, 1] (a
dashboard widget's `location` [0.177, 0.82] is a layout's fractions), is a position:
each of its elements is masked as `lat` is (on a 0.1-degree grid, still a number).
Pure logic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from dbrefresh.rules import pii
from dbrefresh.strategies.jsonb_pathsyntax import join_path, path_parts

# the key's last words (normalized) naming a position, not a layout's [x, y]
PLACE_WORDS = frozenset(
    {
        "location",
        "gps",
        "coordinates",
        "coords",
        "latlng",
        "latlon",
        "lnglat",
        "lonlat",
        "geolocation",
        "geopoint",
        "geo",
    }
)
PAIRS = frozenset({"lat_lng", "lat_lon", "lng_lat", "lon_lat", "geo_point", "geo_location"})
MIN_DECIMALS = 3  # 48.691: a position; 12 or 1.5 are no evidence
SHARE = 0.5  # of the sampled values, with MIN_DECIMALS


def names_a_place(key: str) -> bool:
    norm = pii.normalize(key)
    words = norm.split("_")
    return words[-1] in PLACE_WORDS or "_".join(words[-2:]) in PAIRS


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= 180 else None


def arrays(paths: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The element paths of the arrays that are coordinate pairs, each with the reason:
    an array qualifies or not as a whole, so [52.52, 13.405] gets both elements masked."""
    groups: dict[tuple[str, ...], dict[int, Sequence[str]]] = {}
    for path, values in paths.items():
        parts = path_parts(path)
        if parts and parts[-1].isdigit():
            groups.setdefault(tuple(parts[:-1]), {})[int(parts[-1])] = values
    found: dict[str, str] = {}
    for parent, elements in groups.items():
        if (why := _reason(parent, elements)) is not None:
            found.update({join_path((*parent, str(i))): why for i in elements})
    return found


def _reason(parent: Sequence[str], elements: Mapping[int, Sequence[str]]) -> str | None:
    """Why an array's elements are a position, or None: exactly 2 numbers (3 with an
    altitude) under a key naming a place, a latitude (either of the first two, GeoJSON
    writes [lon, lat]) within 90 degrees, not all of them fractions of a layout in
    [0, 1] (a dashboard's widget `location` [0.177, 0.82]), an element with decimals."""
    keys = [p for p in parent if not p.isdigit() and p != "*"]
    if not keys or not names_a_place(keys[-1]) or set(elements) not in ({0, 1}, {0, 1, 2}):
        return None
    read = {i: [_number(v.strip()) for v in vs if v.strip()] for i, vs in elements.items()}
    if not read[0] or not read[1] or any(n is None for ns in read.values() for n in ns):
        return None
    numbers = {i: [n for n in ns if n is not None] for i, ns in read.items()}
    if not any(all(abs(n) <= 90 for n in numbers[i]) for i in (0, 1)):
        return None
    if all(0 <= n <= 1 for ns in numbers.values() for n in ns):
        return None
    if not any(_fine(vs) for vs in elements.values()):
        return None  # one fine element is enough: 52.52 beside 13.405 is as near
    sampled = sum(len(ns) for ns in numbers.values())
    return (
        f"an array of {len(elements)} numbers under `{keys[-1]}`, its {sampled} sampled "
        "values in a coordinate's range (a latitude within 90 degrees): a position"
    )


def _fine(values: Sequence[str]) -> bool:
    """Most values with MIN_DECIMALS: a position, not a count or a rounded setting."""
    sample = [v.strip() for v in values if v.strip()]
    fine = sum(len(v.partition(".")[2]) >= MIN_DECIMALS for v in sample)
    return bool(sample) and fine >= SHARE * len(sample)
