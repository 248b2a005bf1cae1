"""Fixtures shared by the anonymization tests."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from types import FrameType

import psycopg
import pytest

from tests.anonymize.helpers import Aborted


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


@pytest.fixture
def abort_on_alarm() -> Iterator[None]:
    """signal.alarm(n) in a test raises Aborted in the main thread n seconds later."""

    def abort(_signum: int, _frame: FrameType | None) -> None:
        raise Aborted

    previous = signal.signal(signal.SIGALRM, abort)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
