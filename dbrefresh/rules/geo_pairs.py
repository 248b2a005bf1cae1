"""Coordinates as JSON arrays under a key naming a place: [48.6910398, 7.4361589].

Home Assistant's `Location` and `gps` attributes, KoBo's `_geolocation`, GeoJSON's
`coordinates` hold the numbers in an array: the walk met them as `Location.0` and
`Location.1`, whose key names nothing personal (no `lat`, no `lng`), and kept a
person's position to the metre. A path that is an array element under such a key, whose
sampled values are numbers in a coordinate's range with decimals, is a coordinate:
masked as `lat` is (each element on a 0.1-degree grid, still a number). Pure logic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dbrefresh.rules import pii

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


def reason(parts: Sequence[str], key: str, values: Sequence[str]) -> str | None:
    """Why an array element's values are coordinates, or None."""
    if not parts or not (parts[-1].isdigit() or parts[-1] == "*") or not names_a_place(key):
        return None
    sample = [v.strip() for v in values if v.strip()]
    if not sample or any(_number(v) is None for v in sample):
        return None
    fine = sum(len(v.partition(".")[2]) >= MIN_DECIMALS for v in sample)
    if fine < SHARE * len(sample):
        return None
    return (
        f"an element of an array under `{key}`, {len(sample)} of {len(sample)} sampled "
        "values numbers in a coordinate's range: a geographic coordinate"
    )
