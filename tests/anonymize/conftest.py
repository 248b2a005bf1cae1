"""Fixtures shared by the anonymization tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest


@pytest.fixture
def app_role(admin_dsn: str) -> Iterator[str]:
    """A login role that is not a superuser (roles belong to the whole server). Ask
    for it before make_db: it is dropped after the databases holding its privileges."""
    name = f"app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP ROLE {name}")
