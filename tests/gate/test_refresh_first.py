"""`gate --config`: staging refreshed through the workflow when stale, thresholds from
dbrefresh.yaml. Real servers built by the workflow tests' own fixtures (imported from
tests/workflow/conftest.py, with a root of their own so both suites can run together)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from dbrefresh.cli import main

WORKFLOW = Path(__file__).resolve().parents[1] / "workflow"
if str(WORKFLOW) not in sys.path:
    sys.path.insert(0, str(WORKFLOW))  # the workflow conftest imports wfsupport by name

from wfsupport import Production, Setup, servers_root  # noqa: E402


def _workflow_conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gate_wf_conftest", WORKFLOW / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_wf = _workflow_conftest()
_wf.GUARD_DDL = False  # a guard refusing all DDL would refuse the traced migration too
production = _wf.production
make_setup = _wf.make_setup


@pytest.fixture(scope="session")
def base_dir() -> Iterator[Path]:
    """Overrides the workflow's base_dir: same layout, another root."""
    yield from servers_root("dbrefresh-gate-tests")


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("gate")


MIGRATION = (
    "SET lock_timeout = '1s';\n"
    "CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email);\n"
)


def _refresh_info(setup: Setup) -> tuple[str, float] | None:
    try:
        rows = setup.query(
            "SELECT run_id, extract(epoch FROM refreshed_at)::float8 FROM dbrefresh.refresh_info "
            "ORDER BY refreshed_at DESC LIMIT 1"
        )
    except Exception:
        return None
    return (str(rows[0][0]), float(rows[0][1])) if rows else None


def _gate(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, object]]:
    path = tmp_path / "V1__index.sql"
    path.write_text(MIGRATION)
    code = main(
        [
            "gate",
            str(path),
            "--config",
            str(setup.config),
            "--dsn",
            setup.staging.dsn("shop"),
            "--trace",
            "--format",
            "json",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_staging_without_refresh_info_is_refreshed_before_the_trace(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _refresh_info(setup) is None  # built by hand, never refreshed

    code, doc = _gate(setup, tmp_path, capsys)

    assert code == 0, doc
    info = _refresh_info(setup)
    assert info is not None
    notes = doc["notes"]
    assert isinstance(notes, list)
    assert f"staging refreshed first by run {info[0]}" in notes[0]
    statements = doc["statements"]
    assert isinstance(statements, list)
    # weighed and traced on the refreshed data (2000 customers, not the 2 stale rows)
    assert statements[1]["rows"] >= 1000
    assert statements[1]["trace"]["error"] is None


def test_fresh_staging_is_not_refreshed(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _refresh_info(setup)
    assert before is not None

    code, doc = _gate(setup, tmp_path, capsys)

    assert code == 0, doc
    assert _refresh_info(setup) == before
    notes = doc["notes"]
    assert isinstance(notes, list)
    assert f"(run {before[0]}), within --max-age 1.0d: not refreshed" in notes[0]
    assert [p.parent.name for p in (setup.state_dir / "runs").glob("*/journal.jsonl")] == [
        before[0]
    ]  # no second run started


def test_stale_staging_is_refreshed_and_refresh_info_is_newer(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _refresh_info(setup)
    assert before is not None
    with psycopg.connect(setup.staging.dsn("shop"), autocommit=True) as conn:
        conn.execute(
            "UPDATE dbrefresh.refresh_info SET refreshed_at = refreshed_at - interval '2 days'"
        )

    code, doc = _gate(setup, tmp_path, capsys, "--max-age", "24h")

    assert code == 0, doc
    after = _refresh_info(setup)
    assert after is not None and after[0] != before[0] and after[1] > before[1]
    notes = doc["notes"]
    assert isinstance(notes, list)
    assert f"staging refreshed first by run {after[0]} (data 2.0d old" in notes[0]


def test_a_refresh_first_brings_productions_database_settings_to_the_analysis(
    setup: Setup,
    production: Production,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The refresh copies production's cluster, `ALTER DATABASE shop SET lock_timeout`
    included: the gate must judge (and trace) with the refreshed staging's settings,
    which it used to read before refreshing (missing-lock-timeout, a wrong finding)."""
    with psycopg.connect(setup.staging.dsn("shop"), autocommit=True) as conn:
        conn.execute(
            "UPDATE dbrefresh.refresh_info SET refreshed_at = refreshed_at - interval '2 days'"
        )
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)
    prod = production.server.dsn("shop")
    with psycopg.connect(prod, autocommit=True) as conn:
        conn.execute("ALTER DATABASE shop SET lock_timeout = '3s'")
    path = tmp_path / "V2__column.sql"
    path.write_text("ALTER TABLE customers ADD COLUMN nickname text;\n")
    try:
        staging = setup.staging.dsn("shop")
        args = ["--config", str(setup.config), "--dsn", staging, "--trace", "--max-age", "24h"]
        code = main(["gate", str(path), *args, "--format", "json"])
        doc = json.loads(capsys.readouterr().out)
    finally:
        with psycopg.connect(prod, autocommit=True) as conn:
            conn.execute("ALTER DATABASE shop RESET lock_timeout")

    assert code == 0, doc
    notes = doc["notes"]
    assert isinstance(notes, list)
    assert "staging refreshed first by run" in notes[0]
    assert any("lock_timeout 3s (ALTER DATABASE shop SET lock_timeout)" in n for n in notes)
    statements = doc["statements"]
    assert isinstance(statements, list)
    assert "missing-lock-timeout" not in statements[0]["rules"], statements[0]


def _gate_refreshing_first(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """`dbrefresh gate --trace --max-age 0` with the config as the test set it (put back
    after): its exit code and its stderr on one line."""
    path = tmp_path / "V3__index.sql"
    path.write_text(MIGRATION)
    try:
        staging = setup.staging.dsn("shop")
        args = ["--config", str(setup.config), "--dsn", staging, "--trace", "--max-age", "0"]
        code = main(["gate", str(path), *args])
    finally:
        setup.write_config()
    return code, " ".join(capsys.readouterr().err.split())


def test_a_failed_refresh_before_the_trace_says_it_was_the_refresh(
    setup: Setup, production: Production, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pg_basebackup cannot reach production: the gate used to print its bare error,
    read as the gate's own; now it says the refresh before the trace failed (exit 3)."""
    from dbrefresh.backends.localpg import free_port

    prod = production.server.dsn()
    text = setup.config.read_text()
    assert prod in text
    setup.config.write_text(text.replace(prod, f"{prod} port={free_port()}"))
    code, err = _gate_refreshing_first(setup, tmp_path, capsys)
    assert code == 3, err
    assert "error: the refresh of staging before the trace (run " in err
    assert "failed (nothing was traced): pg_basebackup failed" in err
    assert "pg_basebackup" in err and "Traceback" not in err


def test_a_refresh_whose_health_check_fails_is_exit_3_not_the_gates_verdict(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run's failed health check is its "no" (exit 1 for `dbrefresh run`); from the
    gate it exited 1 too, which is the gate's verdict on the migration."""
    setup.write_config(smoke="SELECT count(*) < 0 FROM customers")
    code, err = _gate_refreshing_first(setup, tmp_path, capsys)
    assert code == 3, err
    assert "error: the refresh of staging before the trace (run " in err
    assert "failed (nothing was traced): health check failed" in err, err
