"""Devices named after their owner: "Galina's iPhone", 'Galinas-iPhone'.

Home Assistant's device trackers carry the phone's name (`friendly_name` "Galina's
iPhone") and its host name (`service_data.host_name` 'Galinas-iPhone'), both the
owner's first name; kept, they named the household in staging. A column or JSON path
whose sampled values are mostly a known first name with a possessive, then a device
word ("<First>'s <Device>", "<First>s-<Device>"; _DEVICE: a branch "Wendy's Pizza" is
a business's name), two first names at least, gets
`{hash, keep_from: "'"}` (or "-"): the name hashed, the device part kept, so the shape
stays ('<hex>'s iPhone', '<hex>-iPhone'), the same owner's devices alike. Values
naming people whole as well (people_lines.judge: `full_name`) are left to that rule.

Immich's sessions."deviceType" names the device in one row of five ("Robert's
iPhone", "さゆり's iPhone") and the browser or app in the others ('Chrome', 'Immich'):
under MIN_SHARE, it was kept. A smaller share (FEW_SHARE) counts when more owners
(FEW_OWNERS) show it is a household's devices, not a product's name; the rule then
keeps the values without the separator (`keep_unsplit`: 'Chrome' stays 'Chrome'), the
separator being the one every owned device in the sample writes, unless other values
name people too (FEW_OWNERS of them hold a first name): those are hashed whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dbrefresh.rules import people_lines, pii_values

KIND = "device_name"
MIN_SHARE = 0.5  # of the sampled values
MIN_OWNERS = 2  # different first names: one is a product name, not a household
FEW_SHARE = 0.1  # of the sampled values, when FEW_OWNERS different names show them
FEW_OWNERS = 3
# "Galina's iPhone" (typographic apostrophe too) / 'Galinas-iPhone', 'Matthews-MacBook-Pro'
_FORMS = (
    ("'", re.compile(r"(?P<name>[A-Z][^\W\d_]+)['\u2019]s (?P<device>[A-Za-z][\w .-]{1,40})")),
    ("-", re.compile(r"(?P<name>[A-Z][^\W\d_]+)s-(?P<device>[A-Za-z][\w.-]{1,40})")),
)


# The device part must name a device: "Wendy's Gonzalezhaven" and "Jimmy's Pizza North"
# (restaurant branches) or "Grandma's Cookies" are a business's names, not a household's
_DEVICE = re.compile(
    r"(?:^|[\s_.-])(?:i?phone|ipad|ipod|imac|mac|macbook(?:-?(?:air|pro))?|mbp|galaxy|pixel|"
    r"nexus|oneplus|xiaomi|redmi|huawei|nokia|motorola|moto|android|tablet|laptop|notebook|"
    r"pc|desktop|computer|watch|airpods|kindle|echo|chromebook|surface|thinkpad|xps|"
    r"switch|playstation|ps[45]|xbox|tv|phone)(?=$|[\s_.-]|\d)",
    re.IGNORECASE,
)


_WORD = re.compile(r"[^\W\d_]+")


def _owner(value: str, first: frozenset[str]) -> tuple[str, str] | None:
    """(separator, owner) of a device named after a known first name, else None."""
    for separator, form in _FORMS:
        found = form.fullmatch(value.strip())
        if found is None or not _DEVICE.search(" " + found.group("device")):
            continue
        name = found.group("name").lower()
        # 'Matthews-iPhone': the 's' a possessive, or the name's own ('Nicolas-iPad')
        for owner in (name, name + "s") if separator == "-" else (name,):
            if owner in first:
                return separator, owner
    return None


def rule(values: Sequence[str]) -> tuple[dict[str, Any], str] | None:
    """The hash rule keeping the device part, with its reason, or None."""
    sample = [v for v in values if v.strip()]
    if not sample:
        return None
    first, _ = pii_values.all_names()
    found = [o for v in sample if (o := _owner(v, first)) is not None]
    owners = len({o for _, o in found})
    most = len(found) >= MIN_SHARE * len(sample) and owners >= MIN_OWNERS
    few = len(found) >= FEW_SHARE * len(sample) and owners >= FEW_OWNERS
    if not (most or few):
        return None
    if people_lines.judge(sample)[0] == "full_name":
        return None  # a household's names beside their phones: `full_name` hides both
    separators = [s for s, _ in found]
    separator = max(set(separators), key=separators.count)
    reason = (
        f"{len(found)} of {len(sample)} sampled values are devices named after their "
        f"owner's first name ({owners} different): the name hashed, the device part from "
        f"'{separator}' kept"
    )
    if most:
        return {"keep_from": separator}, reason
    written = {_written(v, separator) for v in sample if _owner(v, first) is not None}
    if len(written) != 1:
        return None  # a plain and a typographic apostrophe: one of them would be kept
    (held,) = written
    named = [v for v in sample if held not in v and set(_WORD.findall(v.lower())) & first]
    if len(named) >= FEW_OWNERS:  # 'Anna Schmidt laptop' too: hashed whole, as before
        return {"keep_from": held}, reason
    return {"keep_from": held, "keep_unsplit": True}, (
        f"{reason}; the values without '{held}' ('Chrome') kept"
    )


def _written(value: str, separator: str) -> str:
    """The separator as the value writes it (the apostrophe typographic or not)."""
    if separator != "'":
        return separator
    return "\u2019" if "\u2019s " in value and "'s " not in value else "'"
