"""private_key: a PEM private key replaced by a throwaway key of the same kind.

Akkoma's users.keys ('-----BEGIN RSA PRIVATE KEY-----...'), Lemmy's person.private_key
and Misskey's user_keypair."privateKey" sign every federation request. Kept, production's
keys sat on staging; hashed, the application could not parse them and failed on the first
signature. This writes one fixed key per PEM label (RSA, PKCS#8, encrypted PKCS#8, EC,
DSA, OpenSSH: throwaway_keys.py, public test keys), so the application still reads a key
of the kind it expects. Any other value (no private key's armour) becomes its MD5 digest.
Not injective: every key of a kind becomes the same key.
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
        if not ctx.type.is_text:
            return [f"private_key writes PEM text; {ctx.column} is {ctx.type.sql}"]
        return sqlbuild.text_limit(ctx, LONGEST, "private_key")

    def leak_sample_when(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        """A throwaway key already there is no leak: it is what masking writes."""
        keys = [sqlbuild.literal(key) for key in KEYS.values()]
        return exp.Not(this=exp.In(this=sqlbuild.as_text(ctx.ref), expressions=keys))

    def masked(self, params: PrivateKeyParams, ctx: ColumnContext) -> exp.Expression:
        text = sqlbuild.as_text(ctx.ref)
        ifs = [
            exp.If(
                this=sqlbuild.fill("strpos(:t, :a) > 0", t=text.copy(), a=armour(label)),
                true=sqlbuild.literal(key),
            )
            for label, key in KEYS.items()
        ]
        digest = sqlbuild.fill("md5(:t)", t=text.copy())
        return sqlbuild.cast(exp.Case(ifs=ifs, default=digest), ctx.type.sql)
