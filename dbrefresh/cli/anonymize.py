"""Commands of the anonymization library: strategies, rules, plan, anonymize, verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from dbrefresh.anonymize import api
from dbrefresh.anonymize.verify_summary import summary
from dbrefresh.cli.app import app, console, console_err, print_table, rules_app
from dbrefresh.cli.options import (
    DsnOption,
    FormatOption,
    OptionalDsnOption,
    RulesArgument,
    SeedOption,
)
from dbrefresh.cli.signals import terminate_as_error
from dbrefresh.db import connection, dsn_database, redact_dsn
from dbrefresh.errors import RulesError, UsageError, VerdictFailed
from dbrefresh.findings import has_errors, render_json, render_text


def _check_format(fmt: str, allowed: tuple[str, ...] = ("text", "json")) -> None:
    if fmt not in allowed:
        raise UsageError(f"--format must be one of {', '.join(allowed)}, not {fmt!r}")


@app.command("strategies")
def strategies_command(fmt: FormatOption = "text") -> None:
    """List masking strategies and their parameters."""
    from dbrefresh.strategies.describe import describe_strategies

    _check_format(fmt)
    described = describe_strategies()
    if fmt == "json":
        console.print_json(json.dumps(described))
        return
    table = Table("strategy", "parameters", "lossy", "description")
    for item in described:
        params = ", ".join(
            f"{p['name']}: {p['type']}" + ("" if p["required"] else f" = {p['default']}")
            for p in item["parameters"]
        )
        table.add_row(  # escaped: rich took `list[str]` for markup and printed `list`
            item["name"],
            escape(params or "-"),
            "yes" if item["lossy"] else "no",
            escape(item["summary"]),
        )
    print_table(table)


@rules_app.command("check")
def rules_check(
    rules: RulesArgument, dsn: OptionalDsnOption = None, fmt: FormatOption = "text"
) -> None:
    """Validate rule files; with --dsn, against the live schema too."""
    from dbrefresh.rules.check import check_rule_files

    _check_format(fmt)
    findings = check_rule_files(rules, dsn)
    failed = has_errors(findings)
    if fmt == "json":
        console.print_json(render_json(findings, ok=not failed))
    elif findings:
        console_err.print(render_text(findings), markup=False, soft_wrap=True)
    if fmt != "json" and not failed:
        console.print(
            f"ok: {len(rules)} rule file(s) valid" + (f" against {redact_dsn(dsn)}" if dsn else "")
        )
    if failed:
        raise typer.Exit(2)


@rules_app.command("init")
def rules_init(
    dsn: DsnOption,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here ('-': standard output).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT.")] = False,
) -> None:
    """Write a starting rules file from a live database: every column classified."""
    from dbrefresh.anonymize.progress import CountProgress
    from dbrefresh.rules.init import generate_rules

    if output is not None and str(output) == "-":
        output = None  # as other tools read it, not a file named '-'
    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} exists; pass --force to overwrite it")
    if output is not None and not output.parent.is_dir():  # said before the sampling
        raise UsageError(f"-o {output}: directory {output.parent} does not exist")
    with connection(dsn) as conn, CountProgress("sampling", console=console_err) as progress:
        text = generate_rules(conn, database=dsn_database(dsn), on_table=progress.at)
    if output is None:
        console.print(text, markup=False, highlight=False, end="", soft_wrap=True)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"-o {output}: cannot write: {exc.strerror}") from None
        console_err.print(f"wrote {output}")


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (for editors)."""
    from dbrefresh.rules.jsonschema import rules_json_schema

    console.print_json(json.dumps(rules_json_schema()))


@app.command("plan")
def plan_command(rules: RulesArgument, dsn: DsnOption) -> None:
    """Print exactly the SQL anonymization would run (nothing is executed)."""
    plan = api.build_plan(dsn, rules)
    # soft_wrap: never break a line (a newline inside a string literal changes the SQL).
    console.print(plan.to_sql(), markup=False, highlight=False, end="", soft_wrap=True)


@app.command("mark-clone")
def mark_clone(
    dsn: DsnOption,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Recorded with the marker.")
    ] = None,
) -> None:
    """Mark a database as a disposable clone, so anonymize may rewrite it."""
    target = redact_dsn(dsn)
    if not yes and not typer.confirm(
        f"Mark {target} as a clone? Anonymization will then rewrite its data in place."
    ):
        raise typer.Exit(2)
    api.mark_clone(dsn, run_id=run_id, source="mark-clone")
    console.print(f"marked {target} as a clone")


@app.command("anonymize")
def anonymize_command(
    rules: RulesArgument,
    dsn: DsnOption,
    seed: SeedOption = None,
    workers: Annotated[int | None, typer.Option(help="Parallel tables (default: CPUs).")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Mask a marked clone in place (refuses a database without the clone marker)."""
    with terminate_as_error():  # cancels the SQL in flight; each group rolls back
        report = api.anonymize(dsn, rules, seed=seed, progress=progress, workers=workers)
    rewritten = [t for t in report.tables if t.action == "rewrite"]
    truncated = [t for t in report.tables if t.action == "truncate"]
    refreshed = [t for t in report.tables if t.action == "refresh"]
    console.print(
        f"anonymized {report.database}: {len(rewritten)} relation(s) rewritten, "
        f"{len(truncated)} truncated, {sum(t.rows_after for t in rewritten)} rows, "
        + (
            f"{len(report.already_masked)} already masked by an earlier run (skipped), "
            if report.already_masked
            else ""
        )
        + (f"{len(refreshed)} materialized view(s) refreshed, " if refreshed else "")
        + (
            f"{report.large_objects_removed} large object(s) removed, "
            if report.large_objects_removed
            else ""
        )
        + (f"statistics of {len(report.analyzed)} relation(s) renewed, " if report.analyzed else "")
        + f"{report.seconds:.1f} s",
        markup=False,
        soft_wrap=True,
    )
    for warning in report.warnings():
        console.print(f"warning: {warning}", markup=False, soft_wrap=True)


@app.command("verify")
def verify_command(
    rules: RulesArgument, dsn: DsnOption, seed: SeedOption = None, fmt: FormatOption = "text"
) -> None:
    """Prove a masked clone clean: coverage, leaks, constraints, row counts (exit 1 if not)."""
    from dbrefresh.anonymize.progress import CountProgress

    _check_format(fmt)
    try:
        with CountProgress("verifying", console=console_err) as progress:
            report = api.verify_report(dsn, rules, seed=seed, on_check=progress.at)
    except RulesError as exc:  # coverage problems are a "no", with their findings
        if fmt == "json":
            console.print_json(render_json(exc.findings, ok=False))
        raise
    if fmt == "json":
        console.print_json(
            render_json(
                report.findings,
                ok=not report.findings and report.leaks_unchecked is None,
                leaks=report.leaks,
                sampled=report.sampled,
                total_leaks=report.total_leaks,
                warnings=[w.to_dict() for w in report.warnings],
                leaks_unchecked=report.leaks_unchecked,
                kept_reviewed=report.kept_reviewed,
            )
        )
    else:
        table = Table("column", "originals sampled", "survivors")
        for name, survivors in sorted(report.leaks.items()):
            # escaped: rich took a path's field segment `[email_id]` for markup
            table.add_row(escape(name), str(report.sampled.get(name, 0)), str(survivors))
        print_table(table)
        console.print(summary(report), markup=False, soft_wrap=True)
        if report.findings:
            findings = Table("check", "where", "finding")
            for f in report.findings:
                findings.add_row(f.code, escape(f.location.render()), escape(f.message))
            print_table(findings)
        for warning in report.warnings:
            console.print(f"warning: {warning.render()}", markup=False, soft_wrap=True)
    if report.findings:
        raise VerdictFailed(f"verify found {len(report.findings)} problem(s)")
    if report.leaks_unchecked is not None:  # not a pass: the leak check could not run
        raise UsageError(report.leaks_unchecked)
