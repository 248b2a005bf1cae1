"""Values of location-tracking applications, read before the phone and card detectors.

Traccar, OwnTracks, Home Assistant and ODK/KoBo keep positions and device ids in shapes
the general detectors misread or miss: WKT geofences and GPS strings (phone numbers to
them: lorem), geohashes, coordinate arrays, places in `point` columns, IMEIs, Wi-Fi
BSSIDs. One entry point for a column (propose.py) and one for a JSON path
(json_paths.py), so each detector stays in its own module: geo_texts, geohashes,
geo_pairs, point_locations, device_ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules import device_ids, geo_pairs, geo_texts, geohashes, point_locations
from dbrefresh.rules.proposal import ColumnProposal


def column_proposal(
    table: Table, column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """The rule for a column of such values, or None (the column is judged as before)."""
    return (
        point_locations.proposal(table, column, values)
        or geo_texts.proposal(column, values)
        or geohashes.proposal(column, values)
        or device_ids.proposal(column, values, unique=unique)
    )


def coordinate_arrays(paths: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The element paths of coordinate pairs among a column's paths (geo_pairs.py), with
    their reason: path_finding's `pair`."""
    return geo_pairs.arrays(paths)


def path_finding(
    key: str, values: Sequence[str], pair: str | None = None
) -> tuple[str, str, tuple[tuple[str, Mapping[str, Any]], ...], bool] | None:
    """(kind, reason, rules tried first, numbers) for a JSON path of such values; `pair`
    the reason its array is a coordinate pair (coordinate_arrays), if it is."""
    if (geo := geo_texts.reason(values)) is not None:  # KoBo's gps '-25.89 32.69 12.0 4.0'
        return geo_texts.KIND, geo, (geo_texts.RULE,), False
    if pair is not None:  # {"gps": [48.69, 7.43]}
        return "geo", pair, (), True
    if (ghash := geohashes.reason(key, values)) is not None:  # 'u0tvq5j'
        return geohashes.KIND, ghash, (geohashes.RULE,), False
    if (mac := device_ids.mac_reason(values)) is not None:  # a BSSID '3a:8f:b8:3c:53:4e'
        return device_ids.KIND, mac, (device_ids.MAC_RULE,), False
    return None
