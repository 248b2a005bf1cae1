"""Data the gate passes between its layers: lock modes, blocking, work, statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class LockMode(IntEnum):
    """PostgreSQL's eight table lock modes, weakest first (values as in lockdefs.h)."""

    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def sql_name(self) -> str:
        """As written in LOCK TABLE and the docs: 'ACCESS EXCLUSIVE'."""
        return self.name.replace("_", " ")

    @property
    def pg_locks_name(self) -> str:
        """As pg_locks.mode shows it: 'AccessExclusiveLock'."""
        return "".join(part.capitalize() for part in self.name.split("_")) + "Lock"

    @classmethod
    def from_pg_locks(cls, mode: str) -> LockMode | None:
        for lock in cls:
            if lock.pg_locks_name == mode:
                return lock
        return None

    @property
    def blocks(self) -> Blocks:
        """What ordinary traffic this lock stops while held on a table."""
        if self is LockMode.ACCESS_EXCLUSIVE:
            return Blocks.READS
        if self >= LockMode.SHARE:
            return Blocks.WRITES
        return Blocks.NOTHING


class Blocks(IntEnum):
    """What a statement stops for other sessions. READS implies writes are stopped too."""

    NOTHING = 0
    WRITES = 1
    READS = 2

    @property
    def label(self) -> str:
        return {0: "nothing", 1: "writes", 2: "reads+writes"}[self.value]


# statements that change existing rows: EXPLAIN's estimate before a trace, the command
# tag's count after it, weigh them (unbatched-data-change, datachange.py)
ROW_CHANGES = frozenset({"UPDATE", "DELETE", "MERGE"})


class Work(StrEnum):
    """How much work a statement does, which is what makes size matter."""

    METADATA = "metadata"
    SCAN = "scan"
    REWRITE = "rewrite"
    INDEX_BUILD = "index_build"
    DATA_CHANGE = "data_change"


_RANK = {work: rank for rank, work in enumerate(Work)}


def heavier(a: Work, b: Work) -> Work:
    return a if _RANK[a] >= _RANK[b] else b


@dataclass(frozen=True)
class Statement:
    """One parsed statement with where it came from."""

    file: str
    script: str  # the script it belongs to (file name, or the `-- N.sql` marker)
    line: int
    index: int  # position in the whole migration, 0-based
    text: str
    node: object  # the pglast AST node of the statement
    suppressed: frozenset[str] = frozenset()  # rule ids or eugene ids from ignore comments


@dataclass(frozen=True)
class Script:
    """A unit the migration tool runs on its own (by default in one transaction)."""

    file: str
    name: str
    line: int
    statements: tuple[Statement, ...]
    # how the tool runs it, when the file says (a Liquibase changeset: in a transaction,
    # or not with runInTransaction:false; Flyway's executeInTransaction=false: not);
    # None: as --wrap and its statements decide
    wrapped: bool | None = None


@dataclass(frozen=True)
class Hit:
    """A rule matched on a statement: the raw material of a Finding."""

    rule: str
    detail: str
    tables: tuple[str, ...] = ()
    needs_size: bool = False  # only a finding if weighing shows the tables are big
    why: str = ""  # in place of the rule's own why, when this case differs from it


@dataclass
class Classified:
    """What one statement does (classify.py), refined by the sequence (analyze.py)."""

    statement: Statement
    kind: str
    lock: LockMode | None
    blocks: Blocks
    work: Work
    tables: tuple[str, ...]
    hits: list[Hit] = field(default_factory=list)
    transactional: bool = True  # may run inside a transaction block
    may_commit: bool = False  # a CALL of an unknown procedure: not transactional, maybe
    constant: bool = False  # work that does not grow with any table (bookkeeping.py)
    in_transaction: bool = False  # set by analyze: runs inside a (wrapping) transaction
    held_lock: LockMode | None = None  # strongest lock already held when it starts
    new_tables: frozenset[str] = frozenset()  # tables created earlier in its transaction
    introduced: frozenset[str] = frozenset()  # its names the migration created earlier
    # its names of tables the migration renamed earlier -> their name on staging
    origins: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    search_path: str | None = None  # set by analyze: the migration's search_path (None: default)
    # tables locked in another mode than `lock` (the table a foreign key references:
    # SHARE ROW EXCLUSIVE while the altered table may be ACCESS EXCLUSIVE)
    table_locks: dict[str, LockMode] = field(default_factory=dict)

    def lock_on(self, table: str) -> LockMode | None:
        """The lock the statement takes on `table`."""
        return self.table_locks.get(table, self.lock)

    def staging_key(self, table: str) -> tuple[str, str | None]:
        """How staging names `table` today: the name before the migration renamed it
        (and the search_path it was written under), else the name as written here."""
        return self.origins.get(table, (table, self.search_path))

    @property
    def effective_blocks(self) -> Blocks:
        held = self.held_lock.blocks if self.held_lock else Blocks.NOTHING
        return max(self.blocks, held)
