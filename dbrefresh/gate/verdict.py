"""Hits + sizes + trace measurements + thresholds -> findings and a pass/fail verdict.

Severity of a hit (rules.py says each rule's kind):
- always: error.  advisory: warning.
- weighted, sizes unknown (no --dsn): error, since nothing shows the table is small;
  hits that only matter when big (UPDATE with a WHERE) are dropped.
- weighted, sizes known: heavy -> error, warn -> warning, light -> info.
- weighted, traced: the measurement decides (also for a table staging lacks, once the
  statement ran without failing; one that failed or never ran stays an error). The
  hit becomes a warning (heavy/warn) or info (a claimed rewrite the trace did not see
  is dropped), and the trace adds errors for a blocking lock held longer than
  max_lock_seconds, for write probes blocked longer than max_lock_seconds (probe.py),
  and for a migration longer than max_total_seconds.
The verdict fails when any finding is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbrefresh.findings import Finding, Location, Severity
from dbrefresh.gate.alter import NOT_NULL_NO_DEFAULT
from dbrefresh.gate.analyze import Analysis
from dbrefresh.gate.model import Classified, Hit
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
    c: Classified, hit: Hit, severity: Severity, extra: str = "", traced: bool = False
) -> GateFinding:
    rule = RULES[hit.rule]
    stmt = c.statement
    hint = OPAQUE_TRACED if traced and hit.rule == "opaque-statement" else rule.instead
    return GateFinding(
        Finding(
            code=hit.rule,
            message=f"{hit.detail}: {rule.why}{extra}",
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
) -> GateResult:
    thresholds = thresholds or Thresholds()
    limits = limits or Limits()
    reports: list[StatementReport] = []
    findings: list[GateFinding] = []
    for c in analysis.statements:
        weight: Weight = sizes.weigh(c, None, thresholds) if sizes else "unknown"
        measured = trace.statements.get(c.statement.index) if trace else None
        report = StatementReport(c, weight, sizes.of(c) if sizes else None, measured)
        for hit in c.hits:
            hit_weight = sizes.weigh(c, hit, thresholds) if sizes else "unknown"
            if (hit.needs_size and hit_weight in ("unknown", "light")) or _disproved(hit, measured):
                continue
            ran = measured is not None and measured.error is None
            severity = _severity(RULES[hit.rule].kind, hit_weight, trace is not None, ran)
            weighted = RULES[hit.rule].kind == "weighted"
            extra = f" [{hit_weight}]" if sizes and weighted else ""
            lacking = sizes.missing(c, (*c.tables, *hit.tables)) if sizes else []
            if hit.rule == NOT_NULL_NO_DEFAULT and hit_weight == "heavy":
                extra = " [the table has rows on staging]"
            if lacking and weighted:
                extra = f" [unknown: {', '.join(lacking)} not found on staging]"
            if (
                hit.needs_size
                and sizes is not None
                and c.statement.index not in sizes.explained
                and c.kind in ("UPDATE", "DELETE")
            ):
                # nothing says how many rows the WHERE selects: do not claim a number
                hit = Hit(
                    hit.rule,
                    f"{c.kind} {', '.join(c.tables)}: EXPLAIN could not plan it on staging, "
                    "weighed by the table's size",
                    hit.tables,
                    hit.needs_size,
                )
            findings.append(_finding(c, hit, severity, extra, traced=measured is not None))
            report.rules.append(hit.rule)
        if measured is not None:
            findings.extend(_measured(c, measured, limits, report))
        reports.append(report)
    if trace is not None:
        findings.extend(_trace_totals(trace, limits, analysis))
    notes = list(notes or [])
    if sizes is not None:
        absent = {t: None for c in analysis.statements for t in sizes.missing(c)}
        if absent:
            notes.insert(
                0,
                f"not found on staging (and not created by the migration): "
                f"{', '.join(absent)}; statements on them weigh as unknown",
            )
    return GateResult(reports, findings, trace, notes)


def _measured(
    c: Classified, m: StatementTrace, limits: Limits, report: StatementReport
) -> list[GateFinding]:
    out: list[GateFinding] = []
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
        out.append(_finding(c, hit, Severity.ERROR))
        report.rules.append(hit.rule)
    return out


def _trace_totals(trace: TraceResult, limits: Limits, analysis: Analysis) -> list[GateFinding]:
    if trace.total_seconds <= limits.max_total_seconds or not analysis.statements:
        return []
    first = analysis.statements[0].statement
    rule = RULES["trace-total-duration"]
    return [
        GateFinding(
            Finding(
                "trace-total-duration",
                f"migration took {trace.total_seconds:.1f}s (limit "
                f"{limits.max_total_seconds:g}s): {rule.why}",
                Severity.ERROR,
                Location(file=first.file),
                rule.instead,
            ),
            None,
            "(whole migration)",
        )
    ]
