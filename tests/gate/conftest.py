"""Gate fixtures: staging-like databases with a big and a small table (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dbrefresh.db import with_database

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "gate-corpus"
BIG_ROWS = 1_000_000
TEMPLATE = "gate_staging_tmpl_v1"
BUILDING = TEMPLATE + "_building"


@pytest.fixture(scope="session")
def staging_template(admin_dsn: str) -> str:
    """A template database: `big` (1M narrow rows) and `small` (100 rows), analyzed."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone():
            return TEMPLATE
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BUILDING)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BUILDING)))
    dsn = with_database(admin_dsn, BUILDING)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL, note text)")
        conn.execute(
            "INSERT INTO big SELECT g, g %% 1000, NULL FROM generate_series(1, %s) g", (BIG_ROWS,)
        )
        conn.execute("CREATE TABLE small (id int PRIMARY KEY, v int NOT NULL, note text)")
        conn.execute("INSERT INTO small SELECT g, g % 10, NULL FROM generate_series(1, 100) g")
        conn.execute("CREATE TABLE parent (id int PRIMARY KEY)")
        conn.execute("INSERT INTO parent SELECT g FROM generate_series(1, 1000) g")
        conn.execute("ANALYZE")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:  # complete, then visible
        conn.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(BUILDING), sql.Identifier(TEMPLATE)
            )
        )
    return TEMPLATE


@pytest.fixture
def staging_dsn(make_db: Callable[..., str], staging_template: str) -> str:
    """A fresh copy of the staging template for one test."""
    return make_db(template=staging_template, prefix="gate")


@pytest.fixture
def write_sql(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str, name: str = "V1__migration.sql") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
