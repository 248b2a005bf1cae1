"""Hits + sizes + trace measurements + thresholds -> findings and a pass/fail verdict.

Severity of a hit (rules.py says each rule's kind):
- always: error.  advisory: warning.
- weighted, sizes unknown (no --dsn): error, since nothing shows the table is small;
  hits that only matter when big (UPDATE with a WHERE) are dropped.
- weighted, sizes known: heavy -> error, warn -> warning, light -> info.
- weighted, traced: the measurement decides, for statements the trace ran and rules
  whose danger it measures (Rule.traceable; also for a table staging lacks, once the
  statement ran without failing; one that failed stays an error, and statements after
  it, never run, keep their static severity). The
  hit becomes a warning (heavy/warn) or info (a claimed rewrite the trace did not see
  is dropped; one it saw that nothing claimed is a finding), and the trace adds errors
  for a blocking lock held longer than
  max_lock_seconds, for write probes blocked longer than max_lock_seconds (probe.py),
  for a migration longer than max_total_seconds, and for a statement that failed (said
  to maybe come from masking when it involves what staging's masking changed).
The verdict fails when any finding is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast

from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.gate.alter import NOT_NULL_NO_DEFAULT
from dbrefresh.gate.analyze import Analysis
from dbrefresh.gate.datachange import UNBATCHED, judge_change, measured_rows, rows_weight
from dbrefresh.gate.masking import Masking
from dbrefresh.gate.model import Classified, Hit, Statement
from dbrefresh.gate.nearlimit import near_lock, near_total
from dbrefresh.gate.rules import RULES, eugene_ids
from dbrefresh.gate.trace import StatementTrace, TraceResult
from dbrefresh.gate.weigh import Size, Sizes, Thresholds, Weight


@dataclass(frozen=True)
class Limits:
    """Verdict thresholds on measured behaviour (trace)."""

    max_lock_seconds: float = 5.0
    """Longest a lock that blocks reads or writes may be held."""
    max_total_seconds: float = 180.0
    """Longest the whole migration may take."""


@dataclass(frozen=True)
class GateFinding:
    finding: Finding
    statement: int | None  # index of the statement it concerns
    text: str  # the statement (shortened)
    eugene: tuple[str, ...] = ()


@dataclass
class StatementReport:
    classified: Classified
    weight: Weight
    size: Size | None
    trace: StatementTrace | None
    rules: list[str] = field(default_factory=list)


@dataclass
class GateResult:
    statements: list[StatementReport]
    findings: list[GateFinding]
    trace: TraceResult | None
    notes: list[str]

    @property
    def passed(self) -> bool:
        return not any(f.finding.severity is Severity.ERROR for f in self.findings)

    @property
    def heavy(self) -> bool:
        return any(s.weight == "heavy" for s in self.statements)

    @property
    def unknown(self) -> bool:
        """Some statement could not be weighed (a table missing on staging)."""
        return any(s.weight == "unknown" for s in self.statements)


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# An opaque statement the trace ran: "give the gate --dsn" told a user who had.
OPAQUE_TRACED = (
    "it was traced: its locks and duration were measured, and any too long is a "
    "trace finding of its own"
)


def _finding(
    c: Classified,
    hit: Hit,
    severity: Severity,
    extra: str = "",
    traced: bool = False,
    why: tuple[str, str] | None = None,
) -> GateFinding:
    """`why`: (why, instead) in place of the rule's own texts."""
    rule = RULES[hit.rule]
    stmt = c.statement
    hint = OPAQUE_TRACED if traced and hit.rule == "opaque-statement" else rule.instead
    reason, hint = why or (hit.why or rule.why, hint)
    return GateFinding(
        Finding(
            code=hit.rule,
            message=f"{hit.detail}: {reason}{extra}",
            severity=severity,
            location=Location(file=stmt.file, line=stmt.line),
            hint=hint,
        ),
        stmt.index,
        _short(stmt.text),
        eugene_ids(hit.rule, stmt.suppressed),
    )


# Rules that say the statement rewrites its table: a trace in which the statement ran
# and no relation got a new file disproves them (PostgreSQL found a cheaper way).
REWRITE_CLAIMS = frozenset(
    {
        "column-type-rewrite",
        "table-rewrite",
        "add-column-rewrite",
        "vacuum-full-rewrite",
        "cluster-rewrite",
        "collation-change-rebuilds-index",
        "type-change-rebuilds-index",
    }
)


def _disproved(hit: Hit, measured: StatementTrace | None) -> bool:
    return (
        hit.rule in REWRITE_CLAIMS
        and measured is not None
        and measured.error is None
        and not measured.rewritten
    )


_BY_WEIGHT = {"heavy": Severity.ERROR, "warn": Severity.WARNING, "light": Severity.INFO}


def _severity(kind: str, weight: Weight, traced: bool, ran: bool = False) -> Severity:
    """`ran`: the trace ran the statement and it did not fail."""
    if kind == "always":
        return Severity.ERROR
    if kind == "advisory":
        return Severity.WARNING
    if weight == "unknown":  # the measurement decides once the statement ran
        return Severity.WARNING if traced and ran else Severity.ERROR
    if traced:
        return Severity.INFO if weight == "light" else Severity.WARNING
    return _BY_WEIGHT[weight]


def judge(
    analysis: Analysis,
    *,
    sizes: Sizes | None = None,
    trace: TraceResult | None = None,
    thresholds: Thresholds | None = None,
    limits: Limits | None = None,
    notes: list[str] | None = None,
    masking: Masking | None = None,
) -> GateResult:
    """`masking`: what staging's masking changed (a failure involving it is not claimed
    to happen on production)."""
    thresholds = thresholds or Thresholds()
    limits = limits or Limits()
    reports: list[StatementReport] = []
    findings: list[GateFinding] = []
    for c in analysis.statements:
        weight: Weight = sizes.weigh(c, None, thresholds) if sizes else "unknown"
        measured = trace.statements.get(c.statement.index) if trace else None
        report = StatementReport(c, weight, sizes.of(c) if sizes else None, measured)
        by_rows = False
        for hit in c.hits:
            hit_weight = sizes.weigh(c, hit, thresholds) if sizes else "unknown"
            if hit.rule == UNBATCHED:
                change = judge_change(c, hit, hit_weight, sizes, measured, thresholds, bool(trace))
                if change is None:
                    continue
                hit, hit_weight, by_rows = change
            elif (hit.needs_size and hit_weight in ("unknown", "light")) or _disproved(
                hit, measured
            ):
                continue
            ran = measured is not None and measured.error is None
            # only what the trace ran, and a danger it measures, is re-judged by it
            judged = measured is not None and RULES[hit.rule].traceable
            severity = _severity(RULES[hit.rule].kind, hit_weight, judged, ran)
            weighted = RULES[hit.rule].kind == "weighted"
            extra = f" [{hit_weight}]" if sizes and weighted else ""
            lacking = sizes.missing(c, (*c.tables, *hit.tables)) if sizes else []
            if hit.rule == NOT_NULL_NO_DEFAULT and hit_weight == "heavy":
                extra = " [the table has rows on staging]"
            if lacking and weighted and not by_rows:
                extra = f" [unknown: {', '.join(lacking)} not found on staging]"
            findings.append(_finding(c, hit, severity, extra, traced=measured is not None))
            report.rules.append(hit.rule)
        rows = measured_rows(measured)
        if rows is not None:  # a data change weighs what it changed, not what was guessed
            report.weight = rows_weight(rows, thresholds)
        if measured is not None:
            unclaimed = _unclaimed_rewrite(c, measured, sizes, thresholds)
            if unclaimed is not None:
                findings.append(unclaimed)
                report.rules.append(unclaimed.finding.code)
            findings.extend(_measured(c, measured, limits, report, masking))
        reports.append(report)
    notes = list(notes or [])
    if trace is not None:
        findings.extend(_trace_totals(trace, limits, analysis))
        notes += _untraced_note(trace, analysis)
    if sizes is not None:
        absent = {t: None for c in analysis.statements for t in sizes.missing(c)}
        if absent:
            notes.insert(
                0,
                f"not found on staging (and not created by the migration): "
                f"{', '.join(absent)}; statements on them weigh as unknown",
            )
    return GateResult(reports, findings, trace, notes)


# Hits that account for relations getting a new file (besides REWRITE_CLAIMS).
_REBUILD_CLAIMS = REWRITE_CLAIMS | {"reindex-blocks", "refresh-matview-blocks"}


def _unclaimed_rewrite(
    c: Classified, m: StatementTrace, sizes: Sizes | None, thresholds: Thresholds
) -> GateFinding | None:
    """A rewrite or rebuild the trace measured that no hit of the statement claimed (the
    analysis missed it): a finding weighed by the statement's tables. TRUNCATE's new
    files are empty, REINDEX CONCURRENTLY's built beside the old: nothing waited."""
    if m.error is not None or not m.rewritten or c.kind in ("TRUNCATE", "REINDEX CONCURRENTLY"):
        return None
    if any(h.rule in _REBUILD_CLAIMS for h in c.hits):
        return None
    # the statement's tables, or (a DO block names none) the tables it rewrote
    named = sizes.of(c) if sizes is not None and c.tables else Size(0, 0)
    rows = max(named.rows, m.rewritten_size[0])
    size = max(named.bytes, m.rewritten_size[1])
    if rows >= thresholds.heavy_rows or size >= thresholds.heavy_bytes:
        weight = "heavy"
    else:
        weight = "warn" if rows >= thresholds.warn_rows else "light"
    hit = Hit(
        "trace-unclaimed-rewrite",
        f"rewrote {', '.join(m.rewritten)} (measured), which the analysis did not expect",
        c.tables,
    )
    severity = Severity.INFO if weight == "light" else Severity.WARNING
    return _finding(c, hit, severity, f" [{weight}]", traced=True)


def _untraced_note(trace: TraceResult, analysis: Analysis) -> list[str]:
    """The trace stops at a failure: statements after it were not measured, so their
    findings keep their static severity."""
    failed = trace.failed
    if failed is None:
        return []
    later = [
        c
        for c in analysis.statements
        if c.statement.index > failed.index
        and not isinstance(c.statement.node, ast.TransactionStmt)
    ]
    if not later:
        return []
    stmt = next(c.statement for c in analysis.statements if c.statement.index == failed.index)
    scripts = list(dict.fromkeys(c.statement.script for c in later))
    return [
        f"the trace stopped at {stmt.file}:{stmt.line} (it failed there): "
        f"{len(later)} later statement(s) ({', '.join(scripts)}) were not traced, "
        "their findings keep their static severity"
    ]


def _masked_failure(involved: list[str]) -> tuple[str, str]:
    return (
        f"staging is a masked copy and this statement involves {', '.join(involved)}, "
        "which masking changed (dbrefresh.masked_relations): the failure may come from "
        "the masked values (a many-to-one strategy makes duplicates, a subset removes "
        "rows) and not from production's data, where it may well succeed",
        "check the statement's condition on production itself (duplicates, missing "
        "references), or keep what it needs in the rules (a unique strategy for a "
        "unique index); if production is fine, `-- gate: ignore trace-failed` before it",
    )


def _measured(
    c: Classified,
    m: StatementTrace,
    limits: Limits,
    report: StatementReport,
    masking: Masking | None = None,
) -> list[GateFinding]:
    out: list[GateFinding] = []
    near = near_lock(m, limits.max_lock_seconds) if m.error is None else None
    if near is not None:
        out.append(_finding(c, near, Severity.WARNING))
        report.rules.append(near.rule)
    if m.blocking_lock is not None and m.longest_blocking_hold > limits.max_lock_seconds:
        relation, mode = m.blocking_lock
        hit = Hit(
            "trace-lock-held",
            f"{mode.sql_name} on {relation} held "
            f"{m.longest_blocking_hold:.2f}s (limit {limits.max_lock_seconds:g}s)",
        )
        out.append(_finding(c, hit, Severity.ERROR))
        report.rules.append(hit.rule)
    p = m.probes
    if p.reads_blocked or p.writes_blocked:
        reads = (
            f"reads waited up to {p.read_wait:.2f}s ({p.reads_blocked} probe(s) blocked)"
            if p.reads_blocked
            else "reads went on"
        )
        writes = (
            f"writes waited up to {p.write_wait:.2f}s ({p.writes_blocked} probe(s) blocked)"
            if p.writes_blocked
            else "writes went on"
        )
        too_long = p.write_wait > limits.max_lock_seconds
        hit = Hit(
            "trace-queries-blocked",
            f"on {', '.join(p.tables)}: {writes}, {reads} "
            f"(limit for writes {limits.max_lock_seconds:g}s)",
        )
        out.append(_finding(c, hit, Severity.ERROR if too_long else Severity.INFO))
        report.rules.append(hit.rule)
    if m.error is not None:
        hit = Hit("trace-failed", m.error)
        involved = masking.involved(c) if masking is not None else []
        why = _masked_failure(involved) if involved else None
        out.append(_finding(c, hit, Severity.ERROR, why=why))
        report.rules.append(hit.rule)
    return out


def _whole(code: str, message: str, first: Statement, severity: Severity) -> GateFinding:
    """A finding about the whole migration (reported at its first file)."""
    rule = RULES[code]
    return GateFinding(
        Finding(code, message, severity, Location(file=first.file), rule.instead),
        None,
        "(whole migration)",
    )


def _trace_totals(trace: TraceResult, limits: Limits, analysis: Analysis) -> list[GateFinding]:
    if not analysis.statements:
        return []
    first = analysis.statements[0].statement
    near = near_total(trace.total_seconds, limits.max_total_seconds)
    if near is not None:
        message = f"{near.detail}: {RULES[near.rule].why}"
        return [_whole(near.rule, message, first, Severity.WARNING)]
    if trace.total_seconds <= limits.max_total_seconds:
        return []
    message = (
        f"migration took {trace.total_seconds:.1f}s (limit {limits.max_total_seconds:g}s): "
        f"{RULES['trace-total-duration'].why}"
    )
    return [_whole("trace-total-duration", message, first, Severity.ERROR)]
