"""PHP-serialised values in a text column, in `rules init`: among JSON documents, or
alone (WordPress's and Mautic's settings, the column's every value).

Moodle's mdl_logstore_standard_log.other holds JSON ('{"instanceid":5}') in newer rows
and PHP's serialize() output in older ones ('N;', 'a:1:{s:8:"username";s:5:"alice";}').
Judged as free text the whole column got `lorem`, and Moodle's log viewer read null
for every row. The JSON rows are masked path by path as JSON kept in text is; strings
inside a serialised value cannot be replaced without rewriting its lengths, so each
serialised value becomes 'N;' (PHP's null: Moodle decodes it, nothing of it is kept).
With no personal JSON path, an `sql` rule does exactly that and keeps the JSON rows;
otherwise the `jsonb` rule writes NULL (or JSON null) for them, which Moodle also reads
as null.

A column of serialised values alone got `lorem` for the email addresses in it, and the
application could no longer unserialize its settings: its keys are judged like JSON
paths (php_parse.py) and the `php_serialized` strategy masks the string values under
the personal ones in place, every s:N: length kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules.php_parse import as_json
from dbrefresh.rules.proposal import SAMPLED_PATHS, ColumnProposal
from dbrefresh.rules.relsteps import quote_ident
from dbrefresh.strategies.jsonb_pathsyntax import is_wild, path_parts

_SERIALIZED = re.compile(r'N;|b:[01];|i:-?\d+;|d:[^;"]+;|s:\d+:".*";|[aOC]:\d+:.*[;}]', re.DOTALL)
_LEADS = ("a", "O", "C", "s", "i", "b", "d")  # what serialize() starts a non-null with
PHP_NULL = "N;"


def is_serialized(value: str) -> bool:
    """PHP's serialize() output ('N;', 'i:5;', 'a:1:{s:8:"username";...}')."""
    return _SERIALIZED.fullmatch(value.strip()) is not None


def proposal(column: Column, serialized: int, sampled: int, why: list[str]) -> ColumnProposal:
    """An `sql` rule writing 'N;' for every serialised value, the JSON rows kept (no
    path of theirs looked personal: `why` says what the sample saw of them)."""
    own = quote_ident(column.name)
    leads = ", ".join(f"'{c}'" for c in _LEADS)
    when = f"left({own}, 1) IN ({leads}) AND substr({own}, 2, 1) = ':'"
    return ColumnProposal(
        column.name,
        "sql",
        {"expression": f"CASE WHEN {when} THEN '{PHP_NULL}' ELSE {own} END", "changes_when": when},
        kind="php_serialized",
        why=[
            f"{serialized} of {sampled} sampled values are PHP-serialised (the rest JSON "
            "documents in which no path looks personal, kept): each becomes 'N;', PHP's "
            "null (strings inside cannot be replaced without rewriting their lengths)",
            *why,
        ],
    )


def documents(values: Sequence[str] | None) -> list[str] | None:
    """The sample as JSON documents when every non-blank value is serialised and at
    least one is an array or object ('a:2:{...}'), else None."""
    sample = [v for v in values or () if v.strip()]
    if not sample or not all(is_serialized(v) for v in sample):
        return None
    read = [doc for v in sample if (doc := as_json(v)) is not None]
    return read or None


def _key(path: str) -> str:
    """The key naming a path's value ('contacts.0.email' -> 'email')."""
    keys = [p for p in path_parts(path) if not p.isdigit() and not is_wild(p)]
    return keys[-1] if keys else path


def masking(
    column: Column, by_paths: ColumnProposal | None, personal: str | None, sampled: int
) -> ColumnProposal:
    """The `php_serialized` rule for a column of serialised values alone: the string
    values under the keys whose paths looked personal (`by_paths`, the jsonb rule those
    documents would get), or every string value when only the values looked personal
    (`personal`, the reason); `keep` with a note when neither did."""
    held = f"{sampled} sampled values are PHP-serialised"
    if by_paths is not None:
        keys = sorted({_key(path) for path in by_paths.params["paths"]})
        why = [f"{held}: the strings under {', '.join(keys)} masked in place, lengths kept"]
        notes = [w for w in by_paths.why if w != SAMPLED_PATHS]
        review = "REVIEW: keys found in a sample; keys it did not meet are kept"
        return ColumnProposal(
            column.name,
            "php_serialized",
            {"keys": keys},
            kind="php_serialized",
            why=[*why, *notes, review],
        )
    if personal is not None:
        every = f"{held} and {personal}: every string value masked in place, lengths kept"
        return ColumnProposal(column.name, "php_serialized", kind="php_serialized", why=[every])
    return ColumnProposal(
        column.name, why=[f"REVIEW: {held}, no key or value of them looks personal: kept"]
    )
