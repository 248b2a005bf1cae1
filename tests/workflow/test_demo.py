"""README's first command: the demo builds, refreshes, refreshes again, and its config
works with every other command."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from wfsupport import DBREFRESH, REPO, _stop_all


@pytest.fixture(scope="module")
def demo_dir(base_dir: Path) -> Iterator[Path]:
    path = base_dir / "demo"
    yield path
    _stop_all(path)
    shutil.rmtree(path, ignore_errors=True)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBREFRESH, *args], capture_output=True, text=True, timeout=600, cwd=REPO
    )


def test_demo_twice_then_every_command(demo_dir: Path) -> None:
    first = _cli("demo", "--dir", str(demo_dir), "--customers", "3000")
    assert first.returncode == 0, first.stderr
    assert "building production" in first.stdout
    assert "staging after (anonymized)" in first.stdout
    prod_version = (demo_dir / "production" / "data" / "PG_VERSION").stat().st_ino

    second = _cli("demo", "--dir", str(demo_dir), "--customers", "3000")
    assert second.returncode == 0, second.stderr
    assert "building production" not in second.stdout
    assert (demo_dir / "production" / "data" / "PG_VERSION").stat().st_ino == prod_version

    status = _cli("status", "--dir", str(demo_dir), "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert [r["state"] for r in report["runs"]] == ["done", "done"]
    assert report["staging"]["run_id"] == report["runs"][-1]["run_id"]

    config = demo_dir / "dbrefresh.yaml"
    assert _cli("run", "--config", str(config)).returncode == 0
    assert _cli("rollback", "--dir", str(demo_dir)).returncode == 0
    assert _cli("cleanup", "--dir", str(demo_dir)).returncode == 0
    after = json.loads(_cli("status", "--dir", str(demo_dir), "--json").stdout)
    assert after["staging"]["run_id"] == report["runs"][-1]["run_id"]  # rolled back to it
    production_password = (demo_dir / "secrets" / "production_app_password").read_text().strip()
    for proc in (first, second, status):
        assert production_password not in proc.stdout + proc.stderr


def _python_for_others() -> str | None:
    """A python3 of our minor version that a non-root user can execute, if any."""
    import os
    import shutil as sh
    import sys

    for candidate in ("/usr/bin/python3", sh.which("python3") or ""):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        probe = subprocess.run(
            [
                "runuser",
                "-u",
                "nobody",
                "--",
                candidate,
                "-c",
                "import sys; print(sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == str(sys.version_info[:2]):
            return candidate
    return None


def test_demo_as_an_ordinary_user(base_dir: Path) -> None:
    """Same product code, no root: servers run as the invoking user."""
    import os
    import site

    if os.geteuid() != 0:
        pytest.skip("already running as an ordinary user: the other tests cover it")
    python = _python_for_others()
    if python is None:
        pytest.skip("no python3 of this version that `nobody` can run")
    home = base_dir / "as-nobody"
    home.mkdir()
    shutil.chown(home, "nobody", "nogroup")
    path = os.pathsep.join([str(REPO), *site.getsitepackages()])
    cmd = "import sys; from dbrefresh.cli import main; sys.exit(main(sys.argv[1:]))"
    env = ["env", f"HOME={home}", "USER=nobody", f"PYTHONPATH={path}"]
    run = ["runuser", "-u", "nobody", "--", *env, python, "-c", cmd]
    try:
        proc = subprocess.run(
            [*run, "demo", "--dir", str(home / "demo"), "--customers", "1000"],
            capture_output=True,
            text=True,
            timeout=600,
            cwd="/tmp",
        )
        assert proc.returncode == 0, proc.stderr
        owner = (home / "demo" / "staging" / "data").stat().st_uid
        assert owner == int(subprocess.check_output(["id", "-u", "nobody"]).strip())
        status = subprocess.run(
            [*run, "status", "--dir", str(home / "demo"), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/tmp",
        )
        assert json.loads(status.stdout)["runs"][-1]["state"] == "done"
    finally:
        for data in (home / "demo").glob("*/data"):
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "nobody",
                    "--",
                    "/usr/lib/postgresql/15/bin/pg_ctl",
                    "stop",
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                ],
                capture_output=True,
                check=False,
            )
