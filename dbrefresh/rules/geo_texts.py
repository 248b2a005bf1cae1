"""Coordinates inside text: WKT geometries and ODK geopoint strings.

Traccar's `tc_geofences.area` ('CIRCLE (49.766829 7.706793, 150.0)', POLYGON,
LINESTRING) and ODK/KoBo answers ('-25.897701 32.69571 12.0 4.0', in a submission's
JSON too) read as text holding phone numbers: `lorem` replaced them, and the
applications no longer parsed a geofence or a GPS answer. Read first, a column or JSON
path whose sampled values with a digit are all such texts gets `coordinates`: every
number cut to one fraction digit in place (about 11 km), still a geometry the
application parses. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules.proposal import ColumnProposal

KIND = "geo"
RULE: tuple[str, dict[str, object]] = ("coordinates", {})
_NUMBER = r"[-+]?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_WKT = re.compile(
    r"\s*(?:SRID=[0-9]+;\s*)?(?:MULTI)?(?:POINT|LINESTRING|POLYGON|CIRCLE|GEOMETRYCOLLECTION)"
    r"\s*(?:ZM|Z|M)?\s*\((?:[-+0-9.eE,;\s()]|POINT|LINESTRING|POLYGON)*\)\s*",
    re.IGNORECASE,
)
# ODK's geopoint 'lat lon [altitude [accuracy]]'; a geotrace or geoshape joins them by
# ';'. The one definition: xml_rules.py reads an element's geopoints with it too.
_POINT = rf"({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER}){{0,2}}"
_GEOPOINTS = re.compile(rf"\s*{_POINT}(?:\s*;\s*{_POINT})*\s*;?\s*")
_PAIR = re.compile(_POINT)
# a coordinate to about 10 m has 4 fraction digits; '1.5 2.5' is no position
_FINE = re.compile(r"[0-9]\.[0-9]{4}")


def is_geopoints(value: str) -> bool:
    """One or more ODK geopoints at any precision ('41.19 -8.57', '41 -8 120 10'), each
    latitude within 90 degrees and longitude within 180."""
    if not _GEOPOINTS.fullmatch(value):
        return False
    for found in _PAIR.finditer(value):
        lat, lon = float(found.group(1)), float(found.group(2))
        if abs(lat) > 90 or abs(lon) > 180:
            return False
    return True


def is_geo_text(value: str) -> bool:
    """A WKT geometry, or one or more ODK geopoints fine enough to be a position."""
    return bool(_WKT.fullmatch(value)) or (bool(_FINE.search(value)) and is_geopoints(value))


def reason(values: Sequence[str] | None) -> str | None:
    """Why the values are coordinates in text, or None: every sampled value with a digit
    is a geometry or a geopoint ('', 'N/A' aside)."""
    digits = [v for v in values or () if any(c.isdigit() for c in v)]
    if not digits or not all(is_geo_text(v) for v in digits):
        return None
    return (
        f"{len(digits)} of {len(digits)} sampled values with a digit are coordinates in "
        "text (WKT geometries or GPS points): each number cut to one decimal in place "
        "(about 11 km), still a geometry the application parses"
    )


def proposal(column: Column, values: Sequence[str] | None) -> ColumnProposal | None:
    """`coordinates` for a text column of geometries or geopoints, or None."""
    if not column.type.is_text or (why := reason(values)) is None:
        return None
    return ColumnProposal(column.name, RULE[0], dict(RULE[1]), kind=KIND, why=[why])
