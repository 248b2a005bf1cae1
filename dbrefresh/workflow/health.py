"""Step 10: is staging serving the data this run produced, and do smoke queries pass?

The smoke queries are also tried on the masked copy, at finalize, before the swap: a
typo in one (`SELCT`, a table that does not exist) was found only by the health check
after the swap, which then restarted staging twice to roll it back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from dbrefresh.config import Config, SmokeQuery
from dbrefresh.db import connect, redact_text, with_database
from dbrefresh.errors import Aborted, ConfigError, InfraError, first_line


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    problems: list[str]


def check(
    target_dsn: str,
    run_id: str,
    databases: Sequence[str],
    smoke: Sequence[SmokeQuery],
    *,
    attempts: int = 30,
    sleep: Callable[[float], None],
) -> HealthResult:
    problems: list[str] = []
    for db in databases:
        dsn = with_database(target_dsn, db)
        conn = _connect_retrying(dsn, attempts, sleep)
        with conn:
            row = conn.execute(
                "SELECT run_id FROM dbrefresh.refresh_info ORDER BY refreshed_at DESC LIMIT 1"
            ).fetchone()
            if not row or row[0] != run_id:
                problems.append(f"{db}: refresh_info does not name run {run_id}")
    for query in smoke:
        label = query.name or query.sql
        try:
            with connect(with_database(target_dsn, query.database), autocommit=True) as conn:
                row = conn.execute(query.sql).fetchone()
        except Aborted:
            raise  # not a failed smoke query: the run is being stopped
        except Exception as exc:
            msg = redact_text(first_line(exc), target_dsn)
            problems.append(f"smoke query {label!r} on {query.database}: {msg}")
            continue
        if not row or not row[0]:
            problems.append(f"smoke query {label!r} on {query.database} returned {row!r}")
    return HealthResult(not problems, problems)


def _connect_retrying(
    dsn: str, attempts: int, sleep: Callable[[float], None]
) -> psycopg.Connection[Any]:
    last: InfraError | None = None
    for _ in range(max(1, attempts)):
        try:
            return connect(dsn, autocommit=True)
        except InfraError as exc:
            last = exc
            sleep(1.0)
    assert last is not None
    raise last


def try_on_copy(config: Config, admin_dsn: str) -> int:
    """Run each smoke query in a read-only transaction, rolled back, on the masked copy
    (the temporary server, as its superuser); ConfigError (exit 2, file:line) for one
    the server cannot compile: a syntax error, a table, column or function that does
    not exist (SQLSTATE class 42). Other outcomes (an error of another kind, a false
    result) are left to the health check: they may depend on staging itself.
    Returns how many were tried."""
    tried = 0
    for index, query in enumerate(config.smoke_queries):
        try:
            with connect(with_database(admin_dsn, query.database)) as conn:
                conn.read_only = True
                try:
                    conn.execute(query.sql).fetchone()
                finally:
                    conn.rollback()
        except psycopg.Error as exc:
            state = exc.sqlstate or ""
            if state.startswith("42") and state != "42501":  # not a missing privilege
                label = query.name or query.sql
                raise ConfigError(
                    f"{config.where('smoke_queries', index, 'sql')}smoke_queries[{index}].sql: "
                    f"smoke query {label!r} on {query.database} fails on the masked copy: "
                    f"{first_line(exc)}; staging untouched (found before the swap)"
                ) from None
        tried += 1
    return tried
