"""Migration bookkeeping after DDL is constant work: every Alembic offline script with
DDL failed without --dsn, because `UPDATE alembic_version ...` right after an ALTER was
a `statement-while-locked` error (Rails' `INSERT INTO schema_migrations` too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.cli import main
from dbrefresh.gate.analyze import analyze
from dbrefresh.gate.split import load

LOCKED = "statement-while-locked"
ALEMBIC = """BEGIN;

-- Running upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a

SET LOCAL lock_timeout = '2s';

ALTER TABLE accounts ADD COLUMN country VARCHAR(2);

UPDATE alembic_version SET version_num='2b3c4d5e6f7a' \
WHERE alembic_version.version_num = '1a2b3c4d5e6f';

COMMIT;
"""


def _rules(path: Path) -> dict[str, list[str]]:
    return {c.statement.text: [h.rule for h in c.hits] for c in analyze(load([path])).statements}


def test_an_alembic_offline_script_with_ddl_passes_without_dsn(
    write_sql: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sql(ALEMBIC)

    assert main(["gate", str(path)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO schema_migrations (version) VALUES ('20240316000000')",
        "INSERT INTO \"schema_migrations\" (\"version\") VALUES ('1'), ('2')",
        "INSERT INTO flyway.flyway_schema_history (installed_rank, version) VALUES (3, '3')",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0002', now())",
        "DELETE FROM alembic_version",
        "UPDATE databasechangeloglock SET locked = false WHERE id = 1",
        "INSERT INTO settings (key, value) VALUES ('theme', 'dark')",
        "INSERT INTO settings DEFAULT VALUES",
    ],
)
def test_bookkeeping_and_constant_rows_are_no_work_under_the_lock(
    write_sql: Callable[..., Path], statement: str
) -> None:
    path = write_sql(
        f"BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN c int;\n"
        f"{statement};\nCOMMIT;\n"
    )

    assert _rules(path)[statement] == []


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO archive SELECT * FROM accounts",
        "INSERT INTO settings (key, value) VALUES ((SELECT max(id) FROM accounts)::text, 'x')",
        "UPDATE accounts SET c = 1 WHERE id < 10",
    ],
)
def test_work_that_reads_or_changes_tables_still_extends_the_lock(
    write_sql: Callable[..., Path], statement: str
) -> None:
    path = write_sql(
        f"BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE accounts ADD COLUMN c int;\n"
        f"{statement};\nCOMMIT;\n"
    )

    assert LOCKED in _rules(path)[statement]
