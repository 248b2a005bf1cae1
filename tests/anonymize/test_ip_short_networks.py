"""Short networks in text and inet columns are no survivors for verify.

Since a network masks to a network of its prefix length (Tryton's '101.24.5.0/24'),
a firewall table's 0.0.0.0/0, ::/0 and 10.0.0.0/8 mask to themselves (the pool has no
other place of that size) and a /9 to itself one time in two: verify counted them as
leaks and the refresh failed on rules init's own output. Such networks name no one; as
in cidr columns, they are not sampled. Hosts and long networks still are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import yaml

NETWORKS = [
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/8",
    "10.0.0.0/9",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
    "2001:db8::/32",
]


def test_short_networks_are_not_counted_hosts_are(
    make_db: Callable[..., str], tmp_path: Path
) -> None:
    from dbrefresh.anonymize.api import anonymize, mark_clone, verify_report

    dsn = make_db(prefix="ipnet")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE rules (id serial PRIMARY KEY, dst_text text, dst inet)")
        for n in range(10):
            for net in NETWORKS:
                conn.execute("INSERT INTO rules (dst_text, dst) VALUES (%s, %s)", (net, net))
            host = f"81.2.{n}.7"
            conn.execute("INSERT INTO rules (dst_text, dst) VALUES (%s, %s)", (host, host))
        database = conn.execute("SELECT current_database()").fetchone()
    assert database is not None
    rules = {
        "version": 1,
        "database": database[0],
        "defaults": {"unlisted_columns": "keep", "seed_env": "DBREFRESH_SEED"},
        "tables": {"public.rules": {"columns": {"dst_text": "ip", "dst": "ip"}}},
    }
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    mark_clone(dsn)
    anonymize(dsn, [path], seed="nets", progress=False)
    report = verify_report(dsn, [path], seed="nets")
    assert not any(report.leaks.values()), report.leaks
    with psycopg.connect(dsn) as conn:
        hosts = conn.execute(
            "SELECT count(*) FROM rules WHERE dst_text LIKE '81.2.%' OR host(dst) LIKE '81.2.%'"
        ).fetchone()
        # the first host's row (after the first eight networks) gets its original back
        conn.execute("UPDATE rules SET dst_text = '81.2.0.7', dst = '81.2.0.7' WHERE id = 9")
    assert hosts == (0,)
    # a host written back is still found in both columns
    report = verify_report(dsn, [path], seed="nets")
    assert report.leaks == {"public.rules.dst_text": 1, "public.rules.dst": 1}, report.leaks
