"""Where the masking seed comes from: --seed, else the environment variable the rules name."""

from __future__ import annotations

import os

from dbrefresh.errors import UsageError


def resolve_seed(explicit: str | None, env_var: str) -> str:
    if explicit:
        return explicit
    value = os.environ.get(env_var)
    if value:
        return value
    raise UsageError(f"no masking seed: pass --seed or set the environment variable {env_var}")
