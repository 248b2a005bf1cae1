"""Step 4: make sure the clone can never reach production (DESIGN.md step 4).

Runs on the temporary server, which started with max_logical_replication_workers=0, so
no subscription could start before this. For every database: subscriptions disabled
and detached from their slot (slot_name = NONE), and dropped where rules say;
replication slots dropped; prepared transactions rolled back; foreign servers (with
their user mappings), publications and pg_cron jobs reported, and dropped or
unscheduled where rules say; a kept server, and its user mappings, lose the options
that hold a secret (production's password). Then the clone marker is written.
Idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from dbrefresh.db import connection, with_database, without_password
from dbrefresh.rules.model import Isolation
from dbrefresh.workflow.credentials import names_a_secret

Names = list[str] | str


@dataclass
class IsolationReport:
    subscriptions_disabled: list[str] = field(default_factory=list)
    subscriptions_dropped: list[str] = field(default_factory=list)
    # kept (disabled) subscriptions whose connection string lost production's password
    subscription_passwords_removed: list[str] = field(default_factory=list)
    slots_dropped: list[str] = field(default_factory=list)
    prepared_rolled_back: list[str] = field(default_factory=list)
    foreign_servers: list[str] = field(default_factory=list)
    foreign_servers_dropped: list[str] = field(default_factory=list)
    user_mappings: list[str] = field(default_factory=list)
    # options of kept servers and their user mappings that held a secret (password...)
    foreign_secrets_removed: list[str] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)
    publications_dropped: list[str] = field(default_factory=list)
    cron_jobs: list[str] = field(default_factory=list)
    cron_jobs_unscheduled: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.__dict__.items() if v}

    def warnings(self) -> list[str]:
        """Foreign servers left in the clone: staging can reach what they point to."""
        return [
            f"{server}: foreign server kept in the clone; staging can reach whatever it "
            "points to (list it under isolate.drop_foreign_servers to drop it)"
            for server in self.foreign_servers
            if server not in self.foreign_servers_dropped
        ]


def _selected(name: str, choice: Names) -> bool:
    return choice == "all" or (isinstance(choice, list) and name in choice)


def isolate_cluster(
    admin_dsn: str, databases: Sequence[str], policies: dict[str, Isolation]
) -> IsolationReport:
    report = IsolationReport()
    for db in databases:
        policy = policies.get(db, Isolation())
        with connection(with_database(admin_dsn, db), autocommit=True) as conn:
            _prepared(conn, db, report)
            _subscriptions(conn, db, policy, report)
            _slots(conn, db, report)
            _foreign(conn, db, policy, report)
            _publications(conn, db, policy, report)
            _cron(conn, db, policy, report)
    with connection(admin_dsn, autocommit=True) as conn:  # physical slots
        _slots(conn, None, report)
        if report.subscription_passwords_removed:
            # the old catalog row, password and all, would stay in the file as a dead row
            conn.execute("VACUUM FULL pg_subscription")
    return report


def _prepared(conn: psycopg.Connection[Any], db: str, report: IsolationReport) -> None:
    rows = conn.execute(
        "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
    ).fetchall()
    for (gid,) in rows:
        conn.execute(sql.SQL("ROLLBACK PREPARED {}").format(sql.Literal(gid)))
        report.prepared_rolled_back.append(f"{db}.{gid}")


def _subscriptions(
    conn: psycopg.Connection[Any], db: str, policy: Isolation, report: IsolationReport
) -> None:
    rows = conn.execute(
        "SELECT subname, subenabled, subslotname, subconninfo FROM pg_subscription "
        "WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchall()
    for name, enabled, slot, conninfo in rows:
        ident = sql.Identifier(name)
        if enabled:
            conn.execute(sql.SQL("ALTER SUBSCRIPTION {} DISABLE").format(ident))
        if slot is not None:
            conn.execute(sql.SQL("ALTER SUBSCRIPTION {} SET (slot_name = NONE)").format(ident))
        report.subscriptions_disabled.append(f"{db}.{name}")
        if _selected(name, policy.drop_subscriptions):
            conn.execute(sql.SQL("DROP SUBSCRIPTION {}").format(ident))
            report.subscriptions_dropped.append(f"{db}.{name}")
        elif (without := without_password(conninfo)) is not None:
            # A kept subscription is production's replication login: whoever reads
            # pg_subscription on staging would have the password (no connection is
            # made to change it).
            conn.execute(
                sql.SQL("ALTER SUBSCRIPTION {} CONNECTION {}").format(ident, sql.Literal(without))
            )
            report.subscription_passwords_removed.append(f"{db}.{name}")


def _slots(conn: psycopg.Connection[Any], db: str | None, report: IsolationReport) -> None:
    if db is None:
        query = "SELECT slot_name FROM pg_replication_slots WHERE database IS NULL"
    else:
        query = "SELECT slot_name FROM pg_replication_slots WHERE database = current_database()"
    for (slot,) in conn.execute(query).fetchall():
        conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        report.slots_dropped.append(str(slot))


def _foreign(
    conn: psycopg.Connection[Any], db: str, policy: Isolation, report: IsolationReport
) -> None:
    servers = [srv for (srv,) in conn.execute("SELECT srvname FROM pg_foreign_server")]
    report.foreign_servers += [f"{db}.{srv}" for srv in servers]
    for srv, user in conn.execute("SELECT srvname, usename FROM pg_user_mappings").fetchall():
        report.user_mappings.append(f"{db}.{srv}:{user}")
    for srv in servers:
        if _selected(srv, policy.drop_foreign_servers):
            conn.execute(sql.SQL("DROP SERVER {} CASCADE").format(sql.Identifier(srv)))
            report.foreign_servers_dropped.append(f"{db}.{srv}")
    _foreign_secrets(conn, db, report)


_SERVER_OPTIONS = "SELECT srvname, srvoptions FROM pg_foreign_server ORDER BY 1"
_MAPPING_OPTIONS = (
    "SELECT srvname, umuser = 0, usename, umoptions FROM pg_user_mappings ORDER BY 1, 3"
)


def _foreign_secrets(conn: psycopg.Connection[Any], db: str, report: IsolationReport) -> None:
    """Drop the options of kept servers and user mappings that hold a secret.

    A user mapping of a server pointing at production holds production's login
    (postgres_fdw's `password`, mysql_fdw's, oracle_fdw's): on staging, whoever reads
    the catalog (or uses the mapping) would reach production with it. The catalogs are
    rewritten so the old rows do not stay in their files.
    """
    removed: list[str] = []
    for srv, options in conn.execute(_SERVER_OPTIONS).fetchall():
        if secrets := _secret_options(options):
            alter = sql.SQL("ALTER SERVER {} OPTIONS ({})")
            conn.execute(alter.format(sql.Identifier(srv), _drops(secrets)))
            removed.append(f"{db}.{srv} ({', '.join(secrets)})")
    for srv, public, user, options in conn.execute(_MAPPING_OPTIONS).fetchall():
        if secrets := _secret_options(options):
            who = sql.SQL("PUBLIC") if public else sql.Identifier(user)
            alter = sql.SQL("ALTER USER MAPPING FOR {} SERVER {} OPTIONS ({})")
            conn.execute(alter.format(who, sql.Identifier(srv), _drops(secrets)))
            removed.append(f"{db}.{srv}:{user} ({', '.join(secrets)})")
    if removed:
        conn.execute("VACUUM FULL pg_foreign_server")
        conn.execute("VACUUM FULL pg_user_mapping")
    report.foreign_secrets_removed += removed


def _secret_options(options: list[str] | None) -> list[str]:
    names = [option.partition("=")[0] for option in options or []]
    return [name for name in names if names_a_secret(name)]


def _drops(names: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL("DROP {}").format(sql.Identifier(n)) for n in names)


def _publications(
    conn: psycopg.Connection[Any], db: str, policy: Isolation, report: IsolationReport
) -> None:
    for (pub,) in conn.execute("SELECT pubname FROM pg_publication").fetchall():
        report.publications.append(f"{db}.{pub}")
        if _selected(pub, policy.drop_publications):
            conn.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(pub)))
            report.publications_dropped.append(f"{db}.{pub}")


def _cron(
    conn: psycopg.Connection[Any], db: str, policy: Isolation, report: IsolationReport
) -> None:
    row = conn.execute("SELECT to_regclass('cron.job') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return
    for jobid, name in conn.execute("SELECT jobid, jobname FROM cron.job").fetchall():
        label = f"{db}.{name or jobid}"
        report.cron_jobs.append(label)
        if policy.unschedule_cron_jobs:
            conn.execute("UPDATE cron.job SET active = false WHERE jobid = %s", (jobid,))
            report.cron_jobs_unscheduled.append(label)
