"""What anonymization did, table by table."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableResult:
    table: str
    action: str  # rewrite | truncate | keep | refresh | emptied (a materialized view)
    rows_before: int
    rows_after: int
    seconds: float
    detail: str = ""  # why a materialized view was emptied rather than refreshed


@dataclass
class AnonymizeReport:
    database: str
    tables: list[TableResult] = field(default_factory=list)
    seconds: float = 0.0
    large_objects_removed: int = 0
    analyzed: list[str] = field(default_factory=list)  # relations with fresh statistics
    unanalyzed: dict[str, str] = field(default_factory=dict)  # relation -> ANALYZE's error
    # relations an earlier run masked, skipped: masking twice breaks joins on masked keys
    already_masked: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """What did not fail the run but needs a person: materialized views emptied
        because the clone could not refresh them, relations left without statistics
        (docs/anonymize.md)."""
        emptied = [
            f"materialized view {t.table} emptied (WITH NO DATA): it could not be "
            f"refreshed from the masked data ({t.detail})"
            for t in self.tables
            if t.action == "emptied"
        ]
        return emptied + [
            f"{relation} has no planner statistics: production's were removed and "
            f"ANALYZE failed on the masked data ({error}); analyze it in staging"
            for relation, error in sorted(self.unanalyzed.items())
        ]
