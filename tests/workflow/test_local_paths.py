"""A local.target_log or local.work_dir the backend cannot use is refused before anything
is copied or stopped: exit 2 naming file:line and the key. A target_log naming a
directory used to surface only when the swap started staging (`/bin/sh: cannot create
…: Is a directory`); the rollback's start failed the same way: STAGING IS DOWN."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from wfsupport import Production, Setup, config_text


@pytest.fixture(scope="module")
def setup(make_setup: Callable[[str], Setup], production: Production) -> Setup:
    return make_setup("local-paths")


CASES = {
    "log-is-a-directory": ("target_log", "logdir", "is a directory"),
    "log-under-a-file": ("target_log", "afile/x.log", "afile is not a directory"),
    "work-dir-under-a-file": ("work_dir", "afile/sub", "afile is not a directory"),
    # root may write anywhere, says access(); /proc refuses any new file: the run failed
    # at snapshot_source with a bare FileNotFoundError, exit 3 (an absolute path here)
    "work-dir-in-proc": ("work_dir", "/proc/dbrefresh-work/sub", "cannot create /proc/"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_unusable_local_path_is_refused_before_anything_changes(setup: Setup, case: str) -> None:
    key, relative, says = CASES[case]
    (setup.dir / "afile").write_text("a regular file\n")
    logdir = setup.dir / "logdir"
    logdir.mkdir(exist_ok=True)
    logdir.chmod(0o755)
    lines = config_text(setup).splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"  {key}:"))
    lines[index] = f"  {key}: {setup.dir / relative}"
    setup.config.write_text("\n".join(lines) + "\n")
    siblings = sorted(p.name for p in setup.staging.data_dir.parent.iterdir())
    try:
        for command in ("run", "cleanup", "rollback"):
            proc = setup.cli(command)
            said = proc.stdout + proc.stderr
            assert proc.returncode == 2, f"{command}: {said}"
            assert f"dbrefresh.yaml:{index + 1}: local.{key}: " in proc.stderr, said
            assert says in proc.stderr and "Traceback" not in said, said
    finally:
        setup.write_config()
    assert sorted(p.name for p in setup.staging.data_dir.parent.iterdir()) == siblings
    assert not (setup.state_dir / "runs").exists() or not list((setup.state_dir / "runs").iterdir())
    assert logdir.stat().st_mode & 0o777 == 0o755  # not chmod-ed to a log file's 0600
    assert setup.query("SELECT 1") == [(1,)]
