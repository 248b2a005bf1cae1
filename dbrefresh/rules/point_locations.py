"""Places kept in PostgreSQL's geometric `point`: a home's `location point`.

No strategy fitted a point, so `rules init` never read one and a person's position was
kept to the metre. A point column named for a place (`location`, `home_location`,
`coords`, `geo`, `latlng`, as geo_pairs.py reads a JSON key; a trailing `point` or
`pt` is skipped: `gps_point`) whose sampled points are all degrees gets `generalize`
with bucket 0.1: x and y each on the 0.1-degree grid (about 11 km) numeric latitudes
and longitudes get, still a point, its GiST index rebuilt. Degrees: x and y within the
ranges of a longitude and a latitude (either order: PostgreSQL's earthdistance writes
(lon, lat), applications (lat, lon) as often), most with decimals, not all fractions
of a layout in [0, 1]. A point named otherwise (`canvas_position`) or holding other
units (pixels, a projection's metres: a 0.1 grid would keep them to 10 cm) is kept,
with a REVIEW note when its name or its values alone look like a place. Under a unique
key or an exclusion constraint (EXCLUDE USING gist (location WITH ~=)) rounding could
merge two points: kept with a REVIEW note. Pure logic over the sample.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import geo_pairs, pii
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.generalize import POINT

KIND = "geo"
BUCKET = 0.1
RULE = {"bucket": BUCKET}
# words naming a place that geo_pairs' JSON keys do not use
_MORE_PLACE_WORDS = frozenset({"loc", "latlong", "longlat", "coord"})
_POINT_WORDS = frozenset({"point", "pt"})  # `gps_point`: the word before says what
_TEXT = re.compile(r"\(([^,()]+),([^,()]+)\)")
MIN_DECIMALS = geo_pairs.MIN_DECIMALS
SHARE = geo_pairs.SHARE


def names_a_place(column: str) -> bool:
    """Whether a point column's name says it is a place."""
    words = pii.normalize(column).split("_")
    if len(words) > 1 and words[-1] in _POINT_WORDS:
        words = words[:-1]
    return words[-1] in _MORE_PLACE_WORDS or geo_pairs.names_a_place("_".join(words))


def _read(value: str) -> tuple[str, str] | None:
    found = _TEXT.fullmatch(value.strip())
    return (found.group(1).strip(), found.group(2).strip()) if found else None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def degrees(values: Sequence[str]) -> tuple[bool, str]:
    """Whether the sampled points are positions in degrees, and why (or why not: a
    value that is no finite point, a coordinate out of range, a layout's fractions,
    too few decimals)."""
    pairs = [_read(v) for v in values if v.strip()]
    texts = [p for p in pairs if p is not None]
    numbers = [(_number(x), _number(y)) for x, y in texts]
    read = [(x, y) for x, y in numbers if x is not None and y is not None]
    if not read or len(read) < len(pairs):
        return False, "a sampled value is no point of finite numbers"
    lon_lat = all(abs(x) <= 180 and abs(y) <= 90 for x, y in read)
    lat_lon = all(abs(x) <= 90 and abs(y) <= 180 for x, y in read)
    if not (lon_lat or lat_lon):
        return False, "a sampled point is beyond a latitude's 90 or a longitude's 180 degrees"
    if all(0 <= n <= 1 for p in read for n in p):
        return False, "its sampled points are all fractions in [0, 1], a layout's"
    placed = [t for t, n in zip(texts, read, strict=True) if n != (0.0, 0.0)]  # 0/0: not set
    fine = sum(any(len(c.partition(".")[2]) >= MIN_DECIMALS for c in t) for t in placed)
    if not placed or fine < SHARE * len(placed):
        return False, (
            f"{fine} of its {len(read)} sampled points have {MIN_DECIMALS} decimals, "
            "too few for positions"
        )
    order = "(longitude, latitude)" if lon_lat else "(latitude, longitude)"
    return True, (
        f"its {len(read)} sampled points are degrees {order}, {fine} with "
        f"{MIN_DECIMALS} decimals or more"
    )


def proposal(table: Table, column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """`generalize` to the 0.1-degree grid for a point column named for a place holding
    degrees; a kept proposal with a REVIEW note when only its name or only its values
    say place (or a constraint forbids rounding); None for any other column."""
    if column.type.base != POINT or column.type.is_array or column.generated:
        return None
    sample = [v for v in values or () if v.strip()]
    named = names_a_place(column.name)
    place, said = degrees(sample) if sample else (True, "no point was sampled (judged by its name)")
    if not named:
        if not sample or not place:
            return None  # `canvas_position` (412,96): no place
        why = (
            f"REVIEW: {said}, but `{column.name}` names no place: kept; if they are places, "
            f"`{{strategy: generalize, bucket: {BUCKET}}}` puts them on a {BUCKET}-degree "
            "grid (about 11 km)"
        )
        return ColumnProposal(column.name, why=[why])
    if not place:
        why = (
            f"REVIEW: `{column.name}` names a place, but {said}: kept (a {BUCKET} grid "
            "hides no position in other units)"
        )
        return ColumnProposal(column.name, why=[why])
    constraints = [k.name for k in table.exclusions if column.name in k.columns]
    constraints += [k.name for k in table.unique_keys if column.name in k.columns]
    if constraints:
        why = (
            f"REVIEW: `{column.name}` names a place and {said}, but it is under "
            f"{constraints[0]}, which points merged on a grid could break: kept"
        )
        return ColumnProposal(column.name, kind=KIND, why=[why])
    return ColumnProposal(
        column.name,
        "generalize",
        dict(RULE),
        kind=KIND,
        why=[
            f"`{column.name}` names a place and {said}: x and y each on a {BUCKET}-degree "
            "grid (about 11 km), still a point"
        ],
    )
