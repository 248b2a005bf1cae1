"""Planner statistics hold real values (most common values, histogram bounds): after
anonymize none of production's may remain, in pg_stats or in pg_statistic's files."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbrefresh.anonymize.api import anonymize, build_plan, mark_clone, verify_report
from dbrefresh.rules import compiler
from tests.anonymize.helpers import db_with_rules, run_cli
from tests.anonymize.test_identity_and_disk import found_values, relation_files

# Small statistics targets keep every array short enough to be stored uncompressed, so
# the byte search of pg_statistic's files finds the originals before masking.
SCHEMA = """
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, nickname text, city text);
ALTER TABLE people ALTER COLUMN email SET STATISTICS 10;
INSERT INTO people
SELECT i, format('person%s@corp.example', i), format('nick-%s-secret', i % 20),
       (ARRAY['Oslo', 'Lima'])[1 + i % 2]
  FROM generate_series(1, 2000) i;
CREATE INDEX people_lower_email ON people (lower(email));
ALTER INDEX people_lower_email ALTER COLUMN 1 SET STATISTICS 10;
CREATE STATISTICS people_nick_city (mcv) ON nickname, city FROM people;
CREATE TABLE audit (id int, actor text);
INSERT INTO audit SELECT i, format('actor%s@corp.example', i % 30) FROM generate_series(1, 500) i;
CREATE TABLE visits (id int NOT NULL, visitor text) PARTITION BY RANGE (id);
CREATE TABLE visits_1 PARTITION OF visits FOR VALUES FROM (0) TO (1000);
CREATE TABLE visits_2 PARTITION OF visits FOR VALUES FROM (1000) TO (3000);
ALTER TABLE visits ALTER COLUMN visitor SET STATISTICS 10;
INSERT INTO visits SELECT i, format('visitor%s@corp.example', i) FROM generate_series(1, 2999) i;
CREATE TABLE countries (code text PRIMARY KEY, name text);
INSERT INTO countries VALUES ('no', 'Norway'), ('pe', 'Peru');
ANALYZE;
-- autovacuum would renew the statistics after masking, at random (a flaky test)
ALTER TABLE people SET (autovacuum_enabled = off);
ALTER TABLE audit SET (autovacuum_enabled = off);
ALTER TABLE visits_1 SET (autovacuum_enabled = off);
ALTER TABLE visits_2 SET (autovacuum_enabled = off);
-- from now on ANALYZE skips the column: its production statistics would stay
ALTER TABLE people ALTER COLUMN nickname SET STATISTICS 0;
"""

RULES = """version: 1
tables:
  public.people:
    columns:
      id: keep
      email: {strategy: email, unique: true}
      nickname: {strategy: hash, length: 12}
      city: city
  public.audit: truncate
  public.visits:
    columns:
      id: keep
      visitor: {strategy: email, unique: true}
  public.countries: keep
"""

ORIGINALS = [b"corp.example", b"nick-"]


def _statistics_holding(conn: psycopg.Connection, needle: str) -> list[str]:
    """Where pg_stats, index expressions included, and pg_stats_ext show the needle."""
    rows = conn.execute(
        "SELECT tablename || '.' || attname FROM pg_stats WHERE schemaname = 'public' "
        "AND (most_common_vals::text LIKE %(like)s OR histogram_bounds::text LIKE %(like)s) "
        "UNION ALL SELECT statistics_name FROM pg_stats_ext WHERE schemaname = 'public' "
        "AND most_common_vals::text LIKE %(like)s ORDER BY 1",
        {"like": f"%{needle}%"},
    ).fetchall()
    return [r[0] for r in rows]


def _statistic_files(conn: psycopg.Connection) -> list[Path]:
    conn.execute("CHECKPOINT")
    return relation_files(conn, "pg_statistic") + relation_files(conn, "pg_statistic_ext_data")


def _countries_statistics(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT attname, most_common_vals::text FROM pg_stats "
        "WHERE tablename = 'countries' ORDER BY 1"
    ).fetchall()


def test_anonymize_leaves_no_production_value_in_the_statistics(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    with psycopg.connect(dsn, autocommit=True) as conn:
        # Positive controls: production's values are in the statistics and their files.
        assert _statistics_holding(conn, "corp.example") == [
            "audit.actor",
            "people.email",
            "people_lower_email.lower",
            "visits.visitor",  # the partitioned table's: over both partitions
            "visits_1.visitor",
            "visits_2.visitor",
        ]
        assert _statistics_holding(conn, "nick-") == ["people.nickname", "people_nick_city"]
        assert found_values(_statistic_files(conn), ORIGINALS) == set(ORIGINALS)
        kept = _countries_statistics(conn)
        assert kept
    plan = run_cli(capsys, "plan", str(rules), "--dsn", dsn)
    assert "VACUUM FULL pg_statistic, pg_statistic_ext_data;" in plan.out
    mark_clone(dsn)
    report = anonymize(dsn, [rules], seed="stats", progress=False)
    assert report.analyzed == [
        "public.audit",
        "public.people",
        "public.visits",
        "public.visits_1",
        "public.visits_2",
    ]
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert _statistics_holding(conn, "corp.example") == []
        assert _statistics_holding(conn, "nick-") == []
        assert found_values(_statistic_files(conn), ORIGINALS) == set()
        # The masked data is described afresh; an untouched table keeps its statistics.
        assert _statistics_holding(conn, "@example.com") == [
            "people.email",
            "people_lower_email.lower",
            "visits.visitor",
            "visits_1.visitor",
            "visits_2.visitor",
        ]
        assert _countries_statistics(conn) == kept
        # the leak samples are described too: verify plans its joins with them
        described = conn.execute(
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'dbrefresh'"
            " AND tablename IN ('leak_hashes', 'leak_path_hashes')"
        ).fetchall()
        assert described == [("leak_hashes",)]  # (no jsonb rule: no path samples)
    assert verify_report(dsn, [rules], seed="stats").findings == []


def test_verify_reports_statistics_left_from_production(make_db, tmp_path: Path) -> None:
    dsn, rules = db_with_rules(make_db, tmp_path, SCHEMA, RULES, "people.yaml")
    mark_clone(dsn)
    # What a caller that scrubs statistics itself gets before it does (the refresh workflow)
    report = anonymize(dsn, [rules], seed="stats", progress=False, refresh_statistics=False)
    assert report.analyzed == []
    findings = verify_report(dsn, [rules], seed="stats").findings
    assert [(f.code, f.location.key) for f in findings] == [
        ("statistics-leak", "public.audit"),
        ("statistics-leak", "public.people.city"),
        ("statistics-leak", "public.people.email"),
        ("statistics-leak", "public.people.nickname"),
        ("statistics-leak", "public.visits_1.visitor"),
        ("statistics-leak", "public.visits_2.visitor"),
    ]
    assert "original value(s) in the planner statistics" in findings[2].message


def test_a_relation_analyze_fails_on_is_left_without_statistics_and_reported(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Expression statistics are computed by ANALYZE only: this one refuses masked emails.
    refusing = (
        SCHEMA
        + """
CREATE FUNCTION corp_only(text) RETURNS text IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  IF $1 NOT LIKE '%@corp.example' THEN RAISE EXCEPTION 'not a corp address'; END IF;
  RETURN $1;
END $$;
CREATE STATISTICS people_corp ON (corp_only(email)) FROM people;
ANALYZE people;
"""
    )
    dsn, rules = db_with_rules(make_db, tmp_path, refusing, RULES, "people.yaml")
    mark_clone(dsn)
    result = run_cli(capsys, "anonymize", str(rules), "--dsn", dsn, "--seed", "stats")
    assert result.code == 0, result.err
    assert "warning: public.people has no planner statistics" in result.out
    assert "not a corp address" in result.out
    with psycopg.connect(dsn) as conn:
        assert _statistics_holding(conn, "corp.example") == []
        left = conn.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'people'").fetchone()
    assert left == (0,)
    assert verify_report(dsn, [rules], seed="stats").findings == []


def test_rebuilt_indexes_keep_their_columns_statistics_targets(
    make_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large tables' indexes are dropped and re-created from their definitions, which
    hold no per-column statistics target: ANALYZE then sampled the default again."""
    monkeypatch.setattr(compiler, "INDEX_REBUILD_ROWS", 0)
    schema = SCHEMA + (
        "CREATE INDEX people_id_city ON people (id, upper(city), lower(nickname));"
        "ALTER INDEX people_id_city ALTER COLUMN 3 SET STATISTICS 777;"
        "ALTER INDEX people_id_city ALTER COLUMN 2 SET STATISTICS 0;"
    )
    dsn, rules = db_with_rules(make_db, tmp_path, schema, RULES, "people.yaml")
    targets = (
        "SELECT c.relname, a.attnum, a.attstattarget FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relkind = 'i' "
        "AND c.relname IN ('people_lower_email', 'people_id_city') ORDER BY 1, 2"
    )
    with psycopg.connect(dsn) as conn:
        before = conn.execute(targets).fetchall()
    assert ("people_id_city", 3, 777) in before and ("people_lower_email", 1, 10) in before
    [people] = [s for s in build_plan(dsn, [rules]).steps if s.relation == "public.people"]
    assert 'DROP INDEX "public"."people_id_city"' in people.drop_indexes
    mark_clone(dsn)
    anonymize(dsn, [rules], seed="stats", progress=False)
    with psycopg.connect(dsn) as conn:
        assert conn.execute(targets).fetchall() == before
