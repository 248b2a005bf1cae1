"""A missing staging directory is a refusal, unless the config says first refresh.

A typo in local.target_data_dir used to count as a first refresh: production was
copied there and started with production's postgresql.conf (its port).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from wfsupport import Production, Setup, config_text

from dbrefresh import config as config_mod
from dbrefresh.errors import ConfigError, InfraError
from dbrefresh.workflow.firstrun import require_target


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup]) -> Setup:
    return make_setup("firstrun")


def _point_at(setup: Setup, target: Path, extra: str = "") -> None:
    text = config_text(setup).replace(
        f"target_data_dir: {setup.staging.data_dir}", f"target_data_dir: {target}{extra}"
    )
    assert str(target) in text
    setup.config.write_text(text)


def test_a_missing_target_data_dir_is_refused_before_anything_is_copied(
    setup: Setup, production: Production
) -> None:
    typo = setup.staging.data_dir.parent / "dta"
    before = production.checksum()
    _point_at(setup, typo)
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    assert f"local.target_data_dir: {typo} does not exist" in proc.stderr
    assert "local.first_refresh: true" in proc.stderr and "Traceback" not in proc.stderr
    assert not typo.exists()
    assert sorted(p.name for p in typo.parent.iterdir() if p.name.startswith(".dbrefresh")) == []
    assert not (setup.state_dir / "runs").exists()  # no run started
    assert production.checksum() == before


def test_an_empty_directory_is_no_staging_either(setup: Setup, tmp_path: Path) -> None:
    _point_at(setup, tmp_path)
    with pytest.raises(ConfigError, match="holds no PostgreSQL data directory"):
        require_target(config_mod.load(setup.config))
    setup.write_config()


def test_first_refresh_is_explicit(setup: Setup, tmp_path: Path) -> None:
    _point_at(setup, tmp_path / "new", "\n  first_refresh: true")
    config = config_mod.load(setup.config)
    assert config.local is not None and config.local.first_refresh
    require_target(config)  # accepted: the run may create it
    setup.write_config()
    require_target(config_mod.load(setup.config))  # an existing staging needs nothing


def test_a_damaged_staging_directory_is_refused_not_kept_and_pruned(
    setup: Setup, tmp_path: Path
) -> None:
    """PG_VERSION without global/pg_control (half removed by a kill): a run would have
    kept it as the previous data and pruned it later without a word."""
    damaged = tmp_path / "data"
    (damaged / "global").mkdir(parents=True)
    (damaged / "PG_VERSION").write_text("15\n")
    _point_at(setup, damaged)
    try:
        with pytest.raises(InfraError, match=r"not a whole data directory .*dbrefresh cleanup"):
            require_target(config_mod.load(setup.config))
    finally:
        setup.write_config()


def _journals(setup: Setup) -> dict[str, str]:
    runs = setup.state_dir / "runs"
    return {p.parent.name: p.read_text() for p in runs.glob("*/journal.jsonl")}


def test_rollback_and_cleanup_refuse_a_mistyped_target_and_move_nothing(setup: Setup) -> None:
    """Kept copies are found beside the target by run id alone: `rollback` with a typo in
    target_data_dir renamed the real staging's kept copy to the typo path, tried to start
    it there (port clash), journaled the run rolled back, and the copy was lost."""
    setup.cli("run", check=True)
    run_id = setup.refreshed_by()
    kept = setup.staging.data_dir.parent / f".dbrefresh-{run_id}.prev"
    assert kept.is_dir()
    journals, typo = _journals(setup), setup.staging.data_dir.parent / "dataa"
    _point_at(setup, typo)
    index = setup.config.read_text().splitlines().index(f"  target_data_dir: {typo}")
    try:
        for command in ("rollback", "cleanup"):
            proc = setup.cli(command)
            said = proc.stdout + proc.stderr
            assert proc.returncode == 2, f"{command}: {said}"
            assert f"dbrefresh.yaml:{index + 1}: local.target_data_dir: {typo} does not exist" in (
                " ".join(proc.stderr.split())
            ), said
            assert "STAGING IS DOWN" not in said and "Traceback" not in said
    finally:
        setup.write_config()
    assert not typo.exists() and kept.is_dir()
    assert not (typo.parent / f".{typo.name}.dbrefresh.lock").exists()
    assert _journals(setup) == journals
    assert setup.refreshed_by() == run_id
    setup.cli("rollback", check=True)  # the right config still finds the kept copy
    assert setup.refreshed_by() != run_id


def test_cleanup_accepts_a_missing_staging_it_has_locked_before(setup: Setup) -> None:
    """A run killed between the swap's renames leaves staging's directory missing: the
    lock file beside it says dbrefresh worked on that very path, so cleanup goes on."""
    from dbrefresh.workflow.firstrun import require_staging
    from dbrefresh.workflow.lock import lock_location

    setup.cli("cleanup", check=True)  # takes the lock: its file stays
    config = config_mod.load(setup.config)
    lock_dir, name = lock_location(config)
    assert (lock_dir / f"{name}.lock").is_file()
    data = setup.staging.data_dir
    setup.staging.stop()
    moved = data.with_name("data-aside")
    data.rename(moved)
    try:
        require_staging(config, "cleanup")
        with pytest.raises(ConfigError, match="does not exist; rollback refused"):
            require_staging(config, "rollback")
    finally:
        moved.rename(data)
        setup.staging.start()
