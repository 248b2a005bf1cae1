"""Step 4 on a real server: what could reach production is dropped or reported."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from dbrefresh.db import dsn_database
from dbrefresh.rules.model import Isolation
from dbrefresh.workflow.credentials import reset_secret_settings
from dbrefresh.workflow.isolate import isolate_cluster

LINKS = """
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER prod_ledger FOREIGN DATA WRAPPER dummy_fdw OPTIONS (host 'prod-db');
CREATE SERVER reference_data FOREIGN DATA WRAPPER dummy_fdw;
CREATE USER MAPPING FOR CURRENT_USER SERVER prod_ledger OPTIONS (user 'ledger');
"""


def test_foreign_servers_dropped_as_the_rules_say_and_the_rest_warned_about(make_db) -> None:
    dsn = make_db()
    db = dsn_database(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(LINKS)
    report = isolate_cluster(dsn, [db], {db: Isolation(drop_foreign_servers=["prod_ledger"])})
    assert sorted(report.foreign_servers) == [f"{db}.prod_ledger", f"{db}.reference_data"]
    assert report.foreign_servers_dropped == [f"{db}.prod_ledger"]
    assert [m.split(":")[0] for m in report.user_mappings] == [f"{db}.prod_ledger"]
    with psycopg.connect(dsn) as conn:
        left = conn.execute("SELECT srvname FROM pg_foreign_server").fetchall()
        assert left == [("reference_data",)]
        assert conn.execute("SELECT count(*) FROM pg_user_mappings").fetchone() == (0,)
    [warning] = report.warnings()
    assert warning.startswith(f"{db}.reference_data: foreign server kept in the clone")
    # dropping every one leaves nothing to warn about
    again = isolate_cluster(dsn, [db], {db: Isolation(drop_foreign_servers="all")})
    assert again.foreign_servers_dropped == [f"{db}.reference_data"]
    assert again.warnings() == []


def test_kept_foreign_servers_and_mappings_lose_their_secrets(make_db) -> None:
    """A kept server's user mapping holds production's login (postgres_fdw's
    password): staging would reach production with it. Other options stay."""
    dsn = make_db()
    db = dsn_database(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FOREIGN DATA WRAPPER dummy_fdw;"
            "CREATE SERVER ledger FOREIGN DATA WRAPPER dummy_fdw"
            "  OPTIONS (host 'prod-db', api_secret 'srv-s3cret');"
            "CREATE SERVER plain FOREIGN DATA WRAPPER dummy_fdw OPTIONS (host 'ref');"
            "CREATE USER MAPPING FOR CURRENT_USER SERVER ledger"
            "  OPTIONS (user 'ledger', password 'm4p-s3cret', sslpassword 'k3y');"
            "CREATE USER MAPPING FOR PUBLIC SERVER ledger OPTIONS (password 'pub-s3cret');"
            "CREATE USER MAPPING FOR PUBLIC SERVER plain OPTIONS (user 'reader');"
        )
        me = conn.execute("SELECT current_user").fetchone()[0]  # type: ignore[index]
    report = isolate_cluster(dsn, [db], {db: Isolation()})
    assert report.foreign_secrets_removed == [
        f"{db}.ledger (api_secret)",
        f"{db}.ledger:{me} (password, sslpassword)",
        f"{db}.ledger:public (password)",
    ]
    with psycopg.connect(dsn) as conn:
        servers = dict(conn.execute("SELECT srvname, srvoptions FROM pg_foreign_server"))
        mappings = conn.execute(
            "SELECT srvname, usename, umoptions FROM pg_user_mappings ORDER BY 1, 2"
        ).fetchall()
    assert servers == {"ledger": ["host=prod-db"], "plain": ["host=ref"]}
    assert mappings == [
        ("ledger", me, ["user=ledger"]),
        ("ledger", "public", None),
        ("plain", "public", ["user=reader"]),
    ]
    # a second pass finds nothing left to remove
    assert isolate_cluster(dsn, [db], {db: Isolation()}).foreign_secrets_removed == []


# pg_cron's own table (1.4+), which isolation reads and updates like any table
CRON = """
CREATE SCHEMA cron;
CREATE TABLE cron.job (
    jobid bigserial PRIMARY KEY, schedule text NOT NULL, command text NOT NULL,
    nodename text NOT NULL DEFAULT 'localhost', nodeport int NOT NULL DEFAULT 5432,
    database text NOT NULL DEFAULT current_database(),
    username text NOT NULL DEFAULT current_user, active boolean NOT NULL DEFAULT true,
    jobname text
);
INSERT INTO cron.job (schedule, command, jobname) VALUES
    ('* * * * *', 'SELECT push_orders_to_ledger()', 'ledger-sync'),
    ('0 3 * * *', 'VACUUM', NULL);
"""


def test_cron_jobs_reported_and_deactivated_only_when_the_rules_say(make_db) -> None:
    dsn = make_db()
    db = dsn_database(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(CRON)
    kept = isolate_cluster(dsn, [db], {db: Isolation()})
    assert kept.cron_jobs == [f"{db}.ledger-sync", f"{db}.2"]
    assert kept.cron_jobs_unscheduled == []
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT bool_and(active) FROM cron.job").fetchone() == (True,)
    stopped = isolate_cluster(dsn, [db], {db: Isolation(unschedule_cron_jobs=True)})
    assert stopped.cron_jobs_unscheduled == [f"{db}.ledger-sync", f"{db}.2"]
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT bool_or(active) FROM cron.job").fetchone() == (False,)


def test_a_kept_subscription_loses_production_password(make_db) -> None:
    """A subscription the rules keep is disabled and detached; its connection string
    was production's replication login, password included, readable on staging."""
    dsn = make_db()
    db = dsn_database(dsn)
    secret = "S3cret-" + db
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name, conninfo in [
            ("orders_feed", f"host=prod.example.com dbname=shop user=repl password={secret}"),
            ("uri_feed", f"postgresql://repl:{secret}@prod.example.com:5433/shop"),
            ("no_password", "host=prod.example.com dbname=shop user=repl"),
        ]:
            conn.execute(
                f"CREATE SUBSCRIPTION {name} CONNECTION '{conninfo}' PUBLICATION p "
                "WITH (connect = false, slot_name = NONE)"
            )
    try:
        report = isolate_cluster(dsn, [db], {db: Isolation()})
        assert sorted(report.subscription_passwords_removed) == [
            f"{db}.orders_feed",
            f"{db}.uri_feed",
        ]
        with psycopg.connect(dsn) as conn:
            rows = dict(conn.execute("SELECT subname, subconninfo FROM pg_subscription"))
        assert all(secret not in info for info in rows.values())
        assert conninfo_to_dict(rows["uri_feed"]) == {
            "host": "prod.example.com",
            "port": "5433",
            "dbname": "shop",
            "user": "repl",
        }
        assert rows["no_password"] == "host=prod.example.com dbname=shop user=repl"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for (name,) in conn.execute("SELECT subname FROM pg_subscription").fetchall():
                conn.execute(f"DROP SUBSCRIPTION {name}")


def test_settings_holding_secrets_are_reset(make_db) -> None:
    """PostgREST/Supabase keep the secret that signs their API tokens as a database
    setting; copied to staging, it lets anyone mint tokens production accepts."""
    dsn = make_db()
    db = dsn_database(dsn)
    role = f"api_{db}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {db} SET \"app.settings.jwt_secret\" TO 'prod-signing'")
        conn.execute(f"ALTER DATABASE {db} SET statement_timeout TO '5s'")
        conn.execute(f"CREATE ROLE {role}")
        conn.execute(f"ALTER ROLE {role} SET \"pgrst.db_password\" TO 'hunter2'")
        conn.execute(f"ALTER ROLE {role} IN DATABASE {db} SET \"app.stripe_api_key\" TO 'sk'")
    try:
        reset = reset_secret_settings(dsn)
        with psycopg.connect(dsn) as conn:
            left = [
                s
                for (s,) in conn.execute(
                    "SELECT unnest(setconfig) FROM pg_db_role_setting s"
                    " LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                    " LEFT JOIN pg_roles r ON r.oid = s.setrole"
                    " WHERE d.datname = %s OR r.rolname = %s",
                    (db, role),
                )
            ]
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")
    assert left == ["statement_timeout=5s"]
    assert sorted(reset) == sorted(
        [
            f"app.settings.jwt_secret ({db})",
            f"app.stripe_api_key ({db}, {role})",
            f"pgrst.db_password ({role})",
        ]
    )
