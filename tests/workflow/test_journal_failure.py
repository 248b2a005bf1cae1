"""A journal that cannot be written mid-run (state_dir remounted read-only) goes
through compensation like any failure: the temporary server stopped, the clone
removed, staging untouched. The step_done line used to be written outside the
compensated section: exit 3, but an unmasked clone left running."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from wfsupport import Production, Setup

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend


@pytest.fixture
def setup(make_setup: Callable[[str], Setup], production: Production) -> Iterator[Setup]:
    s = make_setup("journal-ro")
    s.state_dir.mkdir(exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(s.state_dir)], check=True
    )
    try:
        yield s
    finally:
        subprocess.run(["umount", str(s.state_dir)], check=False)


def test_a_journal_made_read_only_during_isolate_is_compensated(setup: Setup) -> None:
    before = setup.refreshed_by()
    proc = setup.popen("run")
    deadline = time.monotonic() + 120
    runs = setup.state_dir / "runs"
    while proc.poll() is None and time.monotonic() < deadline:
        journals = list(runs.glob("*/journal.jsonl")) if runs.exists() else []
        if journals and '"step": "isolate"' in journals[0].read_text():
            subprocess.run(["mount", "-o", "remount,ro", str(setup.state_dir)], check=True)
            break
        time.sleep(0.001)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 3, out + err
    assert "cannot write the run journal" in err
    assert "Traceback" not in err
    backend = load_backend(config_mod.load(setup.config))
    assert backend.leftovers() == []  # no temporary server, no clone
    assert backend.target.is_serving()
    assert setup.refreshed_by() == before
