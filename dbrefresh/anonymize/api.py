"""The library entry points the CLI and the refresh workflow call.

Each takes the DSN of ONE database and the rule files covering it. Every check that
can refuse (rules, schema drift, missing marker, missing seed) runs before the first
write, so a refusal changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.anonymize import verify_refreshed
from dbrefresh.anonymize.clone import (
    install_support,
    lock_for_masking,
    require_marker,
    require_superuser,
    write_marker,
)
from dbrefresh.anonymize.executor import execute_plan
from dbrefresh.anonymize.failures import Command
from dbrefresh.anonymize.keycheck import record_key, require_same_key
from dbrefresh.anonymize.report import AnonymizeReport, TableResult
from dbrefresh.anonymize.rulescheck import require_same_rules
from dbrefresh.anonymize.seed import resolve_seed, seed_origin
from dbrefresh.anonymize.session import prepare_session
from dbrefresh.anonymize.told import OnCheck, Phases
from dbrefresh.anonymize.verify import VerifyReport, verify_plan
from dbrefresh.anonymize.verify_drift import drift_check
from dbrefresh.catalog import Catalog, read_catalog
from dbrefresh.db import connect, connection, dsn_database, without_limits
from dbrefresh.errors import InfraError, MaskingRefused, first_line
from dbrefresh.findings import Finding
from dbrefresh.rules.compiler import DEFAULT_LEAK_SAMPLE, compile_plan
from dbrefresh.rules.load import load_rules
from dbrefresh.rules.model import RuleSet
from dbrefresh.rules.plan import Plan
from dbrefresh.strategies.keyed import derive_key

__all__ = [
    "AnonymizeReport",
    "TableResult",
    "VerifyReport",
    "anonymize",
    "build_plan",
    "mark_clone",
    "verify",
    "verify_report",
]


@dataclass
class Compiled:
    rules: RuleSet
    catalog: Catalog
    plan: Plan


def _compile(
    conn: psycopg.Connection[Any], rules: RuleSet, leak_sample: int = DEFAULT_LEAK_SAMPLE
) -> Compiled:
    catalog = read_catalog(conn)
    return Compiled(rules, catalog, compile_plan(rules, catalog, leak_sample=leak_sample))


def build_plan(dsn: str, rule_files: Sequence[Path]) -> Plan:
    """Compile rules against the live schema (no writes): what `dbrefresh plan` prints."""
    rules = load_rules(rule_files)  # a mistake in a file is named before any connection
    with connection(dsn) as conn:
        return _compile(conn, rules).plan


def mark_clone(dsn: str, *, run_id: str | None = None, source: str | None = None) -> None:
    """Write dbrefresh.clone_marker into the database (anonymize refuses without it)."""
    with connection(without_limits(dsn)) as conn:  # a read-only default came with the copy
        # A superuser's DDL runs as a replica, which production's event triggers skip
        # (db.as_replica); other roles may not set it, and may then be refused.
        conn.execute(
            "SELECT set_config('session_replication_role', 'replica', true) "
            "WHERE current_setting('is_superuser') = 'on'"
        )
        try:
            write_marker(conn, run_id=run_id, source=source)
        except psycopg.Error as exc:
            conn.rollback()
            raise InfraError(
                f"cannot write the clone marker into {dsn_database(dsn)}: "
                f"{first_line(exc)}{_event_trigger_hint(conn)}"
            ) from exc
        conn.commit()


def _event_trigger_hint(conn: psycopg.Connection[Any]) -> str:
    """Name the event triggers that may have refused the DDL, and the way around them."""
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT evtname FROM pg_event_trigger WHERE evtenabled <> 'D' ORDER BY 1"
        )
    ]
    if not names:
        return ""
    return (
        f" (event trigger(s) {', '.join(names)} may refuse it: as a superuser, dbrefresh "
        "runs as a replica, which they skip unless ENABLE ALWAYS)"
    )


def anonymize(
    dsn: str,
    rule_files: Sequence[Path],
    *,
    seed: str | None = None,
    progress: bool = True,
    workers: int | None = None,
    leak_sample: int = DEFAULT_LEAK_SAMPLE,
    refresh_statistics: bool = True,
    seed_flag: str = "--seed",
    command: Command = "anonymize",
) -> AnonymizeReport:
    """Compile rules against the live catalog and rewrite the database in place, then
    replace the changed relations' planner statistics (refresh_statistics=False: the
    caller removes them, see execute_plan).

    Raises RulesError (exit 2) before touching anything when rules do not fit,
    NotACloneError (exit 2) when the clone marker is missing, LockHeldError (exit 2)
    when another anonymize is running on the database, UsageError (exit 2) when an
    earlier run masked it under another seed (`seed_flag`: where `seed` came from).
    """
    rules = load_rules(rule_files)
    dsn = without_limits(dsn)  # a clone keeps production's limits; masking is long work
    with connection(dsn) as conn:
        compiled = _compile(conn, rules, leak_sample)
        key = derive_key(resolve_seed(seed, compiled.rules.seed_env))
        if compiled.plan.foreign_partitions:
            raise MaskingRefused(
                f"{', '.join(compiled.plan.foreign_partitions)}: foreign partition(s) of "
                "tables these rules mask, whose rows cannot be masked; drop the server on "
                "the clone first (`dbrefresh run` does: isolate.drop_foreign_servers)"
            )
        require_marker(conn, dsn_database(dsn))
        require_superuser(conn, dsn_database(dsn))
        prepare_session(conn, key, compiled.plan.rules_digest)  # no idle timeout either
        lock_for_masking(conn, dsn_database(dsn))  # this session holds it to the end
        origin = seed_origin(seed, compiled.rules.seed_env, flag=seed_flag)
        require_same_key(conn, key, dsn_database(dsn), origin, "anonymize")
        install_support(conn)
        record_key(conn, key)  # committed before anything is masked
        conn.commit()
        return execute_plan(
            dsn,
            compiled.plan,
            key,
            workers=workers,
            show_progress=progress,
            refresh_statistics=refresh_statistics,
            command=command,
        )


def verify_report(
    dsn: str,
    rule_files: Sequence[Path],
    *,
    seed: str | None = None,
    workers: int | None = None,
    on_check: OnCheck | None = None,
    seed_flag: str = "--seed",
) -> VerifyReport:
    """Coverage, leaks, constraints and row counts, with per-column leak counts.

    UsageError (exit 2) when the clone was masked under another seed (every keyed
    comparison would find nothing) or with other rules."""
    rules = load_rules(rule_files)
    dsn = without_limits(dsn)  # row counts and leak checks scan whole tables
    with connection(dsn) as conn:
        compiled = _compile(conn, rules)
        key = derive_key(resolve_seed(seed, compiled.rules.seed_env))
        origin = seed_origin(seed, compiled.rules.seed_env, flag=seed_flag)
        require_same_key(conn, key, dsn_database(dsn), origin, "verify")
        require_same_rules(conn, compiled.plan.rules_digest, dsn_database(dsn))
        refreshed = verify_refreshed.refreshed_run(conn)

    def open_session() -> psycopg.Connection[Any]:
        conn = connect(dsn)
        prepare_session(conn, key, compiled.plan.rules_digest, replica=False)
        return conn

    phases = Phases(on_check)  # one count over the plan's checks and the kept columns'
    report = verify_plan(
        open_session,
        compiled.catalog,
        compiled.plan,
        workers=workers or os.cpu_count() or 1,
        on_check=phases.next(),
        leaks=refreshed is None,
    )
    report.foreign_keys_total = len(compiled.catalog.foreign_keys)
    if refreshed is not None:
        report.leaks_unchecked = verify_refreshed.leaks_unchecked(refreshed)
    # kept columns whose values changed kind since rules init (a warning, verify_drift.py);
    # not on a clone anonymize has not finished: its "not-masked" findings come first
    if not any(f.code == "not-masked" for f in report.findings):
        drift = drift_check(
            open_session,
            compiled.rules,
            compiled.catalog,
            workers or os.cpu_count() or 1,
            on_check=phases.next(),
        )
        report.warnings += drift.warnings
        report.kept_reviewed = drift.reviewed
    report.warnings.sort(key=lambda f: (f.code, f.location.key or "", f.message))
    return report


def verify(
    dsn: str, rule_files: Sequence[Path], *, seed: str | None = None, seed_flag: str = "--seed"
) -> list[Finding]:
    """Coverage, leaks, constraints and row counts; an empty list means clean."""
    return verify_report(dsn, rule_files, seed=seed, seed_flag=seed_flag).findings
