"""Shared helpers of the workflow tests: servers, configs, CLI calls (fixtures: conftest)."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from dbrefresh.demo.servers import LocalServer, tools

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DBREFRESH = [str(Path(sys.executable).parent / "dbrefresh")]
CUSTOMERS = 2000


def shop_rules() -> Path:
    return REPO / "rules" / "demo_shop.yaml"


def _stop_all(root: Path) -> None:
    pg = tools()
    for pid_file in root.rglob("postmaster.pid"):
        with contextlib.suppress(Exception):
            pg.stop(pid_file.parent, mode="immediate")


def servers_root(prefix: str) -> Iterator[Path]:
    """A directory the postgres OS user can reach, removed with every server under it."""
    root = Path("/var/tmp") / f"{prefix}-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    yield root
    _stop_all(root)
    shutil.rmtree(root, ignore_errors=True)


# The CLI with a file of staging's data directory appended to at backup_target.
_APPEND_AT_BACKUP = """
import sys
from dbrefresh.backends.localtarget import LocalTarget
from dbrefresh.cli import main

backup = LocalTarget.backup

def appending_backup(self, run_id):
    with (self.layout.target / sys.argv[1]).open("a") as fh:
        fh.write(sys.argv[2])
    return backup(self, run_id)

LocalTarget.backup = appending_backup
sys.exit(main(sys.argv[3:]))
"""


@dataclass
class Production:
    server: LocalServer
    password: str

    def checksum(self) -> str:
        """md5 over every row of every user table of shop and warehouse."""
        digest = hashlib.md5()
        for db in ("shop", "warehouse"):
            with psycopg.connect(self.server.dsn(db), autocommit=True) as conn:
                tables = conn.execute(
                    "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                    "WHERE schemaname = 'public' ORDER BY 1"
                ).fetchall()
                for (table,) in tables:
                    row = conn.execute(
                        f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                        f"FROM {table} t"
                    ).fetchone()
                    digest.update(f"{table}={row[0] if row else ''}".encode())
        return digest.hexdigest()


@dataclass
class Setup:
    """A staging server and a config that refreshes it from the shared production."""

    dir: Path
    staging: LocalServer
    config: Path
    staging_password: str

    def cli(
        self, *args: str, check: bool = False, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [*DBREFRESH, *args, "--config", str(self.config)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"dbrefresh {args} exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*DBREFRESH, *args, "--config", str(self.config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )

    def query(self, sql: str, db: str = "shop") -> list[tuple[Any, ...]]:
        with psycopg.connect(self.staging.dsn(db), autocommit=True) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]

    def refreshed_by(self) -> str | None:
        try:
            rows = self.query(
                "SELECT run_id FROM dbrefresh.refresh_info ORDER BY refreshed_at DESC LIMIT 1"
            )
        except psycopg.Error:
            return None
        return str(rows[0][0]) if rows else None

    def siblings(self) -> list[str]:
        """What runs left beside staging's data directory (kept, failed, clone ...)."""
        return sorted(p.name for p in self.staging.data_dir.parent.glob(".dbrefresh-*"))

    def run_appending_at_backup(self, name: str, text: str) -> subprocess.CompletedProcess[str]:
        """`dbrefresh run`, with `text` appended to staging's file `name` (no reload) once
        the run keeps staging's data (backup_target): after the preflight, before the swap."""
        return subprocess.run(
            [
                sys.executable,
                "-c",
                _APPEND_AT_BACKUP,
                name,
                text,
                "run",
                "--config",
                str(self.config),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=REPO,
        )

    @property
    def state_dir(self) -> Path:
        return self.dir / "state"

    def write_config(self, **extra: str) -> None:
        self.config.write_text(config_text(self, **extra))


def config_text(
    setup: Setup,
    *,
    smoke: str = "SELECT count(*) > 0 FROM customers",
    strict: str = "false",
    webhook: str = "",
    uncovered: str = "drop",
) -> str:
    return f"""version: 1
backend: local
state_dir: state
source:
  dsn: "{setup_production_dsn[0]}"
target:
  name: {setup.dir.name}
  dsn: "{setup.staging.dsn()}"
rules:
  files: [{shop_rules()}]
  uncovered_databases: {uncovered}
  seed_file: secrets/seed
temp_server: {{strict: {strict}}}
roles:
  app: {{password_file: secrets/app}}
smoke_queries:
  - {{name: customers, database: shop, sql: "{smoke}"}}
retention: {{keep_previous: 1}}
notify: {{webhook_url: "{webhook}"}}
local:
  target_data_dir: {setup.staging.data_dir}
  work_dir: work
  target_log: {setup.staging.log}
"""


setup_production_dsn: list[str] = [""]


@contextlib.contextmanager
def webhook_receiver(
    path: str = "/hook", status: int = 200
) -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A local HTTP endpoint collecting the JSON bodies POSTed to it and answering
    `status`: (its URL, them)."""
    received: list[dict[str, object]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}", received
    finally:
        server.shutdown()
