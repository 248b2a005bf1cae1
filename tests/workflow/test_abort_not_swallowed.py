"""An abort is never swallowed by code that tolerates a server's refusal: SIGTERM is its
own exception type (errors.Aborted), not an InfraError. A signal landing in
snapshot_source's tablespace query or in the health check's connection retries used to
be caught there, and the run finished "done", exit 0."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from wfsupport import REPO, Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend

# The CLI with a SIGTERM sent to itself as the first connection of the named place
# opens: the handler raises inside that place's `except InfraError` section.
SIGTERM_IN = """
import os, signal, sys
from dbrefresh.backends import localtblspc
from dbrefresh.workflow import health
from dbrefresh.cli import main

where, argv = sys.argv[1], sys.argv[2:]
module = {"tablespaces": localtblspc, "health": health}[where]
name = "connection" if where == "tablespaces" else "connect"
original, sent = getattr(module, name), []

def aborting(*args, **kwargs):
    if not sent:
        sent.append(True)
        os.kill(os.getpid(), signal.SIGTERM)
    return original(*args, **kwargs)

setattr(module, name, aborting)
sys.exit(main(argv))
"""


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    s = make_setup("abort-types")
    s.cli("run", check=True)
    return s


@pytest.mark.parametrize("where", ["tablespaces", "health"])
def test_a_sigterm_inside_an_except_infraerror_section_fails_the_run(
    setup: Setup, where: str
) -> None:
    before = setup.refreshed_by()
    proc = subprocess.run(
        [sys.executable, "-c", SIGTERM_IN, where, "run", "--config", str(setup.config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "terminated by signal SIGTERM" in proc.stderr
    assert "server log" not in proc.stderr
    backend = load_backend(config_mod.load(setup.config))
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before  # the health check's abort rolled back
    assert backend.leftovers() == []
