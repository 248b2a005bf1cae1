"""File names and storage paths naming people, in `rules init`.

Outline's attachments.name ('passport-vincent-schwital.pdf') was kept: no detector
reads lower-case names joined by '-', '_' or '.'; its storage key
('uploads/<uuid>/<uuid>/passport-vincent-schwital.pdf') got `lorem`, words that are no
path, and file fetches broke. A column whose sampled values are mostly file names or
paths, of which a few (EMBEDDED_THRESHOLD, MIN_PEOPLE different people) join a first
name and a last name of the faker dictionaries, gets `file_name`: the name part hashed,
folders and extension kept, a bare name and a path ending in it masked alike.

Web addresses of uploaded files ('https://cdn.example/uploads/2023/anna_schmidt_passport.pdf')
and absolute paths ('/media/avatars/john-smith.jpg') were no file names here and kept:
an absolute path is read like a relative one, an address by its path when that ends in
a file name of a known extension (a page's address, '.../in/anna-schmidt', is the
handle detectors' business), so the scheme, host and folders stay and the link keeps
its shape.

An email address is no file name: Chatwoot's contacts.email
('benjamin.jesus.1@bol.com.br') read as a file with the extension '.br' naming
'benjamin jesus', so the column got `file_name` and its addresses became bare hex with
no '@'. A value that is an address (pii_values.EMAIL) is no file, unless what follows
the '@' is an image's scale ('logo@2x.png', as iOS and the web name them). Nor is a
host name ('db-71.anderson-rodriguez.com', Airflow's connection.host: host_names.py).

Free text is no file name either: Akkoma's user_notes.comment ('Jane Doe — met at
Dresden, email first.last@example.org') read as a file with the extension '.org'
naming 'jane doe', and became 32 hex instead of text. A name holding spaces is a file
only with a known extension ('CV Anna Schmidt.pdf') and a few words (MAX_SPACED_WORDS).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from dbrefresh.catalog import Column
from dbrefresh.rules import host_names, pii_values
from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.strategies.file_name import EXTENSION

FILE_SHARE = 0.5  # of the sampled values file names or paths
MIN_PEOPLE = 3  # different people named: one pair may be a word ('rose-hill.png')
_FILE = re.compile(r"(?:[^/\s][^/]*/)*[^/]+\.[A-Za-z0-9]{1,8}|(?:[^/\s][^/]*/)+[^/]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_SEPARATORS = re.compile(r"(?:[-_.+\s]|%20)+")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#\s]+/(?P<path>[^?#\s]*)(?:[?#]\S*)?", re.I)
_KNOWN_EXTENSION = re.compile(EXTENSION, re.I)
MAX_SPACED_WORDS = 6  # words of a file name holding spaces: more is a line of text
_SCALE = re.compile(r"@\d+(?:\.\d+)?x\.[A-Za-z0-9]{1,8}$", re.I)  # 'logo@2x.png'


def path_of(value: str) -> str | None:
    """The path a value names: itself, without a leading '/'; an address's path when
    it ends in a file name of a known extension; else None."""
    text = value.strip()
    if "://" not in text:
        return text.lstrip("/")
    found = _URL.fullmatch(text)
    if found is None or _KNOWN_EXTENSION.search(found["path"]) is None:
        return None
    return found["path"]


def is_file(value: str) -> bool:
    """A file name with an extension, or a path of folders ('uploads/1/a.pdf',
    '/media/a.jpg', 'https://cdn.example/uploads/a.pdf'); no email address."""
    path = path_of(value)
    if path is None or _FILE.fullmatch(path) is None or host_names.is_domain(value):
        return False
    last = path.rsplit("/", 1)[-1]
    if any(c.isspace() for c in last) and (
        _KNOWN_EXTENSION.search(last) is None or len(last.split()) > MAX_SPACED_WORDS
    ):
        return False  # a line of text ending in 'first.last@example.org'
    return pii_values.EMAIL.fullmatch(path) is None or _SCALE.search(path) is not None


def people_in(value: str) -> frozenset[str]:
    """The people a file name or a path's last part names: a first name next to a last
    name, either order, in any case ('cv_Anna_Schmidt.docx', 'schmidt-anna.pdf')."""
    stem = _EXTENSION.sub("", (path_of(value) or "").rsplit("/", 1)[-1])
    first, last = pii_values.all_names()
    words = [w.lower() for w in _SEPARATORS.split(stem) if w]
    return frozenset(
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if (a in first and b in last) or (a in last and b in first)
    )


def proposal(
    column: Column, values: Sequence[str] | None, *, unique: bool, folders: str = ""
) -> ColumnProposal | None:
    """`file_name` for a text column of file names or paths naming people, else None;
    `folders`: what the rule does, when it hashes folders too (path_folders.py)."""
    sample = [v for v in values or () if v.strip()]
    if not sample or column.type.is_array or not column.type.is_text:
        return None
    named = naming_people(sample, [v for v in sample if is_file(v)])
    if named is None:
        return None
    rows, people = named
    how = folders or (
        "the name part hashed, folders and a known extension ('.pdf', '.png') kept (a path "
        "ending in a masked name ends in the same hex)"
    )
    return ColumnProposal(
        column.name,
        "file_name",
        unique=unique,
        kind="file_name",
        why=[
            f"{rows} of {len(sample)} sampled values are file names or paths naming people "
            f"({people} different, a first and a last name joined by - _ or .): {how}"
        ],
    )


def path_reason(values: Sequence[str]) -> str | None:
    """Why a JSON path's values are file names naming people, or None: NocoDB's and
    Baserow's attachment fields [{"url": ..., "title": "passport_anna_schmidt.pdf"}]
    were kept, while the same names in a text column got `file_name`."""
    sample = [v for v in values if v.strip()]
    named = naming_people(sample, [v for v in sample if is_file(v)])
    if named is None:
        return None
    return f"{named[0]} of {len(sample)} sampled values are file names naming people"


def naming_people(sample: Sequence[str], files: Sequence[str]) -> tuple[int, int] | None:
    """(how many of the `files` name people, how many different people) when enough of
    the sampled values are files (FILE_SHARE) and enough of them name enough people,
    else None: one rule for file names in columns, JSON paths and URLs."""
    if not sample or len(files) < FILE_SHARE * len(sample):
        return None
    found = [people_in(v) for v in files]
    people = set().union(*found)
    rows = sum(1 for f in found if f)
    if len(people) < MIN_PEOPLE or rows < pii_values.EMBEDDED_THRESHOLD * len(sample):
        return None
    return rows, len(people)
