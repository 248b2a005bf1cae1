"""What the gate knows about the schema: learned from the migration, optionally seeded
from the staging catalog (weigh.py). Pure data; classify.py reads it, analyze.py feeds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import AlterTableType, ConstrType

from dbrefresh.gate.overloads import Overload


def relname(rv: Any) -> str:
    """A RangeVar as the migration names it: 'schema.table' or 'table'."""
    if rv is None:
        return "?"
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else str(rv.relname)


def names(items: Any) -> tuple[str, ...]:
    """A list of String nodes (or IndexElems) -> plain names."""
    out: list[str] = []
    for item in items or ():
        if isinstance(item, ast.String):
            out.append(str(item.sval))
        elif isinstance(item, ast.IndexElem) and item.name:
            out.append(str(item.name))
    return tuple(out)


def type_label(type_name: Any) -> str:
    """A TypeName as 'varchar(20)', 'text', 'int8' (length modifiers kept)."""
    base = names(type_name.names)[-1]
    mods = [
        str(m.val.ival)
        for m in type_name.typmods or ()
        if isinstance(m, ast.A_Const) and isinstance(m.val, ast.Integer)
    ]
    return f"{base}({','.join(mods)})" if mods else base


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below (and including) node."""
    if isinstance(node, tuple | list):
        for item in node:
            yield from walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for attr in node:
            yield from walk(getattr(node, attr))


def expression_columns(node: Any) -> frozenset[str] | None:
    """CREATE INDEX with an expression or a predicate: every column it uses (key
    columns, column references in its expressions and WHERE); None for a plain index."""
    params = list(node.indexParams or ())
    if node.whereClause is None and all(p.expr is None for p in params):
        return None
    used = {str(p.name) for p in params if p.name}
    for part in (*(p.expr for p in params), node.whereClause):
        for found in walk(part):
            last = found.fields[-1] if isinstance(found, ast.ColumnRef) and found.fields else None
            if isinstance(last, ast.String):
                used.add(str(last.sval))
    return frozenset(used)


def not_null_check_column(expr: Any) -> str | None:
    """`col IS NOT NULL` -> 'col' (what lets SET NOT NULL skip its scan, PostgreSQL 12+)."""
    if isinstance(expr, ast.NullTest) and getattr(expr.nulltesttype, "name", "") == "IS_NOT_NULL":
        arg = expr.arg
        if isinstance(arg, ast.ColumnRef) and arg.fields:
            last = arg.fields[-1]
            if isinstance(last, ast.String):
                return str(last.sval)
    return None


def is_null(expr: Any) -> bool:
    """`NULL` or `NULL::type` (a DEFAULT NULL fills nothing)."""
    while isinstance(expr, ast.TypeCast):
        expr = expr.arg
    return isinstance(expr, ast.A_Const) and bool(expr.isnull)


def _value_not_null(constraints: Any) -> bool:
    """A domain CHECK (VALUE IS NOT NULL): it refuses NULL like NOT NULL does."""
    return any(
        isinstance(c, ast.Constraint)
        and c.contype == ConstrType.CONSTR_CHECK
        and not_null_check_column(c.raw_expr) == "value"
        for c in constraints
    )


def _domain_keys(type_names: tuple[str, ...]) -> set[str]:
    """A domain is known by 'schema.name' and 'name' (lower case)."""
    return {".".join(type_names).lower(), type_names[-1].lower()} if type_names else set()


@dataclass
class Knowledge:
    """Facts that change how a statement is classified. Keys: (table, column) as written."""

    not_null: set[tuple[str, str]] = field(default_factory=set)
    nullable: set[tuple[str, str]] = field(default_factory=set)
    column_types: dict[tuple[str, str], str] = field(default_factory=dict)
    not_null_checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (t, con)->col
    validated_not_null: set[tuple[str, str]] = field(default_factory=set)
    validated_check_tables: set[str] = field(default_factory=set)
    indexes: dict[str, tuple[str, tuple[str, ...], bool]] = field(default_factory=dict)
    # indexes with an expression or a predicate: name -> (table, every column they use).
    # ALTER COLUMN TYPE rebuilds them even when the table is not rewritten.
    expression_indexes: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    foreign_keys: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    created: set[str] = field(default_factory=set)  # tables the migration creates
    catalog_tables: set[str] = field(default_factory=set)  # tables whose indexes were read
    catalog_read: bool = False  # staging's catalog was read (catalog_tables is complete)
    partitioned: set[str] = field(default_factory=set)  # partitioned tables (relkind 'p')
    volatility: dict[str, str] = field(default_factory=dict)  # function -> pg_proc.provolatile
    # function name -> its overloads on staging (schema, argument count, built in:
    # pg_catalog's or an extension's), for the names found there
    functions: dict[str, list[Overload]] = field(default_factory=dict)
    role: str | None = None  # staging's role: `$user` of a search_path, for calls
    server_version: int | None = None  # staging's (libpq's number, 150004); None: unknown
    # functions the migration creates, 'schema.name' (lower case) -> overloads
    created_functions: dict[str, list[Overload]] = field(default_factory=dict)
    # domains with a CHECK or NOT NULL (their own or a base domain's), 'name' and
    # 'schema.name', lower case: ADD COLUMN of one rewrites the table
    constrained_domains: set[str] = field(default_factory=set)
    # domains refusing NULL (NOT NULL, CHECK (VALUE IS NOT NULL)), and domains with a
    # DEFAULT (a new column of one is filled): their own or a base domain's
    not_null_domains: set[str] = field(default_factory=set)
    defaulted_domains: set[str] = field(default_factory=set)
    # procedure name (lower case) -> (schema, or None for unqualified ones the migration
    # creates; whether its body COMMITs or ROLLBACKs), staging's and the migration's
    procedures: dict[str, set[tuple[str | None, bool]]] = field(default_factory=dict)

    def is_constrained_domain(self, type_names: tuple[str, ...]) -> bool:
        return bool(_domain_keys(type_names) & self.constrained_domains)

    def add_constrained_domain(self, type_names: tuple[str, ...]) -> None:
        self.constrained_domains.update(_domain_keys(type_names))

    def refuses_null(self, type_names: tuple[str, ...]) -> bool:
        return bool(_domain_keys(type_names) & self.not_null_domains)

    def has_domain_default(self, type_names: tuple[str, ...]) -> bool:
        return bool(_domain_keys(type_names) & self.defaulted_domains)

    def index_columns(self, index: str) -> tuple[str, ...]:
        entry = self.indexes.get(index)
        return entry[1] if entry else ()

    def rebuilt_by_type_change(self, table: str, column: str) -> list[str]:
        """Indexes PostgreSQL rebuilds when `column` changes type, even binary-compatibly:
        those with an expression or predicate using it (CheckIndexCompatible never
        reuses such an index); a plain index on the column is kept."""
        return sorted(
            name
            for name, (t, cols) in self.expression_indexes.items()
            if t == table and column in cols
        )

    def has_index_on(self, table: str, columns: tuple[str, ...]) -> bool:
        """A non-partial index whose leading columns are exactly the key's columns."""
        want = set(columns)
        return any(
            t == table and not partial and set(cols[: len(columns)]) == want
            for t, cols, partial in self.indexes.values()
        )

    def creates(self, node: Any) -> bool:
        """Whether CREATE TABLE (AS) makes a new table: with IF NOT EXISTS only when staging's
        catalog was read and lacks it (unread, the table may well exist: nothing new)."""
        if not getattr(node, "if_not_exists", False):
            return True
        rv = node.relation if isinstance(node, ast.CreateStmt) else node.into.rel
        return self.catalog_read and relname(rv) not in self.catalog_tables

    def builds_nothing(self, table: str) -> bool:
        """CREATE INDEX ON ONLY `table`: on a partitioned table an invalid parent index,
        no build (partitions' indexes are attached later); on a plain one, a build.
        Unknown tables are taken as partitioned (ONLY means nothing elsewhere)."""
        known_plain = table in self.catalog_tables or table in self.created
        return table in self.partitioned or not known_plain

    def is_not_null(self, table: str, column: str) -> bool:
        key = (table, column)
        return key in self.not_null or key in self.validated_not_null

    # -- learning from statements -------------------------------------------------------

    def learn(self, node: Any, index: int) -> None:
        if isinstance(node, ast.CreateStmt):
            if self.creates(node):
                self._learn_create(node, index)
        elif isinstance(node, ast.IndexStmt):
            table = relname(node.relation)
            name = str(node.idxname or f"{table}_idx{index}")
            self.indexes[name] = (table, names(node.indexParams), node.whereClause is not None)
            used = expression_columns(node)
            if used is not None:
                self.expression_indexes[name] = (table, used)
        elif isinstance(node, ast.AlterTableStmt):
            table = relname(node.relation)
            for cmd in node.cmds or ():
                self._learn_alter(table, cmd, index)
        elif isinstance(node, ast.CreateDomainStmt):
            self._learn_domain(node)
        elif isinstance(node, ast.AlterDomainStmt):
            self._learn_alter_domain(node)
        elif isinstance(node, ast.RenameStmt) and node.relation is not None and not node.subname:
            schema = node.relation.schemaname
            new = f"{schema}.{node.newname}" if schema else str(node.newname)
            self._learn_rename(relname(node.relation), new)
        elif isinstance(node, ast.AlterObjectSchemaStmt) and node.relation is not None:
            self._learn_rename(relname(node.relation), f"{node.newschema}.{node.relation.relname}")

    def _learn_domain(self, node: Any) -> None:
        keys = _domain_keys(names(node.domainname))
        cons = list(node.constraints or ())
        kinds = {c.contype for c in cons}
        base = names(node.typeName.names) if node.typeName is not None else ()
        if kinds & {ConstrType.CONSTR_CHECK, ConstrType.CONSTR_NOTNULL} or (
            self.is_constrained_domain(base)
        ):
            self.constrained_domains.update(keys)
        if ConstrType.CONSTR_NOTNULL in kinds or self.refuses_null(base) or _value_not_null(cons):
            self.not_null_domains.update(keys)
        defaults = [c for c in cons if c.contype == ConstrType.CONSTR_DEFAULT]
        if any(not is_null(c.raw_expr) for c in defaults) or (
            not defaults and self.has_domain_default(base)
        ):
            self.defaulted_domains.update(keys)

    def _learn_alter_domain(self, node: Any) -> None:
        keys = _domain_keys(names(node.typeName))
        if node.subtype in ("C", "O"):
            self.constrained_domains.update(keys)
        if node.subtype == "O" or (node.subtype == "C" and _value_not_null([node.def_])):
            self.not_null_domains.update(keys)
        elif node.subtype == "N":
            self.not_null_domains.difference_update(keys)
        elif node.subtype == "T":
            if node.def_ is None or is_null(node.def_):
                self.defaulted_domains.difference_update(keys)
            else:
                self.defaulted_domains.update(keys)

    def _learn_rename(self, old: str, new: str) -> None:
        """A renamed (or moved) table keeps its columns, indexes and constraints: what
        is known of the old name is known of the new one."""
        for pairs in (self.not_null, self.nullable, self.validated_not_null):
            pairs.update({(new, col) for table, col in list(pairs) if table == old})
        for mapping in (self.column_types, self.not_null_checks):
            mapping.update({(new, k): v for (table, k), v in list(mapping.items()) if table == old})
        for index, (table, cols, partial) in list(self.indexes.items()):
            if table == old:
                self.indexes[index] = (new, cols, partial)
        for index, (table, used) in list(self.expression_indexes.items()):
            if table == old:
                self.expression_indexes[index] = (new, used)
        for tables in (
            self.validated_check_tables,
            self.created,
            self.catalog_tables,
            self.partitioned,
        ):
            if old in tables:
                tables.add(new)

    def _learn_create(self, node: Any, index: int) -> None:
        table = relname(node.relation)
        self.created.add(table)
        if node.partspec is not None:
            self.partitioned.add(table)
        for elt in node.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                self._learn_column(table, elt, index)
            elif isinstance(elt, ast.Constraint):
                self._learn_constraint(table, elt, index)

    def _learn_column(self, table: str, col: Any, index: int) -> None:
        name = str(col.colname)
        if col.typeName is not None:
            self.column_types[(table, name)] = type_label(col.typeName)
        nullable = True
        for con in col.constraints or ():
            if con.contype in (
                ConstrType.CONSTR_NOTNULL,
                ConstrType.CONSTR_PRIMARY,
                ConstrType.CONSTR_IDENTITY,
            ):
                nullable = False
            if con.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
                self.indexes[f"{table}.{name}.key{index}"] = (table, (name,), False)
            if con.contype == ConstrType.CONSTR_FOREIGN:
                self.foreign_keys.append((table, (name,), index))
        (self.nullable.add if nullable else self.not_null.add)((table, name))

    def _learn_constraint(self, table: str, con: Any, index: int) -> None:
        if con.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            if con.indexname:
                entry = self.indexes.get(str(con.indexname))
                cols = entry[1] if entry else ()
            else:
                cols = names(con.keys)
                self.indexes[f"{table}.{con.conname or index}.key"] = (table, cols, False)
            if con.contype == ConstrType.CONSTR_PRIMARY:
                for col in cols:
                    self.not_null.add((table, col))
        elif con.contype == ConstrType.CONSTR_FOREIGN:
            self.foreign_keys.append((table, names(con.fk_attrs), index))
        elif con.contype == ConstrType.CONSTR_CHECK:
            column = not_null_check_column(con.raw_expr)
            if column and con.conname:
                self.not_null_checks[(table, str(con.conname))] = column
                if not con.skip_validation:
                    self.validated_not_null.add((table, column))
            if not con.skip_validation:
                self.validated_check_tables.add(table)

    def _learn_alter(self, table: str, cmd: Any, index: int) -> None:
        sub = cmd.subtype
        if sub == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            self._learn_column(table, cmd.def_, index)
        elif sub == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            self._learn_constraint(table, cmd.def_, index)
        elif sub == AlterTableType.AT_ValidateConstraint:
            column = self.not_null_checks.get((table, str(cmd.name)))
            if column:
                self.validated_not_null.add((table, column))
            self.validated_check_tables.add(table)
        elif sub == AlterTableType.AT_SetNotNull:
            self.not_null.add((table, str(cmd.name)))
        elif sub == AlterTableType.AT_DropNotNull:
            self.not_null.discard((table, str(cmd.name)))
            self.validated_not_null.discard((table, str(cmd.name)))
        elif sub == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
            type_name = cmd.def_.typeName
            if type_name is not None:
                self.column_types[(table, str(cmd.name))] = type_label(type_name)
