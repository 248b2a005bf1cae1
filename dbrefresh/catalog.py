"""Read a live database's shape: tables, columns and types, keys, FKs, partitions, sizes, views.

The compiler checks rules against this, so schema drift between the rules and the clone
is an error found before anything runs, not a surprise halfway through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlglot
from psycopg.rows import dict_row
from sqlglot import exp

from dbrefresh.resources import sql_file
from dbrefresh.strategies.base import ColumnType


@dataclass(frozen=True)
class Column:
    name: str
    num: int
    type: ColumnType
    not_null: bool
    generated: bool  # GENERATED ALWAYS AS (...) STORED: never written, recomputed
    identity: str  # '' | 'a' (ALWAYS) | 'd' (BY DEFAULT)
    n_distinct: float | None = None  # pg_stats: >0 a count, <0 a fraction of the rows
    reads: tuple[str, ...] = ()  # a generated column's: the columns it is computed from

    def distinct_estimate(self, rows: int) -> float | None:
        """Estimated number of distinct values, when ANALYZE has seen the column."""
        if self.n_distinct is None:
            return None
        return -self.n_distinct * rows if self.n_distinct < 0 else self.n_distinct


@dataclass(frozen=True)
class UniqueKey:
    name: str
    columns: tuple[str, ...]
    primary: bool
    # columns in `columns` only because a key expression (unique (lower(email))) or a
    # generated key column (GENERATED ALWAYS AS (lower(email)) STORED UNIQUE) reads them
    read_through: tuple[str, ...] = ()
    # the key's expressions as pg_get_indexdef prints them ("(data ->> 'id'::text)")
    expressions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForeignKey:
    name: str
    table: str  # referencing table
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    definition: str  # pg_get_constraintdef(): re-creates it exactly
    comment: str | None
    # ON DELETE SET NULL: the columns a deleted referenced row sets to NULL (empty for
    # every other action)
    set_null: tuple[str, ...] = ()


@dataclass(frozen=True)
class Index:
    """An index and what re-creates it exactly (its own DDL, or the constraint it backs)."""

    name: str
    index_def: str
    constraint_name: str | None
    constraint_type: str | None  # 'p' | 'u' | 'x'
    constraint_def: str | None
    comment: str | None
    constraint_comment: str | None
    replica_identity: bool
    clustered: bool
    partition_linked: bool  # attached to / parent of a partitioned index: cannot be dropped
    tablespace: str | None
    # (column number, target) of each column with its own statistics target (ALTER INDEX
    # ... ALTER COLUMN 1 SET STATISTICS 777): no index definition holds it
    statistics_targets: tuple[tuple[int, int], ...] = ()


@dataclass
class Table:
    oid: int
    schema: str
    name: str
    kind: str  # 'r' ordinary, 'p' partitioned
    parent: str | None
    estimated_rows: int
    total_bytes: int
    columns: dict[str, Column] = field(default_factory=dict)
    unique_keys: list[UniqueKey] = field(default_factory=list)
    # exclusion constraints' indexes (EXCLUDE USING gist (room WITH =, day WITH =))
    exclusions: list[UniqueKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    checks: tuple[str, ...] = ()  # names of its CHECK constraints
    partition_key: tuple[str, ...] = ()  # a partitioned table's key columns
    # User triggers enabled ALWAYS ('A') or REPLICA ('R'): they fire even in the replica
    # mode masking writes in, so masking sets them aside while it writes.
    replica_triggers: tuple[tuple[str, str], ...] = ()
    # Rewrite rules enabled the same way (an INSERT rule DO INSTEAD NOTHING swallowed
    # the refill; DO ALSO copied every row into another table)
    replica_rules: tuple[tuple[str, str], ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def partitioned(self) -> bool:
        return self.kind == "p"

    def unique_columns(self) -> set[str]:
        """Columns that are (part of) a unique key: masking them must stay injective."""
        return {c for key in self.unique_keys for c in key.columns}

    def distinct_columns(self) -> frozenset[str]:
        """NOT NULL columns under a unique key of their own, on the column itself (no
        expression, no WHERE): their value differs in every row, so a strategy that is
        injective over one of them gives every row its own output."""
        indexes = {i.name: i.index_def for i in self.indexes}
        return frozenset(
            key.columns[0]
            for key in self.unique_keys
            if len(key.columns) == 1
            and not key.read_through
            and key.columns[0] in self.columns
            and self.columns[key.columns[0]].not_null
            and " WHERE " not in indexes.get(key.name, "")
        )

    def uniqueness_of(self, column: str) -> str:
        """How a column is unique, for messages: 'unique', or 'part of the unique key
        (first_name, last_name, birth_date)' (a strategy alone cannot keep that)."""
        keys = [k for k in self.unique_keys if column in k.columns]
        direct = [k for k in keys if column not in k.read_through]
        if keys and not direct:
            generated = [
                c for c in keys[0].columns if c in self.columns and self.columns[c].generated
            ]
            through = f"generated column {', '.join(generated)}" if generated else "its expression"
            return f"read by unique key {keys[0].name} (through {through})"
        if not keys or any(len(k.columns) == 1 for k in direct):
            return "unique"
        return f"part of the unique key ({', '.join(keys[0].columns)})"


@dataclass(frozen=True)
class Derived:
    """A view or materialized view: what its query reads, as far as the catalog tells."""

    qualified: str
    kind: str  # 'v' view, 'm' materialized view
    populated: bool
    reads: tuple[str, ...]  # relations named in its query ('schema.name')
    opaque: bool  # also calls a function that is not built in, or reads a foreign table


@dataclass(frozen=True)
class ForeignTable:
    """A foreign table: its rows live on `server`; `parent` if it is a partition."""

    qualified: str
    server: str
    parent: str | None


@dataclass
class Catalog:
    database: str
    server_version: int
    tables: dict[str, Table] = field(default_factory=dict)  # by 'schema.name'
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    derived: dict[str, Derived] = field(default_factory=dict)  # views and materialized views
    foreign: dict[str, ForeignTable] = field(default_factory=dict)  # foreign tables
    large_objects: int = 0  # rows of pg_largeobject_metadata
    # Lookups by table, built on first use and again whenever tables or keys were
    # added since: scanning every table or key per column or key made compiling the
    # rules of 10,000 tables quadratic (20 s).
    _index_of: tuple[int, int] = field(default=(-1, -1), init=False, repr=False, compare=False)
    _children: dict[str, list[Table]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _keys_from: dict[str, list[ForeignKey]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _indexed(self) -> None:
        size = (len(self.tables), len(self.foreign_keys))
        if size == self._index_of:
            return
        self._children, self._keys_from = {}, {}
        for table in self.tables.values():
            if table.parent is not None:
                self._children.setdefault(table.parent, []).append(table)
        for fk in self.foreign_keys:
            self._keys_from.setdefault(fk.table, []).append(fk)
        self._index_of = size

    def partitions_of(self, qualified: str) -> list[Table]:
        """Leaf partitions under a (possibly multi-level) partitioned table."""
        self._indexed()
        leaves: list[Table] = []
        for table in self._children.get(qualified, []):
            leaves.extend(self.partitions_of(table.qualified) if table.partitioned else [table])
        return leaves

    def keys_from(self, qualified: str) -> list[ForeignKey]:
        """Foreign keys whose referencing side is the table."""
        self._indexed()
        return self._keys_from.get(qualified, [])

    def foreign_partitions_of(self, qualified: str) -> list[ForeignTable]:
        """Foreign tables anywhere under a partitioned table."""
        under = {qualified} | {
            t.qualified for t in self.tables.values() if qualified in self.lineage(t.qualified)
        }
        return [f for f in self.foreign.values() if f.parent in under]

    def lineage(self, qualified: str) -> set[str]:
        """The table and every partitioned table above it (known ones only)."""
        names, current = set(), self.tables.get(qualified)
        while current is not None:
            names.add(current.qualified)
            current = self.tables.get(current.parent) if current.parent else None
        return names

    def root_of(self, qualified: str) -> str:
        """The top known partitioned ancestor (or the table itself)."""
        table = self.tables[qualified]
        while table.parent is not None and table.parent in self.tables:
            table = self.tables[table.parent]
        return table.qualified

    def fks_touching(self, qualified: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if qualified in (fk.table, fk.ref_table)]


def _typmod_limits(base: str, typmod: int) -> tuple[int | None, int | None, int | None]:
    """(length, precision, scale) from a type modifier, as PostgreSQL encodes them."""
    if typmod < 0:
        return None, None, None
    if base in {"varchar", "bpchar"}:
        return typmod - 4, None, None
    if base == "numeric":
        packed = typmod - 4
        return None, (packed >> 16) & 0xFFFF, packed & 0xFFFF
    return None, None, None


def _column_type(row: dict[str, Any], fields: Fields | None = None) -> ColumnType:
    length, precision, scale = _typmod_limits(row["base"], row["typmod"])
    category = "E" if row["base_typtype"] == "e" else row["category"]
    return ColumnType(
        sql=row["type_sql"],
        base=row["base"],
        category=category,
        length=length,
        precision=precision,
        scale=scale,
        enum_labels=tuple(row["enum_labels"] or ()),
        is_array=bool(row["is_array"]),
        element_sql=row["element_sql"],
        domain=row["domain"],
        domain_checks=tuple(row["domain_checks"] or ()),
        domain_base_sql=row["domain_base_sql"],
        nondeterministic_collation=row["nondeterministic"],
        collation_ignores_case=bool(row["ignores_case"]),
        collation_ignores_accents=bool(row["ignores_accents"]),
        fields=(fields or {}).get(row["type_relid"], ()),
        collation=row["collation"],
    )


Fields = dict[int, tuple[tuple[str, ColumnType], ...]]
MAX_FIELD_DEPTH = 4  # composite types nested in composite types, read this deep


def _composite_fields(cur: Any, rows: list[dict[str, Any]], depth: int = 0) -> Fields:
    """The fields of the composite types these columns (or fields) are of, by the
    type's relation: its pg_attribute rows, read with the columns' own query, so a
    field's type is resolved as a column's is (varchar(n), domains, nested composites)."""
    relids = sorted({r["type_relid"] for r in rows if r["type_relid"] is not None})
    if not relids or depth >= MAX_FIELD_DEPTH:
        return {}
    cur.execute(sql_file("queries/columns.sql"), {"oids": relids})
    found = cur.fetchall()
    nested = _composite_fields(cur, found, depth + 1)
    fields: dict[int, list[tuple[str, ColumnType]]] = {}
    for row in found:
        fields.setdefault(row["table_oid"], []).append((row["name"], _column_type(row, nested)))
    return {relid: tuple(f) for relid, f in fields.items()}


def read_catalog(conn: psycopg.Connection[Any]) -> Catalog:
    """Read everything the compiler and verify need, one query per kind of object."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT current_database() AS db, current_setting('server_version_num') AS v, "
            "(SELECT count(*) FROM pg_largeobject_metadata) AS lobs"
        )
        head = cur.fetchone()
        assert head is not None
        catalog = Catalog(
            database=head["db"], server_version=int(head["v"]), large_objects=int(head["lobs"])
        )
        cur.execute(sql_file("queries/tables.sql"))
        by_oid: dict[int, Table] = {}
        for row in cur.fetchall():
            table = Table(
                oid=row["oid"],
                schema=row["schema"],
                name=row["name"],
                kind=row["kind"],
                parent=row["parent"],
                estimated_rows=row["estimated_rows"],
                total_bytes=row["total_bytes"],
                checks=tuple(row["checks"] or ()),
                partition_key=tuple(row["partition_key"] or ()),
                replica_triggers=tuple((str(n), str(e)) for n, e in row["replica_triggers"]),
                replica_rules=tuple((str(n), str(e)) for n, e in row["replica_rules"]),
            )
            by_oid[table.oid] = table
            catalog.tables[table.qualified] = table
        oids = list(by_oid)
        cur.execute(sql_file("queries/column_stats.sql"))
        n_distinct = {
            (r["schema_name"], r["table_name"], r["column_name"]): r["n_distinct"] for r in cur
        }
        cur.execute(sql_file("queries/columns.sql"), {"oids": oids})
        rows = cur.fetchall()
        composites = _composite_fields(cur, rows)
        for row in rows:
            table = by_oid[row["table_oid"]]
            table.columns[row["name"]] = Column(
                name=row["name"],
                num=row["num"],
                type=_column_type(row, composites),
                not_null=row["not_null"],
                generated=row["generated"] != "",
                identity=row["identity"],
                n_distinct=n_distinct.get((table.schema, table.name, row["name"])),
                reads=tuple(row["generated_reads"] or ()),
            )
        cur.execute(sql_file("queries/indexes.sql"), {"oids": oids})
        for row in cur.fetchall():
            fields = {k: v for k, v in row.items() if k != "table_oid"}
            fields["statistics_targets"] = tuple((n, t) for n, t in row["statistics_targets"])
            by_oid[row["table_oid"]].indexes.append(Index(**fields))
        cur.execute(sql_file("queries/constraints.sql"), {"oids": oids})
        for row in cur.fetchall():
            _add_constraint(catalog, by_oid, row)
        cur.execute(sql_file("queries/derived.sql"))
        for row in cur.fetchall():
            name = f"{row['schema']}.{row['name']}"
            catalog.derived[name] = Derived(
                name, row["kind"], bool(row["populated"]), tuple(row["reads"]), row["opaque"]
            )
        cur.execute(sql_file("queries/foreign_tables.sql"))
        for row in cur.fetchall():
            name = f"{row['schema']}.{row['name']}"
            catalog.foreign[name] = ForeignTable(name, row["server"], row["parent"])
    return catalog


def _columns_read(expressions: list[str], table: Table) -> list[str]:
    """The table's columns that index key expressions read (unparsable ones: none)."""
    found: list[str] = []
    for text in expressions:
        try:
            tree = sqlglot.parse_one(text, read="postgres")
        except sqlglot.errors.ParseError:
            continue
        found += [c.name for c in tree.find_all(exp.Column) if c.name in table.columns]
    return found


def _add_constraint(catalog: Catalog, by_oid: dict[int, Table], row: dict[str, Any]) -> None:
    table = by_oid.get(row["table_oid"])
    if row["kind"] == "unique":
        if table is not None:
            read = _columns_read(row["expressions"] or [], table)
            # a generated key column is unique only if the columns it is computed from
            # map injectively: they are in the key too
            read += [
                r
                for c in [*row["columns"], *read]
                if c in table.columns
                for r in table.columns[c].reads
            ]
            columns = tuple(dict.fromkeys([*row["columns"], *read]))
            through = tuple(c for c in columns if c not in row["columns"])
            expressions = tuple(row["expressions"] or ())
            key = UniqueKey(row["name"], columns, bool(row["is_primary"]), through, expressions)
            (table.exclusions if row["exclusion"] else table.unique_keys).append(key)
        return
    ref = by_oid.get(row["ref_oid"])
    if table is None or ref is None:
        return
    catalog.foreign_keys.append(
        ForeignKey(
            name=row["name"],
            table=table.qualified,
            columns=tuple(row["columns"]),
            ref_table=ref.qualified,
            ref_columns=tuple(row["ref_columns"]),
            definition=row["definition"],
            comment=row["comment"],
            set_null=tuple(row["set_null"] or ()),
        )
    )


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, for 'did you mean' hints."""
    import difflib

    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
