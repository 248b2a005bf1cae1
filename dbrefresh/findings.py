"""Findings: what every check (rules check, verify, gate) returns, and one renderer for them.

A check never stops at its first problem: it returns every finding with a severity
and a location, and the caller decides (exit code, --strict) what they mean.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file and line, and/or a dotted key (table.column)."""

    file: str | None = None
    line: int | None = None
    key: str | None = None

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.key:
            where = f"{where}: {self.key}" if where else self.key
        return where


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    hint: str | None = None

    def render(self) -> str:
        where = self.location.render()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text}; {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Errors always fail; with strict, warnings fail too."""
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(f.severity in failing for f in findings)


def render_text(findings: Sequence[Finding]) -> str:
    return "\n".join(f"{f.severity.value}: {f.render()}" for f in findings)


def rule_location(origin: str | None, key: str) -> Location:
    """A finding's location at a compiled rule's origin ('rules/shop.yaml:14', or a
    file alone), with its dotted key: JSON readers get file and line, not nulls."""
    if not origin:
        return Location(key=key)
    file, _, line = origin.rpartition(":")
    if file and line.isdigit():
        return Location(file, int(line), key)
    return Location(origin, None, key)


def render_json(findings: Sequence[Finding], **extra: object) -> str:
    return json.dumps({**extra, "findings": [f.to_dict() for f in findings]}, indent=2)


def render_markdown(findings: Sequence[Finding], title: str) -> str:
    lines = [f"### {title}", ""]
    if not findings:
        lines.append("No findings.")
        return "\n".join(lines)
    lines += ["| severity | where | code | message |", "|---|---|---|---|"]
    for f in findings:
        msg = f.message if not f.hint else f"{f.message} — {f.hint}"
        cells = [f.severity.value, f.location.render(), f.code, msg]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def render_junit(findings: Sequence[Finding], suite: str, notes: Sequence[str] = ()) -> str:
    """One testcase per finding (failures for errors); an empty suite passes. Notes (what
    was skipped, what could not be measured) go to the suite's <system-out>, where
    Jenkins' JUnit plugin shows them, one a line."""
    failures = [f for f in findings if f.severity is Severity.ERROR]
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuite name={quoteattr(suite)} tests={quoteattr(str(max(len(findings), 1)))} "
        f"failures={quoteattr(str(len(failures)))}>",
    ]
    if not findings:
        out.append(f'  <testcase classname={quoteattr(suite)} name="no findings"/>')
    for f in findings:
        name = f"{f.code} {f.location.render()}"
        out.append(f"  <testcase classname={quoteattr(suite)} name={quoteattr(name)}>")
        if f.severity is Severity.ERROR:
            out.append(
                f"    <failure message={quoteattr(f.message)}>{escape(f.render())}</failure>"
            )
        else:
            out.append(f"    <system-out>{escape(f.render())}</system-out>")
        out.append("  </testcase>")
    if notes:
        out.append(f"  <system-out>{escape(chr(10).join(notes))}</system-out>")
    out.append("</testsuite>")
    return "\n".join(out)
