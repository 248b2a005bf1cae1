"""Kept columns whose values now look personal: the data changed since `rules init`.

Rules are written once and reviewed, data keeps changing: a table empty when `rules
init` sampled it got `keep` on every column, and names, emails and phones inserted
later passed anonymize and verify untouched (the leak checks look at masked columns
only). So verify samples the clone's kept text and JSON columns with rules init's own
sampler and judges each with its own per-column judgement (propose_column): a column
rules init would now mask is a warning, with the rule's file:line. A column it would
keep as well is never named, so a fresh rules file on unchanged data warns of nothing.

A column kept on purpose after review (support agents' work addresses, companies'
public names) says so in its rule, `{strategy: keep, reviewed: "why"}`, and is not
judged: warned of every night, it taught people to pass over the warning.

Bounded like rules init (the sampler's row cap and statement timeout), only tables
holding such kept columns, small tables sampled together, spread over the sessions;
each group of tables is told to the progress display as verify's other checks are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.anonymize.told import OnCheck, Told
from dbrefresh.catalog import Catalog, Table
from dbrefresh.findings import Finding, Severity, rule_location
from dbrefresh.rules.model import Origin, RuleSet, TableRule
from dbrefresh.rules.propose import propose_column
from dbrefresh.rules.propose_keys import key_columns
from dbrefresh.rules.sample import (
    add_sampled,
    sample_values,
    sampled_list,
    sampled_rows,
    spread_sample,
)
from dbrefresh.rules.sampled import sampled_columns
from dbrefresh.spread import spread
from dbrefresh.strategies.keep import KeepParams
from dbrefresh.strategies.registry import all_strategies

SAMPLE_ROWS = 1000  # as `rules init` samples (generate_rules): the same judgement
BATCH_VALUES = 20_000  # values sampled by one statement, at most (a bound on memory)
BATCH_TABLES = 200  # tables sampled by one statement, at most (a bound on its planning)
# Rows a table is counted as at least: an estimate of 0 may be stale (the table analyzed
# while empty, as the one rules init saw, and filled since)
MIN_ROWS = 100


@dataclass(frozen=True)
class KeptColumns:
    """A table's kept columns worth sampling, each with where its rule was written."""

    table: str
    origins: dict[str, str | None]


@dataclass
class Drift:
    """What the judgement of kept columns found, and what it passed over."""

    warnings: list[Finding] = field(default_factory=list)
    reviewed: int = 0  # kept columns it would have judged, but their rule says reviewed


def _where(origin: Origin) -> str:
    return f"{origin.file}:{origin.line}" if origin.line else origin.file


def _reviewed(rule: TableRule | None, column: str) -> bool:
    """Whether the column's own rule says it is kept after a review (KeepParams)."""
    own = rule.columns.get(column) if rule is not None else None
    return own is not None and isinstance(own.params, KeepParams) and bool(own.params.reviewed)


def _kept(rule: TableRule | None, table: Table, unlisted: str) -> dict[str, str | None]:
    """Every column of the table the rule keeps, with its rule's place."""
    if rule is None:  # no file lists the table: kept only under unlisted_columns: keep
        return {c: None for c in table.columns} if unlisted == "keep" else {}
    if rule.action == "truncate":
        return {}
    if rule.action == "keep":
        return {c: _where(rule.origin) for c in table.columns}
    kept: dict[str, str | None] = {}
    for column in table.columns:
        own = rule.columns.get(column)
        if own is not None and own.strategy == "keep":
            kept[column] = _where(own.origin)
        elif own is None and rule.unlisted_columns == "keep":
            kept[column] = _where(rule.origin)
    return kept


def kept_columns(rules: RuleSet, catalog: Catalog) -> tuple[list[KeptColumns], int]:
    """The root tables (partitions are sampled through them, as rules init does) with
    kept columns rules init judges by their values, and how many such columns are left
    out as reviewed. Columns linked by a foreign key are left out too: rules init keeps
    a whole key group when its members cannot be masked alike, which no one column's
    values decide."""
    linked = {(catalog.root_of(fk.table), c) for fk in catalog.foreign_keys for c in fk.columns}
    linked |= {
        (catalog.root_of(fk.ref_table), c) for fk in catalog.foreign_keys for c in fk.ref_columns
    }
    out = []
    reviewed = 0
    for name in sorted(catalog.tables):
        table = catalog.tables[name]
        if table.parent is not None:
            continue
        rule = rules.tables.get(name)
        kept = _kept(rule, table, rules.unlisted_columns)
        origins = {
            c: kept[c] for c in sampled_columns(table) if c in kept and (name, c) not in linked
        }
        passed = [c for c in origins if _reviewed(rule, c)]
        reviewed += len(passed)
        origins = {c: origin for c, origin in origins.items() if c not in passed}
        if origins:
            out.append(KeptColumns(name, origins))
    return out, reviewed


def _batches(catalog: Catalog, tables: list[KeptColumns]) -> list[list[KeptColumns]]:
    """Tables grouped for one sampling statement each: a statement per small table made
    the round trips cost more than the sampling (2,000 tenant tables: 4.6 s). A group
    holds at most BATCH_VALUES values (rows times columns, the row estimate capped at
    the sample), so a big table is sampled on its own."""
    out: list[list[KeptColumns]] = []
    budget = 0
    for kept in tables:
        rows = catalog.tables[kept.table].estimated_rows
        rows = SAMPLE_ROWS if rows < 0 else min(max(rows, MIN_ROWS), SAMPLE_ROWS)
        values = len(kept.origins) * rows
        if not out or budget + values > BATCH_VALUES or len(out[-1]) >= BATCH_TABLES:
            out.append([])
            budget = 0
        out[-1].append(kept)
        budget += values
    return out


def _sample(
    conn: psycopg.Connection[Any], catalog: Catalog, batch: list[KeptColumns]
) -> dict[str, dict[str, list[str]]]:
    """rules init's sample of each table's kept columns, in one statement: a row per
    table, tagged with its place in the batch, its sampled rows as JSON arrays."""
    parts = [
        sql.SQL("SELECT {i}, json_agg(json_build_array({values})) FROM {rows} AS _dbr_s").format(
            i=sql.Literal(i),
            values=sampled_list(catalog.tables[k.table], list(k.origins)),
            rows=spread_sample(catalog.tables[k.table], SAMPLE_ROWS),
        )
        for i, k in enumerate(batch)
    ]
    found: dict[str, dict[str, list[str]]] = {k.table: {c: [] for c in k.origins} for k in batch}
    for i, rows in sampled_rows(conn, sql.SQL(" UNION ALL ").join(parts)):
        for values in rows or ():  # (NULL: no rows)
            add_sampled(found[batch[i].table], list(batch[i].origins), values)
    return found


def _judge(
    conn: psycopg.Connection[Any],
    catalog: Catalog,
    batch: list[KeptColumns],
    keys: set[tuple[str, str]],
    kept_alike: set[Hashable],
) -> list[Finding]:
    try:
        samples = _sample(conn, catalog, batch)
    except psycopg.Error:  # one table refused (no SELECT right, a timeout): one by one
        samples = {}
        for kept in batch:
            try:
                samples[kept.table] = sample_values(
                    conn, catalog.tables[kept.table], list(kept.origins), SAMPLE_ROWS
                )
            except psycopg.Error:  # rules init judges such a table by its names only
                continue
    return [
        warning
        for kept in batch
        if kept.table in samples
        for warning in _warnings(
            catalog.tables[kept.table], kept, samples[kept.table], keys, kept_alike
        )
    ]


def _seen(table: Table, column: str, values: list[str], is_key: bool) -> Hashable:
    """All propose_column's verdict depends on, but the schema (its judgements read the
    table's own name): the same table in every tenant's schema holding the same values
    (a lookup table's rows) is judged once. Judging every column of 2,000 tenant tables
    cost 2-3 s of CPU; the sample itself, 0.3 s."""
    shape = tuple((c.name, c.type, c.not_null, c.generated) for c in table.columns.values())
    digest = hashlib.blake2b("\x00".join(values).encode(), digest_size=16).digest()
    return (
        table.name,
        shape,
        frozenset(table.unique_columns()),
        tuple(table.partition_key),
        column,
        is_key,
        len(values),
        digest,
    )


def _warnings(
    table: Table,
    kept: KeptColumns,
    samples: dict[str, list[str]],
    keys: set[tuple[str, str]],
    kept_alike: set[Hashable],
) -> list[Finding]:
    strategies = _strategies()
    warnings = []
    for column, origin in kept.origins.items():
        if not samples.get(column):
            continue
        is_key = (kept.table, column) in keys
        seen = _seen(table, column, samples[column], is_key)
        if seen in kept_alike:
            continue
        proposal = propose_column(
            table, table.columns[column], samples[column], strategies, is_key=is_key
        )
        if not proposal.masked:
            kept_alike.add(seen)
            continue
        name = f"{kept.table}.{column}"
        why = "; ".join(w for w in proposal.why if w) or "its values"
        warnings.append(
            Finding(
                "kept-looks-personal",
                "kept, but its values now look personal: rules init would "
                f"propose {proposal.strategy} ({why})",
                severity=Severity.WARNING,
                location=rule_location(origin, name),
                hint="mask it (`dbrefresh rules init` on the current data shows its "
                "proposal), or, if these values identify no one, say why in its rule: "
                '{strategy: keep, reviewed: "..."}',
            )
        )
    return warnings


_STRATEGIES: dict[str, Any] = {}


def _strategies() -> Mapping[str, Any]:
    if not _STRATEGIES:
        _STRATEGIES.update((s.name, s) for s in all_strategies())
    return _STRATEGIES


def _label(batch: list[KeptColumns]) -> str:
    """What the progress display shows while a group of tables is judged."""
    more = f" and {len(batch) - 1} more table(s)" if len(batch) > 1 else ""
    return f"kept columns of {batch[0].table}{more}"


def drift_check(
    open_session: Callable[[], psycopg.Connection[Any]],
    rules: RuleSet,
    catalog: Catalog,
    workers: int = 1,
    on_check: OnCheck | None = None,
) -> Drift:
    """A warning per kept column whose sampled values rules init would now mask, but
    for those reviewed. `on_check(what, done, total)` hears of each group of tables as
    it starts and ends (verify's progress display)."""
    tables, reviewed = kept_columns(rules, catalog)
    keys = key_columns(catalog)
    kept_alike: set[Hashable] = set()  # what propose_column kept (_seen), across sessions
    batches = _batches(catalog, tables)
    told = Told(on_check, len(batches))

    def task(batch: list[KeptColumns]) -> Callable[[psycopg.Connection[Any]], list[Finding]]:
        return told.task(_label(batch), lambda c: _judge(c, catalog, batch, keys, kept_alike))

    parts = spread(open_session, [task(b) for b in batches], workers)
    return Drift([w for part in parts for w in part], reviewed)
