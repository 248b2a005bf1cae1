"""`rules init`: the values of a JSON-in-text column that are no JSON, masked their own way.

Moodle's mdl_logstore_standard_log.other holds JSON on new rows and PHP-serialised data
on rows written before an upgrade; Sentry's nodestore_node.data plain JSON on some rows
and base64 of zlib-compressed JSON on others. The column's `jsonb` rule wrote NULL for
every value that is no JSON: a third of the log lost. Its `others` now names what those
values get (jsonb_others.py):

- PHP-serialised values: `php_serialized`, the strings under the keys whose paths
  looked personal (in the JSON rows or in the serialised ones) masked in place;
- opaque values (base64, compressed, binary: opaque_values.py), which no rule can look
  into: an empty document ('{}', or '[]' where the documents are arrays), which the
  application still parses, where NULL would fail its decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbrefresh.catalog import Column, Table
from dbrefresh.rules.fitting import column_context, fits
from dbrefresh.rules.json_text import TextDocuments
from dbrefresh.rules.php_parse import as_json
from dbrefresh.rules.php_serialized import is_serialized
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.base import Strategy
from dbrefresh.strategies.jsonb_pathsyntax import is_wild, path_parts

# The jsonb rule the JSON documents of a sample get (document_rules.json_rule), or None
Judge = Callable[[Sequence[str]], ColumnProposal | None]


def _key(path: str) -> str:
    """The key naming a path's value ('contacts.*.email' -> 'email')."""
    keys = [p for p in path_parts(path) if not p.isdigit() and not is_wild(p)]
    return keys[-1] if keys else path


def others_rule(
    table: Table,
    column: Column,
    documents: TextDocuments,
    values: Sequence[str],
    paths: Mapping[str, Any],
    strategies: Mapping[str, Strategy[Any]],
    judge: Judge,
) -> tuple[dict[str, Any], str] | None:
    """The `others` of a jsonb rule masking `paths`, and its note; None when the sample
    holds no such values, or no rule for them fits the column (unique, varchar(n))."""
    sampled = documents.documents + documents.strays
    neither = documents.strays - documents.serialized - documents.opaque
    if documents.serialized:
        php = [doc for v in values if is_serialized(v) and (doc := as_json(v)) is not None]
        found = judge(php) if php else None
        keys = sorted({_key(p) for p in (*paths, *(found.params["paths"] if found else ()))})
        rule: dict[str, Any] = {"strategy": "php_serialized", "keys": keys}
        note = (
            f"REVIEW: {documents.serialized} of {sampled} sampled values are PHP-serialised: "
            f"others: php_serialized masks the strings under {', '.join(keys)} in place, "
            "every s:N: length kept"
        )
        if documents.opaque or neither:
            note += "; a value neither JSON nor PHP-serialised becomes 'N;'"
    elif documents.opaque:
        empty = "[]" if documents.arrays else "{}"
        rule = {"strategy": "constant", "value": empty}
        note = (
            f"REVIEW: {documents.opaque} of {sampled} sampled values are no JSON but "
            f"{documents.opaque_kinds}, which no rule looks into: each (and any value that "
            f"is no JSON) becomes '{empty}', an empty document the application still parses"
        )
    else:
        return None
    unique = column.name in table.unique_columns()
    if unique and rule["strategy"] == "constant":
        return None  # one value for every such row: the jsonb_stray hash instead
    ctx = column_context(table, column, unique=unique)
    if not fits(
        strategies[rule["strategy"]], {k: v for k, v in rule.items() if k != "strategy"}, ctx
    ):
        return None
    return rule, note
