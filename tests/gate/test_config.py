"""The `gate:` section of dbrefresh.yaml: thresholds, staging DSN, located errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.cli import main
from dbrefresh.config import GateConfig, load, parse_duration

MIGRATION = "SET lock_timeout = '1s';\nALTER TABLE small ADD CONSTRAINT c CHECK (v >= 0);\n"


def _config(tmp_path: Path, staging_dsn: str, gate: str) -> Path:
    path = tmp_path / "dbrefresh.yaml"
    path.write_text(
        f"""version: 1
source: {{dsn: "host=/nowhere dbname=prod"}}
target: {{dsn: "{staging_dsn}"}}
rules: {{files: [rules.yaml]}}
local: {{target_data_dir: data, work_dir: work}}
{gate}"""
    )
    return path


def _weight(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, bool]:
    code = main(["gate", *args, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    return code, doc["statements"][1]["weight"], doc["traced"]


def test_thresholds_come_from_the_config_and_flags_override(
    tmp_path: Path,
    staging_dsn: str,
    write_sql: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    migration = str(write_sql(MIGRATION))
    cfg = _config(
        tmp_path, staging_dsn, "gate:\n  warn_rows: 50\n  heavy_rows: 1000000\n  max_lock: 2s\n"
    )
    # no --dsn: staging is the config's target; `small` has 100 rows
    assert _weight(capsys, migration, "--config", str(cfg)) == (0, "warn", False)
    assert _weight(capsys, migration, "--dir", str(tmp_path), "--warn-rows", "1000") == (
        0,
        "light",
        False,
    )
    assert _weight(capsys, migration, "--dsn", staging_dsn) == (0, "light", False)  # defaults
    cfg.write_text(cfg.read_text().replace("heavy_rows: 1000000", "heavy_rows: 60"))
    # heavy now, so it would be traced; staging has no refresh_info, so it is refreshed
    # first, and this config's refresh cannot run (no rules file): nothing is traced
    assert main(["gate", migration, "--config", str(cfg)]) == 2
    assert "rules.yaml" in capsys.readouterr().err


def test_gate_section_parses_units_and_reports_errors_with_file_line_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _config(tmp_path, "dbname=x", "gate:\n  heavy_size: 500MB\n  max_age: 6h\n")
    cfg = load(good)
    assert cfg.gate.heavy_size == 500 * 1024**2 and cfg.gate.max_age == 6 * 3600
    assert cfg.gate.max_lock == GateConfig().max_lock == 5.0
    bad = _config(tmp_path, "dbname=x", "gate:\n  warn_rows: 10\n  max_lock: soon\n  heavy: 1\n")
    assert main(["gate", "x.sql", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:8: gate.max_lock:" in err and "'soon' is not a duration" in err
    assert f"{bad}:9: gate.heavy: unknown key" in err


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("30s", 30),
        ("5m", 300),
        ("5min", 300),
        ("1.5h", 5400),
        ("2d", 172800),
        ("10", 10),
        (10, 10),
        ("1m30s", 90),
        ("1h30m", 5400),
        ("1min 30s", 90),
        ("2d12h", 216000),
        ("1m30s500ms", 90.5),
    ],
)
def test_durations_simple_and_compound(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "", "-5s", "1m30", "30s1m", "1m1m", "1h-30m"])
def test_bad_durations_say_what_a_duration_is(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration \(e\.g\. .*1m30s"):
        parse_duration(text)


def test_gate_thresholds_must_be_positive_and_take_compound_durations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _config(tmp_path, "dbname=x", "gate:\n  max_lock: 1m30s\n  max_total: 1h30m\n")
    assert (load(good).gate.max_lock, load(good).gate.max_total) == (90, 5400)
    bad = _config(tmp_path, "dbname=x", "gate:\n  heavy_rows: -5\n  max_lock: 0s\n")
    assert main(["gate", "x.sql", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:7: gate.heavy_rows:" in err and f"{bad}:8: gate.max_lock:" in err
    assert "greater than 0" in err


def test_warn_threshold_above_heavy_is_a_usage_error(
    tmp_path: Path,
    staging_dsn: str,
    write_sql: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    migration = str(write_sql(MIGRATION))
    flags = ["gate", migration, "--dsn", staging_dsn]
    assert main([*flags, "--warn-rows", "200000", "--heavy-rows", "100000"]) == 2
    err = capsys.readouterr().err
    assert "--warn-rows 200000 is above --heavy-rows 100000" in err
    assert main([*flags, "--warn-rows", "200000"]) == 2  # above the default 100000
    assert "above the default heavy rows 100000" in capsys.readouterr().err
    # a heavy threshold below the default warn one lowers that instead of being refused
    assert _weight(capsys, migration, "--dsn", staging_dsn, "--heavy-rows", "5000") == (
        0,
        "light",
        False,
    )
    assert _weight(
        capsys, migration, "--dsn", staging_dsn, "--heavy-rows", "1000", "--warn-rows", "100"
    ) == (
        0,
        "warn",
        False,
    )

    swapped = _config(tmp_path, staging_dsn, "gate:\n  warn_rows: 200000\n  heavy_rows: 100000\n")
    assert main(["gate", migration, "--config", str(swapped)]) == 2
    err = capsys.readouterr().err
    assert "warn_rows (200000) must not exceed heavy_rows (100000)" in err and str(swapped) in err
    heavy_only = _config(tmp_path, staging_dsn, "gate:\n  heavy_rows: 100000\n")
    assert main(["gate", migration, "--config", str(heavy_only), "--warn-rows", "200000"]) == 2
    assert "above the config's gate.heavy_rows 100000" in capsys.readouterr().err
