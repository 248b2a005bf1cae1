"""Step 4 on a real server: what could reach production is dropped or reported."""

from __future__ import annotations

import psycopg

from dbrefresh.db import dsn_database
from dbrefresh.rules.model import Isolation
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
