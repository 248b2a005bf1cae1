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


def known_backends() -> list[str]:
    """Modules that are backends (they have `create`), not the helpers beside them
    (base, localpg, localfiles, ...): a config naming a helper got an AttributeError."""
    names = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "create", None)):
            names.append(info.name)
    return sorted(names)


def require_known(config: Config) -> None:
    """ConfigError (file:line) for a backend name no module answers to: `status` too
    refuses it (it showed an empty table, exit 0, for a typo)."""
    known = known_backends()
    if config.backend not in known:
        raise ConfigError(
            f"{config.where('backend')}backend: unknown backend {config.backend!r}; "
            f"known: {', '.join(known)}"
        )


def load_backend(config: Config) -> Backend:
    name = config.backend
    require_known(config)
    module = importlib.import_module(f"{__name__}.{name}")
    return cast("Backend", module.create(config))
