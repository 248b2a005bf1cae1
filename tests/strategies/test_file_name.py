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


# Immich's assets: the sidecar sits at the original's path plus '.xmp', in a folder
# named by the owner's storage label
IMMICH = [
    "upload/library/anthony119/2019/2019-03-08/Anthony Vasconcelos party.HEIC",
    "upload/library/anthony119/2019/2019-03-08/Anthony Vasconcelos party.HEIC.xmp",
    "upload/library/remo299/2020/2020-01-02/IMG_1001.jpg",
    "upload/library/4b4e0b8c-2f0d-4b59-9a3e-0e4b2f1c9d11/2021/IMG_1001.jpg",
    "/upload/library/anthony119/IMG_7.jpg",
    "Anthony Vasconcelos party.HEIC",
    "upload/library/さゆり/2020/IMG_1.jpg",
]


def test_a_sidecar_masks_as_its_original_plus_its_extension(masking: Masking) -> None:
    _table(masking, "assets", "text", IMMICH)
    masked = dict(masking.run("file_name", {}, "v", table="assets"))
    original = masked[IMMICH[0]]
    assert re.fullmatch(r"upload/library/anthony119/2019/2019-03-08/[0-9a-f]{32}\.HEIC", original)
    assert masked[IMMICH[1]] == original + ".xmp"
    assert masked[IMMICH[5]] == original.rsplit("/", 1)[1]  # the bare name alike


def test_hashed_folders_mask_alike_and_keep_dates_ids_and_listed_ones(masking: Masking) -> None:
    _table(masking, "assets2", "varchar(200)", IMMICH)
    params = {"folders": "hash", "keep_folders": ["upload", "library"]}
    masked = dict(masking.run("file_name", params, "v", table="assets2"))
    parts = masked[IMMICH[0]].split("/")
    assert parts[:2] == ["upload", "library"] and parts[3:5] == ["2019", "2019-03-08"]
    assert re.fullmatch(r"[0-9a-f]{32}", parts[2]), parts
    assert masked[IMMICH[1]] == masked[IMMICH[0]] + ".xmp"
    assert "anthony119" not in " ".join(masked.values())
    assert "remo299" not in masked[IMMICH[2]]
    # the same folder masks alike in every row; a UUID (an id) and a leading '/' stay
    assert masked[IMMICH[4]].split("/")[3] == parts[2]
    assert masked[IMMICH[4]].startswith("/upload/library/")
    assert masked[IMMICH[3]].startswith("upload/library/4b4e0b8c-2f0d-4b59-9a3e-0e4b2f1c9d11/2021/")
    assert masked[IMMICH[5]] == parts[-1]  # no folder: the bare name
    assert re.fullmatch(r"upload/library/[0-9a-f]{32}/2020/[0-9a-f]{32}\.jpg", masked[IMMICH[6]])
    assert len(set(masked.values())) == len(IMMICH)
