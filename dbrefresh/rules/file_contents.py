"""Files kept as text (base64, `data:` URLs), in `rules init`.

Documenso keeps a signature image as 'data:image/png;base64,iVBORw0...' in
Signature.signatureImageAsBase64 (kept, with no note), and DocumentData.data holds S3
keys and base64 PDFs in one column (`file_name` kept the base64 before its last '/' as
folders, the PDF's names and addresses with it). A bytea column named like a file is
emptied by its name; a text column is judged by its values: a `data:` URL, or base64
whose bytes start as a known file does (a PDF, an image, an Office document), is a file
about someone, and no strategy reads inside one. Beside file names and paths, the column
gets `file_name` (which replaces such a value whole); otherwise it is emptied.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbrefresh.catalog import Column
from dbrefresh.rules import file_names
from dbrefresh.rules.proposal import ColumnProposal

_DATA_URL = re.compile(r"data:[\w.+/-]*(?:;[^,\s]*)?,", re.IGNORECASE)
# At least 48 bytes of a file (as file_name's strategy, 64 characters or more); read up
# to the sample's ' … ' (a long value is sampled by its head and tail)
MIN_BASE64 = 64
_BASE64 = re.compile(rf"[A-Za-z0-9+/_-]{{{MIN_BASE64},}}")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP or Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "WebP, WAV or AVI"),
    (b"{\\rtf", "RTF"),
    (b"%!PS", "PostScript"),
    (b"<svg", "SVG"),
    (b"<?xml", "XML"),
    (b"OggS", "Ogg"),
    (b"ID3", "MP3"),
    (b"fLaC", "FLAC"),
)


def file_type(value: str) -> str | None:
    """What file a value holds as text ('PNG', 'data: URL'), or None."""
    text = value.strip()
    if _DATA_URL.match(text):
        return "data: URL"
    if (head := _BASE64.match(text)) is None:
        return None
    chunk = head.group(0).translate(str.maketrans("-_", "+/"))
    try:
        data = base64.b64decode(chunk[: len(chunk) // 4 * 4], validate=True)
    except (binascii.Error, ValueError):
        return None
    if data[4:8] == b"ftyp":
        return "MP4, MOV or HEIC"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


@dataclass(frozen=True)
class Contents:
    """What the sample held: files kept as text, and whether the rest are file paths."""

    files: int
    sampled: int
    kinds: tuple[str, ...]
    beside_paths: bool  # the other values mostly file names or paths

    def reason(self) -> str:
        kinds = ", ".join(self.kinds)
        return (
            f"{self.files} of {self.sampled} sampled values are files kept as text ({kinds}): "
            "a file about someone (a signature, a signed document), inside which no "
            "strategy masks"
        )


def read(values: Sequence[str] | None) -> Contents | None:
    """The files among the sampled values, or None when there is none."""
    sample = [v for v in values or () if v.strip()]
    found = [file_type(v) for v in sample]
    files = [f for f in found if f is not None]
    if not files:
        return None
    others = [v for v, f in zip(sample, found, strict=True) if f is None]
    paths = sum(map(file_names.is_file, others))
    return Contents(
        files=len(files),
        sampled=len(sample),
        kinds=tuple(sorted(set(files))),
        beside_paths=bool(others) and paths >= file_names.FILE_SHARE * len(others),
    )


def proposal(
    column: Column,
    contents: Contents,
    *,
    unique: bool,
    file_name_fits: bool,
    empty: tuple[str, Mapping[str, Any]] | None,
) -> ColumnProposal:
    """`file_name` beside paths (it replaces a file whole), else the value emptied
    (`empty`: the first of the document kind's candidates that fits)."""
    why = [contents.reason()]
    if contents.beside_paths and file_name_fits:
        why.append(
            "REVIEW: the other values are file names or paths: `file_name` replaces a "
            "file whole (by its digest in base64; a data: URL keeps its media type) and "
            "hashes a path's name part"
        )
        return ColumnProposal(column.name, "file_name", unique=unique, kind="file_name", why=why)
    if empty is None:
        return ColumnProposal(column.name, why=[*why, "REVIEW: no strategy that hides it fits"])
    name, params = empty
    done = "emptied" if name in {"null", "constant"} else f"replaced ({name})"
    why.append(f"REVIEW: the whole value is {done}; a `sql` rule can put a placeholder file")
    return ColumnProposal(column.name, name, dict(params), unique=unique, kind="document", why=why)
