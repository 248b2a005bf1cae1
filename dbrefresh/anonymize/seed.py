"""Where the masking seed comes from: --seed, else the environment variable the rules name."""

from __future__ import annotations

import os

from dbrefresh.errors import UsageError


def resolve_seed(explicit: str | None, env_var: str, *, flag: str | None = "--seed") -> str:
    """The seed; `flag` names the option that could have given it (None: the command
    has none, as `run` and `gate` read the config's seed_file or the environment)."""
    if explicit:
        return explicit
    value = os.environ.get(env_var)
    if value:
        return value
    where = f"pass {flag} or set" if flag else "set rules.seed_file in the config, or"
    raise UsageError(f"no masking seed: {where} the environment variable {env_var}")


def seed_origin(explicit: str | None, env_var: str, *, flag: str = "--seed") -> str:
    """Where resolve_seed found the seed, for messages that must not print it."""
    return flag if explicit else f"the environment variable {env_var}"
