"""Rules + live catalog -> Plan, or every reason they do not fit.

All checks run before anything executes: unknown tables and columns (with a "did you
mean"), unclassified columns, strategies that cannot fit a column's type, lossy
strategies on unique columns, FK pairs masked differently, truncates that would break
a foreign key. The result is a Plan (data) that the executor runs unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot import exp

from dbrefresh.catalog import Catalog, ForeignKey, Table, closest
from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.rules.cascade import with_cascades, with_nulled_keys
from dbrefresh.rules.compiled import PLACEHOLDER, CompiledSql
from dbrefresh.rules.conditions import check_condition
from dbrefresh.rules.coverage import unclassified_columns, unclassified_hint
from dbrefresh.rules.dbname import other_database
from dbrefresh.rules.derived_reads import derived_reads
from dbrefresh.rules.fkshape import fk_mismatch
from dbrefresh.rules.foreign import FOREIGN_HINT, changes_rows, foreign_partitions
from dbrefresh.rules.groups import build_groups
from dbrefresh.rules.json_key_paths import masked_apart
from dbrefresh.rules.leafrules import weaker_partition_rules
from dbrefresh.rules.leakpaths import leak_paths, with_path_samples
from dbrefresh.rules.model import ColumnRule, Origin, RuleSet, TableRule
from dbrefresh.rules.naming import dotted_schemas
from dbrefresh.rules.originals import original_reads
from dbrefresh.rules.plan import MaskedColumn, Plan, RelationStep
from dbrefresh.rules.relsteps import build_step, by_value, quote_table, truncate_only
from dbrefresh.rules.triggers import set_aside
from dbrefresh.rules.views import views_to_refresh
from dbrefresh.strategies.base import ColumnContext, Strategy
from dbrefresh.strategies.registry import all_strategies

DEFAULT_LEAK_SAMPLE = 10_000
# A partition's share of its rule table's sample is at least this many rows (or the
# whole sample, when smaller): each partition is checked on rows of its own.
MIN_PARTITION_SAMPLE = 1_000
# Past this many rows a table's indexes are rebuilt after the refill instead of maintained.
INDEX_REBUILD_ROWS = 50_000
# Past this many rows the masked copy is computed in parallel page-range chunks.
CHUNK_ROWS = 200_000
# Or past this many bytes (heap, TOAST and indexes): 10,000 documents of 10 kB bodies
# and jsonb metadata (~50 MB) took ~470 us of CPU a row, masked and sampled one after
# the other in one session on one core, while a narrow table of 200,000 rows is ~40 MB.
CHUNK_BYTES = 32 * 1024 * 1024
# A column with at most this share of distinct values (and a table past DEDUPE_ROWS)
# is masked once per distinct value (a memoized LATERAL subquery): a cache hit is ~7x
# cheaper than a keyed digest, and names, cities and streets repeat a lot. Measured on
# 1M rows: 30 % distinct in one statement 0.56 s against 0.75 s per row, 50 % 0.81 s
# (a loss). Each chunk memoizes on its own, and a quarter of a table with 10 % distinct
# values holds ~37 % distinct ones: so 10 %, not more.
DEDUPE_FRACTION = 0.1
DEDUPE_ROWS = 10_000
# Network addresses (I) too: access logs repeat a user's few addresses, and `ip` with
# `unique: true` costs twice plain `ip`. Equal inet values have equal bytes (Memoize's
# binary cache key), prefix length included.
DEDUPE_CATEGORIES = frozenset("SNDEI")


def _sql(expression: exp.Expression | None) -> str | None:
    return None if expression is None else str(expression.sql(dialect="postgres"))


def _where(origin: Origin) -> str:
    return f"{origin.file}:{origin.line}" if origin.line else origin.file


@dataclass(frozen=True)
class _Resolved:
    """A column rule resolved against the catalog."""

    rule: ColumnRule
    strategy: Strategy  # type: ignore[type-arg]
    ctx: ColumnContext
    expression: str  # compiled SQL
    shape: str  # the expression with the column replaced by a placeholder (FK comparison)


class _Compiler:
    def __init__(self, rules: RuleSet, catalog: Catalog) -> None:
        self.rules = rules
        self.catalog = catalog
        self.findings: list[Finding] = []
        self.strategies = {s.name: s for s in all_strategies()}
        self.resolved: dict[tuple[str, str], _Resolved] = {}
        self.compiled = CompiledSql()
        self.foreign_partitions: list[str] = []

    def error(
        self,
        code: str,
        message: str,
        origin: Origin | None,
        key: str,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        loc = Location(origin.file if origin else None, origin.line if origin else None, key)
        self.findings.append(Finding(code, message, severity, loc, hint))

    # -- rule -> table --------------------------------------------------------------
    def governing_rule(self, table: Table) -> TableRule | None:
        """The rule for a table: its own, or its nearest partitioned ancestor's."""
        name = self.rules.governing(self.catalog, table.qualified)
        return self.rules.tables[name] if name else None

    def check_tables_exist(self) -> None:
        self.findings += dotted_schemas(self.catalog, Origin(str(self.rules.files[0]), None))
        for name, rule in self.rules.tables.items():
            derived = self.catalog.derived.get(name)
            if name not in self.catalog.tables and derived is not None:
                self.error(
                    "unknown-table",
                    "is a view" if derived.kind == "v" else "is a materialized view",
                    rule.origin,
                    name,
                    "remove it from the rules: it shows its tables' rows, masked with them"
                    if derived.kind == "v"
                    else "remove it from the rules: anonymize refreshes it from the masked "
                    "tables it reads",
                )
            elif name in self.catalog.foreign and changes_rows(rule):
                self.error(
                    "foreign-table",
                    f"is a foreign table (server {self.catalog.foreign[name].server}): its "
                    "rows live on that server, which masking must never write to",
                    rule.origin,
                    name,
                    FOREIGN_HINT,
                )
            elif name not in self.catalog.tables and name not in self.catalog.foreign:
                near = closest(name, self.catalog.tables)
                self.error(
                    "unknown-table",
                    "no such table",
                    rule.origin,
                    name,
                    f"did you mean {near}?" if near else None,
                )

    def check_coverage(self) -> None:
        if (
            self.catalog.large_objects
            and self.rules.large_objects is None
            and self.rules.unlisted_columns == "fail"
        ):
            self.error(
                "unclassified-large-objects",
                f"database holds {self.catalog.large_objects} large object(s), which no "
                "column rule covers",
                self.rules.large_objects_origin,
                "large_objects",
                "add `large_objects: empty` (remove them from the clone) or "
                "`large_objects: keep` (they hold no personal data)",
            )
        for origin, table, column in unclassified_columns(self.catalog, self.rules):
            self.error(
                "unclassified-column",
                "column not classified by any rule",
                origin,
                f"{table.qualified}.{column}",
                unclassified_hint(self.catalog, table, column),
            )

    # -- columns --------------------------------------------------------------------
    def _partitioned_by(self, table: Table, column: str) -> str | None:
        """The partitioned table (the rule's, above or below it) whose key reads column."""
        related = self.catalog.lineage(table.qualified)
        if table.partitioned:  # (only a partitioned table has tables below it)
            related |= {
                t.qualified
                for t in self.catalog.tables.values()
                if t.partitioned and table.qualified in self.catalog.lineage(t.qualified)
            }
        for name in sorted(related):
            if column in self.catalog.tables[name].partition_key:
                return name
        return None

    def resolve_columns(self) -> None:
        for name, rule in self.rules.tables.items():
            table = self.catalog.tables.get(name)
            if table is None or rule.action != "mask":
                continue
            for column, col_rule in rule.columns.items():
                self.resolve_column(table, column, col_rule)

    def resolve_column(self, table: Table, column: str, col_rule: ColumnRule) -> None:
        key = f"{table.qualified}.{column}"
        info = table.columns.get(column)
        if info is None:
            near = closest(column, table.columns)
            self.error(
                "unknown-column",
                "no such column",
                col_rule.origin,
                key,
                f"did you mean {near}?" if near else None,
            )
            return
        strategy = self.strategies[col_rule.strategy]
        if info.generated and not strategy.keeps_value:
            self.error(
                "generated-column",
                "generated column is recomputed from the row, it cannot be masked",
                col_rule.origin,
                key,
                "mark it `keep`",
            )
            return
        keyed_by = self._partitioned_by(table, column)
        if keyed_by is not None and not strategy.keeps_value:
            self.error(
                "partition-key",
                f"is in the partition key of {keyed_by}: a masked value may belong in "
                "another partition, and masking cannot move rows between partitions",
                col_rule.origin,
                key,
                "mark it `keep`",
            )
            return
        # A column referencing a unique key must map injectively too, exactly like its target.
        references = any(column in fk.columns for fk in self.catalog.keys_from(table.qualified))
        unique = column in table.unique_columns() or bool(col_rule.unique) or references
        if unique and not col_rule.unique and not references:  # UNIQUE ((data->>'id'))
            unique = not masked_apart(table, column, col_rule.strategy, col_rule.params)
        ctx = ColumnContext(
            table=table.qualified,
            column=column,
            type=info.type.for_masked_copy(),
            nullable=not info.not_null,
            unique=unique,
            row_columns={c.name: c.type for c in table.columns.values()},
            locale=col_rule.locale,
            distinct_columns=table.distinct_columns(),
        )
        if strategy.keeps_value:
            return
        keyed = column in table.unique_columns()  # (how, when a key expression makes it)
        for reason in strategy.check(col_rule.params, ctx):
            self.error(
                "strategy-misfit",
                f"{col_rule.strategy} cannot mask {info.type.sql}: {reason}",
                col_rule.origin,
                key,
                f"the column is {table.uniqueness_of(column)}" if keyed else None,
            )
            return
        excluded = [x.name for x in table.exclusions if column in x.columns]
        if excluded and not unique and strategy.is_lossy_in(col_rule.params, ctx):
            self.error(
                "lossy-on-exclusion",
                f"{col_rule.strategy} can map different values to one, but the column is "
                f"under exclusion constraint {excluded[0]}: masked rows may conflict",
                col_rule.origin,
                key,
                "keep the column: no lossy strategy can promise the constraint still holds",
            )
            return
        if unique and strategy.is_lossy_in(col_rule.params, ctx):
            self.error(
                "lossy-on-unique",
                f"{col_rule.strategy} can map different values to one, but the column is "
                + ("a foreign key to a unique key" if references else table.uniqueness_of(column)),
                col_rule.origin,
                key,
                "use an injective strategy such as hash, email or uuid",
            )
            return
        try:
            sql = self.compiled.sql(strategy, col_rule.params, ctx)
        except ValueError as exc:
            self.error("strategy-misfit", str(exc), col_rule.origin, key)
            return
        # The shape ignores the column's name and NULL guard: FK sides differ in both.
        shape = self.compiled.sql(
            strategy, col_rule.params, replace(ctx, nullable=True), PLACEHOLDER
        )
        self.resolved[(table.qualified, column)] = _Resolved(col_rule, strategy, ctx, sql, shape)

    # -- relationships --------------------------------------------------------------
    def check_foreign_keys(self) -> None:
        for fk in self.catalog.foreign_keys:
            self.check_fk_masking(fk)
            self.check_fk_truncate(fk)

    def _rule_for(self, table: str) -> TableRule | None:
        found = self.catalog.tables.get(table)
        return self.governing_rule(found) if found else None

    def check_fk_masking(self, fk: ForeignKey) -> None:
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
            here = self.resolved.get((fk.table, col))
            there = self.resolved.get((fk.ref_table, ref_col))
            here = here or self._resolved_via_parent(fk.table, col)
            there = there or self._resolved_via_parent(fk.ref_table, ref_col)
            if here is None and there is None:
                continue
            if here is not None and there is not None and here.shape == there.shape:
                continue
            why, hint = fk_mismatch(
                (f"{fk.table}.{col}", here), (f"{fk.ref_table}.{ref_col}", there)
            )
            either = here or there
            origin = either.rule.origin if either else None
            self.error(
                "fk-mismatch", f"foreign key {fk.name}: {why}", origin, f"{fk.table}.{col}", hint
            )

    def _resolved_via_parent(self, table: str, column: str) -> _Resolved | None:
        parent = self.catalog.tables[table].parent if table in self.catalog.tables else None
        while parent is not None:
            found = self.resolved.get((parent, column))
            if found:
                return found
            parent = self.catalog.tables[parent].parent
        return None

    def check_fk_truncate(self, fk: ForeignKey) -> None:
        ref_rule = self._rule_for(fk.ref_table)
        own_rule = self._rule_for(fk.table)
        if ref_rule is None or ref_rule.action != "truncate":
            return
        if own_rule is not None and own_rule.action == "truncate":
            return
        self.error(
            "truncate-breaks-fk",
            f"{fk.ref_table} is truncated but {fk.table} keeps "
            f"rows referencing it (foreign key {fk.name})",
            ref_rule.origin,
            fk.ref_table,
            f"truncate {fk.table} too, or keep {fk.ref_table}",
        )

    def check_foreign_partitions(self) -> None:
        findings, self.foreign_partitions = foreign_partitions(self.rules, self.catalog)
        self.findings += findings

    def check_conditions(self) -> None:
        for name, rule in self.rules.tables.items():
            table = self.catalog.tables.get(name)
            if table is None or rule.delete_where is None:
                continue
            for reason in check_condition(rule.delete_where, set(table.columns)):
                self.error("invalid-condition", reason, rule.origin, f"{name}.delete_where")

    # -- plan -----------------------------------------------------------------------
    def build(self, leak_sample: int) -> Plan:
        plan = Plan(database=self.catalog.database, rules_digest=self.rules.digest)
        steps: list[RelationStep] = []
        leaves: dict[str, int] = {}  # rule table: its relations (leaf partitions)
        for table in self.catalog.tables.values():
            if not table.partitioned and (rule := self.governing_rule(table)) is not None:
                leaves[rule.table] = leaves.get(rule.table, 0) + 1
        for table in self.catalog.tables.values():
            if table.partitioned:
                continue
            rule = self.governing_rule(table)
            if rule is None or (rule.action == "mask" and not self._has_work(rule, table)):
                plan.kept.append(table.qualified)
            elif rule.action == "truncate":
                plan.truncate.append(table.qualified)
            elif rule.action == "keep":
                plan.kept.append(table.qualified)
            else:
                # the sample is the rule table's, shared by its partitions: 10,000 rows
                # per partition filled leak_hashes with 1.2M rows of one 60-partition table
                share = -(-leak_sample // leaves[rule.table])
                sample = max(share, min(leak_sample, MIN_PARTITION_SAMPLE))
                steps.append(self.step_for(table, rule, sample))
        if plan.truncate:
            mute, unmute = set_aside(self.catalog, plan.truncate)
            truncate = truncate_only(plan.truncate)
            plan.truncating = [*mute, truncate, *unmute]
        plan.empty_large_objects = self.rules.large_objects == "empty"
        plan.groups = build_groups(self.catalog, steps, plan.truncate)
        plan.foreign_partitions = list(self.foreign_partitions)
        plan.refresh_views = views_to_refresh(
            self.catalog, [*(s.relation for s in steps), *plan.truncate]
        )
        changed = [*(s.relation for s in steps), *plan.truncate]
        changed += [v.relation for v in plan.refresh_views]
        plan.statistics_of = [quote_table(r) for r in changed]
        if plan.empty_large_objects:
            plan.statistics_of.append("pg_catalog.pg_largeobject")
        return plan

    def _dedupe(self, table: Table, resolved: _Resolved) -> bool:
        """Whether the column's masked values can be computed per distinct value."""
        column = table.columns[resolved.ctx.column]
        distinct = column.distinct_estimate(table.estimated_rows)
        if (
            distinct is None
            or table.estimated_rows < DEDUPE_ROWS
            or distinct > DEDUPE_FRACTION * table.estimated_rows
            or column.type.category not in DEDUPE_CATEGORIES
            or column.type.is_array
        ):
            return False
        return by_value(resolved.strategy, resolved.expression, resolved.ctx.column)

    def _masked_for(self, table: Table, rule: TableRule) -> list[MaskedColumn]:
        masked = []
        for column in rule.columns:
            resolved = self.resolved.get((rule.table, column))
            if resolved is not None and column in table.columns:
                masked.append(
                    MaskedColumn(
                        column,
                        resolved.rule.strategy,
                        resolved.expression,
                        resolved.strategy.leak_checked,
                        dedupe=self._dedupe(table, resolved),
                        by_value=any(k.primary and column in k.columns for k in table.unique_keys)
                        and by_value(resolved.strategy, resolved.expression, column),
                        leak_when=_sql(
                            resolved.strategy.leak_sample_when(resolved.rule.params, resolved.ctx)
                        ),
                        refusal=_sql(resolved.strategy.refusal(resolved.rule.params, resolved.ctx)),
                        table_refusal=_sql(
                            resolved.strategy.table_refusal(resolved.rule.params, resolved.ctx)
                        ),
                        origin=_where(resolved.rule.origin),
                        leak_paths=leak_paths(
                            resolved.strategy, resolved.rule.params, resolved.ctx
                        ),
                        holds_when=_sql(
                            resolved.strategy.holds_when(resolved.rule.params, resolved.ctx)
                        ),
                        reads_masked=resolved.strategy.reads_masked_row,
                    )
                )
        return with_nulled_keys(masked, rule)

    def _has_work(self, rule: TableRule, table: Table) -> bool:
        return bool(self._masked_for(table, rule)) or rule.deleting is not None

    def step_for(self, table: Table, rule: TableRule, leak_sample: int) -> RelationStep:
        step = build_step(
            table=table,
            rule_table=rule.table,
            masked=self._masked_for(table, rule),
            shuffled=[
                c
                for c in rule.columns
                if (r := self.resolved.get((rule.table, c)))
                and getattr(r.strategy, "row_permutation", False)
            ],
            delete_where=rule.deleting,
            leak_sample=leak_sample,
            rebuild_indexes=table.estimated_rows >= INDEX_REBUILD_ROWS,
            chunked=table.estimated_rows >= CHUNK_ROWS or table.total_bytes >= CHUNK_BYTES,
        )
        return with_path_samples(step, table, leak_sample)


def compile_plan(
    rules: RuleSet,
    catalog: Catalog,
    *,
    leak_sample: int = DEFAULT_LEAK_SAMPLE,
) -> Plan:
    """Check rules against the catalog and build the Plan; RulesError lists every problem."""
    compiler = _Compiler(rules, catalog)
    compiler.findings += other_database(rules, catalog.database)
    compiler.check_tables_exist()
    compiler.check_foreign_partitions()
    compiler.resolve_columns()
    compiler.findings += original_reads(rules, catalog)
    compiler.findings += derived_reads(rules, catalog)
    compiler.findings += weaker_partition_rules(rules, catalog)
    compiler.check_coverage()
    compiler.check_foreign_keys()
    compiler.check_conditions()
    errors = [f for f in compiler.findings if f.severity is Severity.ERROR]
    if errors:
        raise RulesError(compiler.findings)
    compiler.rules = with_cascades(rules, catalog)  # conditions checked: now follow keys
    plan = compiler.build(leak_sample)
    plan.warnings = list(compiler.findings)  # no errors: only warnings are left
    return plan


def check_rules(rules: RuleSet, catalog: Catalog) -> list[Finding]:
    """Every finding of a compile, warnings included, without raising (`rules check`)."""
    try:
        return compile_plan(rules, catalog).warnings
    except RulesError as exc:
        return exc.findings
