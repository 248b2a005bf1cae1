"""The gate's rule catalogue: stable ids, why each is dangerous, the safe alternative.

`kind` says how a hit becomes a severity:
- weighted: dangerous in proportion to table size; weigh.py decides (unknown size = error);
- always: dangerous whatever the size (a lock queue forms behind any waiting lock);
- advisory: worth a reviewer's look (destructive or compatibility risk), never fails.

`eugene` maps each rule onto kaaveland/eugene's hint ids, so the public corpus
(../shared/gate-corpus) can be compared with eugene's expected reports (docs/gate.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dbrefresh.errors import UsageError

Kind = Literal["weighted", "always", "advisory"]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    title: str
    why: str
    instead: str
    eugene: tuple[str, ...] = ()
    traceable: bool = True
    """Whether a trace measures the danger (locks held, queries blocked, the statement
    failing): only then does the measurement re-judge a weighted hit."""


_RULES = (
    Rule(
        "add-check-validates",
        "weighted",
        "ADD CHECK without NOT VALID",
        "scans the whole table to validate the constraint while holding ACCESS EXCLUSIVE",
        "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later "
        "transaction (SHARE UPDATE EXCLUSIVE, reads and writes continue)",
        ("E1",),
    ),
    Rule(
        "add-foreign-key-validates",
        "weighted",
        "ADD FOREIGN KEY without NOT VALID",
        "scans the table to validate the key while holding SHARE ROW EXCLUSIVE on both "
        "tables (writes to both stop)",
        "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later "
        "transaction",
        ("E1",),
    ),
    Rule(
        "validate-in-same-transaction",
        "weighted",
        "NOT VALID and VALIDATE in one transaction",
        "the lock taken by ADD ... NOT VALID is still held while VALIDATE scans the table, "
        "so NOT VALID buys nothing",
        "commit between ADD ... NOT VALID and VALIDATE CONSTRAINT",
        ("E1",),
    ),
    Rule(
        "validate-under-strong-lock",
        "weighted",
        "VALIDATE combined with a stronger subcommand",
        "one ALTER TABLE takes the strongest lock of its subcommands: the validation scan "
        "runs under that lock",
        "run VALIDATE CONSTRAINT as its own ALTER TABLE statement",
        ("E1",),
    ),
    Rule(
        "set-not-null-scans",
        "weighted",
        "SET NOT NULL",
        "scans the whole table while holding ACCESS EXCLUSIVE (reads and writes stop)",
        "ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later transaction, then "
        "SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check",
        ("E2",),
    ),
    Rule(
        "cannot-run-in-transaction",
        "always",
        "a statement PostgreSQL refuses inside a transaction block",
        "the migration's own BEGIN puts it in a transaction block, where PostgreSQL refuses "
        "it (ERROR: ... cannot run inside a transaction block): the deploy fails here and "
        "the transaction rolls back",
        "run it after COMMIT, outside BEGIN ... COMMIT (a script of its own)",
    ),
    Rule(
        "non-transactional-with-others",
        "advisory",
        "CREATE INDEX CONCURRENTLY (or VACUUM, a DO block or procedure that COMMITs, ...) "
        "beside other statements in one script",
        "the gate assumes the tool runs this script statement by statement outside a "
        "transaction, but golang-migrate sends a file as one multi-statement query (one "
        "implicit transaction) and Django, Rails and Flyway wrap it in a transaction by "
        "default: PostgreSQL then refuses it (cannot run inside a transaction block; a "
        "COMMIT inside DO or CALL: invalid transaction termination) and the deploy fails",
        "give it a migration of its own and run that outside a transaction: Django "
        "`atomic = False`, Rails `disable_ddl_transaction!`, Flyway `mixed=true` (or "
        "`executeInTransaction=false` in the script's .conf file), golang-migrate one "
        "statement per file (or `x-multi-statement=true`); leave it as it is if your tool "
        "already runs this file in autocommit (psql -f)",
    ),
    Rule(
        "statement-while-locked",
        "weighted",
        "work done while holding ACCESS EXCLUSIVE",
        "an earlier statement in this transaction holds ACCESS EXCLUSIVE; every later "
        "statement extends the time reads and writes are blocked",
        "commit right after the statement that takes ACCESS EXCLUSIVE; do the rest in "
        "another transaction",
        ("E4",),
    ),
    Rule(
        "column-type-rewrite",
        "weighted",
        "ALTER COLUMN TYPE rewrites the table",
        "rewrites the table and rebuilds every index while holding ACCESS EXCLUSIVE",
        "add a new column, backfill it in batches, swap in a short transaction "
        "(or use a binary-compatible change such as varchar(n) -> text)",
        ("E5", "E6", "E10"),
    ),
    Rule(
        "collation-change-rebuilds-index",
        "weighted",
        "ALTER COLUMN TYPE ... COLLATE on an indexed column",
        "no table rewrite, but every index on the column is dropped and rebuilt while "
        "ACCESS EXCLUSIVE is held (reads and writes stop)",
        "CREATE INDEX CONCURRENTLY the indexes the new collation needs on a new column "
        "(add, backfill in batches, swap), or schedule a window",
        ("E6",),
    ),
    Rule(
        "type-change-rebuilds-index",
        "weighted",
        "ALTER COLUMN TYPE on a column an index expression or predicate uses",
        "no table rewrite, but every index whose expression or WHERE uses the column is "
        "dropped and rebuilt while ACCESS EXCLUSIVE is held (reads and writes stop); "
        "PostgreSQL never reuses such an index, even for a binary-compatible change",
        "CREATE INDEX CONCURRENTLY a copy of the index over the new type first, or drop "
        "the index (CONCURRENTLY), change the type, and re-create it CONCURRENTLY",
        ("E6",),
    ),
    Rule(
        "index-blocks-writes",
        "weighted",
        "CREATE INDEX without CONCURRENTLY",
        "builds the index while holding SHARE: every write to the table waits",
        "CREATE INDEX CONCURRENTLY outside a transaction block",
        ("E6",),
    ),
    Rule(
        "concurrent-index-on-partitioned",
        "always",
        "CREATE INDEX CONCURRENTLY on a partitioned table",
        "PostgreSQL refuses it (ERROR: cannot create index on partitioned table ... "
        "concurrently), with or without ON ONLY: the deploy fails here",
        "build the index on each partition with CREATE INDEX CONCURRENTLY, then CREATE "
        "INDEX ... ON ONLY the partitioned table (an invalid index, nothing is built) and "
        "ALTER INDEX that index ATTACH PARTITION each partition's index: it becomes valid "
        "once every partition's is attached",
    ),
    Rule(
        "reindex-blocks",
        "weighted",
        "REINDEX without CONCURRENTLY",
        "rebuilds under SHARE on the table and ACCESS EXCLUSIVE on the index: writes stop "
        "and queries that plan with the index wait",
        "REINDEX ... CONCURRENTLY (PostgreSQL 12+)",
        ("E6",),
    ),
    Rule(
        "unique-constraint-builds-index",
        "weighted",
        "ADD UNIQUE / PRIMARY KEY builds an index",
        "builds the index while holding ACCESS EXCLUSIVE (reads and writes stop)",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX",
        ("E7", "E6"),
    ),
    Rule(
        "exclusion-constraint-builds-index",
        "weighted",
        "ADD EXCLUDE builds an index",
        "builds the exclusion index while holding ACCESS EXCLUSIVE; it cannot be built "
        "concurrently",
        "create the table with the constraint, or schedule a maintenance window",
        ("E8", "E6"),
    ),
    Rule(
        "primary-key-sets-not-null",
        "weighted",
        "PRIMARY KEY USING INDEX on nullable columns",
        "makes the columns NOT NULL, which scans the table under ACCESS EXCLUSIVE",
        "first make the columns NOT NULL safely (CHECK NOT VALID, VALIDATE, SET NOT NULL)",
        ("W14", "E2", "E1"),
    ),
    Rule(
        "missing-lock-timeout",
        "always",
        "no lock_timeout",
        "a statement that takes SHARE or stronger waits behind any long query, and every "
        "query queues behind it: the table is unavailable for as long as it waits",
        "SET LOCAL lock_timeout = '2s' (and retry) before the first such statement",
        ("E9",),
    ),
    Rule(
        "table-rewrite",
        "weighted",
        "statement rewrites the table",
        "copies the whole table (and rebuilds its indexes) while holding ACCESS EXCLUSIVE",
        "avoid the rewrite (new table or column, batched copy) or schedule a window",
        ("E10", "E6"),
    ),
    Rule(
        "add-column-rewrite",
        "weighted",
        "ADD COLUMN with serial, identity, GENERATED STORED, a volatile default or a domain "
        "type with constraints",
        "every existing row gets a computed value: the table is rewritten under ACCESS EXCLUSIVE",
        "add the column nullable without default, set the default, backfill in batches",
        ("E11", "E10", "E6"),
    ),
    Rule(
        "add-column-not-null-without-default",
        "weighted",
        "ADD COLUMN ... NOT NULL without a DEFAULT",
        "fails on a table that has rows (ERROR: column contains null values): existing rows "
        "would get NULL; the deploy fails here. Only an empty (or new) table takes it",
        "add a DEFAULT, or add the column nullable, backfill it in batches, then SET NOT "
        "NULL after a validated CHECK (col IS NOT NULL)",
    ),
    Rule(
        "vacuum-full-rewrite",
        "weighted",
        "VACUUM FULL",
        "rewrites the table under ACCESS EXCLUSIVE",
        "plain VACUUM, or pg_repack",
        ("E10",),
    ),
    Rule(
        "cluster-rewrite",
        "weighted",
        "CLUSTER",
        "rewrites the table in index order under ACCESS EXCLUSIVE",
        "pg_repack --order-by",
        ("E10",),
    ),
    Rule(
        "refresh-matview-blocks",
        "weighted",
        "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
        "recomputes the view under ACCESS EXCLUSIVE: reads of the view stop",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)",
    ),
    Rule(
        "attach-partition-scans",
        "weighted",
        "ATTACH PARTITION without a matching CHECK",
        "scans the new partition to prove the bound while holding ACCESS EXCLUSIVE on it",
        "ADD a CHECK matching the bound NOT VALID, VALIDATE it, then ATTACH (the scan is skipped)",
    ),
    Rule(
        "fk-without-index",
        "weighted",
        "foreign key without an index on its columns",
        "each DELETE or key UPDATE on the referenced table scans the referencing table",
        "CREATE INDEX CONCURRENTLY on the referencing columns (a non-partial index)",
        ("E15",),
        traceable=False,  # later DELETEs on the referenced table: nothing a trace runs
    ),
    Rule(
        "unbatched-data-change",
        "weighted",
        "UPDATE/DELETE without a batching WHERE",
        "changes its rows in one transaction: row locks block writers until commit, and "
        "the table bloats",
        "change rows in batches (WHERE id BETWEEN ...), one commit each",
        traceable=False,  # row-lock waits and bloat are not what the probes see
    ),
    Rule(
        "multiple-alter-table",
        "advisory",
        "several ALTER TABLE of one table",
        "each ALTER TABLE takes its lock again; combined subcommands run in one pass",
        "combine the subcommands into one ALTER TABLE",
        ("W12",),
    ),
    Rule(
        "drop-index-blocks",
        "advisory",
        "DROP INDEX without CONCURRENTLY",
        "takes ACCESS EXCLUSIVE on the table",
        "DROP INDEX CONCURRENTLY",
    ),
    Rule(
        "detach-partition-blocks",
        "advisory",
        "DETACH PARTITION without CONCURRENTLY",
        "takes ACCESS EXCLUSIVE on the partitioned table",
        "DETACH PARTITION ... CONCURRENTLY",
    ),
    Rule(
        "explicit-lock",
        "advisory",
        "LOCK TABLE",
        "holds the lock until the transaction ends",
        "keep the transaction short",
    ),
    Rule(
        "destructive-change",
        "advisory",
        "DROP / TRUNCATE",
        "the running application version may still use what is removed",
        "deploy code that stops using it first, drop in a later release",
    ),
    Rule(
        "rename-breaks-clients",
        "advisory",
        "RENAME",
        "the running application version still uses the old name",
        "add the new name alongside (view or column), switch code, then drop the old one",
    ),
    Rule(
        "opaque-statement",
        "advisory",
        "statement the gate cannot see into",
        "DO blocks, CALL and function calls run SQL the static analysis does not read",
        "give the gate --dsn: an opaque statement is always traced, so its locks and "
        "duration are measured",
    ),
    Rule(
        "trace-lock-held",
        "always",
        "blocking lock held too long (measured)",
        "while this lock is held, reads or writes of the table wait",
        "split the change so no lock that blocks traffic is held this long",
    ),
    Rule(
        "trace-queries-blocked",
        "always",
        "ordinary queries blocked (measured); an error when writes wait longer than --max-lock",
        "reads or writes of the table waited this long in the probes: requests pile up "
        "behind the migration",
        "build indexes CONCURRENTLY, split rewrites into add-column + backfill + swap, and "
        "keep locks that block writes short",
    ),
    Rule(
        "trace-near-limit",
        "advisory",
        "measured within 20 % of a limit",
        "the trace measured it once, on an idle copy of staging: the same migration "
        "measures 2-3x apart between runs, and production's traffic queues behind its "
        "locks, so there it may well pass the limit",
        "treat it as over the limit: split or batch the change so the lock is short, or "
        "raise --max-lock / --max-total knowingly",
    ),
    Rule(
        "trace-total-duration",
        "always",
        "migration too slow (measured)",
        "the deploy waits for the migration",
        "move the long part to a background job",
    ),
    Rule(
        "trace-unclaimed-rewrite",
        "weighted",
        "relations rewritten that no rule foresaw (measured)",
        "the trace saw these relations get a new file (a table rewritten or an index "
        "rebuilt) while the statement held its lock, though the analysis expected none",
        "find out why PostgreSQL rebuilt them (an index expression on a changed column, "
        "a function's side effect) and avoid the rebuild, or schedule a window",
    ),
    Rule(
        "newer-postgres-syntax",
        "always",
        "syntax newer than staging's PostgreSQL",
        "the gate's parser knows a newer PostgreSQL's grammar than the server: an older "
        "server refuses the statement with a syntax error, and the deploy fails there",
        "write it for the server's version (a STORED generated column; CHECK (col IS NOT "
        "NULL) NOT VALID, then VALIDATE and SET NOT NULL), or upgrade the server first",
        traceable=False,
    ),
    Rule(
        "trace-failed",
        "always",
        "migration failed on staging",
        "the same statement would fail on production",
        "fix the migration",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise UsageError(f"unknown gate rule {rule_id!r}; known: {', '.join(RULES)}") from None


def eugene_ids(rule_id: str, ignored: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The eugene hints a hit of this rule stands for, minus those ignored in the file."""
    return tuple(e for e in RULES[rule_id].eugene if e not in ignored)


def is_suppressed(rule_id: str, ignored: frozenset[str]) -> bool:
    """`-- gate: ignore <rule>` silences a rule; `-- eugene: ignore E2` every rule whose
    eugene ids are all ignored (a rule mapped to E5+E10 still speaks if only E5 is)."""
    if rule_id in ignored:
        return True
    mapped = RULES[rule_id].eugene
    return bool(mapped) and all(e in ignored for e in mapped)
