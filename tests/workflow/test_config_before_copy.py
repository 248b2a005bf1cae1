"""Config mistakes found before production is copied: file:line, exit 2, no run begun.

Each was found only after the snapshot (or later): `uncovered_databases: refuse` with a
database no rule file covers at anonymize, a `roles:` typo at finalize (after masking
and verify), a `local.superuser` production lacks when the copy was first connected to,
a negative `temp_server.start_timeout` when the temporary server started, a `bin_dir`
without pg_ctl and a `state_dir` under a regular file as exit 3 naming no config line,
and a smoke query with a typo only by the health check, after the swap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.errors import ConfigError


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("before-copy")


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _refused(setup: Setup, text: str, says: str, needle: str) -> str:
    """Run with config `text`: exit 2 naming `says` at the line holding `needle`, and
    nothing begun (no run journaled, staging's data as it was)."""
    before = setup.refreshed_by()
    setup.config.write_text(text)
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{setup.config}:{_line(text, needle)}: {says}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    runs = setup.state_dir / "runs"
    assert not runs.exists() or not any(runs.iterdir())  # no run id drawn
    assert setup.refreshed_by() == before
    return proc.stderr


def test_uncovered_refuse_is_refused_before_the_snapshot(setup: Setup) -> None:
    text = config_text(setup, uncovered="refuse")
    err = _refused(setup, text, "rules.uncovered_databases: refuse", "uncovered_databases")
    assert "warehouse" in err and "covered by no rule file" in err


def test_a_role_production_lacks_is_refused_before_the_snapshot(setup: Setup) -> None:
    text = config_text(setup).replace("  app: {password_file", "  apps: {password_file")
    err = _refused(setup, text, "roles.apps: production has no role 'apps'", "apps:")
    assert "did you mean 'app'" in err


def test_a_superuser_production_lacks_is_refused_before_the_snapshot(setup: Setup) -> None:
    text = config_text(setup) + "  superuser: postgress\n"
    err = _refused(
        setup,
        text,
        "local.superuser: production has no superuser 'postgress'",
        "superuser: postgress",
    )
    assert "did you mean 'postgres'" in err


def test_a_login_role_without_superuser_is_refused_as_local_superuser(setup: Setup) -> None:
    text = config_text(setup) + "  superuser: app\n"  # production has it, not as a superuser
    err = _refused(
        setup, text, "local.superuser: production has no superuser 'app'", "superuser: app"
    )
    assert "its superusers: postgres" in err


def test_a_bin_dir_without_pg_ctl_is_refused(setup: Setup, tmp_path: Path) -> None:
    text = config_text(setup) + f"  bin_dir: {tmp_path}\n"
    _refused(setup, text, f"local.bin_dir: no pg_ctl in {tmp_path}", "bin_dir")


def test_a_state_dir_under_a_regular_file_is_refused(setup: Setup) -> None:
    blocker = setup.dir / "not-a-dir"
    blocker.write_text("")
    text = config_text(setup).replace("state_dir: state", f"state_dir: {blocker}/state")
    _refused(setup, text, "state_dir: cannot create", "state_dir")


def test_a_start_timeout_must_be_positive(tmp_path: Path, setup: Setup) -> None:
    text = config_text(setup).replace("temp_server: {", "temp_server: {start_timeout: -3, ")
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        config_mod.load(path, env={})
    assert re.search(r":\d+: temp_server.start_timeout: .*greater than 0", str(err.value))


def test_a_smoke_query_typo_is_found_before_the_swap(setup: Setup) -> None:
    before = setup.refreshed_by()
    setup.write_config(smoke="SELCT count(*) > 0 FROM customers")
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    text = config_text(setup, smoke="SELCT count(*) > 0 FROM customers")
    line = _line(text, "SELCT")
    assert f"{setup.config}:{line}: smoke_queries[0].sql: smoke query 'customers'" in proc.stderr
    assert 'syntax error at or near "SELCT"' in proc.stderr
    assert setup.refreshed_by() == before  # no swap: staging was never restarted
    (journal,) = (setup.state_dir / "runs").glob("*/journal.jsonl")
    assert '"step": "finalize"' in journal.read_text()
    assert '"step": "swap"' not in journal.read_text() and not setup.siblings()
