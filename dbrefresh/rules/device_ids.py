"""A tracked device's own identifiers: its IMEI, and MAC addresses (Wi-Fi BSSIDs).

Traccar's `tc_devices.uniqueid` '351601435786892' is the phone's IMEI (15 digits,
Luhn-checked): kept, it names the handset a person carries. A text column named for a
device id (uniqueid, imei, device_id) whose sampled values are all 15 digits gets
`digits` (unique: true on a unique column), with `luhn: true` when every one passes
Luhn: another valid IMEI. A uniqueid or device_id needs most values passing Luhn and
no counted-out run: a sensor's or an asset's number ('100000000000007') is no IMEI.
A column or JSON key whose sampled values are all MAC addresses (OwnTracks' `bssid`
'3a:8f:b8:3c:53:4e', Traccar's `macAddress`) gets `mac`: keyed hex of the same shape;
public Wi-Fi maps place an access point to the metre.
Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules import pii
from dbrefresh.rules.pii_values import luhn_ok
from dbrefresh.rules.proposal import ColumnProposal

KIND = "device_id"
MAC_RULE: tuple[str, dict[str, object]] = ("mac", {})
_IMEI_NAMES = frozenset({"uniqueid", "unique_id", "imei", "device_id", "deviceid", "device_imei"})
_IMEI = re.compile(r"[0-9]{15}")
MIN_IMEIS = 3  # distinct values
# of a uniqueid's or device_id's values passing Luhn, as IMEIs do (a column named imei
# needs none: its name says what the 15 digits are)
LUHN_SHARE = 0.8
DENSE = 100  # average gap between sampled numbers (check digit dropped) of a counter
_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")
MIN_MACS = 3  # distinct sampled addresses


def imei_reason(column: str, values: Sequence[str] | None) -> tuple[str, bool] | None:
    """Why the column holds IMEIs, and whether every one passes Luhn; or None."""
    norm = pii.normalize(column)
    named_imei = "imei" in norm.split("_")
    if norm not in _IMEI_NAMES and not named_imei:
        return None
    sample = {v.strip() for v in values or () if v.strip()}
    if len(sample) < MIN_IMEIS or not all(_IMEI.fullmatch(v) for v in sample):
        return None
    passing = sum(luhn_ok(v) for v in sample)
    if not named_imei and (passing < LUHN_SHARE * len(sample) or _sequential(sample)):
        return None  # a sensor's or an asset's number: '100000000000007', '...014'
    luhn = passing == len(sample)
    check = ", every one passing Luhn: `luhn` keeps them valid" if luhn else ""
    why = (
        f"name suggests a device id; {len(sample)} of {len(sample)} sampled distinct values "
        f"are 15 digits, as IMEIs{check}"
    )
    return why, luhn


def _sequential(sample: set[str]) -> bool:
    """Numbers counted out, not IMEIs: crowded in a run, fewer than DENSE apart on
    average once a check digit at the end is dropped ('20240000000001' + Luhn's digit,
    counted on). Handsets' IMEIs spread over many type codes and serials."""
    bodies = sorted({int(v[:-1]) for v in sample})
    return bodies[-1] - bodies[0] < DENSE * len(bodies)


def mac_reason(values: Sequence[str] | None) -> str | None:
    sample = [v.strip() for v in values or () if v.strip()]
    if len(set(sample)) < MIN_MACS or not all(_MAC.fullmatch(v) for v in sample):
        return None
    return (
        f"{len(sample)} of {len(sample)} sampled values are MAC addresses (a Wi-Fi access "
        "point or a device): keyed hex of the same shape"
    )


def proposal(
    column: Column, values: Sequence[str] | None, *, unique: bool
) -> ColumnProposal | None:
    """`digits` for IMEIs, `mac` for MAC addresses, or None."""
    if not column.type.is_text and column.type.base != "macaddr":
        return None
    if column.type.is_text and (imei := imei_reason(column.name, values)) is not None:
        params: dict[str, object] = {"luhn": True} if imei[1] else {}
        params.update({"unique": True} if unique else {})
        return ColumnProposal(
            column.name, "digits", params, unique=unique, kind=KIND, why=[imei[0]]
        )
    if (why := mac_reason(values)) is not None:
        return ColumnProposal(column.name, MAC_RULE[0], {}, kind=KIND, why=[why])
    return None
