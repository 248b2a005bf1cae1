"""A first refresh is asked for, never inferred from a missing staging directory.

The local backend swaps the clone into `local.target_data_dir`, and when nothing is
there it simply puts the clone in place: a typo in that path copied production there
and started it with production's postgresql.conf (its port, clashing with production).
So a run refuses a target directory holding no data directory unless the config says
this is staging's first refresh (`local.first_refresh: true`).
"""

from __future__ import annotations

from pathlib import Path

from dbrefresh.config import Config
from dbrefresh.errors import ConfigError, InfraError
from dbrefresh.workflow.lock import lock_location


def require_target(config: Config) -> None:
    """ConfigError (exit 2), before anything is touched, when staging's data directory
    is missing and the config does not say this is the first refresh."""
    local = config.local
    if config.backend != "local" or local is None or local.first_refresh:
        return
    target = local.target_data_dir
    if (target / "PG_VERSION").is_file():
        if not (target / "global" / "pg_control").is_file():
            # half removed by a kill, or damaged: a run would keep it as the previous
            # data and later prune it, without a word
            raise InfraError(
                f"staging data directory {target} is not a whole data directory "
                "(global/pg_control is missing); nothing was copied. `dbrefresh cleanup` "
                "serves a whole kept copy in its place"
            )
        return
    raise ConfigError(
        f"{_where(config)}local.target_data_dir: {target} {_state(target)}; nothing was copied. "
        "Fix the path if it is a typo; if a run died during its swap, `dbrefresh cleanup` "
        "puts staging's data back; if staging has never been refreshed, set "
        "local.first_refresh: true (staging then starts with production's postgresql.conf, "
        "port included, unless local.target_config_file names its own)"
    )


def require_staging(config: Config, command: str) -> None:
    """ConfigError (exit 2), before the lock is taken or anything moved, when `rollback`
    or `cleanup` is pointed at a directory that is not staging's. Kept copies are found
    beside the target by run id alone: with a mistyped target_data_dir (`stgg` for
    `stg`) the rollback renamed the real staging's kept copy to the typo path, tried to
    start it there, and the copy was gone. A missing directory is still staging's when
    a dbrefresh command once locked that very path (a run that died during its swap
    leaves it missing, and cleanup puts its data back); rollback always refuses it."""
    local = config.local
    if config.backend != "local" or local is None:
        return
    target = local.target_data_dir
    if (target / "PG_VERSION").is_file():
        return  # whole or not: a damaged staging is still staging (cleanup sets it aside)
    lock_dir, name = lock_location(config)
    lock = lock_dir / f"{name}.lock"
    empty = target.is_dir() and not _entries(target)
    if command == "cleanup" and (empty or not target.exists()) and lock.is_file():
        return
    never = "" if lock.is_file() else f", and no dbrefresh command ever worked on it (no {lock})"
    later = (
        "; if a run died during its swap, `dbrefresh cleanup` puts staging's data back"
        if command == "rollback"
        else ""
    )
    raise ConfigError(
        f"{_where(config)}local.target_data_dir: {target} {_state(target)}{never}; "
        f"{command} refused, nothing was moved or started. Fix the path if it is a typo"
        f"{later}"
    )


def _entries(target: Path) -> bool:
    """Whether target holds anything (unreadable: it may, so it is not called empty)."""
    try:
        return any(target.iterdir())
    except OSError:
        return True


def _state(target: Path) -> str:
    return "holds no PostgreSQL data directory" if target.exists() else "does not exist"


def _where(config: Config) -> str:
    return config.where("local", "target_data_dir")
