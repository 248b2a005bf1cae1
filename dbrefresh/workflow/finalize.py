"""Step 7: make the masked clone staging's (DESIGN.md step 7).

Staging role passwords come from staging's secrets (environment variables named in the
config), sent as SCRAM verifiers computed client-side, so no clear password reaches the
server, its logs or pg_stat_statements. Then refresh_info, VACUUM ANALYZE, durability
settings reset, clean shutdown and a flush to disk (the temporary server ran with
fsync off); strict mode copies the cluster onto a fresh directory first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from dbrefresh.config import RolePassword
from dbrefresh.db import connection, with_database
from dbrefresh.errors import ConfigError, UsageError
from dbrefresh.resources import sql_file
from dbrefresh.spread import Session, spread

# Settings the temporary server ran with; reset in case anything persisted them.
THROWAWAY_SETTINGS = (
    "fsync",
    "full_page_writes",
    "synchronous_commit",
    "autovacuum",
    "wal_level",
    "max_wal_senders",
    "max_logical_replication_workers",
    "wal_recycle",
    "archive_mode",
)


@dataclass(frozen=True)
class RefreshInfo:
    run_id: str
    snapshot_id: str
    rules_digest: str
    source: str


def role_secrets(
    roles: Mapping[str, RolePassword],
    environ: Mapping[str, str],
    where: Callable[..., str] = lambda *key: "",
) -> dict[str, str]:
    """Resolve every staging password before anything runs (missing -> ConfigError).
    `where(*key)` is the config's `file:line: ` of a key (Config.where)."""
    out = {}
    for role, spec in roles.items():
        if spec.password_file is not None:
            try:
                value = spec.password_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{where('roles', role, 'password_file')}roles.{role}.password_file: "
                    f"cannot read {spec.password_file}: {exc.strerror}"
                ) from None
        else:
            value = environ.get(spec.password_env or "", "")
        if not value:
            source = spec.password_file or f"environment variable {spec.password_env}"
            key = "password_file" if spec.password_file is not None else "password_env"
            raise ConfigError(
                f"{where('roles', role, key)}roles.{role}.{key}: no password in {source}"
            )
        out[role] = value
    return out


def masking_seed(seed_file: Path | None, where: str = "") -> str | None:
    """The seed from rules.seed_file, or None (the library reads the env the rules name).
    `where` is the config's `file:line: ` of rules.seed_file."""
    if seed_file is None:
        return None
    try:
        value = seed_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{where}rules.seed_file: cannot read {seed_file}: {exc.strerror}"
        ) from None
    if not value:
        raise ConfigError(f"{where}rules.seed_file: {seed_file} is empty")
    return value


def reset_passwords(admin_dsn: str, passwords: Mapping[str, str]) -> list[str]:
    done = []
    with connection(admin_dsn, autocommit=True) as conn:
        conn.execute("SET log_statement = 'none'")
        for role, password in passwords.items():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                raise UsageError(
                    f"{role}: no such role in the production snapshot (named under roles: "
                    "or by target.dsn)"
                )
            verifier = conn.pgconn.encrypt_password(
                password.encode(), role.encode(), b"scram-sha-256"
            ).decode()
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(verifier)
                )
            )
            done.append(role)
    return done


def write_refresh_info(admin_dsn: str, databases: Sequence[str], info: RefreshInfo) -> None:
    for db in databases:
        with connection(with_database(admin_dsn, db), autocommit=True) as conn:
            conn.execute(sql_file("schema.sql"))
            conn.execute(
                "INSERT INTO dbrefresh.refresh_info (run_id, snapshot_id, rules_digest, source) "
                "VALUES (%s, %s, %s, %s)",
                (info.run_id, info.snapshot_id, info.rules_digest, info.source),
            )
            # Keyed hashes of originals and the key's fingerprint served verify and
            # re-runs; staging has no use for them, and its readers no need.
            conn.execute(
                "TRUNCATE dbrefresh.leak_hashes, dbrefresh.leak_path_hashes, dbrefresh.masking_key"
            )


# Every table and materialized view (system catalogs too, as a database-wide VACUUM
# does), biggest first. Relations without planner statistics (the scrub removed those
# of every table masking touched) are analyzed too; partitioned parents are only
# analyzed (VACUUM would recurse into their partitions a second time).
_VACUUM_TARGETS = """
SELECT format('%s %I.%I', CASE WHEN c.relkind = 'p' THEN 'ANALYZE'
                               WHEN s.analyzed THEN 'VACUUM' ELSE 'VACUUM (ANALYZE)' END,
              n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
       LATERAL (SELECT EXISTS (SELECT 1 FROM pg_statistic WHERE starelid = c.oid)) AS s(analyzed)
 WHERE c.relpersistence <> 't'
   AND (c.relkind IN ('r', 'm') OR (c.relkind = 'p' AND NOT s.analyzed))
 ORDER BY c.relkind = 'p', pg_total_relation_size(c.oid) DESC, c.oid
"""


def vacuum_analyze(admin_dsn: str, databases: Sequence[str], workers: int | None = None) -> None:
    """VACUUM every database, ANALYZE what has no statistics, over one session per CPU.

    Freshly rewritten tables need every page visited once (hint bits, visibility map,
    planner statistics from masked data): like `vacuumdb --jobs`, the biggest tables go
    first so the sessions finish together (one session took 1.5 s of a 2 GB refresh).
    Tables the rules left untouched keep production's statistics (see masking.scrub).
    """
    for db in databases:
        dsn = with_database(admin_dsn, db)
        with connection(dsn, autocommit=True) as conn:
            statements = [str(row[0]) for row in conn.execute(_VACUUM_TARGETS).fetchall()]
        _run_spread(dsn, statements, max(1, workers or os.cpu_count() or 1))


def _run_spread(dsn: str, statements: Sequence[str], workers: int) -> None:
    """Run statements in order of the list, each on the next free of `workers` sessions."""

    def run(statement: str) -> Callable[[Session], object]:
        return lambda session: session.execute(statement)

    spread(lambda: connection(dsn, autocommit=True), [run(s) for s in statements], workers)


def reset_throwaway_settings(admin_dsn: str) -> None:
    with connection(admin_dsn, autocommit=True) as conn:
        for name in THROWAWAY_SETTINGS:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(name)))
        conn.execute("CHECKPOINT")
