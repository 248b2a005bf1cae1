"""The Plan: every statement anonymization will run, as data.

`dbrefresh plan` prints it, the executor runs it, tests assert on its SQL. Nothing in
the Plan holds the seed: strategies read the derived key from a session setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dbrefresh.findings import Finding

TableAction = Literal["rewrite", "truncate", "keep"]
PAGES_LO = "__dbr_pages_lo__"  # placeholders of a chunk's page range in Chunking.fill
PAGES_HI = "__dbr_pages_hi__"
CHUNK_TABLE = "__dbr_chunk_table__"  # placeholder of a chunk's own table in Chunking.fill


# Unlink every large object, then rewrite the catalogs that held their data and their
# metadata (the deleted rows would stay in the files until vacuumed).
EMPTY_LARGE_OBJECTS = (
    "SELECT count(lo_unlink(oid)) FROM pg_largeobject_metadata",
    "VACUUM FULL pg_largeobject",
    "VACUUM FULL pg_largeobject_metadata",
)

# Planner statistics of a relation masking changed hold production's values (most
# common values, histogram bounds), and so do those of its indexes, its extended
# statistics and its ancestors' (a partitioned table's statistics cover its partitions).
# ANALYZE alone would leave them where it writes nothing (an emptied table, a column
# with statistics 0) and as dead rows where it does. So they are deleted, the catalogs'
# files rewritten, and the masked data analyzed afresh. %(relations)s: the changed
# relations' quoted names (Plan.statistics_of).
_CHANGED = """WITH RECURSIVE changed(oid) AS (
    SELECT to_regclass(name)::oid FROM unnest(%(relations)s::text[]) AS name
     WHERE to_regclass(name) IS NOT NULL
    UNION SELECT i.inhparent FROM pg_inherits i JOIN changed ON i.inhrelid = changed.oid)"""
REPLACE_STATISTICS = (
    f"{_CHANGED} DELETE FROM pg_statistic WHERE starelid IN (SELECT oid FROM changed UNION "
    "SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM changed))",
    f"{_CHANGED} DELETE FROM pg_statistic_ext_data WHERE stxoid IN "
    "(SELECT oid FROM pg_statistic_ext WHERE stxrelid IN (SELECT oid FROM changed))",
    "VACUUM FULL pg_statistic, pg_statistic_ext_data",
)
# What to ANALYZE afterwards: the changed relations and their ancestors that hold rows.
STATISTICS_TO_ANALYZE = (
    f"{_CHANGED} SELECT format('%%I.%%I', n.nspname, c.relname) FROM changed "
    "JOIN pg_class c ON c.oid = changed.oid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'm') AND c.relispopulated ORDER BY 1"
)


@dataclass(frozen=True)
class LeakPath:
    """A path of a document column (a jsonb rule's) whose values the leak check samples
    and counts on their own."""

    path: str  # dotted, as the rule lists it
    when: str | None  # SQL over the value's text, named _dbr_json: must it change? (None: yes)


@dataclass(frozen=True)
class MaskedColumn:
    column: str
    strategy: str
    expression: str  # the SQL expression giving the masked value
    leak_checked: bool
    # Few distinct values: mask each distinct value once (a memoized LATERAL subquery;
    # the masked value depends on the original alone, and a cache hit costs less than
    # a digest).
    dedupe: bool = False
    # A primary-key column whose masked value depends on its own value alone: samples
    # find their row again by the masked key (relsteps.row_key)
    by_value: bool = False
    # SQL over the column: which originals the strategy must change (None: all of them).
    leak_when: str | None = None
    # SQL over the row: a message when the rules cannot mask it (strategy.refusal)
    refusal: str | None = None
    # SQL reading no row: a message when the rule table's data forbids the rule
    # (strategy.table_refusal), evaluated once per rule table, not per partition
    table_refusal: str | None = None
    # where its rule was written ('rules/shop.yaml:14'), for errors naming the rule
    origin: str | None = None
    # A document column's paths checked one by one (a jsonb rule's), beside the column
    leak_paths: tuple[LeakPath, ...] = ()
    # SQL over the column: which values give the rule anything to mask (None: all)
    holds_when: str | None = None
    # The expression reads the row's masked values (derived): evaluated over the
    # SELECT masking the other columns (relsteps.masked_select)
    reads_masked: bool = False


@dataclass(frozen=True)
class Chunking:
    """How a large relation's masked copy is computed in parallel, before the swap.

    Each chunk is a page range read by its own connection (a TID range scan) and
    inserted into its own UNLOGGED table, a child of the relation's scratch table in the
    dbrefresh schema: the CPU-heavy part (one keyed hash per value) then uses every
    core. Own tables spare the chunks each other's relation-extension lock, and the
    refill reads the children in page order, so the rows keep their physical order (and
    a primary key in that order sorts cheaply). Scratch tables hold masked values only
    and are dropped in the swap transaction.
    """

    scratch: str  # dbrefresh."_dbr_m_<oid>", the parent the refill reads
    create: str  # CREATE UNLOGGED TABLE scratch AS SELECT ... WITH NO DATA
    fill: str  # INSERT INTO <chunk table> SELECT ... for the pages [PAGES_LO, PAGES_HI)
    lock: str  # SHARE lock each chunk holds on the relation while it reads

    @property
    def drop(self) -> str:
        return f"DROP TABLE IF EXISTS {self.scratch} CASCADE"  # with its chunk tables

    def chunk_table(self, index: int | str) -> str:
        """dbrefresh."_dbr_m_<oid>_<index>" (a str index only to print the pattern)."""
        return self.scratch[:-1] + f'_{index}"'

    def create_chunk(self, index: int | str) -> str:
        return f"CREATE UNLOGGED TABLE {self.chunk_table(index)} () INHERITS ({self.scratch})"

    def fill_chunk(self, index: int, lo: int, hi: int) -> str:
        # Plain replacement, not str.format: masking SQL holds braces (array literals).
        return (
            self.fill.replace(CHUNK_TABLE, self.chunk_table(index), 1)
            .replace(PAGES_LO, str(int(lo)))
            .replace(PAGES_HI, str(int(hi)))
        )


@dataclass
class RelationStep:
    """Rewrite of one physical relation (a table, or a leaf partition of a partitioned one).

    The rewrite keeps the table itself (OID, grants, triggers, policies, comments): rows
    are copied masked aside, the relation is truncated and refilled (docs/anonymize.md).
    The truncate, the locks and the foreign keys belong to the relation's SwapGroup.
    """

    relation: str  # qualified 'schema.name'
    rule_table: str  # the table named in the rules (parent for partitions)
    masked: list[MaskedColumn]
    record_leaks: list[str]  # statements sampling keyed hashes of original values
    record_count: str  # statement recording the row count before the rewrite
    copy_masked: str | None  # CREATE TEMP TABLE ... AS SELECT <masked> (unchunked only)
    drop_indexes: list[str]  # large tables: rebuilt after the refill (a sort beats inserts)
    refill: str  # INSERT INTO relation SELECT ... FROM the masked copy
    create_indexes: list[str]
    deletes_rows: bool
    chunking: Chunking | None = None
    estimated_rows: int = 0
    # A sample of masked rows written to a copy of the table's CHECK and domain rules,
    # before anything is changed (empty when it has none: nothing there could refuse)
    preflight: list[str] = field(default_factory=list)
    # Those of the preflight statements that check the whole rule table (fold_case, every
    # partition): the same text in each partition's step, run and printed once
    table_wide: frozenset[str] = frozenset()
    # The same sample of masked rows as a SELECT (None: shuffled, no sample): what
    # rules/checkfit.py evaluates each CHECK constraint over, without writing
    sample_select: str | None = None

    def to_sql(self, shown: set[str] | None = None) -> list[str]:
        """Script lines of the preflight sample, and of the parallel masked copy. A rule
        table's own refusal (fold_case) runs once, in its first partition's preflight:
        `shown` holds those already printed, and later partitions point back to it."""
        shown = set() if shown is None else shown
        out = []
        if self.preflight:
            out.append("-- before anything changes, a sample (rolled back):")
            for statement in self.preflight:
                if statement in self.table_wide and statement in shown:
                    out.append(f"-- (the check of all of {self.rule_table} above: run once)")
                    continue
                shown.add(statement)
                out.append(statement + ";")
        if not self.chunking:
            return out
        return [
            *out,
            self.chunking.create + ";",
            "-- in parallel, one transaction per page range [lo, hi) into its own table",
            f"-- (chunk n: {self.chunking.create_chunk('<n>')}),",
            "-- and one transaction sampling the originals:",
            self.chunking.lock + ";",
            self.chunking.fill + ";",
            *(s + ";" for s in self.record_leaks),
        ]


@dataclass(frozen=True)
class FkCheck:
    """A foreign key masking could break that the swap does not re-validate by re-adding."""

    name: str
    table: str
    orphans: str  # SELECT count(*) of referencing rows without a referenced row


@dataclass
class SwapGroup:
    """Relations tied by foreign keys, swapped into place in ONE transaction.

    One TRUNCATE empties them all, so a key between two of them stays in place unless the
    index it references is rebuilt. A dropped key is re-added right after that index,
    while the referencing relation is still empty: no validation scan (measured 1.25 s
    for 3M rows) and no lock wait between two swaps. Keys from tables outside the group,
    and keys inside a cycle, are re-added after every refill and validated as usual.
    Keys masking could break are counted for orphans before commit (FkCheck).
    """

    steps: list[RelationStep]  # referenced relations before referencing ones
    lock: str  # the group's relations, sorted (no deadlock between groups)
    lock_outside: str | None  # tables outside the group whose foreign keys point into it
    drop_fks: list[str]
    truncate: str  # TRUNCATE ONLY of every relation of the group at once
    add_fks_after: dict[str, list[str]] = field(default_factory=dict)  # relation -> keys
    add_fks_last: list[str] = field(default_factory=list)
    fk_checks: list[FkCheck] = field(default_factory=list)
    mute_triggers: list[str] = field(default_factory=list)  # rules/triggers.py
    unmute_triggers: list[str] = field(default_factory=list)

    @property
    def relations(self) -> list[str]:
        return [s.relation for s in self.steps]

    @property
    def estimated_rows(self) -> int:
        return sum(s.estimated_rows for s in self.steps)

    # The swap's phases: the executor runs them in this order and `statements` prints
    # them, so what `dbrefresh plan` shows is what runs.
    def taking_stock(self, step: RelationStep) -> list[str]:
        """Under the group's lock: the row count, and for a small relation its sample
        of originals and masked copy (a large one has both done beside its chunks)."""
        return [
            *([] if step.chunking else step.record_leaks),
            step.record_count,
            *([step.copy_masked] if step.copy_masked else []),
        ]

    def clearing(self) -> list[str]:
        """Set keys and indexes aside, then empty the whole group at once."""
        return [
            *([self.lock_outside] if self.lock_outside else []),
            *self.mute_triggers,
            *self.drop_fks,
            *(ix for step in self.steps for ix in step.drop_indexes),
            self.truncate,
        ]

    def rebuilding(self, step: RelationStep) -> list[str]:
        """After a relation's refill: its indexes, then keys re-added while still cheap."""
        return [*step.create_indexes, *self.add_fks_after.get(step.relation, [])]

    def statements(self) -> list[str]:
        """The swap transaction, in the order the executor runs it."""
        out = [self.lock]
        for step in self.steps:
            out += self.taking_stock(step)
        out += self.clearing()
        for step in self.steps:
            out += [step.refill, *self.rebuilding(step)]
        out += [*self.add_fks_last, *self.unmute_triggers]
        out += [f"{check.orphans}  -- must be 0 ({check.name})" for check in self.fk_checks]
        out += [step.chunking.drop for step in self.steps if step.chunking]
        return out


@dataclass(frozen=True)
class ViewRefresh:
    """A materialized view that may hold data from before masking, refreshed after the
    swaps (after the materialized views it reads); emptied if the clone cannot refresh it."""

    relation: str
    after: tuple[str, ...]  # materialized views of the plan it reads, directly or via views
    refresh: str  # REFRESH MATERIALIZED VIEW
    empty: str  # REFRESH MATERIALIZED VIEW ... WITH NO DATA


@dataclass
class Plan:
    database: str
    rules_digest: str
    truncate: list[str] = field(default_factory=list)  # tables emptied by one TRUNCATE
    # triggers set aside, the TRUNCATE, triggers back: one transaction
    truncating: list[str] = field(default_factory=list)
    groups: list[SwapGroup] = field(default_factory=list)  # biggest first
    kept: list[str] = field(default_factory=list)
    refresh_views: list[ViewRefresh] = field(default_factory=list)  # dependencies first
    empty_large_objects: bool = False  # rules say `large_objects: empty`
    statistics_of: list[str] = field(default_factory=list)  # quoted: REPLACE_STATISTICS
    # Foreign partitions of masked tables whose server the rules' isolation drops: they
    # must be gone before masking (the refresh drops them; anonymize refuses if not).
    foreign_partitions: list[str] = field(default_factory=list)  # 'schema.name (server)'
    warnings: list[Finding] = field(default_factory=list)  # what the compile warned of

    def statistics_sql(self) -> list[str]:
        """REPLACE_STATISTICS and the ANALYZE query, with this plan's relations inlined."""
        names = "ARRAY[" + ", ".join(_quote_literal(r) for r in self.statistics_of) + "]"
        return [
            statement.replace("%(relations)s", names).replace("%%", "%")
            for statement in (*REPLACE_STATISTICS, STATISTICS_TO_ANALYZE)
        ]

    @property
    def steps(self) -> list[RelationStep]:
        return [step for group in self.groups for step in group.steps]

    def to_sql(self) -> str:
        """The whole plan as one SQL script (what `dbrefresh plan` prints)."""
        out = [f"-- dbrefresh plan for database {self.database} (rules {self.rules_digest[:12]})"]
        out.append("SET session_replication_role = replica;")
        out.append("SELECT set_config('dbrefresh.key', :'key', false);  -- key from the seed")
        if self.truncating:
            out += ["", "BEGIN;", *(s + ";" for s in self.truncating), "COMMIT;"]
        if self.empty_large_objects:
            out += ["", "-- large_objects: empty", *(s + ";" for s in EMPTY_LARGE_OBJECTS)]
        shown: set[str] = set()  # rule-table-wide refusals printed (run once)
        for group in self.groups:
            for step in group.steps:
                out += ["", f"-- {step.relation} (rule {step.rule_table})", *step.to_sql(shown)]
            out += ["", f"-- swap of {', '.join(group.relations)}", "BEGIN;"]
            out += [s + ";" for s in group.statements()]
            out.append("COMMIT;")
        if self.refresh_views:
            out += [
                "",
                "-- materialized views that may hold data from before masking, one transaction",
                "-- each (emptied WITH NO DATA, and reported, if the clone cannot refresh one)",
                *(view.refresh + ";" for view in self.refresh_views),
            ]
        if self.statistics_of:
            out += [
                "",
                "-- planner statistics of the changed relations (they hold production's values):",
                "-- deleted, then every relation the last query names is ANALYZEd",
                *(s + ";" for s in self.statistics_sql()),
            ]
        if self.kept:
            out += ["", "-- kept as they are: " + ", ".join(self.kept)]
        return "\n".join(out) + "\n"


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
