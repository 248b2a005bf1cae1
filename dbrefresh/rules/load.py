"""Rule files -> RuleSet, collecting every problem with its file, line and key.

Nothing here touches a database: these are the checks a rules file must pass on its
own (syntax, known strategies, valid parameters). Checks against the live schema are
the compiler's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from dbrefresh.errors import RulesError
from dbrefresh.findings import Finding, Location
from dbrefresh.rules.model import (
    SHORTHAND_ACTIONS,
    ColumnRule,
    Header,
    Isolation,
    Origin,
    RuleSet,
    TableRule,
)
from dbrefresh.rules.yamlloc import LocatedDict, YamlLoadError, line_of, load_located
from dbrefresh.strategies.registry import all_strategies

COLUMN_RULE_KEYS = {"strategy", "unique"}


class _Collector:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.locale: tuple[str, ...] = ()  # the file's defaults.locale, for its column rules

    def error(
        self,
        code: str,
        message: str,
        line: int | None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(code, message, location=Location(str(self.path), line, key), hint=hint)
        )


def qualify(name: str) -> str:
    """'customers' -> 'public.customers'; names with a schema are kept."""
    return name if "." in name else f"public.{name}"


def _pydantic_findings(col: _Collector, exc: ValidationError, doc: Any, prefix: str) -> None:
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        node, line = doc, line_of(doc)
        for part in loc:
            if isinstance(node, dict) and part in node:
                line = line_of(node, part) or line
                node = node[part]
            else:
                if isinstance(node, dict):
                    line = line_of(node) or line
                break
        key = ".".join([prefix, *loc]) if prefix else ".".join(loc)
        # a validator's own words, without pydantic's "Value error, " before them
        col.error("invalid-value", err["msg"].removeprefix("Value error, "), line, key or None)


def _column_rule(
    col: _Collector, table: str, column: str, raw: Any, owner: Any
) -> ColumnRule | None:
    key = f"{table}.{column}"
    line = line_of(owner, column)
    strategies = {s.name: s for s in all_strategies()}
    if isinstance(raw, str):
        name, params_raw, unique = str(raw), {}, None
    elif isinstance(raw, dict):
        if "strategy" not in raw:
            col.error("missing-strategy", "a column rule needs a `strategy`", line, key)
            return None
        name = str(raw["strategy"])
        params_raw = {k: v for k, v in raw.items() if k not in COLUMN_RULE_KEYS}
        unique = raw.get("unique")
        if unique is not None and not isinstance(unique, bool):
            col.error(
                "invalid-value",
                "`unique` must be true or false",
                line_of(raw, "unique"),
                f"{key}.unique",
            )
            return None
    elif raw is None:
        name, params_raw, unique = "null", {}, None  # YAML `null` written unquoted
    else:
        col.error("invalid-value", "a column rule is a strategy name or a mapping", line, key)
        return None
    strategy = strategies.get(name)
    if strategy is None:
        import difflib

        near = difflib.get_close_matches(name, list(strategies), n=1)
        hint = f"did you mean {near[0]}?" if near else "see `dbrefresh strategies`"
        col.error("unknown-strategy", f"unknown strategy {name!r}", line, key, hint)
        return None
    if unique is not None and "unique" in strategy.params_model.model_fields:
        params_raw = {**params_raw, "unique": unique}  # the strategy shapes its output by it
    try:
        params = strategy.for_column(strategy.parse_params(_plain(params_raw)), column)
    except ValidationError as exc:
        _pydantic_findings(col, exc, raw, key)
        return None
    return ColumnRule(column, name, params, unique, Origin(str(col.path), line), col.locale)


def _plain(value: Any) -> Any:
    """Located YAML values -> plain Python (pydantic must not see our subclasses)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _table_rule(col: _Collector, name: str, raw: Any, tables: LocatedDict) -> TableRule | None:
    table = qualify(name)
    line = line_of(tables, name)
    origin = Origin(str(col.path), line)
    if isinstance(raw, str):
        if raw not in SHORTHAND_ACTIONS:
            col.error(
                "invalid-action",
                f"unknown table action {raw!r}",
                line,
                table,
                "use keep, truncate, or a mapping with columns/delete_where",
            )
            return None
        return TableRule(table, "keep" if raw == "keep" else "truncate", {}, None, origin)
    if not isinstance(raw, dict):
        col.error("invalid-value", "a table rule is keep, truncate or a mapping", line, table)
        return None
    unknown = set(raw) - {"columns", "delete_where", "delete_cascade"}
    for key in sorted(unknown):
        col.error(
            "unknown-key",
            f"unknown key {key!r} in a table rule",
            line_of(raw, key),
            f"{table}.{key}",
            "allowed: columns, delete_where, delete_cascade",
        )
    delete_where = raw.get("delete_where")
    if delete_where is not None and not isinstance(delete_where, str):
        col.error(
            "invalid-value",
            "delete_where must be an SQL condition string",
            line_of(raw, "delete_where"),
            f"{table}.delete_where",
        )
        delete_where = None
    cascade = raw.get("delete_cascade", False)
    if not isinstance(cascade, bool) or (cascade and delete_where is None):
        col.error(
            "invalid-value",
            "delete_cascade: true needs a delete_where beside it"
            if isinstance(cascade, bool)
            else "delete_cascade must be true or false",
            line_of(raw, "delete_cascade"),
            f"{table}.delete_cascade",
        )
        cascade = False
    columns_raw = raw.get("columns") or {}
    if not isinstance(columns_raw, dict):
        col.error(
            "invalid-value",
            "columns must be a mapping of column: strategy",
            line_of(raw, "columns"),
            f"{table}.columns",
        )
        return None
    columns: dict[str, ColumnRule] = {}
    for column, rule_raw in columns_raw.items():
        rule = _column_rule(col, table, str(column), rule_raw, columns_raw)
        if rule is not None:
            columns[str(column)] = rule
    where = str(delete_where) if delete_where else None
    return TableRule(table, "mask", columns, where, origin, delete_cascade=cascade)


def load_rule_file(path: Path) -> tuple[RuleSet | None, list[Finding]]:
    """Parse one rules file; returns the RuleSet (None when unusable) and every finding."""
    col = _Collector(path)
    try:
        doc = load_located(path)
    except YamlLoadError as exc:
        return None, [exc.finding]
    if not isinstance(doc, dict):
        col.error("invalid-value", "a rules file is a mapping (version, database, tables)", 1)
        return None, col.findings
    try:
        header = Header.model_validate(_plain(doc))
    except ValidationError as exc:
        _pydantic_findings(col, exc, doc, "")
        return None, col.findings
    col.locale = header.defaults.locale or ()
    tables_raw = doc.get("tables") or LocatedDict()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rules = RuleSet(
        files=[path],
        database=header.database,
        unlisted_columns=header.defaults.unlisted_columns,
        seed_env=header.defaults.seed_env,
        isolate=header.isolate,
        digest=digest,
        file_digests=[digest],
        large_objects=header.large_objects,
        large_objects_origin=Origin(
            str(path), line_of(doc, "large_objects") if "large_objects" in doc else 1
        ),
        seed_env_origin=_seed_env_origin(path, doc, header),
        database_origin=Origin(str(path), line_of(doc, "database")) if header.database else None,
    )
    for name, raw in tables_raw.items():
        rule = _table_rule(col, str(name), raw, tables_raw)
        if rule is None:
            continue
        rule = replace(rule, unlisted_columns=header.defaults.unlisted_columns)
        if rule.table in rules.tables:
            col.error(
                "duplicate-table", f"{rule.table} is listed twice", rule.origin.line, rule.table
            )
        rules.tables[rule.table] = rule
    return rules, col.findings


def _seed_env_origin(path: Path, doc: Any, header: Header) -> Origin | None:
    """Where the file sets defaults.seed_env; None when it leaves the default."""
    if "seed_env" not in header.defaults.model_fields_set:
        return None
    defaults = doc.get("defaults")
    return Origin(str(path), line_of(defaults, "seed_env") or line_of(doc, "defaults"))


def load_rules(paths: Sequence[Path]) -> RuleSet:
    """Load and merge the rule files of one database, or raise RulesError with every finding."""
    if not paths:
        raise RulesError([Finding("no-rules", "no rules file given")])
    findings: list[Finding] = []
    merged: RuleSet | None = None
    for path in paths:
        rules, found = load_rule_file(path)
        findings.extend(found)
        if rules is None:
            continue
        if merged is None:
            merged = rules
            continue
        _merge(merged, rules, findings)
    if findings or merged is None:
        raise RulesError(findings)
    return merged


def _merge(into: RuleSet, other: RuleSet, findings: list[Finding]) -> None:
    if other.database and into.database and other.database != into.database:
        findings.append(
            Finding(
                "database-mismatch",
                f"rules for database {other.database!r} mixed with rules for {into.database!r}",
                location=Location(
                    str(other.files[0]),
                    other.database_origin.line if other.database_origin else 1,
                    "database",
                ),
            )
        )
    for table, rule in other.tables.items():
        if table in into.tables:
            first = into.tables[table].origin
            findings.append(
                Finding(
                    "duplicate-table",
                    f"{table} is also listed at {first.file}:{first.line}",
                    location=Location(rule.origin.file, rule.origin.line, table),
                )
            )
        into.tables[table] = rule
    if other.large_objects and into.large_objects not in (None, other.large_objects):
        here, there = other.large_objects_origin, into.large_objects_origin
        findings.append(
            Finding(
                "conflict",
                f"large_objects: {other.large_objects} here, {into.large_objects} at "
                f"{there.file}:{there.line}",
                location=Location(here.file, here.line, "large_objects"),
            )
        )
    if into.large_objects is None and other.large_objects is not None:
        into.large_objects = other.large_objects
        into.large_objects_origin = other.large_objects_origin
    _merge_defaults(into, other, findings)
    into.files.extend(other.files)
    if into.database is None and other.database is not None:
        into.database, into.database_origin = other.database, other.database_origin
    # the same files in any order are the same rules (`verify b.yaml a.yaml` after
    # `anonymize a.yaml b.yaml` was refused as other rules)
    into.file_digests.extend(other.file_digests)
    into.digest = hashlib.sha256("".join(sorted(into.file_digests)).encode()).hexdigest()


def _merge_defaults(into: RuleSet, other: RuleSet, findings: list[Finding]) -> None:
    """Merge the files' `defaults` (and `isolate`) so their order never matters:
    unlisted_columns is each file's for its own tables (TableRule) and the strictest for
    the rest; what any file isolates is isolated; one run has one seed, so the files
    that name its variable must name the same."""
    if "fail" in (into.unlisted_columns, other.unlisted_columns):
        into.unlisted_columns = "fail"
    into.isolate = _union(into.isolate, other.isolate)
    here, there = other.seed_env_origin, into.seed_env_origin
    if here is not None and there is not None and other.seed_env != into.seed_env:
        findings.append(
            Finding(
                "conflict",
                f"defaults.seed_env: {other.seed_env} here, {into.seed_env} at "
                f"{there.file}:{there.line}",
                location=Location(here.file, here.line, "defaults.seed_env"),
                hint="the files of one database are masked with one seed: name one variable",
            )
        )
    elif here is not None and there is None:
        into.seed_env, into.seed_env_origin = other.seed_env, here


def _union(one: Isolation, other: Isolation) -> Isolation:
    """Everything either isolation drops (`all` covers any list)."""

    def both(a: list[str] | Literal["all"], b: list[str] | Literal["all"]) -> Any:
        return "all" if "all" in (a, b) else sorted({*a, *b})

    return Isolation(
        drop_foreign_servers=both(one.drop_foreign_servers, other.drop_foreign_servers),
        drop_publications=both(one.drop_publications, other.drop_publications),
        drop_subscriptions=both(one.drop_subscriptions, other.drop_subscriptions),
        unschedule_cron_jobs=one.unschedule_cron_jobs or other.unschedule_cron_jobs,
    )
