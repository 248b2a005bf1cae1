"""A partition's own rule may treat its rows differently from its partitioned parent's
rule, never less strictly.

A partition with a rule of its own follows that rule alone (RuleSet.governing): a stale
entry `email: keep` on one partition, under a parent whose rule masks `email`, kept that
partition's emails while every other partition was masked, and nothing said so. Masking
a partition with another strategy, truncating it, or masking more stays allowed; keeping
a column the parent masks, rows the parent truncates or rows its delete_where removes is
an error naming both rules (remove the partition's entry and the parent's rule covers
it). Partitions carry exactly their parent's columns, so each column compares.
"""

from __future__ import annotations

from dbrefresh.catalog import Catalog
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.model import Origin, RuleSet, TableRule
from dbrefresh.strategies.registry import get

HINT = (
    "remove the partition's entry (its parent's rule then covers it), or give it a rule "
    "at least as strict as the parent's"
)


def _at(origin: Origin) -> str:
    return f"{origin.file}:{origin.line}" if origin.line else origin.file


def _masked(rule: TableRule) -> dict[str, Origin]:
    """Columns a mask rule changes, with where each is written."""
    if rule.action != "mask":
        return {}
    return {c: r.origin for c, r in rule.columns.items() if not get(r.strategy).keeps_value}


def weaker_partition_rules(rules: RuleSet, catalog: Catalog) -> list[Finding]:
    """An error per partition rule that keeps what its nearest ruled ancestor changes."""
    findings: list[Finding] = []
    for name, rule in rules.tables.items():
        table = catalog.tables.get(name)
        if table is None or table.parent is None or rule.action == "truncate":
            continue
        above = rules.governing(catalog, table.parent)
        if above is None:
            continue
        parent = rules.tables[above]
        if parent.action == "truncate":
            findings.append(
                _finding(
                    name,
                    rule.origin,
                    f"keeps the rows of a partition of {above}, whose rule truncates them "
                    f"({_at(parent.origin)})",
                )
            )
            continue
        if parent.delete_where is not None and rule.delete_where is None:
            findings.append(
                _finding(
                    name,
                    rule.origin,
                    f"keeps every row, but the rule of its partitioned parent {above} "
                    f"deletes rows (delete_where, {_at(parent.origin)})",
                )
            )
        own = _masked(rule)
        for column, there in _masked(parent).items():
            if column in own or column not in table.columns:
                continue
            col_rule = rule.columns.get(column) if rule.action == "mask" else None
            how = f"`{col_rule.strategy}`" if col_rule else "not masked by this rule"
            findings.append(
                _finding(
                    f"{name}.{column}",
                    col_rule.origin if col_rule else rule.origin,
                    f"kept ({how}) in this partition, but the rule of its partitioned "
                    f"parent {above} masks it ({_at(there)})",
                )
            )
    return findings


def _finding(key: str, origin: Origin, message: str) -> Finding:
    return Finding(
        "partition-weaker",
        message,
        location=Location(origin.file, origin.line, key),
        hint=HINT,
    )
