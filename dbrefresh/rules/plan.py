"""The Plan: every statement anonymization will run, as data.

`dbrefresh plan` prints it, the executor runs it, tests assert on its SQL. Nothing in
the Plan holds the seed: strategies read the derived key from a session setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TableAction = Literal["rewrite", "truncate", "keep"]
PAGES_LO = "__dbr_pages_lo__"  # placeholders of a chunk's page range in Chunking.fill
PAGES_HI = "__dbr_pages_hi__"


@dataclass(frozen=True)
class MaskedColumn:
    column: str
    strategy: str
    expression: str  # the SQL expression giving the masked value
    leak_checked: bool
    # Few distinct values: mask each distinct value once and join it back (the masked
    # value depends on the original alone, and a hash probe costs less than a digest).
    dedupe: bool = False


@dataclass(frozen=True)
class Chunking:
    """How a large relation's masked copy is computed in parallel, before the swap.

    Each chunk is a page range read by its own connection (a TID range scan) and
    inserted into an UNLOGGED scratch table in the dbrefresh schema: the CPU-heavy part
    (one keyed hash per value) then uses every core. The scratch table holds masked
    values only and is dropped in the swap transaction.
    """

    scratch: str  # dbrefresh."_dbr_m_<oid>"
    create: str  # CREATE UNLOGGED TABLE scratch AS SELECT ... WITH NO DATA
    fill: str  # INSERT INTO scratch SELECT ... for the pages [PAGES_LO, PAGES_HI)
    drop: str
    lock: str  # SHARE lock each chunk holds on the relation while it reads

    def fill_pages(self, lo: int, hi: int) -> str:
        # Plain replacement, not str.format: masking SQL holds braces (array literals).
        return self.fill.replace(PAGES_LO, str(int(lo))).replace(PAGES_HI, str(int(hi)))


@dataclass
class RelationStep:
    """Rewrite of one physical relation (a table, or a leaf partition of a partitioned one).

    The rewrite keeps the table itself (OID, grants, triggers, policies, comments): rows
    are copied masked aside, the relation is truncated and refilled; foreign keys
    pointing at it are set aside and re-added around that (docs/anonymize.md).
    """

    relation: str  # qualified 'schema.name'
    rule_table: str  # the table named in the rules (parent for partitions)
    masked: list[MaskedColumn]
    lock_own: str  # the relation alone: the long masked copy runs under this lock only
    record_leaks: list[str]  # statements sampling keyed hashes of original values
    record_count: str  # statement recording the row count before the rewrite
    copy_masked: str | None  # CREATE TEMP TABLE ... AS SELECT <masked> (unchunked only)
    lock_related: str | None  # tables whose foreign keys point here (sorted: no deadlock)
    drop_fks: list[str]
    drop_indexes: list[str]  # large tables: rebuilt after the refill (a sort beats inserts)
    truncate: str
    refill: str  # INSERT INTO relation SELECT ... FROM the masked copy
    create_indexes: list[str]
    add_fks: list[str]
    deletes_rows: bool
    chunking: Chunking | None = None
    estimated_rows: int = 0

    def swap_statements(self) -> list[str]:
        """The one transaction that replaces the relation's rows by their masked copy."""
        return [
            self.lock_own,
            *self.record_leaks,
            self.record_count,
            *([self.copy_masked] if self.copy_masked else []),
            *([self.lock_related] if self.lock_related else []),
            *self.drop_fks,
            *self.drop_indexes,
            self.truncate,
            self.refill,
            *self.create_indexes,
            *self.add_fks,
            *([self.chunking.drop] if self.chunking else []),
        ]

    def to_sql(self) -> list[str]:
        """Script lines for `dbrefresh plan`."""
        out: list[str] = []
        if self.chunking:
            out += [
                self.chunking.create + ";",
                "-- in parallel, one transaction per page range [lo, hi):",
                self.chunking.lock + ";",
                self.chunking.fill + ";",
            ]
        out += ["BEGIN;", *(s + ";" for s in self.swap_statements()), "COMMIT;"]
        return out


@dataclass
class Plan:
    database: str
    rules_digest: str
    truncate: list[str] = field(default_factory=list)  # tables emptied by one TRUNCATE
    truncate_sql: str | None = None
    steps: list[RelationStep] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def to_sql(self) -> str:
        """The whole plan as one SQL script (what `dbrefresh plan` prints)."""
        out = [f"-- dbrefresh plan for database {self.database} (rules {self.rules_digest[:12]})"]
        out.append("SET session_replication_role = replica;")
        out.append("SELECT set_config('dbrefresh.key', :'key', false);  -- key from the seed")
        if self.truncate_sql:
            out += ["", "BEGIN;", self.truncate_sql + ";", "COMMIT;"]
        for step in self.steps:
            out += ["", f"-- {step.relation} (rule {step.rule_table})", *step.to_sql()]
        if self.kept:
            out += ["", "-- kept as they are: " + ", ".join(self.kept)]
        return "\n".join(out) + "\n"
