"""file_name: the name part of a file name or path hashed, folders and extension kept;
a bare name and a path ending in it mask alike, distinct values stay distinct."""

from __future__ import annotations

import base64
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


# Documenso's DocumentData.data: S3 keys and base64 PDFs in one column; base64 has '/'
PDF = base64.b64encode(
    b"%PDF-1.7 1 0 obj << /Title (NDA Anna Smith) /Author (Anna Smith)"
    b" /Subject (signed at 101 Smith Street) >> endobj ???>>>???"
).decode()
PNG = "data:image/png;name=anna-smith.png;base64,iVBORw0KGgoAAAANSUhEUgAAAfQ/" + "Ab1" * 30


def test_file_content_and_other_non_paths_are_replaced_whole(masking: Masking) -> None:
    assert "/" in PDF
    values = [PDF, PNG, "data:text/plain,Anna%20Smith", "Anna Smith\n12/3 Main St", "a/" * 600]
    _table(masking, "contents", "text", values)
    masked = dict(masking.run("file_name", {}, "v", table="contents"))
    digest = r"[A-Za-z0-9+/]{22}=="
    assert re.fullmatch(digest, masked[PDF]), masked[PDF]
    # the media type and ';base64' kept, the rest of the header (a name) with the data
    assert re.fullmatch(f"data:image/png;base64,{digest}", masked[PNG]), masked[PNG]
    assert re.fullmatch(f"data:text/plain,{digest}", masked[values[2]])
    assert re.fullmatch(r"[0-9a-f]{32}", masked[values[3]])
    assert re.fullmatch(r"[0-9a-f]{32}", masked["a/" * 600])
    assert len(set(masked.values())) == len(values)


def test_a_data_url_too_long_for_its_varchar_is_hashed_whole(masking: Masking) -> None:
    url = "data:image/png;base64,iVBORw0KGgoAAAA"
    for length, expected in (
        (60, r"data:image/png;base64,[A-Za-z0-9+/]{22}=="),
        (45, "[0-9a-f]{32}"),
    ):
        _table(masking, "short_contents", f"varchar({length})", [url])
        ((_, masked),) = masking.run("file_name", {}, "v", table="short_contents")
        assert re.fullmatch(expected, masked), (length, masked)


def test_directory_entries_are_kept(masking: Masking) -> None:
    """Moodle's mdl_files.filename is '.' in every directory's row: its tree needs it."""
    values = [".", "..", "uploads/2023/.", "a/..", "", "cv-anna-schmidt.pdf", "..pdf", "x."]
    _table(masking, "dirs", "varchar(255)", values)
    masked = dict(masking.run("file_name", {}, "v", table="dirs"))
    assert [masked[v] for v in values[:5]] == values[:5]
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", masked["cv-anna-schmidt.pdf"])
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", masked["..pdf"])
    assert re.fullmatch(r"[0-9a-f]{32}", masked["x."])
