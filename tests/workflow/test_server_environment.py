"""Servers start with a minimal environment: no secret of dbrefresh's own environment
(production's password bound by Jenkins, PGPASSWORD) reaches a postmaster's
/proc/PID/environ, which any of its superusers can read (pg_read_binary_file)."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from wfsupport import DBREFRESH, REPO, Production, Setup


def _postmaster_environ(data_dir: Path) -> bytes:
    pid = (data_dir / "postmaster.pid").read_text().splitlines()[0].strip()
    return Path(f"/proc/{pid}/environ").read_bytes()


def test_no_secret_of_the_environment_reaches_the_temp_server_or_staging(
    make_setup: Callable[[str], Setup], production: Production
) -> None:
    setup = make_setup("environ")
    secret, other = "pw-" + secrets.token_hex(8), "tok-" + secrets.token_hex(8)
    text = setup.config.read_text()
    dsn = production.server.dsn()
    setup.config.write_text(text.replace(f'"{dsn}"', f'"{dsn} password=${{PROD_PW}}"', 1))
    env = {**os.environ, "PROD_PW": secret, "PGPASSWORD": secret, "JOB_TOKEN": other}
    proc = subprocess.Popen(
        [*DBREFRESH, "run", "--config", str(setup.config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    parent = setup.staging.data_dir.parent
    temp_environ = b""
    deadline = time.monotonic() + 120
    while not temp_environ and proc.poll() is None and time.monotonic() < deadline:
        for pid_file in parent.glob(".dbrefresh-*.clone/postmaster.pid"):
            try:
                temp_environ = _postmaster_environ(pid_file.parent)
            except (OSError, IndexError):
                continue  # still being written, or gone
        time.sleep(0.01)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert temp_environ, "never saw the temporary server"
    staging_environ = _postmaster_environ(setup.staging.data_dir)
    for environ in (temp_environ, staging_environ):
        assert secret.encode() not in environ
        assert other.encode() not in environ
        assert b"PGPASSWORD" not in environ
        assert b"PATH=" in environ
