"""file_name: a file name or storage path with its name part hashed, the folders and the
extension kept ('uploads/<uuid>/passport-vincent-schwital.pdf' ->
'uploads/<uuid>/3fa9...c2.pdf').

Outline's attachments.name named people ('passport-vincent-schwital.pdf') and its
storage key `uploads/<uuid>/<uuid>/passport-vincent-schwital.pdf` got `lorem`, words
that are no path. The part between the last '/' and the extension (a known one:
'.pdf', '.docx', '.png' ... at the end, in any case) is replaced by the 32 hex of its
keyed digest, so a bare
name and a path ending in it mask alike (the key still ends in its masked name), and
distinct values stay distinct: folders and extension are kept, the hex has neither '/'
nor '.', so the parts are recoverable. In a varchar(n) a value the hex would overflow
is hashed whole (it still differs from the rest).

Documenso's DocumentData.data holds S3 keys and base64 PDFs in one column: base64 has
'/' in it, and everything before the last one was kept as "folders" (the PDF's names
and addresses with it). A value that is no path is replaced whole: file content (a
`data:` URL, or 64 characters or more of base64 alone) by the base64 of its keyed
digest (a `data:` URL keeps its media type and `;base64`, nothing else of its header),
anything else no path holds (a control character, more than MAX_PATH characters) by
the hex of its digest.

Moodle's mdl_files.filename is '.' in every directory's row (half the table), and its
file tree is found by that '.': a directory entry named no one, yet it became 32 hex
and every folder vanished. A value that is '.' or '..', or a path ending in one
('uploads/2023/.'), is kept as it is (as blank text is), and the leak check samples
only the other values.

Immich keeps a photo's XMP sidecar at its original's path plus '.xmp'
('.../Anna Schmidt birthday.HEIC' and '.../Anna Schmidt birthday.HEIC.xmp'): the stem
is the name before ALL trailing known extensions, so both mask to the same hex and the
sidecar still sits at the masked original plus '.xmp'. Its folders hold the owner's
storage label ('upload/library/anthony119/2019/...'): with `folders: hash` every
folder is hashed as a stem is (the same folder alike in every row and column),
except folders without a letter (years, dates, counters), UUIDs and long hex (ids),
'.' and '..', and the folders listed in `keep_folders` (the application's own:
'upload', 'library').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

HEX = 32
# Known extensions only, in any case: 'vincent.schwital' ends in no extension, it is
# all hashed ('.schwital' kept would keep the surname).
EXTENSIONS = (
    "pdf|doc|docx|odt|rtf|txt|md|csv|tsv|xls|xlsx|ods|ppt|pptx|odp|key|pages|numbers|"
    "jpg|jpeg|png|gif|bmp|tif|tiff|webp|heic|heif|svg|ico|raw|psd|ai|eps|"
    "mp3|wav|ogg|m4a|flac|aac|mp4|mov|avi|mkv|webm|wmv|"
    "zip|gz|tgz|bz2|xz|7z|rar|tar|json|xml|html|htm|eml|msg|ics|vcf|p7s|sig|"
    # camera raws, phone videos, sidecars (Immich, PhotoPrism)
    "dng|cr2|cr3|nef|arw|orf|rw2|avif|m4v|3gp|xmp"
)
# every trailing known extension: 'a.HEIC.xmp' has the stem of 'a.HEIC'
EXTENSION = f"([.]({EXTENSIONS}))+$"
# folders `folders: hash` keeps: ASCII digits and punctuation only (a year, a date; in
# the C collation a letter of another script is no [:alpha:]), a UUID, long hex (ids)
KEPT_FOLDER = (
    "^[0-9[:punct:][:space:]]*$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    "|^[0-9a-f]{16,}$"
)


class FileNameParams(StrategyParams):
    folders: Literal["keep", "hash"] = "keep"
    """`hash`: every folder hashed as the name is, but those without a letter, UUIDs,
    long hex and `keep_folders`."""
    keep_folders: list[str] = []
    """Folder names kept under `folders: hash` (the application's own: 'upload')."""


MAX_PATH = 1024  # S3's and GCS's longest object key, in bytes
DIGEST_BASE64 = 24  # characters of the base64 of HEX // 2 bytes ('...==')
DATA_URL = "^data:"  # case-insensitive
# base64 alone, long enough for file content and in both cases with a digit: no folder
# and file name of a path (hex digests have one case, uuids a '-', names a '.')
BASE64 = "^[A-Za-z0-9+/]+={0,2}$"
MIN_BASE64 = 64
MEDIA_TYPE = "^data:([A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+)"
DIRECTORY = "(^|/)[.][.]?$"  # '.', '..', 'a/b/.': a directory entry, kept


@register
class FileName(ScalarStrategy[FileNameParams]):
    name = "file_name"
    summary = (
        "A file name or path: the name before the extension hashed, folders and extension kept."
    )
    params_model = FileNameParams
    lossy = False

    def fits(self, params: FileNameParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"file_name produces text; {ctx.column} is {ctx.type.sql}"]
        return sqlbuild.text_limit(ctx, HEX, "file_name")

    def leak_sample_when(self, params: FileNameParams, ctx: ColumnContext) -> exp.Expression | None:
        """A directory entry ('.', '..', 'a/.') is kept: only the other values are sampled."""
        if ctx.type.is_array:
            return None
        return sqlbuild.fill("NOT (:d)", d=_directory(ctx))

    def masked(self, params: FileNameParams, ctx: ColumnContext) -> exp.Expression:
        # In the C collation: PostgreSQL refuses patterns on a nondeterministic one.
        def text() -> exp.Expression:
            return sqlbuild.fill('(:t COLLATE "C")', t=sqlbuild.stable_text(ctx))

        def base() -> exp.Expression:
            return sqlbuild.fill("regexp_replace(:t, '^.*/', '')", t=text())

        def stem() -> exp.Expression:
            return sqlbuild.fill("regexp_replace(:b, :e, '', 'i')", b=base(), e=EXTENSION)

        def digest(value: exp.Expression) -> exp.Expression:
            keyed = sqlbuild.fill(
                "dbrefresh.keyed(:p, :v)", p=sqlbuild.key_prefix(ctx, self.name), v=value
            )
            return sqlbuild.fill("substr(:h, 1, :n)", h=keyed, n=HEX // 2)

        def hexed(value: exp.Expression) -> exp.Expression:
            return sqlbuild.fill("encode(:d, 'hex')", d=digest(value))

        folders = sqlbuild.fill("left(:t, length(:t2) - length(:b))", t=text(), t2=text(), b=base())
        if params.folders == "hash":
            folders = _hashed_folders(folders, params.keep_folders, hexed)
        extension = sqlbuild.fill(
            "right(:b, length(:b2) - length(:s))", b=base(), b2=base(), s=stem()
        )
        value = sqlbuild.fill("(:f || :h || :x)", f=folders, h=hexed(stem()), x=extension)
        if ctx.type.length is not None and params.folders == "hash":
            value = sqlbuild.fill(  # hashed folders change the length: measured
                "CASE WHEN length(:v) <= :n THEN :v2 ELSE :w END",
                v=value.copy(),
                n=ctx.type.length,
                v2=value,
                w=hexed(text()),
            )
        elif ctx.type.length is not None:
            value = sqlbuild.fill(
                "CASE WHEN length(:t) - length(:s) + :k <= :n THEN :v ELSE :w END",
                t=text(),
                s=stem(),
                k=HEX,
                n=ctx.type.length,
                v=value,
                w=hexed(text()),
            )
        masked = self._unless_content(ctx, text, digest, hexed, value)
        kept = sqlbuild.fill(
            "CASE WHEN :d THEN :r ELSE :m END",
            d=_directory(ctx),
            r=sqlbuild.as_text(ctx.ref.copy()),
            m=masked,
        )
        return sqlbuild.fit_text(ctx, kept, truncate=False)

    def _unless_content(
        self,
        ctx: ColumnContext,
        text: Callable[[], exp.Expression],
        digest: Callable[[exp.Expression], exp.Expression],
        hexed: Callable[[exp.Expression], exp.Expression],
        path: exp.Expression,
    ) -> exp.Expression:
        """`path` (the masked path), unless the value is file content or no path: then
        replaced whole (module docstring)."""
        placeholder = sqlbuild.fill("encode(:d, 'base64')", d=digest(text()))
        header = sqlbuild.fill(
            "('data:' || COALESCE(substring(:t from :m), '')"
            " || CASE WHEN :t2 ~* '^data:[^,]*;base64,' THEN ';base64' ELSE '' END || ',')",
            t=text(),
            m=MEDIA_TYPE,
            t2=text(),
        )
        data_url = sqlbuild.fill("(:h || :p)", h=header, p=placeholder.copy())
        if ctx.type.length is not None:
            data_url = sqlbuild.fill(
                "CASE WHEN length(:h) + :k <= :n THEN :v ELSE :w END",
                h=header.copy(),
                k=DIGEST_BASE64,
                n=ctx.type.length,
                v=data_url,
                w=hexed(text()),
            )
        return sqlbuild.fill(
            "CASE WHEN :t1 ~* :d THEN :u"
            " WHEN length(:t2) >= :m AND :t3 ~ :b AND :t4 ~ '[A-Z]' AND :t5 ~ '[a-z]'"
            " AND :t6 ~ '[0-9]' THEN :p"
            " WHEN length(:t7) > :x OR :t8 ~ '[[:cntrl:]]' THEN :w ELSE :v END",
            t1=text(),
            d=DATA_URL,
            u=data_url,
            t2=text(),
            m=MIN_BASE64,
            t3=text(),
            b=BASE64,
            t4=text(),
            t5=text(),
            t6=text(),
            p=placeholder,
            t7=text(),
            x=MAX_PATH,
            t8=text(),
            w=hexed(text()),
            v=path,
        )


def _hashed_folders(
    folders: exp.Expression, keep: list[str], hexed: Callable[[exp.Expression], exp.Expression]
) -> exp.Expression:
    """The folders ('a/b/', '' for none) with each one hashed but the kept ones."""
    segment = exp.column("_dbr_seg", table="_dbr_f")
    kept = sqlbuild.fill("(:s ~* :p)", s=segment.copy(), p=KEPT_FOLDER)
    if keep:
        listed = exp.In(this=segment.copy(), expressions=[sqlbuild.literal(k) for k in keep])
        kept = exp.Paren(this=exp.or_(kept, listed))
    return sqlbuild.fill(
        "COALESCE((SELECT string_agg(CASE WHEN :k THEN :s ELSE :h END, '/'"
        " ORDER BY _dbr_f._dbr_ord)"
        " FROM unnest(string_to_array(:f, '/')) WITH ORDINALITY AS _dbr_f(_dbr_seg, _dbr_ord)),"
        " '')",
        k=kept,
        s=segment.copy(),
        h=hexed(segment.copy()),
        f=folders,
    )


def _directory(ctx: ColumnContext) -> exp.Expression:
    """Whether the value is a directory entry: '.', '..', or a path ending in one."""
    text = sqlbuild.fill('(CAST(:r AS TEXT) COLLATE "C")', r=ctx.ref.copy())
    return sqlbuild.fill("(:t ~ :p)", t=text, p=DIRECTORY)
