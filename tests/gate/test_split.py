"""Splitting and parsing: statements, their lines, scripts, suppressions, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbrefresh.errors import UsageError
from dbrefresh.gate.files import find
from dbrefresh.gate.model import Script
from dbrefresh.gate.split import load, parse_script, statements


def test_dollar_quoted_bodies_and_comments_keep_statements_and_lines(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql(
        "-- héllo; not a statement\n"
        "CREATE FUNCTION f() RETURNS trigger AS $body$\n"
        "BEGIN\n  UPDATE t SET a = 1; -- ; inside\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n"
        "/* block; comment */ SELECT 'it''s; fine' AS \"x;y\";\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
    )
    found = statements(load([path]))
    assert [(s.line, s.text.split()[0]) for s in found] == [(2, "CREATE"), (8, "SELECT"), (9, "DO")]
    assert found[0].text.endswith("LANGUAGE plpgsql")


def test_script_markers_split_a_file(write_sql: Callable[..., Path]) -> None:
    path = write_sql("-- 1.sql\nSELECT 1;\n\n-- 2.sql\nSELECT 2;\nSELECT 3;\n")
    scripts = load([path])
    assert [(s.name, [x.line for x in s.statements]) for s in scripts] == [
        ("1.sql", [2]),
        ("2.sql", [5, 6]),
    ]
    assert [x.index for s in scripts for x in s.statements] == [0, 1, 2]


def test_ignore_comments_attach_to_the_next_statement(write_sql: Callable[..., Path]) -> None:
    path = write_sql(
        "SELECT 1;\n-- eugene: ignore E2, E4\n-- gate: ignore rename-breaks-clients\nSELECT 2;\n"
    )
    first, second = statements(load([path]))
    assert first.suppressed == frozenset()
    assert second.suppressed == {"E2", "E4", "rename-breaks-clients"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("SELECT 1;\nSELEC 2;\n", 2),
        ("SELECT 'é';\n\n\nALTER TABLE;\n", 4),
        ("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\nSELECT (;\n", 2),
        ("SELECT $$never closed;\n\n", 1),
    ],
)
def test_syntax_errors_name_file_and_line(
    write_sql: Callable[..., Path], text: str, line: int
) -> None:
    path = write_sql(text)
    with pytest.raises(UsageError, match=rf"^{path}:{line}: syntax error"):
        load([path])


def test_errors_in_later_scripts_count_lines_from_file_start(
    write_sql: Callable[..., Path],
) -> None:
    path = write_sql("-- 1.sql\nSELECT 1;\n-- 2.sql\nSELECT 2;\nSELEC 3;\n")
    with pytest.raises(UsageError, match=r":5: syntax error"):
        load([path])


def test_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "x.sql"
    path.write_bytes(b"SELECT 1;\nSELECT '\xff';\n")
    with pytest.raises(UsageError, match=r"x.sql:2: not valid UTF-8"):
        load([path])


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \.sql files"):
        load([tmp_path])


@settings(max_examples=50, deadline=None)
@given(
    gaps=st.lists(
        st.sampled_from(["\n", " ", "-- c;\n", "/* x;\n y */", "\n\n"]), min_size=3, max_size=3
    )
)
def test_lines_are_right_whatever_separates_statements(gaps: list[str]) -> None:
    parts = ["SELECT 1", "SELECT $$a;\nb$$", "SELECT 'x;\n'"]
    text = "".join(f"{gap}{part};" for gap, part in zip(gaps, parts, strict=True))
    script = parse_script(text, file="m.sql", name="m.sql")
    for stmt, part in zip(script.statements, parts, strict=True):
        assert stmt.text == part
        assert stmt.line == text[: text.index(part)].count("\n") + 1


def _files(scripts: list[Script]) -> list[str]:
    return [Path(s.file).name for s in scripts]


def test_directories_skip_down_migrations_explicit_ones_are_read(tmp_path: Path) -> None:
    for name in ("000001_add_col", "000002_idx"):
        (tmp_path / f"{name}.up.sql").write_text("SELECT 1;\n")
        (tmp_path / f"{name}.down.sql").write_text("SELECT 2;\n")
    found = find([tmp_path])
    assert [p.name for p in found.files] == ["000001_add_col.up.sql", "000002_idx.up.sql"]
    assert [p.name for p in found.skipped] == ["000001_add_col.down.sql", "000002_idx.down.sql"]
    assert found.notes[0].startswith("skipped 2 down migrations")
    assert _files(load([tmp_path])) == ["000001_add_col.up.sql", "000002_idx.up.sql"]
    down = tmp_path / "000002_idx.down.sql"
    assert _files(load([down])) == ["000002_idx.down.sql"]
    assert find([down]).notes == []


def test_directory_of_only_down_migrations_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "000001_x.down.sql").write_text("SELECT 1;\n")
    with pytest.raises(UsageError, match=r"no \.sql files to run \(only down migrations\)"):
        load([tmp_path])


def _order(tmp_path: Path, names: list[str]) -> list[str]:
    for name in reversed(names):
        (tmp_path / name).write_text("SELECT 1;\n")
    return [p.name for p in find([tmp_path]).files]


def test_flyway_directories_run_in_flyway_order_and_skip_undo(tmp_path: Path) -> None:
    names = ["V1__create.sql", "V1.1__add.sql", "V1_2__add.sql", "V2__x.sql", "V10__x.sql"]
    repeatable = ["R__a_views.sql", "R__b_functions.sql"]
    (tmp_path / "U1.1__add.sql").write_text("SELECT 1;\n")
    assert _order(tmp_path, [*names, *repeatable]) == [*names, *repeatable]
    assert [p.name for p in find([tmp_path]).skipped] == ["U1.1__add.sql"]


@pytest.mark.parametrize(
    "names",
    [
        ["0001_initial.sql", "0002_author.sql", "0010_index.sql", "0011_more.sql"],  # Django
        ["20231231235959_a.sql", "20240101120000_b.sql", "20240102000000_c.sql"],  # Rails
        ["1_init.up.sql", "2_users.up.sql", "10_idx.up.sql"],  # golang-migrate, unpadded
        ["000001_init.up.sql", "000002_users.up.sql", "000010_idx.up.sql"],
    ],
)
def test_other_directories_run_in_natural_order(tmp_path: Path, names: list[str]) -> None:
    assert _order(tmp_path, names) == names


def _tree(root: Path, files: list[str]) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("SELECT 1;\n")
    return root


def _relative(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_subdirectories_are_read_when_a_directory_has_no_sql_of_its_own(tmp_path: Path) -> None:
    prisma = _tree(
        tmp_path / "prisma" / "migrations",
        ["20240110_b/migration.sql", "20240101_init/migration.sql", "migration_lock.toml"],
    )
    assert _relative(prisma, find([prisma]).files) == [
        "20240101_init/migration.sql",
        "20240110_b/migration.sql",
    ]
    golang = _tree(
        tmp_path / "golang",
        ["10_idx/up.sql", "10_idx/down.sql", "2_users/up.sql", "2_users/down.sql"],
    )
    found = find([golang])
    assert _relative(golang, found.files) == ["2_users/up.sql", "10_idx/up.sql"]
    assert _relative(golang, found.skipped) == ["2_users/down.sql", "10_idx/down.sql"]
    sqitch = _tree(
        tmp_path / "sqitch", ["deploy/users.sql", "revert/users.sql", "verify/users.sql"]
    )
    found = find([sqitch])
    assert _relative(sqitch, found.files) == ["deploy/users.sql"]
    assert _relative(sqitch, found.skipped) == ["revert/users.sql"]
    assert found.notes[1].startswith("skipped 1 verify script")


def test_direct_sql_files_win_over_subdirectories(tmp_path: Path) -> None:
    root = _tree(tmp_path, ["V1__a.sql", "old/V0__x.sql"])
    assert _relative(root, find([root]).files) == ["V1__a.sql"]


def test_nothing_in_subdirectories_either_is_a_usage_error(tmp_path: Path) -> None:
    _tree(tmp_path, ["a/readme.md", "b/down.sql"])
    (tmp_path / "c").mkdir()
    with pytest.raises(
        UsageError,
        match=r"no \.sql files to run, nor do its immediate subdirectories "
        r"\(only down migrations\)",
    ):
        find([tmp_path])


def test_a_comment_naming_a_file_is_only_a_comment(write_sql: Callable[..., Path]) -> None:
    path = write_sql("SELECT 1;\n-- down.sql\nSELECT 2;\n-- 2.sql\nSELECT 3;\n")
    (script,) = load([path])
    assert (script.name, [s.line for s in script.statements]) == (path.name, [1, 3, 5])


def test_in_a_marker_file_only_digit_markers_split(write_sql: Callable[..., Path]) -> None:
    path = write_sql("\n-- 1.sql\r\nSELECT 1;\n-- down.sql\nSELECT 2;\n--2.sql\nSELECT 3;\n")
    scripts = load([path])
    assert [(s.name, [x.line for x in s.statements]) for s in scripts] == [
        ("1.sql", [3, 5]),
        ("2.sql", [7]),
    ]


def test_a_utf8_bom_is_not_part_of_the_first_statement(tmp_path: Path) -> None:
    path = tmp_path / "bom.sql"
    path.write_bytes(b"\xef\xbb\xbfSET lock_timeout = '1s';\nSELECT 'e\xcc\x81';\nSELECT 2;\n")
    found = statements(load([path]))
    assert [(s.line, s.text) for s in found] == [
        (1, "SET lock_timeout = '1s'"),
        (2, "SELECT 'e\u0301'"),
        (3, "SELECT 2"),
    ]
    marked = tmp_path / "marked.sql"
    marked.write_bytes(b"\xef\xbb\xbf-- 1.sql\nSELECT 1;\n-- 2.sql\nSELECT 2;\n")
    assert [s.name for s in load([marked])] == ["1.sql", "2.sql"]
    broken = tmp_path / "broken.sql"
    broken.write_bytes(b"\xef\xbb\xbfSELECT 1;\nSELECT '\xff';\n")
    with pytest.raises(UsageError, match=r"broken.sql:2: not valid UTF-8"):
        load([broken])
    bad = tmp_path / "bad.sql"
    bad.write_bytes(b"\xef\xbb\xbfSELECT 1;\n\nSELEC 2;\n")
    with pytest.raises(UsageError, match=r"bad.sql:3: syntax error"):
        load([bad])


def test_flyway_execute_in_transaction_false_runs_the_script_outside_one(
    write_sql: Callable[..., Path],
) -> None:
    """Flyway's script configuration: its statements run one by one, so an UPDATE after
    an ALTER does not extend the ALTER's lock (no statement-while-locked)."""
    from dbrefresh.gate.analyze import analyze

    body = "ALTER TABLE t ADD COLUMN f int;\nUPDATE t SET f = 1 WHERE id < 10;\n"
    directive = write_sql("-- flyway:executeInTransaction=false\n" + body, "V2__x.sql")
    plain = write_sql("-- executeInTransaction=false is said elsewhere\n" + body, "V3__x.sql")
    conf = write_sql(body, "V4__x.sql")
    conf.with_name("V4__x.sql.conf").write_text("executeInTransaction=false\n")

    analysis = analyze(load([directive, plain, conf]))

    assert analysis.modes == ["autocommit", "transaction", "autocommit"]
    locked = [
        c.statement.file
        for c in analysis.statements
        if "statement-while-locked" in [h.rule for h in c.hits]
    ]
    assert locked == [str(plain)]
