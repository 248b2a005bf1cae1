"""`dbrefresh gate` end to end through the console entry point: exit codes and outputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from dbrefresh.cli import main
from tests.gate.conftest import CORPUS


def test_unsafe_migration_exits_1_safe_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", str(CORPUS / "eugene__E5__bad.sql")]) == 1
    out = capsys.readouterr().out
    assert "eugene__E5__bad.sql:10: [column-type-rewrite]" in out
    assert "instead:" in out and "gate: FAIL" in out
    assert main(["gate", str(CORPUS / "eugene__E6__good.sql")]) == 0
    assert "gate: PASS" in capsys.readouterr().out


def test_json_lists_every_statement_with_lock_blocks_work_and_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["gate", str(CORPUS / "eugene__E7__bad.sql"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "fail"
    assert [s["line"] for s in doc["statements"]] == [2, 9, 10]
    alter = doc["statements"][2]
    assert alter["file"].endswith("eugene__E7__bad.sql")
    assert (alter["lock_mode"], alter["blocks"], alter["work"]) == (
        "ACCESS EXCLUSIVE",
        "reads+writes",
        "index_build",
    )
    assert alter["rules"] == ["unique-constraint-builds-index"]
    finding = doc["findings"][0]
    assert finding["code"] == "unique-constraint-builds-index"
    assert finding["location"] == {"file": alter["file"], "line": 10, "key": None}
    assert finding["hint"] and finding["statement"].startswith("alter table authors")


def test_markdown_and_junit_written_to_file(tmp_path: Path) -> None:
    md, xml = tmp_path / "gate.md", tmp_path / "gate.xml"
    bad = str(CORPUS / "eugene__E2__bad.sql")
    assert main(["gate", bad, "--format", "markdown", "-o", str(md)]) == 1
    assert main(["gate", bad, "--format", "junit", "-o", str(xml)]) == 1
    assert "| error |" in md.read_text() and "set-not-null-scans" in md.read_text()
    suite = ET.fromstring(xml.read_text())
    assert suite.get("failures") == "1"
    assert suite.find("testcase/failure") is not None


def test_directory_runs_in_natural_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "V10__b.sql").write_text("SET lock_timeout = '1s';\nALTER TABLE t ADD b int;\n")
    (tmp_path / "V2__a.sql").write_text("CREATE TABLE t (a int);\n")
    assert main(["gate", str(tmp_path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [Path(s["file"]).name for s in doc["statements"]] == ["V2__a.sql"] + ["V10__b.sql"] * 2


def test_malformed_sql_exits_2_with_file_and_line_and_database_unchanged(
    staging_dsn: str, write_sql: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_sql("ALTER TABLE small ADD COLUMN w int;\n", "V1__ok.sql")
    bad = write_sql(
        "CREATE FUNCTION f() RETURNS int AS $$\n  SELECT 1;\n$$ LANGUAGE sql;\n"
        "ALTER TABLE small ADD COLUMN x int;\nALTER TABLE smal ADD COLUMN;\n",
        "V2__bad.sql",
    )
    code = main(["gate", str(good), str(bad), "--dsn", staging_dsn, "--trace", "--keep"])
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines at spaces
    assert f"{bad}:5: syntax error" in err
    assert "Traceback" not in err
    with psycopg.connect(staging_dsn) as conn:
        added = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'small'::regclass "
            "AND attname IN ('w', 'x')"
        ).fetchone()
        functions = conn.execute("SELECT count(*) FROM pg_proc WHERE proname = 'f'").fetchone()
    assert added == (0,) and functions == (0,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml"], "--format"),
        (["--max-age", "soon"], "--max-age"),
        (["--trace"], "--dsn"),
        (["--heavy-rows", "-5"], "--heavy-rows: must be more than 0, not -5"),
        (["--warn-rows", "0"], "--warn-rows: must be more than 0, not 0"),
        (["--heavy-size", "0MB"], "--heavy-size: must be more than 0, not 0MB"),
        (["--max-lock", "0s"], "--max-lock: must be more than 0, not 0s"),
        (["--max-total", "0"], "--max-total: must be more than 0, not 0"),
        (["--max-lock", "30s1m"], "--max-lock: '30s1m' is not a duration (e.g."),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gate", str(CORPUS / "eugene__E6__good.sql"), *args]) == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", str(tmp_path / "nope.sql")]) == 2
    assert "nope.sql: no such file" in " ".join(capsys.readouterr().err.split())


def test_with_dsn_small_tables_pass(
    staging_dsn: str, write_sql: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sql("SET lock_timeout = '2s';\nALTER TABLE small ALTER COLUMN v TYPE bigint;\n")
    assert main(["gate", str(path), "--dsn", staging_dsn, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    stmt = doc["statements"][1]
    assert (stmt["weight"], stmt["heavy"], stmt["rows"]) == ("light", False, 100.0)
    assert doc["traced"] is False


def test_trace_json_reports_measurements(
    staging_dsn: str, write_sql: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sql(
        "SET LOCAL lock_timeout = '2s';\nALTER TABLE big ALTER COLUMN v TYPE bigint;\n"
    )
    code = main(["gate", str(path), "--dsn", staging_dsn, "--format", "json", "--max-lock", "1ms"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["verdict"] == "fail" and doc["traced"] is True
    trace = doc["statements"][1]["trace"]
    assert trace["blocking_lock"] == {"relation": "big", "mode": "ACCESS EXCLUSIVE"}
    assert trace["longest_blocking_lock_seconds"] >= trace["seconds"] > 0
    assert "big" in trace["rewritten"]
    assert {"relation": "big", "mode": "ACCESS EXCLUSIVE"} in trace["locks"]
    assert "trace-lock-held" in doc["statements"][1]["rules"]


def test_directory_skips_down_migrations_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "000001_t.up.sql").write_text("CREATE TABLE t (a int);\n")
    (tmp_path / "000001_t.down.sql").write_text("DROP TABLE t;\n")
    (tmp_path / "000002_b.up.sql").write_text(
        "SET lock_timeout = '1s';\nALTER TABLE t ADD b int;\n"
    )
    (tmp_path / "000002_b.down.sql").write_text("ALTER TABLE t DROP b;\n")
    assert main(["gate", str(tmp_path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [Path(s["file"]).name for s in doc["statements"]] == [
        "000001_t.up.sql",
        "000002_b.up.sql",
        "000002_b.up.sql",
    ]
    assert any(n.startswith("skipped 2 down migrations") for n in doc["notes"])
    assert main(["gate", str(tmp_path)]) == 0
    assert "note: skipped 2 down migrations" in capsys.readouterr().out


def test_prisma_migrations_folder_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder, sql in (
        ("20240101000000_init", "CREATE TABLE t (a int);\n"),
        ("20240102000000_b", "SET lock_timeout = '1s';\nALTER TABLE t ADD b int;\n"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "migration.sql").write_text(sql)
    (tmp_path / "migration_lock.toml").write_text('provider = "postgresql"\n')
    assert main(["gate", str(tmp_path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [Path(s["file"]).parent.name for s in doc["statements"]] == [
        "20240101000000_init",
        "20240102000000_b",
        "20240102000000_b",
    ]


def test_compound_durations_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    good = str(CORPUS / "eugene__E6__good.sql")
    args = ["--max-lock", "1m30s", "--max-total", "1h30m", "--max-age", "0"]
    assert main(["gate", good, *args]) == 0
    assert "gate: PASS" in capsys.readouterr().out


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str]]]:
    code = main(["gate", *args, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    return code, [(f["code"], f["severity"]) for f in doc["findings"]]


def test_concurrently_beside_other_statements_warns_under_wrap_script(
    write_sql: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = write_sql(
        "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM t;\n", "V2__i.sql"
    )
    code, findings = _codes(capsys, str(mixed))
    assert (code, findings) == (0, [("non-transactional-with-others", "warning")])
    assert main(["gate", str(mixed)]) == 0
    text = " ".join(capsys.readouterr().out.split())  # rich wraps long lines at spaces
    assert "shares its script with 2 other statements" in text
    assert "disable_ddl_transaction!" in text and "x-multi-statement" in text
    assert _codes(capsys, str(mixed), "--wrap", "none") == (0, [])
    alone = write_sql("CREATE INDEX CONCURRENTLY i ON t (a);\n", "V3__alone.sql")
    assert _codes(capsys, str(alone)) == (0, [])
    marked = write_sql("-- 1.sql\nSET lock_timeout = '1s';\n-- 2.sql\nVACUUM t;\n", "V4__m.sql")
    assert _codes(capsys, str(marked)) == (0, [])
    ignored = write_sql(
        "SET lock_timeout = '1s';\n-- gate: ignore non-transactional-with-others\n"
        "CREATE INDEX CONCURRENTLY i ON t (a);\n",
        "V5__ignored.sql",
    )
    assert _codes(capsys, str(ignored)) == (0, [])


def test_junit_carries_the_notes(tmp_path: Path, staging_dsn: str) -> None:
    """Notes (skipped down migrations, tables not found on staging) are in the suite's
    <system-out>, after its testcases, as the JUnit schema orders them."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "000001_t.up.sql").write_text(
        "SET lock_timeout = '1s';\nALTER TABLE ghost ADD b int;\n"
    )
    (migrations / "000001_t.down.sql").write_text("ALTER TABLE ghost DROP b;\n")
    xml = tmp_path / "gate.xml"
    args = ["gate", str(migrations), "--dsn", staging_dsn, "--format", "junit", "-o", str(xml)]
    assert main(args) == 1

    suite = ET.fromstring(xml.read_text())
    children = [child.tag for child in suite]
    assert children[-1] == "system-out" and set(children[:-1]) == {"testcase"}
    notes = (suite.find("system-out").text or "").splitlines()  # type: ignore[union-attr]
    assert any(n.startswith("skipped 1 down migration") for n in notes)
    assert any(n.startswith("not found on staging") and "ghost" in n for n in notes)
