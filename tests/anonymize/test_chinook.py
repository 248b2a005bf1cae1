"""End to end on Chinook with rules/chinook.yaml: masked, joined, verified."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import verify_report
from dbrefresh.db import dsn_database
from tests.anonymize.helpers import CHINOOK_RULES, CliResult, run_cli

SEED = "test-seed-1"
MASKED = {
    "customer": ["first_name", "last_name", "address", "city", "postal_code", "phone", "email"],
    "employee": ["first_name", "last_name", "birth_date", "address", "city", "phone", "email"],
}
PKS = {"customer": "customer_id", "employee": "employee_id"}


def snapshot(dsn: str, table: str, columns: list[str]) -> dict[int, tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"SELECT {PKS[table]}, {', '.join(columns)} FROM {table}").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def run_anonymize(
    capsys: pytest.CaptureFixture[str], dsn: str, seed: str = SEED, rules: Path = CHINOOK_RULES
) -> CliResult:
    return run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", seed, "--no-progress")


def anonymize(
    capsys: pytest.CaptureFixture[str], dsn: str, seed: str = SEED, rules: Path = CHINOOK_RULES
) -> None:
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    result = run_anonymize(capsys, dsn, seed, rules)
    assert result.code == 0, result.err


def rules_for(dsn: str, tmp_path: Path) -> Path:
    """rules/chinook.yaml for another copy of Chinook: its `database:` names that copy."""
    name = dsn_database(dsn)
    path = tmp_path / f"{name}.yaml"
    path.write_text(CHINOOK_RULES.read_text().replace("database: chinook", f"database: {name}"))
    return path


def test_chinook_masked_joined_and_verified(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {t: snapshot(chinook_dsn, t, cols) for t, cols in MASKED.items()}
    with psycopg.connect(chinook_dsn) as conn:
        counts_before = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("customer", "employee", "invoice", "invoice_line")
        }
    anonymize(capsys, chinook_dsn)

    after = {t: snapshot(chinook_dsn, t, cols) for t, cols in MASKED.items()}
    for table, columns in MASKED.items():
        assert after[table].keys() == before[table].keys()
        for pk, old in before[table].items():
            for column, old_value, new_value in zip(columns, old, after[table][pk], strict=True):
                if old_value is not None:
                    assert new_value != old_value, f"{table}.{column} kept {old_value!r}"
                else:
                    assert new_value is None
    with psycopg.connect(chinook_dsn) as conn:
        for table, count in counts_before.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
        orphans = conn.execute("""
            SELECT (SELECT count(*) FROM employee e WHERE reports_to IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM employee m WHERE m.employee_id = e.reports_to)),
                   (SELECT count(*) FROM customer c WHERE support_rep_id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM employee e
                                      WHERE e.employee_id = c.support_rep_id)),
                   (SELECT count(*) FROM invoice i WHERE NOT EXISTS
                      (SELECT 1 FROM customer c WHERE c.customer_id = i.customer_id))
        """).fetchone()
        assert orphans == (0, 0, 0)
        fk_count = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated"
        ).fetchone()[0]
        assert fk_count == 11
        dup_emails = conn.execute(
            "SELECT count(*) - count(DISTINCT email) FROM customer"
        ).fetchone()[0]
        assert dup_emails == 0
        lengths_ok = conn.execute(
            "SELECT bool_and(length(email) <= 60 AND length(last_name) <= 20) FROM customer"
        ).fetchone()[0]
        assert lengths_ok

    verified = run_cli(
        capsys,
        "verify",
        str(CHINOOK_RULES),
        "--dsn",
        chinook_dsn,
        "--seed",
        SEED,
        "--format",
        "json",
    )
    assert verified.code == 0, verified.out + verified.err
    assert '"total_leaks": 0' in verified.out


def test_verify_tells_of_each_check_as_it_starts_and_ends(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a progress display shows while verify runs on 2 sessions: every check
    starts and ends once, and the count reaches the total; the kept columns judged
    after them (verify_drift.py) continue the count."""
    anonymize(capsys, chinook_dsn)
    heard: list[tuple[str, int, int]] = []
    report = verify_report(
        chinook_dsn, [CHINOOK_RULES], seed=SEED, workers=2, on_check=lambda *a: heard.append(a)
    )
    assert report.findings == []
    planned = [h for h in heard if not h[0].startswith("kept columns of ")]
    total = planned[0][2]
    assert total == report.relations_checked + report.foreign_keys_checked
    assert len(planned) == 2 * total and {t for _, _, t in planned} == {total}
    assert heard[: len(planned)] == planned and planned[-1][1] == total
    assert [done for _, done, _ in heard] == sorted(done for _, done, _ in heard)
    assert heard[-1][1] == heard[-1][2] > total  # chinook keeps whole tables of text
    labels = [label for label, _, _ in heard]
    assert all(labels.count(label) == 2 for label in labels)
    assert {"public.customer", "public.employee"} <= set(labels)


def test_verify_without_masking_finds_problems(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "verify", str(CHINOOK_RULES), "--dsn", chinook_dsn, "--seed", SEED)
    assert result.code == 1
    assert "not-masked" in result.out


def test_same_seed_same_values_other_seed_other_values(
    chinook_dsn: str,
    make_db,
    chinook_template: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    second = make_db(template=chinook_template, prefix="chinook")
    third = make_db(template=chinook_template, prefix="chinook")
    anonymize(capsys, chinook_dsn)
    anonymize(capsys, second, rules=rules_for(second, tmp_path))
    anonymize(capsys, third, seed="another-seed", rules=rules_for(third, tmp_path))
    cols = MASKED["customer"]
    assert snapshot(chinook_dsn, "customer", cols) == snapshot(second, "customer", cols)
    one, other = snapshot(chinook_dsn, "customer", cols), snapshot(third, "customer", cols)
    assert all(one[pk][-1] != other[pk][-1] for pk in one)  # emails all differ


def test_email_masked_in_two_tables_still_joins(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(chinook_dsn) as conn:
        conn.execute(
            "UPDATE employee SET email = (SELECT email FROM customer "
            "WHERE customer_id = 1) WHERE employee_id = 1"
        )
    anonymize(capsys, chinook_dsn)
    with psycopg.connect(chinook_dsn) as conn:
        joined = conn.execute(
            "SELECT count(*) FROM employee e JOIN customer c ON c.email = e.email"
        ).fetchone()[0]
        original = conn.execute(
            "SELECT count(*) FROM customer WHERE email = 'luisg@embraer.com.br'"
        ).fetchone()[0]
    assert joined == 1
    assert original == 0


def test_rerun_after_success_changes_nothing(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    anonymize(capsys, chinook_dsn)
    first = snapshot(chinook_dsn, "customer", MASKED["customer"])
    result = run_anonymize(capsys, chinook_dsn)
    assert result.code == 0
    assert snapshot(chinook_dsn, "customer", MASKED["customer"]) == first
    # and says so, rather than a bare '0 relation(s) rewritten'
    with psycopg.connect(chinook_dsn) as conn:
        masked = conn.execute("SELECT count(*) FROM dbrefresh.masked_relations").fetchone()
    assert masked is not None and masked[0] >= len(MASKED)
    assert "0 relation(s) rewritten" in result.out
    assert f"{masked[0]} already masked by an earlier run (skipped)" in result.out


def test_schema_drift_refused_and_nothing_changed(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.anonymize.helpers import fingerprint

    with psycopg.connect(chinook_dsn) as conn:
        conn.execute("ALTER TABLE customer ADD COLUMN loyalty_card text")
        conn.execute("UPDATE customer SET loyalty_card = 'LC-' || customer_id")
    assert run_cli(capsys, "mark-clone", "--dsn", chinook_dsn, "--yes").code == 0
    before = fingerprint(chinook_dsn)
    result = run_anonymize(capsys, chinook_dsn)
    assert result.code == 2
    assert "public.customer.loyalty_card" in result.err
    assert "column not classified" in result.err
    assert fingerprint(chinook_dsn) == before


def test_database_without_marker_refused_and_nothing_changed(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.anonymize.helpers import fingerprint

    before = fingerprint(chinook_dsn)
    result = run_anonymize(capsys, chinook_dsn)
    assert result.code == 2
    assert "clone marker" in result.err
    assert fingerprint(chinook_dsn) == before


def test_missing_seed_is_a_usage_error(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBREFRESH_SEED", raising=False)
    run_cli(capsys, "mark-clone", "--dsn", chinook_dsn, "--yes")
    result = run_cli(capsys, "anonymize", str(CHINOOK_RULES), "--dsn", chinook_dsn, "--no-progress")
    assert result.code == 2
    assert "DBREFRESH_SEED" in result.err


def test_plan_prints_sql_without_secrets(
    chinook_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "plan", str(CHINOOK_RULES), "--dsn", chinook_dsn)
    assert result.code == 0, result.err
    # employee <- customer <- invoice are tied by foreign keys: one swap, referenced
    # first, one TRUNCATE; small tables keep their indexes, so keys between them stay.
    # invoice_line is kept: its key to invoice is set aside and re-validated.
    lines = result.out.splitlines()  # printed unwrapped: the script runs as printed
    assert "-- swap of public.employee, public.customer, public.invoice" in lines
    truncate = (
        'TRUNCATE ONLY "public"."customer", ONLY "public"."employee", ONLY "public"."invoice";'
    )
    assert truncate in lines
    assert 'DROP CONSTRAINT "invoice_customer_id_fkey"' not in result.out
    assert (
        'ALTER TABLE "public"."invoice_line" DROP CONSTRAINT "invoice_line_invoice_id_fkey";'
        in lines
    )
    assert max(len(line) for line in lines) > 200
    assert SEED not in result.out
    with psycopg.connect(chinook_dsn) as conn:  # plan wrote nothing
        assert conn.execute("SELECT to_regnamespace('dbrefresh')").fetchone()[0] is None


def test_password_not_printed_on_connection_failure(capsys: pytest.CaptureFixture[str]) -> None:
    dsn = "postgresql://app:s3cr3t-pw@127.0.0.1:1/shop"
    result = run_cli(capsys, "plan", str(CHINOOK_RULES), "--dsn", dsn)
    assert result.code == 3
    assert "s3cr3t-pw" not in result.out + result.err
    # it names where the DSN points, not the session options dbrefresh adds to it
    assert "cannot connect to host=127.0.0.1 port=1 dbname=shop user=app:" in result.err
    assert "statement_timeout" not in result.err
