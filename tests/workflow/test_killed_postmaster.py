"""A temporary server killed outright (SIGKILL, the OOM killer) is stopped at once.

Such a postmaster never removes its pid file, and until its parent reaps it (an init
that is a shell or slow: seconds) `pg_ctl status` calls the zombie running. The stop
waited for the pid file to go for its whole timeout (120 s), the undo of the run failed
and the run's copy of production stayed on disk, unmentioned.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from dbrefresh.backends.localpg import PgTools

BIN = Path("/usr/lib/postgresql/15/bin")


def _ready(pid_file: Path) -> bool:
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return False
    return len(lines) > 7 and lines[7].strip() == "ready"


def test_stop_of_a_killed_postmaster_not_yet_reaped_returns(tmp_path: Path) -> None:
    tools = PgTools(BIN)
    data = tmp_path / "data"
    tools.initdb(data)
    sock = tools.own_dir(tmp_path / "sock")
    # our own child: killed and not waited for, it stays a zombie, as under a late init
    postmaster = subprocess.Popen(
        [
            str(BIN / "postgres"),
            "-D",
            str(data),
            "-k",
            str(sock),
            "-p",
            "5999",
            "-c",
            "listen_addresses=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user="postgres",
        group="postgres",
        extra_groups=[],
        cwd="/",
    )
    try:
        deadline = time.monotonic() + 60
        while not _ready(data / "postmaster.pid"):
            assert postmaster.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        postmaster.kill()
        time.sleep(0.5)  # its children notice it is gone and exit
        assert tools.is_running(data)  # pg_ctl status: the zombie still "runs"
        tools.stop(data, timeout=15)  # raised "did not stop within 15s"
    finally:
        postmaster.kill()
        postmaster.wait()
    # the stale pid file left behind does not keep the server from starting again
    options = {"port": "5999", "unix_socket_directories": str(sock), "listen_addresses": ""}
    tools.start(data, log_file=tmp_path / "log", options=options)
    try:
        assert tools.is_running(data)
    finally:
        tools.stop(data)
    assert not (data / "postmaster.pid").exists()
