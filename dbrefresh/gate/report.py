"""GateResult -> text (logs), JSON (machines), Markdown (PR comment), JUnit XML (Jenkins).

Findings are rendered by dbrefresh.findings where its shape fits (JUnit, the Markdown
findings table); the statement table and the JSON statement list are gate-specific.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from dbrefresh.errors import UsageError
from dbrefresh.findings import Finding, Severity, render_junit, render_markdown
from dbrefresh.gate.verdict import GateFinding, GateResult, StatementReport

FORMATS: tuple[str, ...] = ("text", "json", "markdown", "junit")


def _verdict(result: GateResult) -> str:
    return "pass" if result.passed else "fail"


def _counts(result: GateResult) -> str:
    count = {s: sum(f.finding.severity is s for f in result.findings) for s in Severity}
    return (
        f"{count[Severity.ERROR]} error(s), {count[Severity.WARNING]} warning(s), "
        f"{count[Severity.INFO]} info"
    )


def _statement_dict(s: StatementReport) -> dict[str, Any]:
    c = s.classified
    out: dict[str, Any] = {
        "index": c.statement.index,
        "file": c.statement.file,
        "script": c.statement.script,
        "line": c.statement.line,
        "kind": c.kind,
        "statement": c.statement.text,
        "lock_mode": c.lock.sql_name if c.lock else None,
        "blocks": c.effective_blocks.label,
        "work": c.work.value,
        "tables": list(c.tables),
        "in_transaction": c.in_transaction,
        "weight": s.weight,
        "heavy": None if s.weight == "unknown" else s.weight == "heavy",
        "rows": s.size.rows if s.size else None,
        "bytes": s.size.bytes if s.size else None,
        "rules": s.rules,
    }
    if s.trace is not None:
        t = s.trace
        out["trace"] = {
            "seconds": round(t.seconds, 4),
            "locks": [{"relation": r, "mode": m.sql_name} for r, m in t.locks],
            "rewritten": t.rewritten,
            "longest_blocking_lock_seconds": round(t.longest_blocking_hold, 4),
            "blocking_lock": (
                {"relation": t.blocking_lock[0], "mode": t.blocking_lock[1].sql_name}
                if t.blocking_lock
                else None
            ),
            "error": t.error,
            "rows_changed": t.rows,
            "blocked_queries": _blocked_dict(s),
        }
    return out


def _blocked_dict(s: StatementReport) -> dict[str, Any]:
    assert s.trace is not None
    p = s.trace.probes
    return {
        "reads": {
            "probes": p.read_probes,
            "blocked": p.reads_blocked,
            "max_wait_seconds": round(p.read_wait, 4),
        },
        "writes": {
            "probes": p.write_probes,
            "blocked": p.writes_blocked,
            "max_wait_seconds": round(p.write_wait, 4),
        },
        "tables": p.tables,
        "waited_on_earlier_statement": p.shadowed,
    }


def _blocked_text(s: StatementReport) -> str:
    """'reads blocked 1.20s (23 probes), writes blocked 1.20s (23 probes)' or ''."""
    assert s.trace is not None
    p = s.trace.probes
    parts = []
    if p.reads_blocked:
        parts.append(f"reads blocked {p.read_wait:.2f}s ({p.reads_blocked} probes)")
    if p.writes_blocked:
        parts.append(f"writes blocked {p.write_wait:.2f}s ({p.writes_blocked} probes)")
    return ", ".join(parts)


def render_json(result: GateResult) -> str:
    findings = []
    for f in result.findings:
        data = f.finding.to_dict()
        data.update(statement_index=f.statement, statement=f.text, eugene=list(f.eugene))
        findings.append(data)
    doc = {
        "verdict": _verdict(result),
        "traced": result.trace is not None,
        "total_seconds": round(result.trace.total_seconds, 4) if result.trace else None,
        "notes": result.notes,
        "probed_tables": result.trace.probed if result.trace else None,
        "probe_lock_timeout_seconds": result.trace.probe_timeout if result.trace else None,
        "statements": [_statement_dict(s) for s in result.statements],
        "findings": findings,
    }
    return json.dumps(doc, indent=2)


def render_text(result: GateResult) -> str:
    lines = []
    for f in result.findings:
        fd = f.finding
        lines.append(f"{fd.severity.value}: {fd.location.render()}: [{fd.code}] {fd.message}")
        lines.append(f"    statement: {f.text}")
        if fd.hint:
            lines.append(f"    instead:   {fd.hint}")
    for s in result.statements:
        blocked = _blocked_text(s) if s.trace is not None else ""
        if s.trace is not None and (s.trace.seconds >= 0.1 or s.trace.rewritten or blocked):
            t = s.trace
            held = (
                f", {t.blocking_lock[1].sql_name} on {t.blocking_lock[0]} held "
                f"{t.longest_blocking_hold:.2f}s"
                if t.blocking_lock
                else ""
            )
            rewritten = f", rewrote {', '.join(t.rewritten)}" if t.rewritten else ""
            if blocked:
                rewritten += f", {blocked}"
            elif t.probes.shadowed:
                rewritten += ", traffic still waited on an earlier statement's lock"
            elif t.probes.read_probes or t.probes.write_probes:
                rewritten += ", reads and writes went on"
            if t.blocking_lock and result.trace and t.blocking_lock[0] not in result.trace.probed:
                # a table named only inside a DO block or a function: no probe tried it
                rewritten += f" ({t.blocking_lock[0]} not probed)"
            where = f"{s.classified.statement.file}:{s.classified.statement.line}"
            lines.append(f"trace: {where}: {s.classified.kind} {t.seconds:.2f}s{held}{rewritten}")
    lines += [f"note: {n}" for n in result.notes]
    lines.append(
        f"gate: {_verdict(result).upper()} ({_counts(result)}; "
        f"{len(result.statements)} statement(s))"
    )
    return "\n".join(lines)


def render_md(result: GateResult) -> str:
    title = f"dbrefresh gate: {_verdict(result).upper()} ({_counts(result)})"
    parts = [render_markdown([_with_statement(f) for f in result.findings], title)]
    parts += [
        "",
        "| where | statement | lock | blocks | work | weight | measured | blocked queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in result.statements:
        c = s.classified
        if c.lock is None and not s.rules:
            continue
        measured = blocked = ""
        if s.trace is not None:
            probes = s.trace.probes
            blocked = _blocked_text(s) or (
                "an earlier statement's lock"
                if probes.shadowed
                else "none"
                if probes.read_probes or probes.write_probes
                else ""
            )
            measured = f"{s.trace.seconds:.2f}s"
            if s.trace.blocking_lock:
                measured += f", blocking lock {s.trace.longest_blocking_hold:.2f}s"
        text = " ".join(c.statement.text.split())[:80].replace("|", "\\|")
        cells = [
            f"{relative(c.statement.file)}:{c.statement.line}",
            f"`{text}`",
            c.lock.sql_name if c.lock else "",
            c.effective_blocks.label,
            c.work.value,
            s.weight,
            measured,
            blocked,
        ]
        parts.append("| " + " | ".join(cells) + " |")
    parts += ["", *[f"- {n}" for n in result.notes]]
    return "\n".join(parts)


def relative(path: str) -> str:
    """A path under the current directory, relative to it: CI runs in its workspace, and
    `/var/lib/jenkins/workspace/app/db/V1__x.sql` in a test name or a PR comment only
    repeats the workspace. Other paths are left as given."""
    given = Path(path)
    if not given.is_absolute():
        return path
    try:
        return str(given.relative_to(Path.cwd()))
    except ValueError:
        return path


def _with_statement(f: GateFinding) -> Finding:
    where = f.finding.location
    return replace(
        f.finding,
        message=f"{f.finding.message} (statement: {f.text})",
        location=replace(where, file=relative(where.file) if where.file else where.file),
    )


_FAILED_RUN = {2: "usage error", 3: "staging unreachable or refusing"}


def render_junit_error(message: str, exit_code: int) -> str:
    """The gate stopped before a verdict (exit 2 or 3): one failing testcase carrying the
    error, so a CI that reads the report (Jenkins' `junit 'gate.xml'`) fails on the
    cause instead of on a missing file."""
    suite = quoteattr("dbrefresh.gate")
    name = quoteattr(f"gate {_FAILED_RUN.get(exit_code, 'error')} (exit {exit_code})")
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<testsuite name={suite} tests="1" failures="1">',
            f"  <testcase classname={suite} name={name}>",
            f"    <failure message={quoteattr(message)}>{escape(message)}</failure>",
            "  </testcase>",
            "</testsuite>",
        ]
    )


def render(result: GateResult, fmt: str) -> str:
    if fmt == "text":
        return render_text(result)
    if fmt == "json":
        return render_json(result)
    if fmt == "markdown":
        return render_md(result)
    if fmt == "junit":
        findings = [_with_statement(f) for f in result.findings]
        return render_junit(findings, "dbrefresh.gate", result.notes)
    raise UsageError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
