"""file_name: the name part of a file name or path hashed, folders and extension kept;
a bare name and a path ending in it mask alike, distinct values stay distinct."""

from __future__ import annotations

import re

from .conftest import Masking


def _table(masking: Masking, name: str, column_type: str, values: list[str]) -> None:
    conn = masking.conn
    conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {column_type})")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {name} VALUES (%s, %s)", [(i, v) for i, v in enumerate(values)]
        )


VALUES = [
    "passport-vincent-schwital.pdf",
    "uploads/a1/b2/passport-vincent-schwital.pdf",
    "uploads/a1/b2/passport-vincent-schwital.PNG",
    "vincent.schwital",
    "anna.meier",
    "notes",
    ".bashrc",
    "",
]


def test_the_name_part_is_hashed_and_the_path_kept(masking: Masking) -> None:
    _table(masking, "files", "text", VALUES)
    masked = dict(masking.run("file_name", {}, "v", table="files"))
    name = masked["passport-vincent-schwital.pdf"]
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name), name
    assert masked["uploads/a1/b2/passport-vincent-schwital.pdf"] == f"uploads/a1/b2/{name}"
    assert masked["uploads/a1/b2/passport-vincent-schwital.PNG"].endswith(name[:32] + ".PNG")
    # '.schwital' is no known extension: all of it is hashed
    assert re.fullmatch(r"[0-9a-f]{32}", masked["vincent.schwital"])
    assert re.fullmatch(r"[0-9a-f]{32}", masked["anna.meier"])
    assert re.fullmatch(r"[0-9a-f]{32}", masked["notes"])
    assert re.fullmatch(r"[0-9a-f]{32}", masked[".bashrc"])
    assert masked[""] == ""
    assert len(set(masked.values())) == len(VALUES)


def test_a_value_too_long_for_its_varchar_is_hashed_whole(masking: Masking) -> None:
    _table(masking, "short_files", "varchar(40)", ["abc/def/cv-anna-schmidt.pdf", "x.pdf"])
    masked = dict(masking.run("file_name", {}, "v", table="short_files"))
    assert re.fullmatch(r"[0-9a-f]{32}", masked["abc/def/cv-anna-schmidt.pdf"])
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", masked["x.pdf"])
