"""Masked columns whose leak check proved nothing: no original value was sampled.

A strategy samples only the originals it must change (Strategy.leak_sample_when): a
`phone` whose keep_prefix is as long as the values keeps them whole, samples none, and
verify printed "0 sampled, 0 survivors" and passed. A column holding values of which
none was sampled is a warning verify shows (text and JSON), not a failure: `digits`
keeps text without a digit, and a column of such values names no one.

Blanks and placeholders of asterisks ('****', which `hash` keeps on purpose) are no
surprise either: a column holding only these gets no warning to check the rule. Nor
is a document whose rule's paths are all blank (pretalx's anonymised_data
{"_anonymised": true, "notes": ""} under a `notes: lorem` path): the rule had nothing
to mask there, whatever the rest of the document holds (Strategy.holds_when).

A table anonymize never masked has no sample either: it fails verify as "has not been
anonymized", and a warning per column blaming the rules' parameters only buried that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from dbrefresh.findings import Finding, Severity, rule_location
from dbrefresh.rules.relsteps import quote_ident, quote_table

# Values no strategy needs to change (relsteps' NON_FINITE and blanks): holding only
# these, a column with no sample is no surprise.
_NAMELESS = "('', '{}', 'NaN', 'Infinity', '-Infinity', 'infinity', '-infinity')"
# A mask placeholder of asterisks only ('****', as text or a JSON string), which `hash`
# keeps on purpose as it keeps blanks: a column of these names no one either.
_PLACEHOLDER = r"""'^(\*+|"\**")$'"""


def unsampled_warnings(
    conn: psycopg.Connection[Any],
    relation: str,
    columns: list[str],
    origins: Mapping[str, str | None] | None = None,
    holds: Mapping[str, str | None] | None = None,
) -> list[Finding]:
    """A warning per column of `columns` (each with no sample) that holds a value its
    rule reads (`holds`: SQL over the column, Strategy.holds_when); none for a relation
    anonymize did not mask (its own finding says so)."""
    masked = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM dbrefresh.masked_relations WHERE relation = %s)",
        (relation,),
    ).fetchone()
    if not (masked and masked[0]):
        return []
    warnings = []
    for column in columns:
        col = quote_ident(column)
        held = (holds or {}).get(column)
        row = conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM ONLY {quote_table(relation)} t "
            f"WHERE btrim(t.{col}::text) NOT IN {_NAMELESS} "
            f"AND btrim(t.{col}::text) !~ {_PLACEHOLDER}{f' AND ({held})' if held else ''})"
        ).fetchone()
        if row and row[0]:
            name = f"{relation}.{column}"
            warnings.append(
                Finding(
                    "nothing-sampled",
                    "masked, but anonymize sampled none of its original values, "
                    "so its leak check proved nothing: the strategy kept every value it "
                    "saw (a keep_prefix as long as the values keeps them whole), or none "
                    "identifies anyone",
                    severity=Severity.WARNING,
                    location=rule_location((origins or {}).get(column), name),
                    hint="check the rule's parameters against the column's values",
                )
            )
    return warnings
