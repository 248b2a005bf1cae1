"""`rules init` on the Chinook sample: every column classified, PII masked, it compiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import yaml

from dbrefresh.catalog import read_catalog
from dbrefresh.rules.init import generate_rules

from .helpers import comment_of, generate_and_compile, strategy_of

PHONE_STRATEGIES = {"phone", "digits"}


def test_every_column_of_every_table_is_listed(chinook_dsn: str, tmp_path: Path) -> None:
    text, plan = generate_and_compile(chinook_dsn, tmp_path)
    with psycopg.connect(chinook_dsn) as conn:
        catalog = read_catalog(conn)
    doc = yaml.safe_load(text)
    assert doc["version"] == 1
    assert doc["defaults"]["unlisted_columns"] == "fail"
    assert set(doc["tables"]) == set(catalog.tables)
    for name, table in catalog.tables.items():
        assert list(doc["tables"][name]["columns"]) == list(table.columns), name
    assert plan.steps  # something is masked


def test_personal_columns_get_fitting_strategies(chinook_dsn: str, tmp_path: Path) -> None:
    text, _ = generate_and_compile(chinook_dsn, tmp_path)
    for table in ("public.customer", "public.employee"):
        assert strategy_of(text, table, "email") == "email"
        assert strategy_of(text, table, "first_name") == "first_name"
        assert strategy_of(text, table, "last_name") == "last_name"
        assert strategy_of(text, table, "phone") in PHONE_STRATEGIES
        assert strategy_of(text, table, "fax") in PHONE_STRATEGIES
        assert strategy_of(text, table, "address") == "street"
        assert strategy_of(text, table, "city") == "city"
        assert strategy_of(text, table, "postal_code") == "postcode"
    assert strategy_of(text, "public.customer", "company") == "company"
    assert strategy_of(text, "public.employee", "birth_date") == "date_shift"
    assert strategy_of(text, "public.invoice", "billing_address") == "street"
    assert strategy_of(text, "public.invoice", "billing_city") == "city"
    assert strategy_of(text, "public.invoice", "billing_postal_code") == "postcode"


def test_keys_and_plain_data_are_kept(chinook_dsn: str, tmp_path: Path) -> None:
    text, _ = generate_and_compile(chinook_dsn, tmp_path)
    kept = {
        "public.customer": ["customer_id", "support_rep_id", "country", "state"],
        "public.employee": ["employee_id", "reports_to", "title", "hire_date"],
        "public.invoice": ["invoice_id", "customer_id", "invoice_date", "total"],
        "public.invoice_line": ["invoice_line_id", "invoice_id", "track_id", "quantity"],
        "public.track": ["track_id", "name", "album_id", "composer", "unit_price"],
        "public.artist": ["artist_id", "name"],
        "public.playlist_track": ["playlist_id", "track_id"],
    }
    for table, columns in kept.items():
        for column in columns:
            assert strategy_of(text, table, column) == "keep", f"{table}.{column}"


def test_masked_columns_say_why(chinook_dsn: str, tmp_path: Path) -> None:
    text, _ = generate_and_compile(chinook_dsn, tmp_path)
    why = comment_of(text, "public.customer", "email")
    assert "name suggests an email address" in why
    assert "sampled values look like email addresses" in why
    assert comment_of(text, "public.customer", "customer_id") == ""


def test_output_is_stable(chinook_dsn: str) -> None:
    with psycopg.connect(chinook_dsn) as conn:
        first = generate_rules(conn)
        second = generate_rules(conn, sample_rows=1000)
    assert first == second


def test_database_name_can_be_given(chinook_dsn: str) -> None:
    with psycopg.connect(chinook_dsn) as conn:
        text = generate_rules(conn, database="media_store", sample_rows=0)
    assert yaml.safe_load(text)["database"] == "media_store"


def test_generated_rules_anonymize_and_verify_clean(chinook_dsn: str, tmp_path: Path) -> None:
    from dbrefresh.anonymize.api import anonymize, mark_clone, verify

    with psycopg.connect(chinook_dsn) as conn:
        path = tmp_path / "chinook.yaml"
        path.write_text(generate_rules(conn), encoding="utf-8")
        before = conn.execute("SELECT email FROM customer ORDER BY customer_id").fetchall()
    mark_clone(chinook_dsn)
    anonymize(chinook_dsn, [path], seed="rules-init", progress=False)
    assert verify(chinook_dsn, [path], seed="rules-init") == []
    with psycopg.connect(chinook_dsn) as conn:
        after = conn.execute("SELECT email FROM customer ORDER BY customer_id").fetchall()
    assert len(after) == len(before)
    assert not set(after) & set(before)


def test_printed_rules_are_the_file_byte_for_byte(chinook_dsn: str) -> None:
    """`rules init > rules.yaml` is the documented use: rich wrapped the long comment
    lines at the terminal width (80 columns in a pipe), which broke the YAML."""
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbrefresh"), "rules", "init", "--dsn", chinook_dsn],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert proc.returncode == 0, proc.stderr
    with psycopg.connect(chinook_dsn) as conn:
        assert proc.stdout == generate_rules(conn)
    assert max(len(line) for line in proc.stdout.splitlines()) > 80  # the case that broke
    assert set(yaml.safe_load(proc.stdout)["tables"])


def test_each_table_is_announced_before_it_is_sampled(chinook_dsn: str) -> None:
    """rules init on a database of many tables reports where it is (the CLI shows it
    as a progress bar on a terminal)."""
    heard: list[tuple[str, int, int]] = []
    with psycopg.connect(chinook_dsn) as conn:
        generate_rules(conn, on_table=lambda name, done, total: heard.append((name, done, total)))
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    assert tables is not None and len(heard) == tables[0] > 0
    assert [done for _, done, _ in heard] == list(range(len(heard)))
    assert {total for _, _, total in heard} == {len(heard)}
    assert heard[0][0] == "public.album" and [n for n, _, _ in heard] == sorted(
        n for n, _, _ in heard
    )
