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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from dbrefresh.rules import people_lines, pii_values

KIND = "device_name"
MIN_SHARE = 0.5  # of the sampled values
MIN_OWNERS = 2  # different first names: one is a product name, not a household
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
    if len(found) < MIN_SHARE * len(sample) or len({o for _, o in found}) < MIN_OWNERS:
        return None
    if people_lines.judge(sample)[0] == "full_name":
        return None  # a household's names beside their phones: `full_name` hides both
    separators = [s for s, _ in found]
    separator = max(set(separators), key=separators.count)
    return {"keep_from": separator}, (
        f"{len(found)} of {len(sample)} sampled values are devices named after their "
        f"owner's first name ({len({o for _, o in found})} different): the name hashed, "
        f"the device part from '{separator}' kept"
    )
