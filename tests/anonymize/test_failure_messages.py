"""What a failed masking says: the error once, where it was raised, what it held back,
and advice that fits the command and the cause."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dbrefresh.backends.local import chown_for_server
from tests.anonymize.helpers import run_cli

# users <- addresses, users <- orders: one swap group. addresses' CHECK refuses masked
# phones past row 1500 only, so the preflight's sample (the first rows) passes and the
# swap of the whole group fails.
LINKED = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE addresses (id int PRIMARY KEY, user_id int REFERENCES users,
  phone text CONSTRAINT phone_de CHECK (id <= 1500 OR phone ~ '^\\+49 30 '));
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, note text);
INSERT INTO users SELECT i, format('u%s@corp.example', i) FROM generate_series(1, 2000) i;
INSERT INTO addresses SELECT i, i, '+49 30 ' || lpad(i::text, 7, '0')
  FROM generate_series(1, 2000) i;
INSERT INTO orders SELECT i, i, 'order ' || i FROM generate_series(1, 2000) i;
ANALYZE;
"""
LINKED_RULES = """version: 1
tables:
  public.users:
    columns:
      id: keep
      email: {strategy: email, unique: true}
  public.addresses:
    columns:
      id: keep
      user_id: keep
      phone: phone
  public.orders:
    columns:
      id: keep
      user_id: keep
      note: {strategy: sql, expression: "'note ' || id"}
"""


def test_a_failed_group_names_the_relation_that_raised_and_those_held_back(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The group's one transaction failed on addresses' CHECK: the error is said once,
    at addresses, and users and orders are named as not written because of it (it was
    repeated once per relation, each as if it had raised it)."""
    from tests.anonymize.helpers import db_with_rules, fingerprint

    dsn, rules = db_with_rules(make_db, tmp_path, LINKED, LINKED_RULES, "shop.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2, result.err
    err = " ".join(result.err.split())
    assert err.count('violates check constraint "phone_de"') == 1, err
    assert "masking failed for public.addresses (rolled back): new row" in err, err
    assert "public.orders, public.users not written" in err, err
    assert fingerprint(dsn) == before


@pytest.fixture
def small_tablespace(admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tablespace on a 6 MB tmpfs: a table of 4 MB fits, its masked copy beside it
    does not (the swap refills it in the same transaction as the truncate)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = Path("/var/tmp") / f"dbr-small-{uuid.uuid4().hex[:8]}"
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(where)], check=True)
    name = f"small_{uuid.uuid4().hex[:8]}"
    try:
        chown_for_server(where)
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{where}'")
        yield name
    finally:  # (requested before make_db: its databases are dropped by now)
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", str(where)], check=False)
        where.rmdir()


def test_a_full_disk_says_what_ran_short_rather_than_re_run(
    small_tablespace: str, make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk full (SQLSTATE 53100) fails every re-run alike until someone makes room:
    the error says disk space ran short and where to make it, not "re-run to finish"."""
    from tests.anonymize.helpers import db_with_rules

    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        f"CREATE TABLE notes (id int PRIMARY KEY USING INDEX TABLESPACE pg_default, body text)"
        f" TABLESPACE {small_tablespace};"
        "INSERT INTO notes SELECT i, repeat(md5(i::text), 4) FROM generate_series(1, 20000) i;"
        "ANALYZE notes;",
        "version: 1\ntables:\n  public.notes:\n    columns:\n      id: keep\n"
        '      body: {strategy: sql, expression: "repeat(md5(body), 4)"}\n',
        "notes.yaml",
    )
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 3, result.err
    err = " ".join(result.err.split())
    assert "No space left on device" in err, err
    assert "masking failed for public.notes" in err
    assert "PostgreSQL ran short of disk space" in err and "make room on the disk" in err
    assert "re-run to finish" not in err and "Traceback" not in err


def test_the_preflight_refuses_what_rules_check_finds_whatever_the_seed(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules check --dsn` masks its sample with a key of its own and found 1 of 1,000
    city names too long for city_len; anonymize's preflight masked the same sample with
    the run's seed, drew no long name there, and the swap met one further on (rolled
    back, exit 2). The preflight now masks the sample with rules check's key too, and
    refuses before anything changes, as rules check did."""
    from tests.anonymize.helpers import db_with_rules, fingerprint

    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        "CREATE TABLE addresses (id int PRIMARY KEY,"
        "  city text CONSTRAINT city_len CHECK (char_length(city) <= 27));"
        "INSERT INTO addresses SELECT i, 'Town' || i FROM generate_series(1, 3000) i;"
        "ANALYZE addresses;",
        "version: 1\ntables:\n  public.addresses:\n    columns:\n      id: keep\n"
        "      city: city\n",
        "addresses.yaml",
    )
    check = run_cli(capsys, "rules", "check", str(rules), "--dsn", dsn)
    assert check.code == 2 and "1 of 1000 sampled rows break" in check.out + check.err
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    # under seed s1 no city of the sample is too long, 3 of the whole table's are
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s1")
    assert result.code == 2, result.err
    err = " ".join(result.err.split())
    assert "1 relation(s) failed a sample of masked rows, nothing was changed" in err, err
    assert f"public.addresses.city ({rules}:6: city): 1 of 1000 sampled rows break" in err
    assert 'check constraint "city_len"' in err and "`rules check`'s key" in err
    assert fingerprint(dsn) == before
