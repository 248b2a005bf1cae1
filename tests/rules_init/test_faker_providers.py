"""Faker's locale providers imported from several threads at once (verify's checks run
in threads): a bare import_module deadlocked in Python's import machinery
(`_DeadlockError` on faker.providers.person, every run of this script without the
lock), failing verify at random. faker_providers.provider serializes them."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import threading
from dbrefresh.rules.faker_providers import provider
locales = ("de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "en_GB", "en_US")
modules = [f"faker.providers.{k}.{loc}" for k in ("person", "address") for loc in locales]
barrier = threading.Barrier(len(modules))
found, errors = [], []
def load(module):
    barrier.wait()
    try:
        found.append(provider(module))
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=load, args=(m,)) for m in modules]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(errors), sum(p is not None for p in found), errors[:1])
"""


def test_providers_load_from_many_threads_at_once() -> None:
    for _ in range(3):  # a fresh interpreter each time: nothing of faker imported yet
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
        )
        assert done.stdout.split()[:2] == ["0", "16"], done.stdout


def test_a_missing_provider_is_none() -> None:
    from dbrefresh.rules.faker_providers import provider

    assert provider("faker.providers.person.xx_XX") is None
    assert provider("faker.providers.person.de_DE") is not None
