"""Refuse a `derived` rule reading what the masked row does not hold.

A derived column is computed over the row the other rules masked (relsteps.py): a
column the rules mask gives its masked value, a kept one its own, a shuffled one the
value it was given. Two values are not there: another derived column's (computed beside
it, from the same masked row: it would read that column's original, a vector of the
real names) and a generated column's (PostgreSQL recomputes it only when the masked
row is written back: it would read the original's stored value).
"""

from __future__ import annotations

from dbrefresh.catalog import Catalog
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.model import ColumnRule, RuleSet
from dbrefresh.strategies.derived import DerivedParams, reads
from dbrefresh.strategies.registry import get


def derived_reads(rules: RuleSet, catalog: Catalog) -> list[Finding]:
    """A finding for each derived rule reading a derived or a generated column."""
    findings: list[Finding] = []
    for name, rule in rules.tables.items():
        table = catalog.tables.get(name)
        if table is None or rule.action != "mask":
            continue
        derived = {c for c, r in rule.columns.items() if get(r.strategy).reads_masked_row}
        for column in sorted(derived):
            col_rule = rule.columns[column]
            if not isinstance(col_rule.params, DerivedParams):
                continue
            for read in reads(col_rule.params):
                info = table.columns.get(read)
                if read in derived and read != column:
                    findings.append(
                        _finding(
                            name,
                            col_rule,
                            f"derived reads {read}, which is derived too: both are computed "
                            f"from the same masked row, so it would see {read}'s original",
                            f"write {read}'s expression into this one instead",
                        )
                    )
                elif info is not None and info.generated:
                    findings.append(
                        _finding(
                            name,
                            col_rule,
                            f"derived reads generated column {read}, which PostgreSQL "
                            "recomputes only when the masked row is written: it would see "
                            "its original value",
                            f"read the columns {read} is generated from",
                        )
                    )
    return findings


def _finding(table: str, col_rule: ColumnRule, message: str, hint: str) -> Finding:
    return Finding(
        "derived-read",
        message,
        location=Location(col_rule.origin.file, col_rule.origin.line, f"{table}.{col_rule.column}"),
        hint=hint,
    )
