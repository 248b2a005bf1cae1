"""The statement sequence: transactions, lock_timeout, locks already held, what the
migration itself created. Turns per-statement classifications into the migration's hits.

How scripts run (the migration tool's wrapping, `wrap`):
- "script" (default, like Flyway/Alembic/Rails): each script in one transaction, unless it
  holds a statement that cannot run in one (CREATE INDEX CONCURRENTLY, VACUUM, ...) or its
  own BEGIN/COMMIT: then statements run as written, outside BEGIN..COMMIT in autocommit;
- "none": every statement in autocommit, as plain psql runs a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pglast import ast
from pglast.enums.parsenodes import AlterTableType, TransactionStmtKind

from dbrefresh.gate import overloads
from dbrefresh.gate.classify import classify
from dbrefresh.gate.mixed import mixed_scripts
from dbrefresh.gate.model import Classified, Hit, LockMode, Script, Work
from dbrefresh.gate.relations import Relations, find, qualified
from dbrefresh.gate.rules import is_suppressed
from dbrefresh.gate.schema import Knowledge, names, relname
from dbrefresh.gate.session import setting, timeout_is_set
from dbrefresh.gate.txcontrol import learn_procedures

Wrap = Literal["script", "none"]
Mode = Literal["transaction", "autocommit", "explicit"]

_BEGIN = {TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START}
_END = {
    TransactionStmtKind.TRANS_STMT_COMMIT,
    TransactionStmtKind.TRANS_STMT_ROLLBACK,
    TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
    TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED,
    TransactionStmtKind.TRANS_STMT_PREPARE,
}


@dataclass
class Analysis:
    """Every statement classified in context, and how each script runs."""

    scripts: list[Script]
    statements: list[Classified]
    modes: list[Mode]
    knowledge: Knowledge


@dataclass
class _Tx:
    """State of the transaction being analysed."""

    active: bool = False
    created: set[str] = field(default_factory=set)  # qualified names (relations.py)
    held: LockMode | None = None
    local_timeout: bool | None = None  # SET LOCAL lock_timeout: set (True) or 0 (False)
    local_path: str | None = None  # SET LOCAL search_path, until the transaction ends
    not_valid: set[tuple[str, str]] = field(default_factory=set)
    alters: Counter[str] = field(default_factory=Counter)


def script_mode(script: Script, wrap: Wrap, known: Knowledge | None = None) -> Mode:
    """`known`: which procedures COMMIT (a CALL of one cannot run in a transaction)."""
    nodes = [s.node for s in script.statements]
    if any(isinstance(n, ast.TransactionStmt) for n in nodes):
        return "explicit"
    if script.wrapped is not None:  # the file says how its tool runs it (Liquibase)
        return "transaction" if script.wrapped else "autocommit"
    if wrap == "none":
        return "autocommit"
    if any(not classify(s, known).transactional for s in script.statements):
        return "autocommit"
    return "transaction"


def analyze(
    scripts: Sequence[Script],
    *,
    wrap: Wrap = "script",
    known: Knowledge | None = None,
    start_path: str | None = None,
    start_timeout: bool = False,
) -> Analysis:
    """`start_path`: the search_path a new session of staging gets (its database's or
    role's setting, staging_session.py); None: PostgreSQL's default. The migration's own
    SET search_path wins from that statement on, and RESET returns to it. `start_timeout`
    likewise: whether that session already has a lock_timeout (timeout_source.py)."""
    known = known if known is not None else Knowledge()
    result = Analysis(list(scripts), [], [], known)
    session_timeout = start_timeout
    session_path = start_path
    relations = Relations()  # what the migration itself creates or renames, so far
    learn_procedures((s.node for script in scripts for s in script.statements), known)
    for script in scripts:
        mode = script_mode(script, wrap, known)
        result.modes.append(mode)
        tx = _Tx(active=mode == "transaction")
        reported = [False]  # missing-lock-timeout: once per script
        for stmt in script.statements:
            node: Any = stmt.node
            if isinstance(node, ast.TransactionStmt):
                if node.kind in _BEGIN:
                    tx = _Tx(active=True)
                elif node.kind in _END:
                    tx = _Tx()
            timeout = setting(node, "lock_timeout")
            if timeout is not None:
                # RESET / DEFAULT: back to the value the session started with
                value = start_timeout if timeout.value is None else timeout_is_set(timeout.value)
                if timeout.is_local:  # outside a transaction block it has no effect
                    tx.local_timeout = value if tx.active else None
                else:  # a later SET replaces a SET LOCAL for the rest of the transaction
                    session_timeout, tx.local_timeout = value, None
            path = setting(node, "search_path")
            if path is not None:
                chosen = start_path if path.value is None else path.value  # RESET, DEFAULT
                if path.is_local:
                    tx.local_path = chosen if tx.active else None
                else:
                    session_path, tx.local_path = chosen, None
            c = classify(stmt, known, tx.local_path or session_path)
            if timeout is not None or path is not None:
                c.hits = []  # a set_config() call is understood, not opaque
            c.search_path = tx.local_path or session_path
            c.introduced, c.origins = relations.snapshot(
                [*c.tables, *(t for h in c.hits for t in h.tables)], c.search_path
            )
            # SET LOCAL wins over the session's value until its transaction ends
            timeout_set = session_timeout if tx.local_timeout is None else tx.local_timeout
            _sequence_rules(c, tx, timeout_set, reported)
            if tx.active and not c.transactional and not c.may_commit:
                c.hits.append(_refused(c, script, mode))
            c.in_transaction = tx.active
            c.hits = [h for h in c.hits if not is_suppressed(h.rule, stmt.suppressed)]
            result.statements.append(c)
            known.learn(node, stmt.index)
            if isinstance(node, ast.CreateFunctionStmt):  # calls.py: the application's
                *schema, name = names(node.funcname)
                created = ".".join([*schema[-1:], name.lower()])
                key = qualified(created, c.search_path)
                own = overloads.created(node, key.rpartition(".")[0])
                known.created_functions.setdefault(key, []).append(own)
            _track(node, c.search_path, relations, tx, known)
            if not tx.active:
                tx = _Tx()
    _foreign_keys_without_index(result)
    declared = {(s.file, s.name) for s in scripts if s.wrapped is not None}
    mixed_scripts(result.statements, wrap, declared)
    return result


def _refused(c: Classified, script: Script, mode: Mode) -> Hit:
    """cannot-run-in-transaction: in the migration's own BEGIN, or in the transaction the
    tool runs a Liquibase changeset in."""
    detail = f"{c.kind} cannot run inside a transaction block" + (
        " (it COMMITs inside)" if c.kind in ("DO", "CALL") else ""
    )
    why = ""
    if script.wrapped and mode == "transaction":
        why = (
            f"Liquibase runs {script.name} in a transaction, where PostgreSQL refuses it "
            "(the deploy fails here); give the changeset `runInTransaction:false`"
        )
    return Hit("cannot-run-in-transaction", detail, tuple(c.tables), why=why)


def _track(node: Any, path: str | None, relations: Relations, tx: _Tx, known: Knowledge) -> None:
    """Remember the relations a statement brings into being (on staging they do not exist
    yet) and the ones it renames (they keep their staging table's size)."""
    if isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt) and not known.creates(node):
        return  # IF NOT EXISTS on a table that is (or may be) there: nothing new
    for name in _creates(node):
        relations.create(name, path)
        if isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt):
            tx.created.add(qualified(name, path))
    if isinstance(node, ast.RenameStmt) and node.relation is not None and not node.subname:
        old = relname(node.relation)
        new = relations.rename(old, path, name=str(node.newname))
    elif isinstance(node, ast.AlterObjectSchemaStmt) and node.relation is not None:
        old = relname(node.relation)
        new = relations.rename(old, path, schema=str(node.newschema))
    else:
        return
    was = find(old, path, tx.created)
    if was is not None:
        tx.created.discard(was)
        tx.created.add(new)


def _creates(node: Any) -> list[str]:
    if isinstance(node, ast.CreateStmt):
        return [relname(node.relation)]
    if isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
        return [relname(node.into.rel)]
    if isinstance(node, ast.ViewStmt):
        return [relname(node.view)]
    if isinstance(node, ast.IndexStmt) and node.idxname:
        schema = node.relation.schemaname if node.relation is not None else None
        return [f"{schema}.{node.idxname}" if schema else str(node.idxname)]
    return []


def _sequence_rules(c: Classified, tx: _Tx, timeout_set: bool, reported: list[bool]) -> None:
    node: Any = c.statement.node
    path = c.search_path
    existing = [t for t in c.tables if find(t, path, tx.created) is None]
    c.new_tables = frozenset(t for t in c.tables if t not in existing)
    if c.tables and not existing:
        # everything it touches was created in this transaction: empty, unseen; but a
        # function it calls may touch anything
        c.hits = [h for h in c.hits if h.rule == "opaque-statement"]
        return
    c.hits = [
        h
        for h in c.hits
        if not h.tables or any(find(t, path, tx.created) is None for t in h.tables)
    ]
    if c.lock is not None and c.lock >= LockMode.SHARE and not timeout_set:
        if not reported[0]:
            c.hits.append(
                Hit(
                    "missing-lock-timeout",
                    f"{c.kind} takes {_locks_text(c, existing)} with no lock_timeout set",
                    tuple(existing),
                )
            )
        reported[0] = True
    c.held_lock = tx.held
    if tx.held is LockMode.ACCESS_EXCLUSIVE and c.work is not Work.METADATA and not c.constant:
        c.hits.append(
            Hit(
                "statement-while-locked",
                f"{c.kind} runs while ACCESS EXCLUSIVE is held",
                tuple(existing),
            )
        )
    if isinstance(node, ast.AlterTableStmt) and tx.active:
        _alter_sequence(c, node, tx, existing)
    if tx.active and c.lock is not None and existing:
        tx.held = max(tx.held or c.lock, c.lock)


def _locks_text(c: Classified, tables: list[str]) -> str:
    """'ACCESS EXCLUSIVE on orders and SHARE ROW EXCLUSIVE on accounts': each table
    with its own lock, strongest first."""
    by_mode: dict[LockMode, list[str]] = {}
    for table in tables:
        by_mode.setdefault(c.lock_on(table) or LockMode.ACCESS_SHARE, []).append(table)
    parts = sorted(by_mode.items(), key=lambda item: -item[0])
    return " and ".join(f"{mode.sql_name} on {', '.join(names)}" for mode, names in parts)


def _alter_sequence(c: Classified, node: Any, tx: _Tx, existing: list[str]) -> None:
    table = relname(node.relation)
    tx.alters[table] += 1
    if tx.alters[table] == 2:
        c.hits.append(
            Hit(
                "multiple-alter-table",
                f"{table} is altered again in the same transaction",
                (table,),
            )
        )
    for cmd in node.cmds or ():
        con = cmd.def_
        if (
            cmd.subtype == AlterTableType.AT_AddConstraint
            and isinstance(con, ast.Constraint)
            and con.skip_validation
            and con.conname
        ):
            tx.not_valid.add((table, str(con.conname)))
        if (
            cmd.subtype == AlterTableType.AT_ValidateConstraint
            and (table, cmd.name) in tx.not_valid
        ):
            c.hits.append(
                Hit(
                    "validate-in-same-transaction",
                    f"{cmd.name} is validated in the transaction that added it",
                    (table,),
                )
            )


def _foreign_keys_without_index(result: Analysis) -> None:
    """FKs declared by the migration on tables whose indexes are known (created here, or
    read from the catalog) and not covered by a non-partial index on their columns."""
    known = result.knowledge
    by_index = {c.statement.index: c for c in result.statements}
    for table, cols, index in known.foreign_keys:
        if not cols or (table not in known.created and table not in known.catalog_tables):
            continue
        if known.has_index_on(table, cols):
            continue
        c = by_index[index]
        hit = Hit("fk-without-index", f"{table} ({', '.join(cols)}) has no index", (table,))
        if not is_suppressed(hit.rule, c.statement.suppressed):
            c.hits.append(hit)
