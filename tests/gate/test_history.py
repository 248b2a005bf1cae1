"""A directory's migrations that staging's migration tool already applied are skipped:
re-running Flyway's `V1__create_coupons.sql` on a staging that has it failed ("relation
already exists"), the trace stopped there, and every later migration was misjudged."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg
import pytest

from dbrefresh.cli import main

FLYWAY_HISTORY = """
CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),
  description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL,
  checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT
  now(), execution_time int NOT NULL, success boolean NOT NULL)
"""


def _flyway(tmp_path: Path, staging_dsn: str) -> Path:
    """V1 (applied on staging: it made `coupons`, filled since) and V1.1 (not applied)."""
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute(FLYWAY_HISTORY)
        conn.execute(
            "INSERT INTO flyway_schema_history VALUES (1, '1.0', 'create coupons', 'SQL', "
            "'V1__create_coupons.sql', 1, 'ci', now(), 40, true), (2, '1.1', 'x', 'SQL', "
            "'V1_1__x.sql', 1, 'ci', now(), 1, false)"
        )
        conn.execute("CREATE TABLE coupons (id int PRIMARY KEY, code text)")
    mig = tmp_path / "flyway"
    mig.mkdir()
    (mig / "V1__create_coupons.sql").write_text(
        "CREATE TABLE coupons (id int PRIMARY KEY, code text);\n"
    )
    (mig / "V1.1__coupon_code.sql").write_text(
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY coupons_code_idx ON coupons (code);\n"
    )
    return mig


def test_flyway_applied_versions_are_skipped_in_every_format(
    tmp_path: Path, staging_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mig = _flyway(tmp_path, staging_dsn)

    assert main(["gate", str(mig), "--dsn", staging_dsn, "--trace"]) == 0
    text = capsys.readouterr().out
    assert "already exists" not in text and "trace-failed" not in text
    assert "skipped 1 migration(s) already applied on staging" in text
    assert "V1__create_coupons.sql (Flyway 1)" in text and "flyway_schema_history" in text

    assert main(["gate", str(mig), "--dsn", staging_dsn, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # V1.1's history row failed (success false): it is still to apply, and judged
    assert [Path(s["file"]).name for s in doc["statements"]] == ["V1.1__coupon_code.sql"] * 2
    assert any("V1__create_coupons.sql (Flyway 1)" in n for n in doc["notes"])

    xml = tmp_path / "gate.xml"
    args = ["gate", str(mig), "--dsn", staging_dsn, "--format", "junit", "-o", str(xml)]
    assert main(args) == 0
    out = ET.fromstring(xml.read_text()).findtext("system-out") or ""
    assert "V1__create_coupons.sql (Flyway 1)" in out


def test_a_file_named_explicitly_is_judged_though_applied(
    tmp_path: Path, staging_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mig = _flyway(tmp_path, staging_dsn)

    assert main(["gate", str(mig / "V1__create_coupons.sql"), "--dsn", staging_dsn]) == 0
    text = capsys.readouterr().out
    assert "judged as named, though staging records them as applied" in text


def test_everything_applied_passes_with_nothing_to_judge(
    tmp_path: Path, staging_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(staging_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_migrations (version varchar PRIMARY KEY)")
        conn.execute("INSERT INTO schema_migrations VALUES ('20240101120000')")
    mig = tmp_path / "rails"
    mig.mkdir()
    (mig / "20240101120000_add_flag.sql").write_text("ALTER TABLE big ADD COLUMN f int;\n")

    assert main(["gate", str(mig), "--dsn", staging_dsn]) == 0
    text = capsys.readouterr().out
    assert "20240101120000_add_flag.sql (Rails 20240101120000)" in text
    assert "nothing to judge" in text
