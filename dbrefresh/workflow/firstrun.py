"""A first refresh is asked for, never inferred from a missing staging directory.

The local backend swaps the clone into `local.target_data_dir`, and when nothing is
there it simply puts the clone in place: a typo in that path copied production there
and started it with production's postgresql.conf (its port, clashing with production).
So a run refuses a target directory holding no data directory unless the config says
this is staging's first refresh (`local.first_refresh: true`).
"""

from __future__ import annotations

from dbrefresh.config import Config
from dbrefresh.errors import ConfigError, InfraError


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
    what = "holds no PostgreSQL data directory" if target.exists() else "does not exist"
    where = f"{config.path}: " if config.path else ""
    raise ConfigError(
        f"{where}local.target_data_dir: {target} {what}; nothing was copied. "
        "Fix the path if it is a typo; if a run died during its swap, `dbrefresh cleanup` "
        "puts staging's data back; if staging has never been refreshed, set "
        "local.first_refresh: true (staging then starts with production's postgresql.conf, "
        "port included, unless local.target_config_file names its own)"
    )
