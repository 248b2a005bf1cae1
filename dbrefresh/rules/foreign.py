"""Rules that would change rows living on a foreign server: refused, or warned about
when the rules' isolation drops that server before masking.

Staging would read a foreign table's rows, unmasked, from the foreign server, and
masking must never write to it.
"""

from __future__ import annotations

from dbrefresh.catalog import Catalog
from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.rules.model import RuleSet, TableRule

FOREIGN_HINT = (
    "list the server under isolate.drop_foreign_servers: `dbrefresh run` then drops it, "
    "with its foreign tables, before masking (standalone: DROP SERVER ... CASCADE on "
    "the clone)"
)


def changes_rows(rule: TableRule) -> bool:
    """Whether a table rule writes the table's rows (masks, deletes or truncates)."""
    return (
        rule.action == "truncate"
        or rule.deleting is not None
        or any(c.strategy != "keep" for c in rule.columns.values())
    )


def foreign_partitions(rules: RuleSet, catalog: Catalog) -> tuple[list[Finding], list[str]]:
    """Findings for the foreign partitions of partitioned tables whose rows a rule
    changes (a warning where the isolation drops the partition's server), and those
    dropped partitions as 'schema.name (server ...)' for the plan."""
    findings: list[Finding] = []
    dropped: list[str] = []
    chosen = rules.isolate.drop_foreign_servers
    for name, rule in rules.tables.items():
        table = catalog.tables.get(name)
        if table is None or not table.partitioned or not changes_rows(rule):
            continue
        where = Location(rule.origin.file, rule.origin.line, name)
        for part in catalog.foreign_partitions_of(name):
            message = f"partition {part.qualified} is a foreign table (server {part.server})"
            if not (chosen == "all" or part.server in chosen):
                reason = f"{message}: its rows cannot be masked, and staging would read them "
                findings.append(
                    Finding(
                        "foreign-partition",
                        reason + "from that server",
                        Severity.ERROR,
                        where,
                        FOREIGN_HINT,
                    )
                )
                continue
            dropped.append(f"{part.qualified} (server {part.server})")
            findings.append(
                Finding(
                    "foreign-partition",
                    f"{message}, which isolate.drop_foreign_servers drops before masking",
                    Severity.WARNING,
                    where,
                    "`dbrefresh run` drops it; `anonymize` alone refuses while it exists",
                )
            )
    return findings, dropped
