"""Several rules files for one database: each file's defaults govern the tables it
lists, so the order they are given in never changes what is masked or kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbrefresh.anonymize.api import mark_clone
from dbrefresh.errors import RulesError
from dbrefresh.rules.load import load_rules
from tests.anonymize.helpers import fingerprint, run_cli

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text, backup_email text);
INSERT INTO customers SELECT g, 'c' || g || '@corp.test', 'b' || g || '@corp.test'
  FROM generate_series(1, 50) g;
CREATE TABLE metrics (id int PRIMARY KEY, v int);
CREATE TABLE audit (id int PRIMARY KEY, who text);
INSERT INTO audit VALUES (1, 'ann@corp.test');
"""

# core.yaml predates customers.backup_email; misc.yaml keeps whatever it does not list
CORE = """version: 1
defaults: {unlisted_columns: fail}
tables:
  public.customers:
    columns: {id: keep, email: email}
"""
MISC = """version: 1
defaults: {unlisted_columns: keep}
tables:
  public.metrics: keep
"""


@pytest.fixture
def two_files(make_db, tmp_path: Path) -> tuple[str, Path, Path]:
    import psycopg

    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    core, misc = tmp_path / "core.yaml", tmp_path / "misc.yaml"
    core.write_text(CORE)
    misc.write_text(MISC)
    mark_clone(dsn)
    return dsn, core, misc


@pytest.mark.parametrize("first", ["core", "misc"])
def test_a_new_column_is_refused_whatever_the_files_order(
    two_files: tuple[str, Path, Path],
    first: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBREFRESH_SEED", "s3cr3t")
    dsn, core, misc = two_files
    files = [core, misc] if first == "core" else [misc, core]
    before = fingerprint(dsn)
    result = run_cli(capsys, "anonymize", *map(str, files), "--dsn", dsn, "--no-progress")
    assert result.code == 2, result.out + result.err
    said = result.out + result.err
    assert "public.customers.backup_email" in said
    assert f"{core}:4" in said  # the rule of the table missing it
    # audit is listed nowhere: the strictest defaults (core's fail) hold for it too
    assert "public.audit.who" in said
    assert fingerprint(dsn) == before
    check = run_cli(capsys, "rules", "check", *map(str, files), "--dsn", dsn)
    assert check.code == 2
    assert "public.customers.backup_email" in check.out + check.err


def test_a_keep_files_tables_keep_their_unlisted_columns(
    two_files: tuple[str, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn, core, _ = two_files
    other = tmp_path / "other.yaml"
    other.write_text(
        "version: 1\ndefaults: {unlisted_columns: keep}\ntables:\n"
        "  public.audit:\n    columns: {who: email}\n  public.metrics: keep\n"
    )
    for files in ([core, other], [other, core]):
        check = run_cli(capsys, "rules", "check", *map(str, files), "--dsn", dsn)
        said = check.out + check.err
        assert check.code == 2
        assert "public.customers.backup_email" in said
        assert "public.audit.id" not in said  # other.yaml keeps what it does not list


def test_files_naming_different_seed_variables_are_refused(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("version: 1\ndefaults:\n  seed_env: SEED_A\ntables: {}\n")
    two.write_text("version: 1\ndefaults:\n  seed_env: SEED_B\ntables: {}\n")
    with pytest.raises(RulesError) as refused:
        load_rules([one, two])
    (finding,) = refused.value.findings
    assert (finding.code, finding.location.file, finding.location.line) == (
        "conflict",
        str(two),
        3,
    )
    plain = tmp_path / "plain.yaml"
    plain.write_text("version: 1\ntables: {}\n")
    assert load_rules([plain, two]).seed_env == "SEED_B"
    assert load_rules([two, plain]).seed_env == "SEED_B"


def test_a_refusal_after_some_tables_were_masked_says_to_start_from_a_fresh_clone(
    make_db, tmp_path: Path
) -> None:
    """Changed rules have another digest, which a clone already masked with these
    refuses: 'a re-run fails the same way: change the rules' led there."""
    import psycopg

    from dbrefresh.anonymize.api import anonymize
    from dbrefresh.errors import MaskingRefused, UsageError

    dsn = make_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        # row 1500 is past the preflight's sample: only the swap meets the CHECK
        conn.execute(
            "CREATE TABLE pets (id int PRIMARY KEY, name text, CHECK (id <> 1500 OR name = 'x'));"
            "INSERT INTO pets SELECT g, CASE WHEN g = 1500 THEN 'x' ELSE 'Rex' END "
            "FROM generate_series(1, 1500) g;"
            "CREATE TABLE owners (id int PRIMARY KEY, email text);"
            "INSERT INTO owners SELECT g, 'o' || g || '@corp.test' FROM generate_series(1, 10) g;"
        )
    rules = tmp_path / "pets.yaml"
    text = (
        "version: 1\ntables:\n  public.pets:\n    columns: {id: keep, name: first_name}\n"
        "  public.owners:\n    columns: {id: keep, email: email}\n"
    )
    rules.write_text(text)
    mark_clone(dsn)
    with pytest.raises(MaskingRefused) as refused:
        anonymize(dsn, [rules], seed="s", progress=False)
    message = str(refused.value)
    assert "public.pets" in message and "pets_check" in message
    assert "change the rules, then run anonymize on a fresh clone" in message
    assert "1 relation(s) are already masked with these rules" in message
    rules.write_text(text.replace("name: first_name", "name: keep"))
    with pytest.raises(UsageError, match="fresh clone"):  # as the message said
        anonymize(dsn, [rules], seed="s", progress=False)


def test_what_any_file_isolates_is_isolated_whatever_the_order(tmp_path: Path) -> None:
    """The first file's `isolate` used to be the only one: a clone kept the foreign
    server to production another file asked to drop."""
    core, misc = tmp_path / "core.yaml", tmp_path / "misc.yaml"
    core.write_text(
        "version: 1\nisolate:\n  drop_foreign_servers: [prod]\n  drop_publications: all\n"
        "tables: {}\n"
    )
    misc.write_text(
        "version: 1\nisolate:\n  drop_foreign_servers: [crm]\n  unschedule_cron_jobs: true\n"
        "tables: {}\n"
    )
    for files in ([core, misc], [misc, core]):
        isolate = load_rules(files).isolate
        assert isolate.drop_foreign_servers == ["crm", "prod"]
        assert isolate.drop_publications == "all"
        assert isolate.unschedule_cron_jobs is True


def test_verify_accepts_the_files_in_another_order(
    two_files: tuple[str, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rules digest each masked table records is the files' set, not their order:
    `verify b a` after `anonymize a b` checks the same rules (it was refused as rules of
    another digest)."""
    monkeypatch.setenv("DBREFRESH_SEED", "s3cr3t")
    dsn, _, misc = two_files
    whole = tmp_path / "whole.yaml"
    whole.write_text(
        "version: 1\ntables:\n  public.customers:\n"
        "    columns: {id: keep, email: email, backup_email: email}\n"
        "  public.audit:\n    columns: {id: keep, who: email}\n"
    )
    files = [str(whole), str(misc)]
    done = run_cli(capsys, "anonymize", *files, "--dsn", dsn, "--no-progress")
    assert done.code == 0, done.out + done.err
    checked = run_cli(capsys, "verify", *reversed(files), "--dsn", dsn)
    assert checked.code == 0, checked.out + checked.err
    assert load_rules([whole, misc]).digest == load_rules([misc, whole]).digest
