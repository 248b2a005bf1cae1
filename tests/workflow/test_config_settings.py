"""temp_server.settings: YAML reads `log_min_duration_statement: 1000` as a number and
`log_connections: on` as a boolean; both are valid PostgreSQL settings, and the config
refused them ('Input should be a valid string')."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh import config as config_mod
from dbrefresh.errors import ConfigError

BASE = """\
version: 1
backend: local
source: {dsn: "host=/tmp port=5432 user=postgres"}
target: {dsn: "host=/tmp port=5433"}
rules: {files: [rules.yaml]}
local: {target_data_dir: /var/tmp/x/data, work_dir: work}
"""


def test_numbers_and_booleans_are_taken_as_setting_text(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(
        BASE + "temp_server:\n  settings:\n    log_min_duration_statement: 1000\n"
        "    log_connections: on\n    jit: false\n    random_page_cost: 1.1\n"
        "    work_mem: 64MB\n"
    )
    settings = config_mod.load(path, env={}).temp_server.settings
    assert settings == {
        "log_min_duration_statement": "1000",
        "log_connections": "on",
        "jit": "off",
        "random_page_cost": "1.1",
        "work_mem": "64MB",
    }


def test_a_list_is_still_no_setting(tmp_path: Path) -> None:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(BASE + "temp_server:\n  settings:\n    work_mem: [1, 2]\n")
    with pytest.raises(ConfigError, match=r":9: temp_server\.settings\.work_mem"):
        config_mod.load(path, env={})
