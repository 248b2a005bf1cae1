"""A rules file's `database:` must name the database the DSN connects to.

`dbrefresh run` applies each file to the database its key names; standalone anonymize,
verify and `rules check --dsn` applied rules for `shop` to whatever database the DSN
named, as far as the schemas agreed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.db import dsn_database
from tests.anonymize.helpers import PEOPLE, PEOPLE_RULES, db_with_rules, fingerprint, run_cli


def test_rules_for_another_database_are_refused_and_change_nothing(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = PEOPLE_RULES.replace("version: 1\n", "version: 1\n# shop's rules\ndatabase: shop\n")
    dsn, path = db_with_rules(make_db, tmp_path, PEOPLE, rules, "shop.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    before = fingerprint(dsn)
    expected = (
        f"{path}:3: database: these rules are for database 'shop', but the DSN connects "
        f"to '{dsn_database(dsn)}'"
    )
    seeded = ("--seed", "s")
    for *command, seed in (
        ["anonymize", seeded],
        ["verify", seeded],
        ["plan", ()],
        ["rules", "check", ()],
    ):
        result = run_cli(capsys, *command, str(path), "--dsn", dsn, *seed)
        assert result.code == 2, (command, result.out, result.err)
        assert expected in result.err, (command, result.err)
        # a clone of shop under another name: the file says how to use it there
        assert f"`database: {dsn_database(dsn)}` in it or remove the key" in result.err
        assert "Traceback" not in result.err
    assert fingerprint(dsn) == before
    # without a DSN there is nothing to compare with
    assert run_cli(capsys, "rules", "check", str(path)).code == 0
    # the key may come from any of several files: its own line is named
    other = tmp_path / "more.yaml"
    other.write_text("version: 1\n\ndatabase: shop\n")
    plain = tmp_path / "people.yaml"
    plain.write_text(PEOPLE_RULES)
    result = run_cli(capsys, "anonymize", str(plain), str(other), "--dsn", dsn, "--seed", "s")
    assert result.code == 2 and f"{other}:3: database: these rules are for" in result.err
    assert fingerprint(dsn) == before


def test_rules_for_the_connected_database_are_applied(
    make_db, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = make_db()
    rules = PEOPLE_RULES.replace("version: 1\n", f"version: 1\ndatabase: {dsn_database(dsn)}\n")
    dsn, path = db_with_rules(lambda: dsn, tmp_path, PEOPLE, rules, "people.yaml")
    assert run_cli(capsys, "mark-clone", "--dsn", dsn, "--yes").code == 0
    result = run_cli(capsys, "anonymize", str(path), "--dsn", dsn, "--seed", "s", "--no-progress")
    assert result.code == 0, result.err
    assert run_cli(capsys, "verify", str(path), "--dsn", dsn, "--seed", "s").code == 0


def test_files_for_two_databases_name_the_second_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "shop.yaml", tmp_path / "billing.yaml"
    first.write_text("version: 1\ndatabase: shop\n")
    second.write_text("version: 1\n# billing\ndatabase: billing\n")
    result = run_cli(capsys, "rules", "check", str(first), str(second))
    assert result.code == 2
    assert f"{second}:3: database: rules for database 'billing' mixed with" in result.err
