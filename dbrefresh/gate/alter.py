"""ALTER TABLE, one subcommand at a time: lock, work and rule hits (pure, no I/O).

One ALTER TABLE takes the strongest lock of its subcommands for all of them, and does the
heaviest work of them (PostgreSQL 15 semantics, AlterTableGetLockLevel in tablecmds.c).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import AlterTableType, ConstrType, ObjectType

from dbrefresh.gate.model import Hit, LockMode, Work, heavier
from dbrefresh.gate.schema import (
    Knowledge,
    is_null,
    names,
    not_null_check_column,
    relname,
    type_label,
    walk,
)
from dbrefresh.gate.typechange import rewrites
from dbrefresh.gate.words import subcommand_words

AEL = LockMode.ACCESS_EXCLUSIVE
SUE = LockMode.SHARE_UPDATE_EXCLUSIVE
SRE = LockMode.SHARE_ROW_EXCLUSIVE

NOT_NULL_NO_DEFAULT = "add-column-not-null-without-default"
_KEYS = {ConstrType.CONSTR_PRIMARY: "PRIMARY KEY", ConstrType.CONSTR_UNIQUE: "UNIQUE"}
_SERIAL = {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}
_VOLATILE = {
    "random",
    "random_normal",
    "nextval",
    "setval",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "txid_current",
    "pg_current_xact_id",
}
_NOT_VOLATILE = {
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "lower",
    "upper",
    "length",
    "concat",
    "concat_ws",
    "to_char",
    "to_timestamp",
    "to_date",
    "date_trunc",
    "make_date",
    "make_interval",
    "make_timestamp",
    "make_timestamptz",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "array_to_string",
    "md5",
    "substring",
    "substr",
    "trim",
    "btrim",
    "abs",
    "round",
    "floor",
    "ceil",
    "timezone",
    "to_jsonb",
    "to_json",
    "jsonb_object",
    "replace",
}
_METADATA_SUE = {
    AlterTableType.AT_SetStatistics,
    AlterTableType.AT_SetOptions,
    AlterTableType.AT_ResetOptions,
    AlterTableType.AT_ClusterOn,
    AlterTableType.AT_DropCluster,
    AlterTableType.AT_SetRelOptions,
    AlterTableType.AT_ResetRelOptions,
    AlterTableType.AT_ReplaceRelOptions,
    AlterTableType.AT_DetachPartitionFinalize,
}
_METADATA_SRE = {
    AlterTableType.AT_EnableTrig,
    AlterTableType.AT_EnableAlwaysTrig,
    AlterTableType.AT_EnableReplicaTrig,
    AlterTableType.AT_DisableTrig,
    AlterTableType.AT_EnableTrigAll,
    AlterTableType.AT_DisableTrigAll,
    AlterTableType.AT_EnableTrigUser,
    AlterTableType.AT_DisableTrigUser,
}
_REWRITES = {
    AlterTableType.AT_SetLogged,
    AlterTableType.AT_SetUnLogged,
    AlterTableType.AT_SetAccessMethod,
    AlterTableType.AT_SetTableSpace,
    AlterTableType.AT_SetExpression,
}


@dataclass
class AlterEffect:
    lock: LockMode = SUE
    work: Work = Work.METADATA
    tables: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    transactional: bool = True
    validates: bool = False
    # other tables than the altered one, locked in their own mode (a referenced table)
    table_locks: dict[str, LockMode] = field(default_factory=dict)

    def take(self, lock: LockMode, work: Work = Work.METADATA) -> None:
        self.lock = max(self.lock, lock)
        self.work = heavier(self.work, work)

    def hit(self, rule: str, detail: str, *tables: str, why: str = "") -> None:
        self.hits.append(Hit(rule, detail, tables, why=why))

    def reference(self, ref: str) -> None:
        """A foreign key's referenced table: SHARE ROW EXCLUSIVE there, whatever the
        altered table gets (its own lock, when the key references it)."""
        self.tables.append(ref)
        if ref != self.tables[0]:
            self.table_locks[ref] = max(self.table_locks.get(ref, SRE), SRE)


def default_functions(expr: Any) -> list[str]:
    """Names of the functions an expression calls."""
    return [names(n.funcname)[-1].lower() for n in walk(expr) if isinstance(n, ast.FuncCall)]


def volatile_call(expr: Any, known: Knowledge | None = None) -> str | None:
    """The name of a (probably) volatile function called in expr, if any.

    The staging catalog's provolatile decides when known; else known stable/immutable
    functions are fine and an unknown function is assumed volatile, like PostgreSQL's own
    default for CREATE FUNCTION.
    """
    volatility = known.volatility if known is not None else {}
    for name in default_functions(expr):
        if name in volatility:
            if volatility[name] == "v":
                return name
        elif name in _VOLATILE or name not in _NOT_VOLATILE:
            return name
    return None


def classify_alter(node: Any, known: Knowledge) -> AlterEffect:
    table = relname(node.relation)
    effect = AlterEffect(tables=[table])
    if node.objtype == ObjectType.OBJECT_INDEX:
        for cmd in node.cmds or ():
            if cmd.subtype == AlterTableType.AT_SetTableSpace:
                effect.take(AEL, Work.REWRITE)
                effect.hit("table-rewrite", f"SET TABLESPACE copies index {table}")
            else:
                effect.take(SUE)
        return effect
    for cmd in node.cmds or ():
        _subcommand(cmd, table, known, effect)
    if effect.validates and effect.lock > SUE:
        effect.hit(
            "validate-under-strong-lock",
            f"VALIDATE CONSTRAINT on {table} runs under {effect.lock.sql_name}",
            table,
        )
    return effect


def _subcommand(cmd: Any, table: str, known: Knowledge, effect: AlterEffect) -> None:
    sub = cmd.subtype
    column = str(cmd.name) if cmd.name else ""
    if sub == AlterTableType.AT_AddColumn:
        _add_column(cmd.def_, table, known, effect)
    elif sub in (AlterTableType.AT_AddConstraint, AlterTableType.AT_AddIndex):
        _add_constraint(cmd.def_, table, known, effect)
    elif sub == AlterTableType.AT_SetNotNull:
        if known.is_not_null(table, column):
            effect.take(AEL)
        else:
            effect.take(AEL, Work.SCAN)
            effect.hit("set-not-null-scans", f"SET NOT NULL on {table}.{column}", table)
    elif sub == AlterTableType.AT_AlterColumnType:
        source = known.column_types.get((table, column))
        if cmd.def_.raw_default is None and not rewrites(source, type_label(cmd.def_.typeName)):
            effect.take(AEL)
            rebuilt = known.rebuilt_by_type_change(table, column)
            if cmd.def_.collClause is not None:
                _collation_change(table, column, known, effect, rebuilt)
            elif rebuilt:
                effect.take(AEL, Work.INDEX_BUILD)
                effect.hit(
                    "type-change-rebuilds-index",
                    f"{table}.{column} TYPE {type_label(cmd.def_.typeName)}: rebuilds "
                    f"{', '.join(rebuilt)} (an expression or predicate uses the column)",
                    table,
                )
        else:
            target = names(cmd.def_.typeName.names)[-1]
            effect.take(AEL, Work.REWRITE)
            effect.hit("column-type-rewrite", f"{table}.{column} TYPE {target}", table)
    elif sub == AlterTableType.AT_ValidateConstraint:
        effect.take(SUE, Work.SCAN)
        effect.validates = True
    elif sub == AlterTableType.AT_DropColumn:
        effect.take(AEL)
        effect.hit("destructive-change", f"DROP COLUMN {table}.{column}", table)
    elif sub == AlterTableType.AT_AttachPartition:
        _attach(cmd.def_, table, known, effect)
    elif sub == AlterTableType.AT_DetachPartition:
        part = relname(cmd.def_.name)
        effect.tables.append(part)
        if cmd.def_.concurrent:
            effect.take(SUE)
            effect.transactional = False
        else:
            effect.take(AEL)
            effect.hit("detach-partition-blocks", f"DETACH PARTITION {part}", table)
    elif sub in _REWRITES:
        effect.take(AEL, Work.REWRITE)
        effect.hit("table-rewrite", f"ALTER TABLE {table} {subcommand_words(cmd)}", table)
    elif sub in _METADATA_SUE:
        effect.take(SUE)
    elif sub in _METADATA_SRE:
        effect.take(SRE)
    else:
        effect.take(AEL)


def _collation_change(
    table: str, column: str, known: Knowledge, effect: AlterEffect, rebuilt: list[str]
) -> None:
    """A new collation makes the column's indexes incompatible: PostgreSQL drops and
    rebuilds each of them under ACCESS EXCLUSIVE (no table rewrite), as it does those
    whose expression or predicate uses the column (`rebuilt`). Indexes unknown (table
    neither read from staging nor created here) count as present."""
    indexed = [
        name for name, (t, cols, _) in known.indexes.items() if t == table and column in cols
    ]
    indexed += [name for name in rebuilt if name not in indexed]
    if not indexed and (table in known.catalog_tables or table in known.created):
        return
    effect.take(AEL, Work.INDEX_BUILD)
    which = ", ".join(indexed) if indexed else "its indexes (unknown)"
    effect.hit(
        "collation-change-rebuilds-index",
        f"{table}.{column} changes collation: rebuilds {which}",
        table,
    )


def _add_column(col: Any, table: str, known: Knowledge, effect: AlterEffect) -> None:
    effect.take(AEL)
    name = f"{table}.{col.colname}"
    type_names = names(col.typeName.names) if col.typeName else ()
    type_name = type_names[-1] if type_names else ""
    if type_name.lower() in _SERIAL:
        effect.take(AEL, Work.REWRITE)
        effect.hit("add-column-rewrite", f"ADD COLUMN {name} {type_name}", table)
    if known.is_constrained_domain(type_names):
        # tablecmds.c ATExecAddColumn: DomainHasConstraints -> AT_REWRITE_DEFAULT_VAL,
        # with or without a DEFAULT (every row's value must be checked)
        effect.take(AEL, Work.REWRITE)
        effect.hit(
            "add-column-rewrite",
            f"ADD COLUMN {name} of domain {'.'.join(type_names)} with constraints",
            table,
        )
    refused = _refuses_null(col, type_names, known)
    if refused and not _filled(col, type_names, known) and type_name.lower() not in _SERIAL:
        # existing rows would get NULL: "column ... contains null values" unless empty
        effect.hit(NOT_NULL_NO_DEFAULT, f"ADD COLUMN {name} {refused}", table)
    for con in col.constraints or ():
        kind = con.contype
        if kind == ConstrType.CONSTR_IDENTITY:
            effect.take(AEL, Work.REWRITE)
            effect.hit("add-column-rewrite", f"ADD COLUMN {name} GENERATED AS IDENTITY", table)
        elif kind == ConstrType.CONSTR_GENERATED and con.generated_kind != "v":
            # a virtual one (PostgreSQL 18) is computed on read: nothing is written
            effect.take(AEL, Work.REWRITE)
            effect.hit("add-column-rewrite", f"ADD COLUMN {name} GENERATED ... STORED", table)
        elif kind == ConstrType.CONSTR_DEFAULT:
            func = volatile_call(con.raw_expr, known)
            if func:
                effect.take(AEL, Work.REWRITE)
                effect.hit(
                    "add-column-rewrite", f"ADD COLUMN {name} DEFAULT {func}(...) (volatile)", table
                )
        elif kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            effect.take(AEL, Work.INDEX_BUILD)
            effect.hit("unique-constraint-builds-index", f"ADD COLUMN {name} {_KEYS[kind]}", table)
        elif kind == ConstrType.CONSTR_CHECK and not con.skip_validation:
            effect.take(AEL, Work.SCAN)
            effect.hit("add-check-validates", f"ADD COLUMN {name} CHECK", table)
        elif kind == ConstrType.CONSTR_FOREIGN:
            ref = relname(con.pktable)
            effect.reference(ref)
            filled = _written_value(list(col.constraints or ()))
            # PostgreSQL (transformAlterTableStmt) skips the validation of a new column
            # without a DEFAULT or generated value: every row holds NULL, nothing to check
            if filled and table not in known.created:
                effect.take(AEL, Work.SCAN)
                effect.hit(
                    "add-foreign-key-validates",
                    f"ADD COLUMN {name} REFERENCES {ref} with a {filled}",
                    table,
                    ref,
                    why=f"the {filled} fills every row, so PostgreSQL scans {table} to "
                    f"validate the key while holding ACCESS EXCLUSIVE on it (reads and writes "
                    f"stop) and SHARE ROW EXCLUSIVE on {ref} (writes stop); without a DEFAULT "
                    "the new column holds only NULL and is not scanned",
                )


def _refuses_null(col: Any, type_names: tuple[str, ...], known: Knowledge) -> str:
    """Why the new column cannot hold NULL ('' when it can): NOT NULL, PRIMARY KEY, a
    domain refusing NULL, or a CHECK (col IS NOT NULL) validated as it is added."""
    cons = list(col.constraints or ())
    if any(c.contype in (ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY) for c in cons):
        return "NOT NULL" + (" with DEFAULT NULL" if _default_null(cons) else " without a DEFAULT")
    if known.refuses_null(type_names):
        return f"of NOT NULL domain {'.'.join(type_names)} without a DEFAULT"
    checked = any(
        c.contype == ConstrType.CONSTR_CHECK
        and not c.skip_validation
        and not_null_check_column(c.raw_expr) == str(col.colname)
        for c in cons
    )
    return f"CHECK ({col.colname} IS NOT NULL) without a DEFAULT" if checked else ""


def _written_value(cons: list[Any]) -> str:
    """'DEFAULT' or 'GENERATED value' when the column definition gives existing rows a
    value PostgreSQL must check against a foreign key (even DEFAULT NULL counts: the
    raw default is there), '' when they all get NULL."""
    kinds = {c.contype for c in cons}
    if ConstrType.CONSTR_GENERATED in kinds:
        return "GENERATED value"
    return "DEFAULT" if ConstrType.CONSTR_DEFAULT in kinds else ""


def _default_null(cons: list[Any]) -> bool:
    return any(c.contype == ConstrType.CONSTR_DEFAULT and is_null(c.raw_expr) for c in cons)


def _filled(col: Any, type_names: tuple[str, ...], known: Knowledge) -> bool:
    """Existing rows get a value: a DEFAULT (not NULL), identity, generated, or the
    domain's DEFAULT when the column has none."""
    cons = list(col.constraints or ())
    kinds = {c.contype for c in cons}
    if kinds & {ConstrType.CONSTR_IDENTITY, ConstrType.CONSTR_GENERATED}:
        return True
    if ConstrType.CONSTR_DEFAULT in kinds:
        return not _default_null(cons)
    return known.has_domain_default(type_names)


def _add_constraint(con: Any, table: str, known: Knowledge, effect: AlterEffect) -> None:
    kind = con.contype
    label = f"{table}.{con.conname}" if con.conname else table
    if kind == ConstrType.CONSTR_FOREIGN:
        ref = relname(con.pktable)
        effect.reference(ref)
        if con.skip_validation or table in known.created:
            # validating scans the referencing table only: one the migration created is
            # empty (the referenced one is locked SHARE ROW EXCLUSIVE, briefly)
            effect.take(SRE)
        else:
            effect.take(SRE, Work.SCAN)
            effect.hit("add-foreign-key-validates", f"ADD FOREIGN KEY {label} -> {ref}", table, ref)
    elif kind == ConstrType.CONSTR_CHECK:
        if con.skip_validation:
            effect.take(AEL)
        else:
            effect.take(AEL, Work.SCAN)
            effect.hit("add-check-validates", f"ADD CHECK {label}", table)
    elif kind in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
        if con.indexname:
            effect.take(AEL)
            cols = known.index_columns(str(con.indexname))
            nullable = [c for c in cols if not known.is_not_null(table, c)]
            if kind == ConstrType.CONSTR_PRIMARY and (nullable or not cols):
                effect.take(AEL, Work.SCAN)
                which = ", ".join(nullable) if nullable else "columns of unknown nullability"
                effect.hit(
                    "primary-key-sets-not-null",
                    f"PRIMARY KEY USING INDEX {con.indexname} sets NOT NULL on {which}",
                    table,
                )
        else:
            effect.take(AEL, Work.INDEX_BUILD)
            effect.hit(
                "unique-constraint-builds-index",
                f"ADD {_KEYS[kind]} {label} ({', '.join(names(con.keys))})",
                table,
            )
    elif kind == ConstrType.CONSTR_EXCLUSION:
        effect.take(AEL, Work.INDEX_BUILD)
        effect.hit("exclusion-constraint-builds-index", f"ADD EXCLUDE {label}", table)
    elif kind == ConstrType.CONSTR_NOTNULL and con.skip_validation:
        effect.take(AEL)  # NOT VALID (PostgreSQL 18): no scan until VALIDATE
    elif kind == ConstrType.CONSTR_NOTNULL:
        effect.take(AEL, Work.SCAN)
        effect.hit("set-not-null-scans", f"ADD NOT NULL {label}", table)
    else:
        effect.take(AEL)


def _attach(cmd: Any, table: str, known: Knowledge, effect: AlterEffect) -> None:
    part = relname(cmd.name)
    effect.tables.append(part)
    if part in known.validated_check_tables:
        effect.take(AEL)  # a validated CHECK (assumed to match the bound) skips the scan
    else:
        effect.take(AEL, Work.SCAN)
        effect.hit("attach-partition-scans", f"ATTACH PARTITION {part} to {table}", part)
