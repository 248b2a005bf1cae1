"""Backends: one module per backend, named after its config key (Patroni-style).

`backend: local` loads `dbrefresh.backends.local`, whose `create(config)` returns an
object satisfying `dbrefresh.backends.base.Backend`. An unknown name fails listing the
known ones.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, cast

from dbrefresh.errors import ConfigError

if TYPE_CHECKING:
    from dbrefresh.backends.base import Backend
    from dbrefresh.config import Config

_NOT_BACKENDS = {"base", "localpg"}


def known_backends() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name not in _NOT_BACKENDS
    )


def load_backend(config: Config) -> Backend:
    name = config.backend
    if name not in known_backends():
        where = f"{config.path}: " if config.path else ""
        raise ConfigError(
            f"{where}backend: unknown backend {name!r}; known: {', '.join(known_backends())}"
        )
    module = importlib.import_module(f"{__name__}.{name}")
    return cast("Backend", module.create(config))
