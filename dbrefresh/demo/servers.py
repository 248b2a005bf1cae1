"""Local PostgreSQL servers for the demo, the tests and the benchmark.

Built on the local backend's mechanics (initdb and pg_ctl as the `postgres` OS user when
root), so the demo exercises the same code the product runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo

from dbrefresh.backends.localpg import PgTools, find_bindir, remove_tree


@dataclass
class LocalServer:
    """A server in `home`: home/data (PGDATA), home/server.log; socket in socket_dir."""

    home: Path
    socket_dir: Path
    port: int
    tools: PgTools

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return make_conninfo(host=str(self.socket_dir), port=self.port, user=user, dbname=dbname)

    def tcp_dsn(self, dbname: str, user: str, password: str) -> str:
        return make_conninfo(
            host="127.0.0.1",
            port=self.port,
            user=user,
            dbname=dbname,
            password=password,
            connect_timeout=5,
        )

    @property
    def exists(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def create(self, settings: dict[str, str]) -> None:
        """initdb and append settings to postgresql.conf (socket dir and port included)."""
        remove_tree(self.data_dir)
        self.tools.own_dir(self.home, mode=0o755)
        self.tools.own_dir(self.socket_dir, mode=0o755)
        self.tools.initdb(self.data_dir)
        lines = {
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "listen_addresses": "''",
            **settings,
        }
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as fh:
            fh.write("\n# dbrefresh demo\n")
            for key, value in lines.items():
                fh.write(f"{key} = {value}\n")

    def start(self) -> None:
        if not self.tools.is_running(self.data_dir):
            self.tools.own_dir(self.socket_dir, mode=0o755)
            self.tools.start(self.data_dir, log_file=self.log)

    def stop(self) -> None:
        self.tools.stop(self.data_dir)


def tools() -> PgTools:
    return PgTools(bindir=find_bindir())
