"""pg_hba.conf, pg_ident.conf and the TLS files a restart of staging reads are checked
before anything is copied, and again by the swap before it stops staging. `postgres
-C` reads settings only: a bad hba line or `ssl = on` without a certificate passed,
the swap's start failed, the rollback's failed the same way (STAGING IS DOWN)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend, localstartfiles

BAD_HBA = "host all all 10.0.0.0/33 trust\n"


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("staging-files")


@pytest.fixture
def files(setup: Setup) -> Iterator[Path]:
    """Staging's data directory; its hba, ident and postgresql.conf put back after."""
    data = setup.staging.data_dir
    saved = {name: (data / name).read_text() for name in ("pg_hba.conf", "pg_ident.conf")}
    saved["postgresql.conf"] = (data / "postgresql.conf").read_text()
    yield data
    for name, text in saved.items():
        (data / name).write_text(text)


def _refused(setup: Setup) -> str:
    before, siblings = setup.refreshed_by(), setup.siblings()
    proc = setup.cli("run")
    said = proc.stdout + proc.stderr
    assert proc.returncode == 2, said
    assert "Traceback" not in said and "STAGING IS DOWN" not in said, said
    runs = setup.state_dir / "runs"
    assert not runs.exists() or not list(runs.iterdir())
    assert setup.siblings() == siblings
    assert setup.refreshed_by() == before and setup.query("SELECT 1") == [(1,)]
    return " ".join(proc.stderr.split())


def _append(path: Path, text: str) -> int:
    """Append text (no reload); the line number it got."""
    line = len(path.read_text().splitlines()) + 1
    with path.open("a") as fh:
        fh.write(text)
    return line


def test_a_bad_hba_line_is_refused_before_anything_is_copied(setup: Setup, files: Path) -> None:
    line = _append(files / "pg_hba.conf", BAD_HBA)
    said = _refused(setup)
    assert f'{files / "pg_hba.conf"}:{line}: invalid CIDR mask in address "10.0.0.0/33"' in said
    assert "staging refuses to start" in said


def test_a_bad_ident_line_is_refused(setup: Setup, files: Path) -> None:
    line = _append(files / "pg_ident.conf", "lonely\n")
    said = _refused(setup)
    assert f"{files / 'pg_ident.conf'}:{line}: missing entry at end of line" in said
    assert "user name map" in said


def test_ssl_on_without_a_certificate_is_refused(setup: Setup, files: Path) -> None:
    _append(files / "postgresql.conf", "ssl = on\n")
    said = _refused(setup)
    assert f"ssl_cert_file = 'server.crt': {files / 'server.crt'}: No such file" in said, said


def test_a_key_readable_by_others_is_refused(setup: Setup, files: Path) -> None:
    """The server refuses a key with group or world access; the checks say so first."""
    for name in ("server.crt", "server.key"):
        (files / name).write_text("not a real certificate\n")
        (files / name).chmod(0o644)
        subprocess.run(["chown", "postgres:postgres", str(files / name)], check=True)
    _append(files / "postgresql.conf", "ssl = on\n")
    try:
        said = _refused(setup)
    finally:
        for name in ("server.crt", "server.key"):
            (files / name).unlink()
    assert "server.crt" not in said
    assert f"{files / 'server.key'} has group or world access" in said, said


def test_the_view_unreadable_is_said_not_passed_over(setup: Setup) -> None:
    """A target.dsn role that may not read pg_hba_file_rules: nothing is claimed."""
    with psycopg.connect(setup.staging.dsn(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS plain")
        conn.execute("CREATE ROLE plain LOGIN")
    found, unchecked = localstartfiles.auth_problems(setup.staging.dsn(user="plain"))
    assert found == []
    assert "not checked: plain may not read pg_hba_file_rules" in unchecked


def test_an_hba_file_broken_during_the_run_stops_the_swap_before_staging_stops(
    setup: Setup, files: Path
) -> None:
    before = setup.refreshed_by()
    proc = setup.run_appending_at_backup("pg_hba.conf", BAD_HBA)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 2, said
    assert "with staging's configuration copied in, would not start" in proc.stderr, said
    assert "invalid CIDR mask" in proc.stderr and "STAGING IS DOWN" not in said
    assert setup.refreshed_by() == before  # still running, on its own data
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving() and backend.leftovers() == []
    assert backend.target.previous_runs() == []
