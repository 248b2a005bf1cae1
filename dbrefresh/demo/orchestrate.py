"""`dbrefresh demo`: production with a shop, a staging server, a config, a refresh.

The first run builds everything under DIR; a second run finds production and staging
in place (starting them if they were stopped) and only refreshes again. The config
written to DIR/dbrefresh.yaml works with every other command (`--dir DIR`).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import sql
from rich.console import Console
from rich.table import Table

from dbrefresh import config as config_mod
from dbrefresh.backends.localpg import free_port
from dbrefresh.db import connection
from dbrefresh.demo import shopdata
from dbrefresh.demo.servers import LocalServer, tools

SAMPLE_SQL = "SELECT id, email, first_name, last_name, phone FROM customers ORDER BY id LIMIT 4"


_PACKAGE = Path(__file__).resolve().parents[1]


def repo_rules_file(name: str) -> Path:
    """A rules file dbrefresh ships: rules/ in a checkout, dbrefresh/_rules in a wheel."""
    for candidate in (_PACKAGE / "_rules" / name, _PACKAGE.parent / "rules" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"rules/{name} is missing from this installation")


def default_dir() -> Path:
    """DIR default: dbrefresh-demo-$USER in /var/tmp (outside the checkout; `postgres` can
    reach it, which a home directory of root would not allow)."""
    user = os.environ.get("USER") or str(os.geteuid())
    return Path("/var/tmp") / f"dbrefresh-demo-{user}"  # noqa: S108 (data dirs, 0700 inside)


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")


def _set_password(dsn: str, role: str, password: str) -> None:
    with connection(dsn, autocommit=True) as conn:
        verifier = conn.pgconn.encrypt_password(
            password.encode(), role.encode(), b"scram-sha-256"
        ).decode()
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(verifier)
            )
        )


def build_production(server: LocalServer, customers: int, password: str) -> None:
    server.create(
        {
            "wal_level": "logical",
            "max_wal_senders": "10",
            "max_replication_slots": "10",
            "logging_collector": "on",
            "log_directory": "'log'",
        }
    )
    server.start()
    with connection(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE shop")
        conn.execute("CREATE DATABASE warehouse")
    _set_password(server.dsn(), "app", password)
    with connection(server.dsn("warehouse"), autocommit=True) as conn:
        conn.execute("CREATE TABLE stock_levels (product_id bigint PRIMARY KEY, quantity int)")
        conn.execute("INSERT INTO stock_levels SELECT g, g % 50 FROM generate_series(1, 500) g")
        conn.execute("CREATE PUBLICATION stock_pub FOR TABLE stock_levels")
        conn.execute("SELECT pg_create_logical_replication_slot('shop_stock_sub', 'pgoutput')")
    with connection(server.dsn("shop"), autocommit=True) as conn:
        shopdata.create_shop(conn, customers)
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO app")
        conn.execute(
            sql.SQL(
                "CREATE SUBSCRIPTION shop_stock_sub CONNECTION {} PUBLICATION stock_pub "
                "WITH (create_slot = false, slot_name = 'shop_stock_sub', copy_data = false)"
            ).format(sql.Literal(server.dsn("warehouse")))
        )
    with connection(server.dsn(), autocommit=True) as conn:
        conn.execute("SELECT pg_create_physical_replication_slot('standby_1')")


def build_staging(server: LocalServer) -> None:
    server.create({"listen_addresses": "'127.0.0.1'"})
    server.start()
    with connection(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE shop")
    with connection(server.dsn("shop"), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE customers (id bigint PRIMARY KEY, email text, first_name text, "
            "last_name text, phone text)"
        )
        conn.execute(
            "INSERT INTO customers VALUES (1, 'old.staging@example.com', 'Stale', 'Data', "
            "'+00 000'), (2, 'test@example.com', 'Last', 'Refresh', '+00 000')"
        )


def write_config(directory: Path, production: LocalServer, staging: LocalServer) -> Path:
    rules_dir = directory / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    (rules_dir / "demo_shop.yaml").write_text(repo_rules_file("demo_shop.yaml").read_text())
    text = f"""# Written by `dbrefresh demo`; works with every command:
#   dbrefresh status --dir {directory}
version: 1
backend: local
state_dir: state
source:
  dsn: "{production.dsn()}"
target:
  name: demo-staging
  dsn: "{staging.dsn()}"
rules:
  files: [rules/demo_shop.yaml]
  uncovered_databases: drop       # the warehouse database has no rules: not copied
  seed_file: secrets/seed
roles:
  app: {{password_file: secrets/staging_app_password}}
smoke_queries:
  - {{name: customers present, database: shop, sql: "SELECT count(*) > 0 FROM customers"}}
retention: {{keep_previous: 1}}
notify:
  webhook_url: "${{DBREFRESH_WEBHOOK:-}}"
local:
  target_data_dir: {staging.data_dir}
  work_dir: work
  target_log: {staging.log}
"""
    path = directory / config_mod.DEFAULT_FILE
    path.write_text(text)
    return path


def _sample(server: LocalServer) -> list[tuple[Any, ...]]:
    try:
        with connection(server.dsn("shop"), autocommit=True) as conn:
            return [tuple(r) for r in conn.execute(SAMPLE_SQL).fetchall()]
    except Exception:
        return []


def _table(title: str, rows: list[tuple[Any, ...]]) -> Table:
    table = Table(title=title)
    for col in ("id", "email", "first_name", "last_name", "phone"):
        table.add_column(col)
    for row in rows:
        table.add_row(*[str(v) for v in row])
    return table


def prepare(directory: Path, customers: int, console: Console) -> Path:
    """Build or reuse production and staging under `directory`; returns the config path."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    pg = tools()
    pg.grant_traverse(directory)
    directory.chmod(0o755)
    state_file = directory / "demo.json"
    ports = json.loads(state_file.read_text()) if state_file.exists() else {}
    run_dir = directory / "run"
    production = LocalServer(directory / "production", run_dir, ports.get("production", 0), pg)
    staging = LocalServer(directory / "staging", run_dir, ports.get("staging", 0), pg)
    if not production.exists:
        production.port = free_port()
        console.print(f"building production shop ({customers} customers) in {production.home}")
        password = secrets.token_urlsafe(18)
        _write_secret(directory / "secrets" / "production_app_password", password)
        build_production(production, customers, password)
    if not staging.exists:
        staging.port = free_port()
        console.print(f"building staging in {staging.home}")
        build_staging(staging)
    state_file.write_text(json.dumps({"production": production.port, "staging": staging.port}))
    production.start()
    staging.start()
    if not (directory / "secrets" / "seed").exists():
        _write_secret(directory / "secrets" / "seed", secrets.token_hex(16))
        _write_secret(directory / "secrets" / "staging_app_password", secrets.token_urlsafe(18))
    return write_config(directory, production, staging)


@dataclass
class Demo:
    """A prepared demo: its config and its two servers."""

    directory: Path
    config: Path
    production: LocalServer
    staging: LocalServer

    def tables(self, which: str) -> Table:
        """Sample rows as a rich table: 'production', 'staging before' or 'staging after'."""
        server = self.production if which == "production" else self.staging
        titles = {
            "production": "production (real personal data)",
            "staging before": "staging before",
            "staging after": "staging after (anonymized)",
        }
        return _table(titles[which], _sample(server))


def open_demo(directory: Path | None, customers: int, console: Console) -> Demo:
    """Build (first time) or reuse the demo in `directory` (default: default_dir())."""
    directory = (directory or default_dir()).resolve()
    path = prepare(directory, customers, console)
    ports = json.loads((directory / "demo.json").read_text())
    run_dir = directory / "run"
    production = LocalServer(directory / "production", run_dir, ports["production"], tools())
    staging = LocalServer(directory / "staging", run_dir, ports["staging"], tools())
    return Demo(directory, path, production, staging)
