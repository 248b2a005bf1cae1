"""The role target.dsn logs in as gets staging's password, never production's hash.

It used to keep production's hash: staging refused its own password after the swap
(health check failed, the run rolled back every night) and production's superuser
password logged in to staging meanwhile.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from wfsupport import Production, Setup, config_text

from dbrefresh.workflow.bytesearch import search_tree


def _set_password(dsn: str, password: str | None) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER ROLE postgres PASSWORD {}").format(
                sql.Literal(password) if password else sql.SQL("NULL")
            )
        )


@pytest.fixture(scope="module")
def production_password(production: Production) -> Iterator[str]:
    """Production's superuser gets a password (trust over its socket still lets the
    other modules in); removed afterwards."""
    password = "prodsuper-" + secrets.token_hex(10)
    _set_password(production.server.dsn(), password)
    yield password
    _set_password(production.server.dsn(), None)


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production_password: str) -> Setup:
    return make_setup("login")


def _use_target_dsn(setup: Setup, dsn: str, extra_roles: str = "") -> None:
    text = config_text(setup).replace(f'dsn: "{setup.staging.dsn()}"', f'dsn: "{dsn}"')
    assert dsn in text
    if extra_roles:
        text = text.replace("roles:\n", f"roles:\n{extra_roles}")
    setup.config.write_text(text)


def _logs_in(setup: Setup, password: str) -> bool:
    try:
        with psycopg.connect(setup.staging.tcp_dsn("shop", "postgres", password)):
            return True
    except psycopg.OperationalError:
        return False


def _texts(setup: Setup, proc: object) -> list[str]:
    texts = [proc.stdout, proc.stderr]  # type: ignore[attr-defined]
    for path in [*setup.state_dir.rglob("*"), setup.staging.log]:
        if path.is_file():
            texts.append(path.read_text(errors="replace"))
    return texts


def test_the_dsn_password_is_set_and_production_s_hash_is_gone(
    setup: Setup, production_password: str
) -> None:
    password = "stgsuper-" + secrets.token_hex(10)
    _set_password(setup.staging.dsn(), password)
    _use_target_dsn(setup, setup.staging.tcp_dsn("postgres", "postgres", password))
    proc = setup.cli("run", "--json", check=True)  # health check over TCP with it
    assert json.loads(proc.stdout)["state"] == "done"
    assert _logs_in(setup, password)
    assert not _logs_in(setup, production_password)
    for text in _texts(setup, proc):
        assert password not in text and production_password not in text


def test_a_passfile_password_is_what_staging_gets(
    setup: Setup, production_password: str, tmp_path: Path
) -> None:
    """libpq found the password in a passfile: the preflight connection tells which."""
    password = "passfile-" + secrets.token_hex(10)
    _set_password(setup.staging.dsn(), password)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{setup.staging.port}:*:postgres:{password}\n")
    passfile.chmod(0o600)
    dsn = (
        f"host=127.0.0.1 port={setup.staging.port} user=postgres dbname=postgres "
        f"passfile={passfile} connect_timeout=5"
    )
    _use_target_dsn(setup, dsn)
    proc = setup.cli("run", check=True)
    assert _logs_in(setup, password)
    assert not _logs_in(setup, production_password)
    assert not any(password in text for text in _texts(setup, proc))


def test_without_a_password_production_s_hash_is_cleared(
    setup: Setup, production: Production, production_password: str
) -> None:
    """Peer or trust over the socket: no password to give, and production's goes."""
    _use_target_dsn(setup, setup.staging.dsn())
    report = json.loads(setup.cli("run", "--json", check=True).stdout)
    finalize = next(s for s in report["steps"] if s["name"] == "finalize")
    assert "postgres" in finalize["data"]["passwords_cleared"]
    assert setup.query("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'postgres'") == [
        (True,)
    ]
    assert not _logs_in(setup, production_password)
    with psycopg.connect(production.server.dsn(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'"
        ).fetchone()
    assert row is not None and row[0]
    assert search_tree(setup.staging.data_dir / "global", [str(row[0]).encode()]) == []


def test_a_role_with_two_passwords_is_refused_first(setup: Setup) -> None:
    before = setup.refreshed_by()
    password = "stgsuper-" + secrets.token_hex(10)
    _set_password(setup.staging.dsn(), password)
    (setup.dir / "secrets" / "other").write_text("something-else\n")
    _use_target_dsn(
        setup,
        setup.staging.tcp_dsn("postgres", "postgres", password),
        "  postgres: {password_file: secrets/other}\n",
    )
    proc = setup.cli("run")
    assert proc.returncode == 2, proc.stderr
    assert "roles.postgres: target.dsn logs in as postgres" in proc.stderr
    assert password not in proc.stderr and "something-else" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert setup.refreshed_by() == before
