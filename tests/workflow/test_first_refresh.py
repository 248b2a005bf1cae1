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
