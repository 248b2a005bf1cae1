"""`python -m dbrefresh` runs the same CLI as the `dbrefresh` console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dbrefresh", "strategies"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "vcard" in done.stdout and "url_path" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "dbrefresh", "no-such-command"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
