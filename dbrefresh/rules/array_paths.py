"""`rules init`: a jsonb rule's array positions become paths for every element.

A sample names the positions it met: 'cc.0', 'cc.1', 'contacts.0.email',
'contacts.1.email', '0' and '1' of a top-level array. A rule listing those masked
them and kept every element past them (a sixth cc address, the third contact). Elements
masked alike become one path: the array itself for an array of values ('cc', which the
jsonb strategy masks element by element), a `*` otherwise ('contacts.*.email', '*',
'orders.*.items.*.name'). Only segments that were array positions wherever the path
was met are collapsed ('0' may be an object's key). An array of objects collapses
whichever elements the sample met (a key names the same thing in every element:
Cal.com's phone location met second, '1.hostPhoneNumber', is first in other rows);
other arrays only when met from their first element: in [name, value] pairs
'headers.0.1' is the value of a pair (it becomes 'headers.*.1', the names kept;
json_keys.py reads such lists as `*` already). An array of arrays becomes `x.*`, not
`x` (the jsonb strategy masks an array path's elements as text). Pure logic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, join_path, path_parts

MAX_MET = 6  # element paths a note names


@dataclass(frozen=True)
class _Group:
    name: str  # the path for every element
    position: int  # the segment that is an array position in each member
    members: tuple[str, ...]


def _name(parts: tuple[str, ...], position: int, nested: bool = False) -> str:
    """The path for every element of the array at `position`: the array itself when
    the elements are the path's values, else a `*` in place of the position (also when
    each element is an array itself, `nested`: the jsonb strategy masks an array path's
    elements as text, and [["a", "b"]] became ["<hash>"]; or some an object with paths
    of its own, whose `*` masks the other elements alone: splits_elements)."""
    if position == len(parts) - 1 and position > 0 and not nested:
        return join_path(parts[:position])
    return join_path([*parts[:position], WILDCARD, *parts[position + 1 :]])


def _groups(
    paths: Mapping[str, Any],
    arrays: Mapping[str, frozenset[int]],
    whole: frozenset[str] = frozenset(),
) -> list[_Group]:
    """Paths that differ only in one array position, innermost arrays first; `whole`:
    paths that name an array whose elements they mask."""
    found: dict[tuple[str, int], list[str]] = {}
    for path in paths:
        parts = path_parts(path)
        for position in arrays.get(path, frozenset()):
            if position < len(parts) and parts[position].isdigit():
                name = _name(parts, position, path in whole or _has_inside(parts, paths))
                found.setdefault((name, position), []).append(path)
    return [
        _Group(name, position, tuple(members))
        for (name, position), members in sorted(found.items(), key=lambda g: (-g[0][1], g[0][0]))
    ]


def _has_inside(parts: tuple[str, ...], paths: Mapping[str, Any]) -> bool:
    """Whether paths go on into the elements at the array position that ends `parts`
    ('emails.0.value' or 'emails.*.value' beside 'emails.0')."""
    end = len(parts) - 1
    for path in paths:
        under = path_parts(path)
        if (
            len(under) > len(parts)
            and under[:end] == parts[:end]
            and under[end] in {parts[end], WILDCARD}
        ):
            return True
    return False


def _rule(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _of_objects(group: _Group, positions: Mapping[str, frozenset[int]]) -> bool:
    """Every member goes on into an element by an object's key ('1.hostPhoneNumber')."""
    return all(
        group.position + 1 < len(path_parts(m))
        and group.position + 1 not in positions.get(m, frozenset())
        for m in group.members
    )


def _collapsible(
    group: _Group, paths: Mapping[str, Any], positions: Mapping[str, frozenset[int]]
) -> bool:
    """Met from its first element or an array of objects, every element masked alike
    (and like a path already naming the whole array)."""
    first = any(path_parts(m)[group.position] == "0" for m in group.members)
    if not first and not _of_objects(group, positions):
        return False  # ['User-Agent', 'Mozilla...'] pairs: only the value (1) is personal
    rules = {_rule(paths[m]) for m in group.members}
    return len(rules) == 1 and (group.name not in paths or _rule(paths[group.name]) in rules)


def collapse(
    paths: dict[str, Any], arrays: Mapping[str, frozenset[int]]
) -> tuple[dict[str, Any], list[str]]:
    """The paths with array positions masked alike collapsed, innermost arrays first,
    and a note per collapsed path (REVIEW where elements were proposed different rules:
    those past the sample's are kept)."""
    out = dict(paths)
    positions = {p: arrays.get(p, frozenset()) for p in paths}
    met: dict[str, list[str]] = {p: [p] for p in paths}
    whole: set[str] = set()  # paths naming an array of values (its elements masked)
    while True:
        used: set[str] = set()
        for group in _groups(out, positions, frozenset(whole)):
            if used.intersection(group.members) or not _collapsible(group, out, positions):
                continue
            used.update(group.members)
            rule = out[group.members[0]]
            left = frozenset.intersection(*(positions[m] for m in group.members))
            elements = sorted(
                {e for m in group.members for e in met[m]} | set(met.get(group.name, []))
            )
            for member in group.members:
                del out[member], positions[member], met[member]
            out[group.name] = rule
            if WILDCARD not in path_parts(group.name)[group.position :]:
                whole.add(group.name)
            positions[group.name] = left - {group.position}
            met[group.name] = elements
        if not used:
            break
    notes = [_note(path, elements) for path, elements in sorted(met.items()) if elements != [path]]
    notes += [
        f"REVIEW: {g.name}: elements were proposed different rules "
        f"({', '.join(g.members[:MAX_MET])}); elements past those the sample met are kept"
        for g in _groups(out, positions, frozenset(whole))
        if any(path_parts(m)[g.position] == "0" for m in g.members)
        and not _collapsible(g, out, positions)
    ]
    return dict(sorted(out.items())), notes


def _note(path: str, elements: list[str]) -> str:
    listed = ", ".join(elements[:MAX_MET]) + (", ..." if len(elements) > MAX_MET else "")
    if WILDCARD in path_parts(path):
        return f"{path}: every element masked, also those past the sample's ({listed} met)"
    return f"{path}: an array, every element masked ({listed} met)"
