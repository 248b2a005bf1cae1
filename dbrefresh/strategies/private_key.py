"""private_key: a PEM private key replaced by a throwaway key of the same kind.

Akkoma's users.keys ('-----BEGIN RSA PRIVATE KEY-----...'), Lemmy's person.private_key
and Misskey's user_keypair."privateKey" sign every federation request. Kept, production's
keys sat on staging; hashed, the application could not parse them and failed on the first
signature. This writes one fixed key per PEM label (RSA, PKCS#8, encrypted PKCS#8, EC,
DSA, OpenSSH: throwaway_keys.py, public test keys), so the application still reads a key
of the kind it expects. Any other value (no private key's armour) becomes its MD5 digest.
Not injective: every key of a kind becomes the same key. On a json or jsonb column (a
key/value table's document that is one JSON string, Listmonk-style) the string's text is
read and the key written back as a JSON string; JSON null and a blank string stay.

A value holding more than the key (a key+certificate bundle, a config file or a note
holding a key: pem_blocks.py) keeps everything but its private key blocks, each replaced
in place by the throwaway key of its label, line breaks and indentation kept. With
`within_text`, a value holding no private key is kept instead of digested (a column of
config files, of which only some hold a key).
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import pem_blocks, sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy
from dbrefresh.strategies.throwaway_keys import KEYS

LONGEST = max(len(k) for k in KEYS.values())


def armour(label: str) -> str:
    """The first line of a PEM block with this label."""
    return f"-----BEGIN {label}-----"


class PrivateKeyParams(StrategyParams):
    within_text: bool = False
    """Keys inside other text (config files, notes): a value holding no private key is
    kept (False: it becomes its MD5 digest)."""


@register
class PrivateKey(ScalarStrategy[PrivateKeyParams]):
    name = "private_key"
    summary = "PEM private keys (alone, in bundles, in text) -> throwaway keys of their kind."
    params_model = PrivateKeyParams

    def fits(self, params: PrivateKeyParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.is_json:
            return []
        if not ctx.type.is_text:
            return [f"private_key writes PEM text; {ctx.column} is {ctx.type.sql}"]
        return sqlbuild.text_limit(ctx, LONGEST, "private_key")

    def leak_sample_when(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        """The values masking changes: a throwaway key already there is no leak (it is
        what masking writes), nor, within text, a value holding no private key."""
        text = _text(ctx)
        changed = sqlbuild.fill(
            "COALESCE(:m <> :t, FALSE)",
            m=_fitted(self._written(text, params), text, ctx),
            t=text.copy(),
        )
        if not ctx.type.is_json:
            return changed
        return sqlbuild.fill("(:k AND NOT :blank)", k=changed, blank=_blank_json(ctx))

    def masked(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        text = _text(ctx)
        written = _fitted(self._written(text, params), text, ctx)
        if not ctx.type.is_json:
            return sqlbuild.cast(written, ctx.type.sql)
        return sqlbuild.fill(
            "CASE WHEN :blank THEN :v ELSE :j END",
            blank=_blank_json(ctx),
            v=ctx.ref,
            j=sqlbuild.cast(sqlbuild.fill("to_jsonb(:x)", x=written), ctx.type.sql),
        )

    def _written(self, text: exp.Expression, params: PrivateKeyParams) -> exp.Expression:
        """Each complete private key block replaced by the key of its label when every
        block is complete and of a known label (a bundle); else the key of the value's
        label, or the value's MD5 digest. `within_text` replaces the blocks in any value
        but one holding a key's body cut short (or of a kind no throwaway key has) after
        its armour, which is replaced whole; a mere mention of an armour stays."""
        replaced = text.copy()
        for label in KEYS:
            replaced = sqlbuild.fill(
                "regexp_replace(:t, :p, :w, 'g')",
                t=replaced,
                p=pem_blocks.block(label),
                w=pem_blocks.written(label),
            )
        whole = [
            exp.If(
                this=sqlbuild.fill("strpos(:t, :a) > 0", t=text.copy(), a=armour(label)),
                true=sqlbuild.literal(key),
            )
            for label, key in KEYS.items()
        ]
        digest = sqlbuild.fill("md5(:t)", t=text.copy())
        if params.within_text:  # a key cut short: all gone; a mere mention of one kept
            cut = sqlbuild.fill(":t ~ :cut", t=text.copy(), cut=pem_blocks.KEY_CUT_SHORT)
            # most text holds no key: a strpos spares it the regular expressions
            none = sqlbuild.fill("strpos(:t, 'PRIVATE KEY') = 0", t=text.copy())
            return exp.Case(
                ifs=[
                    exp.If(this=none, true=text.copy()),
                    exp.If(this=cut, true=exp.Case(ifs=whole, default=digest)),
                ],
                default=replaced,
            )
        blocks = sqlbuild.fill(
            ":t ~ :complete AND NOT :t2 ~ :incomplete",
            t=text.copy(),
            t2=text.copy(),
            complete=pem_blocks.COMPLETE,
            incomplete=pem_blocks.INCOMPLETE,
        )
        return exp.Case(ifs=[exp.If(this=blocks, true=replaced), *whole], default=digest)


def _fitted(written: exp.Expression, text: exp.Expression, ctx: ColumnContext) -> exp.Expression:
    """The written value, or the text's MD5 digest when a longer throwaway key (RSA 2048
    for a 1024-bit key) made a bundle or config outgrow the column's varchar(n): the
    value is hidden rather than the UPDATE failing."""
    if ctx.type.length is None or ctx.type.is_json:
        return written
    limit = ctx.type.length
    return sqlbuild.let(
        "pem",
        written,
        lambda w: sqlbuild.fill(
            "CASE WHEN length(:w) > :n THEN md5(:t) ELSE :w2 END",
            w=w,
            n=limit,
            t=text.copy(),
            w2=w.copy(),
        ),
    )


def _text(ctx: ColumnContext) -> exp.Expression:
    """The value as text; a JSON document's string without its quotes."""
    if not ctx.type.is_json:
        return sqlbuild.as_text(ctx.ref)
    doc = sqlbuild.cast(ctx.ref, "jsonb")
    return sqlbuild.fill("(:d #>> CAST('{}' AS TEXT[]))", d=doc)


def _blank_json(ctx: ColumnContext) -> exp.Expression:
    """A JSON null or blank string: no key, kept."""
    doc = sqlbuild.cast(ctx.ref, "jsonb")
    return sqlbuild.fill(
        "COALESCE(jsonb_typeof(:d) = 'null' OR (jsonb_typeof(:d) = 'string' AND"
        " btrim(:d #>> CAST('{}' AS TEXT[])) = ''), FALSE)",
        d=doc,
    )
