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
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext
from dbrefresh.strategies.dictpick import NoParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy

HEX = 32
# Known extensions only, in any case: 'vincent.schwital' ends in no extension, it is
# all hashed ('.schwital' kept would keep the surname).
EXTENSIONS = (
    "pdf|doc|docx|odt|rtf|txt|md|csv|tsv|xls|xlsx|ods|ppt|pptx|odp|key|pages|numbers|"
    "jpg|jpeg|png|gif|bmp|tif|tiff|webp|heic|heif|svg|ico|raw|psd|ai|eps|"
    "mp3|wav|ogg|m4a|flac|aac|mp4|mov|avi|mkv|webm|wmv|"
    "zip|gz|tgz|bz2|xz|7z|rar|tar|json|xml|html|htm|eml|msg|ics|vcf|p7s|sig"
)
EXTENSION = f"[.]({EXTENSIONS})$"


@register
class FileName(ScalarStrategy[NoParams]):
    name = "file_name"
    summary = (
        "A file name or path: the name before the extension hashed, folders and extension kept."
    )
    params_model = NoParams
    lossy = False

    def fits(self, params: NoParams, ctx: ColumnContext) -> list[str]:
        if not ctx.type.is_text:
            return [f"file_name produces text; {ctx.column} is {ctx.type.sql}"]
        return sqlbuild.text_limit(ctx, HEX, "file_name")

    def masked(self, params: NoParams, ctx: ColumnContext) -> exp.Expression:
        # In the C collation: PostgreSQL refuses patterns on a nondeterministic one.
        def text() -> exp.Expression:
            return sqlbuild.fill('(:t COLLATE "C")', t=sqlbuild.stable_text(ctx))

        def base() -> exp.Expression:
            return sqlbuild.fill("regexp_replace(:t, '^.*/', '')", t=text())

        def stem() -> exp.Expression:
            return sqlbuild.fill("regexp_replace(:b, :e, '', 'i')", b=base(), e=EXTENSION)

        def hexed(value: exp.Expression) -> exp.Expression:
            digest = sqlbuild.fill(
                "dbrefresh.keyed(:p, :v)", p=sqlbuild.key_prefix(ctx, self.name), v=value
            )
            return sqlbuild.fill("encode(substr(:h, 1, :n), 'hex')", h=digest, n=HEX // 2)

        folders = sqlbuild.fill("left(:t, length(:t2) - length(:b))", t=text(), t2=text(), b=base())
        extension = sqlbuild.fill(
            "right(:b, length(:b2) - length(:s))", b=base(), b2=base(), s=stem()
        )
        value = sqlbuild.fill("(:f || :h || :x)", f=folders, h=hexed(stem()), x=extension)
        if ctx.type.length is not None:
            value = sqlbuild.fill(
                "CASE WHEN length(:t) - length(:s) + :k <= :n THEN :v ELSE :w END",
                t=text(),
                s=stem(),
                k=HEX,
                n=ctx.type.length,
                v=value,
                w=hexed(text()),
            )
        return sqlbuild.fit_text(ctx, value, truncate=False)
