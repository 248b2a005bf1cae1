"""What a run checks before anything is copied, said in the config's terms.

A missing rules file, rules.seed_file or password_file was named without the config
line giving it; a smoke query naming a database staging would not have failed only in
the health check, after the swap (staging restarted twice and rolled back, exit 1); a
full work_dir failed with a bare `OSError: [Errno 28] No space left on device`, or
pg_ctl could not start the temporary server and its log said nothing. And `status` on
a staging no run ever refreshed printed the SQL error.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wfsupport import Production, Setup, config_text


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("preflight")


def _line(text: str, starts: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(starts))


def _nothing_done(setup: Setup) -> None:
    assert not (setup.state_dir / "runs").exists()  # refused before a run began
    assert setup.siblings() == []
    assert setup.refreshed_by() is None  # (the module's staging is never refreshed)


def test_status_of_a_staging_never_refreshed_says_so(setup: Setup) -> None:
    assert setup.refreshed_by() is None
    proc = setup.cli("status")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "never refreshed by dbrefresh" in first, proc.stdout
    # no raw SQL error (`relation ... does not exist LINE 1: ...`); a state_dir no run
    # has created yet is said so, plainly
    assert "LINE 1" not in proc.stdout and "relation" not in proc.stdout, proc.stdout


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ("demo_shop.yaml]", "demo_shopp.yaml]", "  files:", "rules.files[0]: {}: no such file"),
        ("secrets/seed", "secrets/seedx", "  seed_file:", "rules.seed_file: cannot read {}"),
        ("secrets/app", "secrets/nope", "  app:", "roles.app.password_file: cannot read {}"),
    ],
    ids=["rules-file", "seed-file", "password-file"],
)
def test_a_missing_file_the_config_names_is_refused_naming_its_line(
    setup: Setup, old: str, new: str, key: str, says: str
) -> None:
    text = config_text(setup).replace(old, new)
    setup.config.write_text(text)
    missing = next(w for w in text.split() if new.rstrip("]") in w).strip("[]}")
    path = missing if missing.startswith("/") else str(setup.dir / missing)
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    expected = f"{setup.config}:{_line(text, key)}: {says.format(path)}"
    assert expected in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    _nothing_done(setup)


@pytest.mark.parametrize(
    ("database", "says"),
    [
        ("shopp", "production has no database 'shopp' (it has: "),
        # no rule file covers it: the run drops it (uncovered_databases: drop)
        ("warehouse", "no rule file covers database 'warehouse', so staging will not have it"),
    ],
)
def test_a_smoke_query_on_a_database_staging_will_not_have_is_refused_before_the_copy(
    setup: Setup, production: Production, database: str, says: str
) -> None:
    before = production.checksum()
    text = config_text(setup).replace("database: shop,", f"database: {database},")
    setup.config.write_text(text)
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 2, proc.stderr
    line = _line(text, "  - {name: customers")
    assert f"{setup.config}:{line}: smoke_queries[0].database: {says}" in proc.stderr
    assert "Traceback" not in proc.stderr
    _nothing_done(setup)
    assert production.checksum() == before


@pytest.fixture
def full_work_dir(setup: Setup) -> Iterator[Path]:
    """work_dir on a 1 MB tmpfs holding 8 kB free."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = setup.dir / "small"
    where.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], check=True)
    try:
        with (where / "filler").open("wb") as fh:
            fh.write(b"\0" * (1024 * 1024 - 8192))
        yield where / "work"
    finally:
        subprocess.run(["umount", str(where)], check=False)
        where.rmdir()


def test_a_full_work_dir_is_refused_before_the_copy_naming_it(
    setup: Setup, production: Production, full_work_dir: Path
) -> None:
    before = production.checksum()
    text = config_text(setup).replace("  work_dir: work", f"  work_dir: {full_work_dir}")
    setup.config.write_text(text)
    try:
        proc = setup.cli("run")
    finally:
        setup.write_config()
    assert proc.returncode == 3, proc.stderr
    assert f"not enough disk space in local.work_dir {full_work_dir}: " in proc.stderr
    # work_dir may exist by now (the run's dead-run scan makes it): measured there, or
    # on the nearest directory that exists; either way no OSError from a write
    assert "OSError" not in proc.stderr
    assert "pg_ctl" not in proc.stderr and "Traceback" not in proc.stderr
    assert setup.siblings() == [] and setup.refreshed_by() is None
    assert production.checksum() == before
