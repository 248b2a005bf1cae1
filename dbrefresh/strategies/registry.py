"""The one registry of masking strategies, filled by the strategy modules themselves.

Rules name a strategy by its config key (`email`, `date_shift`, ...); an unknown name
fails listing the known ones with a "did you mean", as Patroni does for its backends.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any, TypeVar

from dbrefresh.errors import UsageError
from dbrefresh.strategies.base import Strategy

# Modules that register built-in strategies, imported on first use of the registry.
BUILTIN_MODULES = (
    "keep",
    "null",
    "constant",
    "hash",
    "file_name",
    "php_serialized",
    "vcard",
    "xml_doc",
    "url_query",
    "email",
    "names",
    "places",
    "company",
    "digits",
    "partial",
    "date_shift",
    "noise",
    "generalize",
    "coordinates",
    "mac",
    "uuid",
    "ip",
    "lorem",
    "choice",
    "jsonb",
    "composite",
    "template",
    "shuffle",
    "sql",
    "derived",
    "switch",
    "forms",
    "prefixed",
    "url_path",
    "private_key",
    "vector",
)

_REGISTRY: dict[str, Strategy[Any]] = {}
_loaded = False

S = TypeVar("S", bound=type[Strategy[Any]])


class UnknownStrategyError(UsageError):
    """A rule names a strategy that does not exist."""


def register(cls: S) -> S:
    """Class decorator: make the strategy available under its `name`."""
    if cls.name in _REGISTRY and type(_REGISTRY[cls.name]) is not cls:
        raise ValueError(f"strategy {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(f"dbrefresh.strategies.{module}")
        _loaded = True


def get(name: str) -> Strategy[Any]:
    """The strategy registered as `name`; UnknownStrategyError lists the known ones."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = sorted(_REGISTRY)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UnknownStrategyError(
            f"unknown strategy {name!r}{hint} (known: {', '.join(known)})"
        ) from None


def all_strategies() -> list[Strategy[Any]]:
    """Every registered strategy, sorted by name (for `dbrefresh strategies`)."""
    _load_builtins()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]
