"""Smaller commands: strategies, rules check, mark-clone confirmation."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.anonymize.helpers import CHINOOK_RULES, CliResult, run_cli


def test_strategies_lists_every_registered_strategy_with_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dbrefresh.strategies.registry import all_strategies

    result = run_cli(capsys, "strategies", "--format", "json")
    assert result.code == 0
    listed = {item["name"]: item for item in json.loads(result.out)}
    assert set(listed) == {s.name for s in all_strategies()}
    assert {"email", "date_shift", "partial", "jsonb", "template", "shuffle", "sql"} <= set(listed)
    params = {p["name"] for p in listed["date_shift"]["parameters"]}
    assert "max_days" in params
    # the choices a user may write, not `Optional`
    types = {p["name"]: p["type"] for p in listed["generalize"]["parameters"]}
    assert types == {"bucket": "float | None", "truncate": "day|week|month|quarter|year | None"}
    # nested rules and lists as YAML writes them, defaults too
    switch = {p["name"]: (p["type"], p["default"]) for p in listed["switch"]["parameters"]}
    assert switch["cases"] == ("dict[str, strategy]", None)
    assert switch["default"] == ("strategy", "keep")
    shift = {p["name"]: (p["type"], p["default"]) for p in listed["date_shift"]["parameters"]}
    assert shift["keep"] == ("list[str]", "[]")
    # the table shows the same (rich read `[str]` as markup and printed `keep: list`)
    text = run_cli(capsys, "strategies")
    assert text.code == 0
    assert "list[str]" in text.out


def test_rules_check_ok_and_json(chinook_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "rules", "check", str(CHINOOK_RULES), "--dsn", chinook_dsn)
    assert result.code == 0, result.err
    assert "ok" in result.out
    offline = run_cli(capsys, "rules", "check", str(CHINOOK_RULES))
    assert offline.code == 0


def test_rules_init_output_dash_is_standard_output_and_a_missing_directory_exit_2(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = make_db(prefix="initdash")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE people (id int PRIMARY KEY, email text)")
    monkeypatch.chdir(tmp_path)
    result = run_cli(capsys, "rules", "init", "--dsn", dsn, "-o", "-")
    assert result.code == 0, result.err
    assert "public.people:" in result.out and "email:" in result.out
    assert list(tmp_path.iterdir()) == []  # no file named '-'
    missing = run_cli(capsys, "rules", "init", "--dsn", dsn, "-o", "nowhere/rules.yaml")
    assert missing.code == 2 and "directory nowhere does not exist" in missing.err


def test_rules_check_reports_every_finding_as_json(
    chinook_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text(
        CHINOOK_RULES.read_text()
        .replace(
            "      fax: phone\n      email: {strategy: email, unique: true}\n      support_rep_id",
            "      email: {strategy: email, unique: true}\n      support_rep_id",
            1,
        )
        .replace("  public.album: keep", "  public.albums: keep")
    )
    result = run_cli(capsys, "rules", "check", str(rules), "--dsn", chinook_dsn, "--format", "json")
    assert result.code == 2
    payload = json.loads(result.out)
    assert payload["ok"] is False
    keys = {f["location"]["key"] for f in payload["findings"]}
    assert {"public.albums", "public.customer.fax", "public.album.album_id"} <= keys
    lines = {f["location"]["key"]: f["location"]["line"] for f in payload["findings"]}
    assert (
        lines["public.albums"] == rules.read_text().splitlines().index("  public.albums: keep") + 1
    )
    # an unclassified column's hint is the rule its name suggests, ready to paste; a
    # key column's name suggests nothing
    hints = {f["location"]["key"]: f["hint"] for f in payload["findings"]}
    assert hints["public.customer.fax"] == (
        "add it with a strategy, or `keep`; name suggests a phone number: `fax: phone`"
    )
    assert hints["public.album.album_id"] == "add it with a strategy, or `keep`"


def test_mark_clone_asks_and_a_no_writes_nothing(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    result = run_cli(capsys, "mark-clone", "--dsn", chinook_dsn)
    assert result.code == 2
    with psycopg.connect(chinook_dsn) as conn:
        assert conn.execute("SELECT to_regnamespace('dbrefresh')").fetchone()[0] is None
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert run_cli(capsys, "mark-clone", "--dsn", chinook_dsn).code == 0
    with psycopg.connect(chinook_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM dbrefresh.clone_marker").fetchone()[0] == 1


def test_values_the_table_refuses_exit_2_and_change_nothing(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CHECK constraint refusing masked phone numbers is the rules' doing (a re-run
    fails the same way): exit 2 with the constraint named, the table as it was."""
    dsn, rules, result, unchanged = _refused_phones(
        make_db, tmp_path, capsys, "CHECK (phone ~ '^\\+49 30 ')", 500
    )
    assert "contacts_phone_check" in result.err and "change the rule" in result.err
    # found on a sample before any chunk, and named after the table, not its test copy
    assert "failed a sample of masked rows" in result.err
    # each broken constraint with its definition, the column and its rule's file:line
    err = " ".join(result.err.split())
    assert (
        f"public.contacts.phone ({rules}:6: phone): " in err and " of 500 sampled rows break" in err
    )
    assert 'constraint "contacts_phone_check" (CHECK ((phone ~' in err
    assert "Traceback" not in result.err
    assert unchanged
    # keeping the area code too satisfies the constraint (phone keeps the country code)
    rules.write_text(
        rules.read_text().replace("phone: phone", "phone: {strategy: phone, keep_prefix: 7}")
    )
    assert run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s").code == 0
    with psycopg.connect(dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM contacts WHERE phone = '+49 30 ' || lpad(id::text, 7, '0')"
        ).fetchone() == (0,)


def test_a_check_the_sample_passes_is_still_refused_at_the_swap(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The preflight sample is the table's first rows: a refusal further on surfaces at
    the swap, which rolls back and exits 2 the same way."""
    _, rules, result, unchanged = _refused_phones(
        make_db, tmp_path, capsys, "CHECK (id <= 1500 OR phone ~ '^\\+49 30 ')", 2000
    )
    assert 'check constraint "contacts_check"' in result.err
    assert "(rolled back)" in result.err and "of a sample" not in result.err
    # the rule that did it and the constraint's definition, which PostgreSQL leaves out
    err = " ".join(result.err.split())
    assert f"public.contacts.phone ({rules}:6: phone): masked values break" in err
    assert "((id <= 1500) OR (phone ~" in err and "past the preflight's sample" in err
    assert unchanged


def test_a_large_table_is_sampled_across_its_pages_too(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its first rows are its oldest: a refusal only newer rows trigger is found on
    pages sampled over the whole table, before any chunk runs."""
    _, _, result, unchanged = _refused_phones(
        make_db, tmp_path, capsys, "CHECK (id <= 5000 OR phone ~ '^\\+49 30 ')", 40000
    )
    assert 'check constraint "contacts_check"' in result.err
    assert "failed a sample of masked rows" in result.err
    assert unchanged


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ('phone: {strategy: sql, expression: "upper(id)"}', "function upper(integer)"),
        (
            "phone: phone\n    delete_where: \"id > now() - interval '1 day'\"",
            "operator does not exist: integer > timestamp with time zone",
        ),
    ],
    ids=["sql-rule", "delete-where"],
)
def test_rule_sql_postgresql_cannot_run_exits_2_and_changes_nothing(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, error: str
) -> None:
    """An `sql` rule or a delete_where calling a function on the wrong types parses, and
    fails on every run: it is the rules' doing (exit 2, found on a sample before
    anything changes), not a failure a re-run finishes (exit 3)."""
    from tests.anonymize.helpers import db_with_rules, fingerprint

    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        "CREATE TABLE contacts (id int PRIMARY KEY, phone text);"
        "INSERT INTO contacts SELECT i, '+49 30 ' || i FROM generate_series(1, 300) i;",
        f"version: 1\ntables:\n  public.contacts:\n    columns:\n      id: keep\n      {rule}\n",
        "contacts.yaml",
    )
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2, result.err
    assert error in result.err and "failed a sample of masked rows" in result.err
    assert "re-run to finish" not in result.err and "Traceback" not in result.err
    assert fingerprint(dsn) == before


def _refused_phones(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str], check: str, rows: int
) -> tuple[str, Path, CliResult, bool]:
    """`rows` German phone numbers under `check`, masked by a rule the check refuses:
    the database, the rules, anonymize's exit 2, and whether the data is unchanged."""
    from tests.anonymize.helpers import db_with_rules, fingerprint

    dsn, rules = db_with_rules(
        make_db,
        tmp_path,
        f"CREATE TABLE contacts (id int PRIMARY KEY, phone text {check});"
        "INSERT INTO contacts SELECT i, '+49 30 ' || lpad(i::text, 7, '0')"
        f"  FROM generate_series(1, {rows}) i; ANALYZE contacts;",
        "version: 1\ntables:\n  public.contacts:\n    columns:\n      id: keep\n"
        "      phone: phone\n",
        "contacts.yaml",
    )
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "s")
    assert result.code == 2, result.err
    return dsn, rules, result, fingerprint(dsn) == before


def _contacts(make_db, tmp_path: Path, rows: int) -> tuple[str, Path]:
    """A database of `rows` contacts with unique emails, and rules masking the emails."""
    from tests.anonymize.helpers import db_with_rules

    return db_with_rules(
        make_db,
        tmp_path,
        "CREATE TABLE contacts (id int PRIMARY KEY, email text NOT NULL UNIQUE);"
        "INSERT INTO contacts SELECT i, format('c%s@corp.example', i)"
        f"  FROM generate_series(1, {rows}) i;",
        "version: 1\ntables:\n  public.contacts:\n    columns:\n      id: keep\n"
        "      email: {strategy: email, unique: true}\n",
        "contacts.yaml",
    )


def test_limits_production_set_on_the_database_do_not_stop_masking(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ALTER DATABASE ... SET statement_timeout (or a read-only default) travels with the
    clone; dbrefresh's own sessions lift it for themselves, and it stays for staging's
    apps."""
    from dbrefresh.db import dsn_database, without_limits

    dsn, rules = _contacts(make_db, tmp_path, 20000)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for setting in (
            "statement_timeout = '2ms'",
            "idle_in_transaction_session_timeout = '1ms'",
            "default_transaction_read_only = on",
        ):
            conn.execute(f'ALTER DATABASE "{dsn_database(dsn)}" SET {setting}')
    # What an application session gets, read from the catalog: a session living under
    # them failed its own SHOW past 2 ms on a loaded machine.
    assert _database_settings(without_limits(dsn)) >= {
        "statement_timeout=2ms",
        "default_transaction_read_only=on",
    }
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "t")
    assert result.code == 0, result.err
    assert run_cli(capsys, "verify", str(rules), "--dsn", dsn, "--seed", "t").code == 0
    with psycopg.connect(without_limits(dsn)) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
        assert conn.execute(
            "SELECT count(*) FROM contacts WHERE email LIKE '%@corp.example'"
        ).fetchone() == (0,)
    assert "statement_timeout=2ms" in _database_settings(without_limits(dsn))  # staging's


def _database_settings(dsn: str) -> set[str]:
    """The database's own settings (ALTER DATABASE ... SET), as 'name=value'."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d "
            "ON d.oid = s.setdatabase WHERE d.datname = current_database() "
            "AND s.setrole = 0"
        ).fetchone()
    return set(row[0]) if row else set()


def test_without_limits_keeps_the_options_a_dsn_already_has() -> None:
    from psycopg.conninfo import conninfo_to_dict

    from dbrefresh.db import without_limits

    options = conninfo_to_dict(
        without_limits("postgresql://app:pw@db:5432/shop?options=-c%20search_path%3Dapp")
    )["options"]
    assert options.startswith("-c search_path=app -c statement_timeout=0")
    assert "-c lock_timeout=0 -c idle_in_transaction_session_timeout=0" in options
    assert options.endswith("-c default_transaction_read_only=off")


def test_a_second_anonymize_on_the_same_database_is_refused_and_changes_nothing(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nightly job and a run by hand on one clone: the second would drop the first
    one's scratch tables and race its swaps."""
    from dbrefresh.anonymize.clone import MASKING_LOCK
    from tests.anonymize.helpers import fingerprint

    dsn, rules = _contacts(make_db, tmp_path, 300)
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    with psycopg.connect(dsn, autocommit=True) as running:  # the first run, mid-way
        running.execute("SELECT pg_advisory_lock(%s)", (MASKING_LOCK,))
        result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "l")
        assert result.code == 2
        assert "another dbrefresh anonymize is running on database" in result.err
        assert fingerprint(dsn) == before
    # the lock goes with the session that held it
    assert run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "l").code == 0
    assert fingerprint(dsn) != before
