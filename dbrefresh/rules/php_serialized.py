"""PHP-serialised values among JSON documents in a text column, in `rules init`.

Moodle's mdl_logstore_standard_log.other holds JSON ('{"instanceid":5}') in newer rows
and PHP's serialize() output in older ones ('N;', 'a:1:{s:8:"username";s:5:"alice";}').
Judged as free text the whole column got `lorem`, and Moodle's log viewer read null
for every row. The JSON rows are masked path by path as JSON kept in text is; strings
inside a serialised value cannot be replaced without rewriting its lengths, so each
serialised value becomes 'N;' (PHP's null: Moodle decodes it, nothing of it is kept).
With no personal JSON path, an `sql` rule does exactly that and keeps the JSON rows;
otherwise the `jsonb` rule writes NULL (or JSON null) for them, which Moodle also reads
as null.
"""

from __future__ import annotations

import re

from dbrefresh.catalog import Column
from dbrefresh.rules.proposal import ColumnProposal

_SERIALIZED = re.compile(r'N;|b:[01];|i:-?\d+;|d:[^;"]+;|s:\d+:".*";|[aOC]:\d+:.*[;}]', re.DOTALL)
_LEADS = ("a", "O", "C", "s", "i", "b", "d")  # what serialize() starts a non-null with
PHP_NULL = "N;"


def is_serialized(value: str) -> bool:
    """PHP's serialize() output ('N;', 'i:5;', 'a:1:{s:8:"username";...}')."""
    return _SERIALIZED.fullmatch(value.strip()) is not None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def proposal(column: Column, serialized: int, sampled: int, why: list[str]) -> ColumnProposal:
    """An `sql` rule writing 'N;' for every serialised value, the JSON rows kept (no
    path of theirs looked personal: `why` says what the sample saw of them)."""
    own = _quote(column.name)
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
