"""Config mistakes found when the config is read: file:line:key, exit 2, no traceback.

A duplicate key was silently taken (the last one won); a connection string libpq cannot
read failed inside the run, once a run id was drawn (`ProgrammingError: invalid
connection option ""`, exit 3), and `sslmode=bogus` only inside pg_basebackup; an
unknown backend was named without its line. No server needed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from wfsupport import DBREFRESH, REPO

from dbrefresh import config as config_mod
from dbrefresh.backends import load_backend, localcopy
from dbrefresh.errors import ConfigError, InfraError

GOOD = """\
version: 1
backend: local
state_dir: state
source:
  dsn: "host=/tmp port=5432 user=postgres password=hunter2"
target:
  dsn: "host=/tmp port=5433 dbname=postgres"
rules:
  files: [rules.yaml]
local:
  target_data_dir: /var/tmp/x/data
  work_dir: work
"""


def _load(tmp_path: Path, text: str) -> config_mod.Config:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(text)
    return config_mod.load(path, env={})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (GOOD + "backend: local\n", ":13: backend: duplicate key (also at line 2)"),
        (
            GOOD + "  work_dir: /var/tmp/other\n",
            ":13: local.work_dir: duplicate key (also at line 12)",
        ),
        (
            GOOD.replace("rules:\n", "rules:\n  files: [other.yaml]\n"),
            ":10: rules.files: duplicate key (also at line 9)",
        ),
    ],
    ids=["top-level", "nested", "first-wins-no-more"],
)
def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    assert f"{tmp_path / 'dbrefresh.yaml'}{says}" in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            "hunter2",
            "hunter2 =",
            ':5: source.dsn: not a valid connection string: invalid connection option ""',
        ),
        (
            "hunter2",
            "hunter2 foo=bar",
            ':5: source.dsn: not a valid connection string: invalid connection option "foo"',
        ),
        # libpq quoted the password's second word: `missing "=" after "hunter3"`
        (
            "hunter2",
            "hunter2 hunter3",
            ":5: source.dsn: not a valid connection string: libpq cannot read its password",
        ),
        (
            "host=/tmp port=5432 user=postgres password=hunter2",
            "postgresql://u:hunter 2@h/db",
            ":5: source.dsn: not a valid connection string: libpq cannot read its password",
        ),
        (
            "host=/tmp port=5432 user=postgres password=hunter2",
            "postgresql://u:hunter2@h/db?x=1",
            ':5: source.dsn: not a valid connection string: invalid URI query parameter: "x"',
        ),
        # a misspelled key is not known to be a password: every value but host, port,
        # user and dbname is hidden once the string does not parse
        (
            "password=hunter2",
            "passwrd=hunter2",
            ':5: source.dsn: not a valid connection string: invalid connection option "passwrd" '
            "(in 'host=/tmp port=5432 user=postgres passwrd=***')",
        ),
        (
            "password=hunter2",
            "password=x sslpasswrd='hunter2' application_name=hunter two",
            ':5: source.dsn: not a valid connection string: invalid connection option "sslpasswrd"',
        ),
        (
            "host=/tmp port=5432 user=postgres password=hunter2",
            "postgresql://u@h/db?x=1&sslpassword=hunter2",
            ':5: source.dsn: not a valid connection string: invalid URI query parameter: "x"',
        ),
        (
            "port=5433",
            "port=5433 sslmode=bogus",
            ":7: target.dsn: sslmode=bogus is not a sslmode libpq knows",
        ),
        (
            "port=5432",
            "port=5432 sslmode=Require",
            ":5: source.dsn: sslmode=Require is not a sslmode",
        ),
        ("port=5433", "port=54x3", ":7: target.dsn: port=54x3 is not a port number"),
        (
            "port=5433",
            "port=5433 target_session_attrs=rw",
            ":7: target.dsn: target_session_attrs=rw is not",
        ),
    ],
)
def test_a_connection_string_libpq_cannot_read_is_refused_without_its_password(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, GOOD.replace(old, new))
    message = str(err.value)
    assert f"{tmp_path / 'dbrefresh.yaml'}{says}" in message
    assert "hunter" not in message  # the password, nor a word of it


def test_valid_connection_strings_are_taken(tmp_path: Path) -> None:
    text = GOOD.replace("port=5432", "port=5432,5434 sslmode=verify-full connect_timeout=5")
    text = text.replace(
        "host=/tmp port=5433 dbname=postgres", "postgresql://app@db:5433/shop?sslmode=require"
    )
    cfg = _load(tmp_path, text)
    assert "sslmode=verify-full" in cfg.source.dsn and cfg.target.dsn.endswith("=require")


def test_a_bad_connection_string_exits_2_before_a_run_begins(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(GOOD.replace("password=hunter2", "password=hunter2 ="))
    proc = subprocess.run(
        [*DBREFRESH, "run", "-c", str(path)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{path}:5: source.dsn: not a valid connection string" in proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "state").exists()  # no run id drawn, nothing journaled


def test_an_unknown_backend_names_its_line(tmp_path: Path) -> None:
    cfg = _load(tmp_path, GOOD.replace("backend: local", "backend: locl"))
    with pytest.raises(ConfigError) as err:
        load_backend(cfg)
    assert f"{tmp_path / 'dbrefresh.yaml'}:2: backend: unknown backend 'locl'" in str(err.value)


def test_a_run_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    """A write on a full disk raises OSError without a file name: the run said only
    `OSError: [Errno 28] No space left on device` (/dev/full stands in for the disk)."""
    pid_file = tmp_path / "run" / "pg_basebackup.partial.pgid"
    pid_file.parent.mkdir()
    pid_file.with_name(pid_file.name + ".partial").symlink_to("/dev/full")
    with pytest.raises(InfraError) as err:
        localcopy.record(pid_file, 12345)
    assert f"cannot write {pid_file}.partial: No space left on device" in str(err.value)
