"""Unique keys on paths of a JSON document, which masking other paths leaves unique.

Akkoma's and Pleroma's `objects` and `activities` carry `UNIQUE ((data->>'id'))`: the
key reads one path of the document, yet it counted the whole `data` column as unique,
so every path rules init masked there had to be injective (a note's `content` and its
tags were hashed to hex instead of lorem) and the compiler refused any lossy path. A
document whose key paths are left alone keeps its key values row by row, so only a
rule on a key path (or on a path above or below one) must be injective.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlglot
from sqlglot import exp

from dbrefresh.catalog import Table
from dbrefresh.strategies.jsonb_pathsyntax import PathSyntaxError, is_wild, path_parts

Parts = tuple[str, ...]
_EXTRACTS = (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar)


def key_paths(table: Table, column: str) -> list[Parts] | None:
    """The JSON paths of `column` its unique keys read, or None when a key reads the
    column otherwise (the column itself, a cast, a function of the whole document)."""
    found: list[Parts] = []
    for key in table.unique_keys:
        if column not in key.columns:
            continue
        if column not in key.read_through:
            return None
        read = [paths_read(text, column) for text in key.expressions]
        if not any(r for r in read if r) or any(r is None for r in read):
            return None  # read through a generated column, or not by paths alone
        found += [p for r in read if r for p in r]
    return found or None


def paths_read(expression: str, column: str) -> list[Parts] | None:
    """The paths of `column` an index expression reads ([] if it does not read the
    column), or None when it reads the column other than by constant paths."""
    try:
        tree = sqlglot.parse_one(expression, read="postgres")
    except sqlglot.errors.ParseError:
        return None
    paths: list[Parts] = []
    for ref in tree.find_all(exp.Column):
        if ref.name != column or ref.table:
            continue
        path = _path_above(ref)
        if not path:
            return None
        paths.append(path)
    return paths


def _path_above(ref: exp.Expression) -> Parts:
    """The constant keys of the extractions wrapped around a column reference."""
    parts: list[str] = []
    node = ref
    while True:
        parent = node.parent
        while isinstance(parent, exp.Paren):
            node, parent = parent, parent.parent
        if not isinstance(parent, _EXTRACTS) or parent.this is not node:
            return tuple(parts)
        keys = _keys(parent.expression)
        if keys is None:
            return ()
        parts += keys
        node = parent


def _keys(step: exp.Expression | None) -> list[str] | None:
    """The keys of one extraction step: 'id' (->, ->>) or '{a,b}' (#>, #>>)."""
    while isinstance(step, exp.Cast):
        step = step.this
    if isinstance(step, exp.JSONPath):
        return None  # a jsonpath expression: not a constant key
    if not isinstance(step, exp.Literal):
        return None
    text = str(step.this)
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1]
        if not inner or '"' in inner or "\\" in inner:
            return None
        return inner.split(",")
    return [text]


def touches(rule_paths: Iterable[str], keys: Sequence[Parts]) -> bool:
    """Whether a rule on these paths may change a value some key path reads: the same
    path, one above it or one below it (`*`, or a field's `[name]`, standing for any
    key or element)."""
    for path in rule_paths:
        try:
            parts = path_parts(path)
        except PathSyntaxError:
            return True
        if any(_overlap(parts, key) for key in keys):
            return True
    return False


def _overlap(rule: Parts, key: Parts) -> bool:
    return all(a == b or is_wild(a) or is_wild(b) for a, b in zip(rule, key, strict=False))


def masked_apart(table: Table, column: str, strategy: str, params: object) -> bool:
    """Whether a `jsonb` rule leaves alone every path the column's unique keys read,
    so that the keys hold whatever its paths' strategies do."""
    if strategy != "jsonb" or getattr(params, "others", None) is not None:
        return False
    keys = key_paths(table, column)
    paths = getattr(params, "paths", None)
    return keys is not None and isinstance(paths, dict) and not touches(paths, keys)
