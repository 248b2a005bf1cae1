"""Wildcard paths of the jsonb strategy: `contacts.*.email` names every element of an array.

A dotted path could only name the array positions a sample met (`contacts.0.email`,
`contacts.1.email`): the third contact, and every one past those sampled, reached
staging unmasked. A path segment that is exactly `*` stands for every element of the
array there (`*` alone: the elements of a top-level array); each element has the rest
of the path masked, in order, its shape, its other keys and elements that are no object
kept. A key named `*` cannot be named (rules init reports it); a key with a `*` in it
is quoted (jsonb_pathsyntax.py). Pure SQL building; jsonb.py masks the rest of the path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.jsonb_pathsyntax import WILDCARD, path_parts, path_problem

__all__ = ["WILDCARD", "path_problem"]
Rule = TypeVar("Rule")
Parts = tuple[str, ...]


def overlap_problem(paths: Sequence[str]) -> str | None:
    """Two paths where one masks the whole value the other, through a wildcard, is
    inside of (`contacts.*` and `contacts.*.email`): one of them is meant."""
    split = {path: path_parts(path) for path in paths}
    for outer, outer_parts in split.items():
        for inner, inner_parts in split.items():
            if outer != inner and outer_parts == inner_parts:  # `a.b` and `"a".b`
                return f"paths {outer!r} and {inner!r} name the same key; list one of them"
            wild = WILDCARD in outer_parts or WILDCARD in inner_parts
            if (
                wild
                and len(outer_parts) < len(inner_parts)
                and inner_parts[: len(outer_parts)] == outer_parts
            ):
                return (
                    f"paths {outer!r} and {inner!r} overlap: {outer} masks the whole value "
                    f"{inner} is inside of; list one of them"
                )
    return None


def split_paths(
    paths: Sequence[tuple[Parts, Rule]],
) -> tuple[list[tuple[Parts, Rule]], dict[Parts, list[tuple[Parts, Rule]]]]:
    """The paths without a wildcard, and the others grouped by the array their first
    wildcard stands for (its prefix), each with the rest of its path after the `*`."""
    plain: list[tuple[Parts, Rule]] = []
    groups: dict[Parts, list[tuple[Parts, Rule]]] = {}
    for parts, rule in paths:
        if WILDCARD not in parts:
            plain.append((parts, rule))
            continue
        at = parts.index(WILDCARD)
        groups.setdefault(parts[:at], []).append((parts[at + 1 :], rule))
    return plain, groups


def key_of(parts: Parts) -> exp.Expression:
    """Path parts as a text[] literal for #> and jsonb_set."""
    return sqlbuild.literal("{" + ",".join(_quote(p) for p in parts) + "}")


def _quote(part: str) -> str:
    """One element of a text[] literal, quoted so dots, commas and braces are safe."""
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'


def each_element(
    doc: exp.Expression,
    prefix: Parts,
    depth: int,
    masked_element: Callable[[exp.Expression], exp.Expression],
) -> exp.Expression:
    """The document with the array at `prefix` rebuilt in order from its elements,
    each masked by masked_element (given the element as jsonb); the document as it is
    when no array is there. The document is read once, bound in a subquery (it is the
    result of the paths masked before, repeated otherwise), the aliases numbered by
    depth so a nested wildcard's never hide an outer one's."""
    bound = exp.column(f"_dbr_wd{depth}", table=f"_dbr_w{depth}")
    element = exp.column(f"_dbr_xe{depth}", table=f"_dbr_x{depth}")
    key = key_of(prefix)
    rebuilt = sqlbuild.fill(
        f"COALESCE((SELECT jsonb_agg(:m ORDER BY _dbr_x{depth}._dbr_xo{depth})"
        f" FROM jsonb_array_elements(:d #> CAST(:k AS TEXT[])) WITH ORDINALITY"
        f" AS _dbr_x{depth}(_dbr_xe{depth}, _dbr_xo{depth})), CAST('[]' AS JSONB))",
        m=masked_element(element),
        d=bound,
        k=key,
    )
    # jsonb_set ignores an empty path: a top-level array is replaced whole
    replaced = (
        rebuilt
        if not prefix
        else sqlbuild.fill(
            "jsonb_set(:d, CAST(:k AS TEXT[]), :r, FALSE)", d=bound, k=key, r=rebuilt
        )
    )
    return sqlbuild.fill(
        "(SELECT CASE WHEN jsonb_typeof(:b #> CAST(:k AS TEXT[])) = 'array' THEN :r ELSE :b END"
        f" FROM (SELECT :d AS _dbr_wd{depth} OFFSET 0) AS _dbr_w{depth})",
        b=bound,
        k=key,
        r=replaced,
        d=doc,
    )
