"""One statement's AST -> the lock it takes, what it blocks, the work it does, rule hits.

Pure: no I/O. Context-free except for `Knowledge` (what earlier statements, or the staging
catalog, established). Sequence rules (transactions, lock_timeout, tables created in the
same transaction) live in analyze.py.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums.nodes import CmdType
from pglast.enums.parsenodes import ObjectType

from dbrefresh.gate.alter import classify_alter
from dbrefresh.gate.bookkeeping import constant_work
from dbrefresh.gate.calls import opaque_calls
from dbrefresh.gate.model import Blocks, Classified, Hit, LockMode, Statement, Work
from dbrefresh.gate.schema import Knowledge, names, relname, walk
from dbrefresh.gate.txcontrol import call_commits, do_commits
from dbrefresh.gate.versions import newer_syntax
from dbrefresh.gate.words import command_words, object_words

_NO_TX = (
    ast.CreatedbStmt,
    ast.DropdbStmt,
    ast.AlterSystemStmt,
    ast.CreateTableSpaceStmt,
    ast.DropTableSpaceStmt,
)
_DESTRUCTIVE_DROPS = {
    ObjectType.OBJECT_TABLE,
    ObjectType.OBJECT_MATVIEW,
    ObjectType.OBJECT_VIEW,
    ObjectType.OBJECT_SCHEMA,
}
_RENAMES_BREAKING = {
    ObjectType.OBJECT_TABLE,
    ObjectType.OBJECT_COLUMN,
    ObjectType.OBJECT_VIEW,
    ObjectType.OBJECT_MATVIEW,
    ObjectType.OBJECT_SCHEMA,
}
_RELATION_RENAMES = _RENAMES_BREAKING | {
    ObjectType.OBJECT_TABCONSTRAINT,
    ObjectType.OBJECT_TRIGGER,
    ObjectType.OBJECT_RULE,
}


def _result(
    stmt: Statement,
    kind: str,
    lock: LockMode | None,
    work: Work = Work.METADATA,
    tables: tuple[str, ...] | list[str] = (),
    hits: list[Hit] | None = None,
    blocks: Blocks | None = None,
    transactional: bool = True,
    table_locks: dict[str, LockMode] | None = None,
) -> Classified:
    return Classified(
        statement=stmt,
        kind=kind,
        lock=lock,
        blocks=blocks if blocks is not None else (lock.blocks if lock else Blocks.NOTHING),
        work=work,
        tables=tuple(dict.fromkeys(tables)),
        hits=hits or [],
        transactional=transactional,
        table_locks=table_locks or {},
    )


def _options(params: Any) -> set[str]:
    return {str(p.defname).lower() for p in params or () if isinstance(p, ast.DefElem)}


def _relations(node: Any) -> list[str]:
    return [relname(n) for n in walk(node) if isinstance(n, ast.RangeVar)]


def classify(
    stmt: Statement, known: Knowledge | None = None, search_path: str | None = None
) -> Classified:
    """Classify one statement (PostgreSQL 15 lock semantics); `search_path` (in force for
    it) decides which function each call means."""
    known = known if known is not None else Knowledge()
    node: Any = stmt.node
    handler = _HANDLERS.get(type(node))
    if handler is not None:
        result: Classified = handler(stmt, node, known)
    elif isinstance(node, _NO_TX):
        result = _result(stmt, _kind(node), None, transactional=False)
    else:
        result = _result(stmt, _kind(node), None)
    result.hits += newer_syntax(node, known.server_version)
    if constant_work(node):  # a bookkeeping write, constant rows: no big data change
        result.constant = True
        result.hits = [h for h in result.hits if h.rule != "unbatched-data-change"]
    calls = opaque_calls(node, known, search_path)
    if calls and not any(h.rule == "opaque-statement" for h in result.hits):
        result.hits.append(
            Hit("opaque-statement", f"{result.kind} calls {', '.join(f + '()' for f in calls)}")
        )
    return result


def _kind(node: Any) -> str:
    return command_words(node)


def _alter_table(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    effect = classify_alter(node, known)
    return _result(
        stmt,
        "ALTER " + object_words(node.objtype),
        effect.lock,
        effect.work,
        effect.tables,
        effect.hits,
        transactional=effect.transactional,
        table_locks=effect.table_locks,
    )


def _index(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    table = relname(node.relation)
    kind = "CREATE UNIQUE INDEX" if node.unique else "CREATE INDEX"
    if node.concurrent:
        refused = []
        if table in known.partitioned:  # staging's catalog, or the migration's PARTITION BY
            name = f"{kind} CONCURRENTLY {node.idxname or ''} ON {table}".replace("  ", " ")
            detail = f"{name}: {table} is a partitioned table"
            refused.append(Hit("concurrent-index-on-partitioned", detail, (table,)))
        return _result(
            stmt,
            kind + " CONCURRENTLY",
            LockMode.SHARE_UPDATE_EXCLUSIVE,
            Work.INDEX_BUILD,
            [table],
            refused,
            transactional=False,
        )
    if not node.relation.inh and known.builds_nothing(table):
        # ON ONLY a partitioned table: an invalid index on the parent alone, no build
        return _result(stmt, kind + " ON ONLY", LockMode.SHARE, Work.METADATA, [table])
    hit = Hit(
        "index-blocks-writes",
        f"{kind} {node.idxname or ''} ON {table}".replace("  ", " "),
        (table,),
    )
    return _result(stmt, kind, LockMode.SHARE, Work.INDEX_BUILD, [table], [hit])


def _reindex(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    target = relname(node.relation) if node.relation else str(node.name or "")
    table = known.indexes[target][0] if target in known.indexes else target
    if "concurrently" in _options(node.params):
        return _result(
            stmt,
            "REINDEX CONCURRENTLY",
            LockMode.SHARE_UPDATE_EXCLUSIVE,
            Work.INDEX_BUILD,
            [table] if table else [],
            transactional=False,
        )
    hit = Hit("reindex-blocks", f"REINDEX {target}", (table,))
    # SHARE on the table, ACCESS EXCLUSIVE on its indexes: planning any query waits
    return _result(
        stmt,
        "REINDEX",
        LockMode.ACCESS_EXCLUSIVE,
        Work.INDEX_BUILD,
        [table] if table else [],
        [hit],
    )


def _drop(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    objects = [
        ".".join(names(o))
        if isinstance(o, tuple | list)
        else names([o])[0]
        if isinstance(o, ast.String)
        else ""
        for o in node.objects or ()
    ]
    kind = "DROP " + object_words(node.removeType)
    if node.removeType == ObjectType.OBJECT_INDEX:
        tables = [known.indexes[o][0] if o in known.indexes else o for o in objects]
        if node.concurrent:
            return _result(
                stmt,
                kind + " CONCURRENTLY",
                LockMode.SHARE_UPDATE_EXCLUSIVE,
                tables=tables,
                transactional=False,
            )
        hits = [Hit("drop-index-blocks", f"DROP INDEX {', '.join(objects)}", tuple(tables))]
        return _result(stmt, kind, LockMode.ACCESS_EXCLUSIVE, tables=tables, hits=hits)
    if node.removeType in _DESTRUCTIVE_DROPS:
        hits = [Hit("destructive-change", f"{kind} {', '.join(objects)}", tuple(objects))]
        return _result(stmt, kind, LockMode.ACCESS_EXCLUSIVE, tables=objects, hits=hits)
    return _result(stmt, kind, None)


def _rename(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    target = node.renameType
    table = relname(node.relation) if node.relation else ""
    kind = "RENAME " + object_words(target)
    if target == ObjectType.OBJECT_INDEX:
        return _result(stmt, kind, LockMode.SHARE_UPDATE_EXCLUSIVE, tables=[table])
    if target in _RELATION_RENAMES and table:
        hits = []
        if target in _RENAMES_BREAKING:
            old = f"{table}.{node.subname}" if node.subname else table
            hits.append(Hit("rename-breaks-clients", f"{kind} {old} -> {node.newname}", (table,)))
        return _result(stmt, kind, LockMode.ACCESS_EXCLUSIVE, tables=[table], hits=hits)
    return _result(stmt, kind, None)


def _set_schema(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    if node.relation is None or node.objectType not in _RENAMES_BREAKING:
        return _result(stmt, "ALTER SET SCHEMA", None)
    table = relname(node.relation)
    hit = Hit("rename-breaks-clients", f"SET SCHEMA {table} -> {node.newschema}", (table,))
    return _result(stmt, "ALTER SET SCHEMA", LockMode.ACCESS_EXCLUSIVE, tables=[table], hits=[hit])


def _update_delete(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    table = relname(node.relation)
    kind = "UPDATE" if isinstance(node, ast.UpdateStmt) else "DELETE"
    batched = node.whereClause is not None
    # with a WHERE the statement counts only when EXPLAIN says it touches many rows
    detail = f"{kind} {table}" + (" (rows estimated by EXPLAIN)" if batched else " without WHERE")
    if not batched:
        detail += ": changes every row"
    hit = Hit("unbatched-data-change", detail, (table,), needs_size=batched)
    return _result(
        stmt, kind, LockMode.ROW_EXCLUSIVE, Work.DATA_CHANGE, [table], [hit], blocks=Blocks.WRITES
    )


def _merge(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    """MERGE changes rows like UPDATE/DELETE (its ON condition selects them, so EXPLAIN's
    estimate or the trace's count decides); one that only inserts is weighed like
    INSERT ... SELECT (not at all)."""
    table = relname(node.relation)
    changes = any(
        w.commandType in (CmdType.CMD_UPDATE, CmdType.CMD_DELETE)
        for w in node.mergeWhenClauses or ()
    )
    hits = []
    if changes:
        hits.append(
            Hit(
                "unbatched-data-change",
                f"MERGE {table} (rows estimated by EXPLAIN)",
                (table,),
                True,
            )
        )
    return _result(
        stmt, "MERGE", LockMode.ROW_EXCLUSIVE, Work.DATA_CHANGE, [table], hits, blocks=Blocks.WRITES
    )


def _insert(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    return _result(
        stmt, "INSERT", LockMode.ROW_EXCLUSIVE, Work.DATA_CHANGE, [relname(node.relation)]
    )


def _select(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    tables = _relations(node)
    lock = LockMode.ROW_SHARE if node.lockingClause else LockMode.ACCESS_SHARE
    return _result(
        stmt,
        "SELECT",
        lock if tables else None,
        Work.SCAN if tables else Work.METADATA,
        tables,
    )


def _create(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    refs = [
        relname(n.pktable)
        for n in walk(node.tableElts)
        if isinstance(n, ast.Constraint) and n.pktable is not None
    ]
    if node.partbound is not None and node.inhRelations:
        # CREATE TABLE ... PARTITION OF locks the parent ACCESS EXCLUSIVE (ATTACH does not)
        parents = [relname(r) for r in node.inhRelations]
        return _result(
            stmt, "CREATE TABLE PARTITION OF", LockMode.ACCESS_EXCLUSIVE, tables=parents + refs
        )
    lock = LockMode.SHARE_ROW_EXCLUSIVE if refs else None
    return _result(stmt, "CREATE TABLE", lock, tables=refs)


def _create_as(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    sources = _relations(node.query)
    return _result(
        stmt,
        _kind(node),  # CREATE TABLE AS, CREATE MATERIALIZED VIEW
        LockMode.ACCESS_SHARE if sources else None,
        Work.SCAN if sources else Work.METADATA,
        sources,
    )


def _vacuum(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    tables = [relname(r.relation) for r in node.rels or ()]
    if not node.is_vacuumcmd:
        return _result(stmt, "ANALYZE", LockMode.SHARE_UPDATE_EXCLUSIVE, Work.SCAN, tables)
    if "full" in _options(node.options):
        hits = [
            Hit("vacuum-full-rewrite", f"VACUUM FULL {', '.join(tables) or '(all)'}", tuple(tables))
        ]
        return _result(
            stmt,
            "VACUUM FULL",
            LockMode.ACCESS_EXCLUSIVE,
            Work.REWRITE,
            tables,
            hits,
            transactional=False,
        )
    return _result(
        stmt, "VACUUM", LockMode.SHARE_UPDATE_EXCLUSIVE, Work.SCAN, tables, transactional=False
    )


def _cluster(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    tables = [relname(node.relation)] if node.relation else []
    hits = [Hit("cluster-rewrite", f"CLUSTER {', '.join(tables) or '(all)'}", tuple(tables))]
    return _result(stmt, "CLUSTER", LockMode.ACCESS_EXCLUSIVE, Work.REWRITE, tables, hits)


def _refresh(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    view = relname(node.relation)
    if node.concurrent:  # EXCLUSIVE: nothing writes a materialized view, reads continue
        return _result(
            stmt,
            "REFRESH MATERIALIZED VIEW CONCURRENTLY",
            LockMode.EXCLUSIVE,
            Work.REWRITE,
            [view],
            blocks=Blocks.NOTHING,
        )
    hits = [Hit("refresh-matview-blocks", f"REFRESH MATERIALIZED VIEW {view}", (view,))]
    return _result(
        stmt, "REFRESH MATERIALIZED VIEW", LockMode.ACCESS_EXCLUSIVE, Work.REWRITE, [view], hits
    )


def _lock(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    mode = LockMode(node.mode or LockMode.ACCESS_EXCLUSIVE)
    tables = [relname(r) for r in node.relations or ()]
    hits = [
        Hit("explicit-lock", f"LOCK {', '.join(tables)} IN {mode.sql_name} MODE", tuple(tables))
    ]
    return _result(stmt, "LOCK TABLE", mode, tables=tables, hits=hits)


def _truncate(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    tables = [relname(r) for r in node.relations or ()]
    hits = [Hit("destructive-change", f"TRUNCATE {', '.join(tables)}", tuple(tables))]
    return _result(stmt, "TRUNCATE", LockMode.ACCESS_EXCLUSIVE, tables=tables, hits=hits)


def _trigger(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    return _result(
        stmt, "CREATE TRIGGER", LockMode.SHARE_ROW_EXCLUSIVE, tables=[relname(node.relation)]
    )


def _policy(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    return _result(stmt, _kind(node), LockMode.ACCESS_EXCLUSIVE, tables=[relname(node.table)])


def _comment(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    return _result(stmt, "COMMENT", None)


def _opaque(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    if isinstance(node, ast.ExecuteStmt):
        hit = Hit("opaque-statement", f"EXECUTE {node.name} runs a prepared statement")
        return _result(stmt, "EXECUTE", None, hits=[hit])
    if isinstance(node, ast.DoStmt):
        commits: bool | None = do_commits(node)
        detail = "DO block" + (" (it COMMITs inside)" if commits else "")
    else:
        commits = call_commits(node, known)
        name = ".".join(names(node.funccall.funcname)) if node.funccall else "?"
        detail = (
            f"CALL {name}()"
            + {
                True: f" ({name} COMMITs inside)",
                False: "",
                None: f" ({name} unknown: it may COMMIT, so it runs outside a transaction)",
            }[commits]
        )
    # a body that ends transactions cannot run inside one (invalid transaction termination)
    result = _result(
        stmt,
        _kind(node),
        None,
        hits=[Hit("opaque-statement", detail)],
        transactional=commits is False,
    )
    result.may_commit = commits is None
    return result


def _enum(stmt: Statement, node: Any, known: Knowledge) -> Classified:
    return _result(
        stmt, "ALTER TYPE ADD VALUE" if node.newVal and not node.oldVal else "ALTER TYPE", None
    )


_HANDLERS: dict[type, Any] = {
    ast.AlterTableStmt: _alter_table,
    ast.IndexStmt: _index,
    ast.ReindexStmt: _reindex,
    ast.DropStmt: _drop,
    ast.RenameStmt: _rename,
    ast.AlterObjectSchemaStmt: _set_schema,
    ast.UpdateStmt: _update_delete,
    ast.DeleteStmt: _update_delete,
    ast.InsertStmt: _insert,
    ast.MergeStmt: _merge,
    ast.SelectStmt: _select,
    ast.CreateStmt: _create,
    ast.CreateTableAsStmt: _create_as,
    ast.VacuumStmt: _vacuum,
    ast.ClusterStmt: _cluster,
    ast.RefreshMatViewStmt: _refresh,
    ast.LockStmt: _lock,
    ast.TruncateStmt: _truncate,
    ast.CreateTrigStmt: _trigger,
    ast.CreatePolicyStmt: _policy,
    ast.AlterPolicyStmt: _policy,
    ast.CommentStmt: _comment,
    ast.DoStmt: _opaque,
    ast.CallStmt: _opaque,
    ast.ExecuteStmt: _opaque,
    ast.AlterEnumStmt: _enum,
}
