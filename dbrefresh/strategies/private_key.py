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
"""

from __future__ import annotations

from sqlglot import exp

from dbrefresh.strategies import sqlbuild
from dbrefresh.strategies.base import ColumnContext, StrategyParams
from dbrefresh.strategies.registry import register
from dbrefresh.strategies.scalar import ScalarStrategy
from dbrefresh.strategies.throwaway_keys import KEYS

LONGEST = max(len(k) for k in KEYS.values())


def armour(label: str) -> str:
    """The first line of a PEM block with this label."""
    return f"-----BEGIN {label}-----"


class PrivateKeyParams(StrategyParams):
    """private_key takes no parameters."""


@register
class PrivateKey(ScalarStrategy[PrivateKeyParams]):
    name = "private_key"
    summary = "A PEM private key -> a fixed throwaway key of the same kind (RSA, EC, ...)."
    params_model = PrivateKeyParams

    def fits(self, params: PrivateKeyParams, ctx: ColumnContext) -> list[str]:
        if ctx.type.is_json:
            return []
        if not ctx.type.is_text:
            return [f"private_key writes PEM text; {ctx.column} is {ctx.type.sql}"]
        return sqlbuild.text_limit(ctx, LONGEST, "private_key")

    def leak_sample_when(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        """A throwaway key already there is no leak: it is what masking writes."""
        keys = [sqlbuild.literal(key) for key in KEYS.values()]
        kept = exp.Not(this=exp.In(this=_text(ctx), expressions=keys))
        if not ctx.type.is_json:
            return kept
        return sqlbuild.fill("(:k AND NOT :blank)", k=kept, blank=_blank_json(ctx))

    def masked(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        written = self._written(_text(ctx))
        if not ctx.type.is_json:
            return sqlbuild.cast(written, ctx.type.sql)
        return sqlbuild.fill(
            "CASE WHEN :blank THEN :v ELSE :j END",
            blank=_blank_json(ctx),
            v=ctx.ref,
            j=sqlbuild.cast(sqlbuild.fill("to_jsonb(:x)", x=written), ctx.type.sql),
        )

    def _written(self, text: exp.Expression) -> exp.Expression:
        """The key of the text's PEM label, or the text's MD5 digest."""
        ifs = [
            exp.If(
                this=sqlbuild.fill("strpos(:t, :a) > 0", t=text.copy(), a=armour(label)),
                true=sqlbuild.literal(key),
            )
            for label, key in KEYS.items()
        ]
        digest = sqlbuild.fill("md5(:t)", t=text.copy())
        return exp.Case(ifs=ifs, default=digest)


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
