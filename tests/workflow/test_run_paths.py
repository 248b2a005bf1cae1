"""Paths the local backend hands to pg_ctl and libpq: refused when the shell would
change them, quoted where libpq reads them, and a rollback that cannot start staging
says that staging is down."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable

import pytest
from wfsupport import DBREFRESH, REPO, Production, Setup, config_text, shop_rules

HBA_MISSING = "hba_file = '/nonexistent/dbrefresh/pg_hba.conf'\n"


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("run-paths")


def test_a_work_dir_with_a_space_and_a_quote_refreshes(setup: Setup) -> None:
    """The temporary server's socket lives in work_dir: its DSN quotes the path (a space
    broke every run: `missing "=" after "dir/<run>/sock" in connection info string`)."""
    text = config_text(setup).replace("work_dir: work", 'work_dir: "work dir\'s"')
    setup.config.write_text(text)
    proc = setup.cli("run")
    setup.write_config()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (setup.dir / "work dir's").is_dir()
    assert setup.refreshed_by() is not None


def _verify_staging(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBREFRESH_SEED": "not-the-seed"}
    argv = [*DBREFRESH, "verify", str(shop_rules()), "--dsn", setup.staging.dsn("shop"), *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


def test_verify_on_refreshed_staging_says_its_leak_evidence_was_removed(setup: Setup) -> None:
    """The refresh empties the leak samples and the key's fingerprint before the clone
    becomes staging: verify on staging passed (exit 0, wrong seed too) with "0 sampled"
    warnings blaming the rules' parameters. Now it says what the database is, exit 2."""
    if setup.refreshed_by() is None:  # this test alone
        setup.cli("run", check=True)
    run_id = setup.refreshed_by()
    proc = _verify_staging(setup)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 2, said
    assert f"refreshed staging copy (run {run_id})" in said
    assert "nothing-sampled" not in said and "rule's parameters" not in said
    proc = _verify_staging(setup, "--format", "json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["ok"] is False and out["warnings"] == []
    assert "refreshed staging copy" in out["leaks_unchecked"]


@pytest.mark.parametrize("key", ["target_log", "work_dir", "target_data_dir"])
def test_a_path_the_shell_would_change_is_refused_before_anything_changes(
    setup: Setup, key: str
) -> None:
    """pg_ctl runs postgres through /bin/sh with -D and -l inside double quotes: `$HOME`
    in the log path was expanded, the swap and then the rollback failed to start
    staging. Refused at config load: exit 2, file:line:key, staging untouched."""
    before, siblings = setup.refreshed_by(), setup.siblings()
    text = config_text(setup)
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"  {key}:"))
    value = lines[index].split(": ", 1)[1].strip('"')
    lines[index] = f'  {key}: "{value}/staging log\'s $HOME"'
    setup.config.write_text("\n".join(lines) + "\n")
    proc = setup.cli("run")
    setup.write_config()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"dbrefresh.yaml:{index + 1}: local.{key}:" in proc.stderr
    assert "/bin/sh" in proc.stderr and "Traceback" not in proc.stderr
    assert setup.query("SELECT 1") == [(1,)]
    assert setup.refreshed_by() == before and setup.siblings() == siblings


def test_a_rollback_that_cannot_start_staging_says_staging_is_down(setup: Setup) -> None:
    """Staging's configuration breaks its next start (read only at start): the swap
    fails to start the new data, the rollback fails to start the old. The run must say
    that staging is down and how to recover, exit 3; `cleanup` then recovers it."""
    auto = setup.staging.data_dir / "postgresql.auto.conf"
    good = auto.read_text()
    auto.write_text(good + HBA_MISSING)
    try:
        proc = setup.cli("run")
    finally:
        auto.write_text(good)  # the rollback put the old data (and this file) back
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "STAGING IS DOWN" in proc.stderr
    assert "dbrefresh cleanup" in proc.stderr
    assert setup.refreshed_by() is None  # not serving
    setup.cli("cleanup", check=True)
    assert setup.query("SELECT count(*) > 0 FROM customers") == [(True,)]


def test_a_rollback_command_that_cannot_start_staging_says_staging_is_down(
    setup: Setup,
) -> None:
    """`dbrefresh rollback` onto kept data whose configuration breaks its start: the
    error says staging is down and how to recover (exit 3), not only pg_ctl's words."""
    if not list(setup.staging.data_dir.parent.glob(".dbrefresh-*.prev")):
        setup.cli("run", check=True)  # this test alone: keep staging's data once
    [prev] = setup.staging.data_dir.parent.glob(".dbrefresh-*.prev")
    auto = prev / "postgresql.auto.conf"
    good = auto.read_text()
    auto.write_text(good + HBA_MISSING)
    try:
        proc = setup.cli("rollback")
    finally:
        auto_now = setup.staging.data_dir / "postgresql.auto.conf"
        auto_now.write_text(auto_now.read_text().replace(HBA_MISSING, ""))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "STAGING IS DOWN" in proc.stderr and "dbrefresh cleanup" in proc.stderr
    setup.cli("cleanup", check=True)
    assert setup.query("SELECT count(*) > 0 FROM customers") == [(True,)]
