"""Faker's provider modules, imported one at a time.

verify's checks run in threads (spread.py), and two of them importing faker's locale
providers at once deadlocked in Python's import machinery (`_DeadlockError`: faker's
provider packages import one another), failing a verify at random. Every lazy import
of a faker provider goes through one lock here.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

_LOCK = threading.Lock()


def provider(module: str) -> Any | None:
    """The `Provider` class of a faker provider module ('faker.providers.person.de_DE'),
    or None when faker has no such module."""
    with _LOCK:
        try:
            return importlib.import_module(module).Provider
        except (ImportError, AttributeError):
            return None
