"""Wildcard paths of the jsonb strategy: `contacts.*.email` names every element of an
array, `tokens.*.token` every member of an object.

A dotted path could only name the array positions a sample met (`contacts.0.email`,
`contacts.1.email`): the third contact, and every one past those sampled, reached
staging unmasked. A path segment that is exactly `*` stands for every element of the
array there (`*` alone: the elements of a top-level array), or for every member of the
object there: devise_token_auth keeps a user's tokens keyed by client id
(`{"<client id>": {"token": ...}}`), and a path per client id the sample met kept the
token of every login after it. Each element, or member's value, has the rest of the
path masked, in order, its shape, its other keys (an object's keys themselves) and
elements that are no object kept. A key named `*` cannot be named (rules init reports
it); a key with a `*` in it is quoted (jsonb_pathsyntax.py). Pure SQL building;
jsonb.py masks the rest of the path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.jsonb_pathsyntax import (
    WILDCARD,
    field_name,
    is_wild,
    path_parts,
    path_problem,
    selector,
)

__all__ = ["WILDCARD", "path_problem"]
Rule = TypeVar("Rule")
Parts = tuple[str, ...]


def splits_elements(parts: Sequence[str]) -> bool:
    """A path ending at `*`: beside paths under it, it masks the elements that are no
    object or array, those take the paths under it (Passport's `emails`, [{"value":
    ...}] from GitHub, ["<address>"] from LDAP, in one column)."""
    return bool(parts) and parts[-1] == WILDCARD


def split_elements(paths: Sequence[Parts]) -> set[Parts]:
    """The paths ending at `*` with paths under them (splits_elements)."""
    return {
        outer
        for outer in paths
        if splits_elements(outer)
        and any(len(p) > len(outer) and p[: len(outer)] == outer for p in paths)
    }


def no_container(text: exp.Expression) -> exp.Expression:
    """Whether a path's value (its text, as json_path_values gives it) is no object or
    array: the leak sample of a split `*` path takes its scalars alone."""
    return sqlbuild.fill("left(ltrim(:t), 1) NOT IN ('{', '[')", t=text)


def overlap_problem(paths: Sequence[str]) -> str | None:
    """Two paths where one masks the whole value the other, through a wildcard, is
    inside of (`contacts.*.email` and `contacts.*.email.*.x`): one of them is meant.
    `contacts.*` beside `contacts.*.email` is none: splits_elements()."""
    split = {path: path_parts(path) for path in paths}
    for outer, outer_parts in split.items():
        for inner, inner_parts in split.items():
            if outer != inner and outer_parts == inner_parts:  # `a.b` and `"a".b`
                return f"paths {outer!r} and {inner!r} name the same key; list one of them"
            wild = any(map(is_wild, outer_parts)) or any(map(is_wild, inner_parts))
            if (
                wild
                and len(outer_parts) < len(inner_parts)
                and inner_parts[: len(outer_parts)] == outer_parts
                and not splits_elements(outer_parts)
            ):
                return (
                    f"paths {outer!r} and {inner!r} overlap: {outer} masks the whole value "
                    f"{inner} is inside of; list one of them"
                )
    return None


Rests = list[tuple[Parts, Rule]]


Named = dict[Parts, dict[str, Rests[Rule]]]


@dataclass
class SplitPaths(Generic[Rule]):
    """A document's paths by how they are masked (split_paths)."""

    plain: Rests[Rule] = field(default_factory=list)
    groups: dict[Parts, Rests[Rule]] = field(default_factory=dict)
    fields: Named[Rule] = field(default_factory=dict)
    # the array's prefix and the discriminating key -> its value -> rests
    objects: dict[tuple[Parts, str], dict[str, Rests[Rule]]] = field(default_factory=dict)


def split_paths(paths: Sequence[tuple[Parts, Rule]]) -> SplitPaths[Rule]:
    """The paths without a wildcard; the others grouped by the array their first
    wildcard stands for (its prefix), each with the rest of its path after the `*`;
    those whose first is a field's `[name]` by the array's prefix, then by the name;
    and those whose first is an object selector `[key=value]` by the array's prefix
    and key, then by the value."""
    split: SplitPaths[Rule] = SplitPaths()
    for parts, rule in paths:
        wild = [at for at, part in enumerate(parts) if is_wild(part)]
        if not wild:
            split.plain.append((parts, rule))
            continue
        at = wild[0]
        prefix, rest = parts[:at], (parts[at + 1 :], rule)
        name, chosen = field_name(parts[at]), selector(parts[at])
        if name is not None:
            split.fields.setdefault(prefix, {}).setdefault(name, []).append(rest)
        elif chosen is not None:
            by_key = split.objects.setdefault((prefix, chosen[0]), {})
            by_key.setdefault(chosen[1], []).append(rest)
        else:
            split.groups.setdefault(prefix, []).append(rest)
    return split


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
    """The document with the array at `prefix` rebuilt in order from its elements, or
    the object there from its members (each key kept), each masked by masked_element
    (given the element or member value as jsonb); the document as it is when neither
    is there. The document is read once, bound in a subquery (it is the result of the
    paths masked before, repeated otherwise), the aliases numbered by depth so a
    nested wildcard's never hide an outer one's. Only the branch of the value's type
    runs: an array costs what it did before objects were walked too."""
    bound = exp.column(f"_dbr_wd{depth}", table=f"_dbr_w{depth}")
    element = exp.column(f"_dbr_xe{depth}", table=f"_dbr_x{depth}")
    member = exp.column(f"_dbr_ye{depth}", table=f"_dbr_y{depth}")
    key = key_of(prefix)
    elements = sqlbuild.fill(
        f"COALESCE((SELECT jsonb_agg(:m ORDER BY _dbr_x{depth}._dbr_xo{depth})"
        f" FROM jsonb_array_elements(:d #> CAST(:k AS TEXT[])) WITH ORDINALITY"
        f" AS _dbr_x{depth}(_dbr_xe{depth}, _dbr_xo{depth})), CAST('[]' AS JSONB))",
        m=masked_element(element),
        d=bound,
        k=key,
    )
    members = sqlbuild.fill(
        f"COALESCE((SELECT jsonb_object_agg(_dbr_y{depth}._dbr_yk{depth}, :m)"
        f" FROM jsonb_each(:d #> CAST(:k AS TEXT[]))"
        f" AS _dbr_y{depth}(_dbr_yk{depth}, _dbr_ye{depth})), CAST('{{}}' AS JSONB))",
        m=masked_element(member),
        d=bound,
        k=key,
    )
    return sqlbuild.fill(
        "(SELECT CASE jsonb_typeof(:b #> CAST(:k AS TEXT[])) WHEN 'array' THEN :a"
        " WHEN 'object' THEN :o ELSE :b END"
        f" FROM (SELECT :d AS _dbr_wd{depth} OFFSET 0) AS _dbr_w{depth})",
        b=bound,
        k=key,
        a=_replaced(bound, prefix, elements),
        o=_replaced(bound, prefix, members),
        d=doc,
    )


def _replaced(bound: exp.Expression, prefix: Parts, rebuilt: exp.Expression) -> exp.Expression:
    """The document with the value at `prefix` replaced by `rebuilt`; jsonb_set ignores
    an empty path: a top-level array or object is replaced whole."""
    if not prefix:
        return rebuilt
    return sqlbuild.fill(
        "jsonb_set(:d, CAST(:k AS TEXT[]), :r, FALSE)", d=bound, k=key_of(prefix), r=rebuilt
    )
