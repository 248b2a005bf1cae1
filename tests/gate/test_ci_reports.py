"""Reports for CI: a JUnit file even when the gate stops before a verdict (exit 2 or 3,
or Jenkins' `junit 'gate.xml'` fails with "No test report files were found"), paths
relative to the workspace in JUnit test names and Markdown tables, and psql scripts
refused with what to do instead of a bare syntax error at "\\"."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from dbrefresh.cli import main
from dbrefresh.errors import UsageError
from dbrefresh.gate.split import load

UNSAFE = "ALTER TABLE accounts ALTER COLUMN email TYPE text;\n"


def _failure(xml: Path) -> tuple[str, str]:
    [case] = ET.fromstring(xml.read_text()).iter("testcase")
    failure = case.find("failure")
    assert failure is not None
    return str(case.get("name")), str(failure.get("message"))


def test_unreachable_staging_still_writes_a_junit_failure(
    write_sql: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_sql("SET lock_timeout = '2s';\nSELECT 1;\n")
    xml = tmp_path / "gate.xml"
    nowhere = f"host={tmp_path / 'no-socket'} port=1 user=postgres dbname=staging"

    code = main(["gate", str(path), "--dsn", nowhere, "--format", "junit", "-o", str(xml)])

    assert code == 3
    name, message = _failure(xml)
    assert "exit 3" in name and "no-socket" in message


def test_a_syntax_error_still_writes_a_junit_failure(
    write_sql: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_sql("ALTER TABLE accounts ALTR COLUMN x SET DEFAULT 0;\n")
    xml = tmp_path / "gate.xml"

    assert main(["gate", str(path), "--format", "junit", "-o", str(xml)]) == 2

    name, message = _failure(xml)
    assert "exit 2" in name and message.endswith(':1: syntax error: syntax error at or near "ALTR"')


def test_junit_and_markdown_name_files_relative_to_the_workspace(
    write_sql: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_sql(UNSAFE, "V7__email_text.sql")  # absolute, under tmp_path
    monkeypatch.chdir(tmp_path)

    assert main(["gate", str(path), "--format", "junit", "-o", "gate.xml"]) == 1
    assert main(["gate", str(path), "--format", "markdown", "-o", "gate.md"]) == 1

    names = [c.get("name") for c in ET.parse("gate.xml").iter("testcase")]
    assert "column-type-rewrite V7__email_text.sql:1" in names
    markdown = Path("gate.md").read_text()
    assert "| V7__email_text.sql:1 |" in markdown and str(tmp_path) not in markdown


def test_files_outside_the_workspace_keep_their_path(
    write_sql: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_sql(UNSAFE, "V7__email_text.sql")
    workspace = tmp_path / "elsewhere"
    workspace.mkdir()
    monkeypatch.chdir(workspace)

    assert main(["gate", str(path), "--format", "junit", "-o", "gate.xml"]) == 1

    names = [c.get("name") for c in ET.parse("gate.xml").iter("testcase")]
    assert f"column-type-rewrite {path}:1" in names


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("\\set ON_ERROR_STOP on\nSET lock_timeout = '2s';\n", 1, "`\\set` is a psql meta-command"),
        ("SET lock_timeout = '2s';\n\\connect shop\n", 2, "`\\connect` is a psql meta-command"),
        ("SELECT format('ANALYZE %I', relname) FROM pg_class\n\\gexec\n", 2, "`\\gexec`"),
        ("ALTER TABLE a ADD COLUMN flag_:suffix boolean;\n", 1, "`:suffix` is a psql variable"),
        ("UPDATE a SET plan = :'newplan' WHERE id = 1;\n", 1, "`:'newplan'` is a psql variable"),
    ],
)
def test_psql_scripts_are_refused_as_such(
    write_sql: Callable[..., Path], text: str, line: int, what: str
) -> None:
    path = write_sql(text)

    with pytest.raises(UsageError) as raised:
        load([path])

    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: {what}")
    assert "the gate reads plain SQL" in message and "not psql scripts" in message
